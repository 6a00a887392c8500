//! The compiled rule set: an aho-corasick keyword prefilter, then each
//! triggered rule's regex, then the filters every candidate passes (context
//! keyword nearby, entropy, validator, placeholder), then overlap resolution.
//!
//! Bytes in, matches with byte spans out; no I/O of any kind. Regexes are
//! compiled lazily, the first time the prefilter asks for a rule, so start-up
//! costs only the keyword automaton.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;

use super::entropy;
use super::placeholder::is_placeholder;
use super::rule::{FileKind, Rule, Scope, is_non_secret_name};
use super::validate;
use crate::finding::Confidence;

/// How far (bytes, either side) a rule's context keyword may be from its match.
pub const CONTEXT_WINDOW: usize = 640;

/// One secret found in a piece of content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// Index into [`Engine::rules`].
    pub rule: usize,
    /// Byte span of the secret itself.
    pub start: usize,
    pub end: usize,
    /// 1-based line and column (in characters) of the secret's start.
    pub line: usize,
    pub column: usize,
    pub confidence: Confidence,
    /// For wallet keys: the address the key controls, when that address
    /// also stands in the content (which proves the key real).
    pub proven_address: Option<[u8; 20]>,
}

/// Built rules plus the prefilter that picks which of them run.
pub struct Engine {
    rules: Vec<Rule>,
    regexes: Vec<OnceLock<(Regex, usize)>>,
    /// Keyword automaton over every rule's keywords (ASCII case-insensitive).
    prefilter: AhoCorasick,
    /// For each keyword pattern, the rules it triggers.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keyword: they run on every piece of content.
    always: Vec<usize>,
    /// For each rule, its keyword pattern ids.
    rule_keywords: Vec<Vec<usize>>,
    /// For each keyword, whether a windowed rule needs all its positions.
    keyword_positions: Vec<bool>,
    /// `[[allow]]` entries that test secrets: the step that turns matches
    /// into findings (`source::detect`) shows them each secret.
    allowlist: Option<std::sync::Arc<crate::allow::Allowlist>>,
    /// `scan --verify`: where the parts of credentials found together are kept.
    collector: Option<std::sync::Arc<crate::verify::leaks::Collector>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(crate::catalog::rules().to_vec())
    }
}

impl Engine {
    pub fn new(rules: Vec<Rule>) -> Engine {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut rule_keywords = vec![Vec::new(); rules.len()];
        for (i, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for kw in rule.keywords {
                let kw = kw.to_ascii_lowercase();
                let p = match keywords.iter().position(|k| *k == kw) {
                    Some(p) => p,
                    None => {
                        keywords.push(kw);
                        keyword_rules.push(Vec::new());
                        keywords.len() - 1
                    }
                };
                keyword_rules[p].push(i);
                rule_keywords[i].push(p);
            }
        }
        let keyword_positions = keyword_rules
            .iter()
            .map(|rs| rs.iter().any(|&r| rules[r].scope != Scope::Whole))
            .collect();
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .expect("built-in keywords form a valid automaton");
        let regexes = rules.iter().map(|_| OnceLock::new()).collect();
        Engine {
            rules,
            regexes,
            prefilter,
            keyword_rules,
            always,
            rule_keywords,
            keyword_positions,
            allowlist: None,
            collector: None,
        }
    }

    /// This engine with an allowlist whose secret regexes see every secret found.
    pub fn allowing(mut self, allowlist: std::sync::Arc<crate::allow::Allowlist>) -> Engine {
        self.allowlist = Some(allowlist);
        self
    }

    /// This engine with a collector that keeps the parts of every exchange
    /// credential found together, for `--verify` (see `verify::leaks`).
    pub fn collecting(
        mut self,
        collector: std::sync::Arc<crate::verify::leaks::Collector>,
    ) -> Engine {
        self.collector = Some(collector);
        self
    }

