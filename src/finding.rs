//! The one currency between stages: a [`Finding`] and its parts.
//!
//! Every check emits findings and every reporter consumes them. A finding never
//! holds a raw secret: only its redacted text and fingerprint ([`SecretRef`]),
//! built by `redact.rs`.

use serde::Serialize;

/// Which check produced a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    Leak,
    Env,
    Manifest,
}

/// How bad a finding is. Ordered from least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Where the content that produced a finding came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A file in the working tree that git tracks or would track.
    Tree,
    /// Content staged in the index.
    Staged,
    /// A blob in a commit reachable from some ref.
    History,
    /// A gitignored file: where keys belong. Reported, never a leak.
    Ignored,
    /// The permission manifest.
    Manifest,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Tree => "tree",
            Source::Staged => "staged",
            Source::History => "history",
            Source::Ignored => "ignored",
            Source::Manifest => "manifest",
        }
    }
}

/// The commit that introduced a secret (history findings only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    pub commit: String,
    pub author: String,
    pub date: String,
}

/// Where a finding is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub source: Source,
    /// Relative to the repository (or scan) root, with '/' separators.
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// A secret as it may be shown: never the whole value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SecretRef {
    pub redacted: String,
    pub fingerprint: String,
}

/// How sure keyaudit is that a match is a live credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Medium,
    /// The credential's other parts (key, secret, passphrase) were found next to it.
    High,
}

/// One problem found by one check.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub check: Check,
    pub rule: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub location: Location,
    pub secret: Option<SecretRef>,
    /// What a finding without a secret is about, stable across rewordings of
    /// its message: the key or env variable it names ("" when the rule and
    /// path say it all). Part of its identity; not reported.
    #[serde(skip)]
    pub subject: Option<String>,
    pub remediation: String,
}

impl Finding {
    /// The finding, about `subject` (see [`Finding::subject`]).
    pub fn about(mut self, subject: &str) -> Finding {
        self.subject = Some(subject.to_string());
        self
    }

    /// True when the finding counts as a problem: every one but a key found
    /// in a gitignored file, where keys belong. (An env finding about
    /// gitignored files, such as one key in two bots' `.env`, counts.)
    pub fn is_leak(&self) -> bool {
        self.location.source != Source::Ignored || self.check != Check::Leak
    }

    /// The key findings are sorted by: path, line, column, rule.
    pub fn sort_key(&self) -> (bool, &str, usize, usize, &str) {
        (
            !self.is_leak(),
            &self.location.path,
            self.location.line.unwrap_or(0),
            self.location.column.unwrap_or(0),
            &self.rule,
        )
    }
}
