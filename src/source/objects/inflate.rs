//! Reading one loose object file, bounded: inflated with flate2, never past
//! the size its header declares; a size the compressed bytes cannot hold,
//! a stream that ends early or one that runs long is an error, never a hang.

use std::io::Read as _;
use std::path::Path;

use flate2::{Decompress, FlushDecompress, Status};
use git2::Oid;
use libgit2_sys as raw;

/// Why a loose object cannot be read.
pub(super) enum Fail {
    NotFound,
    Corrupt(String),
}

/// The longest header git writes ("commit 18446744073709551615\0") fits.
const HEADER_MAX: usize = 64;
/// deflate cannot expand input by more than about 1032:1.
const MAX_RATIO: u64 = 1032;

/// A parsed loose-object header.
pub(super) struct Header {
    pub(super) kind: raw::git_object_t,
    pub(super) size: usize,
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
pub(super) fn read_header_of(dir: &Path, oid: &Oid) -> Result<Header, Fail> {
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
pub(super) fn read_object(
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
