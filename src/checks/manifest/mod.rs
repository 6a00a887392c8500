//! The permission manifest: `[[key]]` tables in `keyaudit.toml` (or the file
//! named by `--manifest`), parsed with positions and checked against the
//! permission vocabulary in [`super::permissions`] (SPEC.md, "Permission
//! manifest").
//!
//! A manifest that cannot be read as one (malformed TOML, a missing field, a
//! wrong type, an unknown key, exchange or permission name) is a
//! [`ManifestError`] naming the file, line and column with the nearest known
//! names: exit 2. A valid manifest yields findings (check `manifest`), each at
//! the manifest line and column it is about. The cross-check reads the files
//! of the run's one walk (`source::walk`, so `--exclude` applies) for env
//! variables the code reads and compares them with the declared ones. `--init` writes a commented template.
//!
//! - `parse`: the file, parsed and validated with positions;
//! - `evaluate`: the findings of a valid manifest;
//! - `reads`: the env variables the code reads, and the cross-check;
//! - `init`: the `--init` template;
//! - here: the entry points.
//!
//! Left to others: the `[scan]` section (`config/`), `.env` files (the env
//! check), printing (`app/`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::permissions::{self, Class, Exchange, Model, Scope};
use crate::catalog;
use crate::config::{Lines, folder_of};
use crate::finding::{Check, Confidence, Finding, Location, Severity, Source};
use crate::redact;
use crate::source::Workspace;
use crate::source::gate::{self, Content};
use crate::source::walk::{Tree, relative};

mod evaluate;
mod init;
mod parse;
mod reads;
#[cfg(test)]
mod tests;

use evaluate::*;
pub use evaluate::{evaluate, finding, scope_list};
pub use init::{Written, init, template};
use parse::*;
pub use parse::{At, Key, Manifest, Permission, Pos, parse};
use reads::*;
pub use reads::{EnvRead, credential_exchange, cross_check, env_reads};

/// The manifest's default file name, at the repository root.
pub const DEFAULT_FILE: &str = "keyaudit.toml";

/// Rule ids of manifest findings (stable; never reused).
pub mod rule {
    pub const WITHDRAW: &str = "manifest-withdraw";
    pub const TRANSFER: &str = "manifest-transfer";
    pub const BEYOND_TRADE: &str = "manifest-beyond-trade";
    pub const MISSING_SCOPE: &str = "manifest-missing-scope";
    pub const SHARED_KEY: &str = "manifest-shared-key";
    pub const NO_IP_ALLOWLIST: &str = "manifest-no-ip-allowlist";
    pub const NO_PERMISSION_MODEL: &str = "manifest-no-permission-model";
    pub const MISSING: &str = "manifest-missing";
    pub const UNDECLARED_KEY: &str = "manifest-undeclared-key";
    pub const UNUSED_ENV: &str = "manifest-unused-env";
}

/// Why the manifest could not be checked (exit 2).
#[derive(Debug)]
pub enum ManifestError {
    /// The file could not be read (or, for `--init`, written).
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    /// The file is not a valid manifest; the position is 1-based.
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        hint: String,
    },
    /// `--init` would overwrite this file.
    Exists { path: PathBuf },
    /// The file is not one keyaudit reads or writes (a symlink the
    /// repository supplies, a FIFO, too large): see [`crate::files`].
    File(crate::files::FileError),
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Io {
                path,
                action,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            ManifestError::Invalid {
                path,
                line,
                column,
                message,
                hint,
            } => write!(
                f,
                "{}:{line}:{column}: {}\nhint: {hint}",
                path.display(),
                message.trim_end()
            ),
            ManifestError::Exists { path } => write!(
                f,
                "{} already exists; not overwriting it\nhint: add [[key]] tables to it by hand, \
                 or write the template elsewhere with --manifest FILE",
                path.display()
            ),
            ManifestError::File(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ManifestError::Io { source, .. } => Some(source),
            ManifestError::File(e) => e.source(),
            _ => None,
        }
    }
}

// ---- Entry points -------------------------------------------------------------

/// The manifest as reports show it: relative to the root where it lies inside.
fn display_path(root: &Path, file: &Path) -> String {
    if let Ok(rel) = file.strip_prefix(root) {
        return relative(Path::new(""), rel);
    }
    if let (Ok(r), Ok(f)) = (root.canonicalize(), file.canonicalize())
        && let Ok(rel) = f.strip_prefix(&r)
    {
        return relative(Path::new(""), rel);
    }
    file.to_string_lossy().replace('\\', "/")
}

fn missing(path: &str) -> Finding {
    finding(
        rule::MISSING,
        Severity::Low,
        Source::Manifest,
        path,
        None,
        format!(
            "no permission manifest: no [[key]] table in {path} says which permissions the bot's exchange keys have"
        ),
        "Run `keyaudit manifest --init` to write a commented keyaudit.toml that lists the exchanges and env \
         variables this repository uses, then fill in each key's permissions as its exchange's API page shows \
         them. keyaudit then checks them: read + trade only, never withdraw, one key per bot, an IP allowlist."
            .into(),
    ).about("")
}

/// The manifest check on the repository at `root`: `manifest` is `--manifest
/// FILE`, else `keyaudit.toml` at the root. A repository with no manifest (or
/// one with no `[[key]]` table) gets a single low finding saying how to write
/// one. A named file that cannot be read, and an invalid manifest, are errors.
/// With `verify` (`--verify`), each key is also asked about at its exchange
/// (`verify::keys`); the keys that could not be asked about are returned as
/// problems.
pub fn check(
    ws: &Workspace,
    manifest: Option<&Path>,
    verify: Option<&crate::verify::session::Session>,
) -> Result<(Vec<Finding>, Vec<crate::source::Problem>), ManifestError> {
    let dir = folder_of(ws.root());
    use crate::files::{self, Origin};
    let (file, origin) = match manifest {
        Some(path) => (path.to_path_buf(), Origin::CommandLine),
        None => (dir.join(DEFAULT_FILE), Origin::Repository),
    };
    let text = match files::read(&file, "manifest", origin, files::MAX_CONFIG_SIZE) {
        Ok(text) => text,
        Err(e) if origin == Origin::Repository && e.is_not_found() => {
            return Ok((vec![missing(DEFAULT_FILE)], Vec::new()));
        }
        Err(e) => return Err(ManifestError::File(e)),
    };
    let parsed = parse(&file, &text)?;
    let shown = display_path(dir, &file);
    if parsed.keys.is_empty() {
        return Ok((vec![missing(&shown)], Vec::new()));
    }
    let mut findings = evaluate(&parsed, &shown);
    findings.extend(cross_check(&parsed, &workspace_reads(ws, dir), &shown));
    let mut problems = Vec::new();
    if let Some(session) = verify {
        let verified = crate::verify::keys::check(&parsed, &shown, ws, session);
        findings.extend(verified.findings);
        problems.extend(verified.problems);
    }
    // Findings of one rule on one line are joined by the filter stage.
    Ok((findings, problems))
}
