//! The second phase of the history scan: the (blob, path) items the walk
//! sends are read and scanned in parallel through the one read gate
//! (`source::gate`).

use std::path::Path;
use std::sync::mpsc::Receiver;

use rayon::prelude::*;

use super::{Item, Read, Recent};
use crate::detect::Engine;
use crate::finding::Source;
use crate::source::gate::{self, Content, Delta, Piece};
use crate::source::{Limits, Problem, Provenance, objects};

/// Reads and scans the items as they arrive, in parallel: one repository
/// per worker (a `git2::Repository` is not `Sync`) and one blob in memory
/// per worker at a time.
pub(super) fn read_items(
    git_dir: &Path,
    items: Receiver<Vec<Item>>,
    engine: &Engine,
    limits: &Limits,
) -> Read {
    let recent = Recent::default();
    let recent = &recent;
    items
        .into_iter()
        .flatten()
        .par_bridge()
        .map_init(
            || objects::open(git_dir).map_err(|e| e.message().to_string()),
            |repo, item| {
                let mut acc = Read::default();
                let odb = repo
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|r| r.odb().map_err(|e| e.message().to_string()));
                match odb {
                    Ok(odb) => scan_item(&odb, &item, engine, limits, recent, &mut acc),
                    Err(e) => {
                        acc.stats.skipped_unreadable += 1;
                        acc.problems.push(Problem {
                            path: ".".into(),
                            reason: format!("cannot open repository: {e}"),
                        });
                    }
                }
                acc
            },
        )
        .reduce(Read::default, |mut a, b| {
            a.findings.extend(b.findings);
            a.stats.add(&b.stats);
            a.problems.extend(b.problems);
            a
        })
}

/// Reads one blob and scans it at one path. Counts and warnings come from
/// the blob's first item only; a blob at several paths is read once per path.
fn scan_item(
    odb: &git2::Odb<'_>,
    item: &Item,
    engine: &Engine,
    limits: &Limits,
    recent: &Recent,
    acc: &mut Read,
) {
    if limits.exclude.matches(&item.path) {
        acc.stats.skipped_excluded += 1;
        return;
    }
    let piece = Piece {
        path: &item.path,
        content: Content::Blob { odb, oid: item.oid },
        prov: Provenance {
            source: Source::History,
            commit: item.info.as_deref(),
        },
        counted: item.first,
        delta: Some(Delta {
            recent,
            base: item.base,
        }),
    };
    let findings = gate::pass(engine, limits, piece, &mut acc.stats, &mut acc.problems);
    acc.findings
        .extend(findings.into_iter().map(|f| (item.commit, f)));
}
