//! Fuzz target: the detection engine on arbitrary bytes with an arbitrary
//! path. Input: `PATH NUL CONTENT` (no NUL: the whole input is the content
//! of `.env`). Checks that the engine never panics, that its matches are
//! ordered, disjoint, in bounds and 1-based, and that turning them into
//! findings (redaction, fingerprints) and comparing two versions (the
//! history's delta scan) never panic either.
#![no_main]

use std::sync::LazyLock;

use keyaudit::detect::Engine;
use keyaudit::finding::Source;
use keyaudit::source::{self, Provenance};
use libfuzzer_sys::fuzz_target;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);

fuzz_target!(|data: &[u8]| {
    let (path, content) = match data.iter().position(|&b| b == 0) {
        Some(i) => (String::from_utf8_lossy(&data[..i]), &data[i + 1..]),
        None => (".env".into(), data),
    };
    let found = ENGINE.scan(&path, content);
    let mut last_end = 0;
    for m in &found {
        assert!(
            m.start < m.end && m.end <= content.len(),
            "span out of bounds"
        );
        assert!(m.start >= last_end, "matches overlap or are out of order");
        assert!(m.line >= 1 && m.column >= 1, "position is not 1-based");
        last_end = m.end;
    }
    let prov = Provenance {
        source: Source::Tree,
        commit: None,
    };
    let findings = source::detect(&ENGINE, &path, content, prov);
    assert_eq!(findings.len(), found.len());
    // History's delta scan, with the content's first half as the version
    // before it and the other way round: never a panic.
    let half = &content[..content.len() / 2];
    ENGINE.may_add(Source::History, &path, content, half);
    ENGINE.may_add(Source::History, &path, half, content);
});
