//! Working-tree scans: classification (tree / ignored), findings, exit codes.

use std::path::Path;

use crate::support::*;

#[test]
fn key_in_tracked_file_is_a_leak_and_in_ignored_env_is_not() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        "bot/config.py",
        "exchange = ccxt.binance({\n    'apiKey': 'u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ',\n})\n",
    );
    repo.commit_all("bot");
    repo.write(
        ".env",
        "BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu\n",
    );
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        found.contains(&(
            "binance-api-key".into(),
            "tree".into(),
            "bot/config.py".into(),
            2
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "bybit-api-secret".into(),
            "ignored".into(),
            ".env".into(),
            1
        )),
        "{found:?}"
    );
    assert_eq!(report["summary"]["findings"], 1);
    assert_eq!(report["summary"]["ignored_findings"], 1);
}

// ---- The fixture bots -------------------------------------------------------

/// One planted key of `fixtures/leaky-bot/EXPECTED.tsv`. Its `Debug` form
/// (what a failing assertion shows) leaves the secret out.
#[derive(Clone)]
pub struct Planted {
    pub rule: String,
    pub path: String,
    pub line: u64,
    /// The secret as written in the file (a PEM inside JSON keeps its `\n` escapes).
    pub secret: String,
}

impl std::fmt::Debug for Planted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {}:{} ({} chars)",
            self.rule,
            self.path,
            self.line,
            self.secret.len()
        )
    }
}

/// Every row of `fixtures/leaky-bot/EXPECTED.tsv` (written by hand, not by keyaudit).
pub fn planted() -> Vec<Planted> {
    let text = std::fs::read_to_string(fixtures().join("leaky-bot/EXPECTED.tsv")).unwrap();
    let rows: Vec<Planted> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "EXPECTED.tsv row {l:?}");
            Planted {
                rule: cols[0].to_string(),
                path: cols[1].to_string(),
                line: cols[2].parse().unwrap(),
                secret: cols[3].to_string(),
            }
        })
        .collect();
    assert!(rows.len() >= 30, "EXPECTED.tsv has {} rows", rows.len());
    rows
}

/// Copies a folder recursively, leaving out the names in `skip` at its top.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|s| name == **s) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target, &[]);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Relative paths ('/' separators) of every file under `dir`.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// A repository holding a copy of `fixtures/<name>`, everything committed.
/// EXPECTED.tsv (the answer key) stays out of the copy.
pub fn fixture_repo(name: &str) -> TestRepo {
    let mut repo = TestRepo::new();
    copy_dir(&fixtures().join(name), repo.path(), &["EXPECTED.tsv"]);
    repo.commit_all(name);
    repo
}

#[test]
fn leaky_bot_every_planted_key_is_found_with_its_rule_path_and_line() {
    let repo = fixture_repo("leaky-bot");
    // The tracked .env.production must really be tracked for this test to mean anything.
    assert!(
        repo.repo
            .index()
            .unwrap()
            .get_path(Path::new(".env.production"), 0)
            .is_some(),
        ".env.production is not tracked"
    );
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1, "{report:#}");
    let found = findings(&report);
    let mut missing = Vec::new();
    for p in planted() {
        let want = (p.rule.clone(), "tree".to_string(), p.path.clone(), p.line);
        if !found.contains(&want) {
            missing.push(want);
        }
    }
    assert!(missing.is_empty(), "missing {missing:#?}\nfound {found:#?}");
    // Nothing else is reported: one finding per planted key.
    let expected: Vec<_> = planted()
        .into_iter()
        .map(|p| (p.rule, "tree".to_string(), p.path, p.line))
        .collect();
    let extra: Vec<_> = found.iter().filter(|f| !expected.contains(f)).collect();
    assert!(extra.is_empty(), "unexpected findings {extra:#?}");
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    assert_eq!(report["summary"]["findings"], expected.len());
    assert_eq!(report["summary"]["ignored_findings"], 0);
}

