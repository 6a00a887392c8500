//! keyaudit's own files on hostile repositories: a config, manifest or
//! baseline that is a symlink to /dev/zero or a FIFO ends the run quickly
//! (exit 2, naming it) instead of hanging or growing; keyaudit never writes
//! through a committed symlink; a symlinked `.gitignore` counts for nothing,
//! as in git; and `--no-repo-config` stops a pull request from switching the
//! scan off.

#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::*;

const LINE: &str =
    "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";

/// Runs keyaudit in `dir` with at most 1 GiB of address space, killed after
/// 20 s: a hang or an unbounded read fails the test instead of stalling it.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = keyaudit_std(dir);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    crate::support::run_bounded(
        assert_cmd::Command::from_std(cmd),
        args,
        Duration::from_secs(20),
    )
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// Asserts exit 2 with an error naming `name` and saying `why`.
fn assert_refused(out: &Output, name: &str, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains(name) && stderr.contains(why),
        "expected {name:?} and {why:?} in: {stderr}"
    );
}

#[test]
fn a_committed_config_symlink_to_dev_zero_is_exit_2_without_reading_it() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    symlink("/dev/zero", repo.path().join("keyaudit.toml")).unwrap();
    repo.commit_all("zero config");
    let started = Instant::now();
    for args in [
        &["audit", "."][..],
        &["scan", "."],
        &["env", "."],
        &["manifest", "."],
    ] {
        let out = run_bounded(repo.path(), args);
        assert_refused(&out, "keyaudit.toml", "symbolic link");
    }
    assert!(started.elapsed() < Duration::from_secs(15));
    // Named on the command line it is followed, and refused as a device.
    let out = run_bounded(repo.path(), &["audit", "--config", "keyaudit.toml", "."]);
    assert_refused(&out, "keyaudit.toml", "not a regular file");
}

#[test]
fn a_config_fifo_is_exit_2_instead_of_blocking() {
    let repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    mkfifo(&repo.path().join("keyaudit.toml"));
    let out = run_bounded(repo.path(), &["audit", "."]);
    assert_refused(&out, "keyaudit.toml", "not a regular file");
    let out = run_bounded(repo.path(), &["scan", "--config", "keyaudit.toml", "."]);
    assert_refused(&out, "keyaudit.toml", "not a regular file");
}

#[test]
fn a_config_over_the_bound_is_exit_2_naming_the_bound() {
    let repo = TestRepo::new();
    let mut text = String::from("[scan]\n");
    while text.len() <= 5 << 20 {
        text.push_str("# a long comment line, repeated until the file is over the bound\n");
    }
    repo.write("keyaudit.toml", &text);
    let out = run_bounded(repo.path(), &["scan", "."]);
    assert_refused(&out, "keyaudit.toml", "larger than the 4 MiB");
}

#[test]
fn baseline_option_on_dev_zero_or_a_fifo_is_exit_2() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    symlink("/dev/zero", repo.path().join("zero.json")).unwrap();
    repo.commit_all("zero baseline");
    mkfifo(&repo.path().join("fifo.json"));
    for name in ["zero.json", "fifo.json"] {
        let out = run_bounded(repo.path(), &["audit", "--baseline", name, "."]);
        assert_refused(&out, name, "not a regular file");
    }
}

#[test]
fn manifest_option_on_dev_zero_or_a_fifo_is_exit_2() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    symlink("/dev/zero", repo.path().join("zero.toml")).unwrap();
    repo.commit_all("zero manifest");
    mkfifo(&repo.path().join("fifo.toml"));
    for name in ["zero.toml", "fifo.toml"] {
        let out = run_bounded(repo.path(), &["manifest", "--manifest", name, "."]);
        assert_refused(&out, name, "not a regular file");
    }
}

#[test]
fn a_config_named_on_the_command_line_may_be_a_symlink_to_a_regular_file() {
    let repo = TestRepo::new();
    repo.write("fixtures/demo.py", LINE);
    let trusted = tempfile::tempdir().unwrap();
    let file = trusted.path().join("trusted.toml");
    std::fs::write(&file, "[scan]\nexclude = [\"fixtures\"]\n").unwrap();
    symlink(&file, repo.path().join("link.toml")).unwrap();
    let (code, report) = json_report(repo.path(), &["scan", "--config", "link.toml", "."]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["skipped"]["excluded"], 1);
}

