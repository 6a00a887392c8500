//! One function per subcommand, wiring sources -> engine -> report. This is
//! the only layer (with `main.rs`) that owns stdout and stderr, and the place
//! that decides whether a recorded problem is fatal.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::cli::{Cli, Command, Format as FormatArg, Global};
use crate::config::{self, Config};
use crate::detect::Engine;
use crate::exit::{ExitStatus, FailOn};
use crate::report::{self, Format, Report, Verbosity};
use crate::scan::{self, Limits, Outcome};

/// Settings resolved once from the command line and the config file.
struct Settings {
    format: Format,
    output: Option<PathBuf>,
    fail_on: FailOn,
    verbosity: Verbosity,
    limits: Limits,
}

fn color_wanted(global: &Global) -> bool {
    if global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    global.output.is_none() && std::io::stdout().is_terminal()
}

/// The config file: `--config FILE`, else `keyaudit.toml` at the scanned root.
fn load_config(global: &Global, root: &Path) -> Result<Config> {
    let (path, required) = match &global.config {
        Some(p) => (p.clone(), true),
        None => {
            let dir = if root.is_file() {
                root.parent().unwrap_or(Path::new("."))
            } else {
                root
            };
            (dir.join("keyaudit.toml"), false)
        }
    };
    if !required && !path.exists() {
        return Ok(Config::default());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    Ok(config::parse(&path, &text)?)
}

fn resolve(global: &Global, root: &Path) -> Result<Settings> {
    let config = load_config(global, root)?;
    let max_file_size = match &global.max_file_size {
        Some(text) => match config::parse_size(text) {
            Some(n) if n > 0 => n,
            _ => {
                bail!("--max-file-size {text:?}: expected a size such as 1048576, 512KiB or 16MiB")
            }
        },
        None => config.max_file_size.unwrap_or(scan::DEFAULT_MAX_FILE_SIZE),
    };
    Ok(Settings {
        format: match global.format {
            FormatArg::Human => Format::Human {
                color: color_wanted(global),
            },
            FormatArg::Json => Format::Json,
        },
        output: global.output.clone(),
        fail_on: global.fail_on.resolve(),
        verbosity: if global.quiet {
            Verbosity::Quiet
        } else if global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
        limits: Limits { max_file_size },
    })
}

/// Runs the parsed command line; `Err` means exit 2.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    match &cli.command {
        Command::Rules => rules(&cli.global),
        Command::Scan(t) | Command::Audit(t) => leak_scan(&cli.global, &t.path),
    }
}

/// Writes to `--output FILE` or stdout.
fn emit(output: &Option<PathBuf>, body: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            body(&mut w)?;
            w.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            body(&mut w)?;
            w.flush()?;
        }
    }
    Ok(())
}

/// `scan` and (until more checks exist) `audit`: the working-tree leak scan.
fn leak_scan(global: &Global, root: &Path) -> Result<ExitStatus> {
    let settings = resolve(global, root)?;
    let started = Instant::now();
    let engine = Engine::default();
    let outcome: Outcome = scan::tree::scan(root, &engine, settings.limits)?;
    if settings.verbosity != Verbosity::Quiet {
        let mut err = std::io::stderr().lock();
        for p in &outcome.problems {
            if !p.reason.starts_with("larger than") || settings.verbosity == Verbosity::Verbose {
                writeln!(
                    err,
                    "warning: {}: {}",
                    crate::redact::sanitize(&p.path),
                    p.reason
                )
                .ok();
            }
        }
    }
    let report = Report::new(
        root.display().to_string(),
        outcome.findings,
        &outcome.stats,
        outcome.problems,
        started.elapsed().as_millis(),
    );
    emit(&settings.output, |w| {
        report::write(&report, settings.format, settings.verbosity, w)
    })?;
    Ok(ExitStatus::from_findings(
        &report.findings,
        settings.fail_on,
    ))
}

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    severity: &'a str,
    exchange: &'a str,
    description: &'a str,
    remediation: &'a str,
}

/// `rules`: the built-in rule table.
fn rules(global: &Global) -> Result<ExitStatus> {
    let rules = crate::detect::rules::builtin();
    let rows: Vec<RuleRow> = rules
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            severity: r.severity.as_str(),
            exchange: r.exchange,
            description: r.description,
            remediation: &r.remediation,
        })
        .collect();
    emit(&global.output, |w| {
        match global.format {
            FormatArg::Json => {
                serde_json::to_writer_pretty(&mut *w, &rows)?;
                writeln!(w)?;
            }
            FormatArg::Human => {
                writeln!(
                    w,
                    "{:<28} {:<9} {:<12} DESCRIPTION",
                    "ID", "SEVERITY", "EXCHANGE"
                )?;
                for r in &rows {
                    writeln!(
                        w,
                        "{:<28} {:<9} {:<12} {}",
                        r.id, r.severity, r.exchange, r.description
                    )?;
                }
            }
        }
        Ok(())
    })?;
    Ok(ExitStatus::Clean)
}
