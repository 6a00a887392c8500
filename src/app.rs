//! One function per subcommand, wiring sources -> engine -> report. This is
//! the only layer (with `main.rs`) that owns stdout and stderr, and the place
//! that decides whether a recorded problem is fatal.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::checks::env as env_check;
use crate::cli::{Cli, Command, EnvArgs, Format as FormatArg, Global, ManifestArgs, ScanArgs};
use crate::config::{self, Config};
use crate::detect::Engine;
use crate::exit::{ExitStatus, FailOn};
use crate::files::{self, Origin};
use crate::report::{self, Format, Report, Verbosity};
use crate::scan::history::Revisions;
use crate::scan::{self, Limits, Outcome, Problem};

/// Settings resolved once from the command line and the config file.
struct Settings {
    format: Format,
    output: Option<PathBuf>,
    fail_on: FailOn,
    verbosity: Verbosity,
    limits: Limits,
    /// `--baseline FILE`, read and validated before anything is scanned.
    baseline: Option<crate::baseline::Baseline>,
}

/// Only a run that makes every check `baseline` makes can tell that a
/// baseline entry matched nothing because its finding is gone: `scan
/// --staged` (the pre-commit hook) or `manifest` see a part of the repository,
/// and would call every other entry stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StaleEntries {
    Warn,
    Ignore,
}

fn color_wanted(global: &Global) -> bool {
    if global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    global.output.is_none() && std::io::stdout().is_terminal()
}

/// The config file: `--config FILE`, else `keyaudit.toml` at the scanned
/// root (not with `--no-repo-config`). The bool is true when it is the
/// repository's own file (read only as a regular file, never through a
/// symlink: see [`files`]).
fn load_config(global: &Global, root: &Path) -> Result<(Config, bool)> {
    let (path, origin) = match &global.config {
        Some(p) => (p.clone(), Origin::CommandLine),
        None if global.no_repo_config => return Ok((Config::default(), false)),
        None => (
            config::folder_of(root).join("keyaudit.toml"),
            Origin::Repository,
        ),
    };
    let text = match files::read(&path, "config file", origin, files::MAX_CONFIG_SIZE) {
        Ok(text) => text,
        Err(e) if origin == Origin::Repository && e.is_not_found() => {
            return Ok((Config::default(), false));
        }
        Err(e) => return Err(e.into()),
    };
    Ok((config::parse(&path, &text)?, origin == Origin::Repository))
}

fn resolve(global: &Global, root: &Path) -> Result<Settings> {
    let (config, from_repository) = load_config(global, root)?;
    let max_file_size = match &global.max_file_size {
        Some(text) => match config::parse_size(text) {
            Some(n) if n > 0 => n,
            _ => {
                bail!("--max-file-size {text:?}: expected a size such as 1048576, 512KiB or 16MiB")
            }
        },
        None => config.max_file_size.unwrap_or(scan::DEFAULT_MAX_FILE_SIZE),
    };
    Ok(Settings {
        format: match global.format {
            FormatArg::Human => Format::Human {
                color: color_wanted(global),
            },
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
        },
        output: global.output.clone(),
        fail_on: global.fail_on.resolve(),
        verbosity: if global.quiet {
            Verbosity::Quiet
        } else if global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
        limits: Limits {
            max_file_size,
            // The repository's own patterns are kept apart, so that the
            // report can say how much of the scan the repository switched off.
            exclude: if from_repository {
                scan::Exclude::with_repo(&global.exclude, &config.exclude)
            } else {
                scan::Exclude::new(
                    &config
                        .exclude
                        .iter()
                        .chain(&global.exclude)
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            }
            .map_err(anyhow::Error::msg)?,
        },
        baseline: global
            .baseline
            .as_deref()
            .map(crate::baseline::load)
            .transpose()?,
    })
}

/// Runs the parsed command line; `Err` means exit 2.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    if let Some(n) = cli.global.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.get())
            .build_global()
            .with_context(|| format!("--threads {n}: cannot start the worker threads"))?;
    }
    if cli.global.verbose {
        writeln!(
            std::io::stderr().lock(),
            "keyaudit: {} worker threads",
            rayon::current_num_threads()
        )
        .ok();
    }
    match &cli.command {
        Command::Rules(args) if args.permissions => permissions(&cli.global),
        Command::Rules(_) => rules(&cli.global),
        Command::Manifest(args) => manifest(&cli.global, args),
        Command::Baseline(args) => baseline(&cli.global, args),
        Command::Hook(args) => hook(&cli.global, args),
        Command::Scan(args) => checks(
            &cli.global,
            &args.target.path,
            Plan {
                sources: sources(args)?,
                leaks: true,
                env: false,
                manifest: false,
                stale_entries: StaleEntries::Ignore,
            },
        ),
        Command::Env(args) => env(&cli.global, args),
        Command::Audit(t) => checks(&cli.global, &t.path, audit_plan(&t.path)),
    }
}

