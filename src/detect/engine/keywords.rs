//! The keyword pass: every occurrence of every keyword (ASCII case ignored),
//! overlapping ones included, found in one pass of aho-corasick's DFA.
//!
//! It is the costliest step of detection on real histories (a fifth of the
//! CPU on freqtrade's), and a DFA walk is bound by the latency of its
//! table lookups, each state depending on the one before: 500-550 MB/s on
//! one stream here, however few the keywords. So content of some size is
//! cut into [`STREAMS`] parts walked side by side in one loop, whose lookups
//! overlap in the CPU: on freqtrade's history (970 MiB through this pass)
//! its time went from 2.56 s to 1.0-1.1 s. Each part is entered
//! `warm` bytes early, as far as the longest keyword reaches: an
//! Aho-Corasick state depends on no more of the text than that, so the
//! state where the part starts reporting is the one a single walk would
//! have, and each match is reported by the one part its end lies in.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

/// Parts walked side by side.
const STREAMS: usize = 4;
/// Content shorter than this (or than eight times the longest keyword) is
/// walked as one part.
const SPLIT_ABOVE: usize = 1 << 10;

/// The keyword automaton and each keyword's length.
pub(super) struct Keywords {
    dfa: DFA,
    start: StateID,
    lens: Vec<usize>,
    /// How far before a part its walk begins: the longest keyword.
    warm: usize,
}

impl Keywords {
    /// The automaton of `keywords` (lowercase, distinct).
    pub(super) fn new(keywords: &[String]) -> Keywords {
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            // Start states then are not special: the walks stop on matches only.
            .prefilter(false)
            .build(keywords)
            .expect("built-in keywords form a valid automaton");
        let start = dfa
            .start_state(Anchored::No)
            .expect("an unanchored start state was built");
        let lens: Vec<usize> = keywords.iter().map(String::len).collect();
        Keywords {
            dfa,
            start,
            warm: lens.iter().copied().max().unwrap_or(0),
            lens,
        }
    }

    /// The length in bytes of keyword `p`.
    pub(super) fn len_of(&self, p: usize) -> usize {
        self.lens[p]
    }

    /// Calls `f(pattern, start)` for every occurrence of every keyword in
    /// `hay`, in order of start, the longer first where two start together.
    pub(super) fn each(&self, hay: &[u8], mut f: impl FnMut(usize, usize)) {
        let mut found: Vec<(usize, usize)> = Vec::new();
        if hay.len() < SPLIT_ABOVE.max(8 * self.warm) {
            self.one(hay, 0, hay.len(), &mut found);
        } else {
            self.parts(hay, &mut found);
        }
        found.sort_unstable_by_key(|&(start, p)| (start, std::cmp::Reverse(self.lens[p])));
        for (start, p) in found {
            f(p, start);
        }
    }

    /// One walk over `hay[..end]`, entered [`Keywords::warm`] bytes before
    /// `from`, pushing (start, pattern) for each match that ends after
    /// `from` (aho-corasick's own overlapping search).
    fn one(&self, hay: &[u8], from: usize, end: usize, found: &mut Vec<(usize, usize)>) {
        let at = from.saturating_sub(self.warm);
        let input = aho_corasick::Input::new(hay).span(at..end);
        let mut state = aho_corasick::automaton::OverlappingState::start();
        loop {
            if self.dfa.try_find_overlapping(&input, &mut state).is_err() {
                return;
            }
            let Some(m) = state.get_match() else {
                return;
            };
            if m.end() > from {
                found.push((m.start(), m.pattern().as_usize()));
            }
        }
    }

