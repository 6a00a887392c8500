//! Baselines on real repositories: `keyaudit baseline` writes the current
//! findings' fingerprints; `--baseline FILE` leaves those out (counted in the
//! summary), still fails on new keys, warns about entries that matched
//! nothing, and refuses (exit 2) a malformed or unknown-version file. The file
//! never holds a secret or its redacted text, and is written byte for byte the
//! same twice.

use std::path::Path;

use crate::support::*;

/// A Binance secret (synthetic): rule `binance-api-secret`.
const OLD_SECRET: &str = "TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ";
/// A Bybit secret (synthetic): rule `bybit-api-secret`.
const NEW_SECRET: &str = "uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu";
const FILE: &str = "keyaudit-baseline.json";

fn old_line() -> String {
    format!("BINANCE_API_SECRET = \"{OLD_SECRET}\"\n")
}

fn new_line() -> String {
    format!("BYBIT_API_SECRET = \"{NEW_SECRET}\"\n")
}

/// A repository that ignores .env (so the env check is quiet) with a key
/// committed in `bot/settings.py`.
fn leaky_repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot/settings.py", &format!("# settings\n{}", old_line()));
    repo.commit_all("settings");
    repo
}

/// Runs `keyaudit baseline` with `args`; returns (exit code, stderr).
fn write_baseline(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = keyaudit(dir).arg("baseline").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn audit_with_baseline(dir: &Path) -> (i32, serde_json::Value) {
    json_report(dir, &["audit", ".", "--baseline", FILE])
}

fn baseline_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(FILE)).expect("baseline written");
    serde_json::from_str(&text).expect("baseline is JSON")
}

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    findings(report).into_iter().map(|f| f.0).collect()
}

#[test]
fn baselined_key_is_left_out_counted_and_a_new_key_still_fails() {
    let mut repo = leaky_repo();
    let (code, before) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1, "{before:#}");
    assert!(rules_of(&before).contains(&"binance-api-secret".into()));
    let leaks = before["summary"]["findings"].as_u64().unwrap();

    let (code, stderr) = write_baseline(repo.path(), &["."]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("wrote {leaks} baseline entr")) && stderr.contains(FILE),
        "{stderr}"
    );

    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["baselined"].as_u64(), Some(leaks));
    assert!(!warnings_text(&report).contains("stale"), "{report:#}");

    // A new key, committed after the baseline was written, fails the run;
    // the old one stays left out.
    repo.write("bot/exchange.py", &format!("# bybit\n{}", new_line()));
    repo.commit_all("bybit");
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 1, "{report:#}");
    let rules = rules_of(&report);
    assert!(rules.contains(&"bybit-api-secret".into()), "{rules:?}");
    assert!(!rules.contains(&"binance-api-secret".into()), "{rules:?}");
    assert_eq!(report["summary"]["baselined"].as_u64(), Some(leaks));

    // The human report says so too.
    let out = keyaudit(repo.path())
        .args(["audit", ".", "--baseline", FILE])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{leaks} baselined")), "{stdout}");
}

#[test]
fn the_same_key_copied_to_another_file_is_a_new_leak() {
    let mut repo = leaky_repo();
    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    repo.write("deploy/config.py", &format!("# copy\n{}", old_line()));
    repo.commit_all("copy");
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 1, "{report:#}");
    let paths: Vec<String> = findings(&report).into_iter().map(|f| f.2).collect();
    assert!(paths.iter().all(|p| p == "deploy/config.py"), "{paths:?}");
    assert!(!paths.is_empty());
}

