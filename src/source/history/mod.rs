//! Git history: every commit reachable from every ref (local and remote
//! branches, tags annotated or not, the stash, `HEAD` even when detached), or
//! the commits of a `--since REV` / `--range A..B` selection.
//!
//! The scan has two phases. First, one thread walks the commits oldest-first
//! in topological order and their trees, skipping every (tree, path) pair it
//! has already seen, and records for each blob the first commit that brought
//! it in at each distinct path. Then every blob found is read once, in the
//! packs' own order (each delta applied once, on every core), and scanned
//! at each of its paths; what no pack holds is read blob by blob. Findings
//! of one secret at one path collapse to the earliest commit.
//!
//! Everything is read in-process (refs, commits and trees with libgit2, the
//! packs with gitoxide's `gix-pack`): no `git` subprocess, hooks,
//! filters or fsmonitor, and replacement refs (`refs/replace/`) are never
//! consulted. Submodules are not entered; missing or corrupt objects are
//! skipped and recorded. Progress drawing is left to the caller, who passes
//! a (possibly hidden) progress bar.
//!
//! Its files:
//!
//! - `commits`: the refs and tips to start from, the commit walk and the
//!   tree walk (the first phase);
//! - `packs`: the packs read in their own order (the second phase);
//! - `read`: each blob scanned at its paths, and what no pack held read
//!   blob by blob;
//! - `recent`: each version paired with the one before it at its path;
//! - here: [`Revisions`], [`scan`] and its outcome, and the walk's shared state.

mod commits;
mod packs;
mod read;
mod recent;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use git2::Oid;
use indicatif::ProgressBar;

use super::{Introduced, Limits, Outcome, Problem, Stats, Workspace};
use crate::detect::Engine;
use crate::finding::{CommitInfo, Finding};

use commits::{send_baseline, tips, walk_commits};
use read::Reader;
pub(crate) use recent::Recent;

/// Which commits to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revisions {
    /// Every commit reachable from any ref or `HEAD`.
    All,
    /// Commits reachable from any ref but not from `REV` (what came after it).
    Since(String),
    /// Commits reachable from `to` but not from `from` (`A..B`).
    Range { from: String, to: String },
}

impl Revisions {
    /// Parses `A..B` (either side may be empty and then means `HEAD`).
    pub fn parse_range(text: &str) -> Result<Revisions> {
        let Some((from, to)) = text.split_once("..") else {
            bail!("--range {text:?}: expected A..B");
        };
        if to.starts_with('.') {
            bail!("--range {text:?}: symmetric ranges (A...B) are not supported; use A..B");
        }
        let side = |s: &str| {
            if s.is_empty() {
                "HEAD".to_string()
            } else {
                s.to_string()
            }
        };
        Ok(Revisions::Range {
            from: side(from),
            to: side(to),
        })
    }
}

/// The commit index of content seen just before a limited range (the
/// baseline): scanned only to recognise secrets that were already there.
const BASELINE: u32 = u32::MAX;

/// One unique blob and every (path, commit) where it first appeared.
struct Blob {
    /// (path, topological index of the commit that introduced it there).
    places: Vec<(String, u32)>,
    /// True once an item for it went to the readers.
    dispatched: bool,
}

/// One (blob, path) to scan, with the commit that brought the blob there.
struct Item {
    oid: Oid,
    path: String,
    commit: u32,
    /// `None` for the baseline before a limited range.
    info: Option<Arc<CommitInfo>>,
    /// The blob's first item: the one whose reading is counted and warned about.
    first: bool,
    /// The blob seen at the same path just before (an earlier version):
    /// the two are paired ([`Recent`]) and only what this one adds is scanned.
    base: Option<Oid>,
}

/// What the commit and tree walk learned.
#[derive(Default)]
struct Walk {
    commits: Vec<Arc<CommitInfo>>,
    blobs: Vec<Blob>,
    /// Each new (blob, path) pair, in the order found.
    items: Vec<Item>,
    blob_index: OidMap<usize>,
    /// The last blob seen at each path.
    last_at_path: HashMap<String, Oid>,
    /// Every path each tree was walked at.
    seen_trees: OidMap<Vec<Box<str>>>,
    submodules: HashSet<String>,
    problems: Vec<Problem>,
    unreadable: u64,
}

