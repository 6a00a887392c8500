//! Checks that are not leak scans: they look at how keys are declared and
//! used, and emit the same [`crate::finding::Finding`] as the scanners.
//!
//! - `env`: `.env` hygiene (ignored, untracked, never committed) and the
//!   user's own secrets traced through the repository.
//! - `permissions`: the permission vocabulary (canonical scopes, each
//!   exchange's native names) and nearest-name suggestions; pure data.
//! - `manifest`: the `[[key]]` permission manifest, checked against that
//!   vocabulary and cross-checked with the env variables the code reads.

pub mod env;
pub mod manifest;
pub mod permissions;

use crate::finding::Severity::{self, *};

/// The rules of the env and manifest checks, for `keyaudit rules`: id,
/// severity (the highest it is given), check, description.
pub const RULES: &[(&str, Severity, &str, &str)] = &[
    (
        env::TRACKED,
        Critical,
        "env",
        "a .env file is tracked by git",
    ),
    (
        env::COMMITTED,
        Critical,
        "env",
        "a .env file was in some commit of history",
    ),
    (
        env::NOT_IGNORED,
        High,
        "env",
        "a .env file that git does not ignore",
    ),
    (
        env::GITIGNORE_MISSING,
        Medium,
        "env",
        "nothing ignores .env: the next one will be committed",
    ),
    (
        env::EXAMPLE_VALUE,
        High,
        "env",
        ".env.example (or .sample, .template) holds a real-looking value",
    ),
    (
        env::TRACED,
        Critical,
        "env",
        "a value from your gitignored .env found in the tree, index or history",
    ),
    (
        env::SHARED,
        High,
        "env",
        "one credential in the .env files of two bots",
    ),
    (
        env::PRINTED,
        Medium,
        "env",
        "code prints or logs a credential variable",
    ),
    (
        manifest::rule::WITHDRAW,
        Critical,
        "manifest",
        "a key may withdraw (or administer keys)",
    ),
    (
        manifest::rule::TRANSFER,
        High,
        "manifest",
        "a key may move funds between accounts",
    ),
    (
        manifest::rule::BEYOND_TRADE,
        High,
        "manifest",
        "a key may do more than read + trade",
    ),
    (
        manifest::rule::MISSING_SCOPE,
        Medium,
        "manifest",
        "a key lacks read or trade",
    ),
    (
        manifest::rule::SHARED_KEY,
        High,
        "manifest",
        "one key name or env variable declared for two bots",
    ),
    (
        manifest::rule::NO_IP_ALLOWLIST,
        Medium,
        "manifest",
        "a key has no IP allowlist (low where the exchange has none)",
    ),
    (
        manifest::rule::NO_PERMISSION_MODEL,
        Low,
        "manifest",
        "the exchange cannot limit a key's permissions",
    ),
    (
        manifest::rule::UNDECLARED_KEY,
        Low,
        "manifest",
        "the code reads an exchange credential no [[key]] declares",
    ),
    (
        manifest::rule::UNUSED_ENV,
        Low,
        "manifest",
        "a declared env variable that nothing reads",
    ),
    (
        manifest::rule::MISSING,
        Low,
        "manifest",
        "no permission manifest",
    ),
];

#[cfg(test)]
mod tests {
    use super::RULES;

    #[test]
    fn check_rule_ids_are_unique_kebab_case_and_apart_from_leak_rules() {
        let leak: Vec<&str> = crate::detect::rules::builtin()
            .iter()
            .map(|r| r.id)
            .collect();
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.0).collect();
        for id in &ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
            assert!(
                id.starts_with("env-") || id.starts_with("manifest-"),
                "{id}"
            );
            assert!(!leak.contains(id), "{id} is also a leak rule");
        }
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "duplicate check rule ids");
    }
}
