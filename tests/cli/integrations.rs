//! The integrations users copy, run for real: the pre-commit framework's
//! hooks (`.pre-commit-hooks.yaml`, through the real `pre-commit try-repo`),
//! the GitHub Action's scripts (`action.yml`), the GitLab job
//! (`.gitlab/keyaudit.gitlab-ci.yml`), and SARIF checked by Microsoft's SARIF
//! multitool with GitHub's upload rules. The tools come from the package
//! registries into `target/tmp/tools`; where one cannot be installed its test
//! says so on stderr (`SKIPPED …`, shown by `cargo test`) and passes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

use crate::support::*;

const KEY: &str = "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ";

fn leaky_config() -> String {
    format!("exchange = ccxt.binance({{\n    'apiKey': '{KEY}',\n}})\n")
}

fn source_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tools_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tools");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Says on the real stderr (not captured by the test harness) that a test
/// could not run its tool.
fn skip(test: &str, why: &str) {
    writeln!(std::io::stderr(), "SKIPPED {test}: {why}").ok();
}

fn yaml(rel: &str) -> Yaml {
    let text = std::fs::read_to_string(source_dir().join(rel)).unwrap();
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
        .remove(0)
}

fn readme() -> String {
    std::fs::read_to_string(source_dir().join("README.md")).unwrap()
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_keyaudit"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn sarif_results(path: &Path) -> Vec<serde_json::Value> {
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    assert_eq!(log["version"], "2.1.0");
    log["runs"][0]["results"].as_array().unwrap().clone()
}

fn leaky_repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("bot/config.py", &leaky_config());
    repo.commit_all("bot");
    repo
}

fn clean_repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        "bot/config.py",
        "import os\nkey = os.getenv('BINANCE_API_KEY')\n",
    );
    repo.commit_all("bot");
    repo
}

// ---- pre-commit -------------------------------------------------------------

#[test]
fn pre_commit_hooks_file_declares_both_hooks() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_vec().expect("a list of hooks");
    let by_id = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no hook {id}"))
    };
    let staged = by_id("keyaudit");
    assert_eq!(staged["entry"].as_str(), Some("keyaudit scan --staged"));
    assert_eq!(staged["language"].as_str(), Some("rust"));
    assert_eq!(staged["pass_filenames"].as_bool(), Some(false));
    let audit = by_id("keyaudit-audit");
    assert_eq!(audit["entry"].as_str(), Some("keyaudit audit"));
    assert_eq!(audit["stages"][0].as_str(), Some("pre-push"));
    // The README's config names these ids.
    let readme = readme();
    assert!(readme.contains("- id: keyaudit\n") && readme.contains("- id: keyaudit-audit"));
}

/// `pre-commit` in a virtualenv of its own, installed once from PyPI.
fn pre_commit() -> Result<PathBuf, String> {
    let venv = tools_dir().join("pre-commit-venv");
    let exe = venv.join("bin/pre-commit");
    if exe.exists() {
        return Ok(exe);
    }
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| e.to_string())?;
        out.status.success().then_some(()).ok_or_else(|| {
            let err = String::from_utf8_lossy(&out.stderr);
            err.lines().last().unwrap_or("failed").to_string()
        })
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args(["install", "-q", "pre-commit"]))?;
    Ok(exe)
}

/// An empty first commit by the system git (pre-commit needs a HEAD).
fn first_commit(dir: &Path) {
    system_git(
        dir,
        &[
            "-c",
            "user.name=Ada Trader",
            "-c",
            "user.email=ada@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "init",
        ],
    );
}

/// Runs `pre-commit try-repo <this source> HOOK` in `dir`; `Err` when the hook
/// environment could not be installed (pre-commit's exit 3).
fn try_repo(exe: &Path, dir: &Path, hook: &str, extra: &[&str]) -> Result<i32, String> {
    let tools = tools_dir();
    let out = Command::new(exe)
        .args(["try-repo"])
        .arg(source_dir())
        .arg(hook)
        .args(extra)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", tools.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", tools.join("pre-commit-target"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Trader")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Trader")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(KEY) && !String::from_utf8_lossy(&out.stderr).contains(KEY),
        "pre-commit output holds the planted key (64 chars)"
    );
    if code == 3 {
        // keyaudit itself not compiling is a failure, not a missing tool.
        // (try-repo builds what git tracks: `git add` new files first.)
        assert!(
            !text.contains("could not compile"),
            "pre-commit could not build keyaudit: {text}"
        );
        let tail: Vec<&str> = text.lines().rev().take(3).collect();
        return Err(format!("pre-commit could not install the hook: {tail:?}"));
    }
    Ok(code)
}

