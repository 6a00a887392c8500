//! The SPEC's version-1 JSON report: one object, stable field names. The
//! shape is the `Report` struct's serde form; this file only writes it.
//! Also the rule and permission listings of `keyaudit rules --format json`.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Report;
use crate::catalog::RuleInfo;
use crate::checks::permissions::Listing;

pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// One rule as `keyaudit rules --format json` lists it.
#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    severity: &'a str,
    exchange: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    remediation: &'a str,
}

/// `keyaudit rules`: an array of every rule, leak rules first.
pub fn write_rules(infos: &[RuleInfo], out: &mut dyn Write) -> Result<()> {
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
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)?;
    Ok(())
}

/// `keyaudit rules --permissions`: the permission mapping table.
pub fn write_permissions(listing: &Listing, out: &mut dyn Write) -> Result<()> {
    // Serialized first, so that a closed pipe is an io::Error (a quiet exit).
    let text = serde_json::to_string_pretty(listing)?;
    writeln!(out, "{text}")?;
    Ok(())
}
