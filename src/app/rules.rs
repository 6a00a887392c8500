//! `rules`: every rule (leak, env, manifest) in the chosen format, and
//! `rules --permissions`: the permission mapping table. The catalog holds
//! the rules, the report layer writes them.

use anyhow::{Result, bail};

use super::pipeline::emit;
use crate::cli::{Format as FormatArg, Global};
use crate::exit::ExitStatus;
use crate::report::{human, json, sarif};

/// `rules`: the built-in leak rules, the config's custom rules (`--config
/// FILE`, else `keyaudit.toml` in the current folder unless
/// `--no-repo-config`), then the env and manifest checks' rules.
pub(super) fn rules(global: &Global) -> Result<ExitStatus> {
    let (config, _) = super::settings::load_config(global, std::path::Path::new("."))?;
    let infos = &crate::catalog::rule_infos_with(crate::catalog::custom_rules(&config.rules));
    emit(&global.output, |w| match global.format {
        FormatArg::Sarif => sarif::write_rules(infos, w),
        FormatArg::Json => json::write_rules(infos, w),
        FormatArg::Human => human::write_rules(infos, w),
    })?;
    Ok(ExitStatus::Clean)
}

/// `rules --permissions`: the permission mapping table.
pub(super) fn permissions(global: &Global) -> Result<ExitStatus> {
    if global.format == FormatArg::Sarif {
        bail!("the permission table has no SARIF form: use --format json or human");
    }
    let listing = crate::checks::permissions::listing();
    emit(&global.output, |w| match global.format {
        FormatArg::Json | FormatArg::Sarif => json::write_permissions(&listing, w),
        FormatArg::Human => human::write_permissions(&listing, w),
    })?;
    Ok(ExitStatus::Clean)
}