#[test]
fn baseline_never_writes_through_a_committed_symlink() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", LINE);
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "keep me\n").unwrap();
    symlink(&victim, repo.path().join("keyaudit-baseline.json")).unwrap();
    repo.commit_all("baseline link");
    let out = run_bounded(repo.path(), &["baseline", "."]);
    assert_refused(&out, "keyaudit-baseline.json", "symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    // A dangling link is not created through either.
    std::fs::remove_file(&victim).unwrap();
    let out = run_bounded(repo.path(), &["baseline", "."]);
    assert_refused(&out, "keyaudit-baseline.json", "symbolic link");
    assert!(!victim.exists());
}

#[test]
fn env_fix_never_appends_through_a_symlinked_gitignore() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "keep me\n").unwrap();
    symlink(&victim, repo.path().join(".gitignore")).unwrap();
    repo.commit_all("gitignore link");
    repo.write(".env", "LOG_LEVEL=debug\n");
    let out = run_bounded(repo.path(), &["env", "--fix", "."]);
    assert_refused(&out, ".gitignore", "symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
}

#[test]
fn manifest_init_never_writes_through_a_symlink() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "import os\nos.getenv('BINANCE_API_KEY')\n");
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    symlink(&victim, repo.path().join("keyaudit.toml")).unwrap();
    repo.commit_all("manifest link");
    let out = run_bounded(repo.path(), &["manifest", "--init", "."]);
    assert_refused(&out, "keyaudit.toml", "already exists");
    assert!(!victim.exists());
}

/// Whether the real git ignores `rel` (`git check-ignore` exits 0 for an
/// ignored path, 1 for one it would commit).
fn git_ignores(dir: &Path, rel: &str) -> bool {
    let out = Command::new("git")
        .args(["check-ignore", "-q", rel])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    match out.status.code() {
        Some(0) => true,
        Some(1) => false,
        _ => panic!("git check-ignore: {}", String::from_utf8_lossy(&out.stderr)),
    }
}

#[test]
fn a_symlinked_gitignore_counts_for_nothing_as_in_git() {
    let mut repo = TestRepo::new();
    let outside = tempfile::tempdir().unwrap();
    let rules = outside.path().join("rules");
    std::fs::write(&rules, ".env\nkeys.py\n").unwrap();
    symlink(&rules, repo.path().join(".gitignore")).unwrap();
    // A regular .gitignore one folder down is read, by git and by keyaudit.
    repo.write("sub/.gitignore", "local.py\n");
    repo.write("bot.py", "print('hi')\n");
    repo.commit_all("start");
    repo.write(".env", "LOG_LEVEL=debug\n");
    repo.write("keys.py", LINE);
    repo.write("sub/local.py", LINE);
    // .git/info/exclude still counts.
    repo.write(".git/info/exclude", "excl.py\n");
    repo.write("excl.py", LINE);

    // What git itself says.
    assert!(!git_ignores(repo.path(), ".env"));
    assert!(!git_ignores(repo.path(), "keys.py"));
    assert!(git_ignores(repo.path(), "sub/local.py"));
    assert!(git_ignores(repo.path(), "excl.py"));
    let status = Command::new("git")
        .args(["status", "--porcelain", "--ignored", "-uall"])
        .current_dir(repo.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    for line in ["?? .env", "?? keys.py", "!! sub/local.py", "!! excl.py"] {
        assert!(status.lines().any(|l| l == line), "{line:?} in {status}");
    }

    let (code, report) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 1, "{report:#}");
    let found = findings(&report);
    let source_of = |path: &str| {
        found
            .iter()
            .find(|(rule, _, p, _)| p == path && rule == "binance-api-secret")
            .map(|(_, source, _, _)| source.clone())
    };
    assert_eq!(source_of("keys.py").as_deref(), Some("tree"), "{found:?}");
    assert_eq!(
        source_of("sub/local.py").as_deref(),
        Some("ignored"),
        "{found:?}"
    );
    assert_eq!(
        source_of("excl.py").as_deref(),
        Some("ignored"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(rule, _, path, _)| rule == "env-file-not-ignored" && path == ".env"),
        "{found:?}"
    );
    let warned =
        report["warnings"].as_array().unwrap().iter().any(|w| {
            w["path"] == ".gitignore" && w["reason"].as_str().unwrap().contains("symbolic")
        });
    assert!(warned, "{:#}", report["warnings"]);
}

