//! The report for people: one entry per secret (its rule, severity,
//! redacted value and short fingerprint, then the places it was found, at
//! most [`PLACES_SHOWN`] unless `--verbose`), then the findings without a
//! secret grouped by file; coloured by severity, each with its remediation;
//! keys in gitignored files listed apart (they are where keys belong); then
//! one summary line. All text shown is sanitized. Also the rule and
//! permission listings of `keyaudit rules`.

use std::io::Write;

use anyhow::Result;
use colored::{ColoredString, Colorize};

use super::{Report, Verbosity};
use crate::catalog::RuleInfo;
use crate::checks::permissions::Listing;
use crate::finding::{Confidence, Finding, Severity, Source};
use crate::redact::sanitize;

fn paint(text: &str, color: bool, f: impl Fn(&str) -> ColoredString) -> String {
    if color {
        f(text).to_string()
    } else {
        text.to_string()
    }
}

fn severity(s: Severity, color: bool) -> String {
    let text = format!("{:<8}", s.as_str());
    paint(&text, color, |t| match s {
        Severity::Critical => t.red().bold(),
        Severity::High => t.red(),
        Severity::Medium => t.yellow(),
        Severity::Low => t.blue(),
    })
}

fn position(f: &Finding) -> String {
    match (f.location.line, f.location.column) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        (Some(l), None) => format!("{l}"),
        _ => "-".into(),
    }
}

/// How many places of one secret are listed before "… and N more" (all
/// with `--verbose`).
pub const PLACES_SHOWN: usize = 5;

/// The findings that hold a secret, one entry per secret, then the others
/// grouped by file.
fn write_findings(
    out: &mut dyn Write,
    findings: &[&Finding],
    color: bool,
    remediation: bool,
    verbosity: Verbosity,
) -> Result<()> {
    let (secrets, others): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.secret.is_some());
    for places in by_secret(&secrets) {
        write_secret(out, &places, color, remediation, verbosity)?;
    }
    write_group(out, &others, color, remediation)
}

/// The findings grouped by their secret's fingerprint, each group in the
/// findings' order, the groups in the order of their first finding.
fn by_secret<'a>(findings: &[&'a Finding]) -> Vec<Vec<&'a Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in findings {
        let Some(secret) = &f.secret else { continue };
        let i = *at.entry(secret.fingerprint.as_str()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(f);
    }
    groups
}

/// `commit 1a2b3c4d5e6f by name <email> on date` for a history finding,
/// `introduced in … at path:line by … on …` for one found now that history
/// had first.
fn provenance(f: &Finding) -> Option<String> {
    if let Some(i) = &f.location.introduced {
        let line = i.line.map(|l| format!(":{l}")).unwrap_or_default();
        return Some(format!(
            "introduced in {} at {}{line} by {} on {}",
            &i.commit[..i.commit.len().min(12)],
            sanitize(&i.path),
            sanitize(&i.author),
            i.date
        ));
    }
    match (&f.location.commit, &f.location.author, &f.location.date) {
        (Some(commit), Some(author), Some(date)) => Some(format!(
            "commit {} by {} on {}",
            &commit[..commit.len().min(12)],
            sanitize(author),
            date
        )),
        _ => None,
    }
}

