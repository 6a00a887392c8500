//! Custom rules, allowlists and `fail_on` in `keyaudit.toml` (`[[rule]]`,
//! `[[allow]]`, `[scan] fail_on`), starting from the README's own example.

use crate::support::*;

/// The README's example config, verbatim: the toml block of its "Custom
/// rules and allowlists" section.
fn readme_example() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("#### Custom rules and allowlists")
        .nth(1)
        .expect("README has the section");
    let block = section.split("```toml\n").nth(1).unwrap();
    block.split("\n```").next().unwrap().to_string() + "\n"
}

/// Acme tokens as the README's rule reads them (32 characters after `acme_`).
const LIVE: &str = "Zq8Lk3Vt9Pw2Rx7Mn4Bc6Df1Gh5Jk0Lx";
const FIXTURE: &str = "Yb3Nm8Qw2Er5Ty7Ui9Op1As4Df6Gh0Jx";
const SANDBOX: &str = "Ci7Hk2Lm9Np4Qr6St8Uv1Wx3Yz5Ab0Cx";
/// The token whose fingerprint the README's third entry lists.
const ROTATED: &str = "Rt5Gh8Jk2Lm4Np6Qr9St1Uv3Wx7Yz0Bx";
const GONE: &str = "Hg4Fd7Sa2Qw9Er5Ty3Ui8Op1Lk6Jh0Mx";

/// A built-in rule's secret (Binance), found without any config.
const BINANCE: &str =
    "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";

fn token(t: &str) -> String {
    format!("ACME_TOKEN = \"acme_{t}\"\n")
}

fn acme(report: &serde_json::Value) -> Vec<(String, String)> {
    findings(report)
        .into_iter()
        .filter(|(rule, ..)| rule == "acme-api-token")
        .map(|(_, source, path, _)| (source, path))
        .collect()
}

fn stderr_of(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = keyaudit(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The README example's repository: a live token, its look-alikes, one token
/// each entry allows, and a token only history holds.
fn example_repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write("keyaudit.toml", &readme_example());
    repo.write("bot/gone.py", &token(GONE));
    repo.commit_all("a token, soon removed");
    repo.remove("bot/gone.py");
    repo.write("bot/live.py", &token(LIVE));
    // One character short, one too many, and the wrong prefix.
    repo.write(
        "bot/lookalike.py",
        &format!(
            "A = \"acme_{}\"\nB = \"acme_{LIVE}Q\"\nC = \"acne_{LIVE}\"\n",
            &LIVE[1..]
        ),
    );
    repo.write("tests/fixtures/old.py", &token(FIXTURE));
    repo.write("bot/sandbox.py", &token(SANDBOX));
    repo.write("bot/rotated.py", &token(ROTATED));
    repo.commit_all("tokens");
    repo
}

#[test]
fn the_readme_example_finds_its_tokens_in_tree_and_history_and_allows_what_it_names() {
    let repo = example_repo();
    let (code, report) = json_report(repo.path(), &["audit", "."]);
    let mut found = acme(&report);
    found.sort();
    assert_eq!(
        found,
        vec![
            ("history".to_string(), "bot/gone.py".to_string()),
            // Still in the working tree: located there.
            ("tree".to_string(), "bot/live.py".to_string()),
        ],
        "{report:#}"
    );
    let live = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "bot/live.py")
        .unwrap();
    assert_eq!(live["severity"], "critical");
    assert_eq!(live["location"]["column"], 20);
    // Each entry allowed its token (tree and history fold into one finding).
    assert_eq!(report["summary"]["allowed"], 3, "{:#}", report["summary"]);
    assert_eq!(report["summary"]["skipped"]["allowed_by_repo_config"], 3);
    // critical >= fail_on "high"
    assert_eq!(code, 1);
    let (_, stderr) = stderr_of(repo.path(), &["audit", "."]);
    assert!(!stderr.contains("unused allow entry"), "{stderr}");
    assert!(
        !stderr.contains(LIVE) && !stderr.contains(SANDBOX),
        "{stderr}"
    );
    let (_, stderr) = stderr_of(repo.path(), &["audit", ".", "--verbose"]);
    assert_eq!(
        stderr.matches("the repository's own allow entry").count(),
        3,
        "{stderr}"
    );
    let out = keyaudit(repo.path()).args(["audit", "."]).output().unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("3 allowed by keyaudit.toml"), "{human}");
    assert!(human.contains("the repository's own keyaudit.toml allowed 3 findings"));
}

#[test]
fn without_the_allow_entries_each_allowed_token_is_found() {
    let repo = example_repo();
    let rules_only: String = readme_example()
        .split("[[allow]]")
        .next()
        .unwrap()
        .to_string();
    repo.write("keyaudit.toml", &rules_only);
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    let mut paths: Vec<String> = acme(&report).into_iter().map(|(_, p)| p).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "bot/live.py",
            "bot/rotated.py",
            "bot/sandbox.py",
            "tests/fixtures/old.py"
        ]
    );
    assert_eq!(report["summary"]["allowed"], 0);
}

