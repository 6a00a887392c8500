//! The working tree: every regular file under a path, classified the way git
//! sees it. Tracked and untracked-but-not-ignored files are source `tree` (a
//! leak: `git add .` would commit them); gitignored files are source `ignored`
//! (where keys belong). Outside a git repository everything is `tree`.
//!
//! The `.git` directory is never read as content, symlinks are not followed,
//! and gitignored dependency and build directories (`node_modules`, `.venv`,
//! `target`, ...) are skipped whole. The walk is sequential (git2 is not
//! `Sync`); reading and detection run in parallel.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use walkdir::WalkDir;

use super::{BINARY_SNIFF, Exclude, Limits, Outcome, Problem, Provenance, Stats, detect, text};
use crate::detect::Engine;
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

/// One file to read.
struct Entry {
    abs: PathBuf,
    rel: String,
    source: Source,
}

/// The git view of the tree: which paths are tracked, which are ignored.
/// Shared with the env check, so that both classify a path the same way.
pub(crate) struct GitView {
    repo: git2::Repository,
    index: Option<git2::Index>,
    workdir: Option<PathBuf>,
    /// Per folder (relative, "" for the root): whether its `.gitignore` is
    /// there but not a regular file (a symlink, a FIFO, ...).
    unread_gitignore: RefCell<HashMap<String, bool>>,
    /// Made the first time a path needs it: see [`GitView::is_ignored`].
    shadow: RefCell<Option<Shadow>>,
}

/// The same repository seen through a stand-in working tree that holds only
/// the regular `.gitignore` files copied over, so that libgit2 answers with
/// exactly the rules git reads.
struct Shadow {
    dir: tempfile::TempDir,
    repo: git2::Repository,
    /// Folders whose `.gitignore` was looked at (copied when regular).
    copied: HashSet<String>,
}

/// The folders whose `.gitignore` applies to `rel`: the root, each folder
/// above it and, for a folder (ending in '/'), itself.
fn folders(rel: &str) -> impl Iterator<Item = &str> {
    std::iter::once("").chain(
        rel.char_indices()
            .filter(|&(_, c)| c == '/')
            .map(|(i, _)| &rel[..i]),
    )
}

impl GitView {
    fn open(root: &Path) -> Option<(GitView, PathBuf)> {
        let view = GitView::new(super::objects::discover(root).ok()?);
        let workdir = view.workdir.clone()?;
        Some((view, workdir))
    }

    pub(crate) fn new(repo: git2::Repository) -> GitView {
        let workdir = repo.workdir().map(Path::to_path_buf);
        let index = repo.index().ok();
        GitView {
            repo,
            index,
            workdir,
            unread_gitignore: RefCell::default(),
            shadow: RefCell::default(),
        }
    }

    pub(crate) fn is_tracked(&self, rel: &str) -> bool {
        self.index
            .as_ref()
            .is_some_and(|i| i.get_path(Path::new(rel), 0).is_some())
    }

    /// Whether git would ignore `rel` (a folder ends in '/').
    ///
    /// git reads a `.gitignore` in the working tree only when it is a regular
    /// file: it opens it with `O_NOFOLLOW` (dir.c, since git 2.32), so a
    /// symlinked one counts for nothing (`git check-ignore` and `git status
    /// --ignored` then treat what it names as untracked, with "warning:
    /// unable to access '.gitignore': Too many levels of symbolic links").
    /// libgit2 follows the link (and would block on a FIFO), so a repository
    /// could make a `.env` or a file holding a key look ignored while `git
    /// add .` commits it. For a path below such a `.gitignore`, libgit2 is
    /// therefore asked through a [`Shadow`] working tree holding only the
    /// regular `.gitignore` files; `.git/info/exclude` and
    /// `core.excludesFile` apply as before. Should that fail, the path counts
    /// as not ignored: never ignored where git would commit it.
    pub(crate) fn is_ignored(&self, rel: &str) -> bool {
        if self.unread_gitignore_above(rel) {
            return self.shadow_ignored(rel).unwrap_or(false);
        }
        self.repo.is_path_ignored(Path::new(rel)).unwrap_or(false)
    }

