//! `credlint install-hook`: the hook it writes is run by plain `git commit` in real repositories.

mod common;
mod git_support;

use std::path::Path;
use std::process::Output;

use common::fake;
use git_support::{assignment, git_command, run, Repo};

const MARKER: &str = "# credlint-managed-hook";
const FOREIGN: &str = "#!/bin/sh\necho 'the team hook'\n";

/// `git commit -m MESSAGE` with the hooks enabled, plus `extra` arguments.
fn commit(dir: &Path, extra: &[&str]) -> Output {
    git_command(dir)
        .args(["commit", "-m", "Change"])
        .args(extra)
        .output()
        .expect("git runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A repository with one clean commit.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "# demo\n");
    repo.commit_all("Base");
    repo
}

fn install(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["install-hook"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn assert_blocked(output: &Output, secret: &str) {
    let all = text(output);
    assert!(!output.status.success(), "the commit went through:\n{all}");
    assert!(all.contains("transcodely-live-key"), "no report:\n{all}");
    assert!(all.contains("config.py:2"), "no location:\n{all}");
    assert!(
        all.contains("Commit blocked.")
            && all.contains("credlint:allow")
            && all.contains("baseline"),
        "no line on how to proceed:\n{all}"
    );
    assert!(!all.contains(secret), "the secret was printed:\n{all}");
}

#[test]
fn the_hook_blocks_a_staged_secret_and_lets_a_clean_commit_through() {
    let repo = repo();
    let (code, _, err) = install(repo.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("installed the pre-commit hook"), "{err}");
    let hook = repo.path().join(".git/hooks/pre-commit");
    let script = read(&hook);
    assert!(script.starts_with("#!/bin/sh\n") && script.contains(MARKER));
    assert!(
        script.contains(
            &*common::credlint_bin()
                .canonicalize()
                .unwrap()
                .to_string_lossy()
        ),
        "the hook runs the installing binary:\n{script}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "executable: {mode:o}");
    }
    let head = repo.git(&["rev-parse", "HEAD"]);

    let secret = fake::transcodely_live();
    repo.write(
        "config.py",
        format!("import os\n{}", assignment("KEY", &secret)),
    );
    repo.git(&["add", "config.py"]);
    let output = commit(repo.path(), &[]);
    assert_blocked(&output, &secret);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head, "no commit was made");
    // The report, the line on how to proceed, and nothing else: the last line is the advice.
    let all = text(&output);
    let last = all.trim_end().lines().last().unwrap();
    assert!(last.starts_with("Commit blocked."), "{all}");

    repo.write("config.py", "import os\nKEY = os.environ[\"KEY\"]\n");
    repo.git(&["add", "config.py"]);
    let output = commit(repo.path(), &[]);
    assert!(output.status.success(), "{}", text(&output));
    assert_ne!(repo.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn commit_all_is_checked_against_the_index_git_commits_from() {
    // `git commit -a` stages into a temporary index (GIT_INDEX_FILE) that the hook must read.
    let repo = repo();
    repo.write("config.py", "import os\n");
    repo.commit_all("Config");
    assert_eq!(install(repo.path(), &[]).0, 0);
    let secret = fake::transcodely_live();
    repo.write(
        "config.py",
        format!("import os\n{}", assignment("KEY", &secret)),
    );
    let output = commit(repo.path(), &["-a"]);
    assert_blocked(&output, &secret);
    // And `git commit PATH`, which builds another temporary index.
    let output = commit(repo.path(), &["config.py"]);
    assert_blocked(&output, &secret);
}

#[test]
fn a_foreign_hook_is_kept_unless_forced_and_uninstall_removes_only_ours() {
    let repo = repo();
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, FOREIGN).unwrap();

    let (code, _, err) = install(repo.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not written by credlint") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(read(&hook), FOREIGN);
    let (code, _, err) = install(repo.path(), &["--uninstall"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("left alone"), "{err}");
    assert_eq!(read(&hook), FOREIGN);

    let (code, _, err) = install(repo.path(), &["--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(read(&hook).contains(MARKER));
    let backup = repo.path().join(".git/hooks/pre-commit.credlint-backup");
    assert_eq!(read(&backup), FOREIGN, "the replaced hook is kept");
    assert!(err.contains("pre-commit.credlint-backup"), "{err}");

    // Installing again over our own hook needs no --force.
    let (code, _, err) = install(repo.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("updated"), "{err}");

    // Uninstalling puts the team's hook back where it was.
    let (code, _, err) = install(repo.path(), &["--uninstall"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("removed") && err.contains("restored"), "{err}");
    assert_eq!(read(&hook), FOREIGN);
    assert!(!backup.exists());
    std::fs::remove_file(&hook).unwrap();
    let (code, _, err) = install(repo.path(), &["--uninstall"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing to remove"), "{err}");

    // Without the hook a secret goes through.
    let secret = fake::transcodely_live();
    repo.write(
        "config.py",
        format!("import os\n{}", assignment("KEY", &secret)),
    );
    repo.git(&["add", "config.py"]);
    assert!(commit(repo.path(), &[]).status.success());
}

#[test]
fn core_hooks_path_is_honoured_from_a_subdirectory() {
    let repo = repo();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.write("src/lib.py", "\n");
    let (code, _, err) = install(&repo.path().join("src"), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(read(&repo.path().join(".githooks/pre-commit")).contains(MARKER));
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());

    let secret = fake::transcodely_live();
    repo.write(
        "config.py",
        format!("import os\n{}", assignment("KEY", &secret)),
    );
    repo.git(&["add", "config.py"]);
    assert_blocked(&commit(repo.path(), &[]), &secret);
}

#[test]
fn a_linked_worktree_shares_the_repository_hooks() {
    let repo = repo();
    let parent = tempfile::tempdir().unwrap();
    let linked = parent.path().join("linked");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        linked.to_str().unwrap(),
    ]);
    let (code, _, err) = install(&linked, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(read(&repo.path().join(".git/hooks/pre-commit")).contains(MARKER));

    let secret = fake::transcodely_live();
    common::write(
        &linked,
        "config.py",
        format!("import os\n{}", assignment("KEY", &secret)),
    );
    git_support::git_in(&linked, &["add", "config.py"]);
    assert_blocked(&commit(&linked, &[]), &secret);
}

#[test]
fn outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(dir.path(), &["install-hook"]);
    assert_eq!(code, 2);
    assert!(err.contains("not in a git repository"), "{err}");
}
