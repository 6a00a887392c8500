//! Opening a repository so that a corrupt or hostile object store cannot hang
//! or crash a run.
//!
//! - [`discover`] opens the repository holding a path the way git does, so a
//!   `.git` *file* (`git init --separate-git-dir`, worktrees) yields the real
//!   working tree (`Repository::discover` reopens the git dir alone and takes
//!   its parent for the working tree).
//! - Every repository it opens reads loose objects through
//!   [`Loose`](loose::Loose), a backend placed in front of libgit2's own
//!   loose backend. libgit2 1.9's loose reader spins forever in `inflate()`
//!   on a truncated object (no newer libgit2-sys exists to upgrade to); this
//!   one inflates with flate2, never past the size the object's header
//!   declares, refuses a size the compressed bytes cannot hold, and reports
//!   a stream that ends early or runs long as an error. Packed objects are
//!   left to libgit2, whose pack reader stops on a stream that makes no
//!   progress.
//! - [`read_header`] is `Odb::read_header` without its panic on an object
//!   type libgit2 does not know (a pack entry of type 0 or 5).
//!
//! Its files:
//!
//! - `loose`: the guarded backend, registered through libgit2's C API, and
//!   its callbacks;
//! - `inflate`: reading and inflating one loose object file, bounded;
//! - here: the entry points.

mod inflate;
mod loose;

use std::path::Path;

use git2::{Binding as _, ObjectType, Odb, Oid, Repository, RepositoryOpenFlags};
use libgit2_sys as raw;

use loose::guard;

/// Opens the repository holding `path` (searching upwards), guarded.
pub fn discover(path: &Path) -> Result<Repository, git2::Error> {
    super::counts::bump(super::counts::Counter::RepositoryOpens);
    let repo = Repository::open_ext(
        path,
        RepositoryOpenFlags::empty(),
        std::iter::empty::<&std::ffi::OsStr>(),
    )?;
    guard(&repo)?;
    Ok(repo)
}

/// Opens the git directory `git_dir` (no search), guarded.
pub fn open(git_dir: &Path) -> Result<Repository, git2::Error> {
    let repo = Repository::open(git_dir)?;
    guard(&repo)?;
    Ok(repo)
}

/// The object's size and type, or why they cannot be had (missing, corrupt,
/// or a type libgit2 does not know).
pub fn read_header(odb: &Odb<'_>, oid: Oid) -> Result<(u64, ObjectType), String> {
    let mut size: usize = 0;
    let mut kind: raw::git_object_t = raw::GIT_OBJECT_ANY;
    // SAFETY: the out-pointers are valid locals; `odb` is a live handle.
    let rc = unsafe { raw::git_odb_read_header(&mut size, &mut kind, odb.raw(), oid.raw()) };
    if rc < 0 {
        return Err(git2::Error::last_error(rc).message().to_string());
    }
    match ObjectType::from_raw(kind) {
        Some(t) => Ok((size as u64, t)),
        None => Err(format!("object of unknown type {kind}")),
    }
}
