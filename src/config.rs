//! `keyaudit.toml`: parsed with unknown keys rejected and positions kept, then
//! validated into a [`Config`]. A malformed file is an error naming the file,
//! line and column, with a hint. Command-line values override file values in
//! `app.rs`.
//!
//! The `[[key]]` tables (the permission manifest) are accepted here and left to
//! the manifest check.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Settings read from the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub max_file_size: Option<u64>,
    /// `[scan] exclude`: path patterns never scanned.
    pub exclude: Vec<String>,
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    max_file_size: Option<toml::Spanned<Size>>,
    exclude: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

const HINT: &str = "keyaudit.toml knows [scan] max_file_size (bytes, or a string like \"16MiB\"), [scan] exclude (a list of path globs) and [[key]] manifest tables";

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
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        error(
            e.span().map_or(0, |s| s.start),
            crate::redact::scrub(e.message()),
            HINT,
        )
    })?;
    let mut config = Config::default();
    let (size, exclude) = raw
        .scan
        .map_or((None, None), |s| (s.max_file_size, s.exclude));
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
    Ok(config)
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
