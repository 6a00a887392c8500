//! History scans (`scan --history`, `--since`, `--range`, `audit`): keys found
//! at the commit that introduced them, on every ref, once per (secret, path),
//! and awkward repositories (empty, bare, shallow, corrupt).

use crate::support::*;

/// A Binance secret (synthetic) as a settings line: rule `binance-api-secret`, column 23.
const SECRET_LINE: &str =
    "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";
const RULE: &str = "binance-api-secret";

fn history(dir: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["scan", "--history"];
    args.extend_from_slice(extra);
    json_report(dir, &args)
}

fn base_repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write("README.md", "# grid bot\n");
    repo.commit_all("readme");
    repo
}

#[test]
fn key_added_then_deleted_is_found_in_history_at_its_commit_not_in_tree() {
    let mut repo = base_repo();
    repo.write("bot/settings.py", &format!("# settings\n{SECRET_LINE}"));
    let added = repo.commit_all("add settings");
    repo.remove("bot/settings.py");
    repo.commit_all("remove settings");

    let (code, tree_only) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 0, "tree scan must not see the deleted key");
    assert!(findings(&tree_only).is_empty());

    let (code, report) = history(repo.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "bot/settings.py".into(), 2, added.to_string())]
    );
    let loc = &report["findings"][0]["location"];
    assert_eq!(loc["author"], "Ada Trader <ada@example.com>");
    // The second commit: one minute after the first, which is 2026-01-01T00:01:00Z.
    assert_eq!(loc["date"], "2026-01-01T00:02:00Z");
    assert_eq!(loc["column"], 23);
    assert_eq!(report["summary"]["commits_scanned"], 3);
    assert!(report["summary"]["blobs_scanned"].as_u64().unwrap() >= 2);
    assert!(report["summary"]["bytes_scanned"].as_u64().unwrap() > 0);
}

#[test]
fn audit_includes_history() {
    let mut repo = base_repo();
    repo.write("config.py", SECRET_LINE);
    let added = repo.commit_all("add");
    repo.remove("config.py");
    repo.commit_all("remove");
    let (code, report) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "config.py".into(), 1, added.to_string())]
    );
}

#[test]
fn committed_key_still_in_the_tree_is_one_finding_located_in_the_tree() {
    let mut repo = base_repo();
    repo.write("config.py", SECRET_LINE);
    let added = repo.commit_all("add");
    let (code, report) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1);
    let leaks: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "leak")
        .collect();
    assert_eq!(leaks.len(), 1, "{leaks:?}");
    assert_eq!(leaks[0]["location"]["source"], "tree");
    assert_eq!(
        leaks[0]["location"]["introduced"]["commit"],
        added.to_string()
    );
    assert!(
        leaks[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(still in the working tree)")
    );
}

#[test]
fn committed_key_moved_down_in_the_tree_is_located_where_it_is_now() {
    let mut repo = base_repo();
    let above = "# settings\n".repeat(7);
    repo.write("bot/config.py", &format!("{above}{SECRET_LINE}"));
    let added = repo.commit_all("add settings");
    // Six more lines above it, not committed: line 8 becomes line 14.
    let more = "# more settings\n".repeat(6);
    repo.write("bot/config.py", &format!("{above}{more}{SECRET_LINE}"));
    let (code, report) = history(repo.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(RULE.into(), "tree".into(), "bot/config.py".into(), 14)]
    );
    let loc = &report["findings"][0]["location"];
    assert_eq!(loc["column"], 23);
    assert!(loc.get("commit").is_none(), "{loc}");
    let introduced = &loc["introduced"];
    assert_eq!(introduced["commit"], added.to_string());
    assert_eq!(introduced["path"], "bot/config.py");
    assert_eq!(introduced["line"], 8);
    assert_eq!(introduced["author"], "Ada Trader <ada@example.com>");
    assert_eq!(introduced["date"], "2026-01-01T00:02:00Z");

    // The human report shows both places.
    let out = keyaudit(repo.path())
        .args(["scan", "--history", "."])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let short = &added.to_string()[..12];
    assert!(
        text.contains(&format!(
            "bot/config.py:14  [tree] (introduced in {short} at bot/config.py:8 by Ada Trader"
        )),
        "{text}"
    );

    // A key only history holds keeps its shape: no `introduced`.
    repo.remove("bot/config.py");
    let (_, report) = history(repo.path(), &["."]);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "bot/config.py".into(), 8, added.to_string())]
    );
    assert!(
        report["findings"][0]["location"]
            .get("introduced")
            .is_none()
    );
}

