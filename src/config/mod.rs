//! `keyaudit.toml`: parsed with unknown keys rejected and positions kept, then
//! validated into a [`Config`]. A malformed file is an error naming the file,
//! line and column, with a hint. Command-line values override file values in
//! `app/settings.rs`.
//!
//! The `[[key]]` tables (the permission manifest) are accepted here and left to
//! the manifest check. `[[rule]]` (custom detection rules) and `[[allow]]`
//! (allowlist entries) are checked here, each regex compiled under the size
//! bounds below, so that a bad one is an error at its own position; the
//! catalog turns the rules into engine rules (`catalog::custom_rules`) and
//! `allow.rs` compiles the entries for the filter stage.
//!
//! The checks of `[[rule]]` and `[[allow]]` tables are in `custom.rs`, line
//! and column lookups in `lines.rs`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exit::FailOn;

mod custom;
mod lines;
#[cfg(test)]
mod tests;

pub use custom::{
    AllowEntry, CustomRule, MAX_ALLOW_ENTRIES, MAX_CUSTOM_RULES, MAX_REGEX_LEN, REGEX_SIZE_LIMIT,
    compile_regex,
};
pub use lines::{Lines, line_col};

use custom::{ALLOW_HINT, RULE_HINT, allow_entry, custom_rule, severity_named};

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

/// The folder a PATH argument stands for: itself, or a file's folder. Where
/// `keyaudit.toml`, the manifest and the baseline file are looked for.
pub fn folder_of(path: &Path) -> &Path {
    if path.is_file() {
        path.parent().unwrap_or(Path::new("."))
    } else {
        path
    }
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
