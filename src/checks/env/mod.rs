//! The `.env` check: every `.env` file must be gitignored, untracked and
//! never committed; `.env.example` and its siblings must hold placeholders
//! only; the values in the user's own (ignored) `.env` files must appear
//! nowhere else — not in the tree, the index or any commit; and code must not
//! print or log credential variables.
//!
//! The value tracing and the print check are engine rules built here at run
//! time ([`rules`]), so the ordinary tree, staged and history sources find them
//! in the same single pass as the leak rules; each rule says that its
//! matches are env findings, and in which sources they count. The file-level
//! checks are [`check_files`].
//! `--fix` ([`fix`]) only appends missing lines to `.gitignore`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::detect::Engine;
use crate::detect::placeholder::is_placeholder;
use crate::detect::rule::{Files, Rule, base, is_non_secret_name};
use crate::finding::{Check, CommitInfo, Confidence, Finding, Location, Severity, Source};
use crate::redact;
use crate::source::walk::Status;
use crate::source::{Introduced, Problem, Workspace};

/// Rule id of a local `.env` value found outside the ignored `.env` files.
pub const TRACED: &str = "env-value-leaked";
/// Rule id of code that prints or logs a credential variable.
pub const PRINTED: &str = "env-secret-printed";
/// Rule ids of the file-level findings (stable; never reused).
pub const TRACKED: &str = "env-file-tracked";
pub const NOT_IGNORED: &str = "env-file-not-ignored";
pub const COMMITTED: &str = "env-file-committed";
pub const GITIGNORE_MISSING: &str = "env-gitignore-missing";
pub const EXAMPLE_VALUE: &str = "env-example-real-value";
pub const SHARED: &str = "env-shared-secret";

/// Suffixes of `.env` files that are templates, not the user's secrets.
const TEMPLATE_SUFFIXES: &[&str] = &[
    "example", "sample", "template", "dist", "tmpl", "tpl", "defaults",
];

/// Kinds of `.env`-style file names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvKind {
    /// `.env`, `.env.local`, `prod.env`: holds real secrets.
    Secrets,
    /// `.env.example` and siblings: must hold placeholders only.
    Template,
}

/// Classifies a file name (not a path).
pub fn env_kind(name: &str) -> Option<EnvKind> {
    let lower = name.to_ascii_lowercase();
    let is_env = lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env");
    if !is_env {
        return None;
    }
    let template = lower
        .split('.')
        .any(|part| TEMPLATE_SUFFIXES.contains(&part));
    Some(if template {
        EnvKind::Template
    } else {
        EnvKind::Secrets
    })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The `.gitignore` line that covers a `.env` file of this name.
pub fn ignore_line(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == ".env" {
        ".env".into()
    } else if lower.starts_with(".env.") {
        ".env.*".into()
    } else {
        "*.env".into()
    }
}

/// Variable names that hold credentials.
fn is_credential_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "KEY",
        "SECRET",
        "TOKEN",
        "PASS",
        "PRIVATE",
        "MNEMONIC",
        "SEED",
        "CREDENTIAL",
        "AUTH",
        "PK",
    ];
    let upper = name.to_ascii_uppercase();
    WORDS.iter().any(|w| {
        upper
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| part == *w || (w.len() > 3 && part.contains(w)))
    }) && !is_non_secret_name(name.as_bytes())
}

/// One `.env`-style file of the working tree, classified the way git sees it.
struct EnvFile {
    rel: String,
    abs: PathBuf,
    kind: EnvKind,
    tracked: bool,
    ignored: bool,
}

/// The working tree's `.env` files and the credentials in the ignored ones:
/// read once per run, shared by the traced-value rules ([`engine`]) and the
/// file checks ([`check_files`]).
pub struct Local {
    files: Vec<EnvFile>,
    secrets: Vec<Traced>,
    /// Whether a plain `.env` at the root would be ignored.
    dot_env_ignored: bool,
}

