//! Everything that reads content, and what the sources share: the size and
//! binary limits, the statistics every source adds to, the problems it
//! records instead of failing, and the step that turns an engine's matches
//! on one piece of content into findings.
//!
//! - `workspace`: the repository, opened once per run, and the one walk of
//!   its working tree (entries tracked / untracked / ignored);
//! - `gate`: the one read step (size cap, read, binary test and decoding,
//!   counts, detection) every source's content passes;
//! - `archive`: a zip, tar or gzip the gate meets, turned into members;
//! - `walk` (with `git_view`, what git tracks and ignores): that walk;
//! - `tree`, `staged`, `history`: the sources; `index` and `objects` read
//!   git's own files safely; `exclude`: the paths a run leaves out;
//! - `counts`: debug-build counters of repository opens and walks.

pub mod archive;
pub mod counts;
pub mod exclude;
pub mod gate;
pub mod git_view;
pub mod history;
pub mod index;
pub mod objects;
pub mod staged;
pub mod tree;
pub mod walk;
pub mod workspace;

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::detect::{Engine, Match};
use crate::finding::{CommitInfo, Confidence, Finding, Location, RuleRank, Source};
use crate::redact;

pub use exclude::{Exclude, MAX_EXCLUDE_LEN, MAX_EXCLUDE_PATTERNS};
pub use workspace::Workspace;

/// Git file modes that are not regular content: a symbolic link, and a
/// submodule's commit (a gitlink).
pub(crate) const MODE_SYMLINK: u32 = 0o120000;
pub(crate) const MODE_GITLINK: u32 = 0o160000;

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
    /// Every path history held, each once with the earliest commit (in
    /// topological order) that brought it in, sorted by path (history only;
    /// the env check picks its committed `.env` files out of it).
    pub paths: Vec<Introduced>,
}

/// A path some commit held, and the earliest commit that brought it in.
pub type Introduced = (String, Arc<CommitInfo>);

impl Outcome {
    pub fn merge(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.stats.add(&other.stats);
        self.problems.extend(other.problems);
        self.paths.extend(other.paths);
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
    detect_as(engine, path, path, bytes, prov)
}

/// [`detect`] for content shown at `shown` (an archive member's
/// `a.zip!x/y`) whose path-based decisions (kind of file, keywords and
/// context in the path) are made on `path` (`a.zip/x/y`, as if extracted).
pub fn detect_as(
    engine: &Engine,
    path: &str,
    shown: &str,
    bytes: &[u8],
    prov: Provenance<'_>,
) -> Vec<Finding> {
    let matches: Vec<Match> = engine.scan_from(prov.source, path, bytes);
    let findings: Vec<Finding> = matches
        .iter()
        .map(|m| finding(engine, (path, shown), bytes, m, prov))
        .collect();
    if let Some(collector) = engine.collector() {
        collector.offer(engine, bytes, &matches, &findings);
    }
    findings
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

fn finding(
    engine: &Engine,
    (path, shown): (&str, &str),
    bytes: &[u8],
    m: &Match,
    prov: Provenance<'_>,
) -> Finding {
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
    let shown_path = redact::sanitize(shown);
    let matched = &bytes[m.start..m.end];
    // The line around the match, up to 1 KiB each side: a marker comment
    // stands near its value, and a minified file's line is megabytes long.
    let lo = m.start.saturating_sub(1024);
    let line_start = memchr::memrchr(b'\n', &bytes[lo..m.start]).map_or(lo, |i| lo + i + 1);
    let hi = (m.end + 1024).min(bytes.len());
    let line_end = memchr::memchr(b'\n', &bytes[m.end..hi]).map_or(hi, |i| m.end + i);
    let context = crate::detect::context::context_of(path, &bytes[line_start..line_end]);
    Finding {
        check: rule.check,
        rule: rule.id.to_string(),
        severity: rule.severity,
        confidence: if context.is_some() {
            Confidence::Low
        } else {
            m.confidence
        },
        message: format!("{label} {verb} {shown_path}{}", proof(m)),
        location: Location {
            source: prov.source,
            path: shown.to_string(),
            line: Some(m.line),
            column: Some(m.column),
            commit: prov.commit.map(|c| c.commit.clone()),
            author: prov.commit.map(|c| c.author.clone()),
            date: prov.commit.map(|c| c.date.clone()),
            introduced: None,
        },
        secret: rule.is_secret.then(|| {
            let secret = redact::secret_ref(rule.id, matched);
            // The allowlist's secret regexes see the secret here, the only
            // place its bytes are (`allow.rs`).
            if let Some(allowlist) = engine.allowlist() {
                allowlist.note_secret(matched, &secret.fingerprint);
            }
            secret
        }),
        subject: (!rule.is_secret).then(|| String::from_utf8_lossy(matched).into_owned()),
        remediation: rule.remediation.clone(),
        context,
        verification: None,
        rank: RuleRank {
            generic: rule.exchange == "generic",
            order: u32::try_from(m.rule).unwrap_or(u32::MAX),
        },
    }
}
