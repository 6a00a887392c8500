//! The one gate every source's content passes: the size cap, the read, the
//! binary test and text decoding ([`super::text`]), the statistics and the
//! problems recorded, then detection. The working tree, the index and
//! history each only say where their content lives ([`Content`]) and where
//! it came from ([`Provenance`]); a new source is one more file feeding it.

use std::path::Path;

use git2::{Odb, Oid};

use super::history::Recent;
use super::{BINARY_SNIFF, Limits, Problem, Provenance, Stats, detect, objects, text};
use crate::detect::Engine;
use crate::finding::{Finding, Source};

/// Where a piece of content lives.
#[derive(Clone, Copy)]
pub enum Content<'a> {
    /// A file of the working tree.
    File(&'a Path),
    /// A blob of the object database (staged, or in some commit).
    Blob { odb: &'a Odb<'a>, oid: Oid },
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
/// is read; a file that grew since is cut off at the cap.
pub fn read<R>(
    content: Content<'_>,
    max_size: u64,
    f: impl FnOnce(&[u8], u64) -> R,
) -> Result<R, Skip> {
    match content {
        Content::File(path) => {
            let bytes = read_file(path, max_size)?;
            let text = text(&bytes).ok_or(Skip::Binary)?;
            Ok(f(&text, bytes.len() as u64))
        }
        Content::Blob { odb, oid } => {
            let (size, _) = objects::read_header(odb, oid).map_err(Skip::Unreadable)?;
            if size > max_size {
                return Err(Skip::TooLarge(size));
            }
            let object = odb
                .read(oid)
                .map_err(|e| Skip::Unreadable(e.message().to_string()))?;
            let bytes = object.data();
            let text = text(bytes).ok_or(Skip::Binary)?;
            Ok(f(&text, bytes.len() as u64))
        }
    }
}

fn read_file(path: &Path, max_size: u64) -> Result<Vec<u8>, Skip> {
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
    if text(&head).is_none() {
        return Err(Skip::Binary);
    }
    let mut bytes = head;
    bytes.reserve((size as usize).saturating_sub(bytes.len()));
    file.read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_size {
        return Err(Skip::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// One piece of content at one path.
pub struct Piece<'a> {
    pub path: &'a str,
    pub content: Content<'a>,
    pub prov: Provenance<'a>,
    /// Whether its counts and warnings are due: false for a blob already
    /// counted at another path (read again, its findings kept, counted once).
    pub counted: bool,
    /// History: where recently read blobs are kept, and the earlier version
    /// of this one at the same path, to scan only what it changed.
    pub delta: Option<Delta<'a>>,
}

/// See [`Piece::delta`].
#[derive(Clone, Copy)]
pub struct Delta<'a> {
    pub recent: &'a Recent,
    pub base: Option<Oid>,
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
        (Some(delta), Content::Blob { oid, .. }) => Some((delta, oid, engine.path_signature(path))),
        _ => None,
    };
    if let Some((delta, oid, signature)) = &history
        && !counted
        && delta.recent.is_clean(*oid, signature)
    {
        return Vec::new();
    }
    let read = read(content, limits.max_file_size, |text, size| {
        let Some((delta, oid, signature)) = history else {
            return (detect(engine, path, text, prov), size);
        };
        // A new version of a file adds what it changed: when nothing is found
        // around the change, nothing new is there (what is elsewhere was
        // found in the version before, at this path).
        let base = delta.base.and_then(|b| delta.recent.get(b));
        delta.recent.put(oid, text);
        let whole = base
            .as_ref()
            .is_none_or(|base| engine.may_add(prov.source, path, text, base));
        let findings = if whole {
            detect(engine, path, text, prov)
        } else {
            Vec::new()
        };
        // No match at all: scanned whole and nothing found, or nothing new
        // over a version that held nothing.
        if findings.is_empty()
            && (whole
                || delta
                    .base
                    .is_some_and(|b| delta.recent.is_clean(b, &signature)))
        {
            delta.recent.mark_clean(oid, signature);
        }
        (findings, size)
    });
    match read {
        Ok((findings, size)) => {
            if counted {
                let blob = matches!(content, Content::Blob { .. });
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
                (Content::Blob { oid, .. }, Source::History) => format!("blob {oid} "),
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
                Content::Blob { oid, .. } => format!(
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
