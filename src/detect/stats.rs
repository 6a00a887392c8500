//! `--rule-stats`: what each rule cost in a run. The engine, given a
//! [`RuleStats`], counts per rule the pieces of content it ran on, the
//! windows and bytes its regex searched, the time that took and the
//! candidates and matches it produced, plus the keyword prefilter's time and
//! bytes. [`RuleStats::table`] prints them, costliest first: the table that
//! says which rule to make cheaper.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::Rule;

/// Counters for one rule (relaxed atomics: workers add, the end reads).
#[derive(Default)]
struct Counters {
    contents: AtomicU64,
    windows: AtomicU64,
    bytes: AtomicU64,
    nanos: AtomicU64,
    candidates: AtomicU64,
    matches: AtomicU64,
}

/// Per-rule costs of one run, shared by every worker.
pub struct RuleStats {
    rules: Vec<Counters>,
    prefilter_nanos: AtomicU64,
    prefilter_bytes: AtomicU64,
    contents: AtomicU64,
}

/// What one rule did on one piece of content.
#[derive(Default)]
pub struct RuleRun {
    pub windows: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    pub candidates: u64,
}

impl RuleStats {
    pub fn new(rules: usize) -> RuleStats {
        RuleStats {
            rules: (0..rules).map(|_| Counters::default()).collect(),
            prefilter_nanos: AtomicU64::new(0),
            prefilter_bytes: AtomicU64::new(0),
            contents: AtomicU64::new(0),
        }
    }

    /// The keyword prefilter ran over `bytes` bytes of one piece of content.
    pub fn prefilter(&self, bytes: usize, elapsed: Duration) {
        self.contents.fetch_add(1, Ordering::Relaxed);
        self.prefilter_bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
        self.prefilter_nanos
            .fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Rule `rule` ran on one piece of content.
    pub fn rule(&self, rule: usize, run: &RuleRun) {
        let c = &self.rules[rule];
        c.contents.fetch_add(1, Ordering::Relaxed);
        c.windows.fetch_add(run.windows, Ordering::Relaxed);
        c.bytes.fetch_add(run.bytes, Ordering::Relaxed);
        c.nanos
            .fetch_add(run.elapsed.as_nanos() as u64, Ordering::Relaxed);
        c.candidates.fetch_add(run.candidates, Ordering::Relaxed);
    }

    /// A match of `rule` survived overlap resolution.
    pub fn matched(&self, rule: usize) {
        self.rules[rule].matches.fetch_add(1, Ordering::Relaxed);
    }

    /// The table: the prefilter, then every rule that ran, costliest first.
    /// Times add up over worker threads (CPU time, not wall time).
    pub fn table(&self, rules: &[Rule]) -> String {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let ms = |n: u64| n as f64 / 1e6;
        let mib = |n: u64| n as f64 / (1024.0 * 1024.0);
        let mut out = format!(
            "keyaudit rule stats: {} scans (pieces of content, or the changed parts of history blobs), \
             keyword prefilter {:.1} MiB in {:.0} ms\n\
             {:<34} {:>9} {:>10} {:>10} {:>9} {:>10} {:>8}\n",
            load(&self.contents),
            mib(load(&self.prefilter_bytes)),
            ms(load(&self.prefilter_nanos)),
            "rule",
            "regex ms",
            "contents",
            "windows",
            "MiB",
            "candidates",
            "matches"
        );
        let mut order: Vec<usize> = (0..self.rules.len())
            .filter(|&i| load(&self.rules[i].contents) > 0)
            .collect();
        order.sort_by_key(|&i| std::cmp::Reverse(load(&self.rules[i].nanos)));
        for i in order {
            let c = &self.rules[i];
            out.push_str(&format!(
                "{:<34} {:>9.1} {:>10} {:>10} {:>9.1} {:>10} {:>8}\n",
                rules.get(i).map_or("?", |r| r.id),
                ms(load(&c.nanos)),
                load(&c.contents),
                load(&c.windows),
                mib(load(&c.bytes)),
                load(&c.candidates),
                load(&c.matches)
            ));
        }
        out
    }
}
