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

/// Hands every wanted blob of every pack to `reader`, using `threads`.
pub(super) fn read_packs(git_dir: &Path, reader: &Reader<'_>, threads: usize, max_size: u64) {
    let limit = max_size.saturating_mul(4).max(MIN_ALLOC_LIMIT);
    for idx in indexes(git_dir) {
        // A panic inside the traversal (a pack it cannot make sense of) must
        // not end the scan: that pack's blobs are read one by one instead.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_pack(&idx, reader, threads, limit)
        }));
    }
}

fn read_pack(idx: &Path, reader: &Reader<'_>, threads: usize, limit: u64) {
    let kind = gix_hash::Kind::Sha1;
    let Ok(index) = gix_pack::index::File::at(idx, kind) else {
        return;
    };
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
