//! Opening a repository so that a corrupt or hostile object store cannot hang
//! or crash a run.
//!
//! - [`discover`] opens the repository holding a path the way git does, so a
//!   `.git` *file* (`git init --separate-git-dir`, worktrees) yields the real
//!   working tree (`Repository::discover` reopens the git dir alone and takes
//!   its parent for the working tree).
//! - Every repository it opens reads loose objects through [`Loose`], a
//!   backend placed in front of libgit2's own loose backend. libgit2 1.9's
//!   loose reader spins forever in `inflate()` on a truncated object (no
//!   newer libgit2-sys exists to upgrade to); this one inflates with flate2,
//!   never past the size the object's header declares, refuses a size the
//!   compressed bytes cannot hold, and reports a stream that ends early or
//!   runs long as an error. Packed objects are left to libgit2, whose pack
//!   reader stops on a stream that makes no progress.
//! - [`read_header`] is `Odb::read_header` without its panic on an object
//!   type libgit2 does not know (a pack entry of type 0 or 5).

use std::ffi::CString;
use std::io::Read as _;
use std::os::raw::{c_int, c_void};
use std::path::{Path, PathBuf};

use flate2::{Decompress, FlushDecompress, Status};
use git2::{Binding as _, ObjectType, Odb, Oid, Repository, RepositoryOpenFlags};
use libgit2_sys as raw;

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

/// Priority of the guard: the same as libgit2's pack backend (it stays
/// first: backends are sorted stably by priority) and above libgit2's loose
/// backend, so every loose object is read here first.
const PRIORITY: c_int = 2;

/// Adds the guarded loose reader for the repository's object folder and
/// every alternate it names.
fn guard(repo: &Repository) -> Result<(), git2::Error> {
    let odb = repo.odb()?;
    let main = repo.commondir().join("objects");
    for (dir, alternate) in object_dirs(&main) {
        let backend = Box::into_raw(Box::new(Loose {
            // SAFETY: all-zero is a valid value (null pointers, `None`
            // callbacks); git_odb_init_backend fills in the rest.
            parent: unsafe { std::mem::zeroed() },
            dir,
        }));
        // SAFETY: `backend` is a fresh allocation whose first field is the
        // git_odb_backend; libgit2 owns it once added and calls `free`.
        unsafe {
            let parent = &raw mut (*backend).parent;
            raw::git_odb_init_backend(parent, raw::GIT_ODB_BACKEND_VERSION);
            (*backend).parent.read = Some(read);
            (*backend).parent.read_prefix = Some(read_prefix);
            (*backend).parent.read_header = Some(header);
            (*backend).parent.free = Some(free);
            let rc = if alternate {
                raw::git_odb_add_alternate(odb.raw(), parent, PRIORITY)
            } else {
                raw::git_odb_add_backend(odb.raw(), parent, PRIORITY)
            };
            if rc < 0 {
                drop(Box::from_raw(backend));
                return Err(git2::Error::last_error(rc));
            }
        }
    }
    Ok(())
}

/// The object folder and its alternates (`objects/info/alternates`, nested
/// up to five deep as libgit2 allows), each once; `true` for an alternate.
fn object_dirs(main: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = vec![(main.to_path_buf(), false)];
    let mut level = vec![main.to_path_buf()];
    for _ in 0..5 {
        let mut next = Vec::new();
        for dir in &level {
            let Ok(text) = std::fs::read_to_string(dir.join("info/alternates")) else {
                continue;
            };
            for line in text.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let alt = dir.join(line);
                if !out.iter().any(|(d, _)| *d == alt) {
                    out.push((alt.clone(), true));
                    next.push(alt);
                }
            }
        }
        level = next;
    }
    out
}

/// The guarded loose-object backend: libgit2's backend struct first, so a
/// pointer to it is a pointer to this.
#[repr(C)]
struct Loose {
    parent: raw::git_odb_backend,
    dir: PathBuf,
}

/// Why a loose object cannot be read.
enum Fail {
    NotFound,
    Corrupt(String),
}

/// The longest header git writes ("commit 18446744073709551615\0") fits.
const HEADER_MAX: usize = 64;
/// deflate cannot expand input by more than about 1032:1.
const MAX_RATIO: u64 = 1032;

/// A parsed loose-object header.
struct Header {
    kind: raw::git_object_t,
    size: usize,
    /// Bytes of the header in the inflated stream (through the NUL).
    len: usize,
}