impl Local {
    /// Picks the `.env` files out of the workspace's walk (none for a bare
    /// repository) and reads the credentials in the ignored ones. Not being
    /// in a repository is an error.
    pub fn read(ws: &Workspace) -> Result<Local> {
        ws.repo().with_context(|| {
            format!(
                "{} is not in a git repository (the env check needs one)",
                ws.root().display()
            )
        })?;
        // Ignored the way git sees it (a symlinked .gitignore counts for nothing).
        let dot_env_ignored = ws.git().is_some_and(|view| view.is_ignored(".env"));
        let files = match ws.workdir() {
            Some(_) => env_files(ws)?,
            None => Vec::new(),
        };
        let secrets = local_secrets(&files);
        Ok(Local {
            files,
            secrets,
            dot_env_ignored,
        })
    }
}

/// The `.env` files of the walk, sorted by path.
fn env_files(ws: &Workspace) -> Result<Vec<EnvFile>> {
    let mut out: Vec<EnvFile> = ws
        .whole_tree()?
        .entries
        .iter()
        .filter_map(|entry| {
            Some(EnvFile {
                kind: env_kind(entry.name())?,
                abs: entry.abs.clone(),
                rel: entry.rel.clone(),
                tracked: entry.status == Status::Tracked,
                ignored: entry.status == Status::Ignored,
            })
        })
        .collect();
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn env_finding(
    rule: &str,
    severity: Severity,
    message: String,
    path: &str,
    line: Option<usize>,
    commit: Option<&CommitInfo>,
    remediation: String,
) -> Finding {
    Finding {
        check: Check::Env,
        rule: rule.into(),
        severity,
        confidence: Confidence::High,
        message,
        location: Location {
            source: if commit.is_some() {
                Source::History
            } else {
                Source::Tree
            },
            path: path.into(),
            line,
            column: None,
            commit: commit.map(|c| c.commit.clone()),
            author: commit.map(|c| c.author.clone()),
            date: commit.map(|c| c.date.clone()),
        },
        secret: None,
        // The rule and the path say what it is about.
        subject: Some(String::new()),
        remediation,
    }
}

/// What [`check_files`] found, plus what `--fix` may do about it.
#[derive(Debug, Default)]
pub struct FileCheck {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    /// Lines `--fix` would add to the root `.gitignore`.
    pub missing_ignore_lines: BTreeSet<String>,
    /// Tracked `.env` files: `--fix` prints how to untrack them.
    pub tracked: Vec<String>,
}

/// The file-level checks: ignored, untracked, committed in history, a
/// `.gitignore` entry for `.env` at all, templates holding placeholders, and
/// one credential shared by two bots. `history` is every path in history
/// with the commit that introduced it, sorted by path.
pub fn check_files(local: &Local, history: &[Introduced]) -> FileCheck {
    let mut out = FileCheck::default();
    let engine = Engine::default();
    {
        let mut root_env_unignored = false;
        for file in &local.files {
            let (rel, tracked, ignored) = (&file.rel, file.tracked, file.ignored);
            match file.kind {
                EnvKind::Secrets => {
                    let name = file_name(rel);
                    if tracked {
                        out.tracked.push(rel.clone());
                        out.findings.push(env_finding(
                            TRACKED,
                            Severity::Critical,
                            format!("{rel} is tracked by git: every clone has its keys"),
                            rel,
                            None,
                            None,
                            format!(
                                "Run `git rm --cached {rel}` and commit, add `{}` to .gitignore, then revoke and \
                                 replace every key in the file: they are already out.",
                                ignore_line(name)
                            ),
                        ));
                    } else if !ignored {
                        if rel == ".env" {
                            root_env_unignored = true;
                        }
                        out.missing_ignore_lines.insert(ignore_line(name));
                        out.findings.push(env_finding(
                            NOT_IGNORED,
                            Severity::High,
                            format!("{rel} is not gitignored: `git add .` would commit it"),
                            rel,
                            None,
                            None,
                            format!(
                                "Add the line `{}` to .gitignore (or run `keyaudit env --fix`).",
                                ignore_line(name)
                            ),
                        ));
                    }
                }
                EnvKind::Template => {
                    let bytes = match std::fs::read(&file.abs) {
                        Ok(b) => b,
                        Err(e) => {
                            out.problems.push(Problem {
                                path: rel.clone(),
                                reason: format!("cannot read: {e}"),
                            });
                            continue;
                        }
                    };
                    for m in engine.scan(rel, &bytes) {
                        let rule = engine.rule(m.rule);
                        let mut f = env_finding(
                            EXAMPLE_VALUE,
                            Severity::High,
                            format!("{rel} holds a real-looking value ({}), not a placeholder", rule.id),
                            rel,
                            Some(m.line),
                            None,
                            "Replace the value with a placeholder such as `your_api_key_here`; if it is a real \
                             key, revoke it: template files are committed on purpose."
                                .into(),
                        );
                        f.location.column = Some(m.column);
                        f.secret = Some(redact::secret_ref(EXAMPLE_VALUE, &bytes[m.start..m.end]));
                        out.findings.push(f);
                    }
                }
            }
        }
        if !root_env_unignored && !local.dot_env_ignored {
            out.missing_ignore_lines.insert(".env".into());
            out.findings.push(env_finding(
                GITIGNORE_MISSING,
                Severity::Medium,
                "no .gitignore entry covers .env: the next .env will be committed".into(),
                ".gitignore",
                None,
                None,
                "Add the line `.env` to .gitignore (or run `keyaudit env --fix`).".into(),
            ));
        }
    }
    out.findings.extend(shared_secrets(&local.secrets));
    let mut seen = BTreeSet::new();
    for (path, commit) in history {
        // A tracked file already has its (critical) finding; one per file is enough.
        let tracked = out.tracked.contains(path);
        if env_kind(file_name(path)) == Some(EnvKind::Secrets)
            && !tracked
            && seen.insert(path.clone())
        {
            out.findings.push(env_finding(
                COMMITTED,
                Severity::Critical,
                format!("{path} was committed (commit {})", &commit.commit[..commit.commit.len().min(12)]),
                path,
                None,
                Some(commit.as_ref()),
                "Revoke and replace every key that file ever held: deleting it does not remove it from \
                 history. Then rewrite history (git filter-repo) if the repository is private, and keep .env \
                 gitignored."
                    .into(),
            ));
        }
    }
    out
}

/// A credential from a local `.env` file.
struct Traced {
    variable: String,
    file: String,
    value: String,
}

/// Values of credential variables in the working tree's ignored `.env` files,
/// in file order (one value may stand in several files).
fn local_secrets(files: &[EnvFile]) -> Vec<Traced> {
    let engine = Engine::default();
    let mut out: Vec<Traced> = Vec::new();
    for file in files {
        if file.kind != EnvKind::Secrets || file.tracked || !file.ignored {
            continue;
        }
        let Ok(iter) = dotenvy::from_path_iter(&file.abs) else {
            continue;
        };
        for (variable, value) in iter.flatten() {
            let line = format!("{variable}={value}");
            let credential =
                is_credential_name(&variable) || !engine.scan(".env", line.as_bytes()).is_empty();
            if credential && value.len() >= 8 && !is_placeholder(value.as_bytes()) {
                out.push(Traced {
                    variable,
                    file: file.rel.clone(),
                    value,
                });
            }
        }
    }
    out
}

/// One credential in the `.env` files of two folders (two bots, two
/// services): revoking it for one stops the other, and a leak of either
/// exposes both. The same value twice in one folder (`.env` and
/// `.env.local`) is one deployment's copy, not sharing.
///
/// The finding is where the value is: in gitignored files (source
/// `ignored`), yet it counts like any env finding. It carries no secret: the
/// value is in no file git has, and may be a short passphrase, so neither
/// its redacted text nor its fingerprint (an unsalted sha256, which a weak
/// passphrase does not survive) goes into a report or a baseline meant to be
/// committed. Its identity is the rule, path and subject (the first file
/// and both variable names), like every other finding without a secret.
fn shared_secrets(secrets: &[Traced]) -> Vec<Finding> {
    let folder = |file: &str| file.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
    let mut out = Vec::new();
    for (i, a) in secrets.iter().enumerate() {
        let earlier_same = secrets[..i].iter().any(|b| b.value == a.value);
        if earlier_same {
            continue;
        }
        let Some(b) = secrets[i + 1..]
            .iter()
            .find(|b| b.value == a.value && folder(&b.file) != folder(&a.file))
        else {
            continue;
        };
        let mut f = env_finding(
            SHARED,
            Severity::High,
            format!(
                "{} in {} and {} in {} hold the same credential: one key shared by two bots",
                a.variable, a.file, b.variable, b.file
            ),
            &b.file,
            None,
            None,
            "Create one key per bot on the exchange (each with read + trade only), so that one can be \
             revoked without stopping the others."
                .into(),
        );
        f.location.source = Source::Ignored;
        out.push(f.about(&format!("{} {} {}", a.file, a.variable, b.variable)));
    }
    out
}

/// A leaked `&'static str` for rule data built at run time (a handful per run).
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// Calls that print or log, and a credential variable among their arguments
/// (directly, after a comma or `+`, or inside `{}`/`${}` interpolation).
fn print_rule() -> Rule {
    let call = r"(?:\bprint|\bpprint|console\.(?:log|info|debug|warn|error)|\b(?:logger|logging|log|LOGGER|LOG)\.(?:info|debug|warning|warn|error|critical|exception|fatal)|\b(?:e?println|e?print|info|debug|warn|error|trace)!|\bputs|\bfmt\.Print(?:ln|f)?|\blog\.Print(?:ln|f)?)";
    let var = r"(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_]*(?i:api_?secret|secret_?key|api_?key|apikey|passphrase|private_?key|secret|password|passwd|access_?token|auth_?token|bot_?token)[A-Za-z0-9_]*";
    Rule {
        id: PRINTED,
        exchange: "env",
        severity: Severity::Medium,
        description: "Credential variable printed or logged (it ends up in terminal output and log files)",
        keywords: &["print", "console.", "log", "puts", "debug!", "info!", "warn!", "error!", "trace!"],
        pattern: format!(
            r"(?m){call}\s*\((?:[^\n]{{0,160}}?(?:,\s*|\+\s*|\{{|\$\{{))?\s*(?P<secret>{var})\s*(?:[,)}}+]|$)"
        ),
        // Code only: a Markdown page or a log that mentions `print(api_secret)` prints nothing.
        files: Files::CodeOnly,
        // Printing is judged on the current tree only, and names a variable, not a secret.
        check: Check::Env,
        sources: &[Source::Tree],
        is_secret: false,
        remediation: "Don't print or log credentials; log a fingerprint or the first 4 characters if you must \
                      tell keys apart."
            .into(),
        ..base()
    }
}

/// The run-time rules of the env check: one exact-match rule per local `.env`
/// credential, and the print rule. Put them before the built-in rules so a
/// traced value wins over a built-in rule at the same span.
pub fn rules(local: &Local) -> Vec<Rule> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for t in &local.secrets {
        if !seen.insert(t.value.as_str()) {
            continue;
        }
        let value: &'static str = leak(t.value.clone());
        out.push(Rule {
            id: TRACED,
            exchange: "env",
            severity: Severity::Critical,
            description: leak(format!("Value of {} from {}", t.variable, t.file)),
            keywords: Box::leak(vec![value].into_boxed_slice()),
            pattern: format!("(?P<secret>{})", regex::escape(value)),
            remediation: format!(
                "The value of {} from your gitignored {} is out: revoke that key and create a new one, then \
                 remove the copy (and rewrite history if it was committed).",
                t.variable, t.file
            ),
            check: Check::Env,
            // In a gitignored file the value is where it belongs.
            sources: &[Source::Tree, Source::Staged, Source::History],
            ..base()
        });
    }
    out.push(print_rule());
    out
}

