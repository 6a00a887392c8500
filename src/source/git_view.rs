//! Which paths of the working tree git tracks and which it ignores, asked
//! the way git itself answers (a `.gitignore` that is not a regular file
//! counts for nothing).

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The git view of the tree: which paths are tracked, which are ignored.
/// One per run (in the [`super::Workspace`]), so that every check classifies
/// a path the same way.
pub struct GitView {
    repo: git2::Repository,
    /// libgit2's index, read the first time a path's status is asked.
    index: OnceCell<Option<git2::Index>>,
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
    pub(crate) fn new(repo: git2::Repository) -> GitView {
        let workdir = repo.workdir().map(Path::to_path_buf);
        GitView {
            repo,
            index: OnceCell::new(),
            workdir,
            unread_gitignore: RefCell::default(),
            shadow: RefCell::default(),
        }
    }

    /// The repository.
    pub fn repo(&self) -> &git2::Repository {
        &self.repo
    }

    /// The working tree's top folder (`None` for a bare repository).
    pub fn workdir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    fn index(&self) -> Option<&git2::Index> {
        self.index.get_or_init(|| self.repo.index().ok()).as_ref()
    }

    pub(crate) fn is_tracked(&self, rel: &str) -> bool {
        self.index()
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
    pub(crate) fn has_tracked_under(&self, rel: &str) -> bool {
        let Some(index) = self.index() else {
            return false;
        };
        let prefix = format!("{rel}/");
        index.iter().any(|e| e.path.starts_with(prefix.as_bytes()))
    }
}