/// One secret: its label (the preferred rule among its findings, the
/// highest severity, the redacted value, the short fingerprint), one
/// message, then its places.
fn write_secret(
    out: &mut dyn Write,
    places: &[&Finding],
    color: bool,
    remediation: bool,
    verbosity: Verbosity,
) -> Result<()> {
    let Some(head) = places
        .iter()
        .min_by(|a, b| a.preference().cmp(&b.preference()))
    else {
        return Ok(());
    };
    let Some(secret) = &head.secret else {
        return Ok(());
    };
    let worst = places
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(head.severity);
    // A test, docs or example context counts only when every place has one.
    let confidence = if places.iter().any(|f| f.confidence == Confidence::High) {
        "  confidence high".to_string()
    } else if let Some(context) = head
        .context
        .filter(|_| places.iter().all(|f| f.context.is_some()))
    {
        format!("  confidence low: {} context", context.as_str())
    } else {
        String::new()
    };
    writeln!(
        out,
        "\n{} {}  secret {}  {}{confidence}",
        severity(worst, color),
        paint(&head.rule, color, |t| t.cyan().bold()),
        sanitize(&secret.redacted),
        paint(&secret.fingerprint[..19], color, |t| t.dimmed())
    )?;
    writeln!(out, "  {}", sanitize(&head.message))?;
    let shown = if verbosity == Verbosity::Verbose {
        places.len()
    } else {
        places.len().min(PLACES_SHOWN)
    };
    for f in &places[..shown] {
        let place = match f.location.line {
            Some(line) => format!("{}:{line}", sanitize(&f.location.path)),
            None => sanitize(&f.location.path),
        };
        let rule = if f.rule == head.rule {
            String::new()
        } else {
            format!("  {}", paint(&f.rule, color, |t| t.cyan()))
        };
        let how = provenance(f).map(|p| format!(" ({p})")).unwrap_or_default();
        writeln!(
            out,
            "    {}  [{}]{rule}{how}",
            paint(&place, color, |t| t.bold()),
            f.location.source.as_str()
        )?;
    }
    if places.len() > shown {
        writeln!(
            out,
            "    … and {} more (--verbose lists them)",
            places.len() - shown
        )?;
    }
    if remediation {
        writeln!(
            out,
            "  {} {}",
            paint("fix:", color, |t| t.green()),
            sanitize(&head.remediation)
        )?;
    }
    Ok(())
}

/// Findings without a secret, grouped by file.
fn write_group(
    out: &mut dyn Write,
    findings: &[&Finding],
    color: bool,
    remediation: bool,
) -> Result<()> {
    let mut current: Option<(&str, Source)> = None;
    let mut last_fix: Option<&str> = None;
    for f in findings {
        let key = (f.location.path.as_str(), f.location.source);
        if current != Some(key) {
            last_fix = None;
            let header = sanitize(&f.location.path);
            writeln!(
                out,
                "\n{}  [{}]",
                paint(&header, color, |t| t.bold().underline()),
                f.location.source.as_str()
            )?;
            current = Some(key);
        }
        writeln!(
            out,
            "  {:>8}  {} {}  {}",
            position(f),
            severity(f.severity, color),
            paint(&f.rule, color, |t| t.cyan()),
            sanitize(&f.message)
        )?;
        if let Some(how) = provenance(f) {
            writeln!(out, "            {how}")?;
        }
        // The same fix for the next finding in the same file is said once.
        if remediation && last_fix != Some(f.remediation.as_str()) {
            writeln!(
                out,
                "            {} {}",
                paint("fix:", color, |t| t.green()),
                sanitize(&f.remediation)
            )?;
            last_fix = Some(&f.remediation);
        }
    }
    Ok(())
}

