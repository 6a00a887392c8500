//! One secret, one identity: its fingerprint depends on the value alone (one
//! value matched by two rules, or found in two files, has one), a secret at
//! one path is one finding whichever rules matched it, `summary.distinct_secrets`
//! counts them, the human report has one entry per secret listing its places,
//! and fingerprints written by earlier versions (rule-mixed) still match.

use crate::support::*;

/// A generic secret (synthetic, 44 characters): quoted, rule
/// `generic-api-secret`; unquoted in a config file, `generic-env-secret`.
const VALUE: &str = "Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv";

/// A Binance secret (synthetic) as a settings line: rule `binance-api-secret`.
const BINANCE_LINE: &str =
    "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";

/// `sha256("binance-api-secret" NUL secret)`: the fingerprint keyaudit gave
/// `BINANCE_LINE`'s secret before fingerprints were the secret's alone.
const OLD_FINGERPRINT: &str =
    "sha256:2bf7b3e96f27aeb7b9cd3ee5c14f279c7c2264463d7481301f28f51f138dca91";
/// `sha256("keyaudit-secret-v2" NUL secret)`: its fingerprint now.
const NEW_FINGERPRINT: &str =
    "sha256:15f5e7ea74714093f5819a57e134adc054506cbbf7541fbcd1385c6fa996a7b1";

fn fingerprints(report: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["secret"]["fingerprint"].as_str().map(String::from))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn stdout_of(dir: &std::path::Path, args: &[&str]) -> String {
    let out = keyaudit(dir).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn one_value_under_two_rule_names_in_one_file_is_one_finding_with_one_fingerprint() {
    let mut repo = TestRepo::new();
    repo.write("README.md", "# bot\n");
    repo.commit_all("readme");
    // Quoted first (generic-api-secret), then unquoted (generic-env-secret).
    repo.write("conf/bot.yml", &format!("api_secret: \"{VALUE}\"\n"));
    let first = repo.commit_all("quoted");
    repo.write("conf/bot.yml", &format!("api_secret: {VALUE}\n"));
    repo.commit_all("unquoted");
    repo.remove("conf/bot.yml");
    repo.commit_all("removed");
    let (code, report) = json_report(repo.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(
            "generic-api-secret".into(),
            "conf/bot.yml".into(),
            1,
            first.to_string()
        )]
    );
    assert_eq!(fingerprints(&report).len(), 1);
    assert_eq!(report["summary"]["distinct_secrets"], 1);
}

#[test]
fn one_secret_in_two_files_is_two_findings_with_one_fingerprint_and_one_human_entry() {
    let mut repo = TestRepo::new();
    repo.write("bot/config.py", BINANCE_LINE);
    repo.write("docs/setup.md", &format!("# setup\n\n{BINANCE_LINE}"));
    repo.commit_all("config and docs");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    let mut found = findings(&report);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "binance-api-secret".into(),
                "tree".into(),
                "bot/config.py".into(),
                1
            ),
            (
                "binance-api-secret".into(),
                "tree".into(),
                "docs/setup.md".into(),
                3
            ),
        ]
    );
    assert_eq!(fingerprints(&report), vec![NEW_FINGERPRINT.to_string()]);
    assert_eq!(report["summary"]["findings"], 2);
    assert_eq!(report["summary"]["distinct_secrets"], 1);

    let text = stdout_of(repo.path(), &["scan", "."]);
    let entries: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("binance-api-secret  secret "))
        .collect();
    assert_eq!(entries.len(), 1, "{text}");
    assert!(entries[0].contains(&NEW_FINGERPRINT[..19]), "{text}");
    let places: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("    ") && l.contains("  [tree]"))
        .map(str::trim)
        .collect();
    assert_eq!(
        places,
        vec!["bot/config.py:1  [tree]", "docs/setup.md:3  [tree]"],
        "{text}"
    );
    assert!(
        text.contains("2 findings (2 critical, 0 high, 0 medium, 0 low), 1 distinct secret;"),
        "{text}"
    );
}

#[test]
fn the_human_entry_lists_five_places_then_says_how_many_more_and_verbose_lists_all() {
    let mut repo = TestRepo::new();
    for i in 0..8 {
        repo.write(&format!("docs/v{i}/keys.md"), BINANCE_LINE);
    }
    repo.commit_all("versioned docs");
    let places = |text: &str| text.lines().filter(|l| l.starts_with("    docs/")).count();
    let text = stdout_of(repo.path(), &["scan", "."]);
    assert_eq!(places(&text), 5, "{text}");
    assert!(
        text.contains("    … and 3 more (--verbose lists them)"),
        "{text}"
    );
    let text = stdout_of(repo.path(), &["scan", ".", "--verbose"]);
    assert_eq!(places(&text), 8, "{text}");
    assert!(!text.contains("more (--verbose"), "{text}");
}

#[test]
fn an_allow_entry_with_the_old_rule_mixed_fingerprint_still_allows() {
    for fingerprint in [OLD_FINGERPRINT, NEW_FINGERPRINT] {
        let mut repo = TestRepo::new();
        repo.write(
            "keyaudit.toml",
            &format!("[[allow]]\nreason = \"revoked\"\nfingerprints = [\"{fingerprint}\"]\n"),
        );
        repo.write("bot/config.py", BINANCE_LINE);
        repo.commit_all("config");
        let (code, report) = json_report(repo.path(), &["scan", "--history", "."]);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(report["summary"]["allowed"], 1, "{fingerprint}");
        assert!(findings(&report).is_empty());
    }
}