    /// The collector given with [`Engine::collecting`].
    pub fn collector(&self) -> Option<&crate::verify::leaks::Collector> {
        self.collector.as_deref()
    }

    /// The allowlist given with [`Engine::allowing`].
    pub fn allowlist(&self) -> Option<&crate::allow::Allowlist> {
        self.allowlist.as_deref()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, index: usize) -> &Rule {
        &self.rules[index]
    }

    /// A rule's compiled pattern (on first use) and the index of the group
    /// holding its secret: the group named `secret`, else a pattern's one
    /// unnamed group (custom rules may capture it either way), else 0, the
    /// whole match.
    fn regex(&self, index: usize) -> (&Regex, usize) {
        let (regex, secret) = self.regexes[index].get_or_init(|| {
            let regex = Regex::new(&self.rules[index].pattern).unwrap_or_else(|e| {
                panic!("rule {} has an invalid pattern: {e}", self.rules[index].id)
            });
            let names: Vec<Option<&str>> = regex.capture_names().collect();
            let secret = match names.iter().position(|n| *n == Some("secret")) {
                Some(i) => i,
                None if names.len() == 2 && names[1].is_none() => 1,
                None => 0,
            };
            (regex, secret)
        });
        (regex, *secret)
    }

    /// Which rules the keywords trigger (in rule order), and for each keyword
    /// the positions where it occurs in the content (recorded only for
    /// keywords that windowed rules use). A keyword in the path (an exchange's
    /// name as a folder or file name) triggers the whole-content rules too;
    /// windowed rules need hits in the content.
    fn triggered(&self, path: &str, bytes: &[u8]) -> (Vec<usize>, Vec<Vec<usize>>) {
        let mut on = vec![false; self.rules.len()];
        for &i in &self.always {
            on[i] = true;
        }
        for m in self.prefilter.find_overlapping_iter(path) {
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                if self.rules[r].scope == Scope::Whole {
                    on[r] = true;
                }
            }
        }
        let mut hits: Vec<Vec<usize>> = vec![Vec::new(); self.keyword_rules.len()];
        for m in self.prefilter.find_overlapping_iter(bytes) {
            let p = m.pattern().as_usize();
            if hits[p].is_empty() {
                for &r in &self.keyword_rules[p] {
                    on[r] = true;
                }
            }
            if self.keyword_positions[p] || hits[p].is_empty() {
                hits[p].push(m.start());
            }
        }
        ((0..self.rules.len()).filter(|&i| on[i]).collect(), hits)
    }

    /// The byte ranges a rule's regex runs on.
    fn windows(&self, rule: usize, bytes: &[u8], hits: &[Vec<usize>]) -> Vec<(usize, usize)> {
        let Scope::NearKeyword { before, after } = self.rules[rule].scope else {
            return vec![(0, bytes.len())];
        };
        let mut positions: Vec<usize> = self.rule_keywords[rule]
            .iter()
            .flat_map(|&k| hits[k].iter().copied())
            .collect();
        positions.sort_unstable();
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for at in positions {
            let lo = at.saturating_sub(before);
            let lo = last_line_break(&bytes[lo..at]).map_or(lo, |i| lo + i + 1);
            let hi = (at + after).min(bytes.len());
            let hi = bytes[at..hi]
                .iter()
                .position(|&b| is_line_break(b))
                .map_or(hi, |i| at + i);
            match windows.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => windows.push((lo, hi)),
            }
        }
        windows
    }

    /// Finds every secret in `bytes`. `path` selects rules by file kind and
    /// counts as context (an exchange's name in a folder or file name).
    pub fn scan(&self, path: &str, bytes: &[u8]) -> Vec<Match> {
        let kind = FileKind::of(path);
        let mut candidates: Vec<(Match, usize)> = Vec::new();
        let (triggered, hits) = self.triggered(path, bytes);
        for i in triggered {
            let rule = &self.rules[i];
            if !rule.files.admits(kind) {
                continue;
            }
            for (lo, hi) in self.windows(i, bytes, &hits) {
                let ((regex, secret_group), window) = (self.regex(i), &bytes[lo..hi]);
                let mut from = 0;
                while from <= window.len() {
                    let Some(caps) = regex.captures_at(window, from) else {
                        break;
                    };
                    let Some(whole) = caps.get(0) else { break };
                    let secret = caps.get(secret_group).unwrap_or(whole);
                    // The next search starts where this secret ends, not
                    // where the match ends: the boundary character a pattern
                    // consumes after a secret (`,`, a space, `\r`) may be the
                    // one that starts the next (`KEYS=bg_…,bg_…`).
                    from = secret.end().max(whole.start() + 1);
                    // In code, an unquoted right-hand side is an expression, not a literal.
                    if kind == FileKind::Code
                        && caps.name("name").is_some()
                        && caps.name("open").is_none()
                    {
                        continue;
                    }
                    let (start, end) = (lo + secret.start(), lo + secret.end());
                    let value = secret.as_bytes();
                    if let Some(name) = caps.name("name") {
                        let lower = name.as_bytes().to_ascii_lowercase();
                        if is_non_secret_name(&lower)
                            || rule
                                .not_names
                                .iter()
                                .any(|w| contains(&lower, w.as_bytes()))
                            || rule
                                .rejects
                                .is_some_and(|rejects| rejects(&lower, value, rule.exchange))
                        {
                            continue;
                        }
                    }
                    if rule.min_entropy > 0.0 && entropy::shannon(value) < rule.min_entropy {
                        continue;
                    }
                    if let Some(valid) = rule.validate
                        && !valid(value)
                    {
                        continue;
                    }
                    if is_placeholder(value) {
                        continue;
                    }
                    if allowed_inline(bytes, start) {
                        continue;
                    }
                    // A file named after the exchange (`hyperliquid/config.json`,
                    // `binance.yml`) is context too, farther than anything in the content.
                    let Some(distance) =
                        context_distance(bytes, start, end, rule.context).or_else(|| {
                            path_names_any(path, rule.context).then_some(CONTEXT_WINDOW + 1)
                        })
                    else {
                        continue;
                    };
                    candidates.push((
                        Match {
                            rule: i,
                            start,
                            end,
                            line: 0,
                            column: 0,
                            confidence: Confidence::Medium,
                            proven_address: None,
                        },
                        distance,
                    ));
                }
            }
        }
        let mut matches = self.resolve_overlaps(candidates);
        self.raise_confidence(&mut matches);
        self.prove_wallets(bytes, &mut matches);
        fill_positions(bytes, &mut matches);
        matches
    }

    /// Where spans overlap, the most specific rule wins: an exchange rule over a
    /// generic one, then the rule whose context keyword is nearest, then rule order.
    fn resolve_overlaps(&self, mut candidates: Vec<(Match, usize)>) -> Vec<Match> {
        candidates.sort_by_key(|(m, d)| (self.rules[m.rule].generic, *d, m.rule, m.start));
        let mut kept: Vec<Match> = Vec::new();
        for (m, _) in candidates {
            if kept.iter().any(|k| k.start < m.end && m.start < k.end) {
                continue;
            }
            kept.push(m);
        }
        kept.sort_by_key(|m| (m.start, m.rule));
        kept
    }

    /// A credential whose other parts (same exchange, another part) sit in the
    /// same content is reported with high confidence.
    fn raise_confidence(&self, matches: &mut [Match]) {
        let parts: Vec<(Option<&str>, &str)> = matches
            .iter()
            .map(|m| (self.rules[m.rule].group, self.rules[m.rule].id))
            .collect();
        for (i, m) in matches.iter_mut().enumerate() {
            let (Some(group), id) = parts[i] else {
                continue;
            };
            if parts
                .iter()
                .any(|&(g, other)| g == Some(group) && other != id)
            {
                m.confidence = Confidence::High;
            }
        }
    }

    /// A wallet key whose address (derived from it) stands in the same content
    /// is real, and in a bot config it is the account's own key: high confidence.
    fn prove_wallets(&self, bytes: &[u8], matches: &mut [Match]) {
        for m in matches.iter_mut().filter(|m| self.rules[m.rule].wallet) {
            let Some(address) = validate::evm_address(&bytes[m.start..m.end]) else {
                continue;
            };
            let hex: Vec<u8> = address
                .iter()
                .flat_map(|b| format!("{b:02x}").into_bytes())
                .collect();
            if bytes
                .windows(hex.len())
                .any(|w| w.eq_ignore_ascii_case(&hex))
            {
                m.confidence = Confidence::High;
                m.proven_address = Some(address);
            }
        }
    }
}

