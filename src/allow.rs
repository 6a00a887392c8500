//! `[[allow]]` entries of `keyaudit.toml`, compiled for the filter stage
//! (`filters::allow`). An entry drops a finding when every field it gives
//! matches (any item of a list): `paths` (globs read like `[scan] exclude`),
//! `secrets` (regexes on the whole secret), `fingerprints` and `rules`.
//!
//! Findings never hold a raw secret, so the secret regexes run where the
//! secret's bytes are: `source::detect` shows each secret it turns into a
//! finding to [`Allowlist::note_secret`], which notes the fingerprints of
//! those an entry's regexes match; the filter stage then reads the note.

use std::collections::HashSet;
use std::sync::Mutex;

use regex::bytes::Regex;

use crate::config::{AllowEntry, compile_regex};
use crate::finding::Finding;
use crate::source::Exclude;

/// The compiled entries of one config file.
#[derive(Debug)]
pub struct Allowlist {
    entries: Vec<Entry>,
    /// True when the entries come from the scanned repository's own
    /// `keyaudit.toml` (not `--config FILE`): what they drop is reported apart.
    pub from_repository: bool,
}

#[derive(Debug)]
struct Entry {
    config: AllowEntry,
    paths: Option<Exclude>,
    secrets: Vec<Regex>,
    fingerprints: HashSet<String>,
    rules: HashSet<String>,
    /// Fingerprints of the secrets one of `secrets` matched, noted at detection.
    matched: Mutex<HashSet<String>>,
}

impl Allowlist {
    /// Compiles entries `config.rs` has checked; `None` when there are none.
    pub fn new(entries: &[AllowEntry], from_repository: bool) -> Result<Option<Allowlist>, String> {
        if entries.is_empty() {
            return Ok(None);
        }
        let entries = entries
            .iter()
            .map(|e| {
                let secrets = e
                    .secrets
                    .iter()
                    .map(|s| {
                        compile_regex(&format!(r"\A(?:{s})\z"))
                            .map_err(|why| format!("{}: allow secret regex {why}", e.at))
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Entry {
                    config: e.clone(),
                    paths: if e.paths.is_empty() {
                        None
                    } else {
                        Some(Exclude::new(&e.paths).map_err(|why| format!("{}: {why}", e.at))?)
                    },
                    secrets,
                    fingerprints: e.fingerprints.iter().cloned().collect(),
                    rules: e.rules.iter().cloned().collect(),
                    matched: Mutex::default(),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Some(Allowlist {
            entries,
            from_repository,
        }))
    }

    /// Called with each secret that becomes a finding, and its fingerprint:
    /// notes the fingerprint for every entry whose secret regexes match it.
    pub fn note_secret(&self, secret: &[u8], fingerprint: &str) {
        for entry in self.entries.iter().filter(|e| !e.secrets.is_empty()) {
            if entry.secrets.iter().any(|r| r.is_match(secret))
                && let Ok(mut matched) = entry.matched.lock()
                && !matched.contains(fingerprint)
            {
                matched.insert(fingerprint.to_string());
            }
        }
    }

    /// The index of every entry that allows `f`. An entry's `fingerprints`
    /// may hold the secret's fingerprint or one an earlier version gave it
    /// (rule-mixed: [`crate::finding::SecretRef::legacy`]).
    pub fn matching(&self, f: &Finding) -> Vec<usize> {
        let fingerprint = f.secret.as_ref().map(|s| s.fingerprint.as_str());
        let legacy = f.secret.as_ref().map_or(&[][..], |s| s.legacy.as_slice());
        (0..self.entries.len())
            .filter(|&i| {
                let e = &self.entries[i];
                e.paths.as_ref().is_none_or(|p| p.matches(&f.location.path))
                    && (e.rules.is_empty() || e.rules.contains(&f.rule))
                    && (e.fingerprints.is_empty()
                        || fingerprint.is_some_and(|fp| e.fingerprints.contains(fp))
                        || legacy.iter().any(|fp| e.fingerprints.contains(fp)))
                    && (e.secrets.is_empty()
                        || fingerprint
                            .is_some_and(|fp| e.matched.lock().is_ok_and(|m| m.contains(fp))))
            })
            .collect()
    }

    /// The entries, in file order.
    pub fn entries(&self) -> impl Iterator<Item = &AllowEntry> {
        self.entries.iter().map(|e| &e.config)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Source;

    fn entry(paths: &[&str], secrets: &[&str], rules: &[&str]) -> AllowEntry {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        AllowEntry {
            reason: "test".into(),
            paths: list(paths),
            secrets: list(secrets),
            fingerprints: Vec::new(),
            rules: list(rules),
            at: "k.toml:1".into(),
        }
    }

    #[test]
    fn every_given_field_must_match() {
        let list = Allowlist::new(
            &[
                entry(&["tests"], &[], &["acme-token"]),
                entry(&[], &["TEST_[0-9]+"], &[]),
            ],
            false,
        )
        .unwrap()
        .unwrap();
        let a = Finding::sample("acme-token", "tests/a.py", Source::Tree, Some(b"x1"));
        let b = Finding::sample("other", "tests/a.py", Source::Tree, Some(b"x1"));
        let c = Finding::sample("acme-token", "src/a.py", Source::Tree, Some(b"x1"));
        assert_eq!(list.matching(&a), vec![0]);
        assert!(list.matching(&b).is_empty() && list.matching(&c).is_empty());
        let t = Finding::sample("other", "src/a.py", Source::Tree, Some(b"TEST_123"));
        assert!(list.matching(&t).is_empty(), "not noted at detection yet");
        list.note_secret(b"TEST_123", &t.secret.as_ref().unwrap().fingerprint);
        list.note_secret(b"TEST_123x", "sha256:other");
        assert_eq!(list.matching(&t), vec![1]);
        // The regex must match the whole secret.
        let u = Finding::sample("other", "src/a.py", Source::Tree, Some(b"xTEST_123"));
        list.note_secret(b"xTEST_123", &u.secret.as_ref().unwrap().fingerprint);
        assert!(list.matching(&u).is_empty());
    }

    #[test]
    fn a_fingerprint_entry_matches_the_secret_or_its_old_rule_mixed_fingerprint() {
        let by = |fingerprint: String| AllowEntry {
            fingerprints: vec![fingerprint],
            ..entry(&[], &[], &[])
        };
        let old = crate::redact::legacy_fingerprint("generic-api-secret", b"x1");
        let new = crate::redact::fingerprint(b"x1");
        let list = Allowlist::new(&[by(old), by(new)], false).unwrap().unwrap();
        let generic = Finding::sample("generic-api-secret", "a.py", Source::Tree, Some(b"x1"));
        let other = Finding::sample("binance-api-secret", "a.py", Source::Tree, Some(b"x1"));
        assert_eq!(list.matching(&generic), vec![0, 1]);
        assert_eq!(list.matching(&other), vec![1]);
    }
}