#[test]
fn staged_key_also_in_history_is_located_in_the_index_with_where_history_had_it() {
    let mut repo = base_repo();
    repo.write("bot/config.py", SECRET_LINE);
    let added = repo.commit_all("add");
    // Staged at line 3, then removed from the working tree (not staged).
    repo.write("bot/config.py", &format!("# a\n# b\n{SECRET_LINE}"));
    repo.stage("bot/config.py");
    repo.remove("bot/config.py");
    let (code, report) = history(repo.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(RULE.into(), "staged".into(), "bot/config.py".into(), 3)]
    );
    let loc = &report["findings"][0]["location"];
    assert_eq!(loc["introduced"]["commit"], added.to_string());
    assert_eq!(loc["introduced"]["line"], 1);
}

#[test]
fn key_only_on_a_side_branch() {
    let mut repo = base_repo();
    let main = repo.current_branch();
    repo.checkout_new_branch("experiment");
    repo.write("strategy/keys.py", SECRET_LINE);
    let side = repo.commit_all("try keys");
    repo.checkout(&main);
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "strategy/keys.py".into(), 1, side.to_string())]
    );
}

/// Builds a commit with the key on a branch, tags it with `tag`, then drops the branch.
fn key_only_under_tag(tag: impl Fn(&TestRepo)) -> (TestRepo, git2::Oid) {
    let mut repo = base_repo();
    let main = repo.current_branch();
    repo.checkout_new_branch("release-tmp");
    repo.write("deploy/prod.env.py", SECRET_LINE);
    let tagged = repo.commit_all("release");
    tag(&repo);
    repo.checkout(&main);
    repo.delete_branch("release-tmp");
    (repo, tagged)
}

#[test]
fn key_only_reachable_from_a_lightweight_tag() {
    let (repo, tagged) = key_only_under_tag(|r| r.tag("v1.0"));
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(
            RULE.into(),
            "deploy/prod.env.py".into(),
            1,
            tagged.to_string()
        )]
    );
}

#[test]
fn key_only_reachable_from_an_annotated_tag() {
    let (repo, tagged) = key_only_under_tag(|r| r.annotated_tag("v2.0"));
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(
            RULE.into(),
            "deploy/prod.env.py".into(),
            1,
            tagged.to_string()
        )]
    );
}

#[test]
fn key_only_reachable_from_a_detached_head() {
    let mut repo = base_repo();
    repo.checkout_new_branch("tmp");
    repo.detach_head();
    repo.delete_branch("tmp");
    repo.write("detached.py", SECRET_LINE);
    let detached = repo.commit_all("detached work");
    assert!(repo.repo.head_detached().unwrap());
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        introduced_findings(&report).contains(&(
            RULE.into(),
            "detached.py".into(),
            1,
            detached.to_string()
        )),
        "{:?}",
        introduced_findings(&report)
    );
}

#[test]
fn key_only_in_the_stash() {
    let mut repo = base_repo();
    repo.write("README.md", &format!("# grid bot\n{SECRET_LINE}"));
    let sig = git2::Signature::now("Ada Trader", "ada@example.com").unwrap();
    let stash = repo.repo.stash_save(&sig, "wip", None).unwrap();
    let (_, tree_only) = json_report(repo.path(), &["scan", "."]);
    assert!(findings(&tree_only).is_empty(), "stash removed the change");
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    let found = history_findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "README.md");
    assert_eq!(found[0].2, 2);
    assert_eq!(found[0].3, stash.to_string());
}