/// Distance from the span to the nearest context keyword, or `None` when the
/// rule needs context and none is within [`CONTEXT_WINDOW`]. Rules without
/// context words are at distance 0.
fn context_distance(bytes: &[u8], start: usize, end: usize, context: &[&str]) -> Option<usize> {
    if context.is_empty() {
        return Some(0);
    }
    let lo = start.saturating_sub(CONTEXT_WINDOW);
    let hi = (end + CONTEXT_WINDOW).min(bytes.len());
    let window = &bytes[lo..hi];
    let mut best: Option<usize> = None;
    for word in context {
        let w = word.as_bytes();
        if w.len() > window.len() {
            continue;
        }
        for (off, cand) in window.windows(w.len()).enumerate() {
            if cand.eq_ignore_ascii_case(w) {
                let at = lo + off;
                let d = if at + w.len() <= start {
                    start - (at + w.len())
                } else {
                    at.saturating_sub(end)
                };
                best = Some(best.map_or(d, |b: usize| b.min(d)));
            }
        }
    }
    best
}

/// True when the path (any folder or file name) contains one of `words`.
fn path_names_any(path: &str, words: &[&str]) -> bool {
    let lower = path.to_ascii_lowercase();
    words
        .iter()
        .any(|w| lower.contains(&w.to_ascii_lowercase()))
}