/// One secret at one path is one leak, however many sources hold it: a
/// committed secret still in the working tree is reported once, from history
/// (which names the commit), saying so; a staged secret also in the working
/// tree or history is reported from there.
fn fold_sources(findings: &mut Vec<crate::finding::Finding>) {
    use crate::finding::{Finding, Source};
    use std::collections::HashSet;
    let key = |f: &Finding| {
        f.secret
            .as_ref()
            .map(|s| (s.fingerprint.clone(), f.location.path.clone()))
    };
    let keys_of = |source: Source, findings: &[Finding]| -> HashSet<_> {
        findings
            .iter()
            .filter(|f| f.location.source == source)
            .filter_map(key)
            .collect()
    };
    let in_tree = keys_of(Source::Tree, findings);
    let in_history = keys_of(Source::History, findings);
    findings.retain(|f| {
        let Some(k) = key(f) else { return true };
        match f.location.source {
            Source::Tree => !in_history.contains(&k),
            Source::Staged => !in_history.contains(&k) && !in_tree.contains(&k),
            _ => true,
        }
    });
    for f in findings.iter_mut() {
        if f.location.source == Source::History && key(f).is_some_and(|k| in_tree.contains(&k)) {
            f.message.push_str(" (still in the working tree)");
        }
    }
}

/// `audit` (and `baseline`): every check, over the working tree, the index
/// and (in a repository) the whole history.
fn audit_plan(root: &Path) -> Plan {
    Plan {
        sources: Sources::Tree {
            history: History::IfRepository,
        },
        leaks: true,
        env: scan::history::is_repository(root),
        manifest: true,
        stale_entries: StaleEntries::Warn,
    }
}

/// Which checks one run makes, over which sources.
struct Plan {
    sources: Sources,
    /// The built-in leak rules.
    leaks: bool,
    /// The env check: its rules join the engine (one pass over every
    /// source), and its file checks run.
    env: bool,
    /// The permission manifest check.
    manifest: bool,
    /// Whether the run sees everything a baseline was written from.
    stale_entries: StaleEntries,
}

/// `env`: `--fix` first (so the scan sees the fixed state), then the env check.
fn env(global: &Global, args: &EnvArgs) -> Result<ExitStatus> {
    let root = &args.target.path;
    if args.fix {
        let before = env_check::check_files(&env_check::Local::read(root)?, &[]);
        let workdir = scan::objects::discover(root)?
            .workdir()
            .map(Path::to_path_buf)
            .with_context(|| "a bare repository has no .gitignore to fix")?;
        let added = env_check::fix(&workdir, &before)?;
        let mut err = std::io::stderr().lock();
        for line in &added {
            writeln!(err, "fixed: added `{line}` to .gitignore").ok();
        }
        for path in &before.tracked {
            writeln!(
                err,
                "to untrack {path} (not run): git rm --cached {path} && git commit -m \"Stop tracking {path}\"; then revoke its keys"
            )
            .ok();
        }
    }
    checks(
        global,
        root,
        Plan {
            sources: Sources::Tree {
                history: History::On,
            },
            leaks: false,
            env: true,
            manifest: false,
            stale_entries: StaleEntries::Ignore,
        },
    )
}

/// What a leak scan reads.
enum Sources {
    /// Only the index's changes against HEAD.
    Staged,
    /// The working tree, and maybe every ref's history.
    Tree { history: History },
    /// Only the commits of `--since` or `--range`: what a pull request adds.
    /// The working tree is left out, since it holds everything before the range too.
    Range(Revisions),
}