#[test]
fn key_copied_to_another_file_is_one_finding_per_path() {
    let mut repo = base_repo();
    repo.write("bot/settings.py", SECRET_LINE);
    let first = repo.commit_all("settings");
    // Same content (the same blob) at a second path, and the same secret in a third file.
    repo.write("backup/settings.py", SECRET_LINE);
    repo.write("notes.txt.py", &format!("old keys:\n{SECRET_LINE}"));
    let second = repo.commit_all("backup");
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    let mut found = introduced_findings(&report);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                RULE.into(),
                "backup/settings.py".into(),
                1,
                second.to_string()
            ),
            (RULE.into(), "bot/settings.py".into(), 1, first.to_string()),
            (RULE.into(), "notes.txt.py".into(), 2, second.to_string()),
        ]
    );
}

#[test]
fn same_secret_in_fifty_commits_is_one_finding_at_the_first() {
    let mut repo = base_repo();
    let mut first = None;
    let mut content = format!("# bot\n{SECRET_LINE}");
    for i in 0..50 {
        content.push_str(&format!("# tweak {i}\n"));
        repo.write("bot/config.py", &content);
        let id = repo.commit_all(&format!("tweak {i}"));
        first.get_or_insert(id);
    }
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        introduced_findings(&report),
        vec![(
            RULE.into(),
            "bot/config.py".into(),
            2,
            first.unwrap().to_string()
        )]
    );
    assert_eq!(report["summary"]["commits_scanned"], 51);
    // Every version of the file is a distinct blob, each scanned once.
    assert_eq!(report["summary"]["blobs_scanned"], 51);
}

#[test]
fn range_that_excludes_the_introducing_commit_does_not_report_it() {
    let mut repo = base_repo();
    repo.write("bot/config.py", &format!("# bot\n{SECRET_LINE}"));
    let introduced = repo.commit_all("key");
    // The range then changes the same file (a new blob still holding the key) and another file.
    repo.write("bot/config.py", &format!("# bot v2\n{SECRET_LINE}"));
    repo.write("strategy.py", "def run(): pass\n");
    repo.commit_all("tweak");

    let range = format!("{introduced}..HEAD");
    let (code, report) = json_report(repo.path(), &["scan", "--range", &range]);
    assert_eq!(code, 0, "{:?}", history_findings(&report));
    assert!(history_findings(&report).is_empty());
    assert_eq!(report["summary"]["commits_scanned"], 1);

    let (code, report) = json_report(repo.path(), &["scan", "--since", &introduced.to_string()]);
    assert_eq!(code, 0);
    assert!(history_findings(&report).is_empty());

    // A range that includes the introducing commit reports it there.
    let (code, report) = json_report(repo.path(), &["scan", "--range", "HEAD~2..HEAD"]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(
            RULE.into(),
            "bot/config.py".into(),
            2,
            introduced.to_string()
        )]
    );
}

#[test]
fn range_reports_a_key_copied_inside_it() {
    let mut repo = base_repo();
    repo.write("bot/config.py", SECRET_LINE);
    let base = repo.commit_all("key");
    repo.write("bot/copy.py", SECRET_LINE);
    let copied = repo.commit_all("copy");
    let (code, report) = json_report(repo.path(), &["scan", "--range", &format!("{base}..HEAD")]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "bot/copy.py".into(), 1, copied.to_string())]
    );
}

#[test]
fn unknown_revision_is_exit_2_naming_it() {
    let repo = base_repo();
    for args in [
        vec!["scan", "--since", "no-such-rev"],
        vec!["scan", "--range", "no-such-rev..HEAD"],
    ] {
        let out = keyaudit(repo.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no-such-rev"), "{stderr}");
        assert!(stderr.contains("unknown revision"), "{stderr}");
    }
}

#[test]
fn history_outside_a_repository_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
    let out = keyaudit(dir.path())
        .args(["scan", "--history", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // audit on a plain folder still runs (no history to scan).
    let (code, _) = json_report(dir.path(), &["audit", "."]);
    assert_eq!(code, 0);
}

#[test]
fn empty_repository_scans_zero_commits() {
    let repo = TestRepo::new();
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["commits_scanned"], 0);
    assert!(findings(&report).is_empty());
}

#[test]
fn bare_repository_scans_history_only() {
    let mut repo = base_repo();
    repo.write("config.py", SECRET_LINE);
    let added = repo.commit_all("key");
    let parent = tempfile::tempdir().unwrap();
    let src = repo.path().to_str().unwrap().to_string();
    system_git(parent.path(), &["clone", "-q", "--bare", &src, "bare.git"]);
    let bare = parent.path().join("bare.git");
    let (code, report) = history(&bare, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "config.py".into(), 1, added.to_string())]
    );
    assert_eq!(
        findings(&report).len(),
        1,
        "no tree findings in a bare repository"
    );
    assert!(warnings_text(&report).contains("bare repository"));
    let (code, _) = json_report(&bare, &["audit"]);
    assert_eq!(code, 1);
}

