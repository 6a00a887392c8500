//! The `keyaudit` binary: parse the command line, run, turn the outcome into
//! an exit code, print the one top-level error. A listing to a closed stdout
//! pipe is a quiet exit; a report's exit code always says what it found.

use std::process::ExitCode;

use clap::Parser;

use keyaudit::app;
use keyaudit::cli::Cli;
use keyaudit::exit::ExitStatus;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitStatus::Error.code()
            } else {
                0
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    let status = match app::run(cli) {
        Ok(status) => status,
        Err(err) => {
            // Only listings (`rules`, `hook`, `manifest --init`) get here
            // with a closed pipe: a report's exit code is decided before it
            // is written, in `app`, and survives its reader going away.
            if app::is_closed_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("keyaudit: error: {err:#}");
            ExitStatus::Error
        }
    };
    ExitCode::from(status.code() as u8)
}