    /// [`STREAMS`] walks side by side over equal parts of `hay`, then
    /// aho-corasick's own search over what is left at the end.
    fn parts(&self, hay: &[u8], found: &mut Vec<(usize, usize)>) {
        let warm = self.warm;
        let part = (hay.len() - warm) / STREAMS;
        // Walk k reads hay[k * part ..][.. warm + part] and reports matches
        // ending after its first `warm` bytes (walk 0 from the very start).
        let walk = |k: usize| &hay[k * part..k * part + warm + part];
        let (w0, w1, w2, w3) = (walk(0), walk(1), walk(2), walk(3));
        let next = |s: StateID, b: u8| self.dfa.next_state(Anchored::No, s, b);
        let mut s = [self.start; STREAMS];
        for (i, (((&b0, &b1), &b2), &b3)) in w0.iter().zip(w1).zip(w2).zip(w3).enumerate() {
            s[0] = next(s[0], b0);
            s[1] = next(s[1], b1);
            s[2] = next(s[2], b2);
            s[3] = next(s[3], b3);
            if self.dfa.is_special(s[0])
                | self.dfa.is_special(s[1])
                | self.dfa.is_special(s[2])
                | self.dfa.is_special(s[3])
            {
                self.record(&s, i, part, warm, found);
            }
        }
        // The rest: the last part's tail, from where walk 3 stopped.
        let done = (STREAMS - 1) * part + warm + part;
        self.one(hay, done, hay.len(), found);
    }

    /// The matches of the walks' states after byte `i` of each walk.
    #[cold]
    #[inline(never)]
    fn record(
        &self,
        states: &[StateID; STREAMS],
        i: usize,
        part: usize,
        warm: usize,
        found: &mut Vec<(usize, usize)>,
    ) {
        for (k, &s) in states.iter().enumerate() {
            // Walk 0 starts at the content's start: nothing to warm up.
            if !self.dfa.is_match(s) || (k > 0 && i < warm) {
                continue;
            }
            let end = k * part + i + 1;
            for j in 0..self.dfa.match_len(s) {
                let p = self.dfa.match_pattern(s, j).as_usize();
                found.push((end - self.lens[p], p));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every occurrence by brute force: (start, pattern), sorted as `each` gives them.
    fn brute(keywords: &[String], hay: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for start in 0..hay.len() {
            let mut here: Vec<usize> = (0..keywords.len())
                .filter(|&p| {
                    hay[start..]
                        .get(..keywords[p].len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(keywords[p].as_bytes()))
                })
                .collect();
            here.sort_by_key(|&p| std::cmp::Reverse(keywords[p].len()));
            out.extend(here.into_iter().map(|p| (start, p)));
        }
        out
    }

    #[test]
    fn parts_find_what_one_walk_finds_across_every_seam() {
        let keywords: Vec<String> = ["api", "apikey", "key", "secret", "pk", "private_key"]
            .map(String::from)
            .to_vec();
        let words = Keywords::new(&keywords);
        // Keywords (some cut short, some overlapping) packed so densely that
        // wherever the parts are cut, some straddle the cut; at lengths
        // around the split threshold and at each remainder of four.
        let pieces: [&[u8]; 9] = [
            b"PRIVATE_KEY",
            b"apiKey",
            b"SeCrEt",
            b"pk",
            b"privat",
            b"secre",
            b".",
            b"pkey",
            b"ap",
        ];
        let mut text = Vec::new();
        let mut x: u32 = 7;
        while text.len() < 5000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            text.extend_from_slice(pieces[(x >> 16) as usize % pieces.len()]);
        }
        for len in (SPLIT_ABOVE - 8..SPLIT_ABOVE + 400).chain(4000..4008) {
            let hay = &text[..len];
            let mut got = Vec::new();
            words.each(hay, |p, start| got.push((start, p)));
            let want = brute(&keywords, hay);
            assert!(want.len() > len / 20, "{len}: only {} hits", want.len());
            assert_eq!(got, want, "at length {len}");
        }
    }

    #[test]
    fn short_content_is_one_walk_and_finds_the_same() {
        let keywords: Vec<String> = ["token", "to", "ok"].map(String::from).to_vec();
        let words = Keywords::new(&keywords);
        let hay = b"a TOKEN, tok and ok";
        let mut got = Vec::new();
        words.each(hay, |p, start| got.push((start, p)));
        assert_eq!(got, brute(&keywords, hay));
        assert_eq!(got.len(), 6, "{got:?}");
    }
}
