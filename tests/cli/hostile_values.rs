//! Hostile values in the files a repository brings (keyaudit.toml, the
//! manifest, a baseline) and in its file names: an error or warning quotes
//! at most what redaction allows (a secret pasted where a name belongs is
//! never echoed whole, while the file, line and column still are), terminal
//! escapes and bidi controls never reach a terminal, and a value found only
//! in gitignored `.env` files leaves no fingerprint in a baseline.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use crate::support::*;

/// A fresh random base62 secret of `len` characters, as exchanges issue them.
fn random_secret(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let state = std::collections::hash_map::RandomState::new();
    (0..len)
        .map(|i| {
            let mut h = state.build_hasher();
            h.write_usize(i);
            ALPHABET[(h.finish() % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// Runs keyaudit with `args` in `dir`; returns (exit code, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = keyaudit(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts that `stderr` does not hold `secret` (named by its length only)
/// and does name `position`.
fn assert_redacted(kind: &str, stderr: &str, secret: &str, position: &str) {
    assert!(
        !stderr.contains(secret),
        "{kind}: the {}-character secret is echoed whole in stderr",
        secret.len()
    );
    assert!(
        stderr.contains(position),
        "{kind}: stderr does not name {position}: {}",
        stderr.replace(secret, "<SECRET>")
    );
}

const KEY: &str = "[[key]]\nname = \"grid\"\nexchange = \"binance\"\nbot = \"grid-bot\"\n";

/// (what, manifest text, position of the bad value) for each place of a
/// `[[key]]` table where a secret may be pasted by mistake.
fn manifest_cases(secret: &str) -> Vec<(&'static str, String, &'static str)> {
    let perms = "permissions = [\"read\", \"spot-trade\"]\n";
    vec![
        (
            "env as a string",
            format!("{KEY}env = \"BINANCE_API_SECRET={secret}\"\n{perms}"),
            "keyaudit.toml:5:7",
        ),
        (
            "env as a list entry",
            format!("{KEY}env = [\"BINANCE_API_SECRET={secret}\"]\n{perms}"),
            "keyaudit.toml:5:8",
        ),
        (
            "permissions",
            format!("{KEY}permissions = [\"read\", \"{secret}\"]\n"),
            "keyaudit.toml:5:24",
        ),
        (
            "allow",
            format!("{KEY}{perms}allow = [\"{secret}\"]\n"),
            "keyaudit.toml:6:10",
        ),
        (
            "ip_allowlist",
            format!("{KEY}{perms}ip_allowlist = [\"{secret}\"]\n"),
            "keyaudit.toml:6:17",
        ),
        (
            "exchange",
            format!("[[key]]\nname = \"grid\"\nexchange = \"{secret}\"\nbot = \"b\"\n{perms}"),
            "keyaudit.toml:3:12",
        ),
        (
            "an unknown field",
            format!("{KEY}{perms}\"{secret}\" = 1\n"),
            "keyaudit.toml:6:1",
        ),
    ]
}

#[test]
fn a_secret_in_a_malformed_manifest_value_is_not_echoed() {
    let secret = random_secret(64);
    for (kind, text, position) in manifest_cases(&secret) {
        let repo = TestRepo::new();
        repo.write("keyaudit.toml", &text);
        let (code, stderr) = run(repo.path(), &["manifest", "."]);
        assert_eq!(code, 2, "{kind}: {}", stderr.replace(&secret, "<SECRET>"));
        assert_redacted(kind, &stderr, &secret, position);
    }
}

#[test]
fn a_secret_in_scan_exclude_is_not_echoed() {
    let secret = random_secret(40);
    for (kind, text, position) in [
        (
            "an invalid glob",
            format!("[scan]\nexclude = [\"fixtures\", \"{secret}[\"]\n"),
            "keyaudit.toml:2:24",
        ),
        (
            "a string for a list",
            format!("[scan]\nexclude = \"{secret}\"\n"),
            "keyaudit.toml:2:11",
        ),
        (
            "an unknown [scan] key",
            format!("[scan]\n\"{secret}\" = 1\n"),
            "keyaudit.toml:2:1",
        ),
    ] {
        let repo = TestRepo::new();
        repo.write("keyaudit.toml", &text);
        let (code, stderr) = run(repo.path(), &["scan", "."]);
        assert_eq!(code, 2, "{kind}: {}", stderr.replace(&secret, "<SECRET>"));
        assert_redacted(kind, &stderr, &secret, position);
    }
    // The flag: no position to give, but the flag is named and the value redacted.
    let repo = TestRepo::new();
    let bad = format!("{secret}[");
    let (code, stderr) = run(repo.path(), &["scan", ".", "--exclude", &bad]);
    assert_eq!(code, 2);
    assert_redacted("--exclude", &stderr, &secret, "--exclude");
}

#[test]
fn a_secret_in_a_baseline_field_is_not_echoed() {
    let secret = random_secret(64);
    let entry = |fingerprint: &str, rule: &str| {
        format!(
            "{{\n  \"version\": 1,\n  \"tool\": \"keyaudit\",\n  \"entries\": [\n    \
             {{\"fingerprint\": \"{fingerprint}\", \"rule\": \"{rule}\", \"path\": \"a.py\"}}\n  ]\n}}\n"
        )
    };
    for (kind, text, position) in [
        (
            "a fingerprint",
            entry(&format!("sha256:{secret}"), "binance-api-secret"),
            "b.json:5:",
        ),
        (
            "a fingerprint of the wrong type",
            entry("x", "r").replace("\"x\"", &format!("[\"{secret}\"]")),
            "b.json:5:",
        ),
        (
            "the tool",
            format!("{{\"version\": 1, \"tool\": \"{secret}\", \"entries\": []}}"),
            "b.json",
        ),
        (
            "the version",
            format!("{{\"version\": \"{secret}\", \"tool\": \"keyaudit\", \"entries\": []}}"),
            "b.json",
        ),
        (
            "an unknown field",
            format!("{{\"version\": 1, \"tool\": \"keyaudit\", \"entries\": [], \"{secret}\": 1}}"),
            "b.json:1:",
        ),
    ] {
        let repo = TestRepo::new();
        repo.write("b.json", &text);
        let (code, stderr) = run(repo.path(), &["scan", ".", "--baseline", "b.json"]);
        assert_eq!(code, 2, "{kind}: {}", stderr.replace(&secret, "<SECRET>"));
        assert_redacted(kind, &stderr, &secret, position);
    }
}

#[test]
fn a_misspelt_name_is_still_quoted_with_the_nearest_one() {
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &format!("{KEY}permissions = [\"read\", \"spot_trde\"]\n"),
    );
    let (code, stderr) = run(repo.path(), &["manifest", "."]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("keyaudit.toml:5:24: unknown permission \"spot_trde\" for Binance"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean \"spot-trade\""), "{stderr}");
}

#[test]
fn terminal_escapes_in_names_never_reach_stderr() {
    // An unknown exchange and an unknown permission, written with TOML escapes.
    for text in [
        String::from(
            "[[key]]\nname = \"g\"\nexchange = \"\\u001b]0;pwned\\u0007\\u001b[2J\"\nbot = \"b\"\n\
             permissions = [\"read\"]\n",
        ),
        format!("{KEY}permissions = [\"read\\u001b[31m\"]\n"),
        format!("{KEY}permissions = [\"read\", \"\\u202Eedart-tops\"]\n"),
    ] {
        let repo = TestRepo::new();
        repo.write("keyaudit.toml", &text);
        let (code, stderr) = run(repo.path(), &["manifest", "."]);
        assert_eq!(code, 2, "{stderr:?}");
        assert!(
            !stderr.contains('\x1b') && !stderr.contains('\x07') && !stderr.contains('\u{202E}'),
            "{stderr:?}"
        );
    }
    // A stale baseline entry whose rule holds escapes.
    let repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        "b.json",
        &format!(
            "{{\"version\": 1, \"tool\": \"keyaudit\", \"entries\": [{{\"fingerprint\": \"sha256:{}\", \
             \"rule\": \"\\u001b[2Jr\\u202E\", \"path\": \"gone\\u001b[1m.py\"}}]}}",
            "0".repeat(64)
        ),
    );
    let (_, stderr) = run(repo.path(), &["audit", ".", "--baseline", "b.json"]);
    assert!(stderr.contains("stale baseline entry"), "{stderr:?}");
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\u{202E}'),
        "{stderr:?}"
    );
}

#[test]
fn bidi_controls_in_file_names_are_neutralised_in_the_human_report_only() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    let name = "bot/cfg\u{202E}yp.txt\u{200B}";
    repo.write(
        name,
        "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n",
    );
    repo.commit_all("bidi");
    let out = keyaudit(repo.path()).args(["scan", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("bot/cfg"), "{human}");
    for c in ['\u{202E}', '\u{200B}'] {
        assert!(!human.contains(c), "U+{:04X} in {human:?}", c as u32);
    }
    // JSON keeps the exact path as data.
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(report["findings"][0]["location"]["path"], name);
}

#[test]
fn a_value_shared_by_two_bots_env_files_leaves_no_fingerprint_in_the_baseline() {
    let mut repo = TestRepo::new();
    // A weak passphrase: an unsalted sha256 of it is as good as the value.
    let weak = "okxpass2024";
    repo.write(".gitignore", ".env\n");
    repo.write("bots/grid/main.py", "x = 1\n");
    repo.commit_all("bots");
    repo.write("bots/grid/.env", &format!("OKX_PASSPHRASE={weak}\n"));
    repo.write("bots/dca/.env", &format!("OKX_API_PASSPHRASE={weak}\n"));
    let (code, report) = json_report(repo.path(), &["env", "."]);
    let shared: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "env-shared-secret")
        .collect();
    assert_eq!(shared.len(), 1, "{report:#}");
    // The value is in gitignored files only: that is its source. It still counts.
    assert_eq!(shared[0]["location"]["source"], "ignored");
    assert_eq!(shared[0]["secret"], serde_json::Value::Null);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["findings"], 1, "{report:#}");

    let out = keyaudit(repo.path())
        .args(["baseline", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(repo.path().join("keyaudit-baseline.json")).unwrap();
    for unsalted in [
        keyaudit::redact::fingerprint(weak.as_bytes()),
        keyaudit::redact::legacy_fingerprint("env-shared-secret", weak.as_bytes()),
    ] {
        assert!(!text.contains(&unsalted[7..]), "{text}");
    }
    assert!(!text.contains(weak));
    assert!(text.contains("env-shared-secret"), "{text}");
    // The entry it has (derived from the rule, path and message) baselines it.
    let (code, report) = json_report(
        repo.path(),
        &["audit", ".", "--baseline", "keyaudit-baseline.json"],
    );
    assert!(
        !report.to_string().contains("env-shared-secret"),
        "{report:#}"
    );
    assert_eq!(code, 0, "{report:#}");
}
