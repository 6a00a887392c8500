//! Corrupt and odd repositories: truncated loose objects (blob, tree,
//! commit), pack entries of a type git does not define, a missing parent
//! commit, and a git dir kept apart from the working tree
//! (`git init --separate-git-dir`). Every run here has a deadline: a hang
//! fails the test instead of hanging it, and a panic (exit 101) fails it too.
//! What can be read is reported; what cannot is counted and named.

use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::Oid;

use crate::support::*;

const SECRET_LINE: &str =
    "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";
const RULE: &str = "binance-api-secret";
/// Far above a normal run of these tiny repositories (well under a second).
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs keyaudit with a deadline; returns (exit code, stdout, stderr).
fn run_raw(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = run_bounded(keyaudit(dir), args, DEADLINE);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// Runs keyaudit with a deadline and parses its JSON report.
fn run(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, stdout, stderr) = run_raw(dir, &all);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("keyaudit {args:?}: not JSON ({e}); exit {code}: {stderr}"));
    (code, report)
}

/// 200 KB of text that compresses to well over 1,000 bytes.
fn big_text() -> String {
    let mut x: u32 = 12345;
    let mut s = String::new();
    while s.len() < 200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        s.push_str(&format!("row {x:08x} {}\n", x % 977));
    }
    s
}

fn loose_path(repo: &Path, oid: Oid) -> PathBuf {
    let hex = oid.to_string();
    repo.join(".git/objects").join(&hex[..2]).join(&hex[2..])
}

/// Cuts the loose object `oid` to `len` bytes (or half its length).
fn truncate(repo: &Path, oid: Oid, len: Option<u64>) {
    let path = loose_path(repo, oid);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    let full = std::fs::metadata(&path).unwrap().len();
    let len = len.unwrap_or(full / 2);
    assert!(len < full, "the object must be longer than the cut");
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len).unwrap();
}

fn blob_at(repo: &TestRepo, rev: &str, path: &str) -> Oid {
    repo.repo
        .revparse_single(&format!("{rev}:{path}"))
        .unwrap()
        .id()
}

fn has_finding(report: &serde_json::Value, source: &str, path: &str) -> bool {
    findings(report)
        .iter()
        .any(|(rule, s, p, _)| rule == RULE && s == source && p == path)
}

fn unreadable(report: &serde_json::Value) -> u64 {
    report["summary"]["skipped"]["unreadable"].as_u64().unwrap()
}

#[test]
fn truncated_loose_blob_is_skipped_by_every_command() {
    let mut repo = TestRepo::new();
    repo.write("README.md", "# bot\n");
    let first = repo.commit_all("init");
    repo.write("keys.py", SECRET_LINE);
    repo.write("big.txt", &big_text());
    repo.commit_all("key and data");
    let big = blob_at(&repo, "HEAD", "big.txt");
    truncate(repo.path(), big, Some(1000));
    // The key only in history: the working tree no longer has it.
    repo.remove("keys.py");
    let since = first.to_string();
    let range = format!("{first}..HEAD");
    let runs: [&[&str]; 5] = [
        &["scan", "--history", "."],
        &["audit", "."],
        &["scan", "--since", &since, "."],
        &["scan", "--range", &range, "."],
        &["env", "."],
    ];
    for args in runs {
        let (code, report) = run(repo.path(), args);
        let warnings = warnings_text(&report);
        assert!(warnings.contains(&big.to_string()), "{args:?}: {warnings}");
        assert!(unreadable(&report) >= 1, "{args:?}");
        if args[0] != "env" {
            assert_eq!(code, 1, "{args:?}");
            assert!(
                has_finding(&report, "history", "keys.py"),
                "{args:?}: {:?}",
                findings(&report)
            );
        }
    }
    let (code, _, stderr) = run_raw(repo.path(), &["baseline", "."]);
    assert_eq!(code, 0, "{stderr}");
    assert!(repo.path().join("keyaudit-baseline.json").exists());

    // Staged: the hook's view of a truncated staged blob.
    repo.write("big2.txt", &format!("{}x\n", big_text()));
    repo.write("new_keys.py", SECRET_LINE);
    repo.stage("big2.txt").stage("new_keys.py");
    let staged = repo.repo.index().unwrap();
    let big2 = staged
        .get_path(Path::new("big2.txt"), 0)
        .map(|e| e.id)
        .unwrap();
    truncate(repo.path(), big2, Some(1000));
    let (code, report) = run(repo.path(), &["scan", "--staged", "."]);
    assert_eq!(code, 1);
    assert!(has_finding(&report, "staged", "new_keys.py"));
    assert_eq!(unreadable(&report), 1);
    assert!(warnings_text(&report).contains(&big2.to_string()));
}

