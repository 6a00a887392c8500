//! `baseline`: what `audit` finds, written to the baseline file.

use std::io::Write;

use anyhow::{Result, bail};

use super::pipeline::{gather, warn};
use super::plan::audit_plan;
use super::settings::resolve;
use crate::cli::Global;
use crate::config;
use crate::exit::ExitStatus;
use crate::files;

/// `baseline`: the checks `audit` makes, with every finding's entry written
/// to the baseline file (keys in gitignored files left out: they never fail
/// a run). Always exit 0: the findings are accepted, not reported.
pub(super) fn baseline(global: &Global, args: &crate::cli::BaselineArgs) -> Result<ExitStatus> {
    use crate::baseline as file;
    let root = &args.target.path;
    let settings = resolve(global, root)?;
    let mut outcome = gather(global, root, audit_plan(), &settings)?;
    crate::source::counts::report();
    // An entry for each finding the stage keeps before it drops the known
    // and the repeated ones.
    crate::filters::settle(&mut outcome.findings);
    // What the config's `[[allow]]` entries allow is not a finding to accept.
    if let Some(list) = &settings.allowlist {
        crate::filters::allow(&mut outcome.findings, list);
    }
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
