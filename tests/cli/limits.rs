//! Bounded work on hostile sizes: the manifest cross-check stays linear in
//! the env reads it positions, the number and size of exclude patterns are
//! bounded with an exit-2 error that says where they came from, and a
//! baseline holds a bounded number of entries and its stale entries are
//! warned about a few at a time.

use std::fmt::Write as _;
use std::time::Duration;

use crate::support::*;

/// Long enough for a linear run on a loaded machine in a debug build; the
/// quadratic cross-check took minutes on the same input.
const LINEAR: Duration = Duration::from_secs(30);

/// Four files of 16,000 env reads each (2,000 names).
fn many_env_reads(repo: &TestRepo) {
    for f in 0..4 {
        let mut text = String::from("import os\n");
        for i in 0..16_000 {
            writeln!(text, "v{i} = os.getenv(\"BINANCE_API_KEY_{}\")", i % 2_000).unwrap();
        }
        repo.write(&format!("bot{f}.py"), &text);
    }
}

#[test]
fn the_manifest_cross_check_is_linear_in_env_reads() {
    let repo = TestRepo::new();
    many_env_reads(&repo);
    repo.write(
        "keyaudit.toml",
        "[[key]]\nname = \"k\"\nexchange = \"binance\"\nbot = \"b\"\nenv = [\"BINANCE_API_KEY_1\"]\n\
         permissions = [\"read\", \"spot-trade\"]\nip_allowlist = [\"203.0.113.7\"]\n",
    );
    let out = keyaudit(repo.path())
        .args(["manifest", ".", "--format", "json"])
        .timeout(LINEAR)
        .output()
        .unwrap();
    assert!(out.status.code().is_some(), "killed after {LINEAR:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let undeclared = findings(&report)
        .into_iter()
        .filter(|f| f.0 == "manifest-undeclared-key")
        .count();
    // One per name but the declared one, at its first read (bot0.py, line i + 2).
    assert_eq!(undeclared, 1_999);
    let first = &report["findings"][0]["location"];
    assert_eq!(
        (&first["path"], &first["line"]),
        (&"bot0.py".into(), &2.into())
    );
    assert_eq!(first["column"], 17);

    std::fs::remove_file(repo.path().join("keyaudit.toml")).unwrap();
    let out = keyaudit(repo.path())
        .args(["manifest", "--init", "."])
        .timeout(LINEAR)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "killed after {LINEAR:?}?");
    let text = std::fs::read_to_string(repo.path().join("keyaudit.toml")).unwrap();
    assert_eq!(text.matches("BINANCE_API_KEY_").count(), 2_000);
}

/// `[scan] exclude` with `patterns`, one per line from line 3.
fn exclude_config(patterns: impl Iterator<Item = String>) -> String {
    let mut text = String::from("[scan]\nexclude = [\n");
    for p in patterns {
        writeln!(text, "  \"{p}\",").unwrap();
    }
    text.push_str("]\n");
    text
}

#[test]
fn too_many_exclude_patterns_are_exit_2_naming_where() {
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &exclude_config((0..10_001).map(|i| format!("vendor{i}"))),
    );
    let out = keyaudit(repo.path()).args(["scan", "."]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // The 10,001st pattern is on line 10,003.
    assert!(
        stderr.contains("keyaudit.toml:10003:3: 10001 exclude patterns; at most 10000"),
        "{stderr}"
    );

    // A pattern over 1 KiB, in the file and as a flag.
    let long = "a".repeat(1_025);
    repo.write("keyaudit.toml", &exclude_config([long.clone()].into_iter()));
    let out = keyaudit(repo.path()).args(["scan", "."]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("keyaudit.toml:3:3: exclude pattern"),
        "{stderr}"
    );
    assert!(stderr.contains("longer than 1024 bytes"), "{stderr}");
    std::fs::remove_file(repo.path().join("keyaudit.toml")).unwrap();
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--exclude", &long])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("--exclude aaaa… (1025 chars) is longer"),
        "{stderr}"
    );
}

#[test]
fn exclude_patterns_too_complex_to_compile_are_named_at_their_list() {
    // 200 patterns of 120 wildcards each: within the bounds, beyond what one
    // set of globs compiles to.
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &exclude_config((0..200).map(|i| format!("d{i}/{}", "*[a-z]?".repeat(120)))),
    );
    let out = keyaudit(repo.path()).args(["scan", "."]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("keyaudit.toml:2:11: the 200 exclude patterns"),
        "{stderr}"
    );
    assert!(stderr.contains("too complex"), "{stderr}");
}

/// A baseline of `n` entries for files that do not exist.
fn baseline_of(n: usize) -> String {
    let mut text = String::from("{\"version\": 1, \"tool\": \"keyaudit\", \"entries\": [\n");
    for i in 0..n {
        if i > 0 {
            text.push_str(",\n");
        }
        write!(
            text,
            "{{\"fingerprint\": \"sha256:{i:064x}\", \"rule\": \"binance-api-secret\", \"path\": \"gone/f{i}.py\"}}"
        )
        .unwrap();
    }
    text.push_str("\n]}\n");
    text
}

#[test]
fn stale_baseline_entries_are_warned_about_twenty_at_a_time() {
    let repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("b.json", &baseline_of(50));
    let out = keyaudit(repo.path())
        .args(["audit", ".", "--baseline", "b.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("stale baseline entry").count(),
        20,
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: b.json: 30 more stale baseline entries (50 in all)"),
        "{stderr}"
    );
    let (_, report) = json_report(repo.path(), &["audit", ".", "--baseline", "b.json"]);
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 21, "{report:#}");
    assert!(warnings_text(&report).contains("(50 in all)"));
}

#[test]
fn a_baseline_of_more_than_100000_entries_is_refused_where_it_overflows() {
    let repo = TestRepo::new();
    repo.write("b.json", &baseline_of(100_001));
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--baseline", "b.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("invalid baseline b.json:10000")
            && stderr.contains("more than 100000 entries"),
        "{stderr}"
    );
}
