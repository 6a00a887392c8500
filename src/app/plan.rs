//! Which checks one command makes, over which sources: the plan the
//! pipeline runs.

use anyhow::Result;

use crate::cli::ScanArgs;
use crate::source::history::Revisions;

/// Only a run that makes every check `baseline` makes can tell that a
/// baseline entry matched nothing because its finding is gone: `scan
/// --staged` (the pre-commit hook) or `manifest` see a part of the repository,
/// and would call every other entry stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StaleEntries {
    Warn,
    Ignore,
}

/// `scan`: the leak rules over what its flags name.
pub(super) fn scan_plan(args: &ScanArgs) -> Result<Plan> {
    Ok(Plan {
        sources: sources(args)?,
        leaks: true,
        env: EnvCheck::Off,
        manifest: false,
        stale_entries: StaleEntries::Ignore,
    })
}

/// `env`: the env check over the working tree, the index and the whole history.
pub(super) fn env_plan() -> Plan {
    Plan {
        sources: Sources::Tree {
            history: History::On,
        },
        leaks: false,
        env: EnvCheck::On,
        manifest: false,
        stale_entries: StaleEntries::Ignore,
    }
}

/// `audit` (and `baseline`): every check, over the working tree, the index
/// and (in a repository) the whole history.
pub(super) fn audit_plan() -> Plan {
    Plan {
        sources: Sources::Tree {
            history: History::IfRepository,
        },
        leaks: true,
        env: EnvCheck::IfRepository,
        manifest: true,
        stale_entries: StaleEntries::Warn,
    }
}

/// Which checks one run makes, over which sources.
pub(super) struct Plan {
    pub(super) sources: Sources,
    /// The built-in leak rules.
    pub(super) leaks: bool,
    /// The env check: its rules join the engine (one pass over every
    /// source), and its file checks run.
    pub(super) env: EnvCheck,
    /// The permission manifest check.
    pub(super) manifest: bool,
    /// Whether the run sees everything a baseline was written from.
    pub(super) stale_entries: StaleEntries,
}

/// Whether a run makes the env check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EnvCheck {
    Off,
    /// Asked for; not being in a repository is an error.
    On,
    /// When PATH is in a git repository (`audit`).
    IfRepository,
}

/// What a leak scan reads.
pub(super) enum Sources {
    /// Only the index's changes against HEAD.
    Staged,
    /// The working tree, and maybe every ref's history.
    Tree { history: History },
    /// Only the commits of `--since` or `--range`: what a pull request adds.
    /// The working tree is left out, since it holds everything before the range too.
    Range(Revisions),
}

pub(super) enum History {
    Off,
    /// When PATH is in a git repository (`audit`).
    IfRepository,
    /// Asked for; not being in a repository is an error.
    On,
}

fn sources(args: &ScanArgs) -> Result<Sources> {
    if args.staged {
        return Ok(Sources::Staged);
    }
    if let Some(range) = &args.range {
        return Ok(Sources::Range(Revisions::parse_range(range)?));
    }
    if let Some(rev) = &args.since {
        return Ok(Sources::Range(Revisions::Since(rev.clone())));
    }
    Ok(Sources::Tree {
        history: if args.history {
            History::On
        } else {
            History::Off
        },
    })
}
