//! `scan --staged`: only what the index would add to the next commit, read
//! from the index (never the working tree), with the staged content's lines.

use crate::support::*;

const SECRET_LINE: &str =
    "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";
const RULE: &str = "binance-api-secret";

fn staged(repo: &TestRepo) -> (i32, serde_json::Value) {
    json_report(repo.path(), &["scan", "--staged", "."])
}

#[test]
fn staged_key_is_found_at_its_staged_line() {
    let mut repo = TestRepo::new();
    repo.write("bot/config.py", "# bot\n");
    repo.commit_all("init");
    repo.write("bot/config.py", &format!("# bot\n# more\n{SECRET_LINE}"));
    repo.stage("bot/config.py");
    // The working copy moves on after staging: lines must be the staged ones.
    repo.write(
        "bot/config.py",
        &format!("# bot\n\n\n\n\n# more\n{SECRET_LINE}"),
    );
    let (code, report) = staged(&repo);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(RULE.into(), "staged".into(), "bot/config.py".into(), 3)]
    );
    assert_eq!(report["findings"][0]["location"]["column"], 23);
}

#[test]
fn key_only_in_the_working_tree_is_not_staged() {
    let mut repo = TestRepo::new();
    repo.write("bot/config.py", "# bot\n");
    repo.commit_all("init");
    repo.write("bot/config.py", &format!("# bot\n{SECRET_LINE}"));
    let (code, report) = staged(&repo);
    assert_eq!(code, 0);
    assert!(findings(&report).is_empty());
}

#[test]
fn key_committed_earlier_is_not_in_the_staged_change() {
    let mut repo = TestRepo::new();
    repo.write("bot/config.py", SECRET_LINE);
    repo.commit_all("key");
    repo.write("strategy.py", "def run(): pass\n");
    repo.stage("strategy.py");
    let (code, report) = staged(&repo);
    assert_eq!(code, 0, "{:?}", findings(&report));
    assert!(findings(&report).is_empty());
    assert_eq!(report["summary"]["files_scanned"], 1);
    // The plain scan still sees the committed key.
    let (code, _) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
}

#[test]
fn initial_commit_stages_everything() {
    let repo = TestRepo::new();
    repo.write("a.py", "x = 1\n");
    repo.write("keys/prod.py", SECRET_LINE);
    repo.stage_all();
    let (code, report) = staged(&repo);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(RULE.into(), "staged".into(), "keys/prod.py".into(), 1)]
    );
    assert_eq!(report["summary"]["files_scanned"], 2);
}

#[test]
fn staged_deletion_has_nothing_to_scan() {
    let mut repo = TestRepo::new();
    repo.write("bot/config.py", SECRET_LINE);
    repo.commit_all("key");
    repo.remove("bot/config.py");
    repo.stage("bot/config.py");
    let (code, report) = staged(&repo);
    assert_eq!(code, 0);
    assert!(findings(&report).is_empty());
}

#[test]
fn staged_conflicts_with_history_flags() {
    let repo = TestRepo::new();
    for flag in [
        vec!["--history"],
        vec!["--since", "HEAD"],
        vec!["--range", "a..b"],
    ] {
        let out = keyaudit(repo.path())
            .args(["scan", "--staged"])
            .args(&flag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
    }
}

/// A repository built by the system git (its index carries the cached tree
/// ids that let `--staged` skip unchanged folders), in index format `version`.
fn git_built_repo(version: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let git = |args: &[&str]| {
        let mut all = vec!["-c", "user.name=Ada", "-c", "user.email=ada@example.com"];
        all.extend_from_slice(args);
        system_git(p, &all);
    };
    git(&["init", "-q", "."]);
    for d in ["alpha", "beta", "gamma/deep"] {
        std::fs::create_dir_all(p.join(d)).unwrap();
        std::fs::write(p.join(d).join("mod.py"), "def f():\n    return 1\n").unwrap();
    }
    std::fs::write(p.join("beta/old_keys.py"), SECRET_LINE).unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "init"]);
    std::fs::write(
        p.join("gamma/deep/mod.py"),
        format!("def f():\n    return 1\n{SECRET_LINE}"),
    )
    .unwrap();
    git(&["add", "gamma/deep/mod.py"]);
    git(&["update-index", "--index-version", version]);
    dir
}

