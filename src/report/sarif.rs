//! SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, Azure DevOps): typed
//! structs, one run, every rule that produced a result listed in the driver.
//! Keys in gitignored files are where keys belong and are left out.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Report;
use crate::detect::Rule;
use crate::finding::{Finding, Severity};

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<RuleDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor<'a> {
    id: &'a str,
    short_description: Text,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
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

fn descriptor<'a>(f: &'a Finding, table: &[Rule]) -> RuleDescriptor<'a> {
    let description = table
        .iter()
        .find(|r| r.id == f.rule)
        .map(|r| r.description)
        .or_else(|| {
            crate::checks::RULES
                .iter()
                .find(|r| r.0 == f.rule)
                .map(|r| r.3)
        })
        .map_or_else(|| f.message.clone(), str::to_string);
    RuleDescriptor {
        id: &f.rule,
        short_description: Text { text: description },
        help: Text {
            text: f.remediation.clone(),
        },
        default_configuration: Configuration {
            level: level(f.severity),
        },
        properties: RuleProperties {
            tags: ["security", "secret"],
            security_severity: security_severity(f.severity),
        },
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> Result<()> {
    let leaks: Vec<&Finding> = report.findings.iter().filter(|f| f.is_leak()).collect();
    let table = crate::detect::rules::builtin();
    let mut rules: Vec<RuleDescriptor> = Vec::new();
    let mut results = Vec::new();
    for f in leaks {
        let rule_index = match rules.iter().position(|r| r.id == f.rule) {
            Some(i) => i,
            None => {
                rules.push(descriptor(f, &table));
                rules.len() - 1
            }
        };
        let mut fingerprints = BTreeMap::new();
        if let Some(s) = &f.secret {
            fingerprints.insert("keyaudit/v1", s.fingerprint.as_str());
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
                    region: f.location.line.map(|l| Region {
                        start_line: l,
                        start_column: f.location.column,
                    }),
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
            },
        });
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "keyaudit",
                    version: env!("CARGO_PKG_VERSION"),
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