#[test]
fn shallow_clone_says_history_is_truncated() {
    let mut repo = base_repo();
    repo.write("old.py", SECRET_LINE);
    repo.commit_all("key");
    repo.remove("old.py");
    repo.commit_all("remove");
    repo.write("new.py", "x = 1\n");
    repo.commit_all("more");
    let parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    system_git(
        parent.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = parent.path().join("shallow");
    let (code, report) = history(&shallow, &[]);
    assert_eq!(code, 0, "the key is before the shallow boundary");
    assert_eq!(report["summary"]["commits_scanned"], 1);
    assert!(
        warnings_text(&report).contains("history is truncated (shallow clone)"),
        "{}",
        warnings_text(&report)
    );
}

#[test]
fn corrupt_object_is_skipped_with_a_warning_and_other_findings_kept() {
    let mut repo = base_repo();
    repo.write("a/keys.py", SECRET_LINE);
    let first = repo.commit_all("a");
    repo.write("b/keys.py", &format!("# b\n{SECRET_LINE}"));
    repo.commit_all("b");
    // Delete b/keys.py's blob (loose object) from the object database.
    let blob = repo
        .repo
        .head()
        .unwrap()
        .peel_to_tree()
        .unwrap()
        .get_path(std::path::Path::new("b/keys.py"))
        .unwrap()
        .id()
        .to_string();
    let loose = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&loose).unwrap();
    repo.remove("b/keys.py");
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        introduced_findings(&report),
        vec![(RULE.into(), "a/keys.py".into(), 1, first.to_string())]
    );
    assert!(
        warnings_text(&report).contains(&blob),
        "{}",
        warnings_text(&report)
    );
    assert_eq!(report["summary"]["skipped"]["unreadable"], 1);
}

#[test]
fn submodule_is_not_entered_and_said_so() {
    let mut repo = base_repo();
    // A gitlink entry pointing at some commit of another repository.
    let other = base_repo();
    let sub_head = other.repo.head().unwrap().target().unwrap();
    let mut index = repo.repo.index().unwrap();
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o160000,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: sub_head,
        flags: 0,
        flags_extended: 0,
        path: b"vendor/lib".to_vec(),
    };
    index.add(&entry).unwrap();
    index.write().unwrap();
    repo.commit("add submodule");
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 0);
    assert!(
        warnings_text(&report).contains("submodule"),
        "{}",
        warnings_text(&report)
    );
}

#[test]
fn non_utf8_path_is_shown_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let mut repo = base_repo();
    let name = std::ffi::OsStr::from_bytes(b"keys\xff.py");
    std::fs::write(repo.path().join(name), SECRET_LINE).unwrap();
    let mut index = repo.repo.index().unwrap();
    index.add_path(std::path::Path::new(name)).unwrap();
    index.write().unwrap();
    let added = repo.commit("odd name");
    std::fs::remove_file(repo.path().join(name)).unwrap();
    let mut index = repo.repo.index().unwrap();
    index.remove_path(std::path::Path::new(name)).unwrap();
    index.write().unwrap();
    repo.commit("remove");
    let (code, report) = history(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "keys\u{FFFD}.py".into(), 1, added.to_string())]
    );
}

#[test]
fn linked_worktree_scans_the_shared_history_and_its_own_tree() {
    let mut repo = base_repo();
    repo.write("config.py", SECRET_LINE);
    let added = repo.commit_all("add");
    repo.remove("config.py");
    repo.commit_all("remove");
    let wt_parent = tempfile::tempdir().unwrap();
    let wt = wt_parent.path().join("wt");
    system_git(
        repo.path(),
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "wt-branch",
            wt.to_str().unwrap(),
        ],
    );
    std::fs::write(wt.join("local.py"), SECRET_LINE).unwrap();
    let (code, report) = history(&wt, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "config.py".into(), 1, added.to_string())]
    );
    assert_eq!(
        findings(&report)
            .into_iter()
            .filter(|(_, source, ..)| source == "tree")
            .map(|(_, _, path, _)| path)
            .collect::<Vec<_>>(),
        vec!["local.py".to_string()]
    );
}

