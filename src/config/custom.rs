//! The `[[rule]]` (custom detection rules) and `[[allow]]` (allowlist
//! entries) tables of `keyaudit.toml`: their checked forms, the bounds on
//! them, and the checks that turn a raw table into one or an error at its
//! own position.

use super::{ConfigError, MakeError, RawAllow, RawRule};
use crate::finding::Severity;

/// One `[[rule]]` table: a leak rule the engine runs beside the built-in ones.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomRule {
    /// Kebab-case, not a built-in rule's id.
    pub id: String,
    /// Compiles, with a group named `secret` or exactly one capture group.
    pub regex: String,
    /// Non-empty: the rule runs only on content holding one (ASCII case-insensitive).
    pub keywords: Vec<String>,
    pub min_entropy: f64,
    pub severity: Severity,
    pub description: String,
    pub remediation: String,
}

/// One `[[allow]]` table: findings it names are left out of the report.
/// Every field given must match (and any item of a list); at least one of
/// `paths`, `secrets`, `fingerprints` and `rules` is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowEntry {
    pub reason: String,
    /// Path globs, read like `[scan] exclude`.
    pub paths: Vec<String>,
    /// Regexes the whole secret must match.
    pub secrets: Vec<String>,
    /// `sha256:` + 64 hex digits, as reports and baselines show them.
    pub fingerprints: Vec<String>,
    /// Rule ids (built-in or custom).
    pub rules: Vec<String>,
    /// Where the entry starts in its file (`file:line`), for warnings.
    pub at: String,
}

/// At most this many `[[rule]]` tables, and this many `[[allow]]` tables.
pub const MAX_CUSTOM_RULES: usize = 1_000;
pub const MAX_ALLOW_ENTRIES: usize = 1_000;
/// At most this many bytes in one regex of a `[[rule]]` or an `[[allow]]` entry.
pub const MAX_REGEX_LEN: usize = 4 * 1024;
/// At most this many bytes for one compiled regex (`regex`'s own default is 10 MiB).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a user-supplied regex (bytes, as the engine reads content) under
/// [`REGEX_SIZE_LIMIT`]. The error says why without echoing the pattern (it
/// may hold a literal secret).
pub fn compile_regex(pattern: &str) -> Result<regex::bytes::Regex, String> {
    if pattern.len() > MAX_REGEX_LEN {
        return Err(format!("is longer than {MAX_REGEX_LEN} bytes"));
    }
    regex::bytes::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => {
                format!("compiles to more than {REGEX_SIZE_LIMIT} bytes")
            }
            // The parser's message shows the pattern, then "error: why".
            other => {
                let text = other.to_string();
                let why = text
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("error: "))
                    .unwrap_or("is not a valid regex");
                format!("is not a valid regex: {}", crate::redact::scrub(why))
            }
        })
}

pub(super) const RULE_HINT: &str = "a [[rule]] has id (kebab-case), regex (with one capture group, or one named `secret`), keywords (a non-empty list), and optionally min_entropy, severity, description, remediation";

pub(super) const ALLOW_HINT: &str = "an [[allow]] entry has a reason and at least one of paths (globs), secrets (regexes on the whole secret), fingerprints (\"sha256:…\") and rules (rule ids)";

/// A severity named in the file.
pub(super) fn severity_named(name: &str) -> Option<Severity> {
    match name {
        "critical" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "medium" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        _ => None,
    }
}

/// True for a kebab-case id: lower-case letters and digits in parts joined by `-`.
fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Checks one `[[rule]]` table (`before`: the tables above it).
pub(super) fn custom_rule(
    raw: RawRule,
    before: &[CustomRule],
    error: &MakeError<'_>,
) -> Result<CustomRule, ConfigError> {
    let id = raw.id.get_ref();
    let id_at = raw.id.span().start;
    if !is_kebab(id) {
        return Err(error(
            id_at,
            format!("rule id {} is not kebab-case", crate::redact::quote(id)),
            "write ids like `acme-api-token`: lower-case letters and digits joined by `-`",
        ));
    }
    if crate::catalog::rule_info(id).is_some() {
        return Err(error(
            id_at,
            format!(
                "rule id {} is a built-in rule's id",
                crate::redact::quote(id)
            ),
            "pick another id (`keyaudit rules` lists the built-in ones), e.g. prefix it with your project's name",
        ));
    }
    if before.iter().any(|r| r.id == *id) {
        return Err(error(
            id_at,
            format!("rule id {} is given twice", crate::redact::quote(id)),
            "every [[rule]] needs its own id",
        ));
    }
    let regex_at = raw.regex.span().start;
    let compiled = compile_regex(raw.regex.get_ref()).map_err(|why| {
        error(
            regex_at,
            format!("the regex of rule {} {why}", crate::redact::quote(id)),
            "regexes use Rust `regex` syntax (no look-around, no backreferences); write `\\` for a backslash in a TOML \"string\", or use a 'literal string'",
        )
    })?;
    if compiled.capture_names().flatten().all(|n| n != "secret") && compiled.captures_len() != 2 {
        return Err(error(
            regex_at,
            format!(
                "the regex of rule {} has {} capture groups; it needs exactly one (the secret), or one named `secret`",
                crate::redact::quote(id),
                compiled.captures_len() - 1
            ),
            "capture the secret: `tok_([A-Za-z0-9]{32})` or `(?P<secret>…)`; make other groups non-capturing with `(?:…)`",
        ));
    }
    let keywords = match raw.keywords {
        Some(list) if !list.get_ref().is_empty() => list,
        other => {
            return Err(error(
                other.map_or(id_at, |l| l.span().start),
                format!("rule {} has no keywords", crate::redact::quote(id)),
                "keywords = [\"…\"]: words that always stand near the secret (its prefix, the variable name); the rule runs only on content holding one",
            ));
        }
    };
    let mut words = Vec::new();
    for word in keywords.into_inner() {
        if word.get_ref().trim().is_empty() || word.get_ref().len() > 256 {
            return Err(error(
                word.span().start,
                "a keyword must be 1 to 256 bytes and not blank".into(),
                RULE_HINT,
            ));
        }
        words.push(word.into_inner());
    }
    let min_entropy = match raw.min_entropy {
        Some(e) if !(0.0..=8.0).contains(e.get_ref()) => {
            return Err(error(
                e.span().start,
                "min_entropy must be between 0 and 8 (bits per byte)".into(),
                "3.0 to 4.5 suits random tokens; leave it out for none",
            ));
        }
        Some(e) => e.into_inner(),
        None => 0.0,
    };
    let severity = match raw.severity {
        None => Severity::High,
        Some(s) => severity_named(s.get_ref()).ok_or_else(|| {
            error(
                s.span().start,
                format!(
                    "severity {} is not a severity",
                    crate::redact::quote(s.get_ref())
                ),
                "severity is one of \"critical\", \"high\", \"medium\", \"low\"",
            )
        })?,
    };
    Ok(CustomRule {
        id: raw.id.into_inner(),
        regex: raw.regex.into_inner(),
        keywords: words,
        min_entropy,
        severity,
        description: raw
            .description
            .unwrap_or_else(|| "Custom rule from keyaudit.toml".into()),
        remediation: raw.remediation.unwrap_or_else(|| {
            "Revoke this credential where it was issued, replace it, and load the new one from a \
             gitignored .env file. Deleting the file does not help: it stays in git history."
                .into()
        }),
    })
}

