//! The filter stage: every rule for when two findings are one, and for when a
//! finding is left out, in one ordered place, all keyed on one
//! [`Identity`] (rule, path, and the secret's fingerprint or the subject).
//!
//! In order, from the sources to the report:
//!
//! 1. [`earliest`]: a secret met in many commits is one finding, from the
//!    commit that introduced it. Run by the history source (`source/history.rs`),
//!    the only one that knows the commits' order.
//! 2. [`merge_same_line`]: manifest findings of one rule on one line are one.
//! 3. [`fold_sources`]: a secret at one path is one leak, whichever sources
//!    (tree, index, history) hold it.
//! 4. [`allow`]: what an `[[allow]]` entry of `keyaudit.toml` names is left
//!    out (its secret regexes ran at detection: see `allow.rs`).
//! 5. [`baseline`]: what `--baseline FILE` names is left out.
//! 6. [`dedup`]: one finding per identity, source and (without a secret) line.
//!
//! [`settle`] runs 2 and 3 (what `keyaudit baseline` writes entries for,
//! after [`allow`]); [`run`] runs 2 to 6 (what a report shows). Inline allow markers
//! (`keyaudit:allow` on the line) are not a filter here: the engine
//! (`detect/engine.rs`) drops an allowed match before it resolves
//! overlapping rules and raises the confidence of a credential's other
//! parts, so an allowed match neither hides a generic match at its span nor
//! vouches for a neighbour. Dropping it later, from findings, would change
//! both.

use std::collections::{HashMap, HashSet};

use crate::allow::Allowlist;
use crate::baseline::{Applied, Baseline, fingerprint_of, legacy_fingerprint_of};
use crate::finding::{Check, Finding, Identity, Source};

/// Filters 2 to 6 on the findings of every source and check, in order;
/// returns what the allowlist and the baseline (if any) did.
pub fn run(
    findings: &mut Vec<Finding>,
    allowlist: Option<&Allowlist>,
    known: Option<&Baseline>,
) -> (Allowed, Applied) {
    settle(findings);
    let allowed = allowlist.map_or_else(Allowed::default, |list| allow(findings, list));
    let applied = known.map_or_else(Applied::default, |known| baseline(findings, known));
    dedup(findings);
    (allowed, applied)
}

/// What the allowlist dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    /// Findings dropped.
    pub dropped: usize,
    /// For each entry, in file order, how many findings it allowed.
    pub by_entry: Vec<usize>,
}

/// 4. Drops every finding an entry of `list` allows (see `allow.rs`),
///    counting for each entry what it allowed (a finding two entries allow
///    counts for both).
pub fn allow(findings: &mut Vec<Finding>, list: &Allowlist) -> Allowed {
    let mut by_entry = vec![0; list.len()];
    let before = findings.len();
    findings.retain(|f| {
        let hits = list.matching(f);
        for &i in &hits {
            by_entry[i] += 1;
        }
        hits.is_empty()
    });
    Allowed {
        dropped: before - findings.len(),
        by_entry,
    }
}

/// Filters 2 and 3: what the findings are, before any is left out for being
/// known or repeated. `keyaudit baseline` writes an entry for each.
pub fn settle(findings: &mut Vec<Finding>) {
    merge_same_line(findings);
    fold_sources(findings);
}

/// 1. One finding per identity: the one from the earliest commit in
///    topological order (`rank`, ties broken by line, column and rule, so the
///    result is stable). Findings ranked `before_range` are in the tree just
///    before a limited range: they and every later finding of their identity
///    are dropped (the secret was already there).
pub fn earliest(mut findings: Vec<(u32, Finding)>, before_range: u32) -> Vec<Finding> {
    findings.sort_by(|(a, fa), (b, fb)| {
        (a, fa.location.line, fa.location.column, &fa.rule).cmp(&(
            b,
            fb.location.line,
            fb.location.column,
            &fb.rule,
        ))
    });
    let mut seen: HashSet<Identity> = findings
        .iter()
        .filter(|(rank, _)| *rank == before_range)
        .map(|(_, f)| f.identity())
        .collect();
    findings
        .into_iter()
        .filter(|(rank, f)| *rank != before_range && seen.insert(f.identity()))
        .map(|(_, f)| f)
        .collect()
}

