//! Recently read blobs, kept so that the next version of a file can be
//! scanned for what it adds ([`crate::detect::Engine::may_add`]) instead of
//! whole. History is walked oldest first, so the version before a blob at a
//! path was nearly always read moments ago; a blob no longer here is simply
//! scanned whole. A text is let go once the version after it has been read;
//! bounded in bytes, the oldest go first.
//!
//! It also remembers which blobs hold no match at all for a kind of path
//! ([`PathSignature`]): the same blob at another path that reads the same
//! (versioned documentation copies, a file copied to a new folder) is then
//! neither read nor scanned again.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use git2::Oid;

use super::OidMap;
use crate::detect::PathSignature;

/// Blobs smaller than this are scanned whole: a delta saves little on them.
const MIN_SIZE: usize = 8 << 10;
/// The most text kept at once.
const CAPACITY: usize = 64 << 20;

/// Recently read blobs' text, shared by the readers.
#[derive(Default)]
pub struct Recent {
    inner: Mutex<Kept>,
    /// For each blob, the kinds of path where it holds no match.
    clean: Mutex<OidMap<Vec<PathSignature>>>,
}

#[derive(Default)]
struct Kept {
    texts: OidMap<Arc<[u8]>>,
    order: VecDeque<Oid>,
    bytes: usize,
}

impl Recent {
    /// The text of `oid`, if it was read recently (kept: tests look without taking).
    #[cfg(test)]
    pub fn get(&self, oid: Oid) -> Option<Arc<[u8]>> {
        let kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        kept.texts.get(&oid).cloned()
    }

    /// The text of `oid`, if it was read recently, no longer kept: the walk
    /// names each blob the base of the next version at its path only, so
    /// once that version is read the room goes to texts still to be used.
    /// (A blob at several paths is a base at each: a second use finds it
    /// gone and its version is scanned whole.)
    pub fn take(&self, oid: Oid) -> Option<Arc<[u8]>> {
        let mut kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let text = kept.texts.remove(&oid)?;
        kept.bytes -= text.len();
        Some(text)
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

    /// Keeps the text of `oid` (when it is large enough to be worth it),
    /// dropping the oldest texts beyond the capacity.
    pub fn put(&self, oid: Oid, text: &[u8]) {
        if text.len() < MIN_SIZE || text.len() > CAPACITY / 4 {
            return;
        }
        let text: Arc<[u8]> = Arc::from(text);
        let mut kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if kept.texts.insert(oid, text.clone()).is_some() {
            return;
        }
        kept.order.push_back(oid);
        kept.bytes += text.len();
        while kept.bytes > CAPACITY {
            let Some(old) = kept.order.pop_front() else {
                break;
            };
            if let Some(t) = kept.texts.remove(&old) {
                kept.bytes -= t.len();
            }
        }
        // Texts taken leave their ids in `order`: dropped now and then, so
        // that it stays about as long as what is kept.
        if kept.order.len() > 2 * kept.texts.len() + 1024 {
            let Kept { texts, order, .. } = &mut *kept;
            order.retain(|id| texts.contains_key(id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_large_texts_and_drops_the_oldest_beyond_capacity() {
        let recent = Recent::default();
        let oid = |n: u8| Oid::from_bytes(&[n; 20]).unwrap();
        recent.put(oid(1), b"small");
        assert!(recent.get(oid(1)).is_none());
        let big = vec![b'a'; CAPACITY / 4];
        for n in 2..=6 {
            recent.put(oid(n), &big);
        }
        // Four fit: the first of the five went.
        assert!(recent.get(oid(2)).is_none());
        assert_eq!(recent.get(oid(6)).unwrap().len(), big.len());
        assert!(recent.get(oid(3)).is_some());
    }

    #[test]
    fn a_text_taken_leaves_its_room_to_the_others() {
        let recent = Recent::default();
        let oid = |n: u8| Oid::from_bytes(&[n; 20]).unwrap();
        let big = vec![b'a'; CAPACITY / 4];
        for n in 1..=4 {
            recent.put(oid(n), &big);
        }
        assert_eq!(recent.take(oid(2)).unwrap().len(), big.len());
        assert!(recent.take(oid(2)).is_none());
        // The fifth fits in the room the second left: none of the others goes.
        recent.put(oid(5), &big);
        for n in [1, 3, 4, 5] {
            assert!(recent.get(oid(n)).is_some(), "text {n} was dropped");
        }
    }

    #[test]
    fn the_order_of_texts_taken_does_not_grow_without_bound() {
        let recent = Recent::default();
        let text = vec![b'a'; MIN_SIZE];
        for n in 0..5_000u32 {
            let mut id = [0u8; 20];
            id[..4].copy_from_slice(&n.to_le_bytes());
            let id = Oid::from_bytes(&id).unwrap();
            recent.put(id, &text);
            assert!(recent.take(id).is_some());
        }
        let kept = recent.inner.lock().unwrap();
        assert!(kept.texts.is_empty() && kept.bytes == 0);
        assert!(kept.order.len() <= 1025, "{} ids kept", kept.order.len());
    }
}