#[test]
fn a_gitignore_fifo_does_not_block_the_classification() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    repo.commit_all("start");
    repo.write("sub/keys.py", LINE);
    mkfifo(&repo.path().join("sub/.gitignore"));
    let out = run_bounded(repo.path(), &["audit", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = findings(&report);
    assert!(
        found
            .iter()
            .any(|(_, source, path, _)| path == "sub/keys.py" && source == "tree"),
        "{found:?}"
    );
}

/// `main` with a clean file, `pr` adding a secret and a config that excludes everything.
fn pull_request_that_excludes_everything() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write("README.md", "a bot\n");
    repo.commit_all("start");
    let main = repo.current_branch();
    repo.checkout_new_branch("pr");
    repo.write("keyaudit.toml", "[scan]\nexclude = [\"**\"]\n");
    repo.write("bot/config.py", LINE);
    repo.commit_all("add config");
    if main != "main" {
        let head = repo
            .repo
            .revparse_single(&main)
            .unwrap()
            .peel_to_commit()
            .unwrap();
        repo.repo.branch("main", &head, true).unwrap();
    }
    repo
}

#[test]
fn the_repository_config_can_exclude_everything_but_the_report_says_so() {
    let repo = pull_request_that_excludes_everything();
    let (code, report) = json_report(repo.path(), &["scan", "--range", "main..pr", "."]);
    assert_eq!(code, 0, "{report:#}");
    // keyaudit.toml and bot/config.py, both left out by the repository's own pattern.
    assert_eq!(report["summary"]["skipped"]["excluded_by_repo_config"], 2);
    let out = keyaudit(repo.path())
        .args(["scan", "--range", "main..pr", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the repository's own keyaudit.toml excluded 2 paths"),
        "{stdout}"
    );
    // audit counts the working tree's paths the same way.
    let (_, report) = json_report(repo.path(), &["audit", "."]);
    assert!(
        report["summary"]["skipped"]["excluded_by_repo_config"]
            .as_u64()
            .unwrap()
            >= 2,
        "{:#}",
        report["summary"]
    );
}

#[test]
fn no_repo_config_keeps_a_pull_request_from_switching_the_scan_off() {
    let repo = pull_request_that_excludes_everything();
    let (code, report) = json_report(
        repo.path(),
        &["--no-repo-config", "scan", "--range", "main..pr", "."],
    );
    assert_eq!(code, 1, "{report:#}");
    let paths: Vec<String> = findings(&report).into_iter().map(|f| f.2).collect();
    assert_eq!(paths, vec!["bot/config.py".to_string()]);
    assert_eq!(report["summary"]["skipped"]["excluded_by_repo_config"], 0);
    // A trusted config from outside the pull request still applies (and is not counted as the repository's).
    let trusted = tempfile::tempdir().unwrap();
    let file = trusted.path().join("keyaudit.toml");
    std::fs::write(&file, "[scan]\nexclude = [\"README.md\"]\n").unwrap();
    let (code, report) = json_report(
        repo.path(),
        &[
            "--no-repo-config",
            "--config",
            file.to_str().unwrap(),
            "audit",
            ".",
        ],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["summary"]["skipped"]["excluded_by_repo_config"], 0);
    assert!(report["summary"]["skipped"]["excluded"].as_u64().unwrap() >= 1);
    // Without --config, the manifest is not read either, and the report says so.
    let (_, report) = json_report(repo.path(), &["--no-repo-config", "audit", "."]);
    let rules: Vec<String> = findings(&report).into_iter().map(|f| f.0).collect();
    assert!(
        !rules.iter().any(|r| r.starts_with("manifest-")),
        "{rules:?}"
    );
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["reason"].as_str().unwrap().contains("--no-repo-config")),
        "{:#}",
        report["warnings"]
    );
}
