//! Test support: real git repositories in temporary directories, built with
//! git2 (no system git, no global config), and the real `keyaudit` binary run
//! with a cleared environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use git2::{IndexAddOption, Oid, Repository, Signature, Time};
use tempfile::TempDir;

/// A repository in a temporary directory.
pub struct TestRepo {
    pub dir: TempDir,
    pub repo: Repository,
    /// Seconds since the epoch of the next commit; each commit adds a minute.
    clock: i64,
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init(dir.path()).expect("git init");
        TestRepo {
            dir,
            repo,
            clock: 1_767_225_600, // 2026-01-01T00:00:00Z
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders) in the working tree.
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        self.write_bytes(rel, content.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, content: &[u8]) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path().join(rel)).unwrap();
        self
    }

    /// Stages one path (or its removal).
    pub fn stage(&self, rel: &str) -> &Self {
        let mut index = self.repo.index().unwrap();
        if self.path().join(rel).exists() {
            index.add_path(Path::new(rel)).unwrap();
        } else {
            index.remove_path(Path::new(rel)).unwrap();
        }
        index.write().unwrap();
        self
    }

    /// Stages everything (`git add -A`, honouring .gitignore).
    pub fn stage_all(&self) -> &Self {
        let mut index = self.repo.index().unwrap();
        index
            .add_all(["*"].iter(), IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"].iter(), None).unwrap();
        index.write().unwrap();
        self
    }

    fn signature(&mut self) -> Signature<'static> {
        self.clock += 60;
        Signature::new("Ada Trader", "ada@example.com", &Time::new(self.clock, 0)).unwrap()
    }

    /// Commits the index on HEAD.
    pub fn commit(&mut self, message: &str) -> Oid {
        let sig = self.signature();
        let mut index = self.repo.index().unwrap();
        let tree_id = index.write_tree().unwrap();
        let tree = self.repo.find_tree(tree_id).unwrap();
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap()
    }

    /// Stages everything and commits.
    pub fn commit_all(&mut self, message: &str) -> Oid {
        self.stage_all();
        self.commit(message)
    }

    /// Creates a branch at HEAD and checks it out.
    pub fn checkout_new_branch(&self, name: &str) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo.branch(name, &head, false).unwrap();
        self.checkout(name);
    }

    /// Checks out an existing branch (forcing the working tree to match).
    pub fn checkout(&self, name: &str) {
        let refname = format!("refs/heads/{name}");
        let obj = self.repo.revparse_single(&refname).unwrap();
        self.repo
            .checkout_tree(
                &obj,
                Some(
                    git2::build::CheckoutBuilder::new()
                        .force()
                        .remove_untracked(false),
                ),
            )
            .unwrap();
        self.repo.set_head(&refname).unwrap();
    }

    /// A lightweight tag at HEAD.
    pub fn tag(&self, name: &str) {
        let head = self
            .repo
            .head()
            .unwrap()
            .peel(git2::ObjectType::Commit)
            .unwrap();
        self.repo.tag_lightweight(name, &head, false).unwrap();
    }

    /// Name of the current branch.
    pub fn current_branch(&self) -> String {
        self.repo.head().unwrap().shorthand().unwrap().to_string()
    }
}

/// The keyaudit binary with a cleared environment, run in `dir`.
pub fn keyaudit(dir: &Path) -> Command {
    Command::from_std(keyaudit_std(dir))
}

/// [`keyaudit`] as a `std` command, for what assert_cmd does not offer
/// (a pipe read in part, limits set before `exec`).
pub fn keyaudit_std(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_keyaudit"));
    let home = std::env::temp_dir().join("keyaudit-test-home");
    std::fs::create_dir_all(&home).ok();
    cmd.env_clear()
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .current_dir(dir);
    cmd
}

