//! Baselines: a versioned file of the fingerprints of findings already known,
//! so that a repository with old, accepted (or already revoked) leaks can
//! still fail CI on new ones.
//!
//! The file is JSON, sorted and stable so that it diffs well in git and is
//! byte-identical when written twice from the same findings:
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": "keyaudit",
//!   "entries": [
//!     {"fingerprint": "sha256:…", "rule": "binance-api-secret", "path": "bot/config.py"}
//!   ]
//! }
//! ```
//!
//! An entry never holds a secret or its redacted text: only the fingerprint,
//! the rule id and the path. The fingerprint is the one of the finding's
//! [`Identity`]: its secret's ([`crate::redact::fingerprint`], which depends
//! on the value alone) or, for a finding without a secret (env and manifest
//! findings), one derived from its rule, path and subject
//! ([`crate::redact::subject_fingerprint`]), so that rewording a message
//! does not stale an entry. Entries written by earlier versions still match
//! ([`legacy_fingerprints_of`]): a secret's fingerprint then mixed in the
//! rule id ([`crate::redact::legacy_fingerprint`]), and a finding without a
//! secret's was derived from its rule, path and *message*
//! ([`crate::redact::finding_fingerprint`], until the message changes);
//! `keyaudit baseline` writes the new kinds. A finding is baselined when an
//! entry has one of its fingerprints *and* its path: a known key copied into
//! another file is a new exposure and is reported.
//!
//! This module parses, validates, builds and says which fingerprints name a
//! finding; it neither scans nor prints. The filter stage (`filters.rs`)
//! drops what an entry names; `app/` decides when stale entries (entries that
//! matched nothing) are worth a warning and writes them out.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Identity, What};

/// The one format version this keyaudit reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The file `keyaudit baseline` writes at PATH unless `--file` names another.
pub const DEFAULT_FILE: &str = "keyaudit-baseline.json";

const TOOL: &str = "keyaudit";

const HINT: &str = "write a new one with `keyaudit baseline`";

/// One known finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// `sha256:` + 64 hex digits: the secret's fingerprint, or the derived one.
    #[serde(deserialize_with = "checked_fingerprint")]
    pub fingerprint: String,
    /// The rule id, for people reading the file (matching ignores it).
    pub rule: String,
    /// Relative to the root, '/' separators, as in the report.
    pub path: String,
}

impl Entry {
    /// The entry that baselines `finding`.
    pub fn of(finding: &Finding) -> Entry {
        Entry {
            fingerprint: fingerprint_of(&finding.identity()),
            rule: finding.rule.clone(),
            path: finding.location.path.clone(),
        }
    }

    /// What an entry is matched on: its fingerprint at its path.
    pub fn key(&self) -> (&str, &str) {
        (&self.fingerprint, &self.path)
    }
}

/// The fingerprint a baseline stores for a finding of `identity`: its
/// secret's, or one derived from (rule, path, subject) when it holds no
/// secret.
pub fn fingerprint_of(identity: &Identity) -> String {
    match &identity.what {
        What::Secret(fingerprint) => fingerprint.clone(),
        What::Subject { rule, subject } => {
            crate::redact::subject_fingerprint(rule, &identity.path, subject)
        }
    }
}

/// The fingerprints baselines written by earlier versions stored for
/// `finding`: for a secret, its rule-mixed ones (one per rule that matched
/// it where the finding stands, see [`crate::finding::SecretRef::legacy`]);
/// without one, the one derived from (rule, path, message). Read only.
pub fn legacy_fingerprints_of(finding: &Finding) -> Vec<String> {
    match &finding.secret {
        Some(secret) => secret.legacy.clone(),
        None => vec![crate::redact::finding_fingerprint(
            &finding.rule,
            &finding.location.path,
            &finding.message,
        )],
    }
}

/// At most this many entries in a baseline file: far more than a repository
/// has leaks, and a bound on the memory and the stale-entry work a hostile
/// file can ask for.
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    version: u32,
    tool: String,
    #[serde(deserialize_with = "checked_entries")]
    entries: Vec<Entry>,
}

