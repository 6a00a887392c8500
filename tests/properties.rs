//! Property tests of the detection engine and of redaction, with proptest.
//!
//! - Every rule's examples (the ones `catalog/tests.rs` checks one by one),
//!   planted anywhere in random text, with any line endings (`\n`, `\r\n`,
//!   `\r`, mixed) and any surrounding bytes that do not join the secret into
//!   a longer word, are found by that rule at the right line and column,
//!   also when the same line is planted twice in a row.
//! - Random bytes, in any kind of file, never make the engine panic, and
//!   every match it returns is a well-formed span with a 1-based position.
//! - History's delta scan: however a file is edited (lines removed, examples,
//!   context words or text inserted), a new version holding a secret the old
//!   one did not makes `Engine::may_add` say so.
//! - Redaction shows at most its prefix (4 characters, an eighth of the
//!   secret), the fingerprint is stable, and a finding made from a planted
//!   secret holds the secret nowhere (its JSON form is checked).
//!
//! Failure messages name examples by rule id and index, and secrets by
//! offset and length: never the secret itself.

use std::sync::LazyLock;

use keyaudit::detect::Engine;
use keyaudit::detect::Files;
use keyaudit::finding::Source;
use keyaudit::redact;
use keyaudit::source::{self as scan, Provenance};
use proptest::prelude::*;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);

/// Every (rule index, example) pair, with the path the rules' own test scans
/// it as: unquoted examples are `.env` lines, quoted ones code.
static EXAMPLES: LazyLock<Vec<(usize, &'static str, &'static str)>> = LazyLock::new(|| {
    let mut all = Vec::new();
    for (i, rule) in ENGINE.rules().iter().enumerate() {
        for ex in rule.examples {
            let path = if rule.files == Files::ConfigOnly || !ex.contains(['"', '\'', '`']) {
                ".env"
            } else {
                "config.py"
            };
            all.push((i, *ex, path));
        }
    }
    all
});

const BREAKS: [&str; 3] = ["\n", "\r\n", "\r"];

/// Characters that end a word before a planted line.
const SEPARATORS: [u8; 4] = [b' ', b'\t', b';', b','];
/// Characters that end a word after a planted line (not a comma: an
/// unquoted passphrase may hold one).
const RIGHT_SEPARATORS: [u8; 3] = [b' ', b'\t', b';'];

/// Random bytes holding no line break.
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..48).prop_map(|mut v| {
        for b in &mut v {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
        v
    })
}

/// Random printable text (any script) holding no line break.
fn text_line() -> impl Strategy<Value = Vec<u8>> {
    "[^\r\n\u{85}\u{2028}\u{2029}]{0,40}".prop_map(String::into_bytes)
}

/// Lines before or after the planted one, each ended by a random line break.
fn lines() -> impl Strategy<Value = Vec<(Vec<u8>, usize)>> {
    prop::collection::vec((prop_oneof![line(), text_line()], 0..3usize), 0..6)
}

/// How one example is planted.
#[derive(Debug, Clone)]
struct Plant {
    before: Vec<(Vec<u8>, usize)>,
    /// Text on the planted line before it, and the separator that ends it.
    left: Option<(Vec<u8>, usize)>,
    /// Line break used inside the example (for multi-line examples).
    inner: usize,
    /// Text on the planted line after it, after a separator.
    right: Option<(usize, Vec<u8>)>,
    /// Plant the line a second time, after this break (`None`: once).
    twice: Option<usize>,
    after: Vec<(Vec<u8>, usize)>,
}

fn plant() -> impl Strategy<Value = Plant> {
    (
        lines(),
        prop::option::of((prop_oneof![line(), text_line()], 0..SEPARATORS.len())),
        0..3usize,
        prop::option::of((0..RIGHT_SEPARATORS.len(), prop_oneof![line(), text_line()])),
        prop::option::of(0..3usize),
        lines(),
    )
        .prop_map(|(before, left, inner, right, twice, after)| Plant {
            before,
            left,
            inner,
            right,
            twice,
            after,
        })
}

