//! Archives as content: a zip, a tar, a gzip-compressed tar (`.tar.gz`,
//! `.tgz`) or a single gzip-compressed file, opened in memory and turned
//! into its members, each handed on as content of its own at the path
//! `user.zip!user/config.json` (nested: `a.zip!inner.tar.gz!x/.env`), or
//! skipped with a reason. Nothing is ever written to disk: a member's name
//! is only a label.
//!
//! The read gate ([`super::gate`]) calls [`open`] where it would otherwise
//! skip content as binary, so every source (working tree, index, history)
//! reads archives the same way. Archives are recognised by their magic
//! bytes, not their names. Against zip bombs and huge archives every limit
//! below holds whatever the archive declares: sizes are read through a
//! limit, never trusted.

use std::cell::Cell;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

use super::BINARY_SNIFF;

/// How many archives may be nested inside an archive (`a.zip!b.zip!c.zip`
/// is read; a fourth level is not opened).
pub const MAX_NESTING: usize = 2;
/// The most bytes one archive may expand to, nested archives included.
pub const MAX_EXPANDED: u64 = 256 << 20;
/// The most a compressed member (a gzip stream as a whole) may expand,
/// relative to its compressed size...
pub const MAX_RATIO: u64 = 200;
/// ...once it is larger than this (a small text compresses well).
pub const RATIO_FREE: u64 = 64 << 10;
/// The most members one archive may hold, nested archives' included.
pub const MAX_MEMBERS: u64 = 10_000;

/// What separates an archive's path from a member's.
pub const SEPARATOR: char = '!';

/// The kinds of archive read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Gzip,
    Tar,
}

/// The kind of archive `bytes` hold, from their magic bytes: a zip's local
/// header or (empty) end record, gzip's `1f 8b`, a ustar header's magic at
/// offset 257. Text (no NUL in its first 8 KiB) is never an archive.
pub fn kind(bytes: &[u8]) -> Option<Kind> {
    if !super::is_binary(bytes) {
        return None;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if is_tar(bytes) {
        Some(Kind::Tar)
    } else {
        None
    }
}

fn is_tar(bytes: &[u8]) -> bool {
    bytes.get(257..262) == Some(b"ustar")
}

/// Why something in an archive was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// A member over the size cap (the size seen or declared).
    TooLarge(u64),
    /// Encrypted, corrupt, truncated, or over one of the limits: why, as a
    /// sentence that ends the warning.
    Refused(String),
}

/// What receives an archive's members.
pub trait Visit {
    /// Whether the member at `path` is read at all (not excluded).
    fn wanted(&mut self, path: &str) -> bool;
    /// A member's content: not an archive (those are opened in turn).
    fn member(&mut self, path: &str, bytes: &[u8]);
    /// A member (or the archive at `path` itself) not read, and why.
    fn skipped(&mut self, path: &str, why: Why);
}

/// Opens `bytes`, the archive at `path`, and hands every member to `visit`
/// (members larger than `max_member` bytes are skipped). Never panics on
/// bad input: what cannot be read is reported through [`Visit::skipped`],
/// and the members read before it stand.
pub fn open(path: &str, bytes: &[u8], max_member: u64, visit: &mut dyn Visit) {
    let Some(kind) = kind(bytes) else {
        return;
    };
    let mut walker = Walker {
        visit,
        max_member,
        members: 0,
        expanded: Rc::new(Cell::new(0)),
        hit: Rc::new(Cell::new(None)),
        stopped: false,
    };
    // The archive readers are well-kept and fuzzed crates; should one still
    // panic on some input, that archive is skipped, not the run.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        walker.archive(path, bytes, kind, 0);
    }));
    if read.is_err() {
        let why = "the archive reader failed on it; the rest not read".to_string();
        walker.visit.skipped(path, Why::Refused(why));
    }
}

/// Which limit a gzip stream ran into.
#[derive(Clone, Copy, Debug)]
enum Hit {
    Ratio(u64),
    Total,
}