fn parse_header(head: &[u8], compressed: u64) -> Result<Header, Fail> {
    let corrupt = |why: &str| Fail::Corrupt(format!("corrupt loose object: {why}"));
    let nul = head
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| corrupt("no header"))?;
    let text = std::str::from_utf8(&head[..nul]).map_err(|_| corrupt("bad header"))?;
    let (kind, size) = text.split_once(' ').ok_or_else(|| corrupt("bad header"))?;
    let kind = match kind {
        "commit" => raw::GIT_OBJECT_COMMIT,
        "tree" => raw::GIT_OBJECT_TREE,
        "blob" => raw::GIT_OBJECT_BLOB,
        "tag" => raw::GIT_OBJECT_TAG,
        _ => return Err(corrupt("unknown object type")),
    };
    let size: u64 = size.parse().map_err(|_| corrupt("bad size"))?;
    if size
        > compressed
            .saturating_mul(MAX_RATIO)
            .saturating_add(HEADER_MAX as u64)
    {
        return Err(corrupt(
            "declared size larger than its compressed bytes can hold",
        ));
    }
    Ok(Header {
        kind,
        size: usize::try_from(size).map_err(|_| corrupt("size too large"))?,
        len: nul + 1,
    })
}

/// Inflates from `input` into `out` until the stream ends, `out` is full or
/// nothing moves; returns (input used, output written, stream ended).
fn inflate(d: &mut Decompress, input: &[u8], out: &mut [u8]) -> Result<(usize, usize, bool), Fail> {
    let (in0, out0) = (d.total_in(), d.total_out());
    loop {
        let used_in = (d.total_in() - in0) as usize;
        let used_out = (d.total_out() - out0) as usize;
        let (before_in, before_out) = (d.total_in(), d.total_out());
        let status = d
            .decompress(
                &input[used_in..],
                &mut out[used_out..],
                FlushDecompress::None,
            )
            .map_err(|e| Fail::Corrupt(format!("corrupt loose object: {e}")))?;
        let (used_in, used_out) = (
            (d.total_in() - in0) as usize,
            (d.total_out() - out0) as usize,
        );
        if status == Status::StreamEnd {
            return Ok((used_in, used_out, true));
        }
        if d.total_in() == before_in && d.total_out() == before_out {
            return Ok((used_in, used_out, false));
        }
    }
}

/// The loose file of `oid` under `dir`, or `NotFound`. Only a regular file
/// is opened (a FIFO or device there would block or never end).
fn open_loose(dir: &Path, oid: &Oid) -> Result<(std::fs::File, u64), Fail> {
    let hex = oid.to_string();
    let path = dir.join(&hex[..2]).join(&hex[2..]);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => std::fs::File::open(&path)
            .map(|f| (f, m.len()))
            .map_err(|e| Fail::Corrupt(format!("cannot read loose object: {e}"))),
        Ok(_) => Err(Fail::Corrupt("loose object is not a regular file".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Fail::NotFound),
        Err(e) => Err(Fail::Corrupt(format!("cannot read loose object: {e}"))),
    }
}

/// Reads the header only: the first few KiB of the file, all of it if need be.
fn read_header_of(dir: &Path, oid: &Oid) -> Result<Header, Fail> {
    let (file, len) = open_loose(dir, oid)?;
    let mut bytes = Vec::new();
    let io = |e: std::io::Error| Fail::Corrupt(format!("cannot read loose object: {e}"));
    file.take(8192).read_to_end(&mut bytes).map_err(io)?;
    let mut head = [0u8; HEADER_MAX];
    let (_, n, _) = inflate(&mut Decompress::new(true), &bytes, &mut head)?;
    if n < HEADER_MAX && !head[..n].contains(&0) && len > bytes.len() as u64 {
        let (file, _) = open_loose(dir, oid)?;
        bytes.clear();
        file.take(len).read_to_end(&mut bytes).map_err(io)?;
        let (_, n, _) = inflate(&mut Decompress::new(true), &bytes, &mut head)?;
        return parse_header(&head[..n], len);
    }
    parse_header(&head[..n], len)
}

