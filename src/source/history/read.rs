//! The second phase of the history scan: every blob the walk found is read
//! once and scanned at each path it was brought in at, through the one read
//! gate (`source::gate`). The packs hand over their blobs first
//! ([`super::packs`]); what they did not hold (loose objects, alternates, a
//! pack that could not be read) is read here through libgit2, in parallel,
//! once for all its paths, and what cannot be read is recorded as before. Each version is paired
//! with the one before it at its path ([`Recent`]) in whatever order blobs
//! come.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use git2::Oid;
use rayon::prelude::*;

use super::recent::{Offer, Pairing, Ready};
use super::{Item, OidMap, Read, Recent};
use crate::detect::Engine;
use crate::finding::Source;
use crate::source::gate::{self, Content, Delta, Piece, Verdict};
use crate::source::{Limits, Problem, Provenance, detect, objects};

/// One blob the walk found: its items, and whether it was handed over.
struct Wanted {
    items: Vec<u32>,
    taken: AtomicBool,
}

/// The walk's items and where the scan of each stands, shared by readers.
pub(super) struct Reader<'a> {
    items: Vec<Item>,
    /// Blobs in the order the walk first met them.
    order: Vec<Oid>,
    blobs: OidMap<Wanted>,
    recent: Recent,
    engine: &'a Engine,
    limits: &'a Limits,
    out: Mutex<Read>,
}

impl<'a> Reader<'a> {
    pub fn new(items: Vec<Item>, engine: &'a Engine, limits: &'a Limits) -> Reader<'a> {
        let mut blobs: OidMap<Wanted> = OidMap::default();
        let mut order = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let wanted = blobs.entry(item.oid).or_insert_with(|| {
                order.push(item.oid);
                Wanted {
                    items: Vec::new(),
                    taken: AtomicBool::new(false),
                }
            });
            wanted.items.push(n as u32);
        }
        let pairings = items
            .iter()
            .map(|i| Pairing {
                blob: i.oid,
                base: i.base,
            })
            .collect();
        Reader {
            items,
            order,
            blobs,
            recent: Recent::new(pairings),
            engine,
            limits,
            out: Mutex::default(),
        }
    }

    /// How many blobs the walk found.
    pub fn wanted(&self) -> usize {
        self.blobs.len()
    }

    /// Takes `oid` to scan: true once for a blob the walk found, false for
    /// any other object and for a blob already taken.
    pub fn take(&self, oid: Oid) -> bool {
        self.blobs
            .get(&oid)
            .is_some_and(|w| !w.taken.swap(true, Ordering::Relaxed))
    }

    /// Scans a taken blob at each of its paths.
    pub fn scan_blob(&self, oid: Oid, content: Content<'_>) {
        let Some(wanted) = self.blobs.get(&oid) else {
            return;
        };
        let mut acc = Read::default();
        let ready = RefCell::new(Vec::new());
        for &n in &wanted.items {
            let item = &self.items[n as usize];
            if self.limits.exclude.matches(&item.path) {
                acc.stats.skipped_excluded += 1;
                self.recent.pass(n);
                continue;
            }
            let verdict = |text: &[u8]| match self.recent.offer(n, text, &mut ready.borrow_mut()) {
                Offer::Whole => Verdict::Whole,
                Offer::Base(base) => self.compare(item, text, &base),
                Offer::Later => Verdict::Later,
            };
            let piece = Piece {
                path: &item.path,
                content,
                prov: provenance(item),
                counted: item.first,
                delta: Some(Delta {
                    recent: &self.recent,
                    base: item.base,
                    verdict: &verdict,
                }),
            };
            let findings = gate::pass(
                self.engine,
                self.limits,
                piece,
                &mut acc.stats,
                &mut acc.problems,
            );
            // Not offered (no text, too large, known clean): nothing waits for it.
            self.recent.pass(n);
            acc.findings
                .extend(findings.into_iter().map(|f| (item.commit, f)));
        }
        let mut ready = ready.into_inner();
        self.recent.read(oid, &mut ready);
        self.decide(ready, &mut acc);
        self.merge(acc);
    }

    /// Whether `text` must be scanned whole: it adds something over `base`.
    fn compare(&self, item: &Item, text: &[u8], base: &[u8]) -> Verdict {
        if self.engine.may_add(Source::History, &item.path, text, base) {
            Verdict::Whole
        } else {
            Verdict::Nothing
        }
    }

    /// Scans the items whose turn came (counted when they were read).
    fn decide(&self, ready: Vec<Ready>, acc: &mut Read) {
        for Ready {
            item: n,
            text,
            base,
        } in ready
        {
            let item = &self.items[n as usize];
            let verdict = match &base {
                Some(base) => self.compare(item, &text, base),
                None => Verdict::Whole,
            };
            if verdict == Verdict::Whole {
                let findings = detect(self.engine, &item.path, &text, provenance(item));
                if findings.is_empty() {
                    let signature = self.engine.path_signature(&item.path);
                    self.recent.mark_clean(item.oid, signature);
                }
                acc.findings
                    .extend(findings.into_iter().map(|f| (item.commit, f)));
            }
        }
    }

    fn merge(&self, acc: Read) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.findings.extend(acc.findings);
        out.stats.add(&acc.stats);
        out.problems.extend(acc.problems);
    }

    /// Reads through libgit2, in parallel, every blob no pack handed over
    /// (one repository per worker: a `git2::Repository` is not `Sync`).
    pub fn read_rest(&self, git_dir: &Path) {
        let rest: Vec<Oid> = self
            .order
            .iter()
            .copied()
            .filter(|oid| self.take(*oid))
            .collect();
        rest.into_iter().par_bridge().for_each_init(
            || objects::open(git_dir).map_err(|e| e.message().to_string()),
            |repo, oid| {
                let odb = repo
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|r| r.odb().map_err(|e| e.message().to_string()));
                match odb {
                    // Read once for all its paths. What cannot be read, or is
                    // over the size cap, goes to the gate unread: it says why.
                    Ok(odb) => match self.read_once(&odb, oid) {
                        Some(object) => self.scan_blob(
                            oid,
                            Content::Loaded {
                                oid,
                                bytes: object.data(),
                            },
                        ),
                        None => self.scan_blob(oid, Content::Blob { odb: &odb, oid }),
                    },
                    Err(e) => {
                        let mut acc = Read::default();
                        acc.stats.skipped_unreadable += 1;
                        acc.problems.push(Problem {
                            path: ".".into(),
                            reason: format!("cannot open repository: {e}"),
                        });
                        self.merge(acc);
                    }
                }
            },
        );
    }

    /// The blob `oid` read whole, when it is within the size cap and reads.
    fn read_once<'o>(&self, odb: &'o git2::Odb<'_>, oid: Oid) -> Option<git2::OdbObject<'o>> {
        let (size, _) = objects::read_header(odb, oid).ok()?;
        (size <= self.limits.max_file_size)
            .then(|| odb.read(oid).ok())
            .flatten()
    }

    /// What was found, once every blob was read: the versions still waiting
    /// for an earlier one that never came are scanned whole first.
    pub fn finish(self) -> Read {
        let mut acc = Read::default();
        self.decide(self.recent.rest(), &mut acc);
        self.merge(acc);
        self.out.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

fn provenance(item: &Item) -> Provenance<'_> {
    Provenance {
        source: Source::History,
        commit: item.info.as_deref(),
    }
}
