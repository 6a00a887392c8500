//! keyaudit's own files: the config, the manifest and the baseline it reads,
//! and the baseline, `.gitignore` and manifest template it writes. Every one
//! of them goes through [`read`] or [`write`], so that a hostile repository
//! cannot make a run hang, grow without bound, or write outside itself.
//!
//! Reading: only a regular file is read (a FIFO, device or socket is an
//! error, so a read never blocks), at most a fixed number of bytes (more is
//! an error naming the bound). A file the scanned repository supplies
//! ([`Origin::Repository`]: `keyaudit.toml` found at PATH, `.gitignore`) is
//! never read through a symbolic link: git commits symlinks, and their target
//! is outside the repository's control. A file named on the command line
//! ([`Origin::CommandLine`]) is the user's choice and may be a symlink to a
//! regular file.
//!
//! Writing: never through a symbolic link, never into anything but a regular
//! file. (`--output FILE` is the user's choice and is not written here.)

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Largest config file, manifest or `.gitignore` read: 4 MiB.
pub const MAX_CONFIG_SIZE: u64 = 4 << 20;
/// Largest baseline file read: 64 MiB (about 400,000 entries).
pub const MAX_BASELINE_SIZE: u64 = 64 << 20;

/// Who chose the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Found in the scanned repository by its default name: a symlink is refused.
    Repository,
    /// Named on the command line: a symlink is followed.
    CommandLine,
}

/// Why one of keyaudit's own files was not read or written (exit 2).
#[derive(Debug)]
pub struct FileError {
    pub path: PathBuf,
    /// What the file is, e.g. "config file".
    pub what: &'static str,
    /// Whether it was being written (else read).
    pub writing: bool,
    pub kind: FileErrorKind,
}

#[derive(Debug)]
pub enum FileErrorKind {
    /// A symbolic link where the repository supplies the file.
    Symlink,
    /// A FIFO, device, socket or folder.
    NotRegular,
    /// Over the size bound (in bytes).
    TooLarge(u64),
    /// Not UTF-8 text.
    NotText,
    Io(io::Error),
}

