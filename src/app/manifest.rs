//! `manifest`: the permission manifest check, or `--init` to write a template.

use std::time::Instant;

use anyhow::{Result, bail};

use super::pipeline::{emit, finish};
use super::plan::StaleEntries;
use super::settings::resolve;
use crate::cli::{Global, ManifestArgs};
use crate::exit::ExitStatus;
use crate::source::{Exclude, Limits, Outcome, Workspace, counts};

/// `manifest`: the permission manifest check (with the env-variable
/// cross-check), or `--init` to write a template.
pub(super) fn manifest(global: &Global, args: &ManifestArgs) -> Result<ExitStatus> {
    use crate::checks::manifest as check;
    let root = &args.target.path;
    if args.init {
        // The config is not read for `--init` (it may be the file to write):
        // only the command line's `--exclude` applies.
        let limits = Limits {
            exclude: Exclude::new(&global.exclude).map_err(anyhow::Error::msg)?,
            ..Limits::default()
        };
        let written = check::init(&Workspace::open(root, &limits), args.manifest.as_deref())?;
        counts::report();
        let exchanges = if written.exchanges.is_empty() {
            "no exchange credentials found in the code; an example table is commented in"
                .to_string()
        } else {
            format!(
                "{} ({} env variables); edit each key's permissions and ip_allowlist",
                written.exchanges.join(", "),
                written.env_vars
            )
        };
        emit(&global.output, |w| {
            writeln!(
                w,
                "wrote {}: {exchanges}",
                crate::redact::sanitize(&written.path.display().to_string())
            )?;
            Ok(())
        })?;
        return Ok(ExitStatus::Clean);
    }
    let settings = resolve(global, root)?;
    let ws = Workspace::open(root, &settings.limits);
    let started = Instant::now();
    // The manifest lives in the config file unless --manifest names another.
    let file = args.manifest.as_deref().or(global.config.as_deref());
    if file.is_none() && global.no_repo_config {
        bail!(
            "--no-repo-config: the repository's keyaudit.toml is not read\n\
             hint: name a trusted manifest with --manifest FILE or --config FILE"
        );
    }
    let (findings, problems) = check::check(&ws, file, settings.verify.as_deref())?;
    let outcome = Outcome {
        findings,
        problems,
        ..Outcome::default()
    };
    counts::report();
    finish(root, &settings, outcome, started, StaleEntries::Ignore)
}
