//! `hook install | uninstall`: says what was done to which file.

use std::path::Path;

use anyhow::Result;

use super::pipeline::emit;
use crate::cli::Global;
use crate::exit::ExitStatus;

/// `hook install | uninstall`: says what was done to which file.
pub(super) fn hook(global: &Global, args: &crate::cli::HookArgs) -> Result<ExitStatus> {
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