/// `1 file`, `2 files`.
fn count(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Bytes as people read them: `812 B`, `13.2 KB`, `314.7 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

pub fn write(
    report: &Report,
    color: bool,
    verbosity: Verbosity,
    out: &mut dyn Write,
) -> Result<()> {
    let leaks: Vec<&Finding> = report.findings.iter().filter(|f| f.is_leak()).collect();
    let ignored: Vec<&Finding> = report.findings.iter().filter(|f| !f.is_leak()).collect();
    write_findings(out, &leaks, color, true, verbosity)?;
    if !ignored.is_empty() && verbosity != Verbosity::Quiet {
        writeln!(
            out,
            "\n{}",
            paint(
                "Keys in gitignored files (where keys belong; not leaks, never fail the run):",
                color,
                |t| t.dimmed()
            )
        )?;
        write_findings(out, &ignored, color, false, verbosity)?;
    }
    if verbosity == Verbosity::Verbose && !report.warnings.is_empty() {
        writeln!(out, "\nNot scanned:")?;
        for w in &report.warnings {
            writeln!(out, "  {}: {}", sanitize(&w.path), sanitize(&w.reason))?;
        }
    }
    if verbosity == Verbosity::Quiet {
        return Ok(());
    }
    let s = &report.summary;
    let by = &s.by_severity;
    let headline = if s.findings == 0 {
        paint("no leaks found", color, |t| t.green().bold())
    } else {
        paint(
            &format!(
                "{} finding{} ({} critical, {} high, {} medium, {} low), {} distinct secret{}",
                s.findings,
                if s.findings == 1 { "" } else { "s" },
                by.critical,
                by.high,
                by.medium,
                by.low,
                s.distinct_secrets,
                if s.distinct_secrets == 1 { "" } else { "s" }
            ),
            color,
            |t| t.red().bold(),
        )
    };
    let mut baselined = if s.baselined > 0 {
        format!("; {} baselined", s.baselined)
    } else {
        String::new()
    };
    if s.allowed > 0 {
        baselined.push_str(&format!("; {} allowed by keyaudit.toml", s.allowed));
    }
    let mut scope = count(s.files_scanned, "file");
    if s.commits_scanned > 0 || s.blobs_scanned > 0 {
        scope.push_str(&format!(
            ", {}, {}",
            count(s.commits_scanned, "commit"),
            count(s.blobs_scanned, "blob")
        ));
    }
    writeln!(
        out,
        "\n{headline}{baselined}; {} in gitignored files; scanned {scope}, {} in {:.2} s",
        s.ignored_findings,
        size(s.bytes_scanned),
        s.duration_ms as f64 / 1000.0
    )?;
    let k = &s.skipped;
    let skipped = [
        (k.binary, "binary"),
        (k.too_large, "over the size cap"),
        (k.unreadable, "unreadable"),
        (k.symlinks, "symlinks (not followed)"),
        (k.special, "not regular files"),
        (k.dependency_dirs, "ignored dependency/build directories"),
        (k.excluded, "excluded by pattern"),
    ];
    if k.excluded_by_repo_config > 0 {
        writeln!(
            out,
            "the repository's own keyaudit.toml excluded {} from the scan ([scan] exclude; \
             --no-repo-config leaves it out)",
            count(k.excluded_by_repo_config, "path")
        )?;
    }
    if k.allowed_by_repo_config > 0 {
        writeln!(
            out,
            "the repository's own keyaudit.toml allowed {} ([[allow]]; --verbose lists its \
             entries, --no-repo-config leaves them out)",
            count(k.allowed_by_repo_config as u64, "finding")
        )?;
    }
    let parts: Vec<String> = skipped
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !parts.is_empty() {
        writeln!(
            out,
            "skipped: {}{}",
            parts.join(", "),
            if verbosity == Verbosity::Verbose || report.warnings.is_empty() {
                ""
            } else {
                " (--verbose lists them)"
            }
        )?;
    }
    Ok(())
}

/// `keyaudit rules`: one line per rule (id, severity, exchange or check, description).
pub fn write_rules(infos: &[RuleInfo], out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "{:<28} {:<9} {:<12} DESCRIPTION",
        "ID", "SEVERITY", "EXCHANGE"
    )?;
    for r in infos {
        writeln!(
            out,
            "{:<28} {:<9} {:<12} {}",
            r.id,
            r.severity.as_str(),
            r.exchange,
            r.description
        )?;
    }
    Ok(())
}

/// `keyaudit rules --permissions`: the mapping table as text for people.
pub fn write_permissions(listing: &Listing, out: &mut dyn Write) -> Result<()> {
    out.write_all(permissions_text(listing).as_bytes())?;
    Ok(())
}

fn permissions_text(listing: &Listing) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("CANONICAL SCOPES\n");
    for s in &listing.scopes {
        let mut line = format!("  {:<14} {:<38}", s.scope.as_str(), s.verdict);
        if s.spellings.len() > 1 {
            line.push_str(&format!(" also: {}", s.spellings[1..].join(", ")));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for e in &listing.exchanges {
        let _ = writeln!(
            out,
            "\n{} ({}): model {}, IP allowlist {}",
            e.name,
            e.id,
            e.model.as_str(),
            if e.ip_allowlist { "yes" } else { "no" }
        );
        for p in &e.permissions {
            let names = p
                .names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(" / ");
            let rw = if p.read_write_variants {
                " (:read, :write)"
            } else {
                ""
            };
            let scopes = if p.scopes.is_empty() {
                "(a restriction: grants nothing)".to_string()
            } else {
                p.scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            let _ = writeln!(out, "  {names}{rw} -> {scopes}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(size(812), "812 B");
        assert_eq!(size(13_198), "13.2 KB");
        assert_eq!(size(314_700_000), "314.7 MB");
        assert_eq!(super::count(1, "file"), "1 file");
        assert_eq!(super::count(0, "commit"), "0 commits");
    }
}