    /// True when a folder whose `.gitignore` applies to `rel` has one that
    /// is not a regular file.
    fn unread_gitignore_above(&self, rel: &str) -> bool {
        let Some(workdir) = &self.workdir else {
            return false;
        };
        let mut cache = self.unread_gitignore.borrow_mut();
        folders(rel).any(|folder| {
            *cache.entry(folder.to_string()).or_insert_with(|| {
                std::fs::symlink_metadata(workdir.join(folder).join(".gitignore"))
                    .is_ok_and(|m| !m.is_file())
            })
        })
    }

    /// `is_path_ignored` through the [`Shadow`] working tree.
    fn shadow_ignored(&self, rel: &str) -> Option<bool> {
        use crate::files::{self, Origin};
        let workdir = self.workdir.as_ref()?;
        let mut slot = self.shadow.borrow_mut();
        if slot.is_none() {
            let dir = tempfile::tempdir().ok()?;
            let repo = git2::Repository::open(self.repo.path()).ok()?;
            repo.set_workdir(dir.path(), false).ok()?;
            *slot = Some(Shadow {
                dir,
                repo,
                copied: HashSet::new(),
            });
        }
        let shadow = slot.as_mut()?;
        for folder in folders(rel) {
            if !shadow.copied.insert(folder.to_string()) {
                continue;
            }
            let from = workdir.join(folder).join(".gitignore");
            // Only a regular file: a symlink, FIFO or device is what git skips.
            if let Ok(text) = files::read_bytes(
                &from,
                ".gitignore",
                Origin::Repository,
                files::MAX_CONFIG_SIZE,
            ) {
                let to = shadow.dir.path().join(folder);
                std::fs::create_dir_all(&to).ok()?;
                std::fs::write(to.join(".gitignore"), text).ok()?;
            }
        }
        shadow.repo.is_path_ignored(Path::new(rel)).ok()
    }

