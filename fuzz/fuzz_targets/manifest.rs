//! Fuzz target: the permission manifest parser (`[[key]]` tables) on
//! arbitrary text, then the checks that run on what it parsed. Neither may
//! panic, and an error must format.
#![no_main]

use std::path::Path;

use keyaudit::checks::manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match manifest::parse(Path::new("keyaudit.toml"), &text) {
        Ok(m) => {
            let _ = manifest::evaluate(&m, "keyaudit.toml");
            let _ = manifest::cross_check(&m, &[], "keyaudit.toml");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
