//! The working tree as a source: every file of the run's one walk
//! ([`super::walk`]) through the gate, in parallel. Tracked and
//! untracked-but-not-ignored files are source `tree` (a leak: `git add .`
//! would commit them); gitignored files are source `ignored` (where keys
//! belong). Outside a git repository everything is `tree`.

use rayon::prelude::*;

use super::gate::{self, Content, Piece};
use super::walk::{self, Entry};
use super::{Limits, Outcome, Provenance};
use crate::detect::Engine;

/// Reads and scans every file of the walk in parallel; the walk's own
/// counts and problems follow the reading's.
pub fn scan(tree: &walk::Tree, engine: &Engine, limits: &Limits) -> Outcome {
    let mut outcome = tree
        .entries
        .par_iter()
        .filter(|entry| entry.in_scope)
        .fold(Outcome::default, |mut acc, entry| {
            scan_file(entry, engine, limits, &mut acc);
            acc
        })
        .reduce(Outcome::default, |mut a, b| {
            a.merge(b);
            a
        });
    outcome.stats.add(&tree.stats);
    outcome.problems.extend(tree.problems.iter().cloned());
    outcome
}

fn scan_file(entry: &Entry, engine: &Engine, limits: &Limits, acc: &mut Outcome) {
    let piece = Piece {
        path: &entry.rel,
        content: Content::File(&entry.abs),
        prov: Provenance {
            source: entry.source(),
            commit: None,
        },
        counted: true,
        delta: None,
    };
    let findings = gate::pass(engine, limits, piece, &mut acc.stats, &mut acc.problems);
    acc.findings.extend(findings);
}
