//! Reads the repository's packs in their own order: gitoxide's pack
//! traversal (`gix-pack`) inflates each object once and applies each delta
//! once to its base held in memory, on every core, where reading blob by
//! blob through libgit2 rebuilt delta chains over and over (on freqtrade's
//! history that read cost twice what `git cat-file --batch-all-objects`
//! does; the traversal costs less than half of it). Each blob the walk found
//! goes to the [`Reader`] the first time a pack holds it.
//!
//! Nothing here reports an error: a pack that cannot be opened or traversed
//! (corrupt, truncated, an object over the size this reads at once) leaves
//! its blobs untaken, and [`Reader::read_rest`] reads them one by one and
//! records what is missing or corrupt.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use git2::Oid;

use super::read::Reader;
use crate::source::gate::Content;

/// The largest object a traversal decodes in one piece; a pack holding a
/// larger one is left to the blob-by-blob reader (which skips what is over
/// `--max-file-size` without reading it).
const MIN_ALLOC_LIMIT: u64 = 256 << 20;

/// The `.idx` files of the repository's own packs, sorted.
fn indexes(git_dir: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(git_dir.join("objects").join("pack")) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = dir
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
        .filter(|p| p.with_extension("pack").is_file())
        .collect();
    out.sort();
    out
}

/// Whether decoding whole packs of `objects` objects pays for `wanted`
/// blobs: a whole history wants about a third of the objects (blobs; the
/// rest are trees and commits), a `--since` of a few commits a handful,
/// which are cheaper read one by one (on freqtrade's history, decoding
/// every object costs about what reading a fifth of its blobs one by one does).
fn worth_decoding(wanted: usize, objects: u64) -> bool {
    (wanted as u64).saturating_mul(16) >= objects
}

/// Hands every wanted blob of every pack to `reader`, using `threads`.
pub(super) fn read_packs(git_dir: &Path, reader: &Reader<'_>, threads: usize, max_size: u64) {
    let kind = gix_hash::Kind::Sha1;
    let packs: Vec<(PathBuf, gix_pack::index::File)> = indexes(git_dir)
        .into_iter()
        .filter_map(|idx| {
            let index = gix_pack::index::File::at(&idx, kind).ok()?;
            Some((idx, index))
        })
        .collect();
    let objects = packs.iter().map(|(_, i)| u64::from(i.num_objects())).sum();
    if !worth_decoding(reader.wanted(), objects) {
        return;
    }
    let limit = max_size.saturating_mul(4).max(MIN_ALLOC_LIMIT);
    for (idx, index) in packs {
        // A panic inside the traversal (a pack it cannot make sense of) must
        // not end the scan: that pack's blobs are read one by one instead.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_pack(&idx, &index, reader, threads, limit)
        }));
    }
}

fn read_pack(
    idx: &Path,
    index: &gix_pack::index::File,
    reader: &Reader<'_>,
    threads: usize,
    limit: u64,
) {
    let kind = gix_hash::Kind::Sha1;
    let Ok(pack) = gix_pack::data::File::at(idx.with_extension("pack"), kind) else {
        return;
    };
    let interrupt = AtomicBool::new(false);
    let options = gix_pack::index::traverse::with_index::Options {
        thread_limit: Some(threads.max(1)),
        check: gix_pack::index::traverse::SafetyCheck::SkipFileAndObjectChecksumVerification,
        alloc_limit_bytes: usize::try_from(limit).ok(),
    };
    let _ = index.traverse_with_index(
        &pack,
        |kind,
         data: &[u8],
         entry: &gix_pack::index::Entry,
         _: &dyn gix_utils::progress::Progress| {
            if kind == gix_object::Kind::Blob
                && let Ok(oid) = Oid::from_bytes(entry.oid.as_slice())
                && reader.take(oid)
            {
                reader.scan_blob(oid, Content::Loaded { oid, bytes: data });
            }
            Ok(())
        },
        &mut gix_utils::progress::Discard,
        &interrupt,
        options,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_packs_are_decoded_for_a_history_not_for_a_few_commits() {
        // freqtrade: 46,427 blobs of about 150,000 objects.
        assert!(worth_decoding(46_427, 150_000));
        assert!(worth_decoding(10_000, 160_000));
        assert!(!worth_decoding(9_999, 160_000));
        assert!(!worth_decoding(12, 150_000));
        assert!(worth_decoding(0, 0), "no packs: nothing to decide");
    }

    #[test]
    fn only_the_indexes_of_packs_that_are_there_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path().join("objects/pack");
        std::fs::create_dir_all(&pack).unwrap();
        for name in [
            "pack-b.idx",
            "pack-b.pack",
            "pack-a.idx",
            "pack-a.pack",
            "pack-c.idx",
        ] {
            std::fs::write(pack.join(name), b"").unwrap();
        }
        std::fs::write(pack.join("pack-d.pack"), b"").unwrap();
        let found: Vec<String> = indexes(dir.path())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, vec!["pack-a.idx", "pack-b.idx"]);
        assert!(indexes(&dir.path().join("missing")).is_empty());
    }
}