enum History {
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

/// A progress bar on stderr when it is a terminal and not `--quiet`; hidden otherwise.
fn progress_bar(verbosity: Verbosity) -> indicatif::ProgressBar {
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
fn run_sources(
    root: &Path,
    sources: Sources,
    engine: &Engine,
    settings: &Settings,
) -> Result<Outcome> {
    let history = |revisions: &Revisions| {
        let bar = progress_bar(settings.verbosity);
        scan::history::scan(root, engine, &settings.limits, revisions, &bar)
    };
    let revisions = match sources {
        Sources::Staged => return scan::staged::scan(root, engine, &settings.limits),
        Sources::Range(revisions) => return history(&revisions),
        Sources::Tree {
            history: History::Off,
        } => None,
        Sources::Tree {
            history: History::IfRepository,
        } => scan::history::is_repository(root).then_some(Revisions::All),
        Sources::Tree {
            history: History::On,
        } => Some(Revisions::All),
    };
    let mut outcome = if revisions.is_some() && scan::history::is_bare(root) {
        Outcome {
            problems: vec![Problem {
                path: root.display().to_string(),
                reason: "bare repository: no working tree to scan; history only".into(),
            }],
            ..Outcome::default()
        }
    } else {
        let mut tree = scan::tree::scan(root, engine, &settings.limits)?;
        // A whole-repository run reads the index too: what is staged may differ
        // from both the working tree and every commit. Not being able to read it
        // loses only that source.
        if revisions.is_some() {
            match scan::staged::scan(root, engine, &settings.limits) {
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
fn emit(output: &Option<PathBuf>, body: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
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
fn checks(global: &Global, root: &Path, plan: Plan) -> Result<ExitStatus> {
    let settings = resolve(global, root)?;
    let started = Instant::now();
    let stale_entries = plan.stale_entries;
    let outcome = gather(global, root, plan, &settings)?;
    finish(root, &settings, outcome, started, stale_entries)
}

/// Runs the checks `plan` names, over its sources, into one outcome (no
/// baseline applied, nothing written).
fn gather(global: &Global, root: &Path, plan: Plan, settings: &Settings) -> Result<Outcome> {
    let local = plan.env.then(|| env_check::Local::read(root)).transpose()?;
    let engine = match &local {
        Some(local) => env_check::engine(local, plan.leaks),
        None => Engine::default(),
    };
    let mut outcome = run_sources(root, plan.sources, &engine, settings)?;
    if local.is_some() {
        // Before folding: a print finding from history must go, not win over the tree's.
        env_check::reclassify(&mut outcome.findings);
    }
    fold_sources(&mut outcome.findings);
    if let Some(local) = &local {
        let files = env_check::check_files(local, &outcome.env_files);
        outcome.findings.extend(files.findings);
        outcome.problems.extend(files.problems);
    }
    if plan.manifest {
        let file = global.config.as_deref();
        if file.is_none() && global.no_repo_config {
            outcome.problems.push(no_manifest_read());
        } else {
            outcome
                .findings
                .extend(crate::checks::manifest::check(root, file)?);
        }
    }
    Ok(outcome)
}

/// With `--no-repo-config` and no `--config FILE`, no manifest is read: said
/// as a warning rather than as a "no manifest" finding that would not be true.
fn no_manifest_read() -> Problem {
    Problem {
        path: crate::checks::manifest::DEFAULT_FILE.into(),
        reason: "not read (--no-repo-config): no permission manifest checked; \
                 pass --config FILE to check a trusted one"
            .into(),
    }
}

/// `baseline`: the checks `audit` makes, with every finding's entry written
/// to the baseline file (keys in gitignored files left out: they never fail
/// a run). Always exit 0: the findings are accepted, not reported.
fn baseline(global: &Global, args: &crate::cli::BaselineArgs) -> Result<ExitStatus> {
    use crate::baseline as file;
    let root = &args.target.path;
    let settings = resolve(global, root)?;
    let outcome = gather(global, root, audit_plan(root), &settings)?;
    warn(&settings, &outcome.problems);
    // `--output FILE` is where a command's output goes: for `baseline`, the file.
    let path = match (&args.file, &global.output) {
        (Some(a), Some(b)) if a != b => {
            bail!("baseline: --file and --output name two files; give one")
        }
        (Some(p), _) | (None, Some(p)) => p.clone(),
        (None, None) => config::folder_of(root).join(file::DEFAULT_FILE),
    };
    let entries = file::entries(&outcome.findings);
    let count = entries.len();
    // Never through a symlink: the repository may commit one named like the baseline.
    files::write(
        &path,
        "baseline file",
        files::Existing::Replace,
        &file::render(entries),
    )?;
    writeln!(
        std::io::stderr().lock(),
        "wrote {count} baseline entr{} to {}",
        if count == 1 { "y" } else { "ies" },
        crate::redact::sanitize(&path.display().to_string())
    )
    .ok();
    Ok(ExitStatus::Clean)
}

/// How many stale baseline entries are warned about one by one; the rest
/// are counted in one more warning.
const STALE_SHOWN: usize = 20;

/// Drops the findings `--baseline` names; when the run made every check,
/// records a warning for each of the first [`STALE_SHOWN`] entries that
/// matched nothing, and one with the count of the others. Returns how many
/// findings were dropped.
fn apply_baseline(
    settings: &Settings,
    stale_entries: StaleEntries,
    outcome: &mut Outcome,
) -> usize {
    let Some(baseline) = &settings.baseline else {
        return 0;
    };
    let applied = baseline.apply(&mut outcome.findings);
    if stale_entries == StaleEntries::Warn {
        let file = crate::redact::sanitize(&baseline.path.display().to_string());
        let total = applied.stale.len();
        for entry in applied.stale.into_iter().take(STALE_SHOWN) {
            outcome.problems.push(Problem {
                path: entry.path,
                reason: format!(
                    "stale baseline entry ({}, {}…): the secret is gone; remove the entry from {file}",
                    crate::redact::quote(&entry.rule),
                    &entry.fingerprint[..entry.fingerprint.len().min(19)]
                ),
            });
        }
        if total > STALE_SHOWN {
            outcome.problems.push(Problem {
                path: file.clone(),
                reason: format!(
                    "{} more stale baseline entries ({total} in all): their secrets are gone; \
                     write a new baseline with `keyaudit baseline`",
                    total - STALE_SHOWN
                ),
            });
        }
    }
    applied.baselined
}

/// Warns on stderr about what could not be scanned (oversized files only
/// with `--verbose`; nothing with `--quiet`).
fn warn(settings: &Settings, problems: &[Problem]) {
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

/// Warns about what could not be scanned (on stderr), writes the report and
/// turns it into the exit status.
fn finish(
    root: &Path,
    settings: &Settings,
    mut outcome: Outcome,
    started: Instant,
    stale_entries: StaleEntries,
) -> Result<ExitStatus> {
    let baselined = apply_baseline(settings, stale_entries, &mut outcome);
    warn(settings, &outcome.problems);
    let mut report = Report::new(
        root.display().to_string(),
        outcome.findings,
        &outcome.stats,
        outcome.problems,
        started.elapsed().as_millis(),
    );
    report.summary.baselined = baselined;
    report.summary.skipped.excluded_by_repo_config =
        settings.limits.exclude.excluded_by_repo_config();
    let status = ExitStatus::from_findings(&report.findings, settings.fail_on);
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

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    severity: &'a str,
    exchange: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    remediation: &'a str,
}

/// `rules`: the built-in leak rules, then the env and manifest checks' rules.
fn rules(global: &Global) -> Result<ExitStatus> {
    let rules = crate::detect::rules::builtin();
    let rows: Vec<RuleRow> = rules
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            severity: r.severity.as_str(),
            exchange: r.exchange,
            description: r.description,
            remediation: &r.remediation,
        })
        .chain(
            crate::checks::RULES
                .iter()
                .map(|(id, severity, check, description)| RuleRow {
                    id,
                    severity: severity.as_str(),
                    exchange: check,
                    description,
                    remediation: "",
                }),
        )
        .collect();
    emit(&global.output, |w| {
        match global.format {
            FormatArg::Sarif => crate::report::sarif::write_rules(w)?,
            FormatArg::Json => {
                serde_json::to_writer_pretty(&mut *w, &rows)?;
                writeln!(w)?;
            }
            FormatArg::Human => {
                writeln!(
                    w,
                    "{:<28} {:<9} {:<12} DESCRIPTION",
                    "ID", "SEVERITY", "EXCHANGE"
                )?;
                for r in &rows {
                    writeln!(
                        w,
                        "{:<28} {:<9} {:<12} {}",
                        r.id, r.severity, r.exchange, r.description
                    )?;
                }
            }
        }
        Ok(())
    })?;
    Ok(ExitStatus::Clean)
}

/// `manifest`: the permission manifest check (with the env-variable
/// cross-check), or `--init` to write a template.
fn manifest(global: &Global, args: &ManifestArgs) -> Result<ExitStatus> {
    use crate::checks::manifest as check;
    let root = &args.target.path;
    if args.init {
        let written = check::init(root, args.manifest.as_deref())?;
        let exchanges = if written.exchanges.is_empty() {
            "no exchange credentials found in the code; an example table is commented in"
                .to_string()
        } else {
            format!(
                "{} ({} env variables); edit each key's permissions and ip_allowlist",
                written.exchanges.join(", "),
                written.env_vars
            )
        };
        emit(&global.output, |w| {
            writeln!(
                w,
                "wrote {}: {exchanges}",
                crate::redact::sanitize(&written.path.display().to_string())
            )?;
            Ok(())
        })?;
        return Ok(ExitStatus::Clean);
    }
    let settings = resolve(global, root)?;
    let started = Instant::now();
    // The manifest lives in the config file unless --manifest names another.
    let file = args.manifest.as_deref().or(global.config.as_deref());
    if file.is_none() && global.no_repo_config {
        bail!(
            "--no-repo-config: the repository's keyaudit.toml is not read\n\
             hint: name a trusted manifest with --manifest FILE or --config FILE"
        );
    }
    let outcome = Outcome {
        findings: check::check(root, file)?,
        ..Outcome::default()
    };
    finish(root, &settings, outcome, started, StaleEntries::Ignore)
}

/// `rules --permissions`: the permission mapping table.
fn permissions(global: &Global) -> Result<ExitStatus> {
    if global.format == FormatArg::Sarif {
        bail!("the permission table has no SARIF form: use --format json or human");
    }
    let listing = crate::checks::permissions::listing();
    emit(&global.output, |w| {
        match global.format {
            FormatArg::Json | FormatArg::Sarif => {
                // Serialized first, so that a closed pipe is an io::Error (a quiet exit).
                let text = serde_json::to_string_pretty(&listing)?;
                writeln!(w, "{text}")?;
            }
            FormatArg::Human => {
                w.write_all(crate::checks::permissions::render(&listing).as_bytes())?;
            }
        }
        Ok(())
    })?;
    Ok(ExitStatus::Clean)
}

/// `hook install | uninstall`: says what was done to which file.
fn hook(global: &Global, args: &crate::cli::HookArgs) -> Result<ExitStatus> {
    use crate::cli::HookAction;
    use crate::hook::{self as git_hook, Existing, Installed, Uninstalled};
    let shown = |p: &Path| crate::redact::sanitize(&p.display().to_string());
    let message = match &args.action {
        HookAction::Install { chain, path } => {
            let exe = std::env::current_exe().ok();
            let existing = if *chain {
                Existing::Chain
            } else {
                Existing::Refuse
            };
            let done = git_hook::install(path, exe.as_deref(), existing)?;
            let hook = shown(&done.hook);
            match done.what {
                Installed::Created => format!(
                    "installed the keyaudit pre-commit hook: {hook}\n\
                     a commit that adds a leaked key is refused; `git commit --no-verify` skips the check deliberately"
                ),
                Installed::Updated => format!("updated the keyaudit pre-commit hook: {hook}"),
                Installed::Unchanged => {
                    format!("the keyaudit pre-commit hook is already installed: {hook}")
                }
                Installed::Chained(kept) => format!(
                    "installed the keyaudit pre-commit hook: {hook}\n\
                     the previous hook is kept as {} and runs first; `keyaudit hook uninstall` puts it back",
                    shown(&kept)
                ),
            }
        }
        HookAction::Uninstall { path } => {
            let done = git_hook::uninstall(path)?;
            let hook = shown(&done.hook);
            match done.what {
                Uninstalled::Removed => format!("removed the keyaudit pre-commit hook: {hook}"),
                Uninstalled::Restored => format!(
                    "removed the keyaudit pre-commit hook and restored the chained one as {hook}"
                ),
                Uninstalled::NotInstalled => {
                    format!("no pre-commit hook at {hook}: nothing to uninstall")
                }
            }
        }
    };
    emit(&global.output, |w| {
        writeln!(w, "{message}")?;
        Ok(())
    })?;
    Ok(ExitStatus::Clean)
}