#[test]
fn truncated_loose_tree_and_commit_are_skipped() {
    let mut repo = TestRepo::new();
    repo.write("a/keys.py", SECRET_LINE);
    repo.commit_all("a");
    repo.write("sub/big.txt", &big_text());
    repo.write("sub/notes.txt", "notes\n");
    let middle = repo.commit_all("sub");
    repo.write("b/keys.py", &format!("# b\n{SECRET_LINE}"));
    repo.commit_all("b");
    let sub_tree = repo.repo.revparse_single("HEAD:sub").unwrap().id();
    truncate(repo.path(), middle, None);
    truncate(repo.path(), sub_tree, None);
    for args in [
        &["scan", "--history", "."][..],
        &["audit", "."],
        &["env", "."],
    ] {
        let (code, report) = run(repo.path(), args);
        let warnings = warnings_text(&report);
        assert!(
            warnings.contains(&middle.to_string()),
            "{args:?}: {warnings}"
        );
        assert!(
            warnings.contains(&sub_tree.to_string()),
            "{args:?}: {warnings}"
        );
        assert!(unreadable(&report) >= 2, "{args:?}");
        if args[0] != "env" {
            assert_eq!(code, 1, "{args:?}");
            for path in ["a/keys.py", "b/keys.py"] {
                assert!(
                    has_finding(&report, "history", path) || has_finding(&report, "tree", path),
                    "{args:?} {path}: {:?}",
                    findings(&report)
                );
            }
        }
    }
    // Staged, with a change inside the folder whose HEAD tree is corrupt.
    repo.write("sub/new.py", SECRET_LINE);
    repo.stage("sub/new.py");
    let (code, report) = run(repo.path(), &["scan", "--staged", "."]);
    assert_eq!(code, 1);
    assert!(has_finding(&report, "staged", "sub/new.py"));
}

#[test]
fn missing_parent_commit_keeps_what_can_be_read() {
    let mut repo = TestRepo::new();
    repo.write("README.md", "# bot\n");
    let parent = repo.commit_all("init");
    repo.write("keys.py", SECRET_LINE);
    let head = repo.commit_all("key");
    std::fs::remove_file(loose_path(repo.path(), parent)).unwrap();
    repo.remove("keys.py");
    let (code, report) = run(repo.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1, "{}", warnings_text(&report));
    assert_eq!(
        history_findings(&report),
        vec![(RULE.into(), "keys.py".into(), 1, head.to_string())]
    );
    assert_eq!(report["summary"]["commits_scanned"], 1);
    assert!(
        warnings_text(&report).contains(&parent.to_string()),
        "{}",
        warnings_text(&report)
    );
}

