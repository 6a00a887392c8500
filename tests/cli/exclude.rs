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
