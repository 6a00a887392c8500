//! Paths a run leaves out (`--exclude`, `[scan] exclude`), read the way
//! `.gitignore` reads them, and the count of what only the scanned
//! repository's own patterns left out.

use crate::redact;

/// Path patterns to leave out, matched against repository-relative paths
/// with '/' separators, the way `.gitignore` reads them: a pattern without a
/// '/' matches at any depth (`*.lock`, `fixtures`), `*` stays within one
/// folder and `**` crosses folders, and a pattern that names a folder
/// excludes everything under it.
#[derive(Clone, Debug, Default)]
pub struct Exclude {
    set: Option<globset::GlobSet>,
    /// The scanned repository's own `[scan] exclude` patterns, kept apart so
    /// that what they alone leave out is counted for the report.
    repo: Option<RepoExclude>,
}

/// Patterns from the scanned repository's own `keyaudit.toml`, and the
/// distinct paths only they left out (shared by every clone, every source).
#[derive(Clone, Debug)]
struct RepoExclude {
    set: globset::GlobSet,
    hits: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// At most this many exclude patterns (`[scan] exclude` and `--exclude`
/// together): each becomes two globs, and a set of them is compiled in time
/// and memory that grow with their number.
pub const MAX_EXCLUDE_PATTERNS: usize = 10_000;

/// At most this many bytes in one exclude pattern.
pub const MAX_EXCLUDE_LEN: usize = 1_024;

impl Exclude {
    /// Compiles the patterns. `config.rs` has checked each `[scan] exclude`
    /// pattern ([`Exclude::check`]) and their number, and reports a bad one
    /// at its file, line and column, so a pattern named here came from
    /// `--exclude`. The error quotes it through [`redact::quote`], or says
    /// that there are too many, or that together they are too complex.
    pub fn new(patterns: &[String]) -> Result<Exclude, String> {
        if patterns.is_empty() {
            return Ok(Exclude::default());
        }
        if patterns.len() > MAX_EXCLUDE_PATTERNS {
            return Err(format!(
                "{} exclude patterns ([scan] exclude and --exclude together); at most \
                 {MAX_EXCLUDE_PATTERNS} are allowed",
                patterns.len()
            ));
        }
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let globs = Exclude::globs(pattern)
                .map_err(|why| format!("--exclude {} {why}", redact::quote(pattern)))?;
            for glob in globs {
                builder.add(glob);
            }
        }
        let set = builder.build().map_err(|e| {
            format!(
                "the {} exclude patterns ([scan] exclude and --exclude) are too many or too complex \
                 to compile together ({})",
                patterns.len(),
                redact::scrub(&e.to_string())
            )
        })?;
        Ok(Exclude {
            set: Some(set),
            repo: None,
        })
    }

    /// `trusted` (the command line's, or `--config FILE`'s) and `repo` (the
    /// scanned repository's own `keyaudit.toml`): both exclude, and what only
    /// `repo` excludes is counted ([`Exclude::excluded_by_repo_config`]).
    pub fn with_repo(trusted: &[String], repo: &[String]) -> Result<Exclude, String> {
        let mut exclude = Exclude::new(trusted)?;
        exclude.repo = Exclude::new(repo)?.set.map(|set| RepoExclude {
            set,
            hits: Default::default(),
        });
        Ok(exclude)
    }

    /// Checks one pattern alone, without compiling a set: why it is not
    /// usable ("is not a valid glob: …"), to follow the quoted pattern.
    pub fn check(pattern: &str) -> Result<(), String> {
        Exclude::globs(pattern).map(drop)
    }

    /// The two globs a pattern stands for: the path itself and everything under it.
    fn globs(pattern: &str) -> Result<[globset::Glob; 2], String> {
        if pattern.len() > MAX_EXCLUDE_LEN {
            return Err(format!("is longer than {MAX_EXCLUDE_LEN} bytes"));
        }
        let trimmed = pattern
            .trim()
            .trim_start_matches("./")
            .trim_end_matches('/');
        let anchored = trimmed.strip_prefix('/').unwrap_or(trimmed);
        let base = if trimmed.contains('/') {
            anchored.to_string()
        } else {
            format!("**/{anchored}")
        };
        let build = |glob: &str| {
            globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    format!(
                        "is not a valid glob: {}",
                        redact::scrub(&e.kind().to_string())
                    )
                })
        };
        Ok([build(&base)?, build(&format!("{base}/**"))?])
    }

    /// True when `rel` (relative, '/'-separated) is excluded.
    pub fn matches(&self, rel: &str) -> bool {
        if self.set.as_ref().is_some_and(|s| s.is_match(rel)) {
            return true;
        }
        let Some(repo) = &self.repo else {
            return false;
        };
        if !repo.set.is_match(rel) {
            return false;
        }
        if let Ok(mut hits) = repo.hits.lock()
            && !hits.contains(rel)
        {
            hits.insert(rel.to_string());
        }
        true
    }

    /// How many distinct paths (a folder counts once) only the repository's
    /// own patterns left out so far.
    pub fn excluded_by_repo_config(&self) -> u64 {
        self.repo
            .as_ref()
            .and_then(|r| r.hits.lock().ok().map(|h| h.len() as u64))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::Exclude;

    #[test]
    fn exclude_patterns_read_like_gitignore() {
        let e = Exclude::new(&[
            "fixtures".into(),
            "*.lock".into(),
            "docs/*.md".into(),
            "/vendor/".into(),
        ])
        .unwrap();
        assert!(e.matches("fixtures"));
        assert!(e.matches("fixtures/leaky-bot/config.py"));
        assert!(e.matches("sub/fixtures/a.py"));
        assert!(e.matches("Cargo.lock") && e.matches("bots/node/yarn.lock"));
        assert!(e.matches("docs/intro.md"));
        assert!(!e.matches("docs/api/intro.md"));
        assert!(e.matches("vendor/x/y.py"));
        assert!(!e.matches("src/vendor.py"));
        assert!(!e.matches("config.py"));
        assert!(!Exclude::default().matches("anything"));
        assert!(Exclude::new(&["a[".into()]).unwrap_err().contains("a["));
    }

    #[test]
    fn what_only_the_repository_excludes_is_counted_once_per_path() {
        let e = Exclude::with_repo(&["*.lock".into()], &["**".into()]).unwrap();
        assert!(e.matches("a.lock") && e.matches("b.py") && e.matches("b.py"));
        assert!(e.matches("src/c.py"));
        assert_eq!(e.excluded_by_repo_config(), 2);
        assert_eq!(e.clone().excluded_by_repo_config(), 2);
        assert_eq!(Exclude::default().excluded_by_repo_config(), 0);
    }
}
