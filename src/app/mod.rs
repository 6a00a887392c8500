//! One function per subcommand, wiring sources -> engine -> report. This is
//! the only layer (with `main.rs`) that owns stdout and stderr, and the place
//! that decides whether a recorded problem is fatal.
//!
//! - `settings`: the command line and the config file, resolved once;
//! - `plan`: which checks a command makes, over which sources;
//! - `pipeline`: running a plan into one report and an exit status;
//! - one file per command that is more than a plan: `env`, `baseline`,
//!   `manifest`, `rules` (and `--permissions`), `hook`, `verify` (`--verify`'s
//!   session, and `verify --list`).

mod baseline;
mod env;
mod hook;
mod manifest;
mod pipeline;
mod plan;
mod rules;
mod settings;
mod verify;

use anyhow::{Context, Result};
use std::io::Write;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

use pipeline::checks;
pub use pipeline::is_closed_pipe;
use plan::{audit_plan, scan_plan};

/// Runs the parsed command line; `Err` means exit 2.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    if let Some(n) = cli.global.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.get())
            .build_global()
            .with_context(|| format!("--threads {n}: cannot start the worker threads"))?;
    }
    if cli.global.verbose {
        writeln!(
            std::io::stderr().lock(),
            "keyaudit: {} worker threads",
            rayon::current_num_threads()
        )
        .ok();
    }
    match &cli.command {
        Command::Rules(args) if args.permissions => rules::permissions(&cli.global),
        Command::Rules(_) => rules::rules(&cli.global),
        Command::Manifest(args) => manifest::manifest(&cli.global, args),
        Command::Baseline(args) => baseline::baseline(&cli.global, args),
        Command::Hook(args) => hook::hook(&cli.global, args),
        Command::Scan(args) => checks(&cli.global, &args.target.path, scan_plan(args)?),
        Command::Env(args) => env::env(&cli.global, args),
        Command::Audit(t) => checks(&cli.global, &t.path, audit_plan()),
        Command::Verify(args) => verify::list(&cli.global, args),
    }
}
