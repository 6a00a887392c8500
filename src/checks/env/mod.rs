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
//! `--fix` ([`fix()`]) only appends missing lines to `.gitignore`.
//!
//! Its files:
//!
//! - `files`: the file-level checks and their findings;
//! - `fix`: `--fix`;
//! - here: the rule ids, the kinds of `.env` file, the local `.env` files and
//!   their credentials ([`Local`]), and the engine rules.

mod files;
mod fix;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::detect::Engine;
use crate::detect::placeholder::is_placeholder;
use crate::detect::rule::{Files, Rule, Scope, base, is_non_secret_name};
use crate::finding::{Check, Severity, Source};
use crate::source::Workspace;
use crate::source::walk::Status;

pub use files::{FileCheck, check_files};
pub use fix::fix;

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
/// read once per run, shared by the traced-value rules ([`rules`]) and the
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
        // From the call's name (`logger.info`, `console.log`) to its arguments, across lines.
        scope: Scope::Span {
            before: 16,
            after: 400,
        },
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
            // The value is its own keyword: the window is the hit.
            scope: Scope::Span {
                before: 0,
                after: 0,
            },
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