#[test]
fn git_built_index_in_every_format_gives_only_the_staged_change() {
    for version in ["2", "3", "4"] {
        let dir = git_built_repo(version);
        let (code, report) = json_report(dir.path(), &["scan", "--staged", "."]);
        assert_eq!(code, 1, "index v{version}");
        assert_eq!(
            findings(&report),
            vec![(RULE.into(), "staged".into(), "gamma/deep/mod.py".into(), 3)],
            "index v{version}"
        );
        assert_eq!(report["summary"]["files_scanned"], 1, "index v{version}");
    }
    // A split index is read by neither reader: exit 2, saying how to turn it off.
    let dir = git_built_repo("2");
    system_git(dir.path(), &["update-index", "--split-index"]);
    let out = keyaudit(dir.path())
        .args(["scan", "--staged", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--no-split-index"), "{stderr}");
}

#[test]
fn staged_limited_to_a_subfolder() {
    let dir = git_built_repo("2");
    let (code, report) = json_report(dir.path(), &["scan", "--staged", "alpha"]);
    assert_eq!(code, 0);
    assert!(findings(&report).is_empty());
    let (code, report) = json_report(dir.path(), &["scan", "--staged", "gamma"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn unmerged_paths_are_reported_not_scanned() {
    let dir = git_built_repo("2");
    let p = dir.path();
    let git = |args: &[&str]| {
        let mut all = vec!["-c", "user.name=Ada", "-c", "user.email=ada@example.com"];
        all.extend_from_slice(args);
        system_git(p, &all);
    };
    git(&["commit", "-q", "-m", "deep"]);
    git(&["checkout", "-q", "-b", "other", "HEAD~1"]);
    std::fs::write(p.join("alpha/mod.py"), "x = 'other'\n").unwrap();
    git(&["commit", "-q", "-am", "other"]);
    git(&["checkout", "-q", "-"]);
    std::fs::write(p.join("alpha/mod.py"), "x = 'mine'\n").unwrap();
    git(&["commit", "-q", "-am", "mine"]);
    let merge = std::process::Command::new("git")
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
        .args(["merge", "-q", "other"])
        .current_dir(p)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge must conflict");
    let (code, report) = json_report(p, &["scan", "--staged", "."]);
    assert_eq!(code, 0, "{:?}", findings(&report));
    let warnings = warnings_text(&report);
    assert!(warnings.contains("alpha/mod.py"), "{warnings}");
    assert!(warnings.contains("unmerged"), "{warnings}");
}

#[test]
fn git_index_file_is_honoured() {
    let dir = git_built_repo("2");
    let p = dir.path();
    let alt = p.join(".git/next-index.lock");
    std::fs::copy(p.join(".git/index"), &alt).unwrap();
    system_git(p, &["reset", "-q"]);
    let (code, _) = json_report(p, &["scan", "--staged", "."]);
    assert_eq!(code, 0, "the real index has nothing staged");
    let out = keyaudit(p)
        .args(["scan", "--staged", ".", "--format", "json"])
        .env("GIT_INDEX_FILE", &alt)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        findings(&report),
        vec![(RULE.into(), "staged".into(), "gamma/deep/mod.py".into(), 3)]
    );
}

#[test]
fn audit_reads_the_index_and_reports_each_secret_once() {
    let mut repo = TestRepo::new();
    repo.write("bot/config.py", "# bot\n");
    repo.commit_all("init");
    // Staged, then removed from the working copy: only the index holds it.
    repo.write("bot/config.py", &format!("# bot\n{SECRET_LINE}"));
    repo.stage("bot/config.py");
    repo.write("bot/config.py", "# bot\n");
    // Staged and still in the working copy: one finding, from the tree.
    repo.write("bot/other.py", SECRET_LINE);
    repo.stage("bot/other.py");
    let (code, report) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1);
    let leaks: Vec<_> = findings(&report)
        .into_iter()
        .filter(|(rule, ..)| rule == RULE)
        .collect();
    assert_eq!(
        leaks,
        vec![
            (RULE.into(), "staged".into(), "bot/config.py".into(), 2),
            (RULE.into(), "tree".into(), "bot/other.py".into(), 1),
        ]
    );
}