#[test]
fn custom_rules_are_listed_and_described_in_sarif() {
    let repo = example_repo();
    let out = keyaudit(repo.path())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let custom = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "acme-api-token")
        .expect("listed");
    assert_eq!(custom["exchange"], "custom");
    assert_eq!(custom["description"], "Acme exchange API token");
    let human = keyaudit(repo.path()).args(["rules"]).output().unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("acme-api-token"));
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"]["rules"];
    let descriptor = driver
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "acme-api-token")
        .expect("described");
    assert!(
        descriptor["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Acme exchange API token"),
        "{descriptor:#}"
    );
    // Without the repository's config the rule is not listed.
    let out = keyaudit(repo.path())
        .args(["rules", "--format", "json", "--no-repo-config"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("acme-api-token"));
}

fn config_error(toml: &str) -> String {
    let repo = TestRepo::new();
    repo.write("keyaudit.toml", toml);
    let (code, stderr) = stderr_of(repo.path(), &["scan", "."]);
    assert_eq!(code, 2, "{stderr}");
    stderr
}

const RULE: &str = "[[rule]]\nid = \"acme-api-token\"\nkeywords = [\"acme_\"]\n";

#[test]
fn a_bad_regex_is_exit_2_at_its_line_and_column_without_echoing_it() {
    let secret = "Qx7Lk2Vt9Pw2Rx7Mn4Bc6Df1Gh5Jk0Ls8Ye";
    let stderr = config_error(&format!("{RULE}regex = 'acme_({secret}'\n"));
    assert!(stderr.contains("keyaudit.toml:4:9: "), "{stderr}");
    assert!(stderr.contains("unclosed group"), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
    let stderr = config_error(&format!("{RULE}regex = 'acme_[a-z]{{32}}'\n"));
    assert!(stderr.contains("keyaudit.toml:4:9: ") && stderr.contains("0 capture groups"));
    let long = format!("{RULE}regex = '(a{})'\n", "b".repeat(5000));
    assert!(config_error(&long).contains("longer than 4096 bytes"));
    let big = format!("{RULE}regex = '(\\w{{1000}}){{100}}'\n");
    assert!(config_error(&big).contains("compiles to more than"));
    let no_keywords = "[[rule]]\nid = \"x-y\"\nregex = '(a)'\nkeywords = []\n";
    assert!(config_error(no_keywords).contains("keyaudit.toml:4:12: rule \"x-y\" has no keywords"));
}

#[test]
fn a_custom_rule_with_a_built_in_id_is_exit_2() {
    let stderr =
        config_error("[[rule]]\nid = \"binance-api-secret\"\nregex = 'x(a)'\nkeywords = [\"x\"]\n");
    assert!(
        stderr.contains("keyaudit.toml:2:6: rule id \"binance-api-secret\" is a built-in"),
        "{stderr}"
    );
}

#[test]
fn allow_entries_need_a_reason_something_to_allow_and_known_rules() {
    let stderr = config_error("[[allow]]\npaths = [\"tests\"]\n");
    assert!(
        stderr.contains("keyaudit.toml:1:1: an [[allow]] entry has no reason"),
        "{stderr}"
    );
    let stderr = config_error("[[allow]]\nreason = \"why\"\n");
    assert!(stderr.contains("names nothing to allow"), "{stderr}");
    let stderr = config_error("[[allow]]\nreason = \"why\"\nrules = [\"binance-api-secrte\"]\n");
    assert!(
        stderr.contains("keyaudit.toml:3:10: allow names unknown rule \"binance-api-secrte\"; did you mean \"binance-api-secret\""),
        "{stderr}"
    );
    let stderr = config_error("[[allow]]\nreason = \"why\"\nfingerprints = [\"sha256:abc\"]\n");
    assert!(
        stderr.contains("is not sha256: and 64 hex digits"),
        "{stderr}"
    );
}

#[test]
fn each_allow_field_drops_what_it_names_and_nothing_else() {
    let mut repo = TestRepo::new();
    repo.write("bot/a.py", BINANCE);
    repo.write("bot/b.py", &format!("{BINANCE}{}", token(LIVE)));
    repo.commit_all("keys");
    let rule = "[[rule]]\nid = \"acme-api-token\"\nregex = 'acme_([A-Za-z0-9]{32})'\nkeywords = [\"acme_\"]\n";
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    let binance_fp = report["findings"][0]["secret"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (
            "paths = [\"bot/a.py\"]",
            vec!["bot/b.py binance-api-secret", "bot/b.py acme-api-token"],
        ),
        (
            "rules = [\"acme-api-token\"]",
            vec!["bot/a.py binance-api-secret", "bot/b.py binance-api-secret"],
        ),
        (
            "secrets = ['Zq8L[A-Za-z0-9]+']",
            vec!["bot/a.py binance-api-secret", "bot/b.py binance-api-secret"],
        ),
        // A regex that matches only part of the secret allows nothing.
        (
            "secrets = ['Zq8L']",
            vec![
                "bot/a.py binance-api-secret",
                "bot/b.py binance-api-secret",
                "bot/b.py acme-api-token",
            ],
        ),
        (
            &format!("fingerprints = [\"{binance_fp}\"]"),
            vec!["bot/b.py acme-api-token"],
        ),
        (
            "paths = [\"bot/b.py\"]\nrules = [\"binance-api-secret\"]",
            vec!["bot/a.py binance-api-secret", "bot/b.py acme-api-token"],
        ),
    ];
    for (fields, kept) in cases {
        repo.write(
            "keyaudit.toml",
            &format!("{rule}[[allow]]\nreason = \"test\"\n{fields}\n"),
        );
        let (_, report) = json_report(repo.path(), &["scan", "."]);
        let mut got: Vec<String> = findings(&report)
            .into_iter()
            .map(|(rule, _, path, _)| format!("{path} {rule}"))
            .collect();
        got.sort();
        let mut want: Vec<String> = kept.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "allow {fields}");
        assert_eq!(
            report["summary"]["allowed"],
            3 - want.len(),
            "allow {fields}"
        );
    }
}

