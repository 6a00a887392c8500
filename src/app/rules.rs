//! `rules`: every rule (leak, env, manifest) in the chosen format, and
//! `rules --permissions`: the permission mapping table.

use anyhow::{Result, bail};
use serde::Serialize;

use super::pipeline::emit;
use crate::cli::{Format as FormatArg, Global};
use crate::exit::ExitStatus;

#[derive(Serialize)]
pub(super) struct RuleRow<'a> {
    id: &'a str,
    severity: &'a str,
    exchange: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    remediation: &'a str,
}

/// `rules`: the built-in leak rules, then the env and manifest checks' rules,
/// as the catalog lists them.
pub(super) fn rules(global: &Global) -> Result<ExitStatus> {
    let infos = crate::catalog::rule_infos();
    let rows: Vec<RuleRow> = infos
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            severity: r.severity.as_str(),
            exchange: r.exchange,
            description: r.description,
            remediation: r.remediation,
        })
        .collect();
    emit(&global.output, |w| {
        match global.format {
            FormatArg::Sarif => crate::report::sarif::write_rules(infos, w)?,
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

/// `rules --permissions`: the permission mapping table.
pub(super) fn permissions(global: &Global) -> Result<ExitStatus> {
    if global.format == FormatArg::Sarif {
        bail!("the permission table has no SARIF form: use --format json or human");
    }
    let listing = crate::checks::permissions::listing();
    emit(&global.output, |w| {
        match global.format {
            FormatArg::Json | FormatArg::Sarif => {
                // Serialized first, so that a closed pipe is an io::Error (a quiet exit).
                let text = serde_json::to_string_pretty(&listing)?;
                writeln!(w, "{text}")?;
            }
            FormatArg::Human => {
                w.write_all(crate::checks::permissions::render(&listing).as_bytes())?;
            }
        }
        Ok(())
    })?;
    Ok(ExitStatus::Clean)
}
