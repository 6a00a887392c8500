//! Reports: the JSON shape of SPEC.md, human output, `--output`, colour,
//! `keyaudit rules`, and the promise that no whole secret is ever printed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::scan::{Planted, fixture_repo, planted};
use crate::support::*;

// ---- The JSON report, typed as SPEC.md shows it ------------------------------

#[derive(Debug, Deserialize)]
struct Report {
    version: u32,
    tool: Tool,
    root: String,
    summary: Summary,
    findings: Vec<Finding>,
}

#[derive(Debug, Deserialize)]
struct Tool {
    name: String,
    version: String,
}

#[derive(Debug, Deserialize)]
struct Summary {
    findings: u64,
    by_severity: BySeverity,
    files_scanned: u64,
    commits_scanned: u64,
    blobs_scanned: u64,
    bytes_scanned: u64,
    duration_ms: u64,
    // Added by README.md.
    ignored_findings: u64,
    skipped: BTreeMap<String, u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BySeverity {
    critical: u64,
    high: u64,
    medium: u64,
    low: u64,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Check {
    Leak,
    Env,
    Manifest,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Source {
    Tree,
    Staged,
    History,
    Ignored,
    Manifest,
}

#[derive(Debug, Deserialize)]
struct Finding {
    check: Check,
    rule: String,
    severity: Severity,
    message: String,
    location: Location,
    secret: Option<Secret>,
    remediation: String,
    // Added by README.md.
    confidence: String,
}

#[derive(Debug, Deserialize)]
struct Location {
    source: Source,
    path: String,
    line: Option<u64>,
    column: Option<u64>,
    commit: Option<String>,
    author: Option<String>,
    date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Secret {
    redacted: String,
    fingerprint: String,
}

fn typed_report(dir: &Path, args: &[&str]) -> (i32, Report) {
    let out = keyaudit(dir)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "report does not have SPEC.md's shape ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

#[test]
fn json_report_has_the_shape_of_the_spec() {
    let repo = fixture_repo("leaky-bot");
    repo.write(".gitignore", ".env\n");
    repo.write(
        ".env",
        "BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu\n",
    );
    let (code, report) = typed_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(report.version, 1);
    assert_eq!(report.tool.name, "keyaudit");
    assert_eq!(report.tool.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(report.root, ".");

    let s = &report.summary;
    let leaks: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.location.source != Source::Ignored)
        .collect();
    assert_eq!(s.findings as usize, leaks.len());
    assert_eq!(s.findings as usize, planted().len());
    assert_eq!(s.ignored_findings, 1);
    let count = |sev: Severity| leaks.iter().filter(|f| f.severity == sev).count() as u64;
    assert_eq!(s.by_severity.critical, count(Severity::Critical));
    assert_eq!(s.by_severity.high, count(Severity::High));
    assert_eq!(s.by_severity.medium, count(Severity::Medium));
    assert_eq!(s.by_severity.low, count(Severity::Low));
    assert!(s.by_severity.critical > 0 && s.by_severity.high > 0 && s.by_severity.low > 0);
    assert!(s.files_scanned >= 15, "{s:?}");
    assert!(s.bytes_scanned > 5_000, "{s:?}");
    assert_eq!(s.commits_scanned, 0);
    assert_eq!(s.blobs_scanned, 0);
    assert!(s.duration_ms < 120_000);
    for reason in ["binary", "too_large"] {
        assert!(s.skipped.contains_key(reason), "{:?}", s.skipped);
    }

    for f in &report.findings {
        assert_eq!(f.check, Check::Leak, "{f:?}");
        assert!(!f.rule.is_empty());
        assert!(f.message.contains(&f.location.path), "{f:?}");
        assert!(!f.location.path.contains('\\') && !f.location.path.starts_with('/'));
        assert!(f.location.line.unwrap() >= 1, "{f:?}");
        assert!(f.location.column.unwrap() >= 1, "{f:?}");
        assert!(f.location.commit.is_none() && f.location.author.is_none());
        assert!(f.location.date.is_none());
        let secret = f.secret.as_ref().expect("a leak has a secret");
        let hex = secret
            .fingerprint
            .strip_prefix("sha256:")
            .unwrap_or_else(|| panic!("fingerprint {:?}", secret.fingerprint));
        assert_eq!(hex.len(), 64, "{secret:?}");
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{secret:?}");
        assert!(secret.redacted.contains("chars)"), "{secret:?}");
        assert!(f.remediation.len() > 20, "{f:?}");
        assert!(["high", "medium"].contains(&f.confidence.as_str()), "{f:?}");
    }
    // Exchange findings name where to revoke the key.
    let binance = report
        .findings
        .iter()
        .find(|f| f.rule == "binance-api-secret")
        .unwrap();
    assert!(
        binance.remediation.contains("binance.com"),
        "{}",
        binance.remediation
    );
    // A key and its secret found together raise confidence.
    assert_eq!(binance.confidence, "high");
    let ignored = report
        .findings
        .iter()
        .find(|f| f.location.source == Source::Ignored)
        .unwrap();
    assert_eq!(ignored.location.path, ".env");
}

#[test]
fn fingerprints_are_stable_across_runs_and_differ_between_secrets() {
    let repo = fixture_repo("leaky-bot");
    let (_, a) = typed_report(repo.path(), &["scan", "."]);
    let (_, b) = typed_report(repo.path(), &["scan", "."]);
    let prints = |r: &Report| -> Vec<String> {
        r.findings
            .iter()
            .map(|f| f.secret.as_ref().unwrap().fingerprint.clone())
            .collect()
    };
    assert_eq!(prints(&a), prints(&b));
    let mut unique = prints(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.findings.len());
}

// ---- --output ------------------------------------------------------------------

#[test]
fn output_writes_the_report_to_the_file_and_nothing_to_stdout() {
    let repo = fixture_repo("leaky-bot");
    let out_dir = tempfile::tempdir().unwrap();
    let json_path = out_dir.path().join("report.json");
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--format", "json", "--output"])
        .arg(&json_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Report = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(report.findings.len(), planted().len());

    let human_path = out_dir.path().join("report.txt");
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--output"])
        .arg(&human_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&human_path).unwrap();
    assert!(text.contains("binance-api-secret"), "{text}");
    assert!(!text.contains('\x1b'), "colour codes in a file: {text:?}");
}

// ---- Human output ----------------------------------------------------------------

fn human(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = keyaudit(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// True for a human report line that heads a secret's entry (its severity).
fn is_entry_header(line: &str) -> bool {
    ["critical ", "high ", "medium ", "low "]
        .iter()
        .any(|s| line.starts_with(s))
}

#[test]
fn human_output_groups_findings_by_secret_with_their_places_and_the_remediation() {
    let repo = fixture_repo("leaky-bot");
    let (code, stdout, _) = human(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    for p in planted() {
        // Each planted key is a place under the entry of its secret, whose
        // rule is the entry's (or named on the place's line).
        let place = format!("    {}:{}  [tree]", p.path, p.line);
        // (Two keys on one line are two places, under two entries.)
        let under_its_rule = |i: usize| {
            let header = (0..i).rev().map(|j| lines[j]).find(|l| is_entry_header(l));
            header.is_some_and(|h| h.contains(&format!(" {}  secret ", p.rule)))
                || lines[i].contains(&p.rule)
        };
        let at: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with(&place) && under_its_rule(i))
            .collect();
        assert_eq!(at.len(), 1, "{p:?}: places {at:?}\n{stdout}");
    }
    // One entry per distinct secret.
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    let entries = lines.iter().filter(|l| is_entry_header(l)).count();
    assert_eq!(
        entries as u64,
        report["summary"]["distinct_secrets"].as_u64().unwrap(),
        "{stdout}"
    );
    assert!(
        stdout.contains("Revoke this key on Binance's API management page"),
        "{stdout}"
    );
    assert!(stdout.contains("@BotFather"), "{stdout}");
}

#[test]
fn no_color_and_no_color_env_give_no_ansi_escapes() {
    let repo = fixture_repo("leaky-bot");
    let run = |env_no_color: bool, flag: bool| {
        let mut cmd = keyaudit(repo.path());
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        if env_no_color {
            cmd.env("NO_COLOR", "1");
        }
        cmd.args(["scan", "."]);
        if flag {
            cmd.arg("--no-color");
        }
        let out = cmd.output().unwrap();
        let all = [out.stdout, out.stderr].concat();
        assert!(!all.is_empty());
        String::from_utf8_lossy(&all).into_owned()
    };
    for (env, flag) in [(true, false), (false, true), (true, true)] {
        let text = run(env, flag);
        assert!(text.contains("binance-api-key"), "{text}");
        assert!(
            !text.contains('\x1b'),
            "NO_COLOR={env} --no-color={flag}: {text:?}"
        );
    }
}

// ---- keyaudit rules ------------------------------------------------------------

/// At least these rules exist: one or more per exchange the issue names, plus
/// wallets, PEM, Telegram, OctoBot, hummingbot and the generic rules.
const REQUIRED_RULES: &[&str] = &[
    "binance-api-key",
    "binance-api-secret",
    "coinbase-cdp-key-name",
    "coinbase-cdp-private-key",
    "coinbase-legacy-api-key",
    "coinbase-legacy-api-secret",
    "kraken-api-key",
    "kraken-private-key",
    "kucoin-api-key",
    "kucoin-api-secret",
    "kucoin-api-passphrase",
    "okx-api-key",
    "okx-api-secret",
    "okx-api-passphrase",
    "bybit-api-key",
    "bybit-api-secret",
    "bitfinex-api-key",
    "bitfinex-api-secret",
    "gemini-api-key",
    "gemini-api-secret",
    "bitget-api-key",
    "bitget-api-secret",
    "bitget-api-passphrase",
    "gate-api-key",
    "gate-api-secret",
    "htx-access-key",
    "htx-secret-key",
    "bitstamp-api-key",
    "bitstamp-api-secret",
    "cryptocom-api-key",
    "cryptocom-api-secret",
    "mexc-api-key",
    "mexc-api-secret",
    "deribit-client-id",
    "deribit-client-secret",
    "bitmex-api-key",
    "bitmex-api-secret",
    "alpaca-api-key-id",
    "alpaca-api-secret",
    "hyperliquid-private-key",
    "evm-private-key",
    "bip39-mnemonic",
    "pem-private-key",
    "telegram-bot-token",
    "octobot-encrypted-secret",
    "hummingbot-encrypted-key",
    "generic-api-secret",
];

const REQUIRED_EXCHANGES: &[&str] = &[
    "binance",
    "coinbase",
    "kraken",
    "kucoin",
    "okx",
    "bybit",
    "bitfinex",
    "gemini",
    "bitget",
    "gate",
    "htx",
    "bitstamp",
    "cryptocom",
    "mexc",
    "deribit",
    "bitmex",
    "alpaca",
    "hyperliquid",
];

#[derive(Debug, Deserialize)]
struct RuleRow {
    id: String,
    severity: Severity,
    exchange: String,
    description: String,
}

#[test]
fn rules_lists_every_rule_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let out = keyaudit(dir.path())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<RuleRow> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    for id in REQUIRED_RULES {
        assert!(ids.contains(id), "rules --format json lacks {id}: {ids:?}");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate rule ids");
    for ex in REQUIRED_EXCHANGES {
        assert!(
            rows.iter().any(|r| r.exchange == *ex),
            "no rule for exchange {ex}"
        );
    }
    for r in &rows {
        assert!(!r.description.is_empty(), "{r:?}");
        assert!(
            r.id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{r:?}"
        );
    }
    let sev = |id: &str| rows.iter().find(|r| r.id == id).unwrap().severity;
    assert_eq!(sev("binance-api-secret"), Severity::Critical);
    assert_eq!(sev("hummingbot-encrypted-key"), Severity::Low);

    // The human table lists the same ids, one a line.
    let out = keyaudit(dir.path()).arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for r in &rows {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(r.id.as_str())),
            "rules lacks {}:\n{text}",
            r.id
        );
    }
}

// ---- Never a whole secret ------------------------------------------------------

/// Strings that must never be printed: each planted secret and, for a secret
/// written with `\n` escapes (a PEM in JSON), each of its lines.
fn forbidden(rows: &[Planted]) -> Vec<String> {
    let mut out = Vec::new();
    for p in rows {
        out.push(p.secret.clone());
        out.push(p.secret.replace("\\n", "\n"));
        for part in p.secret.split("\\n").filter(|s| s.len() >= 16) {
            out.push(part.to_string());
        }
    }
    out
}

fn assert_no_secret(what: &str, bytes: &[u8], secrets: &[String]) {
    let text = String::from_utf8_lossy(bytes);
    for (i, s) in secrets.iter().enumerate() {
        // The message names the secret by position: a failure must not print it either.
        assert!(
            !text.contains(s.as_str()),
            "{what} prints planted secret #{i} ({} chars) whole",
            s.len()
        );
    }
}

#[test]
fn no_planted_secret_is_ever_printed_whole() {
    const IGNORED_SECRET: &str = "uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu";
    let repo = fixture_repo("leaky-bot");
    repo.write(".gitignore", ".env\n");
    repo.write(".env", &format!("BYBIT_API_SECRET={IGNORED_SECRET}\n"));
    let mut secrets = forbidden(&planted());
    secrets.push(IGNORED_SECRET.to_string());
    let out_dir = tempfile::tempdir().unwrap();

    let mut runs = 0;
    for command in ["scan", "audit", "env"] {
        for format in ["human", "json", "sarif"] {
            for extra in [&[][..], &["--verbose"][..], &["--fail-on", "never"][..]] {
                let what = format!("{command} --format {format} {extra:?}");
                let out = keyaudit(repo.path())
                    .args([command, ".", "--format", format])
                    .args(extra)
                    .output()
                    .unwrap();
                assert!(!out.stdout.is_empty(), "{what}: empty stdout");
                assert_no_secret(&format!("{what} stdout"), &out.stdout, &secrets);
                assert_no_secret(&format!("{what} stderr"), &out.stderr, &secrets);

                let file = out_dir
                    .path()
                    .join(format!("{command}-{format}-{runs}.out"));
                let out = keyaudit(repo.path())
                    .args([command, ".", "--format", format, "--output"])
                    .arg(&file)
                    .args(extra)
                    .output()
                    .unwrap();
                let written = std::fs::read(&file).unwrap();
                assert!(!written.is_empty(), "{what}: empty --output file");
                assert_no_secret(&format!("{what} --output file"), &written, &secrets);
                assert_no_secret(&format!("{what} --output stdout"), &out.stdout, &secrets);
                assert_no_secret(&format!("{what} --output stderr"), &out.stderr, &secrets);
                runs += 1;
            }
        }
    }
    for format in ["human", "json"] {
        let out = keyaudit(repo.path())
            .args(["rules", "--format", format])
            .output()
            .unwrap();
        assert_no_secret("rules stdout", &out.stdout, &secrets);
        assert_no_secret("rules stderr", &out.stderr, &secrets);
    }
    // The check is real: the fixture holds every one of these secrets.
    for p in planted() {
        let content = std::fs::read_to_string(repo.path().join(&p.path)).unwrap();
        assert!(content.contains(&p.secret), "{p:?} not in the fixture");
    }
}
