//! `--fix` for the `.env` check: appends the missing lines to the root
//! `.gitignore`, nothing else.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;

use super::FileCheck;

/// `--fix`: appends the missing lines to the root `.gitignore`, keeping its
/// content and line endings; idempotent. Returns the lines added.
pub fn fix(workdir: &Path, check: &FileCheck) -> Result<Vec<String>> {
    use crate::files::{self, Existing, Origin};
    let path = workdir.join(".gitignore");
    // A symlinked .gitignore is refused (exit 2), never read or appended
    // through: its target is outside the repository (and git ignores it).
    let existing = match files::read(
        &path,
        ".gitignore",
        Origin::Repository,
        files::MAX_CONFIG_SIZE,
    ) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => String::new(),
        Err(e) => return Err(e.into()),
    };
    let present: BTreeSet<&str> = existing.lines().map(str::trim).collect();
    let mut add: Vec<String> = check
        .missing_ignore_lines
        .iter()
        .filter(|l| !present.contains(l.as_str()))
        .cloned()
        .collect();
    if add.is_empty() {
        return Ok(add);
    }
    if add.iter().any(|l| l == ".env.*") && !present.contains("!.env.example") {
        add.push("!.env.example".into());
    }
    let eol = if existing.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(eol);
    }
    for line in &add {
        text.push_str(line);
        text.push_str(eol);
    }
    files::write(&path, ".gitignore", Existing::Replace, &text)?;
    Ok(add)
}
