//! Fuzz target: the git index reader behind `scan --staged`
//! (`source::index::parse`) on arbitrary bytes. It must return an index or
//! `None` (the caller then asks libgit2), never panic or allocate without
//! bound.
#![no_main]

use keyaudit::source::index;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(index) = index::parse(data) {
        for entry in &index.entries {
            assert!(entry.stage <= 3);
        }
    }
});