#[test]
fn an_entry_whose_key_is_gone_is_stale_in_audit_only() {
    // Untracked (not ignored) files: deleting one makes the key gone for good,
    // which history would not allow.
    let repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot/settings.py", &old_line());
    repo.write("bot/exchange.py", &new_line());
    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert!(!warnings_text(&report).contains("stale"), "{report:#}");

    repo.remove("bot/settings.py");
    let out = keyaudit(repo.path())
        .args(["audit", ".", "--baseline", FILE, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = warnings_text(&report);
    assert!(
        warnings.contains("bot/settings.py")
            && warnings.contains("binance-api-secret")
            && warnings.contains("stale")
            && warnings.contains("the secret is gone; remove the entry"),
        "{warnings}"
    );
    assert!(!warnings.contains("bot/exchange.py"), "{warnings}");
    // Every entry but the gone key's still matches (the env and manifest
    // advice findings too).
    let entries = baseline_json(repo.path())["entries"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        report["summary"]["baselined"].as_u64(),
        Some(entries as u64 - 1)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: bot/settings.py: stale"),
        "{stderr}"
    );

    // A partial run (here the tree only, no env or manifest check) cannot
    // tell, and does not call entries stale.
    let (code, report) = json_report(repo.path(), &["scan", ".", "--baseline", FILE]);
    assert_eq!(code, 0, "{report:#}");
    assert!(!warnings_text(&report).contains("stale"), "{report:#}");
}

#[test]
fn the_file_holds_fingerprints_rules_and_paths_never_the_secret() {
    let repo = leaky_repo();
    let (_, report) = json_report(repo.path(), &["audit", "."]);
    let leak = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "binance-api-secret")
        .expect("the key is found")
        .clone();
    let redacted = leak["secret"]["redacted"].as_str().unwrap();
    let fingerprint = leak["secret"]["fingerprint"].as_str().unwrap();

    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    let text = std::fs::read_to_string(repo.path().join(FILE)).unwrap();
    assert!(!text.contains(OLD_SECRET), "{text}");
    let prefix = redacted.split('…').next().unwrap();
    assert!(!prefix.is_empty());
    assert!(
        !text.contains(prefix),
        "redacted prefix {prefix:?} in {text}"
    );
    assert!(
        !text.contains(redacted) && !text.contains("chars)"),
        "{text}"
    );

    let file = baseline_json(repo.path());
    assert_eq!(file["version"], 1);
    assert_eq!(file["tool"], "keyaudit");
    let entry = file["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["rule"] == "binance-api-secret")
        .expect("an entry for the key")
        .clone();
    assert_eq!(
        entry,
        serde_json::json!({
            "fingerprint": fingerprint,
            "rule": "binance-api-secret",
            "path": "bot/settings.py",
        })
    );
    // The baseline file itself, scanned by the next run, is not a finding.
    let (_, report) = audit_with_baseline(repo.path());
    let paths: Vec<String> = findings(&report).into_iter().map(|f| f.2).collect();
    assert!(!paths.contains(&FILE.to_string()), "{report:#}");
}

#[test]
fn written_twice_the_file_is_byte_identical_and_sorted() {
    let mut repo = leaky_repo();
    repo.write("a/first.py", &new_line());
    repo.write("z/last.py", &format!("# copy\n{}", old_line()));
    repo.write(".env.example", "DEBUG=1\n");
    repo.commit_all("more");
    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    let first = std::fs::read(repo.path().join(FILE)).unwrap();
    // The second run also scans the first file; nothing changes.
    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    let second = std::fs::read(repo.path().join(FILE)).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
    let file = baseline_json(repo.path());
    let paths: Vec<&str> = file["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert!(paths.contains(&"a/first.py") && paths.contains(&"z/last.py"));
}

#[test]
fn env_and_manifest_findings_without_a_secret_can_be_baselined() {
    let mut repo = TestRepo::new();
    // A tracked .env without credentials (env-file-tracked, no secret) and a
    // manifest whose key can withdraw (manifest-withdraw, no secret).
    repo.write(".env", "DEBUG=1\n");
    repo.write("bot.py", "import os\nk = os.getenv(\"BINANCE_API_KEY\")\n");
    let manifest = "[[key]]\nname = \"grid\"\nexchange = \"binance\"\nbot = \"grid\"\n\
                    env = [\"BINANCE_API_KEY\"]\npermissions = [\"read\", \"spot-trade\", \"withdraw\"]\n\
                    ip_allowlist = [\"203.0.113.7\"]\n";
    repo.write("keyaudit.toml", manifest);
    repo.commit_all("bot");
    let (code, before) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1);
    let rules = rules_of(&before);
    assert!(rules.contains(&"env-file-tracked".into()), "{rules:?}");
    assert!(rules.contains(&"manifest-withdraw".into()), "{rules:?}");
    let env = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "env-file-tracked")
        .unwrap();
    assert!(env["secret"].is_null());

    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    let file = baseline_json(repo.path());
    let entries = file["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["rule"] == "manifest-withdraw"
        && e["path"] == "keyaudit.toml"
        && e["fingerprint"].as_str().unwrap().starts_with("sha256:")));
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(findings(&report), vec![]);
    assert_eq!(
        report["summary"]["baselined"],
        before["summary"]["findings"]
    );

    // Lines added above a finding do not change its fingerprint.
    repo.write(
        "keyaudit.toml",
        &format!("# keys of the grid bot\n\n{manifest}"),
    );
    repo.commit_all("comment");
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");

    // Another key that can withdraw is a new finding.
    repo.write(
        "keyaudit.toml",
        &format!(
            "{manifest}\n[[key]]\nname = \"dca\"\nexchange = \"kraken\"\nbot = \"dca\"\n\
             env = [\"BINANCE_API_KEY\"]\npermissions = [\"withdraw-funds\"]\n\
             ip_allowlist = [\"203.0.113.7\"]\n"
        ),
    );
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 1, "{report:#}");
    assert!(rules_of(&report).contains(&"manifest-withdraw".into()));
}

