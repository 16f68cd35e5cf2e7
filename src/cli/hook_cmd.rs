//! `credlint install-hook`: writes a git pre-commit hook that runs `credlint staged`, or with
//! `--uninstall` removes it.
//!
//! The hooks directory is the one git itself uses (`git rev-parse --git-path hooks`), so
//! `core.hooksPath`, linked worktrees and `GIT_DIR` are honoured. The hook carries a marker line;
//! a hook without it belongs to someone else and is never replaced (unless `--force`, which keeps
//! it beside as `pre-commit.credlint-backup`, or `.credlint-backup.2` and so on when that name
//! is taken: a backup is never overwritten) nor removed. `--uninstall` removes credlint's hook
//! and puts the most recent backup back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::args::InstallHookArgs;
use super::EXIT_CLEAN;

/// The line that marks a hook as written by credlint.
pub const MARKER: &str = "# credlint-managed-hook: remove with `credlint install-hook --uninstall`";

const HOOK: &str = "pre-commit";
const BACKUP: &str = "pre-commit.credlint-backup";

pub fn run(args: InstallHookArgs) -> Result<i32, String> {
    let hooks = hooks_dir(&args.repo)?;
    let hook = hooks.join(HOOK);
    let existing = match std::fs::read(&hook) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", hook.display())),
    };
    let ours = existing
        .as_deref()
        .is_some_and(|b| String::from_utf8_lossy(b).contains(MARKER));
    if args.uninstall {
        return uninstall(&hooks, &hook, existing.is_some(), ours);
    }
    if existing.is_some() && !ours {
        if !args.force {
            return Err(format!(
                "{} already exists and was not written by credlint; it is left alone. \
                 `credlint install-hook --force` replaces it (keeping it as {BACKUP}), \
                 or call `credlint staged` from it yourself",
                hook.display()
            ));
        }
        let backup = free_backup_name(&hooks);
        std::fs::rename(&hook, &backup).map_err(|e| {
            format!(
                "cannot move {} to {}: {e}",
                hook.display(),
                backup.display()
            )
        })?;
        super::say::note(&format!(
            "credlint: moved the existing hook to {} (it no longer runs)",
            backup.display()
        ));
    }
    std::fs::create_dir_all(&hooks)
        .map_err(|e| format!("cannot create {}: {e}", hooks.display()))?;
    let binary = current_binary();
    crate::report::write_atomically(&hook, true, |file| {
        file.write_all(script(binary.as_deref()).as_bytes())
    })
    .map_err(|e| format!("cannot write {}: {e}", hook.display()))?;
    let runs = binary.map_or_else(
        || "credlint from PATH".to_string(),
        |b| b.display().to_string(),
    );
    let verb = if ours { "updated" } else { "installed" };
    super::say::note(&format!(
        "credlint: {verb} the pre-commit hook {} (runs `credlint staged` with {runs})",
        hook.display()
    ));
    Ok(EXIT_CLEAN)
}

/// The backups of hooks `--force` replaced, oldest first.
fn backups(hooks: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = Vec::new();
    if hooks.join(BACKUP).exists() {
        found.push((1, hooks.join(BACKUP)));
    }
    for n in 2.. {
        let path = hooks.join(format!("{BACKUP}.{n}"));
        if !path.exists() {
            break;
        }
        found.push((n, path));
    }
    found.into_iter().map(|(_, p)| p).collect()
}

/// The first backup name not taken.
fn free_backup_name(hooks: &Path) -> PathBuf {
    match backups(hooks).len() {
        0 => hooks.join(BACKUP),
        n => hooks.join(format!("{BACKUP}.{}", n + 1)),
    }
}

fn uninstall(hooks: &Path, hook: &Path, exists: bool, ours: bool) -> Result<i32, String> {
    if !exists {
        super::say::note(&format!(
            "credlint: no pre-commit hook at {}; nothing to remove",
            hook.display()
        ));
        return Ok(EXIT_CLEAN);
    }
    if !ours {
        return Err(format!(
            "{} was not written by credlint; it is left alone",
            hook.display()
        ));
    }
    std::fs::remove_file(hook).map_err(|e| format!("cannot remove {}: {e}", hook.display()))?;
    super::say::note(&format!(
        "credlint: removed the pre-commit hook {}",
        hook.display()
    ));
    if let Some(backup) = backups(hooks).pop() {
        std::fs::rename(&backup, hook).map_err(|e| {
            format!(
                "cannot restore {} as {}: {e}",
                backup.display(),
                hook.display()
            )
        })?;
        super::say::note(&format!(
            "credlint: restored the hook it had replaced, from {}",
            backup.display()
        ));
    }
    Ok(EXIT_CLEAN)
}

/// The directory git runs hooks from, as git itself computes it.
fn hooks_dir(repo: &Path) -> Result<PathBuf, String> {
    if !repo.is_dir() {
        return Err(format!("{} is not a directory", repo.display()));
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", "--git-path", "hooks"])
        .output()
        .map_err(|e| format!("cannot run git (is it installed and on PATH?): {e}"))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "{} is not in a git repository: {}",
            repo.display(),
            message.trim()
        ));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| "git printed a hooks path that is not UTF-8".to_string())?;
    let path = PathBuf::from(text.trim_end_matches(['\n', '\r']));
    // A relative answer is relative to where git ran.
    Ok(if path.is_absolute() || repo == Path::new(".") {
        path
    } else {
        repo.join(path)
    })
}

/// The absolute path of this executable, when there is one that a hook can run later.
fn current_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe = exe.canonicalize().unwrap_or(exe);
    (exe.is_absolute() && exe.is_file()).then_some(exe)
}

/// The hook: runs the credlint that installed it, or the one on PATH when that one is gone.
fn script(binary: Option<&Path>) -> String {
    let pinned = binary
        .map(|b| sh_quote(&b.to_string_lossy()))
        .unwrap_or_else(|| "''".to_string());
    format!(
        "#!/bin/sh\n\
         {MARKER}\n\
         # Blocks a commit that adds a secret: runs `credlint staged` on what is being committed.\n\
         # `git commit --no-verify` skips it for one commit.\n\
         CREDLINT={pinned}\n\
         if [ -z \"$CREDLINT\" ] || [ ! -x \"$CREDLINT\" ]; then\n\
         \x20   if command -v credlint >/dev/null 2>&1; then\n\
         \x20       CREDLINT=credlint\n\
         \x20   else\n\
         \x20       echo \"credlint pre-commit hook: credlint is not installed (looked for $CREDLINT and on PATH); install it or remove this hook ($0)\" >&2\n\
         \x20       exit 1\n\
         \x20   fi\n\
         fi\n\
         exec \"$CREDLINT\" staged\n"
    )
}

/// Quotes a string for a POSIX shell.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes_and_spaces() {
        assert_eq!(sh_quote("/a b/c"), "'/a b/c'");
        assert_eq!(sh_quote("/it's"), "'/it'\\''s'");
    }

    #[test]
    fn the_script_is_marked_and_falls_back_to_path() {
        let text = script(Some(Path::new("/opt/credlint")));
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(text.contains(MARKER));
        assert!(text.contains("CREDLINT='/opt/credlint'\n"));
        assert!(text.ends_with("exec \"$CREDLINT\" staged\n"));
        assert!(script(None).contains("CREDLINT=''\n"));
    }
}
