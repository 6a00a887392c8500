//! The env check on real repositories: ignored, untracked, tracked,
//! committed-then-deleted, no .gitignore, templates, local values traced
//! through the tree and history, printed credentials, and `--fix`.

use crate::support::*;

/// A synthetic Bybit secret, shaped like a real one.
const SECRET: &str = "uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu";
/// A value no built-in rule knows the shape of: only tracing finds it.
const SHAPELESS: &str = "q9-Lw.3v!Zr7_Kp2";

fn env_rules(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "env")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn ignored_env_with_clean_history_passes() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot.py", "import os\nkey = os.getenv('BYBIT_API_SECRET')\n");
    repo.commit_all("bot");
    repo.write(
        ".env",
        &format!("BYBIT_API_SECRET={SECRET}\nWEIRD_TOKEN={SHAPELESS}\n"),
    );
    let (code, report) = json_report(repo.path(), &["env", "."]);
    assert_eq!(env_rules(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
}

#[test]
fn untracked_env_that_is_not_ignored_is_high() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    repo.commit_all("bot");
    repo.write("deploy/.env.local", "X=1\n");
    let (code, report) = json_report(repo.path(), &["env", "."]);
    let found = env_rules(&report);
    assert!(
        found.contains(&(
            "env-file-not-ignored".into(),
            "deploy/.env.local".into(),
            "high".into()
        )),
        "{found:?}"
    );
    // With no .gitignore entry for .env at all, the next .env would be committed too.
    assert!(
        found.contains(&(
            "env-gitignore-missing".into(),
            ".gitignore".into(),
            "medium".into()
        )),
        "{found:?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn tracked_env_is_critical_even_when_ignored_later() {
    let mut repo = TestRepo::new();
    repo.write(".env", "BYBIT_API_KEY=4JdpmrcXgGCJbW56eC\n");
    repo.commit_all("oops");
    repo.write(".gitignore", ".env\n");
    repo.commit_all("ignore it");
    let (code, report) = json_report(repo.path(), &["env", "."]);
    let found = env_rules(&report);
    assert!(
        found.contains(&("env-file-tracked".into(), ".env".into(), "critical".into())),
        "{found:?}"
    );
    // One finding for the file: being tracked implies it was committed.
    assert!(
        !found
            .iter()
            .any(|(rule, _, _)| rule == "env-file-committed"),
        "{found:?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn env_committed_then_deleted_is_found_at_its_commit() {
    let mut repo = TestRepo::new();
    repo.write("bot.py", "print('hi')\n");
    repo.commit_all("bot");
    repo.write("config/prod.env", "X=1\n");
    let introduced = repo.commit_all("add env");
    repo.remove("config/prod.env");
    repo.write(".gitignore", ".env\n*.env\n");
    repo.commit_all("remove env");
    let (code, report) = json_report(repo.path(), &["env", "."]);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "env-file-committed")
        .unwrap_or_else(|| panic!("not found: {report:#}"));
    assert_eq!(f["location"]["path"], "config/prod.env");
    assert_eq!(f["location"]["commit"], introduced.to_string());
    assert_eq!(f["location"]["source"], "history");
    assert_eq!(code, 1);
}

#[test]
fn template_with_a_real_looking_value_is_reported() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        ".env.example",
        &format!("BYBIT_API_KEY=your_key_here\nBYBIT_API_SECRET={SECRET}\n"),
    );
    repo.commit_all("template");
    let (code, report) = json_report(repo.path(), &["env", "."]);
    let found = env_rules(&report);
    assert_eq!(
        found,
        vec![(
            "env-example-real-value".into(),
            ".env.example".into(),
            "high".into()
        )]
    );
    assert_eq!(code, 1);
    // Placeholders only: clean.
    repo.write(
        ".env.example",
        "BYBIT_API_KEY=your_key_here\nBYBIT_API_SECRET=\n",
    );
    repo.commit_all("placeholders");
    let (_, report) = json_report(repo.path(), &["env", "."]);
    assert_eq!(env_rules(&report), vec![]);
}

