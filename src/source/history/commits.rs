//! The first phase of the history scan: the refs and revisions to start
//! from ([`tips`]), the commits reachable from them in topological order,
//! and their trees, each (tree, path) pair walked once; every new (blob,
//! path) pair is listed, in the order found, for the second phase.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::{Result, anyhow};
use git2::{ObjectType, Oid, Repository};
use indicatif::ProgressBar;

use super::{BASELINE, Blob, Item, Revisions, Walk, rfc3339};
use crate::finding::CommitInfo;
use crate::source::{MODE_GITLINK, MODE_SYMLINK, Problem};

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
pub(super) struct Tips {
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

pub(super) fn tips(repo: &Repository, revisions: &Revisions, walk: &mut Walk) -> Result<Tips> {
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

/// Walks commits oldest-first and their trees, recording each blob's places.
pub(super) fn walk_commits(
    repo: &Repository,
    tips: &Tips,
    walk: &mut Walk,
    progress: &ProgressBar,
) {
    if tips.is_empty() {
        return;
    }
    let commits = list_commits(repo, tips, walk);
    progress.set_length(commits.len() as u64);
    let mut last = LastTrees::new();
    if !tips.hide.is_empty() {
        let oids: Vec<Oid> = commits.iter().map(|c| c.oid).collect();
        walk_boundary(repo, &oids, walk, &mut last);
    }
    for commit in commits {
        let index = walk.commits.len() as u32;
        walk.commits.push(commit.info);
        progress.inc(1);
        walk_tree(
            repo,
            commit.tree,
            &mut String::new(),
            index,
            walk,
            &mut last,
        );
    }
}

/// The tree walked last at each path. A new version of a folder is read
/// against it entry by entry: an entry it holds unchanged (same name, mode
/// and id) was recorded when it was walked, so it is passed over without a
/// lookup, and a commit that changes one file of a large folder costs that
/// file, not the folder.
type LastTrees<'r> = HashMap<String, git2::Tree<'r>>;

/// Git's order of tree entries: by name, a folder's name read as if it
/// ended with `/`.
fn entry_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let common = a.len().min(b.len());
    a[..common].cmp(&b[..common]).then_with(|| {
        let end = |name: &[u8], tree: bool| {
            name.get(common)
                .copied()
                .unwrap_or(if tree { b'/' } else { 0 })
        };
        end(a, a_tree).cmp(&end(b, b_tree))
    })
}

/// Whether `prev` (read from its entry `at` on, in order) holds the entry
/// `name`, `mode`, `id` unchanged; moves `at` past the entries before it.
/// Entries out of order (a malformed tree) are only never found unchanged.
fn unchanged(prev: &git2::Tree<'_>, at: &mut usize, name: &[u8], mode: i32, id: Oid) -> bool {
    let tree = mode == MODE_TREE;
    while let Some(p) = prev.get(*at) {
        let p_mode = p.filemode();
        match entry_order(p.name_bytes(), p_mode == MODE_TREE, name, tree) {
            Ordering::Less => *at += 1,
            Ordering::Equal => {
                *at += 1;
                return p_mode == mode && p.id().as_bytes() == id.as_bytes();
            }
            Ordering::Greater => return false,
        }
    }
    false
}

/// A folder's mode in a tree.
const MODE_TREE: i32 = 0o040000;

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
fn walk_boundary<'r>(
    repo: &'r Repository,
    in_range: &[Oid],
    walk: &mut Walk,
    last: &mut LastTrees<'r>,
) {
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
            walk_tree(repo, tree, &mut String::new(), BASELINE, walk, last);
        }
    }
}

