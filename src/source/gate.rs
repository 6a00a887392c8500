//! The one gate every source's content passes: the size cap, the read, the
//! binary test and text decoding ([`super::text`]), archives opened into
//! their members ([`super::archive`]), the statistics and the problems
//! recorded, then detection. The working tree, the index and
//! history each only say where their content lives ([`Content`]) and where
//! it came from ([`Provenance`]); a new source is one more file feeding it.

use std::path::Path;

use git2::{Odb, Oid};

use super::history::Recent;
use super::{
    BINARY_SNIFF, Limits, Problem, Provenance, Stats, archive, detect, detect_as, objects, text,
};
use crate::detect::Engine;
use crate::finding::{Finding, Source};

/// Where a piece of content lives.
#[derive(Clone, Copy)]
pub enum Content<'a> {
    /// A file of the working tree.
    File(&'a Path),
    /// A blob of the object database (staged, or in some commit).
    Blob { odb: &'a Odb<'a>, oid: Oid },
    /// A blob already read (history reads a pack's blobs in the pack's order).
    Loaded { oid: Oid, bytes: &'a [u8] },
}

/// Why content was not read as text.
#[derive(Debug)]
pub enum Skip {
    /// Over the size cap (the size seen).
    TooLarge(u64),
    Binary,
    /// Missing, corrupt, or an I/O error: why.
    Unreadable(String),
}

/// Reads `content` without ever holding more than `max_size` bytes (plus
/// one), and hands `f` its text (decoded from UTF-16 when it has a
/// byte-order mark) and its size in bytes as stored. A file is checked on
/// what was opened, and its first 8 KiB decide it is binary before the rest
/// is read; a file that grew since is cut off at the cap. An archive is
/// binary here ([`pass`] opens it).
pub fn read<R>(
    content: Content<'_>,
    max_size: u64,
    f: impl FnOnce(&[u8], u64) -> R,
) -> Result<R, Skip> {
    load(content, max_size, false, |body| match body {
        Body::Text(text, size) => Ok(f(text, size)),
        Body::Archive(_) => Err(Skip::Binary),
    })
    .and_then(|r| r)
}

/// Content as read: text, or (when asked for) an archive's bytes.
enum Body<'b> {
    /// The text and the size as stored.
    Text(&'b [u8], u64),
    Archive(&'b [u8]),
}

/// [`read`], and with `archives` binary content that is an archive
/// ([`archive::kind`]) is read in whole (under the same cap) as well.
fn load<R>(
    content: Content<'_>,
    max_size: u64,
    archives: bool,
    f: impl FnOnce(Body<'_>) -> R,
) -> Result<R, Skip> {
    match content {
        Content::File(path) => {
            let (bytes, is_archive) = read_file(path, max_size, archives)?;
            if is_archive {
                return Ok(f(Body::Archive(&bytes)));
            }
            let text = text(&bytes).ok_or(Skip::Binary)?;
            Ok(f(Body::Text(&text, bytes.len() as u64)))
        }
        Content::Blob { odb, oid } => {
            let (size, _) = objects::read_header(odb, oid).map_err(Skip::Unreadable)?;
            if size > max_size {
                return Err(Skip::TooLarge(size));
            }
            let object = odb
                .read(oid)
                .map_err(|e| Skip::Unreadable(e.message().to_string()))?;
            loaded(object.data(), max_size, archives, f)
        }
        Content::Loaded { bytes, .. } => loaded(bytes, max_size, archives, f),
    }
}

/// [`load`] of a blob's bytes in memory.
fn loaded<R>(
    bytes: &[u8],
    max_size: u64,
    archives: bool,
    f: impl FnOnce(Body<'_>) -> R,
) -> Result<R, Skip> {
    if bytes.len() as u64 > max_size {
        return Err(Skip::TooLarge(bytes.len() as u64));
    }
    match text(bytes) {
        Some(text) => Ok(f(Body::Text(&text, bytes.len() as u64))),
        None if archives && archive::kind(bytes).is_some() => Ok(f(Body::Archive(bytes))),
        None => Err(Skip::Binary),
    }
}

/// A file's bytes, and whether they are an archive (binary content is read
/// past its first 8 KiB only then).
fn read_file(path: &Path, max_size: u64, archives: bool) -> Result<(Vec<u8>, bool), Skip> {
    use std::io::Read as _;
    let io = |e: std::io::Error| Skip::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > max_size {
        return Err(Skip::TooLarge(size));
    }
    let mut head = Vec::with_capacity(BINARY_SNIFF.min(size as usize));
    let mut file = file.take(max_size + 1);
    (&mut file)
        .take(BINARY_SNIFF as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let is_archive = text(&head).is_none();
    if is_archive && !(archives && archive::kind(&head).is_some()) {
        return Err(Skip::Binary);
    }
    let mut bytes = head;
    bytes.reserve((size as usize).saturating_sub(bytes.len()));
    file.read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_size {
        return Err(Skip::TooLarge(bytes.len() as u64));
    }
    Ok((bytes, is_archive))
}

/// One piece of content at one path.
pub struct Piece<'a> {
    pub path: &'a str,
    pub content: Content<'a>,
    pub prov: Provenance<'a>,
    /// Whether its counts and warnings are due: false for a blob already
    /// counted at another path (read again, its findings kept, counted once).
    pub counted: bool,
    /// History: the clean records, and how this version compares with the
    /// earlier one at the same path, to scan only what it changed.
    pub delta: Option<Delta<'a>>,
}

/// See [`Piece::delta`].
#[derive(Clone, Copy)]
pub struct Delta<'a> {
    /// The clean records.
    pub recent: &'a Recent,
    /// The earlier version of this blob at the same path.
    pub base: Option<Oid>,
    /// Given this version's text: what to scan of it now (history pairs it
    /// with its earlier version, `Recent`).
    pub verdict: &'a dyn Fn(&[u8]) -> Verdict,
}

/// What a version of a file is scanned for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Whole: it has no earlier version at hand, or it adds something.
    Whole,
    /// Nothing: it adds nothing over its earlier version.
    Nothing,
    /// Not now: its earlier version is still to be read; the caller
    /// decides it then.
    Later,
}

/// Passes one piece through the gate: reads it under the cap, counts it in
/// `stats` (files for the tree, blobs for history, both for the index),
/// records why it was skipped in `problems`, and returns its findings.
pub fn pass(
    engine: &Engine,
    limits: &Limits,
    piece: Piece<'_>,
    stats: &mut Stats,
    problems: &mut Vec<Problem>,
) -> Vec<Finding> {
    let Piece {
        path,
        content,
        prov,
        counted,
        delta,
    } = piece;
    // History: a blob already read at another path, known to hold no match
    // at a path that reads the same (same kind, same keywords in it), holds
    // none here either. (Its counts were made at its first path.)
    let history = match (delta, content) {
        (Some(delta), Content::Blob { oid, .. } | Content::Loaded { oid, .. }) => {
            Some((delta, oid, engine.path_signature(path)))
        }
        _ => None,
    };
    if let Some((delta, oid, signature)) = &history
        && !counted
        && delta.recent.is_clean(*oid, signature)
    {
        return Vec::new();
    }
    let read = load(content, limits.max_file_size, true, |body| {
        let (text, size) = match body {
            Body::Text(text, size) => (text, size),
            // An archive is scanned whole, member by member, never against
            // an earlier version, and leaves the recent and clean records
            // alone (they are of text at one path).
            Body::Archive(bytes) => {
                let mut members = Members {
                    engine,
                    limits,
                    prov,
                    counted,
                    note: history_note(content, prov),
                    findings: Vec::new(),
                    stats,
                    problems,
                    archive: path,
                    opened: false,
                    refused: false,
                };
                archive::open(path, bytes, limits.max_file_size, &mut members);
                let scanned = !members.refused;
                return (members.findings, bytes.len() as u64, scanned);
            }
        };
        let Some((delta, oid, signature)) = history else {
            return (detect(engine, path, text, prov), size, true);
        };
        // A new version of a file adds what it changed: when nothing is found
        // around the change, nothing new is there (what is elsewhere was
        // found in the version before, at this path).
        let verdict = (delta.verdict)(text);
        let whole = matches!(verdict, Verdict::Whole);
        let findings = if whole {
            detect(engine, path, text, prov)
        } else {
            Vec::new()
        };
        // No match at all: scanned whole and nothing found, or nothing new
        // over a version that held nothing.
        if findings.is_empty()
            && (whole
                || matches!(verdict, Verdict::Nothing)
                    && delta
                        .base
                        .is_some_and(|b| delta.recent.is_clean(b, &signature)))
        {
            delta.recent.mark_clean(oid, signature);
        }
        (findings, size, true)
    });
    match read {
        Ok((findings, size, scanned)) => {
            if counted && scanned {
                let blob = matches!(content, Content::Blob { .. } | Content::Loaded { .. });
                stats.files_scanned += u64::from(!blob || prov.source == Source::Staged);
                stats.blobs_scanned += u64::from(blob);
                stats.bytes_scanned += size;
            }
            findings
        }
        Err(_) if !counted => Vec::new(),
        Err(Skip::Binary) => {
            stats.skipped_binary += 1;
            Vec::new()
        }
        Err(Skip::TooLarge(size)) => {
            stats.skipped_too_large += 1;
            let what = match (content, prov.source) {
                (Content::Blob { oid, .. } | Content::Loaded { oid, .. }, Source::History) => {
                    format!("blob {oid} ")
                }
                _ => String::new(),
            };
            problems.push(Problem::too_large(path, size, limits, &what));
            Vec::new()
        }
        Err(Skip::Unreadable(why)) => {
            stats.skipped_unreadable += 1;
            let reason = match content {
                Content::File(_) => format!("cannot read: {why}"),
                Content::Blob { oid, .. } if prov.source == Source::Staged => {
                    format!("staged blob {oid} missing or corrupt: {why}; skipped")
                }
                Content::Blob { oid, .. } | Content::Loaded { oid, .. } => format!(
                    "blob {oid} missing or corrupt (first seen in commit {}): {why}; skipped",
                    prov.commit
                        .map_or("before the range", |c| c.commit.as_str())
                ),
            };
            problems.push(Problem {
                path: path.to_string(),
                reason,
            });
            Vec::new()
        }
    }
}

/// What an archive's members go to: each through detection at its own path
/// (`a.zip!x/y`), with the archive's provenance; what is skipped counted and
/// recorded as for any content (only for the archive's counted reading).
struct Members<'a, 'e> {
    engine: &'e Engine,
    limits: &'e Limits,
    prov: Provenance<'e>,
    counted: bool,
    /// Where the archive is, for a warning about history content.
    note: String,
    findings: Vec<Finding>,
    stats: &'a mut Stats,
    problems: &'a mut Vec<Problem>,
    /// The archive's own path.
    archive: &'a str,
    /// Whether a member was met.
    opened: bool,
    /// Whether the archive could not be opened at all (it then counts as
    /// skipped, not as scanned).
    refused: bool,
}

impl archive::Visit for Members<'_, '_> {
    fn wanted(&mut self, path: &str) -> bool {
        self.opened = true;
        // Matched at the path shown and as if the archive were extracted in
        // place (`a.zip/x/y`), so `config.json` or `user.zip!user` match.
        let excluded =
            self.limits.exclude.matches(path) || self.limits.exclude.matches(&extracted(path));
        if excluded && self.counted {
            self.stats.skipped_excluded += 1;
        }
        !excluded
    }

    fn member(&mut self, path: &str, bytes: &[u8]) {
        match text(bytes) {
            Some(text) => {
                let found = detect_as(self.engine, &extracted(path), path, &text, self.prov);
                self.findings.extend(found);
            }
            None if self.counted => self.stats.skipped_binary += 1,
            None => {}
        }
    }

    fn skipped(&mut self, path: &str, why: archive::Why) {
        self.refused |= path == self.archive && !self.opened;
        if !self.counted {
            return;
        }
        match why {
            archive::Why::TooLarge(size) => {
                self.stats.skipped_too_large += 1;
                let what = format!("{}archive member ", self.note);
                self.problems
                    .push(Problem::too_large(path, size, self.limits, &what));
            }
            archive::Why::Refused(reason) => {
                self.stats.skipped_unreadable += 1;
                let reason = match self.note.as_str() {
                    "" => reason,
                    note => format!("{}: {reason}", note.trim_end()),
                };
                self.problems.push(Problem {
                    path: path.to_string(),
                    reason,
                });
            }
        }
    }
}

/// A member's path as if its archives were extracted in place: what
/// path-based decisions read.
fn extracted(path: &str) -> String {
    path.replace(archive::SEPARATOR, "/")
}

/// Where history content is (the blob and the commit that brought it), to
/// start a warning with; empty for the working tree and the index.
fn history_note(content: Content<'_>, prov: Provenance<'_>) -> String {
    match (content, prov.source) {
        (Content::Blob { oid, .. } | Content::Loaded { oid, .. }, Source::History) => format!(
            "in blob {oid} (first seen in commit {}) ",
            prov.commit
                .map_or("before the range", |c| c.commit.as_str())
        ),
        _ => String::new(),
    }
}
