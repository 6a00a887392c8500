//! Sources of content to scan, and what they share: the size and binary
//! limits, the statistics every source adds to, the problems it records
//! instead of failing, and the step that turns an engine's matches on one
//! piece of content into findings.

pub mod history;
pub mod index;
pub mod objects;
pub mod staged;
pub mod tree;

use std::borrow::Cow;

use serde::Serialize;

use crate::detect::{Engine, Match};
use crate::finding::{CommitInfo, Finding, Location, Source};
use crate::redact;

/// Default cap on the size of one file or blob: 16 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// How much of a file is looked at to decide it is binary.
pub(crate) const BINARY_SNIFF: usize = 8 * 1024;

/// Limits every source applies.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_file_size: u64,
    /// Paths never scanned (`--exclude`, `[scan] exclude`).
    pub exclude: Exclude,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Exclude::default(),
        }
    }
}

/// Path patterns to leave out, matched against repository-relative paths
/// with '/' separators, the way `.gitignore` reads them: a pattern without a
/// '/' matches at any depth (`*.lock`, `fixtures`), `*` stays within one
/// folder and `**` crosses folders, and a pattern that names a folder
/// excludes everything under it.
#[derive(Clone, Debug, Default)]
pub struct Exclude {
    set: Option<globset::GlobSet>,
    /// The scanned repository's own `[scan] exclude` patterns, kept apart so
    /// that what they alone leave out is counted for the report.
    repo: Option<RepoExclude>,
}

/// Patterns from the scanned repository's own `keyaudit.toml`, and the
/// distinct paths only they left out (shared by every clone, every source).
#[derive(Clone, Debug)]
struct RepoExclude {
    set: globset::GlobSet,
    hits: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// At most this many exclude patterns (`[scan] exclude` and `--exclude`
/// together): each becomes two globs, and a set of them is compiled in time
/// and memory that grow with their number.
pub const MAX_EXCLUDE_PATTERNS: usize = 10_000;

/// At most this many bytes in one exclude pattern.
pub const MAX_EXCLUDE_LEN: usize = 1_024;

impl Exclude {
    /// Compiles the patterns. `config.rs` has checked each `[scan] exclude`
    /// pattern ([`Exclude::check`]) and their number, and reports a bad one
    /// at its file, line and column, so a pattern named here came from
    /// `--exclude`. The error quotes it through [`redact::quote`], or says
    /// that there are too many, or that together they are too complex.
    pub fn new(patterns: &[String]) -> Result<Exclude, String> {
        if patterns.is_empty() {
            return Ok(Exclude::default());
        }
        if patterns.len() > MAX_EXCLUDE_PATTERNS {
            return Err(format!(
                "{} exclude patterns ([scan] exclude and --exclude together); at most \
                 {MAX_EXCLUDE_PATTERNS} are allowed",
                patterns.len()
            ));
        }
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let globs = Exclude::globs(pattern)
                .map_err(|why| format!("--exclude {} {why}", redact::quote(pattern)))?;
            for glob in globs {
                builder.add(glob);
            }
        }
        let set = builder.build().map_err(|e| {
            format!(
                "the {} exclude patterns ([scan] exclude and --exclude) are too many or too complex \
                 to compile together ({})",
                patterns.len(),
                redact::scrub(&e.to_string())
            )
        })?;
        Ok(Exclude {
            set: Some(set),
            repo: None,
        })
    }

    /// `trusted` (the command line's, or `--config FILE`'s) and `repo` (the
    /// scanned repository's own `keyaudit.toml`): both exclude, and what only
    /// `repo` excludes is counted ([`Exclude::excluded_by_repo_config`]).
    pub fn with_repo(trusted: &[String], repo: &[String]) -> Result<Exclude, String> {
        let mut exclude = Exclude::new(trusted)?;
        exclude.repo = Exclude::new(repo)?.set.map(|set| RepoExclude {
            set,
            hits: Default::default(),
        });
        Ok(exclude)
    }

    /// Checks one pattern alone, without compiling a set: why it is not
    /// usable ("is not a valid glob: …"), to follow the quoted pattern.
    pub fn check(pattern: &str) -> Result<(), String> {
        Exclude::globs(pattern).map(drop)
    }

