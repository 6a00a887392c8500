//! The one walk of the working tree: every regular file under a path,
//! classified the way git sees it ([`Status`]: tracked, untracked, ignored),
//! with what was skipped and why. The leak scan (`tree.rs`), the env check
//! and the manifest's env-variable reads all take their files from it.
//!
//! The `.git` directory is never listed, symlinks are not followed,
//! gitignored dependency and build directories (`node_modules`, `.venv`,
//! `target`, ...) are skipped whole, and `--exclude` leaves paths out. The
//! walk is sequential (git2 is not `Sync`); reading runs in parallel later.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use walkdir::WalkDir;

use super::git_view::GitView;
use super::{Exclude, Problem, Stats, counts};
use crate::finding::Source;

/// Directories of vendored dependencies and build output. Skipped when they
/// are gitignored (or outside git): they hold other people's code, not the
/// user's keys. A tracked one is scanned like any other directory.
const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    "site-packages",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "target",
    ".next",
    ".cache",
    ".gradle",
];

/// How git sees a file of the working tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// In the index.
    Tracked,
    /// Neither tracked nor ignored (`git add .` would commit it); every file
    /// outside a git repository.
    Untracked,
    /// Gitignored (where keys belong).
    Ignored,
}

/// One regular file of the working tree.
#[derive(Debug)]
pub struct Entry {
    pub abs: PathBuf,
    /// Relative to the working tree's top (outside git: to the walked
    /// folder), '/'-separated.
    pub rel: String,
    pub status: Status,
    /// Under the path the run was given (the leak scan reads only these).
    pub in_scope: bool,
}

impl Entry {
    /// The source a leak found in it is reported from.
    pub fn source(&self) -> Source {
        match self.status {
            Status::Ignored => Source::Ignored,
            Status::Tracked | Status::Untracked => Source::Tree,
        }
    }

    /// Its file name.
    pub fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }
}

/// What the walk found: the files, and what it skipped (counted, and
/// recorded when it is a problem).
#[derive(Debug, Default)]
pub struct Tree {
    pub entries: Vec<Entry>,
    pub stats: Stats,
    pub problems: Vec<Problem>,
}

