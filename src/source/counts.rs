//! Debug-build counters of the costly steps a run should make once: opening
//! the repository, walking the working tree, building the rule table. Compiled to nothing in a
//! release build. With `KEYAUDIT_DEBUG_COUNTS=1`, a debug binary prints them
//! on stderr at the end of a run (one line, `keyaudit-debug-counts: name=n
//! ...`), which the CLI tests read to check that a run does each once.
//!
//! A new counter is one more [`Counter`] variant and its name in
//! [`Counter::ALL`].

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    /// `objects::discover`: a repository found and opened from a path.
    RepositoryOpens,
    /// A walk of the working tree.
    TreeWalks,
    /// The built-in rule table built (`catalog::rules`).
    RuleTables,
}

impl Counter {
    /// Every counter, in the order printed.
    pub const ALL: &[Counter] = &[
        Counter::RepositoryOpens,
        Counter::TreeWalks,
        Counter::RuleTables,
    ];

    /// Its name in the printed line.
    pub fn name(self) -> &'static str {
        match self {
            Counter::RepositoryOpens => "repository-opens",
            Counter::TreeWalks => "tree-walks",
            Counter::RuleTables => "rule-tables",
        }
    }
}

/// The environment variable that turns the printing on.
pub const ENV_VAR: &str = "KEYAUDIT_DEBUG_COUNTS";

#[cfg(debug_assertions)]
mod imp {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::Counter;

    static COUNTS: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

    pub fn bump(counter: Counter) {
        COUNTS[counter as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(counter: Counter) -> u64 {
        COUNTS[counter as usize].load(Ordering::Relaxed)
    }
}

/// Adds one to `counter` (debug builds only).
#[inline]
pub fn bump(counter: Counter) {
    #[cfg(debug_assertions)]
    imp::bump(counter);
    #[cfg(not(debug_assertions))]
    let _ = counter;
}

/// The count so far (always 0 in a release build).
pub fn get(counter: Counter) -> u64 {
    #[cfg(debug_assertions)]
    return imp::get(counter);
    #[cfg(not(debug_assertions))]
    {
        let _ = counter;
        0
    }
}

/// Prints every counter on stderr when [`ENV_VAR`] is `1` (debug builds only).
pub fn report() {
    #[cfg(debug_assertions)]
    if std::env::var_os(ENV_VAR).is_some_and(|v| v == "1") {
        use std::io::Write;
        let line: Vec<String> = Counter::ALL
            .iter()
            .map(|c| format!("{}={}", c.name(), imp::get(*c)))
            .collect();
        writeln!(
            std::io::stderr().lock(),
            "keyaudit-debug-counts: {}",
            line.join(" ")
        )
        .ok();
    }
}