/// A repository whose manifest key "grid" can withdraw (`manifest-withdraw`,
/// no secret; its message lists the withdraw permissions `permissions` holds).
fn withdraw_repo(permissions: &str) -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot.py", "import os\nk = os.getenv(\"BINANCE_API_KEY\")\n");
    write_withdraw_manifest(&repo, permissions);
    repo.commit_all("bot");
    repo
}

fn write_withdraw_manifest(repo: &TestRepo, permissions: &str) {
    repo.write(
        "keyaudit.toml",
        &format!(
            "[[key]]\nname = \"grid\"\nexchange = \"binance\"\nbot = \"grid\"\n\
             env = [\"BINANCE_API_KEY\"]\npermissions = [{permissions}]\n\
             ip_allowlist = [\"203.0.113.7\"]\n"
        ),
    );
}

/// The `manifest-withdraw` finding of a JSON report.
fn withdraw_finding(report: &serde_json::Value) -> serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "manifest-withdraw")
        .unwrap_or_else(|| panic!("no manifest-withdraw finding: {report:#}"))
        .clone()
}

#[test]
fn rewording_a_message_does_not_stale_its_entry() {
    let repo = withdraw_repo("\"read\", \"spot-trade\", \"withdraw\"");
    let (code, before) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1, "{before:#}");
    let message = withdraw_finding(&before)["message"].clone();
    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);

    // A second withdraw permission on the same key: the finding's message
    // (which lists them) changes; its rule, path and key do not.
    write_withdraw_manifest(
        &repo,
        "\"read\", \"spot-trade\", \"withdraw\", \"enable_withdrawals\"",
    );
    let (_, now) = json_report(repo.path(), &["audit", "."]);
    assert_ne!(withdraw_finding(&now)["message"], message, "{now:#}");
    assert_eq!(findings(&now), findings(&before), "{now:#}");

    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(
        report["summary"]["baselined"],
        before["summary"]["findings"]
    );
    assert!(!warnings_text(&report).contains("stale"), "{report:#}");
}

