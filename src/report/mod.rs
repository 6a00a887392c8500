//! The report: a summary plus sorted findings, and the dispatch to one
//! reporter per format. Reporters only format: each takes a finished
//! [`Report`] and a writer, and a failed write is an error.

pub mod human;
pub mod json;
pub mod sarif;

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::source::{Problem, Stats};

/// Output format, resolved from the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human { color: bool },
    Json,
    Sarif,
}

/// How much the human report says besides findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct BySeverity {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    pub binary: u64,
    pub too_large: u64,
    pub unreadable: u64,
    pub symlinks: u64,
    pub special: u64,
    pub dependency_dirs: u64,
    /// Files, folders and (blob, path) pairs left out by `--exclude` / `[scan] exclude`.
    pub excluded: u64,
    /// Distinct paths (a folder counts once) left out only by the scanned
    /// repository's own `keyaudit.toml` `[scan] exclude`: what a pull
    /// request could hide from the scan. 0 with `--no-repo-config` or `--config FILE`.
    pub excluded_by_repo_config: u64,
    /// Findings left out by `[[allow]]` entries of the scanned repository's
    /// own `keyaudit.toml` (part of `summary.allowed`). 0 with
    /// `--no-repo-config` or `--config FILE`.
    pub allowed_by_repo_config: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Findings that are leaks (everything but keys in gitignored files).
    pub findings: usize,
    /// Distinct secrets (fingerprints) among those findings: one secret
    /// found in many places, or by many rules, counts once.
    pub distinct_secrets: usize,
    pub by_severity: BySeverity,
    /// Keys found in gitignored files: where they belong, so never counted as leaks.
    pub ignored_findings: usize,
    /// Findings left out because `--baseline FILE` names them (not counted in `findings`).
    pub baselined: usize,
    /// Findings left out because an `[[allow]]` entry of the config names
    /// them (not counted in `findings`).
    pub allowed: usize,
    pub files_scanned: u64,
    pub commits_scanned: u64,
    pub blobs_scanned: u64,
    pub bytes_scanned: u64,
    pub duration_ms: u128,
    pub skipped: Skipped,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// Everything a reporter needs.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub root: String,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// Files or objects that could not be scanned, and why.
    pub warnings: Vec<Problem>,
    /// The config's custom rules, which the SARIF report describes.
    #[serde(skip)]
    pub custom_rules: &'static [crate::detect::Rule],
}

impl Report {
    /// Sorts findings (the filter stage, `filters.rs`, has left one of each)
    /// and builds the summary.
    pub fn new(
        root: String,
        mut findings: Vec<Finding>,
        stats: &Stats,
        warnings: Vec<Problem>,
        duration_ms: u128,
    ) -> Report {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut by = BySeverity::default();
        let mut ignored = 0;
        let mut secrets = std::collections::HashSet::new();
        for f in &findings {
            if !f.is_leak() {
                ignored += 1;
                continue;
            }
            if let Some(s) = &f.secret {
                secrets.insert(s.fingerprint.as_str());
            }
            match f.severity {
                Severity::Critical => by.critical += 1,
                Severity::High => by.high += 1,
                Severity::Medium => by.medium += 1,
                Severity::Low => by.low += 1,
            }
        }
        Report {
            version: 1,
            tool: Tool {
                name: "keyaudit",
                version: env!("CARGO_PKG_VERSION"),
            },
            root,
            summary: Summary {
                findings: findings.len() - ignored,
                distinct_secrets: secrets.len(),
                by_severity: by,
                ignored_findings: ignored,
                baselined: 0,
                allowed: 0,
                files_scanned: stats.files_scanned,
                commits_scanned: stats.commits_scanned,
                blobs_scanned: stats.blobs_scanned,
                bytes_scanned: stats.bytes_scanned,
                duration_ms,
                skipped: Skipped {
                    binary: stats.skipped_binary,
                    too_large: stats.skipped_too_large,
                    unreadable: stats.skipped_unreadable,
                    symlinks: stats.skipped_symlinks,
                    special: stats.skipped_special,
                    dependency_dirs: stats.skipped_dirs,
                    excluded: stats.skipped_excluded,
                    excluded_by_repo_config: 0,
                    allowed_by_repo_config: 0,
                },
            },
            findings,
            warnings,
            custom_rules: &[],
        }
    }
}

/// Writes `report` in `format`.
pub fn write(
    report: &Report,
    format: Format,
    verbosity: Verbosity,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Human { color } => human::write(report, color, verbosity, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
    }
}