struct Walker<'v> {
    visit: &'v mut dyn Visit,
    max_member: u64,
    members: u64,
    /// Bytes expanded so far (decompressed), shared with gzip readers.
    expanded: Rc<Cell<u64>>,
    /// Set by a gzip reader that stopped at a limit.
    hit: Rc<Cell<Option<Hit>>>,
    /// A limit on the whole archive was reached: nothing more is read.
    stopped: bool,
}

impl Walker<'_> {
    fn archive(&mut self, path: &str, bytes: &[u8], kind: Kind, depth: usize) {
        match kind {
            Kind::Zip => self.zip(path, bytes, depth),
            Kind::Tar => self.tar(path, Cursor::new(bytes), depth),
            Kind::Gzip => self.gzip(path, bytes, depth),
        }
    }

    /// A member read in whole: opened when it is an archive, else handed on.
    fn entry(&mut self, path: &str, bytes: &[u8], depth: usize) {
        match kind(bytes) {
            Some(kind) if depth < MAX_NESTING => self.archive(path, bytes, kind, depth + 1),
            Some(_) => self.visit.skipped(
                path,
                Why::Refused(format!(
                    "an archive nested more than {MAX_NESTING} archives deep; not opened"
                )),
            ),
            None => self.visit.member(path, bytes),
        }
    }

    /// Counts one more member; false (and the walk stops) past the limit.
    fn count(&mut self, archive: &str) -> bool {
        self.members += 1;
        if self.members > MAX_MEMBERS {
            self.stop(
                archive,
                format!(
                    "more than {MAX_MEMBERS} members (nested archives' included); the rest not read"
                ),
            );
            return false;
        }
        true
    }

    fn stop(&mut self, path: &str, why: String) {
        self.stopped = true;
        self.visit.skipped(path, Why::Refused(why));
    }

    fn total_exceeded(&mut self, path: &str) {
        self.stop(
            path,
            format!(
                "the archive expands to more than {} MiB in all; this and the rest not read",
                MAX_EXPANDED >> 20
            ),
        );
    }

    fn zip(&mut self, path: &str, bytes: &[u8], depth: usize) {
        let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(zip) => zip,
            Err(e) => {
                let why = format!("corrupt or truncated zip archive ({e}); not read");
                self.visit.skipped(path, Why::Refused(why));
                return;
            }
        };
        for i in 0..zip.len() {
            if self.stopped || !self.count(path) {
                return;
            }
            let (name, dir, encrypted, declared, compressed) = match zip.by_index_data(i) {
                Ok(e) => (
                    label(e.name_raw()),
                    e.is_dir(),
                    e.encrypted(),
                    e.size(),
                    e.compressed_size(),
                ),
                Err(e) => {
                    let why = format!("a member of this zip cannot be read ({e}); skipped");
                    self.visit.skipped(path, Why::Refused(why));
                    continue;
                }
            };
            if dir {
                continue;
            }
            let member = format!("{path}{SEPARATOR}{name}");
            if !self.visit.wanted(&member) {
                continue;
            }
            if encrypted {
                let why = "encrypted (a password protects it); not read".to_string();
                self.visit.skipped(&member, Why::Refused(why));
                continue;
            }
            if declared > self.max_member {
                self.visit.skipped(&member, Why::TooLarge(declared));
                continue;
            }
            let ratio_cap = ratio_cap(compressed);
            if declared > ratio_cap {
                self.visit.skipped(&member, bomb(declared, compressed));
                continue;
            }
            let left = MAX_EXPANDED.saturating_sub(self.expanded.get());
            let cap = self.max_member.min(ratio_cap).min(left);
            let mut out = Vec::with_capacity(declared.min(cap) as usize);
            let read = zip
                .by_index(i)
                .map_err(|e| e.to_string())
                .and_then(|file| read_capped(file, cap, &mut out).map_err(|e| e.to_string()));
            self.expanded.set(self.expanded.get() + out.len() as u64);
            if let Err(e) = read {
                let why = format!("corrupt zip member ({}); skipped", crate::redact::scrub(&e));
                self.visit.skipped(&member, Why::Refused(why));
                continue;
            }
            if out.len() as u64 > cap {
                if cap == self.max_member {
                    self.visit.skipped(&member, Why::TooLarge(out.len() as u64));
                } else if cap == ratio_cap {
                    self.visit
                        .skipped(&member, bomb(out.len() as u64, compressed));
                } else {
                    self.total_exceeded(&member);
                }
                continue;
            }
            self.entry(&member, &out, depth);
        }
    }

    /// A tar from `reader`: bytes in memory, or a gzip stream that counts
    /// what it expands itself ([`Limited`]).
    fn tar(&mut self, path: &str, reader: impl Read, depth: usize) {
        let mut tar = tar::Archive::new(reader);
        let entries = match tar.entries() {
            Ok(entries) => entries,
            Err(e) => return self.broken(path, "tar archive", &e),
        };
        for entry in entries {
            if self.stopped {
                return;
            }
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(e) => return self.broken(path, "tar archive", &e),
            };
            if !self.count(path) {
                return;
            }
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let member = format!("{path}{SEPARATOR}{}", label(&entry.path_bytes()));
            if !self.visit.wanted(&member) {
                continue;
            }
            let declared = entry.size();
            if declared > self.max_member {
                self.visit.skipped(&member, Why::TooLarge(declared));
                continue;
            }
            let out = Vec::with_capacity(declared as usize);
            match self.read_member(&member, &mut entry, out, "tar member") {
                MemberRead::Member(out) => self.entry(&member, &out, depth),
                MemberRead::TooLarge => continue,
                MemberRead::Broken => return,
            }
        }
    }

    /// A gzip stream: a tar inside it (ustar magic in its first block) is
    /// read member by member as it expands; anything else is one member
    /// named after the archive without its `.gz`.
    fn gzip(&mut self, path: &str, bytes: &[u8], depth: usize) {
        let mut reader = Limited {
            inner: flate2::read::MultiGzDecoder::new(bytes),
            compressed: bytes.len() as u64,
            produced: 0,
            ratio_cap: ratio_cap(bytes.len() as u64),
            expanded: self.expanded.clone(),
            hit: self.hit.clone(),
        };
        let mut head = Vec::with_capacity(512);
        if let Err(e) = (&mut reader).take(512).read_to_end(&mut head) {
            return self.broken(path, "gzip stream", &e);
        }
        if is_tar(&head) {
            return self.tar(path, Cursor::new(head).chain(reader), depth);
        }
        if !self.count(path) {
            return;
        }
        let member = format!("{path}{SEPARATOR}{}", gunzipped_name(path));
        if !self.visit.wanted(&member) {
            return;
        }
        if let MemberRead::Member(out) = self.read_member(&member, &mut reader, head, "gzip stream")
        {
            self.entry(&member, &out, depth);
        }
    }

    /// The rest of a member from `reader` after what `out` holds, up to the
    /// member size cap ([`read_capped`]: a binary one no further than its
    /// first 8 KiB): a member too large is skipped, a read error (a limit
    /// of the stream reached, or a corrupt one) ends the archive.
    fn read_member(
        &mut self,
        member: &str,
        reader: impl Read,
        mut out: Vec<u8>,
        what: &str,
    ) -> MemberRead {
        if let Err(e) = read_capped(reader, self.max_member, &mut out) {
            self.broken(member, what, &e);
            return MemberRead::Broken;
        }
        if out.len() as u64 > self.max_member {
            self.visit.skipped(member, Why::TooLarge(out.len() as u64));
            return MemberRead::TooLarge;
        }
        MemberRead::Member(out)
    }

    /// A read error: a gzip limit reached, or a corrupt or truncated stream.
    fn broken(&mut self, path: &str, what: &str, e: &io::Error) {
        match self.hit.take() {
            Some(Hit::Total) => self.total_exceeded(path),
            Some(Hit::Ratio(compressed)) => {
                let why = format!(
                    "the compressed stream expands to more than {MAX_RATIO} times its {compressed} \
                     bytes (a zip bomb?); the rest not read"
                );
                self.visit.skipped(path, Why::Refused(why));
            }
            None => {
                let why = format!(
                    "corrupt or truncated {what} ({}); the rest not read",
                    crate::redact::scrub(&e.to_string())
                );
                self.visit.skipped(path, Why::Refused(why));
            }
        }
    }
}