/// `sha256:` + hex(sha256("keyaudit-finding-v1", NUL, rule, NUL, path, NUL,
/// message)): what baselines written before subjects hold for a finding
/// without a secret.
fn message_fingerprint(rule: &str, path: &str, message: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("keyaudit-finding-v1\0{rule}\0{path}\0{message}"));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[test]
fn an_old_baseline_keyed_by_message_still_matches_and_a_new_one_is_keyed_otherwise() {
    let repo = withdraw_repo("\"read\", \"spot-trade\", \"withdraw\"");
    let (code, before) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1, "{before:#}");
    // Every finding here holds no secret: the old file has its message key.
    let old: Vec<serde_json::Value> = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["secret"].is_null(), "{f:#}");
            let (rule, path) = (
                f["rule"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
            );
            serde_json::json!({
                "fingerprint": message_fingerprint(rule, path, f["message"].as_str().unwrap()),
                "rule": rule,
                "path": path,
            })
        })
        .collect();
    assert!(!old.is_empty());
    let file = serde_json::json!({"version": 1, "tool": "keyaudit", "entries": old});
    repo.write(FILE, &serde_json::to_string_pretty(&file).unwrap());

    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(
        report["summary"]["baselined"],
        before["summary"]["findings"]
    );
    assert!(!warnings_text(&report).contains("stale"), "{report:#}");

    // `keyaudit baseline` writes the new keys, which match too.
    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    let written = baseline_json(repo.path())["entries"].clone();
    let fingerprints = |entries: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fingerprint"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let old_fingerprints = fingerprints(&file["entries"]);
    let new_fingerprints = fingerprints(&written);
    assert_eq!(new_fingerprints.len(), old_fingerprints.len());
    assert!(
        new_fingerprints
            .iter()
            .all(|f| !old_fingerprints.contains(f)),
        "{written:#}"
    );
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert!(!warnings_text(&report).contains("stale"), "{report:#}");
}

#[test]
fn file_option_writes_elsewhere_and_is_read_back() {
    let repo = leaky_repo();
    let other = tempfile::tempdir().unwrap();
    let path = other.path().join("known.json");
    let path_text = path.to_str().unwrap();
    let (code, stderr) = write_baseline(repo.path(), &[".", "--file", path_text]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!repo.path().join(FILE).exists());
    let (code, report) = json_report(repo.path(), &["audit", ".", "--baseline", path_text]);
    assert_eq!(code, 0, "{report:#}");
    assert!(report["summary"]["baselined"].as_u64().unwrap() >= 1);
}

fn exit_2_with(dir: &Path, args: &[&str]) -> String {
    let out = keyaudit(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "no report is written");
    stderr
}

#[test]
fn malformed_json_exits_2_with_file_line_and_column() {
    let repo = leaky_repo();
    repo.write(
        FILE,
        "{\n  \"version\": 1,\n  \"tool\": \"keyaudit\",\n  \"entries\": [,]\n}\n",
    );
    let stderr = exit_2_with(repo.path(), &["audit", ".", "--baseline", FILE]);
    assert!(stderr.contains(&format!("{FILE}:4:15")), "{stderr}");

    // A well-formed file of the wrong shape has a position too.
    repo.write(
        FILE,
        "{\n  \"version\": 1,\n  \"tool\": \"keyaudit\",\n  \"entries\": [{\"rule\": 3}]\n}\n",
    );
    let stderr = exit_2_with(repo.path(), &["scan", ".", "--baseline", FILE]);
    assert!(stderr.contains(&format!("{FILE}:4:")), "{stderr}");
}

#[test]
fn unknown_version_or_a_missing_file_exits_2_naming_the_file() {
    let repo = leaky_repo();
    repo.write(
        FILE,
        "{\"version\": 2, \"tool\": \"keyaudit\", \"fingerprints\": []}\n",
    );
    let stderr = exit_2_with(repo.path(), &["audit", ".", "--baseline", FILE]);
    assert!(
        stderr.contains(FILE) && stderr.contains("unknown baseline version 2"),
        "{stderr}"
    );
    let stderr = exit_2_with(repo.path(), &["audit", ".", "--baseline", "nowhere.json"]);
    assert!(
        stderr.contains("cannot read baseline file nowhere.json"),
        "{stderr}"
    );
}