/// Inline markers that waive a finding on their line (keyaudit's own, and
/// detect-secrets' and gitleaks' for repositories that already use them).
const ALLOW_MARKERS: &[&[u8]] = &[
    b"keyaudit:allow",
    b"pragma: allowlist secret",
    b"gitleaks:allow",
];

/// True when the line holding `at` carries an allow marker.
fn allowed_inline(bytes: &[u8], at: usize) -> bool {
    let lo = last_line_break(&bytes[..at]).map_or(0, |i| i + 1);
    let hi = bytes[at..]
        .iter()
        .position(|&b| is_line_break(b))
        .map_or(bytes.len(), |i| at + i);
    let line = &bytes[lo..hi];
    ALLOW_MARKERS.iter().any(|m| contains(line, m))
}

/// Lines end with `\n`, `\r\n` or a lone `\r` (old Mac files, and what
/// editors and SARIF viewers count as a line break too).
fn is_line_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Index of the last line-break byte in `bytes`.
fn last_line_break(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|&b| is_line_break(b))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Fills 1-based line and character column for matches sorted by start;
/// `\n`, `\r\n` and a lone `\r` each end a line.
fn fill_positions(bytes: &[u8], matches: &mut [Match]) {
    let mut line = 1;
    let mut line_start = 0;
    let mut pos = 0;
    for m in matches.iter_mut() {
        for (i, &b) in bytes[pos..m.start].iter().enumerate() {
            let at = pos + i;
            // `\r\n` is one break, counted at its `\n`.
            if b == b'\n' || (b == b'\r' && bytes.get(at + 1) != Some(&b'\n')) {
                line += 1;
                line_start = at + 1;
            }
        }
        pos = m.start;
        m.line = line;
        m.column = String::from_utf8_lossy(&bytes[line_start..m.start])
            .chars()
            .count()
            + 1;
    }
}

#[cfg(test)]
mod tests;