#[test]
fn pre_commit_framework_refuses_a_staged_key_and_passes_a_clean_commit() {
    const TEST: &str = "integrations::pre_commit_framework";
    if !source_dir().join(".git").exists() {
        return skip(
            TEST,
            "the source folder is not a git repository (try-repo needs one)",
        );
    }
    let exe = match pre_commit() {
        Ok(exe) => exe,
        Err(why) => return skip(TEST, &format!("pre-commit cannot be installed: {why}")),
    };
    let leaky = TestRepo::new();
    first_commit(leaky.path());
    leaky.write("bot/config.py", &leaky_config());
    leaky.stage("bot/config.py");
    let code = match try_repo(&exe, leaky.path(), "keyaudit", &[]) {
        Ok(code) => code,
        Err(why) => return skip(TEST, &why),
    };
    assert_eq!(code, 1, "a staged key must fail the keyaudit hook");

    let clean = TestRepo::new();
    first_commit(clean.path());
    clean.write("bot/config.py", "key = os.getenv('BINANCE_API_KEY')\n");
    clean.stage("bot/config.py");
    assert_eq!(try_repo(&exe, clean.path(), "keyaudit", &[]), Ok(0));

    // The pre-push hook audits the whole repository, history included.
    let mut pushed = TestRepo::new();
    pushed.write("bot/config.py", &leaky_config());
    pushed.commit_all("key");
    pushed.remove("bot/config.py");
    pushed.commit_all("deleted, still in history");
    let code = try_repo(
        &exe,
        pushed.path(),
        "keyaudit-audit",
        &["--hook-stage", "pre-push", "--all-files"],
    );
    assert_eq!(code, Ok(1), "the audit hook must find the key in history");
}

// ---- GitHub Action ----------------------------------------------------------

/// Runs one `run:` step of `action.yml` the way a runner does (bash -e,
/// `env:` values with the `${{ … }}` expressions replaced from `values`).
fn run_step(step: &Yaml, dir: &Path, runner: &Path, values: &[(&str, String)]) -> i32 {
    let script = step["run"].as_str().expect("a run step");
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("RUNNER_TEMP", runner)
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("GITHUB_ACTION_PATH", source_dir());
    if let Some(env) = step["env"].as_hash() {
        for (name, value) in env {
            let mut value = value.as_str().unwrap_or("").to_string();
            for (expr, replacement) in values {
                value = value.replace(&format!("${{{{ {expr} }}}}"), replacement);
            }
            assert!(!value.contains("${{"), "unresolved expression in {value}");
            cmd.env(name.as_str().unwrap(), value);
        }
    }
    cmd.status().unwrap().code().unwrap_or(-1)
}

/// The names of the inputs `action.yml` declares.
fn inputs_of(action: &Yaml) -> Vec<&str> {
    action["inputs"]
        .as_hash()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect()
}

fn step<'a>(steps: &'a [Yaml], name: &str) -> &'a Yaml {
    steps
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name:?} in action.yml"))
}

/// Runs the action's steps on `repo` with a prebuilt keyaudit (the build
/// step is what `keyaudit-bin` skips); returns keyaudit's exit code, the
/// final step's, and where the SARIF went.
fn run_action(repo: &Path, config: &str) -> (String, i32, tempfile::TempDir) {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_vec().unwrap();
    assert_eq!(
        step(steps, "Build keyaudit")["if"].as_str(),
        Some("inputs.keyaudit-bin == ''")
    );
    let upload = step(steps, "Upload SARIF");
    assert!(
        upload["uses"]
            .as_str()
            .unwrap()
            .starts_with("github/codeql-action/upload-sarif@")
    );
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        Some("${{ inputs.sarif }}")
    );
    let runner = tempfile::tempdir().unwrap();
    let sarif = runner.path().join("keyaudit.sarif");
    let mut values = vec![
        (
            "inputs.keyaudit-bin",
            env!("CARGO_BIN_EXE_keyaudit").to_string(),
        ),
        ("inputs.path", ".".to_string()),
        ("inputs.fail-on", "medium".to_string()),
        ("inputs.sarif", sarif.display().to_string()),
        ("inputs.config", config.to_string()),
    ];
    // Every input the test gives is one the action declares.
    let declared = inputs_of(&action);
    for (expr, _) in &values {
        let input = expr.trim_start_matches("inputs.");
        assert!(declared.contains(&input), "action.yml has no input {input}");
    }
    run_step(step(steps, "Audit"), repo, runner.path(), &values);
    let output = std::fs::read_to_string(runner.path().join("output")).unwrap();
    let code = output
        .trim()
        .strip_prefix("exit-code=")
        .unwrap_or_else(|| panic!("no exit-code output: {output:?}"))
        .to_string();
    values.push(("steps.audit.outputs.exit-code", code.clone()));
    let fail = step(steps, "Fail on findings");
    assert_eq!(
        fail["if"].as_str(),
        Some("steps.audit.outputs.exit-code != '0'")
    );
    let last = if code == "0" {
        0
    } else {
        run_step(fail, repo, runner.path(), &values)
    };
    (code, last, runner)
}