/// Records the blobs of the tree `oid` at `path` (the buffer is restored on
/// return), skipping (tree, path) pairs already seen: consecutive commits
/// share most subtrees, so each commit costs only what it changed.
fn walk_tree<'r>(
    repo: &'r Repository,
    oid: Oid,
    path: &mut String,
    commit: u32,
    walk: &mut Walk,
    last: &mut LastTrees<'r>,
) {
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
    let prev = last.remove(path.as_str());
    let mut at = 0;
    let len = path.len();
    for entry in tree.iter() {
        // A folder unchanged is passed over by the seen check above when
        // it was read (one that could not be is tried again, and recorded).
        let mode = entry.filemode();
        if mode != MODE_TREE
            && let Some(prev) = &prev
            && unchanged(prev, &mut at, entry.name_bytes(), mode, entry.id())
        {
            continue;
        }
        if len > 0 {
            path.push('/');
        }
        path.push_str(&String::from_utf8_lossy(entry.name_bytes()));
        let mode = mode as u32;
        match entry.kind() {
            Some(ObjectType::Tree) => walk_tree(repo, entry.id(), path, commit, walk, last),
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
                    if commit != BASELINE {
                        let first = !std::mem::replace(&mut blob.dispatched, true);
                        let base = walk.last_at_path.insert(path.clone(), id);
                        walk.items.push(Item {
                            oid: id,
                            path: path.clone(),
                            commit,
                            info: walk.commits.get(commit as usize).cloned(),
                            first,
                            base,
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
    last.insert(path.clone(), tree);
}

/// After a limited range's walk: sends the baseline (blob, path) pairs at
/// paths the range touched, so secrets already there can be recognised.
pub(super) fn send_baseline(walk: &mut Walk) {
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
                walk.items.push(Item {
                    oid,
                    path: path.clone(),
                    commit: BASELINE,
                    info: None,
                    first,
                    base: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_sort_as_if_their_names_ended_with_a_slash() {
        // '.' (0x2e) < '/' (0x2f) < '0' (0x30).
        assert_eq!(entry_order(b"a.py", false, b"a", true), Ordering::Less);
        assert_eq!(entry_order(b"a", true, b"a0", false), Ordering::Less);
        assert_eq!(entry_order(b"a", false, b"a.py", false), Ordering::Less);
        assert_eq!(entry_order(b"a", true, b"a.py", false), Ordering::Greater);
        assert_eq!(entry_order(b"x", false, b"x", false), Ordering::Equal);
        assert_eq!(entry_order(b"x", true, b"x", false), Ordering::Greater);
    }

    #[test]
    fn only_entries_with_the_same_name_mode_and_id_are_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let blob = |text: &str| repo.blob(text.as_bytes()).unwrap();
        let tree = |entries: &[(&str, Oid, i32)]| {
            let mut builder = repo.treebuilder(None).unwrap();
            for (name, id, mode) in entries {
                builder.insert(name, *id, *mode).unwrap();
            }
            repo.find_tree(builder.write().unwrap()).unwrap()
        };
        let (a, b, c, d, e, changed) = (
            blob("a"),
            blob("b"),
            blob("c"),
            blob("d"),
            blob("e"),
            blob("c2"),
        );
        let sub = tree(&[("x.py", a, 0o100644)]);
        let old = tree(&[
            ("a.py", a, 0o100644),
            ("b.py", b, 0o100644),
            ("c.py", c, 0o100644),
            ("e.py", e, 0o100644),
            ("sub", sub.id(), MODE_TREE),
        ]);
        let new = tree(&[
            ("a.py", a, 0o100644),        // unchanged
            ("b.py", b, 0o100755),        // made executable
            ("c.py", changed, 0o100644),  // edited
            ("d.py", d, 0o100644),        // added
            ("e.py", e, 0o100644),        // unchanged, after an added one
            ("sub", sub.id(), MODE_TREE), // unchanged folder
        ]);
        let mut at = 0;
        let same: Vec<bool> = new
            .iter()
            .map(|x| unchanged(&old, &mut at, x.name_bytes(), x.filemode(), x.id()))
            .collect();
        assert_eq!(same, vec![true, false, false, false, true, true]);
        // Against an empty folder nothing is unchanged.
        let empty = tree(&[]);
        let mut at = 0;
        assert!(!unchanged(&empty, &mut at, b"a.py", 0o100644, a));
    }
}
