//! The settings of one run, resolved once from the command line and the
//! config file (`--config FILE`, else the repository's own `keyaudit.toml`,
//! unless `--no-repo-config`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cli::{Format as FormatArg, Global};
use crate::config::{self, Config};
use crate::exit::FailOn;
use crate::files::{self, Origin};
use crate::report::{Format, Verbosity};
use crate::source::{self, Limits};

/// Settings resolved once from the command line and the config file.
pub(super) struct Settings {
    pub(super) format: Format,
    pub(super) output: Option<PathBuf>,
    pub(super) fail_on: FailOn,
    pub(super) verbosity: Verbosity,
    pub(super) limits: Limits,
    /// `--baseline FILE`, read and validated before anything is scanned.
    pub(super) baseline: Option<crate::baseline::Baseline>,
    /// The config's `[[rule]]` tables, run beside the built-in rules.
    pub(super) custom_rules: &'static [crate::detect::Rule],
    /// The config's `[[allow]]` entries, if any.
    pub(super) allowlist: Option<std::sync::Arc<crate::allow::Allowlist>>,
    /// `--verify`: the run's verification session (the only network use).
    pub(super) verify: Option<std::sync::Arc<crate::verify::session::Session>>,
}

/// The threshold when neither `--fail-on` nor `[scan] fail_on` names one.
const DEFAULT_FAIL_ON: FailOn = FailOn::At(crate::finding::Severity::Medium);

pub(super) fn color_wanted(global: &Global) -> bool {
    if global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    global.output.is_none() && std::io::stdout().is_terminal()
}

/// The config file: `--config FILE`, else `keyaudit.toml` at the scanned
/// root (not with `--no-repo-config`). The bool is true when it is the
/// repository's own file (read only as a regular file, never through a
/// symlink: see [`files`]).
pub(super) fn load_config(global: &Global, root: &Path) -> Result<(Config, bool)> {
    let (path, origin) = match &global.config {
        Some(p) => (p.clone(), Origin::CommandLine),
        None if global.no_repo_config => return Ok((Config::default(), false)),
        None => (
            config::folder_of(root).join("keyaudit.toml"),
            Origin::Repository,
        ),
    };
    let text = match files::read(&path, "config file", origin, files::MAX_CONFIG_SIZE) {
        Ok(text) => text,
        Err(e) if origin == Origin::Repository && e.is_not_found() => {
            return Ok((Config::default(), false));
        }
        Err(e) => return Err(e.into()),
    };
    Ok((config::parse(&path, &text)?, origin == Origin::Repository))
}

pub(super) fn resolve(global: &Global, root: &Path) -> Result<Settings> {
    let (config, from_repository) = load_config(global, root)?;
    let fail_on = match (global.fail_on, config.fail_on) {
        (Some(arg), _) => arg.resolve(),
        (None, Some(file)) => {
            if from_repository && file != DEFAULT_FAIL_ON && !global.quiet {
                // A pull request may lower the threshold: never unnoticed.
                eprintln!(
                    "warning: keyaudit.toml: the repository's own config sets [scan] fail_on \
                     ({}); pass --fail-on or --no-repo-config to decide yourself",
                    match file {
                        FailOn::Never => "never",
                        FailOn::At(s) => s.as_str(),
                    }
                );
            }
            file
        }
        (None, None) => DEFAULT_FAIL_ON,
    };
    let allowlist = crate::allow::Allowlist::new(&config.allow, from_repository)
        .map_err(anyhow::Error::msg)?
        .map(std::sync::Arc::new);
    let max_file_size = match &global.max_file_size {
        Some(text) => match config::parse_size(text) {
            Some(n) if n > 0 => n,
            _ => {
                bail!("--max-file-size {text:?}: expected a size such as 1048576, 512KiB or 16MiB")
            }
        },
        None => config
            .max_file_size
            .unwrap_or(source::DEFAULT_MAX_FILE_SIZE),
    };
    Ok(Settings {
        format: match global.format {
            FormatArg::Human => Format::Human {
                color: color_wanted(global),
            },
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
        },
        output: global.output.clone(),
        fail_on,
        verbosity: if global.quiet {
            Verbosity::Quiet
        } else if global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
        limits: Limits {
            max_file_size,
            // The repository's own patterns are kept apart, so that the
            // report can say how much of the scan the repository switched off.
            exclude: if from_repository {
                source::Exclude::with_repo(&global.exclude, &config.exclude)
            } else {
                source::Exclude::new(
                    &config
                        .exclude
                        .iter()
                        .chain(&global.exclude)
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            }
            .map_err(anyhow::Error::msg)?,
        },
        baseline: global
            .baseline
            .as_deref()
            .map(crate::baseline::load)
            .transpose()?,
        custom_rules: crate::catalog::custom_rules(&config.rules),
        allowlist,
        verify: super::verify::session(global)?.map(std::sync::Arc::new),
    })
}