#[test]
fn github_action_audits_uploads_sarif_and_fails_on_findings() {
    let leaky = leaky_repo();
    let (code, last, runner) = run_action(leaky.path(), "");
    assert_eq!((code.as_str(), last), ("1", 1));
    let sarif = runner.path().join("keyaudit.sarif");
    let results = sarif_results(&sarif);
    assert!(
        results.iter().any(|r| r["ruleId"] == "binance-api-key"
            && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bot/config.py"),
        "{results:?}"
    );
    assert!(!std::fs::read_to_string(&sarif).unwrap().contains(KEY));

    let clean = clean_repo();
    let (code, last, runner) = run_action(clean.path(), "");
    let results = sarif_results(&runner.path().join("keyaudit.sarif"));
    assert_eq!((code.as_str(), last), ("0", 0), "{results:?}");
    assert!(
        results.iter().all(|r| r["level"] == "note"),
        "a clean repository has advice at most: {results:?}"
    );

    // With a trusted config, the repository's own cannot switch the scan off.
    let mut pr = leaky_repo();
    pr.write("keyaudit.toml", "[scan]\nexclude = [\"**\"]\n");
    pr.commit_all("exclude everything");
    let (code, _, _) = run_action(pr.path(), "");
    assert_eq!(code, "0", "the repository's config excludes everything");
    let trusted = tempfile::tempdir().unwrap();
    let config = trusted.path().join("keyaudit.toml");
    std::fs::write(&config, "[scan]\nmax_file_size = \"16MiB\"\n").unwrap();
    let (code, last, _) = run_action(pr.path(), &config.display().to_string());
    assert_eq!((code.as_str(), last), ("1", 1));
}

#[test]
fn readme_documents_the_action_inputs_it_uses() {
    let readme = readme();
    let section = readme
        .split("## Use it in CI")
        .nth(1)
        .expect("README has a \"Use it in CI\" section");
    let action = yaml("action.yml");
    let declared = inputs_of(&action);
    // Every `with:` key of the README's workflow is an input of the action.
    let workflow = section
        .split("```yaml")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a yaml block");
    let doc = YamlLoader::load_from_str(workflow).unwrap().remove(0);
    let steps = doc["jobs"]["keyaudit"]["steps"].as_vec().unwrap();
    let ours = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.contains("keyaudit")))
        .expect("the workflow uses the keyaudit action");
    for (key, _) in ours["with"].as_hash().unwrap() {
        let key = key.as_str().unwrap();
        assert!(declared.contains(&key), "README uses input {key}");
    }
    let checkout = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout"))
        })
        .unwrap();
    assert_eq!(checkout["with"]["fetch-depth"].as_i64(), Some(0));
}

// ---- GitLab -----------------------------------------------------------------

/// Runs the GitLab job's script lines in order (as the runner does, each
/// with `sh -e`-like stopping) with keyaudit on PATH; returns the first
/// failing line's exit code, or 0.
fn run_gitlab_job(repo: &Path, merge_request: bool) -> i32 {
    let doc = yaml(".gitlab/keyaudit.gitlab-ci.yml");
    let job = &doc["keyaudit"];
    assert_eq!(job["variables"]["GIT_DEPTH"].as_str(), Some("0"));
    assert_eq!(
        job["artifacts"]["paths"][0].as_str(),
        Some("keyaudit.sarif")
    );
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in job["script"].as_vec().unwrap() {
        let mut cmd = Command::new("bash");
        cmd.args(["-e", "-c", line.as_str().unwrap()])
            .current_dir(repo)
            .env("PATH", &path)
            .env("KEYAUDIT_FAIL_ON", "medium")
            .env("KEYAUDIT_TRUST_REPO_CONFIG", "false");
        if merge_request {
            cmd.env("CI_MERGE_REQUEST_IID", "7");
        }
        let code = cmd.status().unwrap().code().unwrap_or(-1);
        if code != 0 {
            return code;
        }
    }
    0
}

