//! The only door secrets leave through.
//!
//! Turns raw secret bytes into display text (a few leading characters and the
//! length) and a stable `sha256:` fingerprint; turns a value read from a
//! file into what an error may quote ([`quote`], [`scrub`]: a name whole, a
//! possible secret redacted); and strips terminal control, bidi and invisible
//! format characters from untrusted text (paths, author names) before it is
//! shown. Nothing else in the crate formats secret bytes.

use sha2::{Digest, Sha256};

use crate::finding::SecretRef;

/// A secret's fingerprint, which depends on the secret alone: the same
/// value matched by two rules, or found in two places, has one. Frozen:
/// `sha256:` + hex(sha256("keyaudit-secret-v2", NUL, secret)). Baselines
/// store it, so changing it would invalidate every baseline.
pub fn fingerprint(secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"keyaudit-secret-v2");
    h.update([0u8]);
    h.update(secret);
    hex_digest(&h.finalize())
}

/// The fingerprint earlier versions gave a secret, which mixed in the id of
/// the rule that matched it (so one value had one per rule, and relabelling
/// a rule invalidated baselines); read still in baselines and `[[allow]]`
/// entries, never written. Frozen: `sha256:` + hex(sha256(rule id, NUL,
/// secret)).
pub fn legacy_fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret);
    hex_digest(&h.finalize())
}

/// The fingerprint baselines written before subjects stored for a finding
/// that holds no secret; read still, never written (see
/// [`subject_fingerprint`]). Frozen: `sha256:` + hex(sha256("keyaudit-finding-v1",
/// NUL, rule id, NUL, path, NUL, message)). Rewording a message changes it,
/// which is why it was replaced.
pub fn finding_fingerprint(rule_id: &str, path: &str, message: &str) -> String {
    tagged_fingerprint(&["keyaudit-finding-v1", rule_id, path, message])
}

/// The fingerprint of a finding that holds no secret (env and manifest
/// findings), so that baselines can name it too. Frozen like [`fingerprint`]:
/// `sha256:` + hex(sha256("keyaudit-subject-v1", NUL, rule id, NUL, path,
/// NUL, subject)). The path is the location's path relative to the root,
/// which is the same whichever source (tree, index, history) the finding came
/// from; the source, line, column, commit and message are left out, so that
/// editing lines above a finding, or rewording its message, does not change
/// it. The subject (the key or variable name, see
/// [`crate::finding::Finding::subject`]) tells two findings of one rule in one
/// file apart.
pub fn subject_fingerprint(rule_id: &str, path: &str, subject: &str) -> String {
    tagged_fingerprint(&["keyaudit-subject-v1", rule_id, path, subject])
}

/// `sha256:` + hex(sha256 of `parts` joined by NUL).
fn tagged_fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
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

/// A [`SecretRef`] for `secret` matched by rule `rule_id`: its redacted
/// text, its fingerprint and the legacy one of that rule.
pub fn secret_ref(rule_id: &str, secret: &[u8]) -> SecretRef {
    SecretRef {
        redacted: redact(secret),
        fingerprint: fingerprint(secret),
        legacy: vec![legacy_fingerprint(rule_id, secret)],
    }
}

/// Replaces control characters (escape sequences included), bidi controls
/// and invisible format characters so untrusted text can neither drive the
/// terminal nor read differently from what it is (a U+202E in a file name
/// shows `exe.txt` for `txt.exe`).
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Control characters (Cc), format characters (Cf: bidi embeddings,
/// overrides and isolates, zero-width characters, the BOM, tag characters),
/// the line and paragraph separators (Zl, Zp) and the invisible Hangul
/// fillers. The Cf list follows Unicode 16's general category; a table here
/// rather than a crate keeps the dependency list as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// The longest user-supplied value an error may quote whole.
const QUOTABLE_LEN: usize = 24;

/// Whether a user-supplied value may be quoted whole in an error: short (at
/// most 24 characters) ASCII letters, digits and the punctuation of names,
/// addresses and globs (`_-.:/*?[]{},^` and space; no `=`, which joins a
/// variable to its value, nor the other symbols passphrases are made of),
/// and not mixing letters and digits beyond 9 characters (generated keys do;
/// names, IP addresses and globs mostly don't). A misspelt name
/// (`spot_trde`, `binanse`, `203.0.113.300`, `docs/[a`) passes, so the error
/// can say what was written; a key, a passphrase or a long value does not.
pub(crate) fn quotable(value: &str) -> bool {
    value.len() <= QUOTABLE_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" _-.:/*?[]{},^".contains(&b))
        && !(value.len() >= 10 && crate::detect::entropy::has_letters_and_digits(value.as_bytes()))
}

/// A user-supplied value (a manifest or config string, a baseline field, a
/// key name) as an error or warning may quote it: `"spot_trde"` in quotes
/// when it is [`quotable`], else its redacted form without quotes
/// (`vmPU… (64 chars)`, as a report shows a secret). Every message that
/// echoes what a file holds goes through here (or [`scrub`]), since that
/// file may hold a secret where a name belongs.
pub fn quote(value: &str) -> String {
    if quotable(value) {
        format!("\"{value}\"")
    } else {
        sanitize(&redact(value.as_bytes()))
    }
}