/// Packs every object of HEAD, removes the loose copies and sets the type
/// bits of `oid`'s pack entry to `kind` (0 and 5 are not object types).
fn pack_with_bad_type(repo: &TestRepo, oid: Oid, kind: u8) {
    let pack_dir = repo.path().join(".git/objects/pack");
    let mut pb = repo.repo.packbuilder().unwrap();
    pb.insert_commit(repo.repo.head().unwrap().target().unwrap())
        .unwrap();
    pb.write(&pack_dir, 0o644).unwrap();
    drop(pb);
    for entry in std::fs::read_dir(repo.path().join(".git/objects")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().len() == 2 {
            std::fs::remove_dir_all(entry.path()).unwrap();
        }
    }
    let file = |ext: &str| {
        std::fs::read_dir(&pack_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap()
    };
    // Version 2 index: header, fan-out, names, CRCs, 31-bit offsets.
    let idx = std::fs::read(file("idx")).unwrap();
    assert_eq!(&idx[..8], b"\xfftOc\0\0\0\x02");
    let word = |at: usize| u32::from_be_bytes(idx[at..at + 4].try_into().unwrap()) as usize;
    let count = word(8 + 255 * 4);
    let names = 8 + 1024;
    let at = (0..count)
        .find(|i| &idx[names + i * 20..names + i * 20 + 20] == oid.as_bytes())
        .expect("object in the pack");
    let offset = word(names + count * 24 + at * 4);
    let pack_path = file("pack");
    let mut pack = std::fs::read(&pack_path).unwrap();
    assert_eq!((pack[offset] >> 4) & 7, 3, "a whole blob, not a delta");
    pack[offset] = (pack[offset] & 0x8f) | (kind << 4);
    let mut perms = std::fs::metadata(&pack_path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack_path, perms).unwrap();
    std::fs::write(&pack_path, pack).unwrap();
}

#[test]
fn pack_entry_of_unknown_type_is_skipped_not_a_panic() {
    for kind in [0u8, 5] {
        let mut repo = TestRepo::new();
        repo.write("keys.py", SECRET_LINE);
        repo.write("data.txt", "some data\n");
        repo.commit_all("init");
        let data = blob_at(&repo, "HEAD", "data.txt");
        pack_with_bad_type(&repo, data, kind);
        repo.remove("keys.py");
        for args in [
            &["scan", "--history", "."][..],
            &["audit", "."],
            &["env", "."],
        ] {
            let (code, report) = run(repo.path(), args);
            let warnings = warnings_text(&report);
            assert!(
                warnings.contains(&data.to_string()),
                "type {kind} {args:?}: {warnings}"
            );
            assert!(unreadable(&report) >= 1, "type {kind} {args:?}");
            if args[0] != "env" {
                assert_eq!(code, 1, "type {kind} {args:?}");
                assert!(
                    has_finding(&report, "history", "keys.py"),
                    "type {kind} {args:?}"
                );
            }
        }
        // Staged: the same content staged under another name reads that entry.
        repo.write("copy.txt", "some data\n");
        repo.stage("copy.txt");
        let (code, report) = run(repo.path(), &["scan", "--staged", "."]);
        assert_eq!(code, 0, "type {kind}");
        assert_eq!(unreadable(&report), 1, "type {kind}");
        assert!(warnings_text(&report).contains(&data.to_string()));
    }
}

/// A repository made by `git init --separate-git-dir GIT_DIR WORKTREE`, with
/// `k.py` committed and `s.py` staged, both holding the key.
fn separate_git_dir(git_dir: &Path, worktree: &Path) {
    std::fs::create_dir_all(worktree.parent().unwrap()).unwrap();
    std::fs::create_dir_all(git_dir.parent().unwrap()).unwrap();
    let parent = worktree.parent().unwrap();
    system_git(
        parent,
        &[
            "init",
            "-q",
            "--separate-git-dir",
            git_dir.to_str().unwrap(),
            worktree.to_str().unwrap(),
        ],
    );
    let ident = ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"];
    std::fs::write(worktree.join("k.py"), SECRET_LINE).unwrap();
    system_git(worktree, &["add", "k.py"]);
    system_git(worktree, &[&ident[..], &["commit", "-qm", "k"]].concat());
    std::fs::write(worktree.join("s.py"), SECRET_LINE).unwrap();
    system_git(worktree, &["add", "s.py"]);
}

/// (source, path) pairs, as a test expects them.
type Places = Vec<(String, String)>;

fn sorted(report: &serde_json::Value) -> Places {
    let mut out: Vec<(String, String)> = findings(report)
        .into_iter()
        .filter(|(rule, ..)| rule == RULE)
        .map(|(_, source, path, _)| (source, path))
        .collect();
    out.sort();
    out
}

#[test]
fn separate_git_dir_paths_are_the_work_tree_s() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    // The git dir elsewhere; the git dir's parent an ancestor of the worktree.
    let layouts = [
        (top.join("dirs/repo.git"), top.join("work/bot")),
        (top.join("gd"), top.join("sub/bot")),
    ];
    for (git_dir, worktree) in &layouts {
        separate_git_dir(git_dir, worktree);
        let pair = |s: &str, p: &str| (s.to_string(), p.to_string());
        let cases: [(&[&str], Places); 4] = [
            (
                &["scan", "."],
                vec![pair("tree", "k.py"), pair("tree", "s.py")],
            ),
            // k.py is still in the working tree: located there (with
            // `introduced` naming its commit).
            (
                &["scan", "--history", "."],
                vec![pair("tree", "k.py"), pair("tree", "s.py")],
            ),
            (&["scan", "--staged", "."], vec![pair("staged", "s.py")]),
            (
                &["audit", "."],
                vec![pair("tree", "k.py"), pair("tree", "s.py")],
            ),
        ];
        for (args, want) in cases {
            let (code, report) = run(worktree, args);
            assert_eq!(code, 1, "{git_dir:?} {args:?}");
            assert_eq!(sorted(&report), want, "{git_dir:?} {args:?}");
        }
    }
}