#[test]
fn gitlab_job_fails_on_a_leak_and_keeps_the_sarif() {
    let leaky = leaky_repo();
    assert_eq!(run_gitlab_job(leaky.path(), false), 1);
    let results = sarif_results(&leaky.path().join("keyaudit.sarif"));
    assert!(results.iter().any(|r| r["ruleId"] == "binance-api-key"));

    let clean = clean_repo();
    assert_eq!(run_gitlab_job(clean.path(), false), 0);

    // A merge request that excludes everything in its own keyaudit.toml.
    let mut mr = leaky_repo();
    mr.write("keyaudit.toml", "[scan]\nexclude = [\"**\"]\n");
    mr.commit_all("exclude everything");
    assert_eq!(run_gitlab_job(mr.path(), false), 0);
    assert_eq!(run_gitlab_job(mr.path(), true), 1);
}

// ---- SARIF multitool ----------------------------------------------------------

/// Microsoft's SARIF multitool from npm, installed once.
fn sarif_multitool() -> Result<PathBuf, String> {
    let dir = tools_dir().join("sarif-multitool");
    let exe = dir.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !exe.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--silent",
                "@microsoft/sarif-multitool",
            ])
            .current_dir(&dir)
            .output()
            .map_err(|e| format!("npm: {e}"))?;
        if !out.status.success() || !exe.exists() {
            return Err(String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("npm install failed")
                .to_string());
        }
    }
    // npm may not run the package's install script, which marks it executable.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    Ok(exe)
}

/// (level, rule id) of every problem the multitool finds with GitHub's rules.
fn validate(exe: &Path, sarif: &Path) -> Vec<(String, String)> {
    let log = sarif.with_extension("validation.sarif");
    std::fs::remove_file(&log).ok();
    let out = Command::new(exe)
        .args(["validate", "--rule-kind", "Gh;Sarif", "--output"])
        .arg(&log)
        .arg(sarif)
        .output()
        .unwrap();
    assert!(
        log.exists(),
        "the multitool wrote no log: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    sarif_results(&log)
        .iter()
        .map(|r| {
            (
                r["level"].as_str().unwrap_or("warning").to_string(),
                r["ruleId"].as_str().unwrap_or("").to_string(),
            )
        })
        .filter(|(level, _)| level == "error" || level == "warning")
        .collect()
}

#[test]
fn sarif_passes_githubs_upload_rules() {
    const TEST: &str = "integrations::sarif_passes_githubs_upload_rules";
    let exe = match sarif_multitool() {
        Ok(exe) => exe,
        Err(why) => {
            return skip(
                TEST,
                &format!("the SARIF multitool cannot be installed: {why}"),
            );
        }
    };
    let out = tempfile::tempdir().unwrap();
    // The fixtures (leaks of every kind) and a history scan (commit, author,
    // env findings on whole files).
    let fixture = out.path().join("fixture.sarif");
    keyaudit(&fixtures())
        .args(["scan", "leaky-bot", "--format", "sarif", "--output"])
        .arg(&fixture)
        .assert()
        .code(1);
    let mut repo = TestRepo::new();
    repo.write(".env", &format!("BINANCE_API_SECRET={KEY}\n"));
    repo.write("bot/config.py", &leaky_config());
    repo.commit_all("leaks");
    repo.remove("bot/config.py");
    repo.commit_all("deleted");
    let history = out.path().join("history.sarif");
    keyaudit(repo.path())
        .args(["audit", ".", "--format", "sarif", "--output"])
        .arg(&history)
        .assert()
        .code(1);
    for sarif in [&fixture, &history] {
        let problems = validate(&exe, sarif);
        // SARIF2005 asks for `informationUri`, the tool's home page: keyaudit
        // has none yet (it is filled from Cargo.toml's `repository`).
        let left: Vec<_> = problems
            .iter()
            .filter(|(_, rule)| !rule.starts_with("SARIF2005"))
            .collect();
        assert!(left.is_empty(), "{}: {left:?}", sarif.display());
    }
}
