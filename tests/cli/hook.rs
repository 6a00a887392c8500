//! `hook install | uninstall`: the pre-commit hook, exercised through the
//! system `git` (the hook is only worth anything if real `git commit` runs it),
//! with no system config and a temporary HOME.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::*;

const SECRET: &str = "TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ";

fn secret_line() -> String {
    format!("BINANCE_API_SECRET = \"{SECRET}\"\n")
}

/// A foreign hook that leaves a marker file behind, then exits with `code`.
fn foreign_hook(marker: &Path, code: i32) -> String {
    format!(
        "#!/bin/sh\n# someone else's hook\necho ran > '{}'\nexit {code}\n",
        marker.display()
    )
}

/// Runs the system git in `dir` with a cleared environment: PATH as given
/// (the test's own by default), a temporary HOME, no system config.
fn git_with_path(dir: &Path, path: &std::ffi::OsStr, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs")
}

fn git(dir: &Path, args: &[&str]) -> Output {
    git_with_path(dir, &std::env::var_os("PATH").unwrap_or_default(), args)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn head(repo: &TestRepo) -> Option<git2::Oid> {
    repo.repo.head().ok().and_then(|h| h.target())
}

fn hook_file(repo: &TestRepo) -> PathBuf {
    repo.repo.path().join("hooks").join("pre-commit")
}

fn chained_file(repo: &TestRepo) -> PathBuf {
    repo.repo
        .path()
        .join("hooks")
        .join("pre-commit.keyaudit-chained")
}

fn write_executable(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A repository with one clean commit.
fn repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write("README.md", "# bot\n");
    repo.commit_all("init");
    repo
}

fn install(dir: &Path, extra: &[&str]) -> Output {
    keyaudit(dir)
        .args(["hook", "install"])
        .args(extra)
        .output()
        .unwrap()
}

fn uninstall(dir: &Path) -> Output {
    keyaudit(dir).args(["hook", "uninstall"]).output().unwrap()
}

/// Stages `rel` with `content` and tries to commit it; returns git's output.
fn try_commit(repo: &TestRepo, rel: &str, content: &str, extra: &[&str]) -> Output {
    repo.write(rel, content);
    let add = git(repo.path(), &["add", rel]);
    assert!(add.status.success(), "git add: {}", text(&add));
    let mut args = vec!["commit", "-m", "change"];
    args.extend_from_slice(extra);
    git(repo.path(), &args)
}

#[test]
fn installed_hook_refuses_a_commit_that_adds_a_key() {
    let repo = repo();
    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let hook = hook_file(&repo);
    assert!(text(&out).contains(&hook.display().to_string()));
    assert_eq!(
        std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
        0o111
    );

    let before = head(&repo);
    let out = try_commit(&repo, "config.py", &secret_line(), &[]);
    let said = text(&out);
    assert!(!out.status.success(), "commit went through: {said}");
    assert_eq!(head(&repo), before, "HEAD moved");
    assert!(said.contains("binance-api-secret"), "{said}");
    assert!(said.contains("git commit --no-verify"), "{said}");
    assert!(!said.contains(SECRET), "whole secret printed: {said}");

    // A deliberate override still works.
    let out = git(repo.path(), &["commit", "-m", "override", "--no-verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_ne!(head(&repo), before);
}

#[test]
fn clean_commit_goes_through_when_installed_from_a_subfolder() {
    let repo = repo();
    repo.write("bot/strategy.py", "def run(): pass\n");
    let out = install(&repo.path().join("bot"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(hook_file(&repo).is_file());

    let before = head(&repo);
    let out = try_commit(&repo, "bot/strategy.py", "def run():\n    return 1\n", &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_ne!(head(&repo), before);
}

#[test]
fn install_refuses_to_clobber_a_foreign_hook() {
    let repo = repo();
    let marker = repo.path().join("foreign-ran");
    let foreign = foreign_hook(&marker, 0);
    write_executable(&hook_file(&repo), &foreign);

    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(&hook_file(&repo).display().to_string()),
        "{said}"
    );
    assert!(said.contains("--chain"), "{said}");
    assert_eq!(std::fs::read_to_string(hook_file(&repo)).unwrap(), foreign);
    assert!(!chained_file(&repo).exists());
}

#[test]
fn chain_keeps_the_foreign_hook_runs_it_and_uninstall_restores_it() {
    let repo = repo();
    let marker = repo.path().join("foreign-ran");
    let foreign = foreign_hook(&marker, 0);
    write_executable(&hook_file(&repo), &foreign);

    let out = install(repo.path(), &["--chain"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(chained_file(&repo)).unwrap(),
        foreign
    );
    assert!(
        std::fs::read_to_string(hook_file(&repo))
            .unwrap()
            .contains("# installed by keyaudit")
    );

    // A clean commit runs the foreign hook, then ours, and goes through.
    let before = head(&repo);
    let out = try_commit(&repo, "strategy.py", "def run(): pass\n", &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(marker.exists(), "the chained hook did not run");
    assert_ne!(head(&repo), before);

    // A key is still refused, after the foreign hook ran.
    std::fs::remove_file(&marker).unwrap();
    let before = head(&repo);
    let out = try_commit(&repo, "config.py", &secret_line(), &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(marker.exists());
    assert_eq!(head(&repo), before);

    // Installing again keeps the chain as it is.
    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(chained_file(&repo)).unwrap(),
        foreign
    );

    let out = uninstall(repo.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(hook_file(&repo)).unwrap(), foreign);
    assert!(!chained_file(&repo).exists());
    assert_eq!(
        std::fs::metadata(hook_file(&repo))
            .unwrap()
            .permissions()
            .mode()
            & 0o111,
        0o111
    );
}

#[test]
fn a_failing_chained_hook_blocks_a_clean_commit() {
    let repo = repo();
    let marker = repo.path().join("foreign-ran");
    write_executable(&hook_file(&repo), &foreign_hook(&marker, 3));
    let out = install(repo.path(), &["--chain"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let before = head(&repo);
    let out = try_commit(&repo, "strategy.py", "def run(): pass\n", &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(marker.exists());
    assert_eq!(head(&repo), before);
}

#[test]
fn uninstall_removes_ours_and_leaves_a_foreign_hook_alone() {
    let repo = repo();
    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = uninstall(repo.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!hook_file(&repo).exists());

    // With the hook gone, the key commits (so the test above proves the hook).
    let out = try_commit(&repo, "config.py", &secret_line(), &[]);
    assert!(out.status.success(), "{}", text(&out));

    let foreign = foreign_hook(&repo.path().join("foreign-ran"), 0);
    write_executable(&hook_file(&repo), &foreign);
    let out = uninstall(repo.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(&hook_file(&repo).display().to_string()));
    assert_eq!(std::fs::read_to_string(hook_file(&repo)).unwrap(), foreign);
}

#[test]
fn install_is_idempotent_and_updates_ours_in_place() {
    let repo = repo();
    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let first = std::fs::read_to_string(hook_file(&repo)).unwrap();

    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("already installed"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(hook_file(&repo)).unwrap(), first);

    // An older script of ours is rewritten, not chained.
    write_executable(
        &hook_file(&repo),
        "#!/bin/sh\n# installed by keyaudit\nexit 0\n",
    );
    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("updated"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(hook_file(&repo)).unwrap(), first);
    assert!(!chained_file(&repo).exists());
    let entries = std::fs::read_dir(hook_file(&repo).parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("keyaudit"))
        .count();
    assert_eq!(entries, 0, "temporary or chained files left behind");
}

#[test]
fn core_hooks_path_is_respected() {
    let repo = repo();
    repo.repo
        .config()
        .unwrap()
        .set_str("core.hooksPath", "githooks")
        .unwrap();
    repo.write("bot/a.py", "x = 1\n");
    let out = install(&repo.path().join("bot"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let hook = repo.path().join("githooks").join("pre-commit");
    assert!(hook.is_file(), "{}", text(&out));
    assert!(!hook_file(&repo).exists());

    let before = head(&repo);
    let out = try_commit(&repo, "config.py", &secret_line(), &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(head(&repo), before);

    let out = uninstall(repo.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!hook.exists());
}

#[test]
fn a_linked_worktree_uses_the_shared_hooks_folder() {
    let repo = repo();
    let wt_parent = tempfile::tempdir().unwrap();
    let wt = wt_parent.path().join("wt");
    let out = git(
        repo.path(),
        &["worktree", "add", "-b", "side", wt.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out));

    let out = install(&wt, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(hook_file(&repo).is_file());

    std::fs::write(wt.join("config.py"), secret_line()).unwrap();
    assert!(git(&wt, &["add", "config.py"]).status.success());
    let out = git(&wt, &["commit", "-m", "key"]);
    assert!(!out.status.success(), "{}", text(&out));
}

#[test]
fn a_missing_binary_blocks_the_commit_with_a_message() {
    let repo = repo();
    let bin_dir = tempfile::tempdir().unwrap();
    let copy = bin_dir.path().join("keyaudit");
    std::fs::copy(env!("CARGO_BIN_EXE_keyaudit"), &copy).unwrap();
    let out = std::process::Command::new(&copy)
        .args(["hook", "install"])
        .current_dir(repo.path())
        .env_clear()
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    std::fs::remove_file(&copy).unwrap();

    // A PATH with git and sh but no keyaudit on it.
    let test_path = std::env::var_os("PATH").unwrap_or_default();
    let git_dir = std::env::split_paths(&test_path)
        .find(|d| d.join("git").is_file())
        .expect("git on PATH");
    let bare_path =
        std::env::join_paths([git_dir.as_path(), Path::new("/usr/bin"), Path::new("/bin")])
            .unwrap();
    for dir in std::env::split_paths(&bare_path) {
        assert!(
            !dir.join("keyaudit").exists(),
            "keyaudit in {}",
            dir.display()
        );
    }
    repo.write("strategy.py", "def run(): pass\n");
    assert!(git(repo.path(), &["add", "strategy.py"]).status.success());
    let before = head(&repo);
    let out = git_with_path(repo.path(), &bare_path, &["commit", "-m", "clean"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("keyaudit not found"), "{}", text(&out));
    assert_eq!(head(&repo), before);

    // keyaudit on PATH is the fallback.
    let on_path = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_keyaudit"),
        on_path.path().join("keyaudit"),
    )
    .unwrap();
    let mut dirs = vec![on_path.path().to_path_buf()];
    dirs.extend(std::env::split_paths(&bare_path));
    let path = std::env::join_paths(dirs).unwrap();
    let out = git_with_path(repo.path(), &path, &["commit", "-m", "clean"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_ne!(head(&repo), before);
}

#[test]
fn outside_a_repository_or_in_a_bare_one_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = install(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not in a git repository"),
        "{}",
        text(&out)
    );
    let out = uninstall(dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    git2::Repository::init_bare(dir.path().join("bare.git")).unwrap();
    let out = install(&dir.path().join("bare.git"), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("bare repository"), "{}", text(&out));
    assert!(!dir.path().join("bare.git/hooks/pre-commit").exists());
}

#[test]
fn commit_all_is_checked_through_gits_temporary_index() {
    let mut repo = TestRepo::new();
    repo.write("config.py", "BINANCE_API_SECRET = None\n");
    repo.commit_all("init");
    let out = install(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Not staged: `git commit -a` stages it into a temporary index (GIT_INDEX_FILE).
    repo.write("config.py", &secret_line());
    let before = head(&repo);
    let out = git(repo.path(), &["commit", "-a", "-m", "key"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("binance-api-secret"), "{}", text(&out));
    assert_eq!(head(&repo), before);
}
