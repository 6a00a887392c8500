//! `env`: `--fix` first, then the env check over the tree, index and history.

use std::io::Write;

use anyhow::{Context, Result};

use super::pipeline::checks_with;
use super::plan::env_plan;
use super::settings::resolve;
use crate::checks::env as env_check;
use crate::cli::{EnvArgs, Global};
use crate::exit::ExitStatus;
use crate::source::Workspace;

/// `env`: `--fix` first (so the scan sees the fixed state), then the env
/// check. The fix changes what git ignores, so the check after it opens
/// and walks the repository afresh.
pub(super) fn env(global: &Global, args: &EnvArgs) -> Result<ExitStatus> {
    let root = &args.target.path;
    let settings = resolve(global, root)?;
    if args.fix {
        let ws = Workspace::open(root, &settings.limits);
        let before = env_check::check_files(&env_check::Local::read(&ws)?, &[]);
        let workdir = ws
            .workdir()
            .with_context(|| "a bare repository has no .gitignore to fix")?;
        let added = env_check::fix(workdir, &before)?;
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
    checks_with(global, root, env_plan(), &settings)
}