/// A fingerprint field: anything but `sha256:` + 64 hex digits is an error
/// at its line and column that quotes it only through [`crate::redact::quote`].
fn checked_fingerprint<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if is_fingerprint(&text) {
        Ok(text)
    } else {
        Err(serde::de::Error::custom(format!(
            "fingerprint {} is not sha256: and 64 hex digits",
            crate::redact::quote(&text)
        )))
    }
}

/// The `entries` list, read one entry at a time: more than [`MAX_ENTRIES`]
/// stops the read there, with serde_json's line and column.
fn checked_entries<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Entry>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<Entry>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {MAX_ENTRIES} entries")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<Entry>, A::Error> {
            use serde::de::Error as _;
            let mut out: Vec<Entry> = Vec::new();
            while let Some(entry) = seq.next_element::<Entry>()? {
                if out.len() == MAX_ENTRIES {
                    return Err(A::Error::custom(format!("more than {MAX_ENTRIES} entries")));
                }
                out.push(entry);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Entries)
}

/// Only the version, read first so that a file of another version is named
/// as such rather than as a shape error.
#[derive(Deserialize)]
struct Header {
    version: Option<serde_json::Value>,
}

/// A baseline file that cannot be used: exit 2, naming the file (and the
/// line and column where JSON says where).
#[derive(Debug)]
pub struct BaselineError {
    pub path: PathBuf,
    /// 1-based line and column, when the problem has a position.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "invalid baseline {}:{line}:{column}: {}",
                self.path.display(),
                self.message
            )?,
            None => write!(
                f,
                "invalid baseline {}: {}",
                self.path.display(),
                self.message
            )?,
        }
        write!(f, "\nhint: {HINT}")
    }
}

impl std::error::Error for BaselineError {}

/// A loaded baseline.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// Where it was read from (named in warnings).
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings dropped because an entry names them.
    pub baselined: usize,
    /// Entries that matched no finding, in file order.
    pub stale: Vec<Entry>,
}

impl Baseline {
    /// Every entry's key (fingerprint, path), for matching findings.
    pub fn keys(&self) -> HashSet<(&str, &str)> {
        self.entries.iter().map(Entry::key).collect()
    }
}

fn error(path: &Path, e: &serde_json::Error) -> BaselineError {
    // serde_json says column 0 for the end of input just after a newline.
    let position = (e.line() > 0).then(|| (e.line(), e.column().max(1)));
    // serde_json's Display repeats the position; the message alone reads
    // better. It quotes values (`invalid type: string "…"`): scrubbed, as the
    // file may hold a secret where a fingerprint belongs.
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) if position.is_some() => &text[..i],
        _ => &text,
    };
    let message = crate::redact::scrub(message);
    BaselineError {
        path: path.to_path_buf(),
        position,
        message,
    }
}

/// Parses and validates a baseline file's text.
pub fn parse(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
    let header: Header = serde_json::from_str(text).map_err(|e| error(path, &e))?;
    match header.version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(FORMAT_VERSION.into()) => {}
        Some(other) => {
            let other = match other {
                serde_json::Value::Number(n) => n.to_string(),
                _ => "that is not a number".into(),
            };
            return Err(BaselineError {
                path: path.to_path_buf(),
                position: None,
                message: format!(
                    "unknown baseline version {other} (this keyaudit reads version {FORMAT_VERSION})"
                ),
            });
        }
        None => {
            return Err(BaselineError {
                path: path.to_path_buf(),
                position: None,
                message: "no \"version\" field: not a keyaudit baseline".into(),
            });
        }
    }
    let file: FileV1 = serde_json::from_str(text).map_err(|e| error(path, &e))?;
    if file.tool != TOOL {
        return Err(BaselineError {
            path: path.to_path_buf(),
            position: None,
            message: format!(
                "\"tool\" is {}, not \"{TOOL}\"",
                crate::redact::quote(&file.tool)
            ),
        });
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        entries: file.entries,
    })
}

