//! The one currency between stages: a [`Finding`] and its parts.
//!
//! Every check emits findings and every reporter consumes them. A finding never
//! holds a raw secret: only its redacted text and fingerprint ([`SecretRef`]),
//! built by `redact.rs`. What a finding *is*, wherever and whenever it was
//! found, is its [`Identity`]: the one key the filter stage (`filters.rs`)
//! and baselines use.

use std::cmp::Reverse;

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

/// Where history first had a secret that is still in the working tree (or
/// the index): the commit that introduced it, at which path and line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Introduction {
    pub commit: String,
    pub path: String,
    pub line: Option<usize>,
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
    /// For a secret found where it is now (the working tree or the index)
    /// that history also holds: where history first had it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced: Option<Introduction>,
}

/// A secret as it may be shown: never the whole value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SecretRef {
    pub redacted: String,
    /// The secret's own fingerprint ([`crate::redact::fingerprint`]): the
    /// same whichever rule matched it, wherever it was found.
    pub fingerprint: String,
    /// The fingerprints earlier versions gave it, one per rule that matched
    /// it at this finding's place or at another place the finding stands for
    /// ([`crate::redact::legacy_fingerprint`]): read in baselines and
    /// `[[allow]]` entries written before, never written. Not reported.
    #[serde(skip)]
    pub legacy: Vec<String>,
}

impl SecretRef {
    /// Adds `other`'s legacy fingerprints (a finding of the same secret
    /// that this one stands for) to this one's.
    pub fn absorb(&mut self, other: &SecretRef) {
        for fingerprint in &other.legacy {
            if !self.legacy.contains(fingerprint) {
                self.legacy.push(fingerprint.clone());
            }
        }
    }
}

/// How the rule behind a finding ranks when two rules match one value at
/// one place: a specific rule (an exchange's, a service's, a wallet's, a
/// custom one) before a generic one, then the higher severity, then the
/// rule that comes first in the engine. Findings not made by the engine
/// rank as specific and first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleRank {
    /// The rule is one of the generic ones (`generic-api-secret`, …).
    pub generic: bool,
    /// The rule's index in the engine.
    pub order: u32,
}

/// How sure keyaudit is that a match is a live credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The place says test, docs or example (see [`Finding::context`]).
    Low,
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
    /// What the place says the value is: `test`, `docs` or `example` (from
    /// its path, or a marker such as `# noqa: mock` on its line). A value
    /// there is usually a stand-in; it is still reported, with low confidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<crate::detect::context::Context>,
    /// What the exchange said about the credential (`--verify` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<crate::verify::session::Verification>,
    /// How its rule ranks against another matching the same value at the
    /// same place. Not reported.
    #[serde(skip)]
    pub rank: RuleRank,
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

    /// What the finding is: see [`Identity`].
    pub fn identity(&self) -> Identity {
        let what = match (&self.secret, &self.subject) {
            (Some(secret), _) => What::Secret(secret.fingerprint.clone()),
            (None, subject) => What::Subject {
                rule: self.rule.clone(),
                subject: subject.clone().unwrap_or_default(),
            },
        };
        Identity {
            check: self.check,
            path: self.location.path.clone(),
            what,
        }
    }

    /// Which of two findings of one identity stands for both, smaller
    /// first: the rule's standing ([`RuleRank`]: specific before generic,
    /// then the higher severity, then the engine's order), then the rule id.
    pub fn preference(&self) -> (bool, Reverse<Severity>, u32, &str) {
        (
            self.rank.generic,
            Reverse(self.severity),
            self.rank.order,
            &self.rule,
        )
    }

    /// The key findings are sorted by: leaks first, those without a test,
    /// docs or example context first, then path, line, column, rule.
    pub fn sort_key(&self) -> (bool, bool, &str, usize, usize, &str) {
        (
            !self.is_leak(),
            self.context.is_some(),
            &self.location.path,
            self.location.line.unwrap_or(0),
            self.location.column.unwrap_or(0),
            &self.rule,
        )
    }
}

/// What one finding is, whichever source, commit, line or column it was found
/// at, and however its message is worded: its check, its path and what it is
/// about (a secret, whichever rules matched it; or a rule's subject). Two
/// findings with one identity are one problem. Every filter keys on it
/// (`filters.rs`), and so does a baseline entry (`baseline.rs`); a filter
/// that needs more (the source, the line) says so where it projects it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity {
    /// A leak, and the env check's judgement of the same value (a template
    /// holding it), are two problems.
    pub check: Check,
    /// Relative to the root, '/' separators: the same from every source.
    pub path: String,
    pub what: What,
}

/// What a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum What {
    /// The secret's fingerprint, which depends on the secret alone: two
    /// rules matching one value at one path are one finding.
    Secret(String),
    /// A finding without a secret: its rule and its [`Finding::subject`]
    /// ("" when the rule and path say it all, and for a finding built
    /// without one).
    Subject { rule: String, subject: String },
}

impl Identity {
    /// The secret's fingerprint, when the finding holds one.
    pub fn secret(&self) -> Option<&str> {
        match &self.what {
            What::Secret(fingerprint) => Some(fingerprint),
            What::Subject { .. } => None,
        }
    }

    /// The identity with its subject left out (a secret's is kept): check,
    /// rule and path only, for filters that take two findings of one rule on one
    /// line as one.
    pub fn without_subject(mut self) -> Identity {
        if let What::Subject { subject, .. } = &mut self.what {
            subject.clear();
        }
        self
    }
}

#[cfg(test)]
impl Finding {
    /// A finding for unit tests: rule `rule` at line 1, column 1 of `path`,
    /// from `source`, holding `secret` (without one, an empty subject).
    pub(crate) fn sample(rule: &str, path: &str, source: Source, secret: Option<&[u8]>) -> Finding {
        Finding {
            check: Check::Leak,
            rule: rule.into(),
            severity: Severity::High,
            confidence: Confidence::Medium,
            message: format!("{rule} in {path}"),
            location: Location {
                source,
                path: path.into(),
                line: Some(1),
                column: Some(1),
                commit: None,
                author: None,
                date: None,
                introduced: None,
            },
            secret: secret.map(|s| crate::redact::secret_ref(rule, s)),
            subject: secret.is_none().then(String::new),
            remediation: String::new(),
            context: None,
            verification: None,
            rank: RuleRank::default(),
        }
    }
}
