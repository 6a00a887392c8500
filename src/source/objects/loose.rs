//! The guarded loose-object backend: a libgit2 ODB backend (unsafe FFI)
//! placed in front of libgit2's own loose backend, for the repository's
//! object folder and each alternate; its callbacks read through
//! [`super::inflate`] and never let a panic cross into C.

use std::ffi::CString;
use std::os::raw::{c_int, c_void};
use std::path::{Path, PathBuf};

use git2::{Binding as _, Oid, Repository};
use libgit2_sys as raw;

use super::inflate::{Fail, read_header_of, read_object};

/// Priority of the guard: the same as libgit2's pack backend (it stays
/// first: backends are sorted stably by priority) and above libgit2's loose
/// backend, so every loose object is read here first.
const PRIORITY: c_int = 2;

/// Adds the guarded loose reader for the repository's object folder and
/// every alternate it names.
pub(super) fn guard(repo: &Repository) -> Result<(), git2::Error> {
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