#[test]
fn leaky_bot_each_planted_secret_is_the_one_reported() {
    // The redacted text starts with the secret's first characters and gives its length.
    let repo = fixture_repo("leaky-bot");
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    for p in planted() {
        let f = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["rule"] == p.rule.as_str()
                    && f["location"]["path"] == p.path.as_str()
                    && f["location"]["line"] == p.line
            })
            .unwrap_or_else(|| panic!("no finding for {p:?}"));
        let redacted = f["secret"]["redacted"].as_str().unwrap();
        let shown: String = redacted.chars().take_while(|c| *c != '…').collect();
        assert!(
            !shown.is_empty() && p.secret.starts_with(&shown),
            "{p:?}: redacted {redacted:?}"
        );
        assert!(
            redacted.contains(&format!("({} chars)", p.secret.chars().count())),
            "{p:?}: redacted {redacted:?}"
        );
    }
}

#[test]
fn clean_bot_reports_nothing_and_exits_0() {
    let repo = fixture_repo("clean-bot");
    let (code, report) = json_report(repo.path(), &["scan", ".", "--fail-on", "low"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["ignored_findings"], 0);
    // Every file was read, not skipped: the look-alikes were really looked at.
    let files = files_under(&fixtures().join("clean-bot"));
    assert_eq!(
        report["summary"]["files_scanned"],
        files.len(),
        "files: {files:?}\n{report:#}"
    );
}

#[test]
fn clean_bot_in_place_reports_nothing_and_exits_0() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = keyaudit(root)
        .args(["scan", "fixtures/clean-bot"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout={} stderr={}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- Classification ---------------------------------------------------------

const BYBIT_SECRET_LINE: &str = "BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu\n";

#[test]
fn key_in_gitignored_env_is_only_ignored_and_does_not_fail_the_run() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot.py", "import os\nKEY = os.getenv('BYBIT_API_KEY')\n");
    repo.commit_all("bot");
    repo.write(".env", BYBIT_SECRET_LINE);
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        findings(&report),
        vec![(
            "bybit-api-secret".to_string(),
            "ignored".to_string(),
            ".env".to_string(),
            1
        )]
    );
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["ignored_findings"], 1);
    for sev in ["critical", "high", "medium", "low"] {
        assert_eq!(report["summary"]["by_severity"][sev], 0, "{sev}");
    }
    // `audit` treats it the same way.
    let (code, _) = json_report(repo.path(), &["audit", "."]);
    assert_eq!(code, 0);
}

#[test]
fn untracked_file_that_is_not_ignored_is_a_tree_leak() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("README.md", "bot\n");
    repo.commit_all("init");
    repo.write("notes/keys.env", BYBIT_SECRET_LINE);
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(
            "bybit-api-secret".to_string(),
            "tree".to_string(),
            "notes/keys.env".to_string(),
            1
        )]
    );
}

#[test]
fn the_git_directory_is_never_scanned() {
    let mut repo = TestRepo::new();
    repo.write("keys.env", BYBIT_SECRET_LINE);
    repo.commit_all("leak");
    repo.remove("keys.env");
    repo.commit_all("remove");
    // Plain-text files inside .git: a hook, a note, a config value.
    repo.write(".git/hooks/post-commit", BYBIT_SECRET_LINE);
    repo.write(".git/keys.env", BYBIT_SECRET_LINE);
    repo.write("README.md", "bot\n");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report["summary"]["files_scanned"], 1, "{report:#}");
}