/// Builds the content; returns it and the offset of each planted copy.
fn build(example: &[u8], p: &Plant) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    for (l, b) in &p.before {
        out.extend_from_slice(l);
        out.extend_from_slice(BREAKS[*b].as_bytes());
    }
    let mut planted_line = Vec::new();
    let mut at_in_line = 0;
    if let Some((l, sep)) = &p.left {
        planted_line.extend_from_slice(l);
        planted_line.push(SEPARATORS[*sep]);
        at_in_line = planted_line.len();
    }
    planted_line.extend_from_slice(example);
    if let Some((sep, r)) = &p.right {
        planted_line.push(RIGHT_SEPARATORS[*sep]);
        planted_line.extend_from_slice(r);
    }
    let mut offsets = vec![out.len() + at_in_line];
    out.extend_from_slice(&planted_line);
    if let Some(b) = p.twice {
        out.extend_from_slice(BREAKS[b].as_bytes());
        offsets.push(out.len() + at_in_line);
        out.extend_from_slice(&planted_line);
    }
    for (l, b) in &p.after {
        out.extend_from_slice(BREAKS[*b].as_bytes());
        out.extend_from_slice(l);
    }
    (out, offsets)
}

/// 1-based line and column (in characters, invalid UTF-8 counted as
/// replacement characters) of byte `at`, where `\r\n`, `\r` and `\n` each
/// end a line: the way editors and SARIF viewers count.
fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut line = 1;
    let mut start = 0;
    let mut i = 0;
    while i < at {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') && i + 1 < at => {
                line += 1;
                i += 2;
                start = i;
                continue;
            }
            b'\r' | b'\n' => {
                line += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let column = String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1;
    (line, column)
}

/// For each example and each line break used inside it: the example with
/// that break, and the span its own rule finds in it standing alone (`None`
/// when the rule misses it there, which the property reports).
/// An example with one kind of line break, and its own rule's span in it.
type Alone = (String, Option<(usize, usize)>);