impl FileError {
    /// True when the file does not exist (not even as a dangling symlink).
    pub fn is_not_found(&self) -> bool {
        matches!(&self.kind, FileErrorKind::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = crate::redact::sanitize(&self.path.display().to_string());
        let what = self.what;
        match &self.kind {
            FileErrorKind::Symlink if self.writing => write!(
                f,
                "{what} {path} is a symbolic link; keyaudit does not write through it\nhint: \
                 remove the link (or replace it with a regular file) and run again"
            ),
            FileErrorKind::Symlink => write!(
                f,
                "{what} {path} is a symbolic link; keyaudit does not follow a symlink the \
                 repository supplies (its target is outside the repository)\nhint: make it a \
                 regular file (a config, manifest or baseline file you trust may be named on the \
                 command line)"
            ),
            FileErrorKind::NotRegular => write!(
                f,
                "{what} {path} is not a regular file (a FIFO, device, socket or folder); not used"
            ),
            FileErrorKind::TooLarge(limit) => write!(
                f,
                "{what} {path} is larger than the {} MiB a {what} may have; not read",
                limit >> 20
            ),
            FileErrorKind::NotText => write!(f, "{what} {path} is not UTF-8 text"),
            FileErrorKind::Io(e) => {
                let verb = if self.writing { "write" } else { "read" };
                write!(f, "cannot {verb} {what} {path}: {e}")
            }
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            FileErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Open flags: never block on a FIFO that slipped past the type check, and,
/// where asked, never follow a symlink that replaced the file since.
#[cfg(unix)]
fn flags(options: &mut OpenOptions, follow: bool) {
    use std::os::unix::fs::OpenOptionsExt;
    let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
    options.custom_flags(libc::O_NONBLOCK | nofollow);
}

#[cfg(not(unix))]
fn flags(_: &mut OpenOptions, _: bool) {}

/// Reads the text of one of keyaudit's own input files, refusing anything
/// that is not a regular file (and, for [`Origin::Repository`], a symlink)
/// and anything over `limit` bytes. A missing file is an error for which
/// [`FileError::is_not_found`] is true.
pub fn read(
    path: &Path,
    what: &'static str,
    origin: Origin,
    limit: u64,
) -> Result<String, FileError> {
    let bytes = read_bytes(path, what, origin, limit)?;
    String::from_utf8(bytes).map_err(|_| FileError {
        path: path.to_path_buf(),
        what,
        writing: false,
        kind: FileErrorKind::NotText,
    })
}

/// [`read`], for a file that need not be UTF-8 (a `.gitignore`).
pub fn read_bytes(
    path: &Path,
    what: &'static str,
    origin: Origin,
    limit: u64,
) -> Result<Vec<u8>, FileError> {
    let error = |kind| FileError {
        path: path.to_path_buf(),
        what,
        writing: false,
        kind,
    };
    let follow = origin == Origin::CommandLine;
    let meta = if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    }
    .map_err(|e| error(FileErrorKind::Io(e)))?;
    if meta.file_type().is_symlink() {
        return Err(error(FileErrorKind::Symlink));
    }
    if !meta.is_file() {
        return Err(error(FileErrorKind::NotRegular));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    flags(&mut options, follow);
    let file = options.open(path).map_err(|e| error(open_error(e)))?;
    // Checked again on what was opened: the path may have changed since.
    let meta = file.metadata().map_err(|e| error(FileErrorKind::Io(e)))?;
    if !meta.is_file() {
        return Err(error(FileErrorKind::NotRegular));
    }
    if meta.len() > limit {
        return Err(error(FileErrorKind::TooLarge(limit)));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(FileErrorKind::Io(e)))?;
    if bytes.len() as u64 > limit {
        return Err(error(FileErrorKind::TooLarge(limit)));
    }
    Ok(bytes)
}

/// A symlink met by `O_NOFOLLOW` is `ELOOP`: say so plainly.
fn open_error(e: io::Error) -> FileErrorKind {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return FileErrorKind::Symlink;
    }
    FileErrorKind::Io(e)
}

/// Whether [`write`] may replace an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Replace a regular file's content (the baseline, `.gitignore`).
    Replace,
    /// Never touch an existing file (`manifest --init`): an existing path,
    /// even a dangling symlink, is [`io::ErrorKind::AlreadyExists`].
    Keep,
}

/// Writes `text` to one of the files keyaudit writes in the repository,
/// never through a symbolic link (refused with [`FileErrorKind::Symlink`])
/// and never into a FIFO, device or socket.
pub fn write(
    path: &Path,
    what: &'static str,
    existing: Existing,
    text: &str,
) -> Result<(), FileError> {
    let error = |kind| FileError {
        path: path.to_path_buf(),
        what,
        writing: true,
        kind,
    };
    match std::fs::symlink_metadata(path) {
        Ok(_) if existing == Existing::Keep => {
            return Err(error(FileErrorKind::Io(io::Error::from(
                io::ErrorKind::AlreadyExists,
            ))));
        }
        Ok(meta) if meta.file_type().is_symlink() => return Err(error(FileErrorKind::Symlink)),
        Ok(meta) if !meta.is_file() => return Err(error(FileErrorKind::NotRegular)),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.write(true);
    match existing {
        Existing::Keep => options.create_new(true),
        Existing::Replace => options.create(true),
    };
    flags(&mut options, false);
    let mut file: File = options.open(path).map_err(|e| error(open_error(e)))?;
    // Checked on what was opened, before anything is changed in it.
    let meta = file.metadata().map_err(|e| error(FileErrorKind::Io(e)))?;
    if !meta.is_file() {
        return Err(error(FileErrorKind::NotRegular));
    }
    let io = |e| error(FileErrorKind::Io(e));
    file.set_len(0).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.flush().map_err(io)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn reads_refuse_symlinks_from_the_repository_and_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        std::fs::write(&real, "a = 1\n").unwrap();
        let link = dir.path().join("keyaudit.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let read = |p: &Path, o| read(p, "config file", o, MAX_CONFIG_SIZE);
        assert_eq!(read(&real, Origin::Repository).unwrap(), "a = 1\n");
        assert!(matches!(
            read(&link, Origin::Repository).unwrap_err().kind,
            FileErrorKind::Symlink
        ));
        assert_eq!(read(&link, Origin::CommandLine).unwrap(), "a = 1\n");
        let zero = Path::new("/dev/zero");
        assert!(matches!(
            read(zero, Origin::CommandLine).unwrap_err().kind,
            FileErrorKind::NotRegular
        ));
        assert!(
            read(&dir.path().join("none"), Origin::Repository)
                .unwrap_err()
                .is_not_found()
        );
        std::fs::write(&real, vec![b'#'; 100]).unwrap();
        let e = super::read(&real, "config file", Origin::Repository, 99).unwrap_err();
        assert!(matches!(e.kind, FileErrorKind::TooLarge(99)), "{e}");
    }

    #[test]
    fn writes_never_go_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let link = dir.path().join("keyaudit-baseline.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let e = write(&link, "baseline file", Existing::Replace, "x").unwrap_err();
        assert!(matches!(e.kind, FileErrorKind::Symlink), "{e}");
        let e = write(&link, "manifest", Existing::Keep, "x").unwrap_err();
        assert!(!matches!(e.kind, FileErrorKind::Symlink), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "a much longer old text").unwrap();
        write(&plain, "baseline file", Existing::Replace, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&plain).unwrap(), "new");
    }
}
