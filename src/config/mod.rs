//! `keyaudit.toml`: parsed with unknown keys rejected and positions kept, then
//! validated into a [`Config`]. A malformed file is an error naming the file,
//! line and column, with a hint. Command-line values override file values in
//! `app.rs`.
//!
//! The `[[key]]` tables (the permission manifest) are accepted here and left to
//! the manifest check. `[[rule]]` (custom detection rules) and `[[allow]]`
//! (allowlist entries) are checked here, each regex compiled under the size
//! bounds below, so that a bad one is an error at its own position; the
//! catalog turns the rules into engine rules (`catalog::custom_rules`) and
//! `allow.rs` compiles the entries for the filter stage.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exit::FailOn;
use crate::finding::Severity;

/// Settings read from the file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub max_file_size: Option<u64>,
    /// `[scan] exclude`: path patterns never scanned.
    pub exclude: Vec<String>,
    /// `[scan] fail_on`: the lowest severity that fails a run (`--fail-on` wins).
    pub fail_on: Option<FailOn>,
    /// `[[rule]]`: custom detection rules, checked.
    pub rules: Vec<CustomRule>,
    /// `[[allow]]`: allowlist entries, checked.
    pub allow: Vec<AllowEntry>,
}

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

/// A config error with the position it applies to.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}\nhint: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message.trim_end(),
            self.hint
        )
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scan: Option<RawScan>,
    /// The permission manifest; validated by its own check.
    #[allow(dead_code)]
    key: Option<Vec<toml::Table>>,
    rule: Option<Vec<toml::Spanned<RawRule>>>,
    allow: Option<Vec<toml::Spanned<RawAllow>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: toml::Spanned<String>,
    regex: toml::Spanned<String>,
    keywords: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
    min_entropy: Option<toml::Spanned<f64>>,
    severity: Option<toml::Spanned<String>>,
    description: Option<String>,
    remediation: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    reason: Option<toml::Spanned<String>>,
    paths: Option<Vec<toml::Spanned<String>>>,
    secrets: Option<Vec<toml::Spanned<String>>>,
    fingerprints: Option<Vec<toml::Spanned<String>>>,
    rules: Option<Vec<toml::Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    max_file_size: Option<toml::Spanned<Size>>,
    exclude: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
    fail_on: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

const HINT: &str = "keyaudit.toml knows [scan] max_file_size (bytes, or a string like \"16MiB\"), [scan] exclude (a list of path globs), [scan] fail_on, [[rule]] custom rules, [[allow]] allowlist entries and [[key]] manifest tables";

const RULE_HINT: &str = "a [[rule]] has id (kebab-case), regex (with one capture group, or one named `secret`), keywords (a non-empty list), and optionally min_entropy, severity, description, remediation";

const ALLOW_HINT: &str = "an [[allow]] entry has a reason and at least one of paths (globs), secrets (regexes on the whole secret), fingerprints (\"sha256:…\") and rules (rule ids)";

/// A severity named in the file.
fn severity_named(name: &str) -> Option<Severity> {
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

/// The folder a PATH argument stands for: itself, or a file's folder. Where
/// `keyaudit.toml`, the manifest and the baseline file are looked for.
pub fn folder_of(path: &Path) -> &Path {
    if path.is_file() {
        path.parent().unwrap_or(Path::new("."))
    } else {
        path
    }
}

/// 1-based line and column of a byte offset (the column counts characters).
/// One lookup reads the text up to `offset`; for many, build a [`Lines`].
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    Lines::new(text).line_col(offset)
}

/// Line and column lookups in one text, each in O(log lines) plus at most
/// [`Lines::STRIDE`] bytes, so that positioning every match or value of a
/// large file stays linear in its size.
pub struct Lines<'a> {
    text: &'a [u8],
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Characters before each multiple of `STRIDE` bytes.
    chars: Vec<usize>,
}

impl<'a> Lines<'a> {
    const STRIDE: usize = 256;

    pub fn new(text: &'a str) -> Lines<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(line_ends(bytes));
        let mut chars = Vec::with_capacity(bytes.len() / Self::STRIDE + 1);
        let mut count = 0;
        for chunk in bytes.chunks(Self::STRIDE) {
            chars.push(count);
            count += chunk.iter().filter(|b| is_char_start(**b)).count();
        }
        chars.push(count);
        Lines {
            text: bytes,
            starts,
            chars,
        }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / Self::STRIDE;
        let from = block * Self::STRIDE;
        self.chars[block]
            + self.text[from..offset]
                .iter()
                .filter(|b| is_char_start(**b))
                .count()
    }

    /// 1-based line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.chars_before(offset) - self.chars_before(start) + 1;
        (line, column)
    }
}

/// Offsets just past each `\n`.
fn line_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