static ALONE: LazyLock<Vec<[Alone; 3]>> = LazyLock::new(|| {
    EXAMPLES
        .iter()
        .map(|&(rule, example, path)| {
            BREAKS.map(|br| {
                let example = example.replace('\n', br);
                let span = ENGINE
                    .scan(path, example.as_bytes())
                    .into_iter()
                    .find(|m| m.rule == rule)
                    .map(|m| (m.start, m.end));
                (example, span)
            })
        })
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    // Each case scans every example once: about 0.4 s a case in a debug build.

    /// (a) Every example, planted anywhere with any line endings, is found by
    /// its rule at the right line and column, each time it is planted.
    #[test]
    fn planted_examples_are_found_where_they_are(p in plant()) {
        for (n, &(rule, _, path)) in EXAMPLES.iter().enumerate() {
            let id = ENGINE.rule(rule).id;
            let (example, span) = &ALONE[n][p.inner];
            let Some((start, end)) = *span else {
                prop_assert!(false, "{id} (example {n}) is not found alone with {:?} line breaks", BREAKS[p.inner]);
                unreachable!();
            };
            let (content, offsets) = build(example.as_bytes(), &p);
            let found = ENGINE.scan(path, &content);
            for at in offsets {
                let (line, column) = position(&content, at + start);
                let hit = found.iter().find(|m| m.start == at + start && m.end == at + end);
                let Some(m) = hit else {
                    let near: Vec<_> = found
                        .iter()
                        .map(|m| (ENGINE.rule(m.rule).id, m.line, m.column, m.end - m.start))
                        .collect();
                    prop_assert!(
                        false,
                        "{id} (example {n}): secret of {} bytes at line {line} column {column} \
                         not found; found (rule, line, column, length) {near:?}",
                        end - start
                    );
                    unreachable!();
                };
                prop_assert_eq!(ENGINE.rule(m.rule).id, id, "example {} at line {}", n, line);
                prop_assert_eq!((m.line, m.column), (line, column), "{} (example {})", id, n);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// (b) Random bytes never panic the engine, in any kind of file, and
    /// matches are ordered, disjoint, in bounds and 1-based.
    #[test]
    fn random_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        path in prop_oneof![
            Just(".env".to_string()),
            Just("config.py".to_string()),
            Just("user_data/config.json".to_string()),
            Just("binance/keys.yml".to_string()),
            "\\PC{0,30}",
        ],
    ) {
        check_matches(&path, &bytes)?;
    }

    /// (b) The same with keywords, operators, quotes, escapes and line breaks
    /// mixed in, so that rules are triggered and patterns half match.
    #[test]
    fn keyword_soup_never_panics(
        parts in prop::collection::vec(prop_oneof![
            prop::sample::select(vec![
                "binance", "kraken", "hyperliquid", "mnemonic", "secret", "api_key", "key", "token",
                "pass", "=", ": ", "\"", "'", "\\\"", "\\n", "\n", "\r\n", "\r", " ", "0x",
                "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "bg_", "mx0vgl",
                "cxakp_", ":AA", "gAAAAA", "account-", "keyaudit:allow", "organizations/",
                "/apiKeys/", "7b2263727970746f223a207b", "é", "\u{feff}", "\u{202e}",
            ]).prop_map(|s| s.as_bytes().to_vec()),
            "[A-Za-z0-9+/=_-]{1,70}".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 1..8),
        ], 0..80),
        path in prop::sample::select(vec![".env", "config.py", "config.json", "bot.yml", "kraken/a.txt"]),
    ) {
        check_matches(path, &parts.concat())?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (c) Redaction shows at most the first min(4, len / 8) characters
    /// (control characters as `?`) and the length, and nothing else.
    #[test]
    fn redaction_reveals_at_most_its_prefix(secret in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        "\\PC{0,120}".prop_map(String::into_bytes),
        "[A-Za-z0-9]{1,100}".prop_map(String::into_bytes),
    ]) {
        let text = String::from_utf8_lossy(&secret);
        let chars: Vec<char> = text.chars().collect();
        let shown = redact::redact(&secret);
        let suffix = format!("… ({} chars)", chars.len());
        prop_assert!(shown.ends_with(&suffix), "redaction of {} chars ends wrongly", chars.len());
        let prefix: Vec<char> = shown[..shown.len() - suffix.len()].chars().collect();
        prop_assert!(prefix.len() <= 4 && prefix.len() <= chars.len() / 8,
            "{} chars shown of {}", prefix.len(), chars.len());
        for (shown, real) in prefix.iter().zip(&chars) {
            let expected = if real.is_control() { '?' } else { *real };
            prop_assert_eq!(*shown, expected);
        }
    }

    /// (c) The fingerprint is stable, frozen in form, tells secrets apart
    /// and is the same whichever rule matched the secret; the legacy one
    /// (read in old baselines) tells rules apart.
    #[test]
    fn fingerprint_is_stable(
        secret in prop::collection::vec(any::<u8>(), 0..200),
        other in prop::collection::vec(any::<u8>(), 0..200),
        rule in "[a-z-]{1,30}",
    ) {
        let fp = redact::fingerprint(&secret);
        prop_assert_eq!(&fp, &redact::fingerprint(&secret));
        prop_assert_eq!(&fp, &redact::secret_ref(&rule, &secret).fingerprint);
        prop_assert_eq!(&fp, &redact::secret_ref(&format!("{rule}x"), &secret).fingerprint);
        prop_assert!(fp.starts_with("sha256:") && fp.len() == 7 + 64);
        prop_assert!(fp[7..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        if other != secret {
            prop_assert_ne!(&fp, &redact::fingerprint(&other));
        }
        let legacy = redact::legacy_fingerprint(&rule, &secret);
        prop_assert_ne!(&fp, &legacy);
        prop_assert_eq!(&redact::secret_ref(&rule, &secret).legacy, &vec![legacy.clone()]);
        prop_assert_ne!(&legacy, &redact::legacy_fingerprint(&format!("{rule}x"), &secret));
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    // Each case scans every example twice.

    /// (c) A finding made from a planted example holds its secret nowhere:
    /// not in its message, location or secret reference (the whole finding
    /// as JSON), and its fingerprint is the secret's.
    #[test]
    fn findings_never_hold_the_secret(p in plant()) {
        for (n, &(rule, example, path)) in EXAMPLES.iter().enumerate() {
            let id = ENGINE.rule(rule).id;
            let (content, _) = build(example.as_bytes(), &p);
            let prov = Provenance { source: Source::Tree, commit: None };
            let findings = scan::detect(&ENGINE, path, &content, prov);
            let matches = ENGINE.scan(path, &content);
            prop_assert_eq!(findings.len(), matches.len());
            for (m, finding) in matches.into_iter().zip(findings) {
                let secret = &content[m.start..m.end];
                prop_assert_eq!((finding.location.line, finding.location.column), (Some(m.line), Some(m.column)));
                let json = serde_json::to_string(&finding).unwrap();
                // JSON escapes some bytes; the secret's longest run of plain
                // characters is what could leak.
                let plain = secret
                    .split(|b| !b.is_ascii_alphanumeric())
                    .max_by_key(|s| s.len())
                    .unwrap_or_default();
                if plain.len() >= 12 {
                    prop_assert!(
                        !json.as_bytes().windows(plain.len()).any(|w| w == plain),
                        "{} (example {}): a finding holds {} bytes of its secret",
                        id, n, plain.len()
                    );
                }
                let sr = finding.secret.expect("leak findings carry a secret reference");
                prop_assert_eq!(sr.fingerprint, redact::fingerprint(secret));
                prop_assert_eq!(sr.legacy, vec![redact::legacy_fingerprint(ENGINE.rule(m.rule).id, secret)]);
            }
        }
    }
}

fn check_matches(path: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let found = ENGINE.scan(path, bytes);
    let mut last_end = 0;
    for m in &found {
        prop_assert!(
            m.start < m.end && m.end <= bytes.len(),
            "span out of bounds"
        );
        prop_assert!(m.start >= last_end, "overlapping or unordered matches");
        prop_assert!(m.line >= 1 && m.column >= 1, "position not 1-based");
        prop_assert_eq!((m.line, m.column), position(bytes, m.start));
        last_end = m.end;
    }
    // Deterministic: the same content gives the same matches.
    prop_assert_eq!(found, ENGINE.scan(path, bytes));
    Ok(())
}

/// An edit to a version of a file: lines of the old version replaced by new ones.
#[derive(Debug, Clone)]
struct Edit {
    /// Where, as a fraction (in thousandths) of the old version's lines.
    at: usize,
    /// How many old lines go.
    remove: usize,
    /// The new lines: an example (by index), a context word, or random text.
    insert: Vec<Line>,
}

#[derive(Debug, Clone)]
enum Line {
    Example(usize),
    Word(usize),
    Text(Vec<u8>),
}

/// Words that make values keys, or that name a secret.
const WORDS: [&str; 6] = [
    "binance",
    "# bybit",
    "kucoin:",
    "okx",
    "mnemonic",
    "hyperliquid",
];

/// A line of a file: examples and words `weight` times in 100.
fn file_line(weight: u32) -> impl Strategy<Value = Line> {
    prop_oneof![
        weight => (0..EXAMPLES.len()).prop_map(Line::Example),
        weight => (0..WORDS.len()).prop_map(Line::Word),
        100 - 2 * weight => prop_oneof![line(), text_line()].prop_map(Line::Text),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        0..1000usize,
        0..4usize,
        prop::collection::vec(file_line(25), 0..4),
    )
        .prop_map(|(at, remove, insert)| Edit { at, remove, insert })
}

fn render(lines: &[Line]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        match line {
            Line::Example(n) => out.extend_from_slice(EXAMPLES[*n].1.as_bytes()),
            Line::Word(n) => out.extend_from_slice(WORDS[*n].as_bytes()),
            Line::Text(t) => out.extend_from_slice(t),
        }
        out.push(b'\n');
    }
    out
}

/// The secrets (by value) a scan finds, with their rules.
fn secrets(path: &str, bytes: &[u8]) -> std::collections::BTreeSet<(Vec<u8>, &'static str)> {
    ENGINE
        .scan(path, bytes)
        .iter()
        .map(|m| (bytes[m.start..m.end].to_vec(), ENGINE.rule(m.rule).id))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// (d) History's delta scan: when a new version of a file holds a secret
    /// (or a label) the version before did not, `Engine::may_add` says so,
    /// however the file was edited, so scanning only what changed loses
    /// nothing.
    #[test]
    fn a_new_version_never_hides_what_it_adds(
        old in prop::collection::vec(file_line(1), 600..800),
        edits in prop::collection::vec(edit(), 1..4),
        code in any::<bool>(),
    ) {
        let path = if code { "bot/config.py" } else { "bot/settings.yml" };
        let mut new = old.clone();
        for e in &edits {
            let at = e.at * new.len() / 1000;
            let end = (at + e.remove).min(new.len());
            new.splice(at..end, e.insert.iter().cloned());
        }
        let (before, after) = (render(&old), render(&new));
        let added: Vec<_> = secrets(path, &after).difference(&secrets(path, &before)).cloned().collect();
        if !added.is_empty() {
            prop_assert!(
                ENGINE.may_add(Source::History, path, &after, &before),
                "{} new secret(s) ({:?}) the delta scan would not see",
                added.len(),
                added.iter().map(|(v, id)| (*id, v.len())).collect::<Vec<_>>()
            );
        }
    }
}