    /// The two globs a pattern stands for: the path itself and everything under it.
    fn globs(pattern: &str) -> Result<[globset::Glob; 2], String> {
        if pattern.len() > MAX_EXCLUDE_LEN {
            return Err(format!("is longer than {MAX_EXCLUDE_LEN} bytes"));
        }
        let trimmed = pattern
            .trim()
            .trim_start_matches("./")
            .trim_end_matches('/');
        let anchored = trimmed.strip_prefix('/').unwrap_or(trimmed);
        let base = if trimmed.contains('/') {
            anchored.to_string()
        } else {
            format!("**/{anchored}")
        };
        let build = |glob: &str| {
            globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    format!(
                        "is not a valid glob: {}",
                        redact::scrub(&e.kind().to_string())
                    )
                })
        };
        Ok([build(&base)?, build(&format!("{base}/**"))?])
    }

    /// True when `rel` (relative, '/'-separated) is excluded.
    pub fn matches(&self, rel: &str) -> bool {
        if self.set.as_ref().is_some_and(|s| s.is_match(rel)) {
            return true;
        }
        let Some(repo) = &self.repo else {
            return false;
        };
        if !repo.set.is_match(rel) {
            return false;
        }
        if let Ok(mut hits) = repo.hits.lock()
            && !hits.contains(rel)
        {
            hits.insert(rel.to_string());
        }
        true
    }

    /// How many distinct paths (a folder counts once) only the repository's
    /// own patterns left out so far.
    pub fn excluded_by_repo_config(&self) -> u64 {
        self.repo
            .as_ref()
            .and_then(|r| r.hits.lock().ok().map(|h| h.len() as u64))
            .unwrap_or(0)
    }
}

/// Counts of what was scanned and what was skipped, and why.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub files_scanned: u64,
    pub commits_scanned: u64,
    pub blobs_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped_binary: u64,
    pub skipped_too_large: u64,
    pub skipped_unreadable: u64,
    pub skipped_symlinks: u64,
    pub skipped_special: u64,
    pub skipped_dirs: u64,
    pub skipped_excluded: u64,
}

impl Stats {
    pub fn add(&mut self, other: &Stats) {
        self.files_scanned += other.files_scanned;
        self.commits_scanned += other.commits_scanned;
        self.blobs_scanned += other.blobs_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped_binary += other.skipped_binary;
        self.skipped_too_large += other.skipped_too_large;
        self.skipped_unreadable += other.skipped_unreadable;
        self.skipped_symlinks += other.skipped_symlinks;
        self.skipped_special += other.skipped_special;
        self.skipped_dirs += other.skipped_dirs;
        self.skipped_excluded += other.skipped_excluded;
    }
}

/// Something that could not be scanned, recorded so the run can go on.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub reason: String,
}

/// How every "over the size cap" problem starts: such problems are only
/// counted, and listed with `--verbose`.
const TOO_LARGE: &str = "larger than the size cap";

impl Problem {
    /// Content over the size cap, not scanned. `what` names it (e.g. the blob id).
    pub fn too_large(path: &str, size: u64, limits: &Limits, what: &str) -> Problem {
        Problem {
            path: path.to_string(),
            reason: format!(
                "{TOO_LARGE} ({size} > {} bytes); {what}not scanned",
                limits.max_file_size
            ),
        }
    }

    pub fn is_too_large(&self) -> bool {
        self.reason.starts_with(TOO_LARGE)
    }
}

/// What a source produced: findings, counts and recorded problems.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    pub problems: Vec<Problem>,
    /// `.env`-style paths found in history, each with the commit that
    /// introduced it (history only; the env check reports them).
    pub env_files: Vec<(String, CommitInfo)>,
}

impl Outcome {
    pub fn merge(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.stats.add(&other.stats);
        self.problems.extend(other.problems);
        self.env_files.extend(other.env_files);
    }
}

/// True when the content looks binary: a NUL byte in its first 8 KiB.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0)
}

