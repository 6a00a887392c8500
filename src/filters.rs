//! The filter stage: every rule for when two findings are one, and for when a
//! finding is left out, in one ordered place, all keyed on one
//! [`Identity`] (check, path, and the secret's fingerprint or the rule and
//! subject).
//!
//! In order, from the sources to the report:
//!
//! 1. [`earliest`]: a secret met in many commits is one finding per path,
//!    from the commit that introduced it (of two rules matching it there,
//!    the preferred: [`Finding::preference`]). Run by the history
//!    source (`source/history.rs`), the only one that knows the commits' order.
//! 2. [`merge_same_line`]: manifest findings of one rule on one line are one.
//! 3. [`fold_sources`]: a secret at one path is one leak, whichever sources
//!    (tree, index, history) hold it, located where it is now, saying where
//!    history first had it.
//! 4. [`allow`]: what an `[[allow]]` entry of `keyaudit.toml` names is left
//!    out (its secret regexes ran at detection: see `allow.rs`).
//! 5. [`baseline`]: what `--baseline FILE` names is left out.
//! 6. [`dedup`]: one finding per identity, source and (without a secret)
//!    line: one secret at one path is one finding, whichever rules matched it.
//!
//! A finding that stands for others of its identity takes their legacy
//! fingerprints ([`crate::finding::SecretRef::legacy`]), so that a baseline
//! or an allow entry written by an earlier version for any of them still
//! names it.
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
use crate::baseline::{Applied, Baseline, fingerprint_of, legacy_fingerprints_of};
use crate::finding::{Check, Finding, Identity, Introduction, Source};

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
///    topological order (`rank`), of the preferred rule
///    ([`Finding::preference`]: of one secret matched as a Gate key and as a
///    generic secret, the Gate key; of a high and a critical rule, the
///    critical one, so that merging never lowers what fails a run), then the
///    first line (ties broken by column, so the result is stable). Findings ranked `before_range` are in the tree just
///    before a limited range: they and every later finding of their identity
///    are dropped (the secret was already there).
pub fn earliest(mut findings: Vec<(u32, Finding)>, before_range: u32) -> Vec<Finding> {
    findings.sort_by(|(a, fa), (b, fb)| {
        (a, fa.preference(), fa.location.line, fa.location.column).cmp(&(
            b,
            fb.preference(),
            fb.location.line,
            fb.location.column,
        ))
    });
    let before: HashSet<Identity> = findings
        .iter()
        .filter(|(rank, _)| *rank == before_range)
        .map(|(_, f)| f.identity())
        .collect();
    let kept = findings
        .into_iter()
        .filter(|(rank, f)| *rank != before_range && !before.contains(&f.identity()))
        .map(|(_, f)| f);
    first_of_each(kept, |f| f.identity())
}

