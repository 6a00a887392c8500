//! The workspace of one run: the path it was given, the repository holding
//! it (opened once, or why there is none), and the one walk of its working
//! tree, made the first time a source or check asks for it. Every source
//! and check reads through it, so a run opens the repository once and walks
//! the tree once: the whole working tree when a check needs all of it (the
//! env check looks at every `.env`), else only PATH.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use git2::Repository;

use super::git_view::GitView;
use super::walk::{self, Tree};
use super::{Limits, objects};

/// The path a run reads, its repository and its working tree.
pub struct Workspace {
    root: PathBuf,
    limits: Limits,
    /// The repository holding `root`, or why there is none (kept to be
    /// said where a repository is needed).
    git: Result<GitView, (git2::ErrorCode, git2::ErrorClass, String)>,
    /// The walk of the whole working tree, or why it could not be made.
    whole: OnceCell<Result<Tree, String>>,
    /// The walk of `root` only, when nothing asked for the whole tree first.
    scoped: OnceCell<Result<Tree, String>>,
}

impl Workspace {
    /// Opens the repository holding `root` (searching upwards). Never
    /// fails: not being in a repository is an error only for what needs one
    /// ([`Workspace::repo`]), which says the path as it was given.
    pub fn open(root: &Path, limits: &Limits) -> Workspace {
        let git = objects::discover(root)
            .map(GitView::new)
            .map_err(|e| (e.code(), e.class(), e.message().to_string()));
        Workspace {
            root: root.to_path_buf(),
            limits: limits.clone(),
            git,
            whole: OnceCell::new(),
            scoped: OnceCell::new(),
        }
    }

    /// The path the run was given, as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The repository, or the error that opening it gave.
    pub fn repo(&self) -> Result<&Repository, git2::Error> {
        match &self.git {
            Ok(view) => Ok(view.repo()),
            Err((code, class, message)) => Err(git2::Error::new(*code, *class, message)),
        }
    }

    /// The git view of the working tree (tracked, ignored), in a repository.
    pub fn git(&self) -> Option<&GitView> {
        self.git.as_ref().ok()
    }

    /// True when `root` is inside a git repository.
    pub fn is_repository(&self) -> bool {
        self.git.is_ok()
    }

    /// True when `root` is inside a bare repository (no working tree).
    pub fn is_bare(&self) -> bool {
        self.git().is_some_and(|g| g.repo().is_bare())
    }

    /// The working tree's top folder, in a repository that has one.
    pub fn workdir(&self) -> Option<&Path> {
        self.git().and_then(GitView::workdir)
    }

    /// The files under `root` (entries `in_scope`): the whole working
    /// tree's walk when [`Workspace::whole_tree`] made it first, else a walk
    /// of `root` only. Made once, on first use, with the run's `--exclude`
    /// patterns. An error (`root` cannot be read) is the same every time it
    /// is asked.
    pub fn tree(&self) -> Result<&Tree> {
        let walked = match self.whole.get() {
            Some(whole) => whole,
            None => self.scoped.get_or_init(|| self.walk(false)),
        };
        walked.as_ref().map_err(|e| anyhow!("{e}"))
    }

    /// Every file of the working tree (those under `root` marked
    /// `in_scope`). Asked before [`Workspace::tree`], this is the run's one
    /// walk; asked after it, it is a second one.
    pub fn whole_tree(&self) -> Result<&Tree> {
        self.whole
            .get_or_init(|| self.walk(true))
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    fn walk(&self, whole: bool) -> Result<Tree, String> {
        walk::walk(&self.root, self.git(), &self.limits.exclude, whole)
            .map_err(|e| format!("{e:#}"))
    }
}
