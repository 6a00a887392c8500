//! Running a plan: the sources it names, the checks on what they yield, the
//! baseline, the warnings on stderr, the report written, the exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::plan::{EnvCheck, History, Plan, Sources, StaleEntries};
use super::settings::{Settings, resolve};
use crate::baseline::Applied;
use crate::checks::env as env_check;
use crate::cli::Global;
use crate::detect::Engine;
use crate::exit::ExitStatus;
use crate::filters;
use crate::report::{self, Report, Verbosity};
use crate::source::history::Revisions;
use crate::source::{self, Outcome, Problem, Workspace, counts};

/// A progress bar on stderr when it is a terminal and not `--quiet`; hidden otherwise.
pub(super) fn progress_bar(verbosity: Verbosity) -> indicatif::ProgressBar {
    if verbosity == Verbosity::Quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {pos}/{len}") {
        bar.set_style(style);
    }
    bar
}

/// Runs the sources `sources` names and merges what they found.
pub(super) fn run_sources(
    ws: &Workspace,
    sources: Sources,
    engine: &Engine,
    settings: &Settings,
) -> Result<Outcome> {
    let history = |revisions: &Revisions| {
        let bar = progress_bar(settings.verbosity);
        source::history::scan(ws, engine, &settings.limits, revisions, &bar)
    };
    let revisions = match sources {
        Sources::Staged => return source::staged::scan(ws, engine, &settings.limits),
        Sources::Range(revisions) => return history(&revisions),
        Sources::Tree {
            history: History::Off,
        } => None,
        Sources::Tree {
            history: History::IfRepository,
        } => ws.is_repository().then_some(Revisions::All),
        Sources::Tree {
            history: History::On,
        } => Some(Revisions::All),
    };
    let mut outcome = if revisions.is_some() && ws.is_bare() {
        Outcome {
            problems: vec![Problem {
                path: ws.root().display().to_string(),
                reason: "bare repository: no working tree to scan; history only".into(),
            }],
            ..Outcome::default()
        }
    } else {
        let mut tree = source::tree::scan(ws.tree()?, engine, &settings.limits);
        // A whole-repository run reads the index too: what is staged may differ
        // from both the working tree and every commit. Not being able to read it
        // loses only that source.
        if revisions.is_some() {
            match source::staged::scan(ws, engine, &settings.limits) {
                Ok(staged) => tree.merge(staged),
                Err(e) => tree.problems.push(Problem {
                    path: ".git/index".into(),
                    reason: format!("staged changes not scanned: {e:#}"),
                }),
            }
        }
        tree
    };
    if let Some(revisions) = revisions {
        outcome.merge(history(&revisions)?);
    }
    Ok(outcome)
}

/// Writes to `--output FILE` or stdout.
pub(super) fn emit(
    output: &Option<PathBuf>,
    body: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            body(&mut w)?;
            w.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            body(&mut w)?;
            w.flush()?;
        }
    }
    Ok(())
}

/// `scan`, `env` and `audit`: the checks `plan` names, over its sources,
/// into one report.
pub(super) fn checks(global: &Global, root: &Path, plan: Plan) -> Result<ExitStatus> {
    let settings = resolve(global, root)?;
    checks_with(global, root, plan, &settings)
}

/// [`checks`] with the settings already resolved.
pub(super) fn checks_with(
    global: &Global,
    root: &Path,
    plan: Plan,
    settings: &Settings,
) -> Result<ExitStatus> {
    let started = Instant::now();
    let stale_entries = plan.stale_entries;
    let outcome = gather(global, root, plan, settings)?;
    counts::report();
    finish(root, settings, outcome, started, stale_entries)
}

