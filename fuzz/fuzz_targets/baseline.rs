//! Fuzz target: the baseline parser on arbitrary text, then applying what it
//! parsed to a finding. Neither may panic, and an error must format.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use keyaudit::baseline;
use keyaudit::detect::Engine;
use keyaudit::filters;
use keyaudit::finding::{Finding, Source};
use keyaudit::source::{self, Provenance};
use libfuzzer_sys::fuzz_target;

/// One real leak finding for the baseline to match or leave alone.
static FINDINGS: LazyLock<Vec<Finding>> = LazyLock::new(|| {
    let engine = Engine::default();
    let content = b"BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu\n";
    let prov = Provenance {
        source: Source::Tree,
        commit: None,
    };
    source::detect(&engine, ".env", content, prov)
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match baseline::parse(Path::new("keyaudit-baseline.json"), &text) {
        Ok(b) => {
            let mut findings = FINDINGS.clone();
            let applied = filters::baseline(&mut findings, &b);
            assert!(applied.baselined + findings.len() == FINDINGS.len());
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