/// A large file (over the 8 KiB the history reader keeps for delta scans):
/// 600 lines of ordinary Python.
fn large_module() -> Vec<String> {
    (0..600)
        .map(|i| format!("def step_{i}(candles):\n    return candles[{i}] * 2  # ordinary code\n"))
        .collect()
}

/// Later versions of a large file are scanned where they changed (issue 8):
/// a secret inserted into the middle of one is found at the commit that
/// added it, an edit far from the secret adds no finding, and a secret
/// that only an added context word makes a key is found at that commit.
#[test]
fn later_versions_of_a_large_file_are_scanned_where_they_changed() {
    let mut repo = base_repo();
    let mut lines = large_module();
    repo.write("bot/strategy.py", &lines.concat());
    repo.commit_all("strategy");
    // An edit near the top: nothing to find.
    lines[3] = "def step_3(candles):\n    return candles[3] * 3\n".into();
    repo.write("bot/strategy.py", &lines.concat());
    repo.commit_all("tune step 3");
    // A secret inserted in the middle, far from the edit before.
    lines.insert(300, SECRET_LINE.into());
    repo.write("bot/strategy.py", &lines.concat());
    let added = repo.commit_all("hard-code the key");
    // An edit at the bottom, far from the secret: still found once, where it came in.
    lines.push("def last(candles):\n    return None\n".into());
    repo.write("bot/strategy.py", &lines.concat());
    repo.commit_all("tail");
    // A 32-character value that only the word Bitstamp nearby makes a key,
    // then the word added two lines above it.
    let bare = "    bs_api_id = \"Ab3dEf7hIj1lMn0pQr5tUv9xYz2bCd4e\"\n";
    lines.insert(500, bare.into());
    repo.write("bot/strategy.py", &lines.concat());
    repo.commit_all("a value without context");
    lines.insert(498, "# bitstamp account\n".into());
    repo.write("bot/strategy.py", &lines.concat());
    let context = repo.commit_all("name the exchange");

    // One reader, so each version is read after the one before it (with
    // more, a version may be read first and is then scanned whole).
    let (code, report) = history(repo.path(), &["--threads", "1", "."]);
    assert_eq!(code, 1);
    let found = introduced_findings(&report);
    assert_eq!(
        found,
        vec![
            (
                RULE.into(),
                "bot/strategy.py".into(),
                601,
                added.to_string()
            ),
            (
                "bitstamp-api-key".into(),
                "bot/strategy.py".into(),
                1001,
                context.to_string()
            ),
        ],
        "{report:#}"
    );
}

/// A blob found to hold nothing at one path is not scanned again at a path
/// that reads the same, but is where the path changes what it holds (an
/// exchange's folder makes a value its key), and a blob that holds a
/// secret is reported at each path it was copied to.
#[test]
fn a_blob_copied_to_other_paths_is_judged_at_each_kind_of_path() {
    let mut repo = base_repo();
    let bare = "bs_api_id = \"Ab3dEf7hIj1lMn0pQr5tUv9xYz2bCd4e\"\n";
    repo.write("bot/strategy.py", bare);
    repo.write("bot/settings.py", SECRET_LINE);
    repo.commit_all("strategy and settings");
    repo.write("other/strategy.py", bare);
    repo.write("bitstamp/strategy.py", bare);
    repo.write("backup/settings.py", SECRET_LINE);
    let copies = repo.commit_all("copies");
    repo.remove("bot/strategy.py");
    repo.remove("other/strategy.py");
    repo.remove("bitstamp/strategy.py");
    repo.remove("bot/settings.py");
    repo.remove("backup/settings.py");
    repo.commit_all("remove");

    // One reader, so the first path of each blob is read before the others.
    let (code, report) = history(repo.path(), &["--threads", "1", "."]);
    assert_eq!(code, 1);
    let mut found: Vec<(String, String)> = history_findings(&report)
        .into_iter()
        .map(|(rule, path, _, commit)| {
            assert!(path != "backup/settings.py" || commit == copies.to_string());
            (rule, path)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (RULE.into(), "backup/settings.py".into()),
            (RULE.into(), "bot/settings.py".into()),
            ("bitstamp-api-key".into(), "bitstamp/strategy.py".into()),
        ],
        "{report:#}"
    );
}