/// An engine with the env rules first and, when `with_builtin`, every built-in rule.
pub fn engine(local: &Local, with_builtin: bool) -> Engine {
    let mut rules = rules(local);
    if with_builtin {
        rules.extend_from_slice(crate::catalog::rules());
    }
    Engine::new(rules)
}

/// `--fix`: appends the missing lines to the root `.gitignore`, keeping its
/// content and line endings; idempotent. Returns the lines added.
pub fn fix(workdir: &Path, check: &FileCheck) -> Result<Vec<String>> {
    use crate::files::{self, Existing, Origin};
    let path = workdir.join(".gitignore");
    // A symlinked .gitignore is refused (exit 2), never read or appended
    // through: its target is outside the repository (and git ignores it).
    let existing = match files::read(
        &path,
        ".gitignore",
        Origin::Repository,
        files::MAX_CONFIG_SIZE,
    ) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => String::new(),
        Err(e) => return Err(e.into()),
    };
    let present: BTreeSet<&str> = existing.lines().map(str::trim).collect();
    let mut add: Vec<String> = check
        .missing_ignore_lines
        .iter()
        .filter(|l| !present.contains(l.as_str()))
        .cloned()
        .collect();
    if add.is_empty() {
        return Ok(add);
    }
    if add.iter().any(|l| l == ".env.*") && !present.contains("!.env.example") {
        add.push("!.env.example".into());
    }
    let eol = if existing.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(eol);
    }
    for line in &add {
        text.push_str(line);
        text.push_str(eol);
    }
    files::write(&path, ".gitignore", Existing::Replace, &text)?;
    Ok(add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_kinds() {
        assert_eq!(env_kind(".env"), Some(EnvKind::Secrets));
        assert_eq!(env_kind(".env.production"), Some(EnvKind::Secrets));
        assert_eq!(env_kind("prod.env"), Some(EnvKind::Secrets));
        assert_eq!(env_kind(".env.example"), Some(EnvKind::Template));
        assert_eq!(env_kind(".env.sample"), Some(EnvKind::Template));
        assert_eq!(
            env_kind(".env.production.template"),
            Some(EnvKind::Template)
        );
        assert_eq!(env_kind(".environment"), None);
        assert_eq!(env_kind("config.py"), None);
    }

    #[test]
    fn credential_names() {
        assert!(is_credential_name("BINANCE_API_SECRET"));
        assert!(is_credential_name("OKX_PASSPHRASE"));
        assert!(is_credential_name("PK"));
        assert!(!is_credential_name("DATABASE_HOST"));
        assert!(!is_credential_name("LOG_LEVEL"));
        assert!(!is_credential_name("PUBLIC_KEY"));
    }

    #[test]
    fn print_rule_finds_printed_credentials_only() {
        let engine = Engine::new(vec![print_rule()]);
        let hits = |code: &str| engine.scan("bot.py", code.as_bytes()).len();
        assert_eq!(hits("print(api_secret)"), 1);
        assert_eq!(hits("logger.info(f\"using {API_SECRET}\")"), 1);
        assert_eq!(hits("console.log(process.env.BINANCE_SECRET)"), 1);
        assert_eq!(hits("logging.debug(\"key %s\", exchange.apiKey)"), 1);
        assert_eq!(hits("println!(\"{}\", secret_key);"), 1);
        assert_eq!(hits("print(len(api_secret))"), 0);
        assert_eq!(hits("print(\"set BINANCE_API_SECRET in .env\")"), 0);
        assert_eq!(hits("print(f\"{api_key[:4]}…\")"), 0);
        assert_eq!(hits("print(api_secret is None)"), 0);
        assert_eq!(hits("api_secret = os.getenv('X')"), 0);
        // Documentation that shows the mistake is not the mistake.
        assert!(engine.scan("README.md", b"print(api_secret)").is_empty());
    }

    #[test]
    fn ignore_lines() {
        assert_eq!(ignore_line(".env"), ".env");
        assert_eq!(ignore_line(".env.local"), ".env.*");
        assert_eq!(ignore_line("prod.env"), "*.env");
    }
}