/// Runs the checks `plan` names, over its sources, into one outcome (no
/// baseline applied, nothing written). The repository is opened once and
/// the working tree walked at most once, for every source and check.
pub(super) fn gather(
    global: &Global,
    root: &Path,
    plan: Plan,
    settings: &Settings,
) -> Result<Outcome> {
    let ws = Workspace::open(root, &settings.limits);
    let env = match plan.env {
        EnvCheck::Off => false,
        EnvCheck::IfRepository => ws.is_repository(),
        EnvCheck::On => true,
    };
    let local = env.then(|| env_check::Local::read(&ws)).transpose()?;
    // One engine, one pass: the env rules first (a traced value wins over a
    // built-in rule at the same span), then the built-in and custom leak rules.
    let mut rules = local.as_ref().map(env_check::rules).unwrap_or_default();
    if plan.leaks || local.is_none() {
        rules.extend_from_slice(crate::catalog::rules());
        rules.extend_from_slice(settings.custom_rules);
    }
    let engine = Engine::new(rules);
    let engine = match &settings.allowlist {
        Some(allowlist) => engine.allowing(allowlist.clone()),
        None => engine,
    };
    // `--verify`: the parts of exchange credentials found together are kept
    // while the sources scan, and asked about once they are done.
    let collector = (settings.verify.is_some() && plan.leaks)
        .then(|| std::sync::Arc::new(crate::verify::leaks::Collector::new()));
    let engine = match &collector {
        Some(collector) => engine.collecting(collector.clone()),
        None => engine,
    };
    let rule_stats = global
        .rule_stats
        .then(|| std::sync::Arc::new(crate::detect::stats::RuleStats::new(engine.rules().len())));
    let engine = match &rule_stats {
        Some(stats) => engine.profiling(stats.clone()),
        None => engine,
    };
    let mut outcome = run_sources(&ws, plan.sources, &engine, settings)?;
    if let Some(stats) = &rule_stats {
        eprint!("{}", stats.table(engine.rules()));
    }
    if let (Some(collector), Some(session)) = (&collector, &settings.verify) {
        let verified = collector.verify(session);
        crate::verify::leaks::apply(&mut outcome.findings, &verified);
    }
    if let Some(local) = &local {
        let files = env_check::check_files(local, &outcome.paths);
        outcome.findings.extend(files.findings);
        outcome.problems.extend(files.problems);
    }
    if plan.manifest {
        let file = global.config.as_deref();
        if file.is_none() && global.no_repo_config {
            outcome.problems.push(no_manifest_read());
        } else {
            let (findings, problems) =
                crate::checks::manifest::check(&ws, file, settings.verify.as_deref())?;
            outcome.findings.extend(findings);
            outcome.problems.extend(problems);
        }
    }
    Ok(outcome)
}

/// With `--no-repo-config` and no `--config FILE`, no manifest is read: said
/// as a warning rather than as a "no manifest" finding that would not be true.
pub(super) fn no_manifest_read() -> Problem {
    Problem {
        path: crate::checks::manifest::DEFAULT_FILE.into(),
        reason: "not read (--no-repo-config): no permission manifest checked; \
                 pass --config FILE to check a trusted one"
            .into(),
    }
}

/// How many stale baseline entries are warned about one by one; the rest
/// are counted in one more warning.
pub(super) const STALE_SHOWN: usize = 20;

/// When the run made every check, records a warning for each of the first
/// [`STALE_SHOWN`] entries of `--baseline` that matched nothing, and one with
/// the count of the others.
pub(super) fn warn_stale(
    settings: &Settings,
    stale_entries: StaleEntries,
    applied: Applied,
    problems: &mut Vec<Problem>,
) {
    let Some(baseline) = &settings.baseline else {
        return;
    };
    if stale_entries == StaleEntries::Warn {
        let file = crate::redact::sanitize(&baseline.path.display().to_string());
        let total = applied.stale.len();
        for entry in applied.stale.into_iter().take(STALE_SHOWN) {
            problems.push(Problem {
                path: entry.path,
                reason: format!(
                    "stale baseline entry ({}, {}…): the secret is gone; remove the entry from {file}",
                    crate::redact::quote(&entry.rule),
                    &entry.fingerprint[..entry.fingerprint.len().min(19)]
                ),
            });
        }
        if total > STALE_SHOWN {
            problems.push(Problem {
                path: file.clone(),
                reason: format!(
                    "{} more stale baseline entries ({total} in all): their secrets are gone; \
                     write a new baseline with `keyaudit baseline`",
                    total - STALE_SHOWN
                ),
            });
        }
    }
}

