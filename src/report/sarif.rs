//! SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, Azure DevOps): typed
//! structs, one run, every rule that produced a result listed in the driver.
//! Keys in gitignored files are where keys belong and are left out.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Report;
use crate::catalog::{self, RuleInfo};
use crate::finding::{Check, Finding, Introduction, Severity};

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    /// The project's home (`repository` in Cargo.toml), once it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: &'static str,
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    redacted: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    /// What `--verify` learned from the exchange.
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<&'a crate::verify::session::Verification>,
    /// Where history first had a secret found in the working tree or the
    /// index (the JSON report's `location.introduced`).
    #[serde(skip_serializing_if = "Option::is_none")]
    introduced: Option<&'a Introduction>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` scale (0-10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// A relative path as a URI reference: '/' kept, reserved and non-ASCII bytes percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why a rule's findings matter, by check: the second half of every rule's
/// `fullDescription` (which GitHub code scanning requires).
fn why(check: Check) -> &'static str {
    match check {
        Check::Leak => {
            "A credential in a file git tracks, or in any commit of its history, can be read by \
             anyone with access to the repository, its forks and its clones; deleting the file \
             later does not remove it from history. Revoke it first."
        }
        Check::Env => {
            "A .env file holds the bot's credentials: it must stay gitignored, untracked and out \
             of history, and its values must appear nowhere else."
        }
        Check::Manifest => {
            "The permission manifest declares what each exchange API key may do: a bot's key \
             needs read + trade only, its own key per bot, and an IP allowlist."
        }
    }
}

fn descriptor(
    id: &str,
    description: &str,
    check: Check,
    severity: Severity,
    help: &str,
) -> RuleDescriptor {
    let short = description.split(" (").next().unwrap_or(description);
    RuleDescriptor {
        id: id.to_string(),
        short_description: Text {
            text: short.to_string(),
        },
        full_description: Text {
            text: format!("{}. {}", description.trim_end_matches('.'), why(check)),
        },
        help: Text {
            text: if help.is_empty() { description } else { help }.to_string(),
        },
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags: ["security", "secret"],
            security_severity: security_severity(severity),
        },
    }
}

/// The descriptor of the rule behind `f`, described from the catalog or
/// the config's custom rules (the finding's own severity and remediation: a
/// check rule's vary).
fn descriptor_of(f: &Finding, custom: &'static [crate::detect::Rule]) -> RuleDescriptor {
    let description = catalog::rule_info_in(&f.rule, custom)
        .map(|r| r.description)
        .unwrap_or(&f.message);
    descriptor(&f.rule, description, f.check, f.severity, &f.remediation)
}

/// Writes the log: one run of keyaudit with these rules and results.
fn write_log(
    rules: Vec<RuleDescriptor>,
    results: Vec<SarifResult<'_>>,
    out: &mut dyn Write,
) -> Result<()> {
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "keyaudit",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: option_env!("CARGO_PKG_REPOSITORY").filter(|u| !u.is_empty()),
                    rules,
                },
            },
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// `keyaudit rules --format sarif`: a log whose one run describes every rule
/// (leak, env and manifest) and has no results, for tools that import rule
/// metadata.
pub fn write_rules(infos: &[RuleInfo], out: &mut dyn Write) -> Result<()> {
    let rules: Vec<RuleDescriptor> = infos
        .iter()
        .map(|r| descriptor(r.id, r.description, r.check, r.severity, r.remediation))
        .collect();
    write_log(rules, Vec::new(), out)
}

pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    let leaks: Vec<&Finding> = report.findings.iter().filter(|f| f.is_leak()).collect();
    let mut rules: Vec<RuleDescriptor> = Vec::new();
    let mut results = Vec::new();
    for f in leaks {
        let rule_index = match rules.iter().position(|r| r.id == f.rule) {
            Some(i) => i,
            None => {
                rules.push(descriptor_of(f, report.custom_rules));
                rules.len() - 1
            }
        };
        // v2: the secret's own fingerprint (v1 mixed in the rule id).
        let mut fingerprints = BTreeMap::new();
        if let Some(s) = &f.secret {
            fingerprints.insert("keyaudit/v2", s.fingerprint.as_str());
        }
        results.push(SarifResult {
            rule_id: &f.rule,
            rule_index,
            level: level(f.severity),
            message: Text {
                text: f.message.clone(),
            },
            locations: vec![SarifLocation {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: uri(&f.location.path),
                    },
                    // A finding about a whole file (a tracked .env, a
                    // manifest key without a line) points at its first line.
                    region: Region {
                        start_line: f.location.line.unwrap_or(1),
                        start_column: f.location.column,
                    },
                },
            }],
            partial_fingerprints: fingerprints,
            properties: ResultProperties {
                severity: f.severity.as_str(),
                source: f.location.source.as_str(),
                redacted: f.secret.as_ref().map(|s| s.redacted.as_str()),
                commit: f.location.commit.as_deref(),
                author: f.location.author.as_deref(),
                date: f.location.date.as_deref(),
                verification: f.verification.as_ref(),
                introduced: f.location.introduced.as_ref(),
            },
        });
    }
    write_log(rules, results, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("bot/my config.py"), "bot/my%20config.py");
        assert_eq!(uri("a#b?.py"), "a%23b%3F.py");
        assert_eq!(uri("café.py"), "caf%C3%A9.py");
    }
}