/// Reads and inflates the whole object into a buffer allocated with `alloc`
/// (one byte longer, NUL-terminated, as libgit2's own reader leaves it).
fn read_object(
    dir: &Path,
    oid: &Oid,
    alloc: &mut dyn FnMut(usize) -> Option<&'static mut [u8]>,
) -> Result<(raw::git_object_t, &'static mut [u8], usize), Fail> {
    let (file, len) = open_loose(dir, oid)?;
    let mut bytes = Vec::new();
    file.take(len)
        .read_to_end(&mut bytes)
        .map_err(|e| Fail::Corrupt(format!("cannot read loose object: {e}")))?;
    let mut d = Decompress::new(true);
    let mut head = [0u8; HEADER_MAX];
    let (used, n, mut ended) = inflate(&mut d, &bytes, &mut head)?;
    let header = parse_header(&head[..n], bytes.len() as u64)?;
    let early = n - header.len;
    if early > header.size {
        return Err(Fail::Corrupt(
            "corrupt loose object: longer than its header says".into(),
        ));
    }
    let body_len = header
        .size
        .checked_add(1)
        .ok_or(Fail::Corrupt("corrupt loose object: size too large".into()))?;
    let out = alloc(body_len).ok_or(Fail::Corrupt("out of memory".into()))?;
    out[..early].copy_from_slice(&head[header.len..n]);
    let mut written = early;
    if !ended {
        let (_, more, end) = inflate(&mut d, &bytes[used..], &mut out[early..header.size])?;
        written += more;
        ended = end;
        if !ended && written == header.size {
            // Full: the stream must end here, with no more output.
            let (_, extra, end) = inflate(&mut d, &bytes[used..], &mut [0u8; 1])?;
            ended = end && extra == 0;
            if extra > 0 {
                return Err(Fail::Corrupt(
                    "corrupt loose object: longer than its header says".into(),
                ));
            }
        }
    }
    if !ended || written != header.size {
        return Err(Fail::Corrupt(
            "corrupt loose object: truncated (compressed stream ends early)".into(),
        ));
    }
    out[header.size] = 0;
    Ok((header.kind, out, header.size))
}

/// Records `why` as libgit2's last error and returns the code for it.
fn fail(f: Fail) -> c_int {
    match f {
        Fail::NotFound => raw::GIT_ENOTFOUND,
        Fail::Corrupt(why) => {
            let msg = CString::new(why).unwrap_or_default();
            // SAFETY: a valid NUL-terminated string; libgit2 copies it.
            unsafe { raw::git_error_set_str(raw::GIT_ERROR_ODB as c_int, msg.as_ptr()) };
            raw::GIT_ERROR
        }
    }
}

/// Runs `f`, turning a panic into an error: unwinding must not cross into C.
fn guarded(f: impl FnOnce() -> Result<(), Fail>) -> c_int {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => fail(e),
        Err(_) => fail(Fail::Corrupt("loose object reader failed".into())),
    }
}

/// Reads `oid` for libgit2 into memory it can free.
///
/// # Safety
/// `backend` is a `Loose` added by [`guard`]; the out-pointers are valid.
unsafe fn read_into(
    data: *mut *mut c_void,
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: Oid,
) -> c_int {
    // SAFETY: per the contract above.
    let dir = unsafe { &(*backend.cast::<Loose>()).dir };
    let mut buffer: *mut c_void = std::ptr::null_mut();
    let mut alloc = |n: usize| -> Option<&'static mut [u8]> {
        // SAFETY: libgit2's allocator for backend data; `n` bytes or null.
        let p = unsafe { raw::git_odb_backend_data_alloc(backend, n) };
        if p.is_null() {
            return None;
        }
        buffer = p;
        // SAFETY: a fresh allocation of `n` bytes, zeroed before use.
        unsafe {
            std::ptr::write_bytes(p.cast::<u8>(), 0, n);
            Some(std::slice::from_raw_parts_mut(p.cast::<u8>(), n))
        }
    };
    let rc = guarded(|| {
        let (k, _, size) = read_object(dir, &oid, &mut alloc)?;
        // SAFETY: valid out-pointers.
        unsafe {
            *kind = k;
            *len = size;
        }
        Ok(())
    });
    if rc == 0 {
        // SAFETY: valid out-pointer; libgit2 now owns the buffer.
        unsafe { *data = buffer };
    } else if !buffer.is_null() {
        // SAFETY: allocated above with git_odb_backend_data_alloc.
        unsafe { raw::git_odb_backend_data_free(backend, buffer) };
    }
    rc
}

extern "C" fn read(
    data: *mut *mut c_void,
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    // SAFETY: libgit2 passes a valid id and this backend.
    unsafe { read_into(data, len, kind, backend, Oid::from_raw(oid)) }
}

