//! Git history: every commit reachable from every ref (local and remote
//! branches, tags annotated or not, the stash, `HEAD` even when detached), or
//! the commits of a `--since REV` / `--range A..B` selection.
//!
//! The scan has two phases. First, one thread walks the commits oldest-first
//! in topological order and their trees, skipping every (tree, path) pair it
//! has already seen, and records for each blob the first commit that brought
//! it in at each distinct path. Each new (blob, path) pair streams to readers
//! that work in parallel while the walk goes on (one `git2::Repository` per
//! worker, since it is not `Sync`; one blob in memory per worker), so every
//! blob is read once per distinct path it lived at, nearly always once.
//! Findings of one secret at one path collapse to the earliest commit.
//!
//! Everything is read in-process with libgit2: no `git` subprocess, hooks,
//! filters or fsmonitor, and replacement refs (`refs/replace/`) are never
//! consulted. Submodules are not entered; missing or corrupt objects are
//! skipped and recorded. Progress drawing is left to the caller, who passes
//! a (possibly hidden) progress bar.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use anyhow::{Context, Result, anyhow, bail};
use git2::{ObjectType, Oid, Repository};
use indicatif::ProgressBar;
use rayon::prelude::*;

use super::gate::{self, Content, Piece};
use super::{
    Introduced, Limits, MODE_GITLINK, MODE_SYMLINK, Outcome, Problem, Provenance, Stats, Workspace,
    objects,
};
use crate::detect::Engine;
use crate::finding::{CommitInfo, Finding, Source};

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
}

/// What the commit and tree walk learned.
#[derive(Default)]
struct Walk {
    commits: Vec<Arc<CommitInfo>>,
    blobs: Vec<Blob>,
    /// Where new (blob, path) pairs go as they are found.
    sink: Option<SyncSender<Item>>,
    blob_index: OidMap<usize>,
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
    // The walk (this thread: it uses the workspace's `repo`, which is not
    // `Sync`) streams each new (blob, path) to the readers as it finds it,
    // so reading hides the walk's cost.
    let (sink, items) = std::sync::mpsc::sync_channel::<Item>(4096);
    walk.sink = Some(sink);
    let read = std::thread::scope(|s| {
        let reader = s.spawn(|| read_items(&git_dir, items, engine, limits));
        walk_commits(repo, &tips, &mut walk, progress);
        send_baseline(&mut walk);
        // Closing the channel ends the readers.
        walk.sink = None;
        reader.join()
    });
    let read = read.map_err(|_| anyhow!("the history read failed unexpectedly"))?;
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

/// Resolves a revision to a commit, or a clear error naming it.
fn resolve(repo: &Repository, rev: &str) -> Result<Oid> {
    let obj = repo
        .revparse_single(rev)
        .map_err(|e| anyhow!("unknown revision {rev:?}: {}", e.message()))?;
    let commit = obj
        .peel_to_commit()
        .map_err(|_| anyhow!("revision {rev:?} does not name a commit"))?;
    Ok(commit.id())
}

/// Commits to start from (push) and to stop at (hide).
struct Tips {
    push: Vec<Oid>,
    hide: Vec<Oid>,
}

impl Tips {
    fn is_empty(&self) -> bool {
        self.push.is_empty()
    }
}

/// Every commit a ref or `HEAD` points at (tags peeled), deduplicated.
fn all_refs(repo: &Repository, walk: &mut Walk) -> Vec<Oid> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    if let Ok(head) = repo.head()
        && let Ok(c) = head.peel_to_commit()
        && seen.insert(c.id())
    {
        out.push(c.id());
    }
    let refs = match repo.references() {
        Ok(r) => r,
        Err(e) => {
            walk.problems.push(Problem {
                path: ".".into(),
                reason: format!("cannot list refs: {}", e.message()),
            });
            return out;
        }
    };
    for r in refs {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                walk.problems.push(Problem {
                    path: ".".into(),
                    reason: format!("unreadable ref: {}", e.message()),
                });
                continue;
            }
        };
        let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
        if name.starts_with("refs/replace/") {
            continue;
        }
        match r.peel_to_commit() {
            Ok(c) => {
                if seen.insert(c.id()) {
                    out.push(c.id());
                }
            }
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                walk.unreadable += 1;
                walk.problems.push(Problem {
                    path: name,
                    reason: format!("ref points at a missing object: {}", e.message()),
                });
            }
            // Corrupt, or of a type libgit2 does not know: recorded.
            Err(e) if matches!(e.class(), git2::ErrorClass::Odb | git2::ErrorClass::Zlib) => {
                walk.unreadable += 1;
                walk.problems.push(Problem {
                    path: name,
                    reason: format!("ref points at a corrupt object: {}", e.message()),
                });
            }
            // A tag of a tree or blob: nothing with a commit to scan.
            Err(_) => {}
        }
    }
    out
}

