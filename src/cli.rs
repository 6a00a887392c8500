//! The command line (clap derive only). `app/settings.rs` resolves these into the
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
    /// Don't read the scanned repository's own keyaudit.toml (neither its [scan] settings nor
    /// its [[key]] manifest): for untrusted pull requests. --config FILE still applies.
    #[arg(long, global = true)]
    pub no_repo_config: bool,
    /// Worker threads for reading and scanning (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
    /// Leave out findings whose fingerprint is in FILE (written by `keyaudit baseline`), and
    /// warn about its entries that matched nothing.
    #[arg(long, global = true, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Lowest severity that fails the run (exit 1) [default: `[scan] fail_on` in the config,
    /// else medium].
    #[arg(long, global = true, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Leave out paths matching GLOB (repeatable; `.gitignore`-style: `fixtures`,
    /// `*.lock`, `docs/**/*.md`), added to `[scan] exclude` in the config.
    #[arg(long, global = true, value_name = "GLOB")]
    pub exclude: Vec<String>,
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
    /// Print on stderr, after the run, what each rule cost: the regex time, the pieces of
    /// content and windows it searched, its candidates and matches (for tuning rules).
    #[arg(long, global = true)]
    pub rule_stats: bool,
    /// (scan, manifest, audit) Ask each exchange what a key can really do: the only option
    /// that touches the network. `--verify=strict` fails the run (exit 2) when a key cannot be
    /// verified. See `keyaudit verify --list` for every endpoint it may call.
    #[arg(
        long,
        global = true,
        value_enum,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "on",
        value_name = "MODE"
    )]
    pub verify: Option<VerifyMode>,
    /// Send EXCHANGE's --verify requests to URL instead of its own API host (testnets, local
    /// test servers; https, or http to a loopback address). Also KEYAUDIT_VERIFY_URL_<EXCHANGE>
    /// in the environment. Never read from a config file.
    #[arg(long, global = true, value_name = "EXCHANGE=URL")]
    pub verify_url: Vec<String>,
    /// Give up on one --verify request after this many seconds [default: 10].
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=120))]
    pub verify_timeout: Option<u64>,
}

/// How `--verify` treats a key it could not verify.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyMode {
    /// Reported ("could not verify"), the run goes on.
    On,
    /// The run fails (exit 2) after its report is written.
    Strict,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every check on PATH: the CI entry point.
    Audit(Target),
    /// Leaked keys in the working tree (gitignored files are reported as "ignored", never as leaks),
    /// or in what is staged, or in git history.
    Scan(ScanArgs),
    /// .env hygiene: every .env gitignored, untracked and never committed; .env.example holds
    /// placeholders only; your .env values found nowhere else; credentials never printed.
    Env(EnvArgs),
    /// Validate the permission manifest ([[key]] tables in keyaudit.toml, or --manifest FILE).
    Manifest(ManifestArgs),
    /// Write the fingerprints of every current finding to a baseline file (what `audit` finds,
    /// keys in gitignored files left out); `--baseline FILE` then reports only new ones.
    Baseline(BaselineArgs),
    /// List the built-in rules (or, with --permissions, the permission mapping table).
    Rules(RulesArgs),
    /// Install or uninstall the git pre-commit hook that runs `scan --staged`.
    Hook(HookArgs),
    /// `--list`: every read-only endpoint `--verify` may call, per exchange.
    Verify(VerifyArgs),
}

#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// List every endpoint `--verify` may call, with the host each exchange's keys go to.
    #[arg(long)]
    pub list: bool,
}

#[derive(Args, Debug, Clone)]
pub struct HookArgs {
    #[command(subcommand)]
    pub action: HookAction,
}

#[derive(Subcommand, Debug, Clone)]
pub enum HookAction {
    /// Write the pre-commit hook: a commit that adds a leaked key is refused.
    ///
    /// Never overwrites a hook keyaudit did not write (see --chain); installing again
    /// updates keyaudit's own in place. `git commit --no-verify` skips the check deliberately.
    Install {
        /// Keep an existing pre-commit hook as pre-commit.keyaudit-chained and run it first.
        #[arg(long)]
        chain: bool,
        /// A folder inside the repository.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Remove keyaudit's pre-commit hook and put back a hook it chained.
    ///
    /// A pre-commit hook keyaudit did not write is left alone (exit 2).
    Uninstall {
        /// A folder inside the repository.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
pub struct EnvArgs {
    #[command(flatten)]
    pub target: Target,
    /// Add the missing .env lines to .gitignore (idempotent), and print (never run) the
    /// commands that untrack a tracked .env. Nothing else is changed.
    #[arg(long)]
    pub fix: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ManifestArgs {
    #[command(flatten)]
    pub target: Target,
    /// The manifest file (default: the --config file, else keyaudit.toml at PATH).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Write a commented manifest template listing the exchanges and env variables
    /// the code uses (never overwrites an existing file).
    #[arg(long)]
    pub init: bool,
}

#[derive(Args, Debug, Clone)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub target: Target,
    /// The baseline file to write (default: keyaudit-baseline.json at PATH; the global
    /// --output FILE means the same).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct RulesArgs {
    /// List the permission mapping table: canonical scopes and each exchange's own names.
    #[arg(long)]
    pub permissions: bool,
}

#[derive(Args, Debug, Clone)]
pub struct Target {
    /// Directory or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    #[command(flatten)]
    pub target: Target,
    /// Only what is staged in the index and differs from HEAD (pre-commit).
    #[arg(long, conflicts_with_all = ["history", "since", "range"])]
    pub staged: bool,
    /// Also every commit reachable from any ref (branches, remotes, tags, stash, HEAD).
    #[arg(long)]
    pub history: bool,
    /// Only the commits after REV (reachable from a ref, not from REV); not the working tree.
    #[arg(long, value_name = "REV", conflicts_with = "range")]
    pub since: Option<String>,
    /// Only the commits in A..B (reachable from B, not from A; for pull requests); not the working tree.
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
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