/// The path of `abs` relative to `base`, with '/' separators. When the two
/// are spelled differently (a symlinked folder, `..`), both are resolved
/// first. Never absolute: a path that is still not under `base` keeps only
/// its plain names (libgit2 refuses absolute paths, and a report must not
/// show one as if it were in the repository).
pub(crate) fn relative(base: &Path, abs: &Path) -> String {
    let resolved;
    let rel = match abs.strip_prefix(base) {
        Ok(rel) => rel,
        Err(_) => {
            let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            resolved = canon(abs);
            resolved.strip_prefix(canon(base)).unwrap_or(&resolved)
        }
    };
    rel.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks `root` (a folder or one file): the one walk of a run. In a working
/// tree, with `whole`, all of it is walked (the env check looks at every
/// `.env`); either way the entries under `root` are marked in scope (what
/// the leak scan reads; its counts and problems are theirs only).
pub(crate) fn walk(
    root: &Path,
    git: Option<&GitView>,
    exclude: &Exclude,
    whole: bool,
) -> Result<Tree> {
    counts::bump(counts::Counter::TreeWalks);
    let meta =
        std::fs::metadata(root).with_context(|| format!("cannot read {}", root.display()))?;
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let git = git.and_then(|view| Some((view, view.workdir()?.to_path_buf())));
    if let Some((_, workdir)) = &git
        && root.starts_with(workdir)
    {
        let scope = relative(workdir, &root);
        let top = if whole { workdir.as_path() } else { &root };
        return Ok(walk_folder(top, git.as_ref(), exclude, &scope));
    }
    if meta.is_file() {
        let base = root.parent().map(Path::to_path_buf).unwrap_or_default();
        let (base, status) = match &git {
            Some((view, workdir)) => {
                let rel = relative(workdir, &root);
                let status = if view.is_tracked(&rel) {
                    Status::Tracked
                } else if view.is_ignored(&rel) {
                    Status::Ignored
                } else {
                    Status::Untracked
                };
                (workdir.clone(), status)
            }
            None => (base, Status::Untracked),
        };
        let entry = Entry {
            rel: relative(&base, &root),
            abs: root,
            status,
            in_scope: true,
        };
        return Ok(Tree {
            entries: vec![entry],
            ..Tree::default()
        });
    }
    Ok(walk_folder(&root, git.as_ref(), exclude, ""))
}

/// Walks the folder (or file) `root` and classifies each regular file;
/// records what it skips in `scope` (a path relative to the working tree's
/// top, or to `root` outside git; "" for all of it). The
/// folders down to `scope`, and `scope` itself, are entered as the top of a
/// walk is: never excluded, ignored or skipped.
fn walk_folder(
    root: &Path,
    git: Option<&(&GitView, PathBuf)>,
    exclude: &Exclude,
    scope: &str,
) -> Tree {
    let base = git.map(|(_, w)| w.as_path()).unwrap_or(root);
    let in_scope = |rel: &str| {
        scope.is_empty()
            || rel == scope
            || rel
                .strip_prefix(scope)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let on_path = |rel: &str| {
        rel.is_empty()
            || rel == scope
            || scope
                .strip_prefix(rel)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let mut entries = Vec::new();
    // Counts and problems outside the scope are not the leak scan's: dropped.
    let (mut stats, mut problems) = (Stats::default(), Vec::new());
    let (mut stats_out, mut problems_out) = (Stats::default(), Vec::new());
    // Depth of the gitignored directory we are inside, if any: everything below it is ignored.
    let mut ignored_depth: Option<usize> = None;
    let mut it = WalkDir::new(root).follow_links(false).into_iter();
    while let Some(next) = it.next() {
        let dent = match next {
            Ok(d) => d,
            Err(err) => {
                let path = err.path().map(|p| relative(base, p)).unwrap_or_default();
                let (stats, problems) = if in_scope(&path) {
                    (&mut stats, &mut problems)
                } else {
                    (&mut stats_out, &mut problems_out)
                };
                problems.push(Problem {
                    path,
                    reason: format!(
                        "cannot read: {}",
                        err.io_error().map_or(err.to_string(), |e| e.to_string())
                    ),
                });
                stats.skipped_unreadable += 1;
                continue;
            }
        };
        if ignored_depth.is_some_and(|d| dent.depth() <= d) {
            ignored_depth = None;
        }
        let rel = relative(base, dent.path());
        let ft = dent.file_type();
        let on_path = on_path(&rel);
        let in_scope = in_scope(&rel);
        let (stats, problems) = if in_scope {
            (&mut stats, &mut problems)
        } else {
            (&mut stats_out, &mut problems_out)
        };
        if !on_path && exclude.matches(&rel) {
            if ft.is_dir() {
                it.skip_current_dir();
            }
            stats.skipped_excluded += 1;
            continue;
        }
        if ft.is_dir() {
            if dent.file_name() == ".git" {
                it.skip_current_dir();
                continue;
            }
            if on_path || ignored_depth.is_some() {
                if ignored_depth.is_some() && is_dependency_dir(dent.file_name()) {
                    it.skip_current_dir();
                    stats.skipped_dirs += 1;
                }
                continue;
            }
            match git {
                Some((view, _)) => {
                    if view.is_ignored(&format!("{rel}/")) {
                        if is_dependency_dir(dent.file_name()) && !view.has_tracked_under(&rel) {
                            it.skip_current_dir();
                            stats.skipped_dirs += 1;
                            continue;
                        }
                        ignored_depth = Some(dent.depth());
                    }
                }
                None => {
                    if is_dependency_dir(dent.file_name()) {
                        it.skip_current_dir();
                        stats.skipped_dirs += 1;
                    }
                }
            }
            continue;
        }
        if ft.is_symlink() {
            stats.skipped_symlinks += 1;
            if git.is_some() && dent.file_name() == ".gitignore" {
                problems.push(Problem {
                    path: rel,
                    reason: "a symbolic link: git does not read it as ignore rules, and neither \
                             does keyaudit (what it names counts as not ignored)"
                        .into(),
                });
            }
            continue;
        }
        if !ft.is_file() {
            stats.skipped_special += 1;
            problems.push(Problem {
                path: rel,
                reason: "not a regular file (FIFO, socket or device); not read".into(),
            });
            continue;
        }
        let status = match git {
            Some((view, _)) => {
                if view.is_tracked(&rel) {
                    Status::Tracked
                } else if ignored_depth.is_some() || view.is_ignored(&rel) {
                    Status::Ignored
                } else {
                    Status::Untracked
                }
            }
            None => Status::Untracked,
        };
        entries.push(Entry {
            abs: dent.into_path(),
            rel,
            status,
            in_scope,
        });
    }
    Tree {
        entries,
        stats,
        problems,
    }
}

/// True for the name of a dependency or build folder.
pub(crate) fn is_dependency_dir(name: &std::ffi::OsStr) -> bool {
    DEPENDENCY_DIRS.iter().any(|d| name == *d)
}
