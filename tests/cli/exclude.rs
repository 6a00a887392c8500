//! `--exclude` and `[scan] exclude`: left-out paths in the tree, the index and history.

use crate::support::*;

const LINE: &str =
    "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";

fn paths(report: &serde_json::Value) -> Vec<String> {
    findings(report)
        .into_iter()
        .map(|(_, _, path, _)| path)
        .collect()
}

#[test]
fn excluded_folders_and_files_are_left_out_of_the_tree_and_counted() {
    let mut repo = TestRepo::new();
    repo.write("bot/config.py", LINE);
    repo.write("fixtures/leaky/config.py", LINE);
    repo.write("deps/vendor.lock", LINE);
    repo.commit_all("all");
    let (code, report) = json_report(
        repo.path(),
        &["scan", ".", "--exclude", "fixtures", "--exclude", "*.lock"],
    );
    assert_eq!(code, 1);
    assert_eq!(paths(&report), vec!["bot/config.py".to_string()]);
    // The folder counts once (not entered), the lock file once.
    assert_eq!(report["summary"]["skipped"]["excluded"], 2);
    // Without the patterns all three are found.
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(paths(&report).len(), 3);
}

#[test]
fn config_exclude_applies_to_history_and_staged() {
    let mut repo = TestRepo::new();
    repo.write("keyaudit.toml", "[scan]\nexclude = [\"examples/**\"]\n");
    repo.write("examples/demo.py", LINE);
    repo.commit_all("demo");
    repo.remove("examples/demo.py");
    repo.commit_all("remove");
    let (code, report) = json_report(repo.path(), &["scan", "--history", "."]);
    assert_eq!(paths(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(code, 0);
    repo.write("examples/staged.py", LINE);
    repo.stage("examples/staged.py");
    let (code, report) = json_report(repo.path(), &["scan", "--staged", "."]);
    assert_eq!(paths(&report), Vec::<String>::new());
    assert_eq!(report["summary"]["skipped"]["excluded"], 1);
    assert_eq!(code, 0);
    // The same history without the config: found.
    std::fs::remove_file(repo.path().join("keyaudit.toml")).unwrap();
    let (_, report) = json_report(repo.path(), &["scan", "--history", "."]);
    assert!(paths(&report).contains(&"examples/demo.py".to_string()));
}

#[test]
fn an_invalid_pattern_is_exit_2_naming_it() {
    let repo = TestRepo::new();
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--exclude", "a["])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"a[\""));
    repo.write("keyaudit.toml", "[scan]\nexclude = [\"ok\", \"b[\"]\n");
    let out = keyaudit(repo.path()).args(["scan", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("keyaudit.toml:2:18"));
}

/// (rule, path) of every finding of `check` in a report.
fn check_findings(report: &serde_json::Value, check: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_manifest_cross_check_leaves_out_excluded_code() {
    let mut repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        "[[key]]\nname = \"k\"\nexchange = \"binance\"\nbot = \"b\"\n\
         env = [\"BINANCE_API_KEY\"]\npermissions = [\"read\", \"spot-trade\"]\n\
         ip_allowlist = [\"203.0.113.7\"]\n",
    );
    repo.write("bot.py", "import os\nos.getenv('BINANCE_API_KEY')\n");
    repo.write("fixtures/bot.py", "import os\nos.getenv('BYBIT_API_KEY')\n");
    repo.commit_all("bot");
    let undeclared = |report: &serde_json::Value| -> Vec<String> {
        check_findings(report, "manifest")
            .into_iter()
            .filter(|(rule, _)| rule == "manifest-undeclared-key")
            .map(|(_, path)| path)
            .collect()
    };
    let (_, report) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(undeclared(&report), vec!["fixtures/bot.py".to_string()]);
    let (_, report) = json_report(repo.path(), &["audit", ".", "--exclude", "fixtures"]);
    assert_eq!(undeclared(&report), Vec::<String>::new(), "{report:#}");
    let (_, report) = json_report(repo.path(), &["manifest", ".", "--exclude", "fixtures"]);
    assert_eq!(undeclared(&report), Vec::<String>::new(), "{report:#}");
}

#[test]
fn the_env_check_leaves_out_env_files_under_an_excluded_folder() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot.py", "print('hello')\n");
    repo.commit_all("bot");
    // Not gitignored (`.env` does not cover `prod.env`): reported, unless excluded.
    repo.write("fixtures/prod.env", "BINANCE_API_KEY=x\n");
    let env_paths = |report: &serde_json::Value| -> Vec<String> {
        check_findings(report, "env")
            .into_iter()
            .map(|(_, path)| path)
            .collect()
    };
    let (_, report) = json_report(repo.path(), &["env", "."]);
    assert_eq!(env_paths(&report), vec!["fixtures/prod.env".to_string()]);
    let (_, report) = json_report(repo.path(), &["env", ".", "--exclude", "fixtures"]);
    assert_eq!(env_paths(&report), Vec::<String>::new(), "{report:#}");
    let (_, report) = json_report(repo.path(), &["audit", ".", "--exclude", "fixtures"]);
    assert_eq!(env_paths(&report), Vec::<String>::new(), "{report:#}");
}
