//! The compiled rule set: an aho-corasick keyword prefilter, then each
//! triggered rule's regex, then the filters every candidate passes (context
//! keyword nearby, entropy, validator, placeholder), then overlap resolution.
//!
//! Bytes in, matches with byte spans out; no I/O of any kind. Regexes are
//! compiled lazily, the first time the prefilter asks for a rule, so start-up
//! costs only the keyword automaton. A rule's regex runs only in the windows
//! its [`Scope`] draws around its keywords' hits, searched as spans of the
//! whole content; a rule that needs a context word runs only when one occurs
//! in the content or the path.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

use keywords::Keywords;
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Input, PatternID, Span};

use super::entropy;
use super::placeholder::is_placeholder;
use super::rule::{FileKind, Rule, Scope, is_non_secret_name};
use super::stats::{RuleRun, RuleStats};
use super::{surroundings, validate};
use crate::finding::{Confidence, Source};

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
    regexes: Vec<OnceLock<Compiled>>,
    /// The keyword prefilter: every keyword and context word, found in one pass.
    keywords: Keywords,
    /// For each pattern, the rules it is a keyword of (it triggers them).
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keyword: they run on every piece of content.
    always: Vec<usize>,
    /// For each rule, its keyword pattern ids.
    rule_keywords: Vec<Vec<usize>>,
    /// For each rule, its context-word pattern ids.
    rule_context: Vec<Vec<usize>>,
    /// For each pattern, whether a windowed rule needs all its positions.
    keyword_positions: Vec<bool>,
    /// How far windows reach from a keyword hit, for [`Engine::may_add`];
    /// `None` when some rule runs over whole contents.
    reach: Option<Reach>,
    /// `[[allow]]` entries that test secrets: the step that turns matches
    /// into findings (`source::detect`) shows them each secret.
    allowlist: Option<std::sync::Arc<crate::allow::Allowlist>>,
    /// `scan --verify`: where the parts of credentials found together are kept.
    collector: Option<std::sync::Arc<crate::verify::leaks::Collector>>,
    /// `--rule-stats`: where each rule's cost is counted.
    stats: Option<std::sync::Arc<RuleStats>>,
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
        let mut rule_context = vec![Vec::new(); rules.len()];
        let mut pattern = |word: &str, keyword_rules: &mut Vec<Vec<usize>>| {
            let word = word.to_ascii_lowercase();
            match keywords.iter().position(|k| *k == word) {
                Some(p) => p,
                None => {
                    keywords.push(word);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                }
            }
        };
        for (i, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for kw in rule.keywords {
                let p = pattern(kw, &mut keyword_rules);
                keyword_rules[p].push(i);
                rule_keywords[i].push(p);
            }
            for word in rule.context {
                let p = pattern(word, &mut keyword_rules);
                rule_context[i].push(p);
            }
        }
        let keyword_positions = keyword_rules
            .iter()
            .map(|rs| rs.iter().any(|&r| rules[r].scope != Scope::Whole))
            .collect();
        let reach = Reach::of(&rules, &keywords);
        let keywords = Keywords::new(&keywords);
        let regexes = rules.iter().map(|_| OnceLock::new()).collect();
        Engine {
            rules,
            regexes,
            keywords,
            keyword_rules,
            always,
            rule_keywords,
            rule_context,
            keyword_positions,
            reach,
            allowlist: None,
            collector: None,
            stats: None,
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

    /// This engine counting what each rule costs (`--rule-stats`).
    pub fn profiling(mut self, stats: std::sync::Arc<RuleStats>) -> Engine {
        self.stats = Some(stats);
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

    /// A rule's compiled pattern (on first use) and its groups: the one
    /// holding its secret (the group named `secret`, else a pattern's one
    /// unnamed group, as custom rules may capture it either way, else 0,
    /// the whole match), its field `name` and its opening quote `open`.
    fn compiled(&self, index: usize) -> &Compiled {
        self.regexes[index].get_or_init(|| {
            let rule = &self.rules[index];
            // As `regex::bytes::Regex` builds it (any byte may match), but
            // with ASCII classes and case folding, as Go's RE2 reads
            // gitleaks-style rules: secrets are ASCII, and Unicode's `(?i)k`
            // (which also matches the Kelvin sign) makes far larger
            // automata. A custom rule that needs Unicode (`\p{L}`) keeps it.
            // `^` and `$` see `\r`, `\n` and `\r\n` as line ends, as the
            // reported line numbers do (and `.` stops at either).
            let build = |unicode: bool| {
                Regex::builder()
                    .syntax(
                        regex_automata::util::syntax::Config::new()
                            .utf8(false)
                            .unicode(unicode)
                            .crlf(true),
                    )
                    // Literal prefilters (reverse-inner literal sets) cost
                    // half of building all rules (25 to 14 ms) and buy nothing in
                    // a window of a few hundred bytes around a keyword; a rule
                    // that reads whole content keeps them.
                    .configure(
                        Regex::config()
                            .utf8_empty(false)
                            .auto_prefilter(rule.scope == Scope::Whole),
                    )
                    .build(&rule.pattern)
                    .map_err(Box::new)
            };
            let regex = build(false)
                .or_else(|_| build(true))
                .unwrap_or_else(|e| panic!("rule {} has an invalid pattern: {e}", rule.id));
            let info = regex.group_info();
            let group = |name| info.to_index(PatternID::ZERO, name);
            let names: Vec<Option<&str>> = info.pattern_names(PatternID::ZERO).collect();
            let secret = match group("secret") {
                Some(i) => i,
                None if names.len() == 2 && names[1].is_none() => 1,
                None => 0,
            };
            Compiled {
                secret,
                name: group("name"),
                open: group("open"),
                regex,
            }
        })
    }

    /// Which rules the keywords trigger (in rule order), and for each
    /// pattern the positions where it occurs in the content (all of them for
    /// patterns that windowed rules use, else the first). A keyword in the
    /// path (an exchange's name as a folder or file name) triggers the
    /// whole-content rules too; windowed rules need hits in the content. A
    /// rule with context words runs only when one of them is in the content
    /// or the path: it could match nothing otherwise.
    fn triggered(
        &self,
        path: &str,
        bytes: &[u8],
        (lo, hi): (usize, usize),
    ) -> (Vec<usize>, Vec<Vec<usize>>) {
        let mut on = vec![false; self.rules.len()];
        for &i in &self.always {
            on[i] = true;
        }
        self.hits(path.as_bytes(), |p, _| {
            for &r in &self.keyword_rules[p] {
                if self.rules[r].scope == Scope::Whole {
                    on[r] = true;
                }
            }
        });
        let mut hits: Vec<Vec<usize>> = vec![Vec::new(); self.keyword_rules.len()];
        self.hits(&bytes[lo..hi], |p, start| {
            if hits[p].is_empty() {
                for &r in &self.keyword_rules[p] {
                    on[r] = true;
                }
            }
            if self.keyword_positions[p] || hits[p].is_empty() {
                hits[p].push(lo + start);
            }
        });
        let triggered = (0..self.rules.len())
            .filter(|&i| {
                on[i]
                    && (self.rule_context[i].is_empty()
                        || self.rule_context[i].iter().any(|&c| !hits[c].is_empty())
                        || path_names_any(path, self.rules[i].context))
            })
            .collect();
        (triggered, hits)
    }

    /// Calls `f(pattern, start)` for every occurrence of every pattern in
    /// `hay`, overlapping ones included, in order of start (the longer
    /// first where two start together).
    fn hits(&self, hay: &[u8], f: impl FnMut(usize, usize)) {
        self.keywords.each(hay, f);
    }

    /// The byte ranges a rule's regex runs on, in order and not overlapping.
    fn windows(
        &self,
        rule: usize,
        bytes: &[u8],
        hits: &[Vec<usize>],
        kind: FileKind,
    ) -> Vec<(usize, usize)> {
        let (before, after, lines) = match self.rules[rule].scope {
            Scope::Whole => return vec![(0, bytes.len())],
            Scope::NearKeyword { before, after } => (before, after, true),
            Scope::Assignment => (ASSIGNMENT_BEFORE, ASSIGNMENT_AFTER, true),
            Scope::Span { before, after } => (before, after, false),
        };
        let assignment = self.rules[rule].scope == Scope::Assignment;
        let mut positions: Vec<(usize, usize)> = self.rule_keywords[rule]
            .iter()
            .flat_map(|&k| hits[k].iter().map(move |&at| (at, self.keywords.len_of(k))))
            .filter(|&(at, _)| !assignment || assigned_at(bytes, at, kind == FileKind::Code))
            .collect();
        positions.sort_unstable();
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for (at, len) in positions {
            let lo = at.saturating_sub(before);
            let (lo, hi) = if lines {
                let lo = last_line_break(&bytes[lo..at]).map_or(lo, |i| lo + i + 1);
                let hi = (at + after).min(bytes.len());
                // Up to the line break and including it: a pattern may end
                // on the character after a value, and `$` does not match
                // before a lone `\r`.
                let hi = bytes[at..hi]
                    .iter()
                    .position(|&b| is_line_break(b))
                    .map_or(hi, |i| at + i + 1);
                // A field whose line ends with its operator: its value
                // may be wrapped onto the next line.
                let hi = if assignment && ends_with_operator(&bytes[at..hi]) {
                    let next = (hi + after).min(bytes.len());
                    bytes[hi..next]
                        .iter()
                        .skip(1)
                        .position(|&b| is_line_break(b))
                        .map_or(next, |i| hi + i + 2)
                } else {
                    hi
                };
                (lo, hi)
            } else {
                (lo, (at + len + after).min(bytes.len()))
            };
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
        self.scan_region(None, path, bytes, (0, bytes.len()))
    }

    /// [`Engine::scan`] for content from `source`: only the matches that
    /// count there (the env check's print rule judges the working tree alone).
    pub fn scan_from(&self, source: Source, path: &str, bytes: &[u8]) -> Vec<Match> {
        let mut matches = self.scan_region(Some(source), path, bytes, (0, bytes.len()));
        matches.retain(|m| self.rules[m.rule].sources.contains(&source));
        matches
    }

    /// Whether `bytes`, a new version of `base` at the same path, may hold a
    /// match `base` did not: false when a scan of the bytes around what
    /// changed finds nothing. Every match that touches the change (or lies
    /// close enough that the change could alter its line or its context
    /// word) starts from a keyword in that region; every other match is in
    /// `base` too, unchanged, and was found there. Costs the changed bytes
    /// plus a margin, not the content. True (scan it all) when a rule could
    /// match anywhere (a custom rule without windows).
    pub fn may_add(&self, source: Source, path: &str, bytes: &[u8], base: &[u8]) -> bool {
        let Some(reach) = &self.reach else {
            return true;
        };
        // The lines around each change, up to a context window away...
        let margin = CONTEXT_WINDOW + 64;
        let mut near: Vec<(usize, usize)> = Vec::new();
        let changes = changed(base, bytes);
        // A removed public-key name may un-hide a value anywhere in the
        // content (see `surroundings::has_public_twin`): scan it all.
        if changes
            .iter()
            .any(|c| surroundings::names_public(&base[c.old.0..c.old.1]))
        {
            return true;
        }
        for &Change {
            new: (start, end), ..
        } in &changes
        {
            let lo = start.saturating_sub(margin);
            let lo = memchr::memrchr2(b'\n', b'\r', &bytes[..lo]).map_or(0, |i| i + 1);
            let hi = (end + margin).min(bytes.len());
            let hi =
                memchr::memchr2(b'\n', b'\r', &bytes[hi..]).map_or(bytes.len(), |i| hi + i + 1);
            match near.last_mut() {
                Some(last) if lo <= last.1 + reach.after + reach.before => last.1 = last.1.max(hi),
                _ => near.push((lo, hi)),
            }
        }
        // ...and every keyword whose window could reach into them.
        let regions: Vec<(usize, usize)> = near
            .iter()
            .map(|&(lo, hi)| {
                (
                    lo.saturating_sub(reach.after),
                    (hi + reach.before).min(bytes.len()),
                )
            })
            .collect();
        // A rare keyword of a wide-windowed rule (a PEM block's) whose
        // window reaches a change: scan it all.
        let mut far: Vec<(usize, usize)> = Vec::new();
        for &(lo, hi) in &near {
            let (lo, hi) = (
                lo.saturating_sub(reach.far_after),
                (hi + reach.far_before).min(bytes.len()),
            );
            match far.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => far.push((lo, hi)),
            }
        }
        let size: usize = regions.iter().map(|(lo, hi)| hi - lo).sum();
        size > bytes.len() / 2
            || reach.far.as_ref().is_some_and(|keywords| {
                far.iter()
                    .any(|&(lo, hi)| keywords.is_match(&bytes[lo..hi]))
            })
            || near.iter().zip(&regions).any(|(&(lo, hi), &region)| {
                self.scan_region(Some(source), path, bytes, region)
                    .iter()
                    .any(|m| m.end > lo && m.start < hi)
            })
    }

    /// What a scan's matches depend on in a path: whether it is code, and
    /// which keywords and context words it names. Two paths with the same
    /// signature give the same matches for the same content.
    pub fn path_signature(&self, path: &str) -> PathSignature {
        let mut words: Vec<u32> = Vec::new();
        self.hits(path.as_bytes(), |p, _| words.push(p as u32));
        words.sort_unstable();
        words.dedup();
        PathSignature {
            code: FileKind::of(path) == FileKind::Code,
            words,
        }
    }

    /// [`Engine::scan`] with keywords looked for in `region` only, and with
    /// the rules that count in `source` when one is given.
    fn scan_region(
        &self,
        source: Option<Source>,
        path: &str,
        bytes: &[u8],
        region: (usize, usize),
    ) -> Vec<Match> {
        let kind = FileKind::of(path);
        let mut candidates: Vec<(Match, usize)> = Vec::new();
        // Where allow markers stand, looked for once a candidate needs it.
        let markers = std::cell::OnceCell::new();
        let clock = self.stats.as_ref().map(|_| std::time::Instant::now());
        let (triggered, hits) = self.triggered(path, bytes, region);
        if let (Some(stats), Some(clock)) = (&self.stats, clock) {
            stats.prefilter(region.1 - region.0, clock.elapsed());
        }
        for i in triggered {
            let rule = &self.rules[i];
            // A rule whose matches do not count in this source still claims
            // its spans (a traced `.env` value in the gitignored `.env` keeps
            // the built-in rules off it, then is dropped); one that only
            // names a variable (the print rule) has nothing to claim.
            let elsewhere = source.is_some_and(|s| !rule.sources.contains(&s));
            if !rule.files.admits(kind) || (elsewhere && !rule.is_secret) {
                continue;
            }
            let clock = self.stats.as_ref().map(|_| std::time::Instant::now());
            let mut run = RuleRun::default();
            let compiled = self.compiled(i);
            let mut caps = compiled.regex.create_captures();
            for (lo, hi) in self.windows(i, bytes, &hits, kind) {
                run.windows += 1;
                run.bytes += (hi - lo) as u64;
                let mut from = lo;
                while from <= hi {
                    let input = Input::new(bytes).span(from..hi);
                    compiled.regex.search_captures(&input, &mut caps);
                    let Some(whole) = caps.get_match().map(|m| m.span()) else {
                        break;
                    };
                    let secret = caps.get_group(compiled.secret).unwrap_or(whole);
                    // The next search starts where this secret ends, not
                    // where the match ends: the boundary character a pattern
                    // consumes after a secret (`,`, a space, `\r`) may be the
                    // one that starts the next (`KEYS=bg_…,bg_…`).
                    from = secret.end.max(whole.start + 1);
                    // In code, an unquoted right-hand side is an expression, not a literal.
                    let name = group(&caps, compiled.name);
                    let open = group(&caps, compiled.open);
                    if kind == FileKind::Code && name.is_some() && open.is_none() {
                        continue;
                    }
                    let (start, end) = (secret.start, secret.end);
                    let value = &bytes[start..end];
                    if let Some(name) = name {
                        // `$pass` is a variable's value, not a field being
                        // set: in shell (`test "$mode,$pass" = "lib,link"`)
                        // and config; only code (PHP's `$password = "…"`)
                        // assigns to a `$` name, and never through a quote.
                        if name.start > 0
                            && bytes[name.start - 1] == b'$'
                            && (kind != FileKind::Code
                                || bytes
                                    .get(name.end)
                                    .is_some_and(|b| matches!(b, b'"' | b'\'' | b'`' | b'\\')))
                        {
                            continue;
                        }
                        // A value on the line after its operator counts
                        // only quoted, or as an XML element's text:
                        // unquoted, it is a YAML block's key.
                        if open.is_none()
                            && bytes.get(name.end) != Some(&b'>')
                            && bytes[name.end..start].iter().any(|&b| is_line_break(b))
                        {
                            continue;
                        }
                        // Blanks alone between name and value: only a
                        // Dockerfile's legacy `ENV NAME value` sets a field so.
                        if bytes[name.end..start]
                            .iter()
                            .all(|b| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`' | b'\\'))
                            && !env_instruction(bytes, name.start)
                        {
                            from = name.end.max(whole.start + 1);
                            continue;
                        }
                        let lower = bytes[name.start..name.end].to_ascii_lowercase();
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
                    // A file named after the exchange (`hyperliquid/config.json`,
                    // `binance.yml`) is context too, farther than anything in the content.
                    let Some(distance) =
                        context_distance(bytes, start, end, rule.context).or_else(|| {
                            path_names_any(path, rule.context).then_some(CONTEXT_WINDOW + 1)
                        })
                    else {
                        continue;
                    };
                    if allowed_inline(bytes, start, markers.get_or_init(|| allow_markers(bytes))) {
                        continue;
                    }
                    // Last, as the dearest check (a public twin is looked for
                    // in the whole content): a field's value that what stands
                    // around it says is no credential (a prefixed token says
                    // what it is itself; a wallet key is judged by its derivation).
                    if !rule.wallet
                        && rule.scope == Scope::Assignment
                        && (surroundings::is_partner_code(bytes, start, end)
                            || name.is_some_and(|name| {
                                surroundings::in_public_key_object(bytes, (name.start, name.end))
                            })
                            || surroundings::has_public_twin(bytes, start, end))
                    {
                        continue;
                    }
                    run.candidates += 1;
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
            if let (Some(stats), Some(clock)) = (&self.stats, clock) {
                run.elapsed = clock.elapsed();
                stats.rule(i, &run);
            }
        }
        let mut matches = self.resolve_overlaps(candidates);
        if let Some(stats) = &self.stats {
            matches.iter().for_each(|m| stats.matched(m.rule));
        }
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

/// See [`Engine::path_signature`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PathSignature {
    code: bool,
    words: Vec<u32>,
}

/// How far rules' windows reach from a keyword hit: the most bytes before
/// it and after it (plus the longest keyword) over the rules whose windows
/// are at most [`Reach::NEAR`] bytes wide; the keywords of the wider ones
/// (PEM blocks, long encrypted values: rare words, which their matches hold
/// as the rule spells them, or in lower or upper case) in `far`, looked for
/// around the changes.
struct Reach {
    before: usize,
    after: usize,
    far: Option<AhoCorasick>,
    /// The same as `before` and `after` for the wider rules.
    far_before: usize,
    far_after: usize,
}

impl Reach {
    /// The widest window a rule may have and still count as near.
    const NEAR: usize = 4096;
    /// The widest window any rule may have (wider: every version is scanned whole).
    const FAR: usize = 20 << 10;

    /// `None` when some rule has no keyword, runs over whole contents, or
    /// has windows wider than [`Reach::FAR`].
    fn of(rules: &[Rule], keywords: &[String]) -> Option<Reach> {
        let longest = keywords.iter().map(String::len).max().unwrap_or(0);
        let (mut before, mut after) = (0, 0);
        let (mut far_before, mut far_after) = (0, 0);
        let mut far: Vec<String> = Vec::new();
        for rule in rules {
            let (b, a) = match rule.scope {
                _ if rule.keywords.is_empty() => return None,
                Scope::Whole => return None,
                Scope::NearKeyword { before, after } | Scope::Span { before, after } => {
                    (before, after)
                }
                Scope::Assignment => (ASSIGNMENT_BEFORE, ASSIGNMENT_AFTER),
            };
            if b + a > Reach::FAR - 1024 {
                return None;
            }
            if b + a > Reach::NEAR {
                far.extend(rule.keywords.iter().flat_map(|k| {
                    [
                        k.to_string(),
                        k.to_ascii_lowercase(),
                        k.to_ascii_uppercase(),
                    ]
                }));
                far_before = far_before.max(b + longest);
                far_after = far_after.max(a + longest);
            } else {
                before = before.max(b + longest);
                after = after.max(a + longest);
            }
        }
        // Matched case-sensitively, as the rule spells the keyword and in
        // lower and upper case (`PRIVATE KEY-----`, a lowercase hex prefix,
        // a base64 prefix such as a JWT's `eyJ` as written), leftmost-first:
        // that lets aho-corasick put its SIMD prefilter in front, many times
        // faster on these rare words than the automaton alone (4.4 GB/s
        // against 0.5 on the freqtrade tree; only whether there is a match
        // counts).
        far.sort();
        far.dedup();
        let far = (!far.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(&far)
                .expect("built-in keywords form a valid automaton")
        });
        Some(Reach {
            before,
            after,
            far,
            far_before,
            far_after,
        })
    }
}

/// A rule's pattern, compiled, and the indices of its groups.
struct Compiled {
    regex: Regex,
    secret: usize,
    name: Option<usize>,
    open: Option<usize>,
}

/// The span of group `index` in the last search, when it took part.
fn group(caps: &Captures, index: Option<usize>) -> Option<Span> {
    caps.get_group(index?)
}

/// [`Scope::Assignment`]'s window around a hit: the field name before it
/// (up to 40 characters and a keyword), the rest of the line after it.
const ASSIGNMENT_BEFORE: usize = 64;
const ASSIGNMENT_AFTER: usize = 512;

/// True when the keyword hit at `at` stands in a field name followed by an
/// assignment in one of the syntaxes of the catalog's `assign` (the rest of
/// the name, an optional closing quote escaped up to three times, up to 8
/// spaces or tabs, then an operator: `=`, `:`, `=>`, `:=`, `::=`, `?=`,
/// `+=`, `.=`, `||`, `??`, a type and `=`, after a quote a `,` or
/// `value=`, or an XML element's `>`); in code the value must open with a
/// quote, since an unquoted right-hand side there is an expression. A
/// superset of where an `assign` pattern can match, so windows drawn only
/// around these hits find all it finds.
fn assigned_at(bytes: &[u8], at: usize, code: bool) -> bool {
    let is_id = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let end = (at + 128).min(bytes.len());
    let name_end = at + bytes[at..end].iter().take_while(|&&b| is_id(b)).count();
    let closed = after_quote(bytes, name_end);
    let i = after_blanks(bytes, closed.unwrap_or(name_end));
    let rest = |j: usize| bytes.get(j..).unwrap_or_default();
    let mut values: Vec<usize> = Vec::with_capacity(2);
    match rest(i) {
        [b'=' | b'|' | b'?', b'>' | b'|' | b'?', ..] | [b'?' | b'.' | b'+', b'=', ..] => {
            values.push(i + 2)
        }
        [b':', ..] => {
            let colons = rest(i).iter().take(3).take_while(|&&b| b == b':').count();
            if rest(i + colons).first() == Some(&b'=') {
                values.push(i + colons + 1);
            } else {
                values.push(i + 1);
            }
        }
        [b'=' | b'>', ..] => values.push(i + 1),
        [b',', ..] if closed.is_some() => values.push(i + 1),
        r if closed.is_some() && r.len() >= 5 && r[..5].eq_ignore_ascii_case(b"value") => {
            let k = after_blanks(bytes, i + 5);
            if rest(k).first() == Some(&b'=') {
                values.push(k + 1);
            }
        }
        _ => {}
    }
    // A typed declaration: `name string =`, `name: str =`, `NAME: &'static str =`.
    if closed.is_none() {
        let mut k = after_blanks(bytes, name_end);
        if rest(k).first() == Some(&b':') {
            k = after_blanks(bytes, k + 1);
        }
        if k > name_end {
            k += rest(k).iter().take(1).take_while(|&&b| b == b'&').count();
            if rest(k).starts_with(b"'static") {
                k = after_blanks(bytes, k + 7);
            }
            let ty = rest(k)
                .iter()
                .take(25)
                .take_while(|&&b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'<' | b'>' | b'[' | b']')
                })
                .count();
            let k = after_blanks(bytes, k + ty);
            if ty > 0 && rest(k).first() == Some(&b'=') {
                values.push(k + 1);
            }
        }
    }
    // A Dockerfile's legacy `ENV NAME value`.
    // (A name is at most 40 characters before its keyword: a longer run of
    // name characters, a base64 blob, is looked back over no farther.)
    if values.is_empty() && closed.is_none() && after_blanks(bytes, name_end) > name_end {
        let lo = at.saturating_sub(48);
        let name_start = match bytes[lo..at].iter().rposition(|&b| !is_id(b)) {
            Some(i) => Some(lo + i + 1),
            None => (lo == 0).then_some(0),
        };
        if name_start.is_some_and(|start| env_instruction(bytes, start)) {
            values.push(name_end);
        }
    }
    values
        .iter()
        .any(|&v| !code || after_quote(bytes, after_wrap(bytes, after_blanks(bytes, v))).is_some())
}

/// Past a line break and up to 24 spaces or tabs at `i`, when the line ends
/// there: where a value wrapped onto the next line starts.
fn after_wrap(bytes: &[u8], i: usize) -> usize {
    let rest = bytes.get(i..).unwrap_or_default();
    let breaks = match rest {
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => return i,
    };
    i + breaks
        + rest[breaks..]
            .iter()
            .take(24)
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()
}

/// True when the field name at `name_start` follows a Dockerfile `ENV`
/// instruction at the start of its line (`ENV NAME value`, any case, as
/// Docker reads instructions).
fn env_instruction(bytes: &[u8], name_start: usize) -> bool {
    // Looks back a few bytes only: a hit in a long line (minified code)
    // must not cost a walk to its start.
    let lo = name_start.saturating_sub(16);
    let line = match last_line_break(&bytes[lo..name_start]) {
        Some(i) => lo + i + 1,
        None if lo == 0 => 0,
        None => return false,
    };
    let head = &bytes[line..name_start];
    let head = &head[head
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()..];
    head.len() > 3
        && head[..3].eq_ignore_ascii_case(b"env")
        && head[3..].iter().all(|&b| b == b' ' || b == b'\t')
}

/// True when `line` (up to and including its line break) ends with an
/// assignment's operator: `=`, `:` or `=>`, then blanks.
fn ends_with_operator(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii_end();
    trimmed.len() < line.len() && matches!(trimmed.last(), Some(b'=' | b':' | b'>'))
}

/// Past up to 8 spaces or tabs from `i`.
fn after_blanks(bytes: &[u8], i: usize) -> usize {
    i + bytes
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take(8)
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// Past a quote (`"`, `'` or a backtick, after up to 3 backslashes) at `i`.
fn after_quote(bytes: &[u8], i: usize) -> Option<usize> {
    let rest = bytes.get(i..)?;
    let slashes = rest.iter().take(3).take_while(|&&b| b == b'\\').count();
    matches!(rest.get(slashes), Some(b'"' | b'\'' | b'`')).then_some(i + slashes + 1)
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

/// Changed spans longer than this (between the first and the last change)
/// are narrowed down with a line diff.
const DIFF_ABOVE: usize = 64 << 10;

/// One change between two versions: the byte span of the new version that
/// the old one does not have at the same place, and the span of the old
/// version it replaced (either may be empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub new: (usize, usize),
    pub old: (usize, usize),
}

/// The changes from `base` to `text`: the lines a line diff (Myers over
/// line hashes, given [`DIFF_DEADLINE`]) says were inserted, replaced or
/// deleted; where lines were only deleted, the new span is empty at the seam.
/// Everything outside the new spans stands in `base` too, with the same neighbours.
pub fn changed(base: &[u8], text: &[u8]) -> Vec<Change> {
    changed_within(base, text, DIFF_DEADLINE)
}

/// How long the line diff may take: past it Myers gives up on finer seams
/// and reports what is left as changed (scanned, never skipped). On
/// passivbot's history (2,000 diffs of 0.9 MB files) 2 ms cost 15 % of the
/// CPU; 0.5 ms took 4-6 % less CPU on passivbot, freqtrade and jesse, for
/// 3 % more bytes scanned.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_micros(500);

/// [`changed`], the line diff given `deadline`.
fn changed_within(base: &[u8], text: &[u8], deadline: std::time::Duration) -> Vec<Change> {
    // Trim what the two share at both ends to whole lines, then diff the rest.
    let line_start = |at: usize| memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let prefix = line_start(common_prefix(base, text));
    let room = base.len().min(text.len()) - prefix;
    let mut suffix = 0;
    while suffix + 64 <= room
        && base[base.len() - suffix - 64..base.len() - suffix]
            == text[text.len() - suffix - 64..text.len() - suffix]
    {
        suffix += 64;
    }
    while suffix < room && base[base.len() - suffix - 1] == text[text.len() - suffix - 1] {
        suffix += 1;
    }
    // The shared suffix, cut to start on a line.
    let mut end = text.len() - suffix;
    if end > prefix && text[end - 1] != b'\n' {
        end += memchr::memchr(b'\n', &text[end..]).map_or(text.len() - end, |i| i + 1);
    }
    let old_end = base.len() - (text.len() - end);
    // One short span (most edits): diffing lines would cost more than it saves.
    if end <= prefix || old_end <= prefix || end - prefix <= DIFF_ABOVE {
        return vec![Change {
            new: (prefix, end.max(prefix)),
            old: (prefix, old_end.max(prefix)),
        }];
    }
    let (old, old_starts) = lines(&base[prefix..old_end], prefix);
    let (new, starts) = lines(&text[prefix..end], prefix);
    let deadline = std::time::Instant::now() + deadline;
    let ops = similar::capture_diff_slices_deadline(
        similar::Algorithm::Myers,
        &old,
        &new,
        Some(deadline),
    );
    ops.iter()
        .filter(|op| !matches!(op, similar::DiffOp::Equal { .. }))
        .map(|op| {
            let (_, old, new) = op.as_tag_tuple();
            Change {
                new: (starts[new.start], starts[new.end]),
                old: (old_starts[old.start], old_starts[old.end]),
            }
        })
        .collect()
}

/// The lines of `bytes` (each with its `\n`) as hashes, and where each
/// starts, counted from `from`, with the end as a last start. The hash is
/// seeded per process, so a file cannot be written to make lines collide.
fn lines(bytes: &[u8], from: usize) -> (Vec<u64>, Vec<usize>) {
    static SEED: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
        use std::hash::BuildHasher;
        std::hash::RandomState::new().hash_one(0u8)
    });
    let (mut lines, mut starts) = (Vec::new(), vec![from]);
    let mut at = 0;
    for end in memchr::memchr_iter(b'\n', bytes)
        .map(|i| i + 1)
        .chain((bytes.last() != Some(&b'\n') && !bytes.is_empty()).then_some(bytes.len()))
    {
        lines.push(line_hash(*SEED, &bytes[at..end]));
        at = end;
        starts.push(from + at);
    }
    (lines, starts)
}

/// A line's hash: eight bytes at a time, multiplied and folded, from a seed.
fn line_hash(seed: u64, line: &[u8]) -> u64 {
    let mut h = seed ^ (line.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut words = line.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        h = (h ^ w).wrapping_mul(0x5851_f42d_4c95_7f2d).rotate_left(31);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(0x5851_f42d_4c95_7f2d);
    h ^ (h >> 29)
}

/// How many leading bytes `a` and `b` share (compared 64 at a time first).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Where every allow marker starts in `bytes` (nearly always nowhere).
fn allow_markers(bytes: &[u8]) -> Vec<usize> {
    ALLOW_MARKERS
        .iter()
        .flat_map(|m| memchr::memmem::find_iter(bytes, m))
        .collect()
}

/// True when the line holding `at` carries one of the allow `markers`
/// (their positions): no line break between the two. Costs nothing on
/// content without markers, however long its lines.
fn allowed_inline(bytes: &[u8], at: usize, markers: &[usize]) -> bool {
    markers.iter().any(|&m| {
        let (lo, hi) = (m.min(at), m.max(at));
        memchr::memchr2(b'\n', b'\r', &bytes[lo..hi]).is_none()
    })
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
        for at in memchr::memchr2_iter(b'\n', b'\r', &bytes[pos..m.start]).map(|i| pos + i) {
            // `\r\n` is one break, counted at its `\n`.
            if bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n') {
                line += 1;
                line_start = at + 1;
            }
        }
        pos = m.start;
        m.line = line;
        let before = &bytes[line_start..m.start];
        m.column = match std::str::from_utf8(before) {
            Ok(text) => text.chars().count(),
            Err(_) => String::from_utf8_lossy(before).chars().count(),
        } + 1;
    }
}

mod keywords;
#[cfg(test)]
mod tests;
