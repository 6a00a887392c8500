//! Pairs each version of a file with the version before it at its path, so
//! that a version is scanned for what it adds ([`crate::detect::Engine::may_add`])
//! instead of whole, in whatever order the blobs are read: packs hold the
//! newest version whole and older ones as deltas, so a version often comes
//! before the one it is compared with. A text waits here for its partner,
//! bounded in bytes; one let go while it still waits is scanned whole then,
//! as is every version whose earlier one never comes or is no text.
//!
//! It also remembers which blobs hold no match at all for a kind of path
//! ([`PathSignature`]): the same blob at another path that reads the same
//! (versioned documentation copies, a file copied to a new folder) is then
//! not scanned again.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use git2::Oid;

use super::OidMap;
use crate::detect::PathSignature;

/// Versions smaller than this are scanned whole: a delta saves little on them.
pub const MIN_SIZE: usize = 8 << 10;
/// The most text kept at once.
const CAPACITY: usize = 96 << 20;

/// An item (a blob at a path) to pair: its blob and the blob before it at
/// its path, indexed as the walk numbered them.
#[derive(Clone, Copy, Debug)]
pub struct Pairing {
    pub blob: Oid,
    pub base: Option<Oid>,
}

/// What to do with an item's text now.
pub enum Offer {
    /// Scan it whole: it has no earlier version, or that one is not text.
    Whole,
    /// Compare it with the earlier version's text, here.
    Base(Arc<[u8]>),
    /// Its earlier version is still to come: kept until then.
    Later,
}

/// An item whose turn came while another was offered: its text, and the
/// earlier version's to compare it with (`None`: scan it whole).
pub struct Ready {
    pub item: u32,
    pub text: Arc<[u8]>,
    pub base: Option<Arc<[u8]>>,
}

/// The pairing state and the clean records, shared by the readers.
pub struct Recent {
    inner: Mutex<Kept>,
    /// For each blob, the kinds of path where it holds no match.
    clean: Mutex<OidMap<Vec<PathSignature>>>,
    items: Vec<Pairing>,
    /// For each blob, the items whose earlier version it is.
    after: OidMap<Vec<u32>>,
    /// The most text kept at once, in bytes.
    capacity: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Its text not offered yet.
    Unread,
    /// Its text kept, waiting for its earlier version.
    Waiting,
    Done,
}

#[derive(Default)]
struct Kept {
    texts: OidMap<Text>,
    order: VecDeque<Oid>,
    bytes: usize,
    /// Blobs whose text was offered or that were read as no text.
    seen: OidMap<()>,
    states: Vec<State>,
}

struct Text {
    text: Arc<[u8]>,
    /// Items of this blob waiting for their earlier version.
    waiting: Vec<u32>,
    /// Items this blob is the earlier version of, not offered yet.
    wanted: usize,
}

impl Text {
    fn idle(&self) -> bool {
        self.waiting.is_empty() && self.wanted == 0
    }
}

impl Kept {
    fn drop_text(&mut self, oid: Oid) -> Option<Text> {
        let text = self.texts.remove(&oid)?;
        self.bytes -= text.text.len();
        Some(text)
    }

    /// Hands `item` (of `blob`, waiting) over to be decided against `base`.
    fn hand_over(&mut self, blob: Oid, item: u32, base: Option<Arc<[u8]>>, ready: &mut Vec<Ready>) {
        self.states[item as usize] = State::Done;
        if let Some(t) = self.texts.get_mut(&blob) {
            t.waiting.retain(|&w| w != item);
            ready.push(Ready {
                item,
                text: t.text.clone(),
                base,
            });
        }
        self.release(blob);
    }

    /// Drops the text of `oid` when nothing needs it any more.
    fn release(&mut self, oid: Oid) {
        if self.texts.get(&oid).is_some_and(Text::idle) {
            self.drop_text(oid);
        }
    }
}

impl Recent {
    /// The pairing of every item, in the walk's numbering.
    pub fn new(items: Vec<Pairing>) -> Recent {
        Recent::with_capacity(items, CAPACITY)
    }