fn is_fingerprint(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Reads and parses the baseline at `path` (named by `--baseline`: a
/// symlink is followed, but only to a regular file of at most
/// [`crate::files::MAX_BASELINE_SIZE`] bytes).
pub fn load(path: &Path) -> Result<Baseline> {
    use crate::files::{self, Origin};
    let text = files::read(
        path,
        "baseline file",
        Origin::CommandLine,
        files::MAX_BASELINE_SIZE,
    )?;
    Ok(parse(path, &text)?)
}

/// The entries for `findings`: leaks only (keys in gitignored files never fail
/// a run), one per (fingerprint, path), named after the rule the report
/// would show ([`Finding::preference`]: one secret matched by two rules is
/// one entry), sorted by path, rule and fingerprint.
pub fn entries(findings: &[Finding]) -> Vec<Entry> {
    let mut leaks: Vec<&Finding> = findings.iter().filter(|f| f.is_leak()).collect();
    leaks.sort_by(|a, b| a.preference().cmp(&b.preference()));
    let mut seen = HashSet::new();
    let mut entries: Vec<Entry> = leaks
        .into_iter()
        .map(Entry::of)
        .filter(|e| seen.insert((e.fingerprint.clone(), e.path.clone())))
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
    });
    entries
}

/// The file's text for `entries` (already sorted by [`entries`]).
pub fn render(entries: Vec<Entry>) -> String {
    let file = FileV1 {
        version: FORMAT_VERSION,
        tool: TOOL.into(),
        entries,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("a baseline serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Source;

    #[test]
    fn entries_are_sorted_deduplicated_and_leave_out_ignored_files() {
        let found = vec![
            Finding::sample("b-rule", "z.py", Source::Tree, Some(b"secret-one")),
            Finding::sample("b-rule", "z.py", Source::History, Some(b"secret-one")),
            Finding::sample("a-rule", "a.py", Source::Tree, Some(b"secret-two")),
            Finding::sample("a-rule", ".env", Source::Ignored, Some(b"secret-three")),
            Finding::sample("env-file-tracked", ".env", Source::Tree, None),
        ];
        let entries = entries(&found);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, vec![".env", "a.py", "z.py"]);
        assert_eq!(entries[0].rule, "env-file-tracked");
        let text = render(entries.clone());
        assert!(!text.contains("secret-"), "{text}");
        let back = parse(Path::new("b.json"), &text).expect("round trip");
        assert_eq!(back.entries, entries);
        assert_eq!(render(back.entries), text);
    }

    #[test]
    fn one_secret_under_two_rules_is_one_entry_of_the_specific_rule_with_its_own_fingerprint() {
        let mut generic = Finding::sample("generic-api-secret", "a.py", Source::Tree, Some(b"s1"));
        generic.rank.generic = true;
        let specific = Finding::sample("okx-api-secret", "a.py", Source::Tree, Some(b"s1"));
        let entries = entries(&[generic, specific]);
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0].rule, "okx-api-secret");
        assert_eq!(entries[0].fingerprint, crate::redact::fingerprint(b"s1"));
    }

    #[test]
    fn bad_files_are_errors_with_positions_where_json_has_them() {
        let p = Path::new("b.json");
        let e = parse(p, "{\n  \"version\": 1,\n  \"entries\": [\n}").unwrap_err();
        assert_eq!(e.position, Some((4, 1)), "{e}");
        assert!(
            e.to_string().starts_with("invalid baseline b.json:4:1: "),
            "{e}"
        );
        let e = parse(p, r#"{"version": 2, "tool": "keyaudit", "entries": []}"#).unwrap_err();
        assert!(e.to_string().contains("unknown baseline version 2"), "{e}");
        let e = parse(p, r#"{"tool": "keyaudit", "entries": []}"#).unwrap_err();
        assert!(e.to_string().contains("no \"version\""), "{e}");
        let e = parse(p, r#"{"version": 1, "tool": "keyaudit", "entries": [{"fingerprint": "x", "rule": "r", "path": "p"}]}"#).unwrap_err();
        assert!(e.to_string().contains("is not sha256:"), "{e}");
        assert!(e.position.is_some(), "{e}");
        let e = parse(
            p,
            r#"{"version": 1, "tool": "keyaudit", "entries": [], "extra": 1}"#,
        )
        .unwrap_err();
        assert!(e.position.is_some(), "{e}");
    }
}