/// 2. Joins manifest findings of one rule on one line (two shared env
///    variables in one `env` list, two undeclared variables read on one line
///    of code) into one: messages joined by "; ", the higher severity, the
///    subjects joined by ",". Keyed on the identity without its subject, plus
///    the line; findings without a line, and of other checks, pass. Running it
///    twice changes nothing.
pub fn merge_same_line(findings: &mut Vec<Finding>) {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut at: HashMap<(Identity, usize), usize> = HashMap::new();
    for f in findings.drain(..) {
        let line = match f.location.line {
            Some(line) if f.check == Check::Manifest => line,
            _ => {
                out.push(f);
                continue;
            }
        };
        match at.entry((f.identity().without_subject(), line)) {
            std::collections::hash_map::Entry::Occupied(i) => {
                let o = &mut out[*i.get()];
                o.message = format!("{}; {}", o.message, f.message);
                o.severity = o.severity.max(f.severity);
                if let (Some(a), Some(b)) = (&mut o.subject, &f.subject) {
                    a.push(',');
                    a.push_str(b);
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(out.len());
                out.push(f);
            }
        }
    }
    *findings = out;
}

/// 3. One secret at one path is one leak, however many sources hold it: a
///    committed secret still in the working tree is reported once, from
///    history (which names the commit), saying so; a staged secret also in the
///    working tree or history is reported from there. Keyed on the identity
///    of findings that hold a secret; the others (which name a place, not a
///    value that travels between sources) pass.
pub fn fold_sources(findings: &mut Vec<Finding>) {
    let secret_identity = |f: &Finding| Some(f.identity()).filter(|id| id.secret().is_some());
    let identities_in = |source: Source, findings: &[Finding]| -> HashSet<Identity> {
        findings
            .iter()
            .filter(|f| f.location.source == source)
            .filter_map(secret_identity)
            .collect()
    };
    let in_tree = identities_in(Source::Tree, findings);
    let in_history = identities_in(Source::History, findings);
    findings.retain(|f| {
        let Some(id) = secret_identity(f) else {
            return true;
        };
        match f.location.source {
            Source::Tree => !in_history.contains(&id),
            Source::Staged => !in_history.contains(&id) && !in_tree.contains(&id),
            _ => true,
        }
    });
    for f in findings.iter_mut() {
        if f.location.source == Source::History
            && secret_identity(f).is_some_and(|id| in_tree.contains(&id))
        {
            f.message.push_str(" (still in the working tree)");
        }
    }
}

/// 5. Drops every leak (keys in gitignored files are left alone: they never
///    fail a run) that an entry of `known` names: an entry with the
///    fingerprint of its identity ([`fingerprint_of`]) or, for a finding
///    without a secret, the message-derived one older baselines hold
///    ([`legacy_fingerprint_of`]), at its path. Returns how many were dropped,
///    with the entries that matched nothing.
pub fn baseline(findings: &mut Vec<Finding>, known: &Baseline) -> Applied {
    let keys = known.keys();
    let mut matched: HashSet<(String, String)> = HashSet::new();
    let before = findings.len();
    findings.retain(|f| {
        if !f.is_leak() {
            return true;
        }
        let path = &f.location.path;
        let hits: Vec<String> = [
            Some(fingerprint_of(&f.identity())),
            legacy_fingerprint_of(f),
        ]
        .into_iter()
        .flatten()
        .filter(|fingerprint| keys.contains(&(fingerprint.as_str(), path.as_str())))
        .collect();
        let kept = hits.is_empty();
        matched.extend(
            hits.into_iter()
                .map(|fingerprint| (fingerprint, path.clone())),
        );
        kept
    });
    let stale = known
        .entries
        .iter()
        .filter(|e| !matched.contains(&(e.fingerprint.clone(), e.path.clone())))
        .cloned()
        .collect();
    Applied {
        baselined: before - findings.len(),
        stale,
    }
}

/// 6. Sorts the findings (by [`Finding::sort_key`]) and keeps the first of
///    each identity in each source. A finding without a secret is keyed on its
///    identity without the subject, plus its line: of two matches of one rule
///    on one line (two credential variables printed by one statement), the
///    first by column stands for the line.
pub fn dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut seen = HashSet::new();
    findings.retain(|f| {
        let id = f.identity();
        let key = match id.secret() {
            Some(_) => (id, f.location.source, None),
            None => (id.without_subject(), f.location.source, f.location.line),
        };
        seen.insert(key)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::entries;

    fn about(rule: &str, subject: &str, message: &str, line: usize) -> Finding {
        let mut f = Finding::sample(rule, "keyaudit.toml", Source::Manifest, None).about(subject);
        f.check = Check::Manifest;
        f.message = message.into();
        f.location.line = Some(line);
        f
    }

    fn paths(findings: &[Finding]) -> Vec<(&str, Source)> {
        findings
            .iter()
            .map(|f| (f.location.path.as_str(), f.location.source))
            .collect()
    }

    #[test]
    fn earliest_keeps_the_first_commit_and_drops_what_was_there_before() {
        let a = Finding::sample("r", "a.py", Source::History, Some(b"secret-a"));
        let b = Finding::sample("r", "b.py", Source::History, Some(b"secret-b"));
        let mut later = a.clone();
        later.location.commit = Some("later".into());
        let found = vec![
            (2, later),
            (1, a.clone()),
            (u32::MAX, b.clone()),
            (3, b.clone()),
        ];
        let kept = earliest(found, u32::MAX);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].location.commit, None);
    }

    #[test]
    fn same_line_manifest_findings_merge_once() {
        let mut found = vec![
            about("manifest-shared-key", "A", "one", 3),
            about("manifest-shared-key", "B", "two", 3),
            about("manifest-shared-key", "C", "three", 4),
            about("manifest-withdraw", "k", "four", 3),
        ];
        merge_same_line(&mut found);
        let again = found.clone();
        merge_same_line(&mut found);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].message, "one; two");
        assert_eq!(found[0].subject.as_deref(), Some("A,B"));
        assert_eq!(
            found.iter().map(|f| &f.message).collect::<Vec<_>>(),
            again.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn fold_reports_a_secret_once_from_history_then_tree() {
        let s = Some(&b"secret-one"[..]);
        let mut found = vec![
            Finding::sample("r", "a.py", Source::Tree, s),
            Finding::sample("r", "a.py", Source::History, s),
            Finding::sample("r", "a.py", Source::Staged, s),
            Finding::sample("r", "b.py", Source::Staged, s),
            Finding::sample("r", "b.py", Source::Tree, s),
            Finding::sample("env-file-tracked", "a.py", Source::Tree, None),
            Finding::sample("env-file-tracked", "a.py", Source::History, None),
        ];
        fold_sources(&mut found);
        assert_eq!(
            paths(&found),
            vec![
                ("a.py", Source::History),
                ("b.py", Source::Tree),
                ("a.py", Source::Tree),
                ("a.py", Source::History),
            ]
        );
        assert!(found[0].message.ends_with("(still in the working tree)"));
        assert!(!found[3].message.ends_with("(still in the working tree)"));
    }

    #[test]
    fn baseline_matches_fingerprint_and_path_and_reports_stale_entries() {
        let old = Finding::sample("r", "a.py", Source::Tree, Some(b"old-secret"));
        let gone = Finding::sample("r", "b.py", Source::Tree, Some(b"gone-secret"));
        let known = Baseline {
            path: "b.json".into(),
            entries: entries(&[old.clone(), gone]),
        };
        let copied = Finding::sample("r", "c.py", Source::Tree, Some(b"old-secret"));
        let new = Finding::sample("r", "a.py", Source::Tree, Some(b"new-secret"));
        let mut found = vec![old.clone(), old, copied, new];
        let applied = baseline(&mut found, &known);
        assert_eq!(applied.baselined, 2);
        let left: Vec<&str> = found.iter().map(|f| f.location.path.as_str()).collect();
        assert_eq!(left, vec!["c.py", "a.py"]);
        assert_eq!(applied.stale.len(), 1);
        assert_eq!(applied.stale[0].path, "b.py");
    }

    #[test]
    fn a_finding_without_a_secret_is_baselined_by_subject_or_by_its_old_message_key() {
        let written = about("manifest-withdraw", "grid", "key \"grid\" can withdraw", 6);
        let known = Baseline {
            path: "b.json".into(),
            entries: entries(std::slice::from_ref(&written)),
        };
        // Reworded (or more permissions listed): still the same finding.
        let mut reworded = written.clone();
        reworded.message = "key \"grid\" can withdraw: \"withdraw\", \"wallet\"".into();
        let other = about("manifest-withdraw", "dca", "key \"grid\" can withdraw", 6);
        let mut found = vec![reworded, other];
        let applied = baseline(&mut found, &known);
        assert_eq!((applied.baselined, applied.stale.len()), (1, 0));
        assert_eq!(found[0].subject.as_deref(), Some("dca"));

        // An entry written from the message still matches its finding.
        let legacy = crate::baseline::Entry {
            fingerprint: crate::redact::finding_fingerprint(
                &written.rule,
                &written.location.path,
                &written.message,
            ),
            rule: written.rule.clone(),
            path: written.location.path.clone(),
        };
        let known = Baseline {
            path: "b.json".into(),
            entries: vec![legacy],
        };
        let mut found = vec![written];
        let applied = baseline(&mut found, &known);
        assert_eq!((applied.baselined, applied.stale.len()), (1, 0));
    }

    #[test]
    fn dedup_keeps_one_per_identity_and_source_and_one_secretless_per_line() {
        let s = Some(&b"secret-one"[..]);
        let mut printed = Finding::sample("env-secret-printed", "bot.py", Source::Tree, None);
        printed.location.column = Some(20);
        let mut first = printed.clone().about("API_KEY");
        first.location.column = Some(7);
        let mut next_line = printed.clone().about("API_KEY");
        next_line.location.line = Some(2);
        let mut found = vec![
            Finding::sample("r", "a.py", Source::Tree, s),
            Finding::sample("r", "a.py", Source::Tree, s),
            Finding::sample("r", "a.py", Source::History, s),
            printed.about("API_SECRET"),
            first,
            next_line,
        ];
        dedup(&mut found);
        let kept: Vec<_> = found
            .iter()
            .map(|f| (f.location.source, f.location.line, f.subject.clone()))
            .collect();
        assert_eq!(
            kept,
            vec![
                (Source::Tree, Some(1), None),
                (Source::History, Some(1), None),
                (Source::Tree, Some(1), Some("API_KEY".into())),
                (Source::Tree, Some(2), Some("API_KEY".into())),
            ]
        );
    }
}
