//! The command line (clap derive only). `app.rs` resolves these into the
//! settings the engine and checks take; no clap type goes further.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::Severity;

#[derive(Parser, Debug)]
#[command(
    name = "keyaudit",
    version,
    about = "Key-hygiene auditor for crypto trading bots: leaked exchange keys, .env hygiene, key permissions",
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above --fail-on, 2 could not run."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Report format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Config file (default: keyaudit.toml at the scanned root, if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Lowest severity that fails the run (exit 1).
    #[arg(long, global = true, value_enum, default_value_t = FailOnArg::Medium)]
    pub fail_on: FailOnArg,
    /// Files larger than this are skipped and counted (bytes, or e.g. 16MiB).
    #[arg(long, global = true, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// No colour in human output (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print only findings: no summary, no skipped-file notes.
    #[arg(long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also list every skipped file and why.
    #[arg(long, global = true)]
    pub verbose: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every check on PATH: the CI entry point.
    Audit(Target),
    /// Leaked keys in the working tree (gitignored files are reported as "ignored", never as leaks).
    Scan(Target),
    /// List the built-in rules.
    Rules,
}

#[derive(Args, Debug, Clone)]
pub struct Target {
    /// Directory or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOnArg {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

impl FailOnArg {
    pub fn resolve(self) -> crate::exit::FailOn {
        use crate::exit::FailOn;
        match self {
            FailOnArg::Critical => FailOn::At(Severity::Critical),
            FailOnArg::High => FailOn::At(Severity::High),
            FailOnArg::Medium => FailOn::At(Severity::Medium),
            FailOnArg::Low => FailOn::At(Severity::Low),
            FailOnArg::Never => FailOn::Never,
        }
    }
}
