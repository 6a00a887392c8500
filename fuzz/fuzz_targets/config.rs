//! Fuzz target: `config::parse` (keyaudit.toml's `[scan]` section) on
//! arbitrary text. Every input is either a config or an error with a 1-based
//! line and column; neither parsing nor formatting the error may panic.
#![no_main]

use std::path::Path;

use keyaudit::config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match config::parse(Path::new("keyaudit.toml"), &text) {
        Ok(_) => {}
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1);
            let _ = e.to_string();
        }
    }
});