/// Runs `cmd` with `args` and no input, killed after `deadline`: a hang (or
/// a crash: a signal, or a panic's exit 101) fails the test instead of
/// stalling it.
pub fn run_bounded(
    mut cmd: Command,
    args: &[&str],
    deadline: std::time::Duration,
) -> std::process::Output {
    let out = cmd.args(args).timeout(deadline).output().unwrap();
    match out.status.code() {
        None => {
            panic!("keyaudit {args:?} was killed (still running after {deadline:?}, or a signal)")
        }
        Some(101) => panic!(
            "keyaudit {args:?} panicked: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Some(_) => out,
    }
}

/// Runs keyaudit with `args` and parses its JSON report. Returns (exit code, report).
pub fn json_report(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = keyaudit(dir)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

/// (rule, source, path, line) of every finding in a JSON report.
pub fn findings(report: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["source"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// Asserts that no planted secret stands whole in a report's text (saying
/// which by its index and length only).
pub fn assert_none_printed(stdout: &str, secrets: &[&str]) {
    for (i, secret) in secrets.iter().enumerate() {
        assert!(
            !stdout.contains(secret),
            "planted secret #{i} ({} chars) printed whole",
            secret.len()
        );
    }
}

/// Runs `keyaudit ARGS` in `dir` for a JSON report, asserts that none of
/// the planted `secrets` is printed whole, and returns its findings
/// ([`findings`]).
pub fn json_findings(
    dir: &Path,
    args: &[&str],
    secrets: &[&str],
) -> Vec<(String, String, String, u64)> {
    let out = keyaudit(dir).args(args).output().unwrap();
    assert_none_printed(&String::from_utf8_lossy(&out.stdout), secrets);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    findings(&report)
}

/// Asserts that every (rule, source, path, line) is among `found`.
pub fn assert_found(found: &[(String, String, String, u64)], expected: &[(&str, &str, &str, u64)]) {
    for &(rule, source, path, line) in expected {
        assert!(
            found.contains(&(rule.into(), source.into(), path.into(), line)),
            "{rule} not found at {path}:{line} ({source}); found {found:?}"
        );
    }
}

/// The repository's fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

impl TestRepo {
    /// An annotated tag at HEAD.
    pub fn annotated_tag(&self, name: &str) {
        let head = self
            .repo
            .head()
            .unwrap()
            .peel(git2::ObjectType::Commit)
            .unwrap();
        let sig = Signature::new(
            "Ada Trader",
            "ada@example.com",
            &Time::new(1_767_225_600, 0),
        )
        .unwrap();
        self.repo.tag(name, &head, &sig, name, false).unwrap();
    }

    /// Deletes a local branch.
    pub fn delete_branch(&self, name: &str) {
        self.repo
            .find_branch(name, git2::BranchType::Local)
            .unwrap()
            .delete()
            .unwrap();
    }

    /// Points HEAD straight at its commit (detached HEAD).
    pub fn detach_head(&self) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo.set_head_detached(head.id()).unwrap();
    }
}

/// Runs the system `git` (only where git2 cannot build the repository, such
/// as bare and shallow clones), with no global or system config.
pub fn system_git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (rule, path, line, commit) of every history finding in a JSON report.
pub fn history_findings(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["source"] == "history")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// (rule, path, line, commit) of every finding history placed: a history
/// finding's own location, and for a secret found where it is now (the
/// working tree, the index), where history first had it
/// (`location.introduced`).
pub fn introduced_findings(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let loc = &f["location"];
            let at = match loc["source"].as_str() {
                Some("history") => loc,
                _ if loc["introduced"].is_object() => &loc["introduced"],
                _ => return None,
            };
            Some((
                f["rule"].as_str().unwrap().to_string(),
                at["path"].as_str().unwrap().to_string(),
                at["line"].as_u64().unwrap_or(0),
                at["commit"].as_str().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

/// The warnings' reasons in a JSON report, joined for assertions.
pub fn warnings_text(report: &serde_json::Value) -> String {
    report["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .map(|p| format!("{}: {}", p["path"], p["reason"]))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}
