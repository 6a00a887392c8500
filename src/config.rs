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
    exclude: Option<Vec<toml::Spanned<String>>>,
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

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
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

/// Parses the text of a config file.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().to_string(),
            hint: HINT,
        }
    })?;
    let mut config = Config::default();
    let (size, exclude) = raw
        .scan
        .map_or((None, None), |s| (s.max_file_size, s.exclude));
    for pattern in exclude.unwrap_or_default() {
        let span = pattern.span();
        let pattern = pattern.into_inner();
        if let Err(message) = crate::scan::Exclude::new(std::slice::from_ref(&pattern)) {
            let (line, column) = line_col(text, span.start);
            return Err(ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message,
                hint: "exclude patterns are globs: `fixtures`, `*.lock`, `docs/**/*.md`",
            });
        }
        config.exclude.push(pattern);
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
                let (line, column) = line_col(text, span.start);
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: "max_file_size must be a positive size".into(),
                    hint: "write it as bytes (16777216) or with a unit (\"16MiB\")",
                });
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
}