#[test]
fn output_names_the_baseline_file_like_file_does() {
    let repo = leaky_repo();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("accepted.json");
    let target_arg = target.to_str().unwrap();
    let (code, _) = write_baseline(repo.path(), &[".", "--output", target_arg]);
    assert_eq!(code, 0);
    assert!(target.exists(), "--output FILE was not written");
    assert!(
        !repo.path().join(FILE).exists(),
        "the default file was written instead of --output"
    );
    let entries: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert!(
        entries["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["rule"] == "binance-api-secret"),
        "{entries}"
    );
    // Two different files named: refused rather than one silently ignored.
    let (code, stderr) = write_baseline(
        repo.path(),
        &[".", "--output", target_arg, "--file", "other.json"],
    );
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn two_keys_listing_one_unused_variable_are_two_entries() {
    // Each key's unused variable is its own finding: a baseline entry for
    // one must not cover the other (nor a third key added later).
    let repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot.py", "print('no env read here')\n");
    let key = |name: &str| {
        format!(
            "[[key]]\nname = \"{name}\"\nexchange = \"binance\"\nbot = \"{name}\"\n\
             env = [\"BINANCE_UNUSED_KEY\"]\npermissions = [\"read\", \"spot-trade\"]\n\
             ip_allowlist = [\"203.0.113.7\"]\n"
        )
    };
    repo.write("keyaudit.toml", &format!("{}{}", key("a"), key("b")));
    let (_, report) = json_report(repo.path(), &["audit", "."]);
    let unused = |rules: Vec<String>| rules.iter().filter(|r| *r == "manifest-unused-env").count();
    assert_eq!(unused(rules_of(&report)), 2, "{report:#}");
    assert_eq!(write_baseline(repo.path(), &["."]).0, 0);
    let written = baseline_json(repo.path());
    let entries: Vec<&serde_json::Value> = written["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rule"] == "manifest-unused-env")
        .collect();
    assert_eq!(entries.len(), 2, "{written:#}");
    assert_ne!(entries[0]["fingerprint"], entries[1]["fingerprint"]);
}

/// `sha256("binance-api-secret" NUL OLD_SECRET)`: the fingerprint baselines
/// written before fingerprints were the secret's alone hold for it.
const OLD_FORMAT_FINGERPRINT: &str =
    "sha256:2bf7b3e96f27aeb7b9cd3ee5c14f279c7c2264463d7481301f28f51f138dca91";

#[test]
fn an_old_format_baseline_with_rule_mixed_fingerprints_still_suppresses() {
    let repo = leaky_repo();
    std::fs::write(
        repo.path().join(FILE),
        format!(
            "{{\"version\": 1, \"tool\": \"keyaudit\", \"entries\": [{{\"fingerprint\": \
             \"{OLD_FORMAT_FINGERPRINT}\", \"rule\": \"binance-api-secret\", \"path\": \
             \"bot/settings.py\"}}]}}\n"
        ),
    )
    .unwrap();
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["baselined"], 1);
    assert!(
        !warnings_text(&report).contains("stale"),
        "{}",
        warnings_text(&report)
    );

    // A baseline written now holds the secret's own fingerprint, the report's.
    let (code, _) = write_baseline(repo.path(), &["."]);
    assert_eq!(code, 0);
    let written = baseline_json(repo.path());
    let entries: Vec<_> = written["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == "bot/settings.py")
        .collect();
    assert_eq!(entries.len(), 1, "{written:#}");
    assert_ne!(entries[0]["fingerprint"], OLD_FORMAT_FINGERPRINT);
    let (_, unfiltered) = json_report(repo.path(), &["audit", "."]);
    let leak = unfiltered["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "leak")
        .unwrap();
    assert_eq!(entries[0]["fingerprint"], leak["secret"]["fingerprint"]);
    let (code, report) = audit_with_baseline(repo.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["summary"]["baselined"], 2,
        "the leak and the missing manifest"
    );
}