/// True for the first byte of a UTF-8 character (not a continuation byte).
fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// Parses a size: bytes as an integer, or a number with a unit (K, KB, KiB, M, MiB, G, GiB).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Parses the text of a config file. Every value an error quotes goes
/// through [`crate::redact`]: the file may hold a secret where a pattern
/// belongs.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let lines = Lines::new(text);
    let error = |offset: usize, message: String, hint: &'static str| {
        let (line, column) = lines.line_col(offset);
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message,
            hint,
        }
    };
    let mut raw: RawFile = toml::from_str(text).map_err(|e| {
        error(
            e.span().map_or(0, |s| s.start),
            crate::redact::scrub(e.message()),
            HINT,
        )
    })?;
    let mut config = Config::default();
    let (size, exclude) = raw
        .scan
        .as_mut()
        .map_or((None, None), |s| (s.max_file_size.take(), s.exclude.take()));
    if let Some(list) = exclude {
        let span = list.span();
        let patterns = list.into_inner();
        if let Some(extra) = patterns.get(crate::source::MAX_EXCLUDE_PATTERNS) {
            return Err(error(
                extra.span().start,
                format!(
                    "{} exclude patterns; at most {} are allowed",
                    patterns.len(),
                    crate::source::MAX_EXCLUDE_PATTERNS
                ),
                "exclude folders (`fixtures`) or use globs (`*.lock`) rather than listing files",
            ));
        }
        for pattern in patterns {
            if let Err(why) = crate::source::Exclude::check(pattern.get_ref()) {
                return Err(error(
                    pattern.span().start,
                    format!(
                        "exclude pattern {} {why}",
                        crate::redact::quote(pattern.get_ref())
                    ),
                    "exclude patterns are globs: `fixtures`, `*.lock`, `docs/**/*.md`",
                ));
            }
            config.exclude.push(pattern.into_inner());
        }
        if let Err(message) = crate::source::Exclude::new(&config.exclude) {
            return Err(error(
                span.start,
                message,
                "use fewer or simpler exclude patterns: folders (`fixtures`) and globs (`*.lock`)",
            ));
        }
    }
    if let Some(size) = size {
        let span = size.span();
        let bytes = match size.into_inner() {
            Size::Bytes(b) => Some(b),
            Size::Text(t) => parse_size(&t),
        };
        match bytes {
            Some(b) if b > 0 => config.max_file_size = Some(b),
            _ => {
                return Err(error(
                    span.start,
                    "max_file_size must be a positive size".into(),
                    "write it as bytes (16777216) or with a unit (\"16MiB\")",
                ));
            }
        }
    }
    if let Some(fail_on) = raw.scan.as_ref().and_then(|s| s.fail_on.as_ref()) {
        config.fail_on = Some(match fail_on.get_ref().as_str() {
            "never" => FailOn::Never,
            name => FailOn::At(severity_named(name).ok_or_else(|| {
                error(
                    fail_on.span().start,
                    format!("fail_on {} is not a severity", crate::redact::quote(name)),
                    "fail_on is one of \"critical\", \"high\", \"medium\", \"low\", \"never\"",
                )
            })?),
        });
    }
    let rules = raw.rule.unwrap_or_default();
    if let Some(extra) = rules.get(MAX_CUSTOM_RULES) {
        return Err(error(
            extra.span().start,
            format!(
                "{} [[rule]] tables; at most {MAX_CUSTOM_RULES} are allowed",
                rules.len()
            ),
            RULE_HINT,
        ));
    }
    for rule in rules {
        let rule = custom_rule(rule.into_inner(), &config.rules, &error)?;
        config.rules.push(rule);
    }
    let entries = raw.allow.unwrap_or_default();
    if let Some(extra) = entries.get(MAX_ALLOW_ENTRIES) {
        return Err(error(
            extra.span().start,
            format!(
                "{} [[allow]] entries; at most {MAX_ALLOW_ENTRIES} are allowed",
                entries.len()
            ),
            ALLOW_HINT,
        ));
    }
    for entry in entries {
        let start = entry.span().start;
        let (line, _) = lines.line_col(start);
        let mut checked = allow_entry(entry.into_inner(), start, &config.rules, &error)?;
        checked.at = format!("{}:{line}", path.display());
        config.allow.push(checked);
    }
    Ok(config)
}

/// How [`parse`] makes an error at a byte offset.
type MakeError<'a> = dyn Fn(usize, String, &'static str) -> ConfigError + 'a;

/// Checks one `[[rule]]` table (`before`: the tables above it).
fn custom_rule(
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
fn allow_entry(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB"), Some(16 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("2 G"), Some(2 << 30));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn parses_scan_section_and_keeps_manifest_tables() {
        let c = parse(
            Path::new("k.toml"),
            "[scan]\nmax_file_size = \"1MiB\"\n\n[[key]]\nname = \"a\"\n",
        )
        .unwrap();
        assert_eq!(c.max_file_size, Some(1 << 20));
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = parse(Path::new("k.toml"), "[scan]\nmax_file_sise = 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.to_string().starts_with("k.toml:2:1: "), "{e}");
        let e = parse(Path::new("k.toml"), "[scan]\nmax_file_size = \"big\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 17));
        let e = parse(Path::new("k.toml"), "[scan\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn lines_agree_with_a_plain_count() {
        let text = "ab\néé\n\n日本語x\r\nlast".repeat(40);
        let lines = Lines::new(&text);
        for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
            assert_eq!(lines.line_col(offset), (line, column), "offset {offset}");
        }
        assert_eq!(Lines::new("").line_col(5), (1, 1));
    }
}