fn tips(repo: &Repository, revisions: &Revisions, walk: &mut Walk) -> Result<Tips> {
    Ok(match revisions {
        Revisions::All => Tips {
            push: all_refs(repo, walk),
            hide: Vec::new(),
        },
        Revisions::Since(rev) => {
            let hide = resolve(repo, rev)?;
            Tips {
                push: all_refs(repo, walk),
                hide: vec![hide],
            }
        }
        Revisions::Range { from, to } => {
            let hide = resolve(repo, from)?;
            let push = resolve(repo, to)?;
            Tips {
                push: vec![push],
                hide: vec![hide],
            }
        }
    })
}

/// `name <email>` of a signature, lossy where it is not UTF-8.
fn person(sig: &git2::Signature<'_>) -> String {
    format!(
        "{} <{}>",
        String::from_utf8_lossy(sig.name_bytes()),
        String::from_utf8_lossy(sig.email_bytes())
    )
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

/// Walks commits oldest-first and their trees, recording each blob's places.
fn walk_commits(repo: &Repository, tips: &Tips, walk: &mut Walk, progress: &ProgressBar) {
    if tips.is_empty() {
        return;
    }
    let commits = list_commits(repo, tips, walk);
    progress.set_length(commits.len() as u64);
    if !tips.hide.is_empty() {
        let oids: Vec<Oid> = commits.iter().map(|c| c.oid).collect();
        walk_boundary(repo, &oids, walk);
    }
    for commit in commits {
        let index = walk.commits.len() as u32;
        walk.commits.push(commit.info);
        progress.inc(1);
        walk_tree(repo, commit.tree, &mut String::new(), index, walk);
    }
}

/// A commit of the walk: what the tree walk and the findings need of it.
struct Listed {
    oid: Oid,
    tree: Oid,
    info: Arc<CommitInfo>,
}

/// Reads one commit for the walk: its listing and its parents.
fn read_commit(repo: &Repository, oid: Oid) -> Result<(Listed, Vec<Oid>), git2::Error> {
    let commit = repo.find_commit(oid)?;
    let author = commit.author();
    let listed = Listed {
        oid,
        tree: commit.tree_id(),
        info: Arc::new(CommitInfo {
            commit: oid.to_string(),
            author: person(&author),
            date: rfc3339(author.when().seconds()),
        }),
    };
    Ok((listed, commit.parent_ids().collect()))
}

/// The commits reachable from `tips.push` and not from `tips.hide`, parents
/// before children (a depth-first post-order: a topological order, oldest
/// first). The walk is ours rather than libgit2's revwalk, which stops at
/// the first missing or corrupt commit and then yields nothing: here such a
/// commit is recorded, counted as unreadable and passed over, and every
/// commit that can be read is kept.
fn list_commits(repo: &Repository, tips: &Tips, walk: &mut Walk) -> Vec<Listed> {
    let hidden = ancestors(repo, &tips.hide);
    let mut seen: HashSet<Oid> = HashSet::new();
    let mut out = Vec::new();
    // (commit, its parents, how many of them were visited)
    let mut stack: Vec<(Listed, Vec<Oid>, usize)> = Vec::new();
    let unreadable = |walk: &mut Walk, oid: Oid, child: Option<Oid>, e: git2::Error| {
        walk.unreadable += 1;
        let what = if e.code() == git2::ErrorCode::NotFound {
            "missing"
        } else {
            "corrupt"
        };
        walk.problems.push(Problem {
            path: oid.to_string(),
            reason: match child {
                Some(child) => format!(
                    "commit {what} (parent of {child}): {}; history reachable only through it is not scanned",
                    e.message()
                ),
                None => format!("commit {what}: {}", e.message()),
            },
        });
    };
    for &tip in &tips.push {
        if hidden.contains(&tip) || !seen.insert(tip) {
            continue;
        }
        match read_commit(repo, tip) {
            Ok((listed, parents)) => stack.push((listed, parents, 0)),
            Err(e) => unreadable(walk, tip, None, e),
        }
        while let Some((listed, parents, next)) = stack.last_mut() {
            let Some(&parent) = parents.get(*next) else {
                if let Some((listed, _, _)) = stack.pop() {
                    out.push(listed);
                }
                continue;
            };
            *next += 1;
            if hidden.contains(&parent) || !seen.insert(parent) {
                continue;
            }
            let child = listed.oid;
            match read_commit(repo, parent) {
                Ok((listed, parents)) => stack.push((listed, parents, 0)),
                Err(e) => unreadable(walk, parent, Some(child), e),
            }
        }
    }
    out
}

/// `from` and every commit reachable from it (what `--since`/`--range` leave
/// out). A commit that cannot be read ends that line of ancestry.
fn ancestors(repo: &Repository, from: &[Oid]) -> HashSet<Oid> {
    let mut seen: HashSet<Oid> = from.iter().copied().collect();
    let mut todo: Vec<Oid> = from.to_vec();
    while let Some(oid) = todo.pop() {
        if let Ok(commit) = repo.find_commit(oid) {
            for parent in commit.parent_ids() {
                if seen.insert(parent) {
                    todo.push(parent);
                }
            }
        }
    }
    seen
}

/// For a limited range: records the trees of the commits just outside it
/// (parents of its commits that are not in it) as the baseline, so that
/// content already there before the range is not reported again.
/// A parent that cannot be read (a shallow boundary) is simply left out.
fn walk_boundary(repo: &Repository, in_range: &[Oid], walk: &mut Walk) {
    let inside: HashSet<Oid> = in_range.iter().copied().collect();
    let mut boundary = Vec::new();
    let mut seen = HashSet::new();
    for oid in in_range {
        let Ok(commit) = repo.find_commit(*oid) else {
            continue;
        };
        for parent in commit.parent_ids() {
            if !inside.contains(&parent) && seen.insert(parent) {
                boundary.push(parent);
            }
        }
    }
    for oid in boundary {
        if let Ok(tree) = repo.find_commit(oid).map(|c| c.tree_id()) {
            walk_tree(repo, tree, &mut String::new(), BASELINE, walk);
        }
    }
}

/// Records the blobs of the tree `oid` at `path` (the buffer is restored on
/// return), skipping (tree, path) pairs already seen: consecutive commits
/// share most subtrees, so each commit costs only what it changed.
fn walk_tree(repo: &Repository, oid: Oid, path: &mut String, commit: u32, walk: &mut Walk) {
    if walk
        .seen_trees
        .get(&oid)
        .is_some_and(|paths| paths.iter().any(|p| **p == **path))
    {
        return;
    }
    let tree = match repo.find_tree(oid) {
        Ok(t) => t,
        Err(e) => {
            walk.unreadable += 1;
            walk.problems.push(Problem {
                path: if path.is_empty() {
                    ".".into()
                } else {
                    path.clone()
                },
                reason: format!(
                    "tree {oid} missing or corrupt in commit {}: {}",
                    walk.commits
                        .get(commit as usize)
                        .map_or("before the range", |c| c.commit.as_str()),
                    e.message()
                ),
            });
            return;
        }
    };
    let len = path.len();
    for entry in tree.iter() {
        if len > 0 {
            path.push('/');
        }
        path.push_str(&String::from_utf8_lossy(entry.name_bytes()));
        let mode = entry.filemode() as u32;
        match entry.kind() {
            Some(ObjectType::Tree) => walk_tree(repo, entry.id(), path, commit, walk),
            Some(ObjectType::Blob) if mode != MODE_SYMLINK => {
                let id = entry.id();
                let slot = *walk.blob_index.entry(id).or_insert_with(|| {
                    walk.blobs.push(Blob {
                        places: Vec::new(),
                        dispatched: false,
                    });
                    walk.blobs.len() - 1
                });
                let blob = &mut walk.blobs[slot];
                if !blob.places.iter().any(|(p, _)| p == path) {
                    blob.places.push((path.clone(), commit));
                    if commit != BASELINE
                        && let Some(sink) = &walk.sink
                    {
                        let first = !std::mem::replace(&mut blob.dispatched, true);
                        // A closed channel means the readers are gone; the walk just finishes.
                        let _ = sink.send(Item {
                            oid: id,
                            path: path.clone(),
                            commit,
                            info: walk.commits.get(commit as usize).cloned(),
                            first,
                        });
                    }
                }
            }
            Some(ObjectType::Commit) | None if mode == MODE_GITLINK => {
                walk.submodules.insert(path.clone());
            }
            _ => {}
        }
        path.truncate(len);
    }
    walk.seen_trees
        .entry(oid)
        .or_default()
        .push(path.as_str().into());
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

/// After a limited range's walk: sends the baseline (blob, path) pairs at
/// paths the range touched, so secrets already there can be recognised.
fn send_baseline(walk: &mut Walk) {
    let Some(sink) = &walk.sink else {
        return;
    };
    let touched: HashSet<String> = walk
        .blobs
        .iter()
        .flat_map(|b| &b.places)
        .filter(|(_, c)| *c != BASELINE)
        .map(|(p, _)| p.clone())
        .collect();
    let blobs = walk.blob_index.iter().map(|(oid, slot)| (*oid, *slot));
    for (oid, slot) in blobs {
        let blob = &mut walk.blobs[slot];
        for (path, commit) in &blob.places {
            if *commit == BASELINE && touched.contains(path) {
                let first = !std::mem::replace(&mut blob.dispatched, true);
                let _ = sink.send(Item {
                    oid,
                    path: path.clone(),
                    commit: BASELINE,
                    info: None,
                    first,
                });
            }
        }
    }
}

/// Reads and scans the items as they arrive, in parallel: one repository
/// per worker (a `git2::Repository` is not `Sync`) and one blob in memory
/// per worker at a time.
fn read_items(git_dir: &Path, items: Receiver<Item>, engine: &Engine, limits: &Limits) -> Read {
    items
        .into_iter()
        .par_bridge()
        .map_init(
            || objects::open(git_dir).map_err(|e| e.message().to_string()),
            |repo, item| {
                let mut acc = Read::default();
                let odb = repo
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|r| r.odb().map_err(|e| e.message().to_string()));
                match odb {
                    Ok(odb) => scan_item(&odb, &item, engine, limits, &mut acc),
                    Err(e) => {
                        acc.stats.skipped_unreadable += 1;
                        acc.problems.push(Problem {
                            path: ".".into(),
                            reason: format!("cannot open repository: {e}"),
                        });
                    }
                }
                acc
            },
        )
        .reduce(Read::default, |mut a, b| {
            a.findings.extend(b.findings);
            a.stats.add(&b.stats);
            a.problems.extend(b.problems);
            a
        })
}

/// Reads one blob and scans it at one path. Counts and warnings come from
/// the blob's first item only; a blob at several paths is read once per path.
fn scan_item(odb: &git2::Odb<'_>, item: &Item, engine: &Engine, limits: &Limits, acc: &mut Read) {
    if limits.exclude.matches(&item.path) {
        acc.stats.skipped_excluded += 1;
        return;
    }
    let piece = Piece {
        path: &item.path,
        content: Content::Blob { odb, oid: item.oid },
        prov: Provenance {
            source: Source::History,
            commit: item.info.as_deref(),
        },
        counted: item.first,
    };
    let findings = gate::pass(engine, limits, piece, &mut acc.stats, &mut acc.problems);
    acc.findings
        .extend(findings.into_iter().map(|f| (item.commit, f)));
}

/// One finding per (secret, path): the one from the earliest commit in
/// topological order; secrets already at that path just before a limited
/// range are dropped. The filter stage's first filter
/// ([`crate::filters::earliest`]), run here where the commits' order is known.
fn earliest(findings: Vec<(u32, Finding)>) -> Vec<Finding> {
    crate::filters::earliest(findings, BASELINE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_660), "2026-01-01T00:01:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn ranges() {
        assert_eq!(
            Revisions::parse_range("main..feature").unwrap(),
            Revisions::Range {
                from: "main".into(),
                to: "feature".into()
            }
        );
        assert_eq!(
            Revisions::parse_range("v1..").unwrap(),
            Revisions::Range {
                from: "v1".into(),
                to: "HEAD".into()
            }
        );
        assert!(Revisions::parse_range("main").is_err());
        assert!(Revisions::parse_range("a...b").is_err());
    }
}