// ---- What is skipped, and what is not ---------------------------------------

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_and_loops_do_not_hang() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keys.env"), BYBIT_SECRET_LINE).unwrap();
    let mut repo = TestRepo::new();
    repo.write("README.md", "bot\n");
    repo.commit_all("init");
    let link = |target: &Path, name: &str| {
        let at = repo.path().join(name);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, at).unwrap();
    };
    link(&outside.path().join("keys.env"), "linked.env");
    link(outside.path(), "linked_dir");
    link(Path::new(".."), "sub/up");
    link(Path::new("loop_b"), "loop_a");
    link(Path::new("loop_a"), "loop_b");
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--format", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report["summary"]["skipped"]["symlinks"], 5, "{report:#}");
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let mut repo = TestRepo::new();
    let mut bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
    bytes.extend_from_slice(BYBIT_SECRET_LINE.as_bytes());
    repo.write_bytes("bin/bot", &bytes);
    repo.write("keys.env", BYBIT_SECRET_LINE);
    repo.commit_all("bot");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(
            "bybit-api-secret".to_string(),
            "tree".to_string(),
            "keys.env".to_string(),
            1
        )]
    );
    assert_eq!(report["summary"]["skipped"]["binary"], 1, "{report:#}");
    assert_eq!(report["summary"]["files_scanned"], 1);
}

#[test]
fn files_over_max_file_size_are_skipped_and_counted() {
    let mut repo = TestRepo::new();
    repo.write("small.env", BYBIT_SECRET_LINE);
    let big = format!("{BYBIT_SECRET_LINE}{}", "# padding\n".repeat(1000));
    repo.write("big.env", &big);
    repo.commit_all("bot");
    let only_small = vec![(
        "bybit-api-secret".to_string(),
        "tree".to_string(),
        "small.env".to_string(),
        1,
    )];

    let (code, report) = json_report(repo.path(), &["scan", ".", "--max-file-size", "4KiB"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report), only_small);
    assert_eq!(report["summary"]["skipped"]["too_large"], 1, "{report:#}");

    let (_, report) = json_report(repo.path(), &["scan", ".", "--max-file-size", "4096"]);
    assert_eq!(findings(&report), only_small);

    // The same limit from keyaudit.toml.
    repo.write("keyaudit.toml", "[scan]\nmax_file_size = \"4KiB\"\n");
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(findings(&report), only_small);
    assert_eq!(report["summary"]["skipped"]["too_large"], 1);

    // Without a limit both are found.
    repo.remove("keyaudit.toml");
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(findings(&report).len(), 2, "{report:#}");
    assert_eq!(report["summary"]["skipped"]["too_large"], 0);
}

#[test]
fn invalid_utf8_files_are_still_scanned() {
    let mut repo = TestRepo::new();
    let mut bytes = b"# caf\xe9 cr\xe8me \xff\xfe \xc3\x28\n".to_vec();
    bytes.extend_from_slice(BYBIT_SECRET_LINE.as_bytes());
    bytes.extend_from_slice(b"\xa9 2026\n");
    repo.write_bytes("latin1.env", &bytes);
    repo.commit_all("bot");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(
            "bybit-api-secret".to_string(),
            "tree".to_string(),
            "latin1.env".to_string(),
            2
        )]
    );
}

