//! A read-only reader for git's index file, just enough for `--staged` to
//! cost what the change costs: the entries (path, object id, mode, stage,
//! intent-to-add) and the cached tree ids of unchanged folders (the `TREE`
//! extension).
//!
//! libgit2 loads the index by hashing the whole file and, to compare it with
//! `HEAD`, opens every tree of `HEAD` (or, writing the index as a tree,
//! re-reads every tree to refresh its cache): 55 to 140 ms on 20,000 to
//! 100,000 files. With the cached tree ids, only the folders the change
//! touches are opened. Anything this reader does not know (another index
//! version, a split or sparse index, a truncated file) returns `None`, and
//! the caller falls back to libgit2's full comparison; nothing is guessed.
//! The trailing checksum is not verified (git's own `index.skipHash` skips
//! it too); a corrupt index shows up as a parse failure and the fallback.

use std::collections::HashMap;

use git2::Oid;

/// One index entry.
pub struct Entry {
    pub path: Vec<u8>,
    pub oid: Oid,
    pub mode: u32,
    /// 0 normally; 1 to 3 for the sides of an unmerged path.
    pub stage: u8,
    /// `git add -N`: a placeholder, with no content staged yet.
    pub intent_to_add: bool,
}

/// What the index holds.
pub struct Index {
    /// Sorted by path, as git stores them.
    pub entries: Vec<Entry>,
    /// Folder path ("" for the root) to its tree id, for folders whose
    /// cached id is still valid.
    pub trees: HashMap<Vec<u8>, Oid>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    /// Bytes up to (not including) the next NUL, which is consumed.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().position(|&b| b == 0)?;
        self.pos += len + 1;
        Some(&rest[..len])
    }

    /// git's offset varint (index v4 path prefix lengths).
    fn varint(&mut self) -> Option<usize> {
        let mut c = *self.take(1)?.first()?;
        let mut val = usize::from(c & 0x7f);
        while c & 0x80 != 0 {
            c = *self.take(1)?.first()?;
            val = val.checked_add(1)?.checked_shl(7)? | usize::from(c & 0x7f);
        }
        Some(val)
    }
}

/// Parses an index file; `None` when it is in a form this reader leaves to libgit2.
pub fn parse(bytes: &[u8]) -> Option<Index> {
    const HASH: usize = 20;
    let mut r = Reader { bytes, pos: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = r.u32()? as usize;
    let mut entries = Vec::with_capacity(count.min(bytes.len() / 62));
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = r.pos;
        r.take(24)?; // ctime, mtime, dev, ino
        let mode = r.u32()?;
        r.take(12)?; // uid, gid, size
        let oid = Oid::from_bytes(r.take(HASH)?).ok()?;
        let flags = r.u16()?;
        let mut intent_to_add = false;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return None;
            }
            let extended = r.u16()?;
            intent_to_add = extended & 0x2000 != 0;
        }
        let path = if version == 4 {
            let strip = r.varint()?;
            let keep = previous.len().checked_sub(strip)?;
            let mut path = previous[..keep].to_vec();
            path.extend_from_slice(r.until_nul()?);
            path
        } else {
            let path = r.until_nul()?.to_vec();
            // Entries are NUL-padded to a multiple of 8 bytes.
            let fixed = r.pos - start - path.len() - 1;
            let size = (fixed + path.len() + 8) & !7;
            r.pos = start.checked_add(size)?;
            path
        };
        if mode & 0o170000 == 0o040000 {
            return None; // a sparse index's folder entry
        }
        previous.clone_from(&path);
        entries.push(Entry {
            path,
            oid,
            mode,
            stage: ((flags >> 12) & 3) as u8,
            intent_to_add,
        });
    }
    let mut trees = HashMap::new();
    while bytes.len().checked_sub(r.pos)? > HASH {
        let signature = r.take(4)?;
        let size = r.u32()? as usize;
        let data = r.take(size)?;
        match signature {
            b"TREE" => parse_tree_cache(data, &mut trees)?,
            b"link" | b"sdir" => return None,
            // Optional extensions (uppercase first letter) this reader does not need.
            [first, ..] if first.is_ascii_uppercase() => {}
            _ => return None,
        }
    }
    Some(Index { entries, trees })
}

/// Reads the `TREE` extension: pre-order nodes of `name NUL count SP
/// subtrees LF [id]`, where a count of -1 marks an invalidated folder.
fn parse_tree_cache(data: &[u8], trees: &mut HashMap<Vec<u8>, Oid>) -> Option<()> {
    let mut r = Reader {
        bytes: data,
        pos: 0,
    };
    // (path of the folder, subtrees still to read under it)
    let mut stack: Vec<(Vec<u8>, usize)> = Vec::new();
    while r.pos < data.len() {
        let name = r.until_nul()?;
        let rest = data.get(r.pos..)?;
        let line_len = rest.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&rest[..line_len]).ok()?;
        r.pos += line_len + 1;
        let (count, subtrees) = line.split_once(' ')?;
        let count: i64 = count.parse().ok()?;
        let subtrees: usize = subtrees.parse().ok()?;
        while stack.last().is_some_and(|(_, left)| *left == 0) {
            stack.pop();
        }
        let path = match stack.last_mut() {
            Some((parent, left)) => {
                *left -= 1;
                if parent.is_empty() {
                    name.to_vec()
                } else {
                    [parent.as_slice(), b"/", name].concat()
                }
            }
            None => name.to_vec(),
        };
        if count >= 0 {
            let oid = Oid::from_bytes(r.take(20)?).ok()?;
            trees.insert(path.clone(), oid);
        }
        stack.push((path, subtrees));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_it_does_not_know() {
        assert!(parse(b"").is_none());
        assert!(parse(b"DIRC\0\0\0\x05\0\0\0\0").is_none());
        assert!(parse(b"NOPE\0\0\0\x02\0\0\0\0").is_none());
    }

    #[test]
    fn tree_cache_paths_follow_the_pre_order() {
        let oid = [7u8; 20];
        let mut data = Vec::new();
        data.extend_from_slice(b"\x002 2\n");
        data.extend_from_slice(&oid);
        data.extend_from_slice(b"a\x00-1 1\n");
        data.extend_from_slice(b"b\x001 0\n");
        data.extend_from_slice(&oid);
        data.extend_from_slice(b"c\x001 0\n");
        data.extend_from_slice(&oid);
        let mut trees = HashMap::new();
        parse_tree_cache(&data, &mut trees).unwrap();
        let mut keys: Vec<_> = trees.keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, vec![b"".to_vec(), b"a/b".to_vec(), b"c".to_vec()]);
    }
}