    fn with_capacity(items: Vec<Pairing>, capacity: usize) -> Recent {
        let mut after: OidMap<Vec<u32>> = OidMap::default();
        for (n, item) in items.iter().enumerate() {
            if let Some(base) = item.base {
                after.entry(base).or_default().push(n as u32);
            }
        }
        Recent {
            inner: Mutex::new(Kept {
                states: vec![State::Unread; items.len()],
                ..Kept::default()
            }),
            clean: Mutex::default(),
            items,
            after,
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Offers the text of `item`: says what to do with it, and adds to
    /// `ready` the items that can be decided now (those this text is the
    /// earlier version of, and any let go for room).
    pub fn offer(&self, item: u32, text: &[u8], ready: &mut Vec<Ready>) -> Offer {
        let Some(&Pairing { blob, base }) = self.items.get(item as usize) else {
            return Offer::Whole;
        };
        let mut kept = self.lock();
        let kept = &mut *kept;
        // One shared copy of the text, made only when something keeps it.
        let mut shared: Option<Arc<[u8]>> = kept.texts.get(&blob).map(|t| t.text.clone());
        let mut share = || shared.get_or_insert_with(|| Arc::from(text)).clone();
        // This blob as the earlier version of others, once.
        if kept.seen.insert(blob, ()).is_none() {
            let mut wanted = 0;
            for &next in self.after.get(&blob).into_iter().flatten() {
                match kept.states[next as usize] {
                    State::Unread => wanted += 1,
                    State::Waiting => {
                        let base = share();
                        kept.hand_over(self.items[next as usize].blob, next, Some(base), ready);
                    }
                    State::Done => {}
                }
            }
            if wanted > 0 && text.len() >= MIN_SIZE {
                keep(kept, blob, share()).wanted += wanted;
            }
        }
        kept.states[item as usize] = State::Done;
        let offer = match base {
            None => Offer::Whole,
            Some(b) if text.len() < MIN_SIZE => {
                if let Some(t) = kept.texts.get_mut(&b) {
                    t.wanted = t.wanted.saturating_sub(1);
                }
                kept.release(b);
                Offer::Whole
            }
            Some(b) => match kept.texts.get_mut(&b) {
                Some(t) => {
                    t.wanted = t.wanted.saturating_sub(1);
                    let base = t.text.clone();
                    kept.release(b);
                    Offer::Base(base)
                }
                None if kept.seen.contains_key(&b) => Offer::Whole,
                None => {
                    keep(kept, blob, share()).waiting.push(item);
                    kept.states[item as usize] = State::Waiting;
                    Offer::Later
                }
            },
        };
        // Room: the oldest texts go; what waited in them is scanned whole.
        while kept.bytes > self.capacity {
            let Some(old) = kept.order.pop_front() else {
                break;
            };
            if let Some(t) = kept.drop_text(old) {
                for w in t.waiting {
                    kept.states[w as usize] = State::Done;
                    ready.push(Ready {
                        item: w,
                        text: t.text.clone(),
                        base: None,
                    });
                }
            }
        }
        if kept.order.len() > 2 * kept.texts.len() + 1024 {
            let Kept { texts, order, .. } = kept;
            order.retain(|id| texts.contains_key(id));
        }
        offer
    }

    /// Records that `blob` was read (as text or not): items waiting for it
    /// as their earlier version, which it could not be paired with (it was
    /// no text), are scanned whole.
    pub fn read(&self, blob: Oid, ready: &mut Vec<Ready>) {
        let mut kept = self.lock();
        let kept = &mut *kept;
        if kept.seen.insert(blob, ()).is_some() {
            return;
        }
        for &next in self.after.get(&blob).into_iter().flatten() {
            if kept.states[next as usize] == State::Waiting {
                kept.hand_over(self.items[next as usize].blob, next, None, ready);
            }
        }
    }

    /// Records that `item` will not be offered (its path is excluded, its
    /// blob is no text or too large): its earlier version need not wait for it.
    pub fn pass(&self, item: u32) {
        let Some(&Pairing { base, .. }) = self.items.get(item as usize) else {
            return;
        };
        let mut kept = self.lock();
        if kept.states[item as usize] != State::Unread {
            return;
        }
        kept.states[item as usize] = State::Done;
        if let Some(b) = base
            && let Some(t) = kept.texts.get_mut(&b)
        {
            t.wanted = t.wanted.saturating_sub(1);
            kept.release(b);
        }
    }

    /// Every item still waiting (its earlier version never came): scanned whole.
    pub fn rest(&self) -> Vec<Ready> {
        let mut kept = self.lock();
        let kept = &mut *kept;
        let mut ready = Vec::new();
        for (_, t) in kept.texts.drain() {
            for w in t.waiting {
                ready.push(Ready {
                    item: w,
                    text: t.text.clone(),
                    base: None,
                });
            }
        }
        kept.order.clear();
        kept.bytes = 0;
        ready.sort_by_key(|r| r.item);
        ready
    }

    /// Whether `oid` is known to hold no match at a path with `signature`.
    pub fn is_clean(&self, oid: Oid, signature: &PathSignature) -> bool {
        let clean = self.clean.lock().unwrap_or_else(|e| e.into_inner());
        clean
            .get(&oid)
            .is_some_and(|kinds| kinds.contains(signature))
    }

    /// Records that `oid` holds no match at a path with `signature`.
    pub fn mark_clean(&self, oid: Oid, signature: PathSignature) {
        let mut clean = self.clean.lock().unwrap_or_else(|e| e.into_inner());
        let kinds = clean.entry(oid).or_default();
        if !kinds.contains(&signature) {
            kinds.push(signature);
        }
    }
}

/// The kept text of `blob`, kept now if it was not.
fn keep(kept: &mut Kept, blob: Oid, text: Arc<[u8]>) -> &mut Text {
    if !kept.texts.contains_key(&blob) {
        kept.bytes += text.len();
        kept.order.push_back(blob);
    }
    kept.texts.entry(blob).or_insert_with(|| Text {
        text,
        waiting: Vec::new(),
        wanted: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    fn text(c: u8) -> Vec<u8> {
        vec![c; MIN_SIZE]
    }

    /// Items numbered in order, each (blob, earlier version) by id byte.
    fn pairings(list: &[(u8, Option<u8>)]) -> Vec<Pairing> {
        list.iter()
            .map(|&(blob, base)| Pairing {
                blob: oid(blob),
                base: base.map(oid),
            })
            .collect()
    }

    /// Item 0: blob 1, first at its path; item 1: blob 2, the next version.
    fn two_versions(capacity: usize) -> Recent {
        Recent::with_capacity(pairings(&[(1, None), (2, Some(1))]), capacity)
    }

    fn kept_bytes(recent: &Recent) -> usize {
        recent.lock().bytes
    }

    #[test]
    fn the_earlier_version_read_first_is_kept_for_the_next() {
        let recent = two_versions(CAPACITY);
        let mut ready = Vec::new();
        assert!(matches!(
            recent.offer(0, &text(b'a'), &mut ready),
            Offer::Whole
        ));
        assert_eq!(kept_bytes(&recent), MIN_SIZE, "kept for the next version");
        match recent.offer(1, &text(b'b'), &mut ready) {
            Offer::Base(base) => assert_eq!(&base[..], &text(b'a')[..]),
            _ => panic!("the next version is compared with the first"),
        }
        assert!(ready.is_empty());
        assert_eq!(kept_bytes(&recent), 0, "let go once used");
        assert!(recent.rest().is_empty());
    }

    #[test]
    fn the_later_version_read_first_waits_for_the_earlier() {
        let recent = two_versions(CAPACITY);
        let mut ready = Vec::new();
        assert!(matches!(
            recent.offer(1, &text(b'b'), &mut ready),
            Offer::Later
        ));
        assert!(ready.is_empty());
        assert!(matches!(
            recent.offer(0, &text(b'a'), &mut ready),
            Offer::Whole
        ));
        assert_eq!(ready.len(), 1, "the waiting version is decided now");
        let r = &ready[0];
        assert_eq!(r.item, 1);
        assert_eq!(&r.text[..], &text(b'b')[..]);
        assert_eq!(r.base.as_deref().unwrap(), &text(b'a')[..]);
        assert_eq!(kept_bytes(&recent), 0);
        assert!(recent.rest().is_empty(), "nothing waits twice");
    }

    #[test]
    fn a_version_whose_earlier_one_is_no_text_is_scanned_whole() {
        let recent = two_versions(CAPACITY);
        let mut ready = Vec::new();
        assert!(matches!(
            recent.offer(1, &text(b'b'), &mut ready),
            Offer::Later
        ));
        // Blob 1 read, but binary: never offered.
        recent.pass(0);
        recent.read(oid(1), &mut ready);
        assert_eq!(ready.len(), 1);
        assert!(ready[0].base.is_none(), "whole");
        // The other order: the earlier one read (as no text) first.
        let recent = two_versions(CAPACITY);
        let mut ready = Vec::new();
        recent.pass(0);
        recent.read(oid(1), &mut ready);
        assert!(matches!(
            recent.offer(1, &text(b'b'), &mut ready),
            Offer::Whole
        ));
        assert!(ready.is_empty());
    }

    #[test]
    fn a_version_never_paired_is_scanned_whole_at_the_end() {
        let recent = two_versions(CAPACITY);
        let mut ready = Vec::new();
        assert!(matches!(
            recent.offer(1, &text(b'b'), &mut ready),
            Offer::Later
        ));
        let rest = recent.rest();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].item, 1);
        assert!(rest[0].base.is_none());
        assert_eq!(kept_bytes(&recent), 0);
    }

    #[test]
    fn small_versions_are_scanned_whole_and_never_kept() {
        let recent = two_versions(CAPACITY);
        let mut ready = Vec::new();
        assert!(matches!(
            recent.offer(1, b"small", &mut ready),
            Offer::Whole
        ));
        assert!(matches!(recent.offer(0, b"tiny", &mut ready), Offer::Whole));
        assert!(ready.is_empty());
        assert_eq!(kept_bytes(&recent), 0);
    }

    #[test]
    fn an_earlier_version_is_let_go_when_its_next_is_not_offered() {
        let recent = two_versions(CAPACITY);
        let mut ready = Vec::new();
        recent.offer(0, &text(b'a'), &mut ready);
        assert_eq!(kept_bytes(&recent), MIN_SIZE);
        recent.pass(1);
        assert_eq!(kept_bytes(&recent), 0);
    }

    #[test]
    fn texts_let_go_for_room_are_scanned_whole_oldest_first() {
        // Items 0..4 are versions 1..4 of one file, read newest first: each
        // waits for the one before it; room for two texts.
        let items = pairings(&[(1, None), (2, Some(1)), (3, Some(2)), (4, Some(3))]);
        let recent = Recent::with_capacity(items, 2 * MIN_SIZE);
        let mut ready = Vec::new();
        assert!(matches!(
            recent.offer(3, &text(4), &mut ready),
            Offer::Later
        ));
        assert!(matches!(
            recent.offer(2, &text(3), &mut ready),
            Offer::Later
        ));
        // Version 3 arrived: version 4 was decided against it.
        assert_eq!(ready.len(), 1);
        assert_eq!((ready[0].item, ready[0].base.is_some()), (3, true));
        ready.clear();
        assert!(matches!(
            recent.offer(1, &text(2), &mut ready),
            Offer::Later
        ));
        assert_eq!(ready.len(), 1);
        assert_eq!((ready[0].item, ready[0].base.is_some()), (2, true));
        assert!(kept_bytes(&recent) <= 2 * MIN_SIZE);
        // Now a version that waits with two more: the oldest kept goes first, whole.
        let items = pairings(&[(1, Some(11)), (2, Some(12)), (3, Some(13))]);
        let recent = Recent::with_capacity(items, 2 * MIN_SIZE);
        let mut ready = Vec::new();
        for n in 0..3 {
            assert!(matches!(
                recent.offer(n, &text(n as u8), &mut ready),
                Offer::Later
            ));
        }
        assert_eq!(ready.len(), 1, "one let go for room");
        assert_eq!(ready[0].item, 0, "the oldest");
        assert!(ready[0].base.is_none());
        assert_eq!(kept_bytes(&recent), 2 * MIN_SIZE);
        let rest: Vec<u32> = recent.rest().iter().map(|r| r.item).collect();
        assert_eq!(rest, vec![1, 2]);
    }

    #[test]
    fn a_blob_at_two_paths_is_the_earlier_version_of_both_next_ones() {
        // Blob 1 at two paths (items 0, 1); blob 2 follows it at the first
        // path, blob 3 at the second.
        let items = pairings(&[(1, None), (1, None), (2, Some(1)), (3, Some(1))]);
        let recent = Recent::with_capacity(items, CAPACITY);
        let mut ready = Vec::new();
        assert!(matches!(
            recent.offer(3, &text(3), &mut ready),
            Offer::Later
        ));
        recent.offer(0, &text(1), &mut ready);
        recent.offer(1, &text(1), &mut ready);
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].item, 3);
        assert!(matches!(
            recent.offer(2, &text(2), &mut ready),
            Offer::Base(_)
        ));
        assert_eq!(kept_bytes(&recent), 0);
    }
}
