//! The real pre-commit framework (https://pre-commit.com) runs credlint's hooks in a fresh
//! repository, installed as its git hook and triggered by plain `git commit`:
//! - this repository's `.pre-commit-hooks.yaml` (the `credlint-system` hook, with the built
//!   binary on PATH);
//! - the hook repository published from `packaging/pre-commit/` (`language: python`), which
//!   pre-commit installs with pip from credlint's wheel. The wheel is the one `.ci/run` builds
//!   with maturin, found in the directory `CREDLINT_WHEELHOUSE` (beside the wheel of the build
//!   backend the hook package needs); pip is kept off the network (`PIP_NO_INDEX`), so what
//!   runs is that wheel's binary.
//!
//! The framework comes from `CREDLINT_PRE_COMMIT` (the path of a `pre-commit` executable; `.ci/run`
//! installs one from PyPI into a virtual environment) or from PATH. Without it, or without the
//! wheelhouse, a test fails under CI (`CI=true`) and is skipped, with a note, elsewhere.

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

/// Fails under CI, else notes that `what` is missing and the test is skipped.
fn missing(what: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "CI=true but {what}");
    eprintln!("note: {what}: skipping");
}

/// The directory of the locally built wheel (CREDLINT_WHEELHOUSE).
fn wheelhouse() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("CREDLINT_WHEELHOUSE").filter(|p| !p.is_empty()) else {
        missing("CREDLINT_WHEELHOUSE is not set (.ci/run builds the wheel and sets it)");
        return None;
    };
    let dir = PathBuf::from(dir);
    let wheel = format!("credlint-{}-", env!("CARGO_PKG_VERSION"));
    let has_wheel = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("CREDLINT_WHEELHOUSE={}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&wheel) && name.ends_with(".whl")
        });
    assert!(
        has_wheel,
        "CREDLINT_WHEELHOUSE={} holds no {wheel}*.whl",
        dir.display()
    );
    Some(dir)
}

/// A hook repository as pre-commit fetches it: `files` of the directory `from` (relative to this
/// checkout), committed. Returns it and the commit.
fn hooks_repo(files: &[&str], from: &str) -> (tempfile::TempDir, String) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    let hooks = Repo::new();
    for file in files {
        let content = std::fs::read(source.join(file))
            .unwrap_or_else(|e| panic!("{}: {e}", source.join(file).display()));
        hooks.write(file, content);
    }
    let rev = hooks.commit_all("Hooks");
    (hooks.dir, rev)
}

struct Setup {
    repo: Repo,
    _hooks: tempfile::TempDir,
    home: tempfile::TempDir,
    tool: PathBuf,
    path: OsString,
    env: Vec<(&'static str, OsString)>,
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
            .env("PATH", &self.path)
            .env("PRE_COMMIT_HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env_remove("PRE_COMMIT_COLOR")
            .env_remove("SKIP");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    fn commit(&self) -> Output {
        self.command(Path::new("git"), self.repo.path())
            .args(["commit", "-m", "Change"])
            .output()
            .expect("git runs")
    }
}

/// A repository whose `.pre-commit-config.yaml` uses hook `id` of the hook repository `hooks`,
/// installed with `pre-commit install`.
fn setup(
    tool: PathBuf,
    (hooks, rev): (tempfile::TempDir, String),
    id: &str,
    path: OsString,
    env: Vec<(&'static str, OsString)>,
) -> Setup {
    let repo = Repo::new();
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: {id}\n",
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
        path,
        env,
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
    let hooks = hooks_repo(&[".pre-commit-hooks.yaml"], ".");
    let setup = setup(tool, hooks, "credlint-system", path_with_credlint(), vec![]);
    blocks_a_staged_secret_and_passes_a_clean_commit(&setup, "credlint-system");
}

/// The wheel-based hook: pre-commit builds its environment with pip from the wheelhouse alone,
/// and the credlint that runs is the wheel's (the built binary is not on PATH).
#[test]
fn the_wheel_hook_installs_credlint_from_its_wheel_and_blocks_a_staged_secret() {
    let Some(tool) = pre_commit() else { return };
    let Some(wheels) = wheelhouse() else { return };
    let hooks = hooks_repo(
        &[".pre-commit-hooks.yaml", "pyproject.toml", "README.md"],
        "packaging/pre-commit",
    );
    let env = vec![
        ("PIP_NO_INDEX", OsString::from("1")),
        ("PIP_FIND_LINKS", wheels.into_os_string()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", OsString::from("1")),
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    let setup = setup(tool, hooks, "credlint", path, env);
    blocks_a_staged_secret_and_passes_a_clean_commit(&setup, "credlint");

    // The hook ran the credlint that pip put in the hook's environment.
    let installed: Vec<PathBuf> = std::fs::read_dir(setup.home.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .flat_map(|repo| std::fs::read_dir(repo.path()).into_iter().flatten())
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("py_env-"))
        .map(|env| env.path().join("bin/credlint"))
        .filter(|bin| bin.is_file())
        .collect();
    assert_eq!(installed.len(), 1, "credlint in the hook's environment");
    let version = Command::new(&installed[0])
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("credlint {}", env!("CARGO_PKG_VERSION"))
    );
}

fn blocks_a_staged_secret_and_passes_a_clean_commit(setup: &Setup, id: &str) {
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
        all.contains(&format!("hook id: {id}")),
        "pre-commit ran the hook {id}:\n{all}"
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