#[cfg(unix)]
#[test]
fn fifos_are_skipped_without_hanging() {
    let mut repo = TestRepo::new();
    repo.write("keys.env", BYBIT_SECRET_LINE);
    repo.commit_all("bot");
    let status = std::process::Command::new("mkfifo")
        .arg(repo.path().join("pipe.env"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--format", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&report).len(), 1, "{report:#}");
    assert_eq!(report["summary"]["skipped"]["special"], 1, "{report:#}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_warning_and_other_findings_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let mut repo = TestRepo::new();
    repo.write("keys.env", BYBIT_SECRET_LINE);
    repo.write("locked.env", "BYBIT_API_KEY=4JdpmrcXgGCJbW56eC\n");
    repo.commit_all("bot");
    let locked = repo.path().join("locked.env");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root, chmod 000 does not stop reads: the warning cannot happen there.
    let blocked = std::fs::read(&locked).is_err();

    let out = keyaudit(repo.path())
        .args(["scan", ".", "--format", "json"])
        .output()
        .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = findings(&report);
    assert!(
        found.contains(&(
            "bybit-api-secret".to_string(),
            "tree".to_string(),
            "keys.env".to_string(),
            1
        )),
        "{found:?}"
    );
    if blocked {
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(report["summary"]["skipped"]["unreadable"], 1, "{report:#}");
        let warnings = report["warnings"].as_array().expect("warnings");
        assert!(
            warnings.iter().any(|w| w["path"] == "locked.env"),
            "{warnings:?}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("locked.env"), "stderr: {stderr}");
    } else {
        assert_eq!(found.len(), 2, "{found:?}");
    }
}

// ---- Configuration errors and exit codes ------------------------------------

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = keyaudit(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn malformed_config_exits_2_naming_file_line_and_column() {
    let mut repo = TestRepo::new();
    repo.write("keys.env", BYBIT_SECRET_LINE);
    repo.write("keyaudit.toml", "# settings\n[scan\nmax_file_size = 3\n");
    repo.commit_all("bot");
    let (code, stdout, stderr) = run(repo.path(), &["scan", "."]);
    assert_eq!(code, 2, "stdout={stdout} stderr={stderr}");
    assert!(stderr.contains("keyaudit.toml:2:6"), "stderr: {stderr}");

    // --config names another file; its errors name it.
    repo.write("other.toml", "[scan]\nmax_file_size = \"sixteen\"\n");
    let (code, _, stderr) = run(repo.path(), &["scan", ".", "--config", "other.toml"]);
    assert_eq!(code, 2, "stderr={stderr}");
    assert!(stderr.contains("other.toml:2:"), "stderr: {stderr}");

    // A --config that does not exist cannot run either.
    let (code, _, stderr) = run(repo.path(), &["scan", ".", "--config", "missing.toml"]);
    assert_eq!(code, 2, "stderr={stderr}");
    assert!(stderr.contains("missing.toml"), "stderr: {stderr}");
}

#[test]
fn unknown_config_key_exits_2() {
    let mut repo = TestRepo::new();
    repo.write("keys.env", BYBIT_SECRET_LINE);
    repo.write(
        "keyaudit.toml",
        "[scan]\nmax_file_size = \"1MiB\"\nmax_files = 10\n",
    );
    repo.commit_all("bot");
    let (code, stdout, stderr) = run(repo.path(), &["scan", "."]);
    assert_eq!(code, 2, "stdout={stdout} stderr={stderr}");
    assert!(stderr.contains("keyaudit.toml:3:1"), "stderr: {stderr}");
    assert!(stderr.contains("max_files"), "stderr: {stderr}");

    repo.write("keyaudit.toml", "[scanner]\nmax_file_size = 10\n");
    let (code, _, stderr) = run(repo.path(), &["scan", "."]);
    assert_eq!(code, 2, "stderr={stderr}");
    assert!(stderr.contains("keyaudit.toml:1:"), "stderr: {stderr}");
}

#[test]
fn fail_on_sets_the_lowest_failing_severity() {
    // One high finding (a Bybit key id) and nothing else.
    let mut repo = TestRepo::new();
    repo.write("bybit.env", "BYBIT_API_KEY=4JdpmrcXgGCJbW56eC\n");
    repo.commit_all("bot");
    let (_, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(
        findings(&report),
        vec![(
            "bybit-api-key".to_string(),
            "tree".to_string(),
            "bybit.env".to_string(),
            1
        )]
    );
    assert_eq!(report["findings"][0]["severity"], "high");
    for (fail_on, want) in [
        (None, 1),
        (Some("critical"), 0),
        (Some("high"), 1),
        (Some("medium"), 1),
        (Some("low"), 1),
        (Some("never"), 0),
    ] {
        let mut args = vec!["scan", "."];
        if let Some(f) = fail_on {
            args.extend(["--fail-on", f]);
        }
        let (code, _) = json_report(repo.path(), &args);
        assert_eq!(code, want, "--fail-on {fail_on:?}");
    }

    // A low finding (a password-encrypted hummingbot key) fails only with --fail-on low.
    let mut repo = TestRepo::new();
    let hex =
        std::fs::read_to_string(fixtures().join("leaky-bot/conf/connectors/binance.yml")).unwrap();
    repo.write("conf/connectors/binance.yml", &hex);
    repo.commit_all("bot");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["findings"][0]["severity"], "low", "{report:#}");
    assert_eq!(report["summary"]["by_severity"]["low"], 1);
    let (code, _) = json_report(repo.path(), &["scan", ".", "--fail-on", "low"]);
    assert_eq!(code, 1);
    let (code, _) = json_report(repo.path(), &["scan", ".", "--fail-on", "medium"]);
    assert_eq!(code, 0);
}

#[test]
fn bad_arguments_exit_2() {
    let repo = TestRepo::new();
    let (code, _, _) = run(repo.path(), &["scan", ".", "--fail-on", "sometimes"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(repo.path(), &["scan", ".", "--format", "yaml"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(repo.path(), &["scan", ".", "--max-file-size", "lots"]);
    assert_eq!(code, 2);
}

#[test]
fn hyperliquid_key_next_to_its_own_address_is_proven_and_high_confidence() {
    // A synthetic key. The file never names Hyperliquid: its folder does. The address
    // derivation itself is checked against Hardhat's published account #0 in the unit tests.
    const KEY: &str = "0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616";
    let address = keyaudit::detect::validate::evm_address(KEY.as_bytes()).unwrap();
    let hex: String = address.iter().map(|b| format!("{b:02x}")).collect();
    let mut repo = TestRepo::new();
    repo.write(
        "hyperliquid/config.json",
        &format!("{{\"secret_key\": \"{KEY}\",\n \"account_address\": \"0x{hex}\"}}\n"),
    );
    repo.commit_all("hl");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "hyperliquid-private-key");
    assert_eq!(f["confidence"], "high");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("(proven: the address it controls"),
        "{f}"
    );
    assert!(!serde_json::to_string(&report).unwrap().contains(&KEY[2..]));
}

#[test]
fn threads_caps_the_workers_and_finds_the_same() {
    let mut repo = TestRepo::new();
    for i in 0..20 {
        repo.write(
            &format!("bots/b{i}/config.py"),
            &format!(
                "exchange = ccxt.binance({{\n    'apiKey': '{:02}{}',\n}})\n",
                i, "jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ"
            ),
        );
    }
    repo.commit_all("bots");
    let (code, all_cores) = json_report(repo.path(), &["scan", ".", "--history"]);
    assert_eq!(code, 1);
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--history", "--threads", "1", "--verbose"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("keyaudit: 1 worker threads"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let one: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&one), findings(&all_cores));
    assert_eq!(findings(&one).len(), 20);
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `--rule-stats` prints, after the run, what each rule cost and matched.
#[test]
fn rule_stats_name_each_rule_that_ran_with_its_matches() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.py"),
        "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n",
    )
    .unwrap();
    let out = keyaudit(dir.path())
        .args(["scan", ".", "--rule-stats", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("keyaudit rule stats: 1 scans"), "{stderr}");
    let row = stderr
        .lines()
        .find(|l| l.starts_with("binance-api-secret "))
        .unwrap_or_else(|| panic!("no row for the rule: {stderr}"));
    let columns: Vec<&str> = row.split_whitespace().collect();
    // rule, regex ms, contents, windows, MiB, candidates, matches
    assert_eq!(columns.len(), 7, "{row}");
    assert_eq!((columns[2], columns[6]), ("1", "1"), "{row}");
    // A rule that never ran has no row; the report itself is untouched.
    assert!(!stderr.contains("telegram-bot-token"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
}