    /// True when some tracked file lives under the directory `rel`.
    fn has_tracked_under(&self, rel: &str) -> bool {
        let Some(index) = &self.index else {
            return false;
        };
        let prefix = format!("{rel}/");
        index.iter().any(|e| e.path.starts_with(prefix.as_bytes()))
    }
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

/// Scans the working tree under `root`.
pub fn scan(root: &Path, engine: &Engine, limits: &Limits) -> Result<Outcome> {
    let meta =
        std::fs::metadata(root).with_context(|| format!("cannot read {}", root.display()))?;
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let git = GitView::open(&root);
    if meta.is_file() {
        let base = root.parent().map(Path::to_path_buf).unwrap_or_default();
        let (base, source) = match &git {
            Some((view, workdir)) => {
                let rel = relative(workdir, &root);
                let ignored = !view.is_tracked(&rel) && view.is_ignored(&rel);
                (
                    workdir.clone(),
                    if ignored {
                        Source::Ignored
                    } else {
                        Source::Tree
                    },
                )
            }
            None => (base, Source::Tree),
        };
        let entry = Entry {
            rel: relative(&base, &root),
            abs: root,
            source,
        };
        return Ok(read_all(
            vec![entry],
            Stats::default(),
            Vec::new(),
            engine,
            limits,
        ));
    }
    let (entries, stats, problems) = walk(&root, git.as_ref(), &limits.exclude);
    Ok(read_all(entries, stats, problems, engine, limits))
}

/// Walks the tree and classifies each regular file; records what it skips.
fn walk(
    root: &Path,
    git: Option<&(GitView, PathBuf)>,
    exclude: &Exclude,
) -> (Vec<Entry>, Stats, Vec<Problem>) {
    let base = git.map(|(_, w)| w.as_path()).unwrap_or(root);
    let mut entries = Vec::new();
    let mut stats = Stats::default();
    let mut problems = Vec::new();
    // Depth of the gitignored directory we are inside, if any: everything below it is ignored.
    let mut ignored_depth: Option<usize> = None;
    let mut it = WalkDir::new(root).follow_links(false).into_iter();
    while let Some(next) = it.next() {
        let dent = match next {
            Ok(d) => d,
            Err(err) => {
                let path = err.path().map(|p| relative(base, p)).unwrap_or_default();
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
        if dent.depth() > 0 && exclude.matches(&rel) {
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
            if dent.depth() == 0 || ignored_depth.is_some() {
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
        let source = match git {
            Some((view, _)) => {
                if view.is_tracked(&rel) {
                    Source::Tree
                } else if ignored_depth.is_some() || view.is_ignored(&rel) {
                    Source::Ignored
                } else {
                    Source::Tree
                }
            }
            None => Source::Tree,
        };
        entries.push(Entry {
            abs: dent.into_path(),
            rel,
            source,
        });
    }
    (entries, stats, problems)
}

pub(crate) fn is_dependency_dir(name: &std::ffi::OsStr) -> bool {
    DEPENDENCY_DIRS.iter().any(|d| name == *d)
}

/// Reads and scans every entry in parallel.
fn read_all(
    entries: Vec<Entry>,
    stats: Stats,
    problems: Vec<Problem>,
    engine: &Engine,
    limits: &Limits,
) -> Outcome {
    let mut outcome = entries
        .par_iter()
        .fold(Outcome::default, |mut acc, entry| {
            scan_file(entry, engine, limits, &mut acc);
            acc
        })
        .reduce(Outcome::default, |mut a, b| {
            a.merge(b);
            a
        });
    outcome.stats.add(&stats);
    outcome.problems.extend(problems);
    outcome
}

fn scan_file(entry: &Entry, engine: &Engine, limits: &Limits, acc: &mut Outcome) {
    let bytes = match read_file(&entry.abs, limits.max_file_size) {
        Ok(Read::Content(bytes)) => bytes,
        Ok(Read::Binary) => {
            acc.stats.skipped_binary += 1;
            return;
        }
        Ok(Read::TooLarge(size)) => {
            acc.stats.skipped_too_large += 1;
            acc.problems
                .push(Problem::too_large(&entry.rel, size, limits, ""));
            return;
        }
        Err(e) => {
            acc.stats.skipped_unreadable += 1;
            acc.problems.push(Problem {
                path: entry.rel.clone(),
                reason: format!("cannot read: {e}"),
            });
            return;
        }
    };
    let Some(text) = text(&bytes) else {
        acc.stats.skipped_binary += 1;
        return;
    };
    acc.stats.files_scanned += 1;
    acc.stats.bytes_scanned += bytes.len() as u64;
    acc.findings.extend(detect(
        engine,
        &entry.rel,
        &text,
        Provenance {
            source: entry.source,
            commit: None,
        },
    ));
}

/// What reading one file gave.
enum Read {
    Content(Vec<u8>),
    Binary,
    /// Over the size cap (the size seen).
    TooLarge(u64),
}

/// Reads a file without ever holding more than the size cap (plus one byte)
/// or reading past its first 8 KiB when those say it is binary: the size is
/// checked on the opened file, and a file that grew since is cut off at the cap.
fn read_file(path: &Path, max_size: u64) -> std::io::Result<Read> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > max_size {
        return Ok(Read::TooLarge(size));
    }
    let mut head = Vec::with_capacity(BINARY_SNIFF.min(size as usize));
    let mut file = file.take(max_size + 1);
    (&mut file)
        .take(BINARY_SNIFF as u64)
        .read_to_end(&mut head)?;
    if text(&head).is_none() {
        return Ok(Read::Binary);
    }
    let mut bytes = head;
    bytes.reserve((size as usize).saturating_sub(bytes.len()));
    file.read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_size {
        return Ok(Read::TooLarge(bytes.len() as u64));
    }
    Ok(Read::Content(bytes))
}
