//! The only door secrets leave through.
//!
//! Turns raw secret bytes into display text (a few leading characters and the
//! length) and a stable `sha256:` fingerprint, and strips terminal control
//! characters from untrusted text (paths, author names) before it is shown.
//! Nothing else in the crate formats secret bytes.

use sha2::{Digest, Sha256};

use crate::finding::SecretRef;

/// The fingerprint format is frozen: `sha256:` + hex(sha256(rule id, NUL, secret)).
/// Baselines store it, so changing it invalidates every baseline.
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret);
    hex_digest(&h.finalize())
}

/// The fingerprint of a finding that holds no secret (env and manifest
/// findings), so that baselines can name it too. Frozen like [`fingerprint`]:
/// `sha256:` + hex(sha256("keyaudit-finding-v1", NUL, rule id, NUL, path, NUL,
/// message)). The path is the location's path relative to the root, which is
/// the same whichever source (tree, index, history) the finding came from;
/// the source, line, column and commit are left out, so that editing lines
/// above a finding does not change it. The message tells two findings of one
/// rule in one file apart (two manifest keys, two variables).
pub fn finding_fingerprint(rule_id: &str, path: &str, message: &str) -> String {
    let mut h = Sha256::new();
    for (i, part) in ["keyaudit-finding-v1", rule_id, path, message]
        .iter()
        .enumerate()
    {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(part.as_bytes());
    }
    hex_digest(&h.finalize())
}

fn hex_digest(digest: &[u8]) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// How many leading characters of a secret of `len` characters may be shown:
/// at most 4, and never more than an eighth of it.
fn shown_prefix(len: usize) -> usize {
    (len / 8).min(4)
}

/// Display text for a secret: `vmPU… (64 chars)`. Never the whole secret.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let len = text.chars().count();
    let prefix: String = text
        .chars()
        .take(shown_prefix(len))
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{prefix}… ({len} chars)")
}

/// Both halves of a [`SecretRef`].
pub fn secret_ref(rule_id: &str, secret: &[u8]) -> SecretRef {
    SecretRef {
        redacted: redact(secret),
        fingerprint: fingerprint(rule_id, secret),
    }
}

/// Replaces control characters (escape sequences included) so untrusted text
/// cannot drive the terminal.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_never_shows_the_whole_secret() {
        for len in 1..100 {
            let secret = "Z".repeat(len);
            let shown = redact(secret.as_bytes());
            assert!(!shown.contains(&secret), "{shown} shows {len} chars");
            assert!(shown.ends_with(&format!("({len} chars)")));
        }
        assert_eq!(
            redact(b"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"),
            "vmPU… (64 chars)"
        );
    }

    #[test]
    fn fingerprint_is_stable_and_depends_on_rule_and_secret() {
        let a = fingerprint("binance-api-key", b"abc");
        assert_eq!(a, fingerprint("binance-api-key", b"abc"));
        assert_ne!(a, fingerprint("binance-api-secret", b"abc"));
        assert_ne!(a, fingerprint("binance-api-key", b"abd"));
        // Frozen format: sha256 of "binance-api-key\0abc".
        assert_eq!(a.len(), 7 + 64);
        assert!(a.starts_with("sha256:"));
    }

    #[test]
    fn finding_fingerprint_is_frozen_and_depends_on_each_part() {
        let a = finding_fingerprint("env-file-tracked", ".env", ".env is tracked");
        assert_eq!(
            a,
            finding_fingerprint("env-file-tracked", ".env", ".env is tracked")
        );
        assert_ne!(
            a,
            finding_fingerprint("env-file-committed", ".env", ".env is tracked")
        );
        assert_ne!(
            a,
            finding_fingerprint("env-file-tracked", "a/.env", ".env is tracked")
        );
        assert_ne!(a, finding_fingerprint("env-file-tracked", ".env", "other"));
        // Parts are separated: moving a character across a boundary changes it.
        assert_ne!(
            finding_fingerprint("r", "ab", "c"),
            finding_fingerprint("r", "a", "bc")
        );
        // Frozen format: sha256 of "keyaudit-finding-v1\0r\0p\0m".
        assert_eq!(
            finding_fingerprint("r", "p", "m"),
            "sha256:be382b851d9fa1b7c50372f5dfe8e75f76f365dc0fc2b1a96a294eca102d5439"
        );
        assert_eq!(a.len(), 7 + 64);
    }

    #[test]
    fn sanitize_strips_escape_sequences() {
        assert_eq!(sanitize("a\x1b[31mb\n"), "a\u{FFFD}[31mb\u{FFFD}");
    }
}