#[test]
fn an_unused_allow_entry_is_warned_in_audit_not_in_scan_staged() {
    let mut repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        "[[allow]]\nreason = \"old fixtures\"\npaths = [\"fixtures\"]\n",
    );
    repo.write("bot.py", "print(1)\n");
    repo.commit_all("clean");
    let (_, stderr) = stderr_of(repo.path(), &["audit", "."]);
    assert!(
        stderr.contains("keyaudit.toml:1: unused allow entry (reason \"old fixtures\")"),
        "{stderr}"
    );
    repo.write("bot.py", "print(2)\n");
    repo.stage("bot.py");
    let (code, stderr) = stderr_of(repo.path(), &["scan", "--staged", "."]);
    assert_eq!(code, 0);
    assert!(!stderr.contains("unused allow entry"), "{stderr}");
}

#[test]
fn no_repo_config_ignores_the_repositorys_rules_and_allow_entries() {
    let mut repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &format!(
            "{}[[allow]]\nreason = \"trust me\"\npaths = [\"**\"]\n",
            readme_example().split("[[allow]]").next().unwrap()
        ),
    );
    repo.write("bot/a.py", &format!("{BINANCE}{}", token(LIVE)));
    repo.commit_all("keys");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!((code, findings(&report).len()), (0, 0));
    assert_eq!(report["summary"]["skipped"]["allowed_by_repo_config"], 2);
    let (code, report) = json_report(repo.path(), &["scan", ".", "--no-repo-config"]);
    assert_eq!(code, 1);
    let rules: Vec<String> = findings(&report).into_iter().map(|(r, ..)| r).collect();
    assert!(
        rules.contains(&"binance-api-secret".to_string()),
        "{rules:?}"
    );
    assert!(!rules.contains(&"acme-api-token".to_string()), "{rules:?}");
    assert_eq!(report["summary"]["allowed"], 0);
    // A trusted --config FILE still applies, and is not counted as the repository's.
    let trusted = tempfile::tempdir().unwrap();
    let file = trusted.path().join("trusted.toml");
    std::fs::write(&file, readme_example()).unwrap();
    let (_, report) = json_report(
        repo.path(),
        &[
            "scan",
            ".",
            "--no-repo-config",
            "--config",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(acme(&report).len(), 1);
    assert_eq!(report["summary"]["skipped"]["allowed_by_repo_config"], 0);
}

#[test]
fn fail_on_comes_from_the_file_and_the_command_line_wins() {
    let mut repo = TestRepo::new();
    repo.write("keyaudit.toml", "[scan]\nfail_on = \"never\"\n");
    repo.write("bot/a.py", BINANCE);
    repo.commit_all("key");
    let (code, stderr) = stderr_of(repo.path(), &["scan", "."]);
    assert_eq!(code, 0);
    // The repository lowering its own threshold is said.
    assert!(stderr.contains("sets [scan] fail_on (never)"), "{stderr}");
    let (code, _) = stderr_of(repo.path(), &["scan", ".", "--fail-on", "critical"]);
    assert_eq!(code, 1);
    repo.write("keyaudit.toml", "[scan]\nfail_on = \"critical\"\n");
    let (code, _) = stderr_of(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    let (code, _) = stderr_of(repo.path(), &["scan", ".", "--fail-on", "never"]);
    assert_eq!(code, 0);
    let stderr = config_error("[scan]\nfail_on = \"sometimes\"\n");
    assert!(
        stderr.contains("keyaudit.toml:2:11: fail_on \"sometimes\" is not a severity"),
        "{stderr}"
    );
}