/// A strategy file over the size where versions are compared with the one
/// before (8 KiB), with `extra` lines in the middle.
fn long_strategy(version: usize, extra: &str) -> String {
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&format!(
            "def signal_{i}(frame):\n    return frame.close > {i}\n"
        ));
        if i == 100 {
            text.push_str(extra);
        }
    }
    text.push_str(&format!("VERSION = {version}\n"));
    text
}

/// The loose objects left under `.git/objects` (not in a pack).
fn loose_objects(repo: &std::path::Path) -> usize {
    std::fs::read_dir(repo.join(".git/objects"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().len() == 2)
        .map(|e| std::fs::read_dir(e.path()).unwrap().count())
        .sum()
}

#[test]
fn a_packed_history_finds_what_the_loose_one_does_at_the_same_commits() {
    // Ten versions of one file: the key arrives in the third and leaves in
    // the eighth. Packed, the newest version is stored whole and the older
    // ones as deltas of newer ones, so they are read newest first.
    let mut repo = base_repo();
    let mut commits = Vec::new();
    for v in 0..10 {
        let extra = if (2..7).contains(&v) { SECRET_LINE } else { "" };
        repo.write("strategy.py", &long_strategy(v, extra));
        commits.push(repo.commit_all(&format!("version {v}")));
    }
    // A key at a second path on a branch of its own.
    let main = repo.current_branch();
    repo.checkout_new_branch("experiment");
    repo.write("bot/keys.py", &format!("# keys\n{SECRET_LINE}"));
    let branch = repo.commit_all("experiment");
    repo.checkout(&main);
    let expected = vec![
        (
            RULE.to_string(),
            "bot/keys.py".to_string(),
            2,
            branch.to_string(),
        ),
        (
            RULE.to_string(),
            "strategy.py".to_string(),
            203,
            commits[2].to_string(),
        ),
    ];
    let sorted = |report: &serde_json::Value| {
        let mut found = history_findings(report);
        found.sort();
        found
    };
    let (code, loose) = history(repo.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(sorted(&loose), expected);

    system_git(
        repo.path(),
        &["repack", "-a", "-d", "-f", "--depth=50", "--window=50"],
    );
    system_git(repo.path(), &["prune-packed"]);
    assert_eq!(loose_objects(repo.path()), 0, "everything is in the pack");
    let (code, packed) = history(repo.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(sorted(&packed), expected);
    for count in ["blobs_scanned", "bytes_scanned", "commits_scanned"] {
        assert_eq!(packed["summary"][count], loose["summary"][count], "{count}");
    }
    // From a linked worktree (its objects are the main repository's).
    let linked = tempfile::tempdir().unwrap();
    let linked = linked.path().join("linked");
    system_git(
        repo.path(),
        &[
            "worktree",
            "add",
            "--detach",
            linked.to_str().unwrap(),
            "HEAD",
        ],
    );
    let (code, from_linked) = history(&linked, &["."]);
    assert_eq!(code, 1);
    assert_eq!(sorted(&from_linked), expected);

    // A range on the pack: the key already in the strategy before it is the
    // baseline; the branch's key is new.
    let since = commits[5].to_string();
    let (code, range) = history(repo.path(), &["--since", &since, "."]);
    assert_eq!(code, 1);
    assert_eq!(sorted(&range), expected[..1].to_vec());

    // A commit after the pack: its objects are loose, read one by one.
    repo.write("late.py", SECRET_LINE);
    let late = repo.commit_all("late key");
    repo.remove("late.py");
    repo.commit_all("late key removed");
    assert!(loose_objects(repo.path()) > 0);
    let (_, mixed) = history(repo.path(), &["."]);
    let found = sorted(&mixed);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.contains(&(RULE.into(), "late.py".into(), 1, late.to_string())));
    assert!(expected.iter().all(|e| found.contains(e)));
}