/// Checks one `[[allow]]` entry starting at byte `start` (`custom`: the
/// file's `[[rule]]` ids, which its `rules` may name).
pub(super) fn allow_entry(
    raw: RawAllow,
    start: usize,
    custom: &[CustomRule],
    error: &MakeError<'_>,
) -> Result<AllowEntry, ConfigError> {
    let reason = match raw.reason {
        Some(r) if !r.get_ref().trim().is_empty() => r.into_inner(),
        Some(r) => {
            return Err(error(
                r.span().start,
                "the reason is blank".into(),
                ALLOW_HINT,
            ));
        }
        None => {
            return Err(error(
                start,
                "an [[allow]] entry has no reason".into(),
                "say why these findings are not leaks: reason = \"test fixtures: revoked keys\"",
            ));
        }
    };
    let strings = |list: Option<Vec<toml::Spanned<String>>>| list.unwrap_or_default();
    let (paths, secrets) = (strings(raw.paths), strings(raw.secrets));
    let (fingerprints, rules) = (strings(raw.fingerprints), strings(raw.rules));
    if paths.is_empty() && secrets.is_empty() && fingerprints.is_empty() && rules.is_empty() {
        return Err(error(
            start,
            "an [[allow]] entry names nothing to allow".into(),
            ALLOW_HINT,
        ));
    }
    for p in &paths {
        crate::source::Exclude::check(p.get_ref()).map_err(|why| {
            error(
                p.span().start,
                format!("allow path {} {why}", crate::redact::quote(p.get_ref())),
                "paths are globs read like [scan] exclude: `fixtures`, `*.lock`, `docs/**/*.md`",
            )
        })?;
    }
    for s in &secrets {
        compile_regex(s.get_ref()).map_err(|why| {
            error(
                s.span().start,
                format!(
                    "allow secret regex {} {why}",
                    crate::redact::quote(s.get_ref())
                ),
                "secrets are regexes matched against the whole secret (Rust `regex` syntax)",
            )
        })?;
    }
    for f in &fingerprints {
        let hex = f.get_ref().strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(error(
                f.span().start,
                format!(
                    "allow fingerprint {} is not sha256: and 64 hex digits",
                    crate::redact::quote(f.get_ref())
                ),
                "copy a finding's fingerprint from `--format json` or a baseline file",
            ));
        }
    }
    for r in &rules {
        let id = r.get_ref();
        if crate::catalog::rule_info(id).is_none() && !custom.iter().any(|c| c.id == *id) {
            let known: Vec<&str> = crate::catalog::rule_infos()
                .iter()
                .map(|i| i.id)
                .chain(custom.iter().map(|c| c.id.as_str()))
                .collect();
            let near = crate::checks::permissions::suggest(id, &known);
            let did_you_mean = match near.first() {
                Some(n) => format!("; did you mean \"{n}\"?"),
                None => String::new(),
            };
            return Err(error(
                r.span().start,
                format!(
                    "allow names unknown rule {}{did_you_mean}",
                    crate::redact::quote(id)
                ),
                "`keyaudit rules` lists every rule id",
            ));
        }
    }
    let into =
        |list: Vec<toml::Spanned<String>>| list.into_iter().map(|s| s.into_inner()).collect();
    Ok(AllowEntry {
        reason,
        paths: into(paths),
        secrets: into(secrets),
        fingerprints: into(fingerprints),
        rules: into(rules),
        at: String::new(),
    })
}