/// When the run made every check, records a warning for each `[[allow]]`
/// entry that allowed nothing (like a stale baseline entry). With
/// `--verbose`, lists on stderr what each entry from the repository's own
/// config allowed: what a pull request could hide.
pub(super) fn warn_unused_allow(
    settings: &Settings,
    stale_entries: StaleEntries,
    allowed: &filters::Allowed,
    problems: &mut Vec<Problem>,
) {
    let Some(list) = &settings.allowlist else {
        return;
    };
    // A short reason is shown; a long one (prose, or anything a secret could
    // hide in) is not: the entry's position names it.
    let reason = |e: &crate::config::AllowEntry| {
        if crate::redact::quotable(&e.reason) {
            format!(" (reason \"{}\")", e.reason)
        } else {
            String::new()
        }
    };
    for (entry, &count) in list.entries().zip(&allowed.by_entry) {
        if count == 0 && stale_entries == StaleEntries::Warn {
            let shown = crate::redact::sanitize(&entry.at);
            problems.push(Problem {
                path: shown.clone(),
                reason: format!(
                    "unused allow entry{}: it allowed no finding; remove it from {}",
                    reason(entry),
                    shown
                        .rsplit_once(':')
                        .map_or(shown.as_str(), |(file, _)| file)
                ),
            });
        }
        if list.from_repository && settings.verbosity == Verbosity::Verbose {
            writeln!(
                std::io::stderr().lock(),
                "note: {}: the repository's own allow entry{} allowed {count} finding{}",
                crate::redact::sanitize(&entry.at),
                reason(entry),
                if count == 1 { "" } else { "s" }
            )
            .ok();
        }
    }
}

/// Warns on stderr about what could not be scanned (oversized files only
/// with `--verbose`; nothing with `--quiet`).
pub(super) fn warn(settings: &Settings, problems: &[Problem]) {
    if settings.verbosity == Verbosity::Quiet {
        return;
    }
    let mut err = std::io::stderr().lock();
    for p in problems {
        if !p.is_too_large() || settings.verbosity == Verbosity::Verbose {
            writeln!(
                err,
                "warning: {}: {}",
                crate::redact::sanitize(&p.path),
                p.reason
            )
            .ok();
        }
    }
}

/// Runs the filter stage (`--baseline` included), warns about what could
/// not be scanned (on stderr), writes the report and turns it into the exit
/// status.
pub(super) fn finish(
    root: &Path,
    settings: &Settings,
    mut outcome: Outcome,
    started: Instant,
    stale_entries: StaleEntries,
) -> Result<ExitStatus> {
    let (allowed, applied) = filters::run(
        &mut outcome.findings,
        settings.allowlist.as_deref(),
        settings.baseline.as_ref(),
    );
    let baselined = applied.baselined;
    warn_stale(settings, stale_entries, applied, &mut outcome.problems);
    warn_unused_allow(settings, stale_entries, &allowed, &mut outcome.problems);
    warn(settings, &outcome.problems);
    let mut report = Report::new(
        root.display().to_string(),
        outcome.findings,
        &outcome.stats,
        outcome.problems,
        started.elapsed().as_millis(),
    );
    report.summary.baselined = baselined;
    report.summary.allowed = allowed.dropped;
    if settings
        .allowlist
        .as_ref()
        .is_some_and(|list| list.from_repository)
    {
        report.summary.skipped.allowed_by_repo_config = allowed.dropped;
    }
    report.custom_rules = settings.custom_rules;
    report.summary.skipped.excluded_by_repo_config =
        settings.limits.exclude.excluded_by_repo_config();
    let mut status = ExitStatus::from_findings(&report.findings, settings.fail_on);
    if let Some(session) = settings.verify.as_deref().filter(|s| s.strict)
        && session.unverified() > 0
    {
        // `--verify=strict`: a key that could not be verified fails the run
        // (after the report, which says why for each).
        eprintln!(
            "keyaudit: error: --verify=strict: {} credential(s) could not be verified (see each finding's \
             verification)",
            session.unverified()
        );
        status = ExitStatus::Error;
    }
    match emit(&settings.output, |w| {
        report::write(&report, settings.format, settings.verbosity, w)
    }) {
        // `| head`, `| grep -m1`: the reader stopped early, but the exit code
        // still says what was found (a closed pipe must not pass a leak).
        Err(e) if is_closed_pipe(&e) => Ok(status),
        Err(e) => Err(e),
        Ok(()) => Ok(status),
    }
}

/// True when `err` comes from writing to a pipe whose reader has gone, in any
/// report format (serde_json wraps the io error in its own type).
pub fn is_closed_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(BrokenPipe)
    })
}