/// The first finding of each key, in order; each finding left out gives its
/// legacy fingerprints to the one kept.
fn first_of_each<K: std::hash::Hash + Eq>(
    findings: impl IntoIterator<Item = Finding>,
    key: impl Fn(&Finding) -> K,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut at: HashMap<K, usize> = HashMap::new();
    for f in findings {
        match at.entry(key(&f)) {
            std::collections::hash_map::Entry::Occupied(i) => {
                if let (Some(kept), Some(dropped)) = (&mut out[*i.get()].secret, &f.secret) {
                    kept.absorb(dropped);
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(out.len());
                out.push(f);
            }
        }
    }
    out
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

/// 3. One secret at one path is one leak, however many sources hold it,
///    located where it is now: a committed secret still in the working tree
///    is reported from the tree (its path, line and column today), with
///    `location.introduced` naming the commit, path and line where history
///    first had it and "(still in the working tree)" in the message; a
///    staged secret also in the working tree is reported from the tree; one
///    only the index and history hold, from the index, with `introduced`
///    ("(still staged)"). Keyed on the identity of findings that hold a
///    secret; the others (which name a place, not a value that travels
///    between sources) pass.
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
    let in_index = identities_in(Source::Staged, findings);
    // Where a secret is now: the working tree, else the index.
    let now = |source: Source, id: &Identity| match source {
        Source::Tree => true,
        Source::Staged => !in_tree.contains(id),
        _ => false,
    };
    // The history finding (one per identity: see `earliest`) of each secret
    // found now.
    let mut introduced: HashMap<Identity, Finding> = HashMap::new();
    for f in findings.iter() {
        if f.location.source == Source::History
            && let Some(id) = secret_identity(f)
            && (in_tree.contains(&id) || in_index.contains(&id))
        {
            introduced.entry(id).or_insert_with(|| f.clone());
        }
    }
    findings.retain(|f| {
        let Some(id) = secret_identity(f) else {
            return true;
        };
        match f.location.source {
            Source::History => !introduced.contains_key(&id),
            source @ (Source::Tree | Source::Staged) => now(source, &id),
            _ => true,
        }
    });
    for f in findings.iter_mut() {
        let Some(first) = secret_identity(f).and_then(|id| introduced.get(&id)) else {
            continue;
        };
        if !matches!(f.location.source, Source::Tree | Source::Staged) {
            continue;
        }
        let (Some(commit), Some(author), Some(date)) = (
            &first.location.commit,
            &first.location.author,
            &first.location.date,
        ) else {
            continue;
        };
        f.location.introduced = Some(Introduction {
            commit: commit.clone(),
            path: first.location.path.clone(),
            line: first.location.line,
            author: author.clone(),
            date: date.clone(),
        });
        f.message = format!(
            "{} ({})",
            first.message,
            if f.location.source == Source::Tree {
                "still in the working tree"
            } else {
                "still staged"
            }
        );
        f.severity = f.severity.max(first.severity);
        f.confidence = f.confidence.max(first.confidence);
        if let (Some(now), Some(then)) = (&mut f.secret, &first.secret) {
            now.absorb(then);
        }
    }
}

/// 5. Drops every leak (keys in gitignored files are left alone: they never
///    fail a run) that an entry of `known` names: an entry with the
///    fingerprint of its identity ([`fingerprint_of`]) or one older
///    baselines hold ([`legacy_fingerprints_of`]), at its path. Returns how many were dropped,
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
        let hits: Vec<String> = std::iter::once(fingerprint_of(&f.identity()))
            .chain(legacy_fingerprints_of(f))
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

/// 6. Keeps the first finding of each identity in each source, in the
///    order of path, preference ([`Finding::preference`]), line and
///    column, then sorts them (by [`Finding::sort_key`]): of one secret
///    matched by two rules at one path, the preferred rule stands, at its
///    first line. A finding without a secret is keyed on its identity without
///    the subject, plus its line: of two matches of one rule on one line
///    (two credential variables printed by one statement), the first by
///    column stands for the line.
pub fn dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (
            !a.is_leak(),
            &a.location.path,
            a.preference(),
            a.location.line,
            a.location.column,
        )
            .cmp(&(
                !b.is_leak(),
                &b.location.path,
                b.preference(),
                b.location.line,
                b.location.column,
            ))
    });
    *findings = first_of_each(findings.drain(..), |f| {
        let id = f.identity();
        match id.secret() {
            Some(_) => (id, f.location.source, None),
            None => (id.without_subject(), f.location.source, f.location.line),
        }
    });
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
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

    /// A history finding of rule `r` for `secret` at `path`, line `line`,
    /// introduced by commit `commit`.
    fn committed(path: &str, secret: &[u8], line: usize, commit: &str) -> Finding {
        let mut f = Finding::sample("r", path, Source::History, Some(secret));
        f.message = format!("r committed in {path}");
        f.location.line = Some(line);
        f.location.commit = Some(commit.into());
        f.location.author = Some("Ada <ada@example.com>".into());
        f.location.date = Some("2026-01-01T00:00:00Z".into());
        f
    }

    #[test]
    fn fold_locates_a_secret_where_it_is_now_and_says_where_history_had_it() {
        let s = Some(&b"secret-one"[..]);
        let mut now = Finding::sample("r", "a.py", Source::Tree, s);
        now.location.line = Some(14);
        let mut found = vec![
            now,
            committed("a.py", b"secret-one", 8, "c0ffee"),
            Finding::sample("r", "a.py", Source::Staged, s),
            Finding::sample("r", "b.py", Source::Staged, s),
            Finding::sample("r", "b.py", Source::Tree, s),
            Finding::sample("r", "c.py", Source::Staged, s),
            committed("c.py", b"secret-one", 3, "beef"),
            committed("d.py", b"secret-one", 5, "beef"),
            Finding::sample("env-file-tracked", "a.py", Source::Tree, None),
            Finding::sample("env-file-tracked", "a.py", Source::History, None),
        ];
        fold_sources(&mut found);
        assert_eq!(
            paths(&found),
            vec![
                ("a.py", Source::Tree),
                ("b.py", Source::Tree),
                ("c.py", Source::Staged),
                ("d.py", Source::History),
                ("a.py", Source::Tree),
                ("a.py", Source::History),
            ]
        );
        let a = &found[0];
        assert_eq!(a.location.line, Some(14));
        let introduced = a.location.introduced.as_ref().expect("introduced");
        assert_eq!(
            (
                introduced.commit.as_str(),
                introduced.path.as_str(),
                introduced.line
            ),
            ("c0ffee", "a.py", Some(8))
        );
        assert_eq!(a.message, "r committed in a.py (still in the working tree)");
        assert!(found[1].location.introduced.is_none());
        let c = &found[2];
        assert_eq!(
            c.location.introduced.as_ref().map(|i| i.line),
            Some(Some(3))
        );
        assert_eq!(c.message, "r committed in c.py (still staged)");
        assert!(found[3].location.introduced.is_none());
        assert_eq!(found[3].location.commit.as_deref(), Some("beef"));
    }

    /// A finding of `rule` for `secret` at line `line` of a.py in the tree.
    fn matched(rule: &str, secret: &[u8], line: usize, generic: bool, order: u32) -> Finding {
        let mut f = Finding::sample(rule, "a.py", Source::Tree, Some(secret));
        f.location.line = Some(line);
        f.rank = crate::finding::RuleRank { generic, order };
        f
    }

    #[test]
    fn one_secret_matched_by_two_rules_at_one_path_is_one_finding_of_the_specific_rule() {
        let mut found = vec![
            matched("generic-api-secret", b"secret-one", 3, true, 40),
            matched("okx-api-secret", b"secret-one", 3, false, 20),
            matched("generic-env-secret", b"secret-one", 3, true, 41),
            // The same value further down the file, and another value.
            matched("generic-api-secret", b"secret-one", 9, true, 40),
            matched("generic-api-secret", b"secret-two", 3, true, 40),
        ];
        dedup(&mut found);
        let kept: Vec<_> = found
            .iter()
            .map(|f| (f.rule.as_str(), f.location.line))
            .collect();
        assert_eq!(
            kept,
            vec![("generic-api-secret", Some(3)), ("okx-api-secret", Some(3))]
        );
        let okx = &found[1].secret.as_ref().unwrap();
        // It stands for the others: their old rule-mixed fingerprints name it.
        for rule in ["okx-api-secret", "generic-api-secret", "generic-env-secret"] {
            let old = crate::redact::legacy_fingerprint(rule, b"secret-one");
            assert!(okx.legacy.contains(&old), "{rule}");
        }
        // Of two specific rules, the more severe; then the engine's order.
        let mut high = matched("a-rule", b"s", 1, false, 1);
        let mut critical = matched("b-rule", b"s", 1, false, 2);
        critical.severity = crate::finding::Severity::Critical;
        high.severity = crate::finding::Severity::High;
        // On another line too: merging never lowers the severity.
        critical.location.line = Some(7);
        let mut found = vec![high, critical];
        dedup(&mut found);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].rule.as_str(), found[0].location.line),
            ("b-rule", Some(7))
        );
    }

    #[test]
    fn earliest_keeps_the_first_commit_and_in_it_the_specific_rule_at_its_first_line() {
        let at = |rank: u32, rule: &str, line: usize, generic: bool| {
            (
                rank,
                matched(rule, b"secret-one", line, generic, u32::from(generic)),
            )
        };
        let found = vec![
            at(2, "binance-api-secret", 1, false),
            at(1, "generic-api-secret", 4, true),
            at(1, "binance-api-secret", 6, false),
            at(1, "binance-api-secret", 5, false),
            at(1, "generic-api-secret", 2, true),
        ];
        let kept = earliest(found, u32::MAX);
        assert_eq!(kept.len(), 1);
        assert_eq!(
            (kept[0].rule.as_str(), kept[0].location.line),
            ("binance-api-secret", Some(5))
        );
        assert_eq!(kept[0].secret.as_ref().unwrap().legacy.len(), 2);
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
