//! Fuzz target: reading git objects, loose and packed, through the history
//! scan (`source::history::scan`, as `scan --history` runs it).
//!
//! A repository is made once per process: one commit whose tree holds
//! `a.txt` (object X) and `b.txt` (a valid blob B, loose, and in each pack
//! the base for deltas).
//! Each input supplies object X; its first byte says how:
//!
//! - 0: the bytes are X's loose object file as is (zlib stream);
//! - 1: the bytes are X's inflated loose object (`blob 5\0hello`), deflated here;
//! - 2: the bytes are X's pack entry as is (type and size header, then data),
//!   in a pack after B's entry, with an index written here;
//! - 3: byte 1 is the entry type (0 to 7, so the invalid 0 and 5 and both
//!   delta kinds, based on B), bytes 2 and 3 the declared size, the rest
//!   the data, deflated here.
//!
//! The scan must finish (libFuzzer's -timeout catches a hang) and never panic.
#![no_main]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use git2::{Oid, Repository, Signature};
use indicatif::ProgressBar;
use keyaudit::detect::Engine;
use keyaudit::source::history::{self, Revisions};
use keyaudit::source::{Limits, Workspace};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    /// Kept so the folder lives as long as the process.
    _dir: tempfile::TempDir,
    root: PathBuf,
    objects: PathBuf,
    x: Oid,
    base: Oid,
    base_content: Vec<u8>,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().to_path_buf();
    let repo = Repository::init(&root).expect("git init");
    let base_content = b"BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu\n".to_vec();
    let base = repo.blob(&base_content).unwrap();
    let x = repo
        .blob(b"a.txt: object X, replaced by each input\n")
        .unwrap();
    let mut tree = repo.treebuilder(None).unwrap();
    tree.insert("a.txt", x, 0o100644).unwrap();
    tree.insert("b.txt", base, 0o100644).unwrap();
    let tree = repo.find_tree(tree.write().unwrap()).unwrap();
    let sig = Signature::new("fuzz", "fuzz@example.com", &git2::Time::new(0, 0)).unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "fuzz", &tree, &[])
        .unwrap();
    let objects = repo.path().join("objects");
    // B stays loose (for the loose modes; packs hold a copy); X comes from each input.
    fs::remove_file(loose_path(&objects, x)).unwrap();
    Fixture {
        _dir: dir,
        root,
        objects,
        x,
        base,
        base_content,
    }
});

static ROUND: AtomicU64 = AtomicU64::new(0);

fn loose_path(objects: &Path, oid: Oid) -> PathBuf {
    let hex = oid.to_string();
    objects.join(&hex[..2]).join(&hex[2..])
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// A pack object header: type, then the size in git's little-endian varint.
fn entry_header(kind: u8, mut size: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut byte = ((kind & 7) << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size > 0 {
        out.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(byte);
    out
}

/// git's offset encoding for OFS_DELTA (big-endian, with the +1 per byte).
fn ofs_varint(mut ofs: u64) -> Vec<u8> {
    let mut out = vec![(ofs & 0x7f) as u8];
    ofs >>= 7;
    while ofs > 0 {
        ofs -= 1;
        out.push(0x80 | (ofs & 0x7f) as u8);
        ofs >>= 7;
    }
    out.reverse();
    out
}

/// Writes `pack-N.pack` (B's entry, then X's `entry`) and its version 2
/// index. libgit2 checks that the index and the pack agree on the object
/// count and the trailing checksum, not that the checksum is right.
fn write_pack(f: &Fixture, entry: &[u8]) {
    let n = ROUND.fetch_add(1, Ordering::Relaxed);
    let pack_dir = f.objects.join("pack");
    let mut pack = b"PACK\0\0\0\x02\0\0\0\x02".to_vec();
    let base_offset = pack.len() as u32;
    pack.extend(entry_header(3, f.base_content.len() as u64));
    pack.extend(deflate(&f.base_content));
    let x_offset = pack.len() as u32;
    debug_assert_eq!(x_offset - base_offset, base_entry_len(f));
    pack.extend_from_slice(entry);
    let checksum = [0x5a_u8; 20];
    pack.extend_from_slice(&checksum);

    let mut objects = [(f.base, base_offset), (f.x, x_offset)];
    objects.sort_by_key(|(oid, _)| *oid);
    let mut idx = b"\xfftOc\0\0\0\x02".to_vec();
    for bucket in 0..=255u8 {
        let count = objects
            .iter()
            .filter(|(oid, _)| oid.as_bytes()[0] <= bucket)
            .count() as u32;
        idx.extend(count.to_be_bytes());
    }
    for (oid, _) in &objects {
        idx.extend_from_slice(oid.as_bytes());
    }
    for _ in &objects {
        idx.extend(0u32.to_be_bytes()); // CRC32s: not checked when reading
    }
    for (_, offset) in &objects {
        idx.extend(offset.to_be_bytes());
    }
    idx.extend_from_slice(&checksum);
    idx.extend_from_slice(&[0u8; 20]);
    // A new name each round: libgit2 keeps open packs in a process-wide cache.
    fs::write(pack_dir.join(format!("pack-{n:040x}.pack")), &pack).unwrap();
    fs::write(pack_dir.join(format!("pack-{n:040x}.idx")), &idx).unwrap();
}

/// The length of B's pack entry (header and deflated data).
fn base_entry_len(f: &Fixture) -> u32 {
    (entry_header(3, f.base_content.len() as u64).len() + deflate(&f.base_content).len()) as u32
}

fn clear(f: &Fixture) {
    let _ = fs::remove_file(loose_path(&f.objects, f.x));
    if let Ok(entries) = fs::read_dir(f.objects.join("pack")) {
        for e in entries.flatten() {
            let _ = fs::remove_file(e.path());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = &*FIXTURE;
    clear(f);
    match mode % 4 {
        0 | 1 => {
            let file = if mode % 4 == 0 {
                rest.to_vec()
            } else {
                deflate(rest)
            };
            let path = loose_path(&f.objects, f.x);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, file).unwrap();
        }
        2 => write_pack(f, rest),
        _ => {
            if rest.len() < 3 {
                return;
            }
            let kind = rest[0] & 7;
            let size = u64::from(u16::from_le_bytes([rest[1], rest[2]]));
            let mut entry = entry_header(kind, size);
            match kind {
                // Back from X's entry to B's, the first after the 12-byte header.
                6 => entry.extend(ofs_varint(u64::from(base_entry_len(f)))),
                7 => entry.extend_from_slice(f.base.as_bytes()),
                _ => {}
            }
            entry.extend(deflate(&rest[3..]));
            write_pack(f, &entry);
        }
    }
    let limits = Limits::default();
    let _ = history::scan(
        &Workspace::open(&f.root, &limits),
        &ENGINE,
        &limits,
        &Revisions::All,
        &ProgressBar::hidden(),
    );
});
