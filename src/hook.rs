//! `keyaudit hook install | uninstall`: the git pre-commit hook that runs
//! `keyaudit scan --staged` on what each commit adds.
//!
//! The hook is a POSIX sh script recognised by its [`MARKER`] line. It is
//! written into the hooks folder git itself uses (`core.hooksPath` when set,
//! else the common git dir's `hooks/`, so a linked worktree shares it), and it
//! never clobbers a hook it did not write: installing over a foreign
//! `pre-commit` is refused unless asked to chain it, in which case the foreign
//! hook is kept as `pre-commit.keyaudit-chained`, run first, and restored by
//! `uninstall`. Nothing here prints: the functions return what they did and
//! `app/hook.rs` tells the user.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use git2::Repository;

/// The line that identifies a hook written by keyaudit.
pub const MARKER: &str = "# installed by keyaudit";

/// The name a foreign hook is kept under when ours chains it.
pub const CHAINED: &str = "pre-commit.keyaudit-chained";

const HOOK: &str = "pre-commit";

/// What to do with a `pre-commit` hook keyaudit did not write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse to install (the default: never clobber).
    Refuse,
    /// Keep it as [`CHAINED`] and run it before the scan.
    Chain,
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// There was no pre-commit hook; ours was written.
    Created,
    /// Ours was there and has been rewritten (a newer script or binary path).
    Updated,
    /// Ours was there, byte for byte.
    Unchanged,
    /// A foreign hook was renamed to [`CHAINED`] (this path) and ours runs it first.
    Chained(PathBuf),
}

/// What `uninstall` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uninstalled {
    /// Ours was removed; there was nothing chained.
    Removed,
    /// Ours was removed and the chained hook put back as `pre-commit`.
    Restored,
    /// There was no pre-commit hook at all.
    NotInstalled,
}

/// The outcome of an install or uninstall, with the hook's path.
#[derive(Debug)]
pub struct Done<T> {
    pub hook: PathBuf,
    pub what: T,
}