extern "C" fn header(
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    // SAFETY: libgit2 passes a valid id and this backend.
    let (dir, oid) = unsafe { (&(*backend.cast::<Loose>()).dir, Oid::from_raw(oid)) };
    guarded(|| {
        let h = read_header_of(dir, &oid)?;
        // SAFETY: valid out-pointers.
        unsafe {
            *kind = h.kind;
            *len = h.size;
        }
        Ok(())
    })
}

/// A short id: the loose files of its folder whose names start with it.
extern "C" fn read_prefix(
    full: *mut raw::git_oid,
    data: *mut *mut c_void,
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    short: *const raw::git_oid,
    hex_len: usize,
) -> c_int {
    // SAFETY: libgit2 passes a valid id and this backend.
    let (dir, short) = unsafe { (&(*backend.cast::<Loose>()).dir, Oid::from_raw(short)) };
    let hex = short.to_string();
    let prefix = &hex[..hex_len.clamp(2, hex.len())];
    let mut matches = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join(&prefix[..2])) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.len() == 38
                && name.starts_with(&prefix[2..])
                && let Ok(oid) = Oid::from_str(&format!("{}{name}", &prefix[..2]))
            {
                matches.push(oid);
            }
        }
    }
    match matches.as_slice() {
        [] => raw::GIT_ENOTFOUND,
        [oid] => {
            // SAFETY: as above; `full` is a valid out-pointer.
            let rc = unsafe { read_into(data, len, kind, backend, *oid) };
            if rc == 0 {
                // SAFETY: valid out-pointer and id.
                unsafe { *full = *oid.raw() };
            }
            rc
        }
        _ => {
            let msg = CString::new("ambiguous short object id").unwrap_or_default();
            // SAFETY: a valid NUL-terminated string; libgit2 copies it.
            unsafe { raw::git_error_set_str(raw::GIT_ERROR_ODB as c_int, msg.as_ptr()) };
            raw::GIT_EAMBIGUOUS
        }
    }
}

extern "C" fn free(backend: *mut raw::git_odb_backend) {
    // SAFETY: allocated as a Box<Loose> in `guard`; libgit2 frees it once.
    drop(unsafe { Box::from_raw(backend.cast::<Loose>()) });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn loose(content: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(format!("blob {}\0", content.len()).as_bytes())
            .unwrap();
        e.write_all(content).unwrap();
        e.finish().unwrap()
    }

    fn read_file(bytes: &[u8]) -> Result<Vec<u8>, String> {
        let dir = tempfile::tempdir().unwrap();
        let oid = Oid::from_str("0123456789012345678901234567890123456789").unwrap();
        std::fs::create_dir(dir.path().join("01")).unwrap();
        std::fs::write(dir.path().join("01").join(&oid.to_string()[2..]), bytes).unwrap();
        let mut store: Vec<Box<[u8]>> = Vec::new();
        let mut alloc = |n: usize| -> Option<&'static mut [u8]> {
            store.push(vec![0u8; n].into_boxed_slice());
            let b = store.last_mut().unwrap();
            // SAFETY (test): the box outlives every use below.
            Some(unsafe { std::slice::from_raw_parts_mut(b.as_mut_ptr(), n) })
        };
        match read_object(dir.path(), &oid, &mut alloc) {
            Ok((_, out, n)) => Ok(out[..n].to_vec()),
            Err(Fail::NotFound) => Err("not found".into()),
            Err(Fail::Corrupt(why)) => Err(why),
        }
    }

    #[test]
    fn whole_truncated_and_lying_objects() {
        let content: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i * 7 % 26) as u8).collect();
        let good = loose(&content);
        assert_eq!(read_file(&good).unwrap(), content);
        assert_eq!(read_file(&loose(b"")).unwrap(), b"");
        for cut in [0, 1, 5, 20, good.len() / 2, good.len() - 1] {
            assert!(
                read_file(&good[..cut]).unwrap_err().contains("corrupt"),
                "cut {cut}"
            );
        }
        // A header that claims less (or more) than the stream holds.
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"blob 3\0abcdef").unwrap();
        assert!(read_file(&e.finish().unwrap()).is_err());
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"blob 9\0abc").unwrap();
        assert!(read_file(&e.finish().unwrap()).is_err());
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"blob 99999999999\0abc").unwrap();
        assert!(
            read_file(&e.finish().unwrap())
                .unwrap_err()
                .contains("larger")
        );
    }
}
