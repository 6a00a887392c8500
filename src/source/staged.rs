//! Staged content: what the next commit would add, as the pre-commit hook
//! sees it. Only index entries that differ from `HEAD`'s tree (new and
//! modified files; before the first commit, everything staged) are read,
//! and always from the index's blobs, never from working-tree copies, so
//! line numbers are those of the staged content.
//!
//! The cost follows the change, not the repository: the index file is read
//! directly (`index.rs`), folders whose cached tree id equals `HEAD`'s are
//! skipped whole, the rest are compared with `HEAD` by object id, and only
//! the changed blobs are read. The working tree is never walked. An index
//! in a form that reader leaves alone is compared by libgit2 instead.
//! Deletions have nothing to scan; symlinks and submodules are not content.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use git2::{Delta, DiffOptions, ObjectType, Oid, Repository, Tree};

use super::gate::{self, Content, Piece};
use super::{Limits, MODE_GITLINK, MODE_SYMLINK, Outcome, Problem, Provenance, Workspace, index};
use crate::detect::Engine;
use crate::finding::Source;

/// The path of `root` inside the working tree `workdir`, with '/' separators
/// (empty for the top level).
fn pathspec(workdir: &Path, root: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let workdir = workdir
        .canonicalize()
        .unwrap_or_else(|_| workdir.to_path_buf());
    root.strip_prefix(&workdir)
        .map(|rel| super::walk::relative(Path::new(""), rel))
        .unwrap_or_default()
}

/// A staged blob to scan.
struct Change {
    path: String,
    oid: Oid,
}

/// True when `path` is `spec`, under it, or `spec` is empty.
fn within(path: &str, spec: &str) -> bool {
    spec.is_empty()
        || path == spec
        || path
            .strip_prefix(spec)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// True when the folder `path` may hold something `within` `spec`.
fn may_hold(path: &str, spec: &str) -> bool {
    within(path, spec)
        || spec
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What [`changed`] reads from at every level.
#[derive(Clone, Copy)]
struct Context<'a> {
    repo: &'a Repository,
    ix: &'a index::Index,
    spec: &'a str,
}

/// Collects the staged blobs in folder `dir` (entries are that folder's
/// index entries, sorted) that `head` (the same folder in `HEAD`) does not
/// hold with the same id and mode. A folder whose cached tree id in the
/// index equals `HEAD`'s is skipped whole, and the groups of a folder are
/// found by binary search, so the cost follows the change.
fn changed(
    cx: &Context<'_>,
    entries: &[index::Entry],
    dir: &[u8],
    head: Option<&Tree<'_>>,
    out: &mut Vec<Change>,
    outcome: &mut Outcome,
) {
    let Context { repo, ix, spec } = *cx;
    if let (Some(cached), Some(head)) = (ix.trees.get(dir), head)
        && *cached == head.id()
    {
        return;
    }
    let skip = if dir.is_empty() { 0 } else { dir.len() + 1 };
    let mut i = 0;
    while i < entries.len() {
        let entry = &entries[i];
        let Some(rel) = entry.path.get(skip..) else {
            i += 1;
            continue;
        };
        if let Some(slash) = rel.iter().position(|&b| b == b'/') {
            let group = &entry.path[..skip + slash + 1];
            let end = i + entries[i..].partition_point(|e| e.path.starts_with(group));
            let sub_dir = &group[..group.len() - 1];
            if may_hold(&String::from_utf8_lossy(sub_dir), spec) {
                let sub_head = head
                    .and_then(|t| t.get_name_bytes(&rel[..slash]))
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .and_then(|e| repo.find_tree(e.id()).ok());
                changed(
                    cx,
                    &entries[i..end],
                    sub_dir,
                    sub_head.as_ref(),
                    out,
                    outcome,
                );
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        if entry.stage != 0 {
            if outcome.problems.last().is_none_or(|p| p.path != path) {
                outcome.problems.push(Problem {
                    path,
                    reason: "unmerged (conflicted) in the index; not scanned".into(),
                });
            }
            continue;
        }
        if entry.intent_to_add
            || entry.mode == MODE_SYMLINK
            || entry.mode == MODE_GITLINK
            || !within(&path, spec)
        {
            continue;
        }
        let unchanged = head
            .and_then(|t| t.get_name_bytes(rel))
            .is_some_and(|b| b.id() == entry.oid && b.filemode() as u32 == entry.mode);
        if !unchanged {
            out.push(Change {
                path,
                oid: entry.oid,
            });
        }
    }
}

/// The slow path, for an index [`index::parse`] leaves to libgit2:
/// libgit2 compares `HEAD` with the index entry by entry.
fn diff_index(
    repo: &Repository,
    head: Option<&Tree<'_>>,
    index: &git2::Index,
    spec: &str,
    outcome: &mut Outcome,
) -> Result<Vec<Change>> {
    let mut opts = DiffOptions::new();
    opts.skip_binary_check(true)
        .ignore_submodules(true)
        .include_typechange(true);
    if !spec.is_empty() {
        opts.pathspec(spec);
    }
    let diff = repo
        .diff_tree_to_index(head, Some(index), Some(&mut opts))
        .context("cannot compare the index with HEAD")?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let file = delta.new_file();
        let path = file
            .path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        match delta.status() {
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange => {
            }
            Delta::Conflicted => {
                outcome.problems.push(Problem {
                    path,
                    reason: "unmerged (conflicted) in the index; not scanned".into(),
                });
                continue;
            }
            _ => continue,
        }
        let mode = u32::from(file.mode());
        if mode == MODE_SYMLINK || mode == MODE_GITLINK {
            continue;
        }
        out.push(Change {
            path,
            oid: file.id(),
        });
    }
    Ok(out)
}

/// The index file: `GIT_INDEX_FILE` when git set it (a hook run by
/// `git commit PATH` sees a temporary index), else the repository's own.
fn index_file(repo: &Repository) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => repo.path().join("index"),
    }
}

