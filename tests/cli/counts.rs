//! One repository open and one working-tree walk per run: read from the
//! counters a debug build prints with `KEYAUDIT_DEBUG_COUNTS=1`
//! (`src/source/counts.rs`). `cargo test` runs the debug binary.

use crate::support::*;

/// The counters a run printed, as (name, value).
fn counts(repo: &TestRepo, args: &[&str]) -> Vec<(String, u64)> {
    let out = keyaudit(repo.path())
        .env("KEYAUDIT_DEBUG_COUNTS", "1")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("keyaudit-debug-counts: "))
        .unwrap_or_else(|| panic!("no counts printed (a release build?): {stderr}"));
    line.split(' ')
        .map(|pair| {
            let (name, n) = pair.split_once('=').unwrap();
            (name.to_string(), n.parse().unwrap())
        })
        .collect()
}

fn count(counts: &[(String, u64)], name: &str) -> u64 {
    counts
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no counter {name} in {counts:?}"))
        .1
}

#[test]
fn audit_with_history_opens_the_repository_once_and_walks_the_tree_once() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(".env", "BINANCE_API_SECRET=not-a-real-secret-value\n");
    repo.write("bot.py", "import os\nos.getenv('BINANCE_API_KEY')\n");
    repo.write(
        "keyaudit.toml",
        "[[key]]\nname = \"k\"\nexchange = \"binance\"\nbot = \"b\"\n\
         env = [\"BINANCE_API_KEY\"]\npermissions = [\"read\", \"spot-trade\"]\n",
    );
    repo.commit_all("first");
    repo.write("bot.py", "import os\nos.getenv('BYBIT_API_KEY')\n");
    repo.commit_all("second");
    for args in [&["audit", "."][..], &["audit", ".", "--format", "sarif"]] {
        let counts = counts(&repo, args);
        assert_eq!(
            count(&counts, "repository-opens"),
            1,
            "{args:?}: {counts:?}"
        );
        assert_eq!(count(&counts, "tree-walks"), 1, "{args:?}: {counts:?}");
        assert_eq!(count(&counts, "rule-tables"), 1, "{args:?}: {counts:?}");
    }
    // `env` (tree, index and history) and `manifest` (its cross-check) do the same.
    for args in [&["env", "."][..], &["manifest", "."]] {
        let counts = counts(&repo, args);
        assert_eq!(
            count(&counts, "repository-opens"),
            1,
            "{args:?}: {counts:?}"
        );
        assert_eq!(count(&counts, "tree-walks"), 1, "{args:?}: {counts:?}");
    }
}