/// The content as the engine reads it, or `None` when it is binary. Text
/// with a UTF-16 byte-order mark (what Windows editors and PowerShell's `>`
/// write) is decoded to UTF-8 first: its ASCII holds a NUL in every other
/// byte, so it would otherwise be skipped as binary with its keys unread.
/// Line breaks survive decoding, so lines are the file's own; columns are
/// counted in characters either way.
pub fn text(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    let decoded = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some(decode_utf16(rest, u16::from_le_bytes)),
        [0xFE, 0xFF, rest @ ..] => Some(decode_utf16(rest, u16::from_be_bytes)),
        _ => None,
    };
    match decoded {
        // A NUL character after decoding: not UTF-16 text after all.
        Some(text) => (!is_binary(text.as_bytes())).then(|| Cow::Owned(text.into_bytes())),
        None => (!is_binary(bytes)).then_some(Cow::Borrowed(bytes)),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Where a piece of content came from.
#[derive(Clone, Copy, Debug)]
pub struct Provenance<'a> {
    pub source: Source,
    pub commit: Option<&'a CommitInfo>,
}

/// Runs the engine on one piece of content and turns its matches into findings.
pub fn detect(engine: &Engine, path: &str, bytes: &[u8], prov: Provenance<'_>) -> Vec<Finding> {
    engine
        .scan(path, bytes)
        .into_iter()
        .filter(|m| engine.rule(m.rule).sources.contains(&prov.source))
        .map(|m| finding(engine, path, bytes, &m, prov))
        .collect()
}

/// What a match proved beyond its pattern, as a message suffix.
fn proof(m: &Match) -> String {
    match m.proven_address {
        Some(address) => {
            let hex: String = address.iter().take(3).map(|b| format!("{b:02x}")).collect();
            format!(
                " (proven: the address it controls, 0x{hex}…, is in the same file; if that is the \
                 bot's account address, this is the main wallet key, which can withdraw)"
            )
        }
        None => String::new(),
    }
}

fn finding(engine: &Engine, path: &str, bytes: &[u8], m: &Match, prov: Provenance<'_>) -> Finding {
    let rule = engine.rule(m.rule);
    let label = rule
        .description
        .split(" (")
        .next()
        .unwrap_or(rule.description);
    let verb = match prov.source {
        Source::Tree => "in",
        Source::Staged => "staged in",
        Source::History => "committed in",
        Source::Ignored => "in gitignored file",
        Source::Manifest => "in",
    };
    let shown_path = redact::sanitize(path);
    let matched = &bytes[m.start..m.end];
    Finding {
        check: rule.check,
        rule: rule.id.to_string(),
        severity: rule.severity,
        confidence: m.confidence,
        message: format!("{label} {verb} {shown_path}{}", proof(m)),
        location: Location {
            source: prov.source,
            path: path.to_string(),
            line: Some(m.line),
            column: Some(m.column),
            commit: prov.commit.map(|c| c.commit.clone()),
            author: prov.commit.map(|c| c.author.clone()),
            date: prov.commit.map(|c| c.date.clone()),
        },
        secret: rule.is_secret.then(|| redact::secret_ref(rule.id, matched)),
        subject: (!rule.is_secret).then(|| String::from_utf8_lossy(matched).into_owned()),
        remediation: rule.remediation.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::Exclude;

    #[test]
    fn exclude_patterns_read_like_gitignore() {
        let e = Exclude::new(&[
            "fixtures".into(),
            "*.lock".into(),
            "docs/*.md".into(),
            "/vendor/".into(),
        ])
        .unwrap();
        assert!(e.matches("fixtures"));
        assert!(e.matches("fixtures/leaky-bot/config.py"));
        assert!(e.matches("sub/fixtures/a.py"));
        assert!(e.matches("Cargo.lock") && e.matches("bots/node/yarn.lock"));
        assert!(e.matches("docs/intro.md"));
        assert!(!e.matches("docs/api/intro.md"));
        assert!(e.matches("vendor/x/y.py"));
        assert!(!e.matches("src/vendor.py"));
        assert!(!e.matches("config.py"));
        assert!(!Exclude::default().matches("anything"));
        assert!(Exclude::new(&["a[".into()]).unwrap_err().contains("a["));
    }

    #[test]
    fn what_only_the_repository_excludes_is_counted_once_per_path() {
        let e = Exclude::with_repo(&["*.lock".into()], &["**".into()]).unwrap();
        assert!(e.matches("a.lock") && e.matches("b.py") && e.matches("b.py"));
        assert!(e.matches("src/c.py"));
        assert_eq!(e.excluded_by_repo_config(), 2);
        assert_eq!(e.clone().excluded_by_repo_config(), 2);
        assert_eq!(Exclude::default().excluded_by_repo_config(), 0);
    }
}
