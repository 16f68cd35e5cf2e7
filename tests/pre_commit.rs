//! The real pre-commit framework (https://pre-commit.com) runs this repository's
//! `.pre-commit-hooks.yaml` (the `credlint-system` hook, with the built binary on PATH) in a
//! fresh repository, installed as its git hook and triggered by plain `git commit`.
//!
//! The framework comes from `CREDLINT_PRE_COMMIT` (the path of a `pre-commit` executable; `.ci/run`
//! installs one from PyPI into a virtual environment) or from PATH. Without it the test fails
//! under CI (`CI=true`) and is skipped, with a note, elsewhere.

mod common;
mod git_support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::fake;
use git_support::{assignment, git_command, git_in, Repo};

fn pre_commit() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CREDLINT_PRE_COMMIT").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "CREDLINT_PRE_COMMIT={} is not a file",
            path.display()
        );
        return Some(path);
    }
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("pre-commit"))
        .find(|p| p.is_file());
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "CI=true but the pre-commit framework is missing: set CREDLINT_PRE_COMMIT or put pre-commit on PATH (.ci/run installs it)"
        );
        eprintln!(
            "note: pre-commit is not installed (CREDLINT_PRE_COMMIT unset, not on PATH): skipping the pre-commit framework test"
        );
    }
    found
}

/// PATH with the directory of the built credlint first.
fn path_with_credlint() -> OsString {
    let bin_dir = common::credlint_bin().parent().unwrap().to_path_buf();
    let mut dirs = vec![bin_dir];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// A repository that holds this checkout's `.pre-commit-hooks.yaml`, as pre-commit fetches it.
fn hooks_repo() -> (tempfile::TempDir, String) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let hooks = Repo::new();
    hooks.write(
        ".pre-commit-hooks.yaml",
        std::fs::read(&manifest).expect("the hooks manifest"),
    );
    let rev = hooks.commit_all("Hooks");
    (hooks.dir, rev)
}

struct Setup {
    repo: Repo,
    _hooks: tempfile::TempDir,
    home: tempfile::TempDir,
    tool: PathBuf,
}

impl Setup {
    fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut command = if program == Path::new("git") {
            git_command(dir)
        } else {
            let mut c = Command::new(program);
            c.current_dir(dir)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1");
            c
        };
        command
            .env("PATH", path_with_credlint())
            .env("PRE_COMMIT_HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env_remove("PRE_COMMIT_COLOR")
            .env_remove("SKIP");
        command
    }

    fn commit(&self) -> Output {
        self.command(Path::new("git"), self.repo.path())
            .args(["commit", "-m", "Change"])
            .output()
            .expect("git runs")
    }
}

fn setup(tool: PathBuf) -> Setup {
    let (hooks, rev) = hooks_repo();
    let repo = Repo::new();
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: credlint-system\n",
            hooks.path().display()
        ),
    );
    repo.write("README.md", "# demo\n");
    repo.commit_all("Base");
    let setup = Setup {
        repo,
        _hooks: hooks,
        home: tempfile::tempdir().unwrap(),
        tool,
    };
    let output = setup
        .command(&setup.tool, setup.repo.path())
        .arg("install")
        .output()
        .expect("pre-commit runs");
    assert!(
        output.status.success(),
        "pre-commit install: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    setup
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_credlint_system_hook_blocks_a_staged_secret_and_passes_a_clean_commit() {
    let Some(tool) = pre_commit() else { return };
    let setup = setup(tool);
    let repo = &setup.repo;
    let head = repo.git(&["rev-parse", "HEAD"]);

    let secret = fake::transcodely_live();
    repo.write(
        "config.py",
        format!("import os\n{}", assignment("KEY", &secret)),
    );
    repo.git(&["add", "config.py"]);
    let output = setup.commit();
    let all = text(&output);
    assert!(!output.status.success(), "the commit went through:\n{all}");
    assert!(
        all.contains("credlint-system"),
        "pre-commit ran the hook:\n{all}"
    );
    assert!(all.contains("Failed"), "{all}");
    assert!(all.contains("transcodely-live-key"), "the report:\n{all}");
    assert!(all.contains("config.py:2"), "{all}");
    assert!(all.contains("Commit blocked."), "how to proceed:\n{all}");
    assert!(!all.contains(&secret), "the secret was printed:\n{all}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);

    repo.write("config.py", "import os\nKEY = os.environ[\"KEY\"]\n");
    repo.git(&["add", "config.py"]);
    let output = setup.commit();
    let all = text(&output);
    assert!(
        output.status.success(),
        "a clean commit was blocked:\n{all}"
    );
    assert!(all.contains("Passed"), "{all}");
    assert_ne!(git_in(repo.path(), &["rev-parse", "HEAD"]), head);
}
