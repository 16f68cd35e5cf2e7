//! Real git repositories for the git integration tests, built with the `git` command in a
//! temporary directory, isolated from the user's and the system's git configuration.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use super::common::{credlint, stderr, stdout};

pub const AUTHOR: &str = "Ada Tester";
pub const EMAIL: &str = "ada.tester@mail.invalid";

/// A `git` command that sees no configuration but what the test sets.
pub fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", AUTHOR)
        .env("GIT_AUTHOR_EMAIL", EMAIL)
        .env("GIT_COMMITTER_NAME", AUTHOR)
        .env("GIT_COMMITTER_EMAIL", EMAIL)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE");
    command
}

/// Runs git in `dir` and returns its trimmed stdout; panics with git's message on failure.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir).args(args).output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

pub struct Repo {
    pub dir: TempDir,
}

impl Repo {
    /// `git init` on branch `main`.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        git_in(dir.path(), &["init", "-q", "-b", "main"]);
        Repo { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        super::common::write(self.path(), rel, content)
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path().join(rel)).unwrap();
    }

    /// Stages everything and commits; returns the new commit's id.
    pub fn commit_all(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.commit(message)
    }

    /// Commits what is staged (allowing an empty commit); returns the new commit's id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "-m",
            message,
        ]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Stages everything and commits with this author and committer date (RFC 3339).
    pub fn commit_all_dated(&self, message: &str, date: &str) -> String {
        self.git(&["add", "-A"]);
        let output = git_command(self.path())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .args(["commit", "-q", "--no-verify", "-m", message])
            .output()
            .unwrap();
        assert!(output.status.success());
        self.git(&["rev-parse", "HEAD"])
    }
}

/// Runs credlint in `dir` with `--format json` added and parses stdout.
pub fn run_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let output = credlint()
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("credlint runs");
    let text = stdout(&output);
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{text}\nstderr:\n{}",
            stderr(&output)
        )
    });
    (output.status.code().unwrap_or(-1), json, stderr(&output))
}

/// Runs credlint in `dir`: (exit code, stdout, stderr).
pub fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = credlint()
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .output()
        .expect("credlint runs");
    (
        output.status.code().unwrap_or(-1),
        stdout(&output),
        stderr(&output),
    )
}

/// A line of Python that assigns a secret.
pub fn assignment(name: &str, secret: &str) -> String {
    format!("{name} = \"{secret}\"\n")
}