/// Reads a member from `reader` into `out` (which may hold its first bytes
/// already), up to `cap` bytes plus one (so that a member over the cap shows
/// as one). Its first [`BINARY_SNIFF`] bytes come first: binary there (a
/// wheel's `.so`) and no archive, it is expanded no further.
fn read_capped(mut reader: impl Read, cap: u64, out: &mut Vec<u8>) -> io::Result<()> {
    let sniff = (cap + 1).min(BINARY_SNIFF as u64);
    let head = sniff.saturating_sub(out.len() as u64);
    (&mut reader).take(head).read_to_end(out)?;
    if plainly_binary(out) {
        return Ok(());
    }
    let rest = (cap + 1).saturating_sub(out.len() as u64);
    reader.take(rest).read_to_end(out).map(drop)
}

/// Whether a member's first [`BINARY_SNIFF`] bytes already make it binary
/// content that is not an archive: what [`super::text`] decides from the
/// first [`BINARY_SNIFF`] bytes (of the decoded text, for UTF-16), which
/// these hold.
fn plainly_binary(head: &[u8]) -> bool {
    head.len() == BINARY_SNIFF && super::text(head).is_none() && kind(head).is_none()
}

/// What reading one member of a stream gave.
enum MemberRead {
    Member(Vec<u8>),
    /// Over the member size cap: skipped, the archive goes on.
    TooLarge,
    /// The stream broke or hit a limit: the rest of the archive is not read.
    Broken,
}