/// The hooks folder git uses for the repository containing `path`:
/// `core.hooksPath` (relative to the working tree's root when relative, `~`
/// expanded), else `hooks/` in the common git dir (shared by every worktree).
/// A bare repository, or a path outside any repository, is an error.
pub fn hooks_dir(path: &Path) -> Result<PathBuf> {
    let repo = Repository::discover(path).map_err(|e| {
        anyhow::anyhow!(
            "{} is not in a git repository (the pre-commit hook needs one): {}",
            path.display(),
            e.message()
        )
    })?;
    let Some(workdir) = repo.workdir() else {
        bail!(
            "{} is a bare repository: nothing is committed there, so a pre-commit hook has nothing to guard",
            repo.path().display()
        );
    };
    let config = repo
        .config()
        .and_then(|mut c| c.snapshot())
        .context("cannot read the repository's git config")?;
    match config.get_path("core.hooksPath") {
        Ok(dir) if dir.is_absolute() => Ok(dir),
        Ok(dir) => Ok(workdir.join(dir)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(repo.commondir().join("hooks")),
        Err(e) => Err(e).context("cannot read core.hooksPath from the git config"),
    }
}

/// True when the file at `path` is a regular file holding the [`MARKER`] line.
fn is_ours(path: &Path) -> Result<bool> {
    let meta = std::fs::symlink_metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        return Ok(false);
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .any(|l| l.trim_end() == MARKER))
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Quotes `text` for sh: single quotes, each `'` written as `'\''`.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The hook script. `exe` is the installing binary, tried first at run time;
/// `keyaudit` on PATH is the fallback, and neither being there blocks the
/// commit with a message (a hook that silently passes would be worse than none).
pub fn script(exe: Option<&Path>) -> String {
    let installed = exe.and_then(Path::to_str).map(sh_quote).unwrap_or_default();
    format!(
        r#"#!/bin/sh
{MARKER}
#
# git pre-commit hook: `keyaudit scan --staged` over what this commit adds.
# A leaked key (keyaudit exits 1) or a scan that cannot run (exit 2) blocks
# the commit. To commit anyway, deliberately, once you have checked the
# finding: git commit --no-verify
# Remove with `keyaudit hook uninstall` (a chained hook is put back).

# A hook that was here before keyaudit's (`keyaudit hook install --chain`)
# runs first, from where git started this one; if it fails, so does the commit.
hook_dir=$(cd "$(dirname "$0")" && pwd) || exit 1
chained="$hook_dir/{CHAINED}"
if [ -x "$chained" ]; then
    "$chained" "$@" || {{
        status=$?
        echo "keyaudit: the chained pre-commit hook $chained failed (exit $status)" >&2
        exit "$status"
    }}
fi

# The binary that installed this hook, else keyaudit on PATH.
installed={installed}
keyaudit=$installed
if [ -z "$keyaudit" ] || [ ! -x "$keyaudit" ]; then
    keyaudit=$(command -v keyaudit 2>/dev/null) || keyaudit=
fi
if [ -z "$keyaudit" ]; then
    echo "keyaudit pre-commit hook: keyaudit not found (not at ${{installed:-its install path}}, not on PATH)." >&2
    echo "Commit blocked. Install keyaudit, or remove this hook: keyaudit hook uninstall (or delete $0)." >&2
    exit 1
fi

top=$(git rev-parse --show-toplevel) && cd "$top" || exit 1
"$keyaudit" scan --staged --quiet --format human .
status=$?
if [ "$status" -ne 0 ]; then
    echo "keyaudit: commit blocked (exit $status). To commit anyway, deliberately: git commit --no-verify" >&2
fi
exit "$status"
"#
    )
}

/// Writes `content` to `path` through a temporary file in the same folder
/// (so a half-written hook never runs), executable on unix.
fn write_hook(path: &Path, content: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir)?;
    tmp.1
        .write_all(content.as_bytes())
        .and_then(|()| tmp.1.sync_all())
        .with_context(|| format!("cannot write {}", tmp.0.display()))?;
    drop(tmp.1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp.0, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", tmp.0.display()))?;
    }
    if let Err(e) = std::fs::rename(&tmp.0, path) {
        let _ = std::fs::remove_file(&tmp.0);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// A new file next to the hook, created exclusively.
fn tempfile_in(dir: &Path) -> Result<(PathBuf, std::fs::File)> {
    for n in 0..100 {
        let path = dir.join(format!(".{HOOK}.keyaudit-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot write in {}", dir.display())),
        }
    }
    bail!("cannot create a temporary file in {}", dir.display())
}

/// Installs the hook for the repository containing `path`, running `exe`.
/// Ours already there is rewritten in place; a foreign hook is refused, or
/// chained with [`Existing::Chain`].
pub fn install(path: &Path, exe: Option<&Path>, existing: Existing) -> Result<Done<Installed>> {
    let dir = hooks_dir(path)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the hooks folder {}", dir.display()))?;
    let hook = dir.join(HOOK);
    let content = script(exe);
    let what = if !exists(&hook) {
        write_hook(&hook, &content)?;
        Installed::Created
    } else if is_ours(&hook)? {
        if std::fs::read(&hook).is_ok_and(|old| old == content.as_bytes()) {
            Installed::Unchanged
        } else {
            write_hook(&hook, &content)?;
            Installed::Updated
        }
    } else {
        let chained = dir.join(CHAINED);
        match existing {
            Existing::Refuse => bail!(
                "{} already exists and was not written by keyaudit; left unchanged. \
                 Run `keyaudit hook install --chain` to keep it as {CHAINED} and run it before keyaudit's scan, \
                 or call `keyaudit scan --staged` from it yourself",
                hook.display()
            ),
            Existing::Chain if exists(&chained) => bail!(
                "{} already exists and was not written by keyaudit, and {} already holds a chained hook; \
                 both left unchanged (merge them by hand, then run `keyaudit hook install --chain`)",
                hook.display(),
                chained.display()
            ),
            Existing::Chain => {
                std::fs::rename(&hook, &chained).with_context(|| {
                    format!("cannot rename {} to {}", hook.display(), chained.display())
                })?;
                if let Err(e) = write_hook(&hook, &content) {
                    // Put the foreign hook back rather than leave no hook at all.
                    let _ = std::fs::rename(&chained, &hook);
                    return Err(e);
                }
                Installed::Chained(chained)
            }
        }
    };
    Ok(Done { hook, what })
}

/// Removes keyaudit's hook from the repository containing `path` and puts a
/// chained hook back. A foreign hook is an error and is left alone.
pub fn uninstall(path: &Path) -> Result<Done<Uninstalled>> {
    let dir = hooks_dir(path)?;
    let hook = dir.join(HOOK);
    let chained = dir.join(CHAINED);
    if exists(&hook) {
        if !is_ours(&hook)? {
            bail!(
                "{} was not written by keyaudit; left unchanged",
                hook.display()
            );
        }
        std::fs::remove_file(&hook).with_context(|| format!("cannot remove {}", hook.display()))?;
    } else if !exists(&chained) {
        return Ok(Done {
            hook,
            what: Uninstalled::NotInstalled,
        });
    }
    let what = if exists(&chained) {
        std::fs::rename(&chained, &hook).with_context(|| {
            format!("cannot rename {} to {}", chained.display(), hook.display())
        })?;
        Uninstalled::Restored
    } else {
        Uninstalled::Removed
    };
    Ok(Done { hook, what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(sh_quote("/a b/it's"), r"'/a b/it'\''s'");
    }

    #[test]
    fn script_carries_marker_and_binary() {
        let s = script(Some(Path::new("/opt/key audit/keyaudit")));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.lines().any(|l| l == MARKER));
        assert!(s.contains("installed='/opt/key audit/keyaudit'\n"));
        assert!(s.contains("scan --staged --quiet --format human ."));
        assert!(s.contains("git commit --no-verify"));
        assert!(script(None).contains("installed=\n"));
    }
}