/// Scans the history of the workspace's repository.
pub fn scan(
    ws: &Workspace,
    engine: &Engine,
    limits: &Limits,
    revisions: &Revisions,
    progress: &ProgressBar,
) -> Result<Outcome> {
    let repo = ws
        .repo()
        .with_context(|| format!("{} is not in a git repository", ws.root().display()))?;
    // Process-wide libgit2 settings, measured on a 20,000-commit history:
    // the walk keeps its own seen-tree set, so libgit2's object cache only
    // held memory (585 -> 260 MB peak, and 25% faster without it); and
    // re-hashing every blob read with collision-detecting SHA-1 cost a
    // quarter of the read phase. A blob whose bytes do not match its id is
    // still content anyone with a clone can read, so it is scanned as is.
    git2::opts::enable_caching(false);
    git2::opts::strict_hash_verification(false);
    let mut walk = Walk::default();
    if repo.is_shallow() {
        walk.problems.push(Problem {
            path: ".".into(),
            reason: "history is truncated (shallow clone): commits before the shallow boundary are not scanned".into(),
        });
    }
    let tips = tips(repo, revisions, &mut walk)?;
    let git_dir = repo.path().to_path_buf();
    progress.set_message("scanning history");
    walk_commits(repo, &tips, &mut walk, progress);
    send_baseline(&mut walk);
    let reader = Reader::new(std::mem::take(&mut walk.items), engine, limits);
    let threads = rayon::current_num_threads();
    // A linked worktree's objects are in the main repository's folder.
    packs::read_packs(repo.commondir(), &reader, threads, limits.max_file_size);
    reader.read_rest(&git_dir);
    let read = reader.finish();
    let paths = introduced(&walk);
    progress.finish_and_clear();

    let mut stats = Stats {
        commits_scanned: walk.commits.len() as u64,
        skipped_unreadable: walk.unreadable,
        ..Stats::default()
    };
    stats.add(&read.stats);
    // Exit 2 only when something was there but nothing at all could be read.
    let no_commits = stats.commits_scanned == 0 && walk.unreadable > 0;
    let no_blobs = read.stats.skipped_unreadable > 0
        && read.stats.blobs_scanned == 0
        && read.stats.skipped_binary == 0
        && read.stats.skipped_too_large == 0;
    let nothing_read = no_commits || no_blobs;
    let mut problems = walk.problems;
    problems.extend(read.problems);
    if nothing_read {
        let first = problems
            .iter()
            .find(|p| !p.reason.starts_with("history is truncated"))
            .map(|p| format!("{}: {}", p.path, p.reason))
            .unwrap_or_default();
        bail!("could not read any object of the git history ({first})");
    }
    let mut subs: Vec<_> = walk.submodules.into_iter().collect();
    subs.sort();
    problems.extend(subs.into_iter().map(|path| Problem {
        path,
        reason: "submodule: not entered (scan its own repository)".into(),
    }));
    Ok(Outcome {
        findings: earliest(read.findings),
        stats,
        problems,
        paths,
    })
}

/// Every path the walked commits held, each with the earliest commit that
/// brought it in, sorted by path (what the env check reports as "was
/// committed" it picks out of these).
fn introduced(walk: &Walk) -> Vec<Introduced> {
    let mut first: HashMap<&str, u32> = HashMap::new();
    for (path, commit) in walk.blobs.iter().flat_map(|b| &b.places) {
        if *commit != BASELINE {
            let slot = first.entry(path).or_insert(*commit);
            *slot = (*slot).min(*commit);
        }
    }
    let mut out: Vec<Introduced> = first
        .into_iter()
        .filter_map(|(path, c)| Some((path.to_string(), walk.commits.get(c as usize)?.clone())))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// RFC 3339 UTC text for seconds since the epoch.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Hashes object ids cheaply: they are SHA-1 digests, already uniform, so
/// SipHash's protection buys nothing on the millions of lookups a walk makes.
#[derive(Clone, Copy, Default)]
struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

type OidMap<V> = HashMap<Oid, V, std::hash::BuildHasherDefault<OidHasher>>;

/// What the parallel blob reading produced; findings carry their commit's index.
#[derive(Default)]
struct Read {
    findings: Vec<(u32, Finding)>,
    stats: Stats,
    problems: Vec<Problem>,
}

/// One finding per (secret, path): the one from the earliest commit in
/// topological order; secrets already at that path just before a limited
/// range are dropped. The filter stage's first filter
/// ([`crate::filters::earliest`]), run here where the commits' order is known.
fn earliest(findings: Vec<(u32, Finding)>) -> Vec<Finding> {
    crate::filters::earliest(findings, BASELINE)
}