/// A parser's message (toml, serde, serde_json) with every value it quotes
/// (`"…"` or `` `…` ``, as serde writes `invalid type: string "…"` and
/// `` unknown field `…` ``) left as it is when [`quotable`] and replaced by
/// its redacted form otherwise, then sanitized. The parser's own words and
/// the names it expects are short and pass unchanged.
pub fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        out.push_str(&rest[..open]);
        let delim = rest.as_bytes()[open] as char;
        let body = &rest[open + 1..];
        // The closing delimiter: the next one not escaped by a backslash;
        // none means the value runs to the end of the message.
        let mut end = body.len();
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' && delim == '"' {
                escaped = true;
            } else if c == delim {
                end = i;
                break;
            }
        }
        let value = &body[..end];
        if quotable(value) {
            out.push(delim);
            out.push_str(value);
            if end < body.len() {
                out.push(delim);
            }
        } else {
            out.push_str(&redact(value.as_bytes()));
        }
        rest = body.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    sanitize(&out)
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
    fn fingerprint_is_frozen_and_depends_on_the_secret_alone() {
        let a = fingerprint(b"abc");
        assert_eq!(a, fingerprint(b"abc"));
        assert_ne!(a, fingerprint(b"abd"));
        // Frozen format: sha256 of "keyaudit-secret-v2\0abc".
        assert_eq!(
            a,
            "sha256:12ec086407b458ebfff07ab6ed003a5bfad5072ed5d6196b8f5e1ce5e92ffcc8"
        );
        // One value matched by two rules: one fingerprint, two legacy ones.
        let (k, s) = (
            secret_ref("binance-api-key", b"abc"),
            secret_ref("generic-api-secret", b"abc"),
        );
        assert_eq!(k.fingerprint, s.fingerprint);
        assert_ne!(k.legacy, s.legacy);
        assert_ne!(a, legacy_fingerprint("binance-api-key", b"abc"));
    }

    #[test]
    fn legacy_fingerprint_is_frozen_and_depends_on_rule_and_secret() {
        let a = legacy_fingerprint("binance-api-key", b"abc");
        assert_ne!(a, legacy_fingerprint("binance-api-secret", b"abc"));
        assert_ne!(a, legacy_fingerprint("binance-api-key", b"abd"));
        // Frozen format: sha256 of "binance-api-key\0abc".
        assert_eq!(
            a,
            "sha256:59bcba35bf865615fefae3cff43bb76e3315060b533db84d8dbd7a383cbec162"
        );
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
    fn subject_fingerprint_is_frozen_and_apart_from_the_message_one() {
        let a = subject_fingerprint("manifest-withdraw", "keyaudit.toml", "grid");
        assert_ne!(
            a,
            subject_fingerprint("manifest-withdraw", "keyaudit.toml", "dca")
        );
        assert_ne!(
            a,
            subject_fingerprint("manifest-withdraw", "other.toml", "grid")
        );
        assert_ne!(
            subject_fingerprint("r", "p", "m"),
            finding_fingerprint("r", "p", "m")
        );
        // Frozen format: sha256 of "keyaudit-subject-v1\0r\0p\0m".
        assert_eq!(
            subject_fingerprint("r", "p", "m"),
            "sha256:d431677423e03db82df041f9ce356f9f2ce1bfc0e249ae2271698438c7728e56"
        );
    }

    #[test]
    fn sanitize_strips_escape_sequences() {
        assert_eq!(sanitize("a\x1b[31mb\n"), "a\u{FFFD}[31mb\u{FFFD}");
    }

    #[test]
    fn sanitize_neutralises_bidi_and_invisible_format_characters() {
        for c in [
            '\u{200B}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{061C}',
            '\u{FEFF}',
            '\u{2028}',
            '\u{E0041}',
        ] {
            let shown = sanitize(&format!("a{c}b"));
            assert_eq!(shown, "a\u{FFFD}b", "U+{:04X}", c as u32);
        }
        assert_eq!(sanitize("café/日本.txt"), "café/日本.txt");
    }

    #[test]
    fn names_are_quoted_and_values_that_may_be_secrets_are_redacted() {
        for name in [
            "spot_trde",
            "binanse",
            "Enable Withdrawls",
            "203.0.113.300",
            "docs/[a",
            "my server",
            "v2",
        ] {
            assert_eq!(quote(name), format!("\"{name}\""));
        }
        let secret = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
        for value in [
            secret.to_string(),
            format!("BINANCE_API_SECRET={secret}"),
            "Tr4d3rPass2024".into(),
            "hunter2=x".into(),
            "pass phrase with $ign".into(),
            "a".repeat(25),
            "a\x1b[31m".into(),
        ] {
            let shown = quote(&value);
            assert!(
                !shown.contains(&value),
                "value of {} chars shown whole",
                value.len()
            );
            assert!(shown.ends_with(&format!("({} chars)", value.chars().count())));
        }
    }

    #[test]
    fn scrub_redacts_the_values_a_parser_quotes() {
        let secret = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
        let msg =
            format!("invalid type: string \"BINANCE_API_SECRET={secret}\", expected a sequence");
        assert_eq!(
            scrub(&msg),
            "invalid type: string BINA… (83 chars), expected a sequence"
        );
        let msg = format!("unknown field `{secret}`, expected one of `name`, `exchange`");
        assert_eq!(
            scrub(&msg),
            "unknown field vmPU… (64 chars), expected one of `name`, `exchange`"
        );
        // An escaped quote does not end the value; an unclosed one runs to the end.
        let msg = format!("invalid value: string \"a\\\"{secret}\"");
        assert!(!scrub(&msg).contains(secret));
        assert!(!scrub(&format!("x \"{secret}")).contains(secret));
        assert_eq!(scrub("unknown field `bots`"), "unknown field `bots`");
        assert_eq!(scrub("bad \x1b[2J"), "bad \u{FFFD}[2J");
    }
}