/// Scans what is staged in the repository containing `root` (limited to
/// `root` when it is a subfolder or file of the working tree).
pub fn scan(ws: &Workspace, engine: &Engine, limits: &Limits) -> Result<Outcome> {
    let root = ws.root();
    let repo = ws
        .repo()
        .with_context(|| format!("--staged: {} is not in a git repository", root.display()))?;
    let Some(workdir) = repo.workdir() else {
        bail!(
            "--staged: {} is a bare repository (no index to scan)",
            root.display()
        );
    };
    let spec = pathspec(workdir, root);
    let mut outcome = Outcome::default();
    let head_tree = match repo.head() {
        // A corrupt HEAD commit or tree: compare with nothing, so every
        // staged file is scanned, and say so.
        Ok(head) => match head.peel_to_tree() {
            Ok(tree) => Some(tree),
            Err(e) => {
                outcome.stats.skipped_unreadable += 1;
                outcome.problems.push(Problem {
                    path: ".".into(),
                    reason: format!(
                        "HEAD's commit or tree is missing or corrupt ({}); every staged file is scanned",
                        e.message()
                    ),
                });
                None
            }
        },
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            None
        }
        Err(e) => return Err(e).context("cannot read HEAD"),
    };
    let index_path = index_file(repo);
    let parsed = match std::fs::read(&index_path) {
        Ok(bytes) => index::parse(&bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", index_path.display()));
        }
    };
    let changes = match parsed {
        Some(ix) => {
            let mut out = Vec::new();
            let head = head_tree.as_ref();
            let cx = Context {
                repo,
                ix: &ix,
                spec: &spec,
            };
            changed(&cx, &ix.entries, b"", head, &mut out, &mut outcome);
            out
        }
        None => {
            let index = if index_path.exists() {
                git2::Index::open(&index_path)
            } else {
                repo.index()
            }
            .with_context(|| {
                format!(
                    "cannot read the git index {} (if it is a split index, \
                     `git update-index --no-split-index` turns that off)",
                    index_path.display()
                )
            })?;
            diff_index(repo, head_tree.as_ref(), &index, &spec, &mut outcome)?
        }
    };
    let odb = repo.odb().context("cannot open the object database")?;
    for Change { path, oid } in changes {
        if limits.exclude.matches(&path) {
            outcome.stats.skipped_excluded += 1;
            continue;
        }
        let piece = Piece {
            path: &path,
            content: Content::Blob { odb: &odb, oid },
            prov: Provenance {
                source: Source::Staged,
                commit: None,
            },
            counted: true,
            delta: None,
        };
        let findings = gate::pass(
            engine,
            limits,
            piece,
            &mut outcome.stats,
            &mut outcome.problems,
        );
        outcome.findings.extend(findings);
    }
    Ok(outcome)
}