#[test]
fn local_value_copied_into_history_under_another_name_is_traced() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        "notes.txt",
        &format!("debug with token {SHAPELESS} later\n"),
    );
    let leaked = repo.commit_all("notes");
    repo.remove("notes.txt");
    repo.commit_all("remove notes");
    repo.write(".env", &format!("WEIRD_TOKEN={SHAPELESS}\n"));
    let out = keyaudit(repo.path())
        .args(["env", ".", "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stdout.contains(SHAPELESS) && !stderr.contains(SHAPELESS),
        "a traced value was printed whole"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "env-value-leaked")
        .unwrap_or_else(|| panic!("not traced: {report:#}"));
    assert_eq!(f["check"], "env");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["location"]["path"], "notes.txt");
    assert_eq!(f["location"]["line"], 1);
    assert_eq!(f["location"]["commit"], leaked.to_string());
    assert!(
        f["message"].as_str().unwrap().contains("WEIRD_TOKEN"),
        "{f}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn printing_a_credential_is_medium() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        "bot.py",
        "import os\napi_secret = os.getenv('BYBIT_API_SECRET')\nprint(len(api_secret))\nlogger.info(f\"secret={api_secret}\")\n",
    );
    repo.commit_all("bot");
    let (code, report) = json_report(repo.path(), &["env", "."]);
    let printed: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "env-secret-printed")
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["severity"].clone(),
                f["secret"].clone(),
            )
        })
        .collect();
    assert_eq!(printed, vec![(4, "medium".into(), serde_json::Value::Null)]);
    assert_eq!(code, 1);
    let (code, _) = json_report(repo.path(), &["env", ".", "--fail-on", "high"]);
    assert_eq!(code, 0);
}

#[test]
fn fix_adds_missing_lines_once_and_keeps_crlf() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", "target/\r\n*.log");
    repo.write("bot.py", "x = 1\n");
    repo.commit_all("bot");
    repo.write(".env", "X=1\n");
    repo.write(".env.prod", "X=2\n");
    let out = keyaudit(repo.path())
        .args(["env", ".", "--fix"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(repo.path().join(".gitignore")).unwrap();
    assert_eq!(
        text,
        "target/\r\n*.log\r\n.env\r\n.env.*\r\n!.env.example\r\n"
    );
    // Idempotent: a second run changes nothing and finds nothing.
    let out = keyaudit(repo.path())
        .args(["env", ".", "--fix"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".gitignore")).unwrap(),
        text
    );
    let (code, report) = json_report(repo.path(), &["env", "."]);
    assert_eq!(env_rules(&report), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn fix_prints_but_does_not_run_the_untrack_command() {
    let mut repo = TestRepo::new();
    repo.write(".env", "X=1\n");
    repo.commit_all("oops");
    let out = keyaudit(repo.path())
        .args(["env", ".", "--fix"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("git rm --cached .env"), "{stderr}");
    // Still tracked: keyaudit ran nothing.
    let index = repo.repo.index().unwrap();
    assert!(index.get_path(std::path::Path::new(".env"), 0).is_some());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn env_outside_a_repository_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = keyaudit(dir.path()).args(["env", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in a git repository"));
}

#[test]
fn one_secret_in_two_bots_env_files_is_high() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bots/grid/main.py", "x = 1\n");
    repo.commit_all("bots");
    repo.write("bots/grid/.env", &format!("BYBIT_API_SECRET={SECRET}\n"));
    repo.write("bots/dca/.env", &format!("DCA_BYBIT_SECRET={SECRET}\n"));
    // The same value twice in one folder is one bot's copy, not sharing.
    repo.write(
        "bots/grid/.env.local",
        &format!("BYBIT_API_SECRET={SECRET}\n"),
    );
    repo.write(".gitignore", ".env\n.env.*\n");
    repo.commit_all("ignore");
    let (code, report) = json_report(repo.path(), &["env", "."]);
    let shared: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "env-shared-secret")
        .collect();
    assert_eq!(shared.len(), 1, "{report:#}");
    let message = shared[0]["message"].as_str().unwrap();
    assert!(
        message.contains("bots/dca/.env") && message.contains("bots/grid/.env"),
        "{message}"
    );
    assert!(!serde_json::to_string(&report).unwrap().contains(SECRET));
    assert_eq!(shared[0]["severity"], "high");
    assert_eq!(code, 1);
    // One bot, one folder: nothing shared.
    std::fs::remove_file(repo.path().join("bots/dca/.env")).unwrap();
    let (_, report) = json_report(repo.path(), &["env", "."]);
    assert_eq!(env_rules(&report), vec![]);
}

#[test]
fn rules_lists_the_env_and_manifest_rules_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = keyaudit(dir.path())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "env-file-tracked",
        "env-value-leaked",
        "env-shared-secret",
        "manifest-withdraw",
        "manifest-missing",
    ] {
        assert!(ids.contains(&id), "{id} not listed");
    }
    assert!(ids.contains(&"binance-api-secret"));
}