/// How far `compressed` bytes may expand.
fn ratio_cap(compressed: u64) -> u64 {
    compressed.saturating_mul(MAX_RATIO).max(RATIO_FREE)
}

fn bomb(size: u64, compressed: u64) -> Why {
    Why::Refused(format!(
        "expands to more than {MAX_RATIO} times its compressed size ({size} bytes or more from \
         {compressed}; a zip bomb?); not read"
    ))
}

/// A member's name as a label: lossy UTF-8, `\` read as `/`, a leading
/// `./` dropped, control and invisible characters replaced (a name is never
/// a path on disk here, so `..` and absolute names are harmless).
fn label(raw: &[u8]) -> String {
    let name = String::from_utf8_lossy(raw).replace('\\', "/");
    let mut name = name.as_str();
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    let name = crate::redact::sanitize(name);
    if name.is_empty() {
        "(unnamed)".to_string()
    } else {
        name
    }
}

/// The name of what a gzip file holds: its own name without `.gz`.
fn gunzipped_name(path: &str) -> String {
    let name = path.rsplit(['/', SEPARATOR]).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    for ext in [".gz", ".gzip"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name.to_string()
}

/// A decompressing reader held to the ratio and total limits: past one it
/// records which ([`Hit`]) and fails.
struct Limited<R> {
    inner: R,
    compressed: u64,
    produced: u64,
    ratio_cap: u64,
    expanded: Rc<Cell<u64>>,
    hit: Rc<Cell<Option<Hit>>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let ratio_left = self.ratio_cap.saturating_sub(self.produced);
        let total_left = MAX_EXPANDED.saturating_sub(self.expanded.get());
        // One byte past the tighter limit tells it is reached.
        let allowed = ratio_left.min(total_left).saturating_add(1);
        let len = buf
            .len()
            .min(usize::try_from(allowed).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..len])?;
        self.produced += n as u64;
        self.expanded.set(self.expanded.get() + n as u64);
        if self.produced > self.ratio_cap {
            self.hit.set(Some(Hit::Ratio(self.compressed)));
        } else if self.expanded.get() > MAX_EXPANDED {
            self.hit.set(Some(Hit::Total));
        } else {
            return Ok(n);
        }
        Err(io::Error::other("expansion limit reached"))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// What a walk handed on: members (path, bytes) and skips (path, why).
    #[derive(Default)]
    struct Seen {
        members: Vec<(String, Vec<u8>)>,
        skipped: Vec<(String, Why)>,
    }

    impl Visit for Seen {
        fn wanted(&mut self, _: &str) -> bool {
            true
        }
        fn member(&mut self, path: &str, bytes: &[u8]) {
            self.members.push((path.to_string(), bytes.to_vec()));
        }
        fn skipped(&mut self, path: &str, why: Why) {
            self.skipped.push((path.to_string(), why));
        }
    }

    fn walk(path: &str, bytes: &[u8]) -> Seen {
        let mut seen = Seen::default();
        open(path, bytes, 16 << 20, &mut seen);
        seen
    }

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (name, bytes) in members {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, *bytes).unwrap();
        }
        tar.into_inner().unwrap()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn a_binary_zip_member_is_expanded_no_further_than_its_first_8_kib() {
        // A shared library's bytes (NULs early), a text file, and UTF-16
        // text with its byte-order mark (NULs, but text once decoded).
        let mut so = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
        so.extend((0..40_000u32).map(|i| (i % 251) as u8));
        let text = "API_KEY = 1\n".repeat(2_000);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let inner = zip_of(&[("inner.txt", b"x")]);
        let mut padded_zip = inner.clone();
        padded_zip.extend(std::iter::repeat_n(0u8, 10_000));
        let zip = zip_of(&[
            ("lib/talib.so", &so),
            ("README.txt", text.as_bytes()),
            ("notes.txt", &utf16),
            ("nested.zip", &padded_zip),
        ]);
        let seen = walk("ta.whl", &zip);
        let len = |name: &str| {
            seen.members
                .iter()
                .find(|(p, _)| p == &format!("ta.whl!{name}"))
                .map(|(_, b)| b.len())
        };
        assert_eq!(len("lib/talib.so"), Some(BINARY_SNIFF));
        assert_eq!(len("README.txt"), Some(text.len()));
        assert_eq!(len("notes.txt"), Some(utf16.len()));
        // An archive inside is read whole and opened, NULs or not.
        assert_eq!(len("nested.zip!inner.txt"), Some(1));
        assert!(seen.skipped.is_empty(), "{:?}", seen.skipped.len());
        // The same in a tar, and as a gzip stream's one member.
        for (path, bytes) in [
            (
                "lib.tar",
                tar_of(&[("talib.so", &so), ("README.txt", text.as_bytes())]),
            ),
            ("talib.so.gz", gzip(&so)),
        ] {
            let seen = walk(path, &bytes);
            let lens: Vec<(&str, usize)> = seen
                .members
                .iter()
                .map(|(p, b)| (p.as_str(), b.len()))
                .collect();
            assert_eq!(lens[0].1, BINARY_SNIFF, "{lens:?}");
            if path == "lib.tar" {
                assert_eq!(lens[1], ("lib.tar!README.txt", text.len()), "{lens:?}");
            }
        }
    }

    #[test]
    fn kinds_come_from_magic_bytes_and_text_is_never_an_archive() {
        assert_eq!(kind(&zip_of(&[("a", b"x")])), Some(Kind::Zip));
        assert_eq!(kind(&gzip(b"x")), Some(Kind::Gzip));
        assert_eq!(kind(&tar_of(&[("a", b"x")])), Some(Kind::Tar));
        assert_eq!(kind(b"PK\x03\x04 but text"), None);
        assert_eq!(kind(b"\x7fELF\0\0"), None);
    }

    #[test]
    fn nesting_stops_past_two_archives_inside_an_archive() {
        let inner = zip_of(&[("x/.env", b"KEY=1\n")]);
        let two = zip_of(&[("two.zip", &inner)]);
        let one = tar_of(&[("one.zip", &two)]);
        let top = gzip(&one);
        // top.tgz > one.zip > two.zip > x/.env: two archives inside the top one.
        let seen = walk("top.tgz", &top);
        assert_eq!(seen.members.len(), 1, "{:?}", seen.skipped);
        assert_eq!(seen.members[0].0, "top.tgz!one.zip!two.zip!x/.env");
        // One more level is not opened.
        let seen = walk("deeper.zip", &zip_of(&[("top.tgz", &top)]));
        assert!(seen.members.is_empty());
        assert_eq!(seen.skipped.len(), 1);
        assert_eq!(seen.skipped[0].0, "deeper.zip!top.tgz!one.zip!two.zip");
    }

    #[test]
    fn small_members_expand_freely_and_large_ones_within_the_ratio() {
        let zeros = vec![0u8; RATIO_FREE as usize];
        let seen = walk("a.zip", &zip_of(&[("zeros", &zeros)]));
        assert_eq!(seen.members.len(), 1, "{:?}", seen.skipped);
        let zeros = vec![0u8; 4 << 20];
        let seen = walk("a.zip", &zip_of(&[("zeros", &zeros), ("b.txt", b"b")]));
        assert_eq!(seen.members.len(), 1);
        assert!(matches!(&seen.skipped[0].1, Why::Refused(why) if why.contains("zip bomb")));
        // A stream has no declared size: it is refused as it expands. (Text:
        // binary content stops expanding after its first 8 KiB anyway.)
        let seen = walk("a.gz", &gzip(&vec![b'a'; 4 << 20]));
        assert!(seen.members.is_empty());
        assert!(matches!(&seen.skipped[0].1, Why::Refused(why) if why.contains("zip bomb")));
    }

    #[test]
    fn a_member_larger_than_the_cap_is_too_large() {
        let big = vec![b'a'; 1000];
        let mut seen = Seen::default();
        open(
            "a.tar",
            &tar_of(&[("big", &big), ("ok", b"ok")]),
            999,
            &mut seen,
        );
        assert_eq!(seen.members.len(), 1);
        assert_eq!(
            seen.skipped,
            vec![("a.tar!big".to_string(), Why::TooLarge(1000))]
        );
    }

    #[test]
    fn the_member_count_is_bounded() {
        let names: Vec<String> = (0..=MAX_MEMBERS).map(|i| format!("f{i}")).collect();
        let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let seen = walk("many.tar", &tar_of(&members));
        assert_eq!(seen.members.len() as u64, MAX_MEMBERS);
        assert!(matches!(&seen.skipped[..], [(p, Why::Refused(_))] if p == "many.tar"));
    }

    #[test]
    fn damaged_archives_never_panic_and_keep_what_was_read() {
        let zip = zip_of(&[("a/.env", b"KEY=1\n"), ("b/.env", b"KEY=2\n")]);
        let tgz = gzip(&tar_of(&[("a/.env", b"KEY=1\n"), ("b/.env", b"KEY=2\n")]));
        for (name, bytes) in [("a.zip", &zip), ("a.tgz", &tgz)] {
            for cut in 0..bytes.len() {
                walk(name, &bytes[..cut]);
            }
            for at in 0..bytes.len() {
                for flip in [0x01, 0x80, 0xff] {
                    let mut bad = bytes.clone();
                    bad[at] ^= flip;
                    walk(name, &bad);
                }
            }
        }
        // A gzip cut short: what came before the cut is read, and the
        // reason says so.
        let mut state = 1u32;
        let noise: Vec<u8> = (0..20_000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                b"0123456789abcdef"[(state >> 16) as usize % 16]
            })
            .collect();
        let tgz = gzip(&tar_of(&[("a/.env", b"KEY=1\n"), ("noise.txt", &noise)]));
        let seen = walk("a.tgz", &tgz[..tgz.len() / 2]);
        assert_eq!(seen.members.len(), 1);
        assert_eq!(seen.members[0].0, "a.tgz!a/.env");
        assert!(
            matches!(&seen.skipped[..], [(p, Why::Refused(w))]
                if p == "a.tgz!noise.txt" && w.contains("truncated")),
            "{:?}",
            seen.skipped
        );
    }

    #[test]
    fn member_names_are_labels() {
        assert_eq!(label(b"./x/../y"), "x/../y");
        assert_eq!(label(b"a\\b\x1b[0m"), "a/b\u{FFFD}[0m");
        assert_eq!(label(b"\xff.env"), "\u{FFFD}.env");
        assert_eq!(label(b"./"), "(unnamed)");
        assert_eq!(gunzipped_name("d/config.json.GZ"), "config.json");
        assert_eq!(gunzipped_name("a.zip!dump.gz"), "dump");
        assert_eq!(gunzipped_name("blob"), "blob");
    }
}
