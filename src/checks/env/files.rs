//! The file-level checks of the `.env` check ([`check_files`]): each `.env`
//! file ignored and untracked, never committed, a `.gitignore` entry for
//! `.env`, templates holding placeholders only, and no credential shared by
//! two bots.

use std::collections::BTreeSet;

use super::{
    COMMITTED, EXAMPLE_VALUE, EnvKind, GITIGNORE_MISSING, Local, NOT_IGNORED, SHARED, TRACKED,
    Traced, env_kind, file_name, ignore_line,
};
use crate::detect::Engine;
use crate::finding::{Check, CommitInfo, Confidence, Finding, Location, Severity, Source};
use crate::redact;
use crate::source::{Introduced, Problem};

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
            introduced: None,
        },
        secret: None,
        // The rule and the path say what it is about.
        subject: Some(String::new()),
        remediation,
        context: None,
        verification: None,
        rank: Default::default(),
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
