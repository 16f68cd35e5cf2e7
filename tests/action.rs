//! The GitHub Action's scan step (`action/scan.sh`), run as a script with the environment GitHub
//! provides, against real repositories: an "upstream" with a main branch (an old secret in its
//! history) and a feature branch (a new secret), cloned into the workspace as actions/checkout
//! does with `fetch-depth: 0`.

mod common;
mod git_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::fake;
use git_support::{assignment, git_in, Repo};
use serde_json::{json, Value};
use tempfile::TempDir;

const ZERO: &str = "0000000000000000000000000000000000000000";

struct Fixture {
    _upstream: Repo,
    workspace: TempDir,
    /// main: adds old.py with an old secret.
    c0: String,
    /// feature: adds app/config.py with a new secret on line 3.
    c2: String,
    /// feature: adds a clean file.
    c3: String,
    old_secret: String,
    new_secret: String,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with_clone(&[])
    }

    fn with_clone(clone_args: &[&str]) -> Fixture {
        Fixture::build(clone_args, 0)
    }

    /// `earlier` clean commits on main come before c0.
    fn build(clone_args: &[&str], earlier: usize) -> Fixture {
        let upstream = Repo::new();
        for i in 0..earlier {
            upstream.write("history.txt", format!("{i}\n"));
            upstream.commit_all("Earlier");
        }
        let old_secret = fake::transcodely_live();
        let new_secret = fake::transcodely_live();
        upstream.write("README.md", "# demo\n");
        upstream.write(
            "old.py",
            format!("import os\n{}", assignment("OLD", &old_secret)),
        );
        let c0 = upstream.commit_all("Base");
        upstream.git(&["branch", "copy"]);
        upstream.git(&["checkout", "-q", "-b", "feature"]);
        upstream.write(
            "app/config.py",
            format!("import os\n\n{}", assignment("KEY", &new_secret)),
        );
        let c2 = upstream.commit_all("Config");
        upstream.write("app/main.py", "print('hello')\n");
        let c3 = upstream.commit_all("Main");
        upstream.git(&["checkout", "-q", "main"]);

        let workspace = tempfile::tempdir().unwrap();
        let url = format!("file://{}", upstream.path().display());
        let mut args = vec!["clone", "-q"];
        args.extend_from_slice(clone_args);
        args.extend_from_slice(&[&url, "."]);
        git_in(workspace.path(), &args);
        Fixture {
            _upstream: upstream,
            workspace,
            c0,
            c2,
            c3,
            old_secret,
            new_secret,
        }
    }

    fn checkout(&self, rev: &str) {
        git_in(self.workspace.path(), &["checkout", "-q", "--detach", rev]);
    }

    fn pull_request(&self) -> Value {
        json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {
                "base": { "ref": "main", "sha": self.c0 },
                "head": { "ref": "feature", "sha": self.c3 },
            },
        })
    }

    fn push(&self, before: &str, after: &str) -> Value {
        json!({ "ref": "refs/heads/feature", "before": before, "after": after, "commits": [] })
    }
}

struct Run {
    code: i32,
    stdout: String,
    summary: String,
    outputs: BTreeMap<String, String>,
    sarif_path: PathBuf,
}

impl Run {
    fn sarif(&self) -> Value {
        let text = std::fs::read_to_string(&self.sarif_path)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", self.sarif_path.display(), self.stdout));
        serde_json::from_str(&text).expect("SARIF is JSON")
    }

    /// (uri, start line) of each SARIF result.
    fn sarif_results(&self) -> Vec<(String, u64)> {
        let sarif = self.sarif();
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"];
                (
                    loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                    loc["region"]["startLine"].as_u64().unwrap(),
                )
            })
            .collect()
    }
}

/// Runs action/scan.sh in the fixture's workspace.
fn scan(f: &Fixture, event_name: &str, event: &Value, inputs: &[(&str, &str)]) -> Run {
    scan_in(
        f.workspace.path(),
        event_name,
        event,
        inputs,
        "refs/heads/feature",
    )
}

fn scan_in(
    workspace: &Path,
    event_name: &str,
    event: &Value,
    inputs: &[(&str, &str)],
    git_ref: &str,
) -> Run {
    let runner = tempfile::tempdir().unwrap();
    let event_path = runner.path().join("event.json");
    std::fs::write(&event_path, serde_json::to_vec_pretty(event).unwrap()).unwrap();
    let summary_path = runner.path().join("summary.md");
    let output_path = runner.path().join("output.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/scan.sh");
    let bin_dir = common::credlint_bin().parent().unwrap().to_path_buf();
    let mut path = vec![bin_dir];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));

    let mut command = std::process::Command::new("bash");
    command
        .arg(&script)
        .current_dir(runner.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REF", git_ref)
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_STEP_SUMMARY", &summary_path)
        .env("GITHUB_OUTPUT", &output_path)
        .env("RUNNER_TEMP", runner.path());
    for name in [
        "CREDLINT",
        "CREDLINT_ACTION_DEFER_EXIT",
        "INPUT_SCAN",
        "INPUT_SARIF_PATH",
        "INPUT_FAIL_ON",
        "INPUT_CONFIG_FROM_BASE",
        "INPUT_ARGS",
        "INPUT_WORKING_DIRECTORY",
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_WORK_TREE",
    ] {
        command.env_remove(name);
    }
    for (name, value) in inputs {
        command.env(name, value);
    }
    let output = command.output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let outputs: BTreeMap<String, String> = std::fs::read_to_string(&output_path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let sarif_path = outputs
        .get("sarif")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("credlint.sarif"));
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: format!("{stdout}\n--- stderr\n{stderr}"),
        summary: std::fs::read_to_string(&summary_path).unwrap_or_default(),
        outputs,
        sarif_path,
    };
    drop(runner);
    run
}

fn assert_outputs(run: &Run, findings: usize, code: i32) {
    assert_eq!(run.code, code, "exit code\n{}", run.stdout);
    assert_eq!(
        run.outputs.get("findings").map(String::as_str),
        Some(findings.to_string().as_str()),
        "{:?}\n{}",
        run.outputs,
        run.stdout
    );
    assert_eq!(
        run.outputs.get("exit-code").map(String::as_str),
        Some(code.to_string().as_str()),
        "{:?}",
        run.outputs
    );
}

/// The new secret, and only it: SARIF, annotation, summary, outputs; no secret anywhere.
fn assert_only_the_new_secret(f: &Fixture, run: &Run) {
    assert_outputs(run, 1, 1);
    let sarif_out = run.outputs.get("sarif").unwrap();
    assert_eq!(
        Path::new(sarif_out),
        f.workspace
            .path()
            .canonicalize()
            .unwrap()
            .join("credlint.sarif")
    );
    assert_eq!(
        run.sarif_results(),
        vec![("app/config.py".to_string(), 3)],
        "{}",
        run.stdout
    );
    let sarif_text = std::fs::read_to_string(&run.sarif_path).unwrap();
    for secret in [&f.new_secret, &f.old_secret] {
        assert!(!sarif_text.contains(secret.as_str()), "secret in SARIF");
        assert!(!run.stdout.contains(secret.as_str()), "secret on stdout");
        assert!(!run.summary.contains(secret.as_str()), "secret in summary");
    }
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::error file=app/config.py,line=3,")
                && l.contains("transcodely-live-key")),
        "annotation:\n{}",
        run.stdout
    );
    assert!(!run.stdout.contains("old.py"), "{}", run.stdout);
    assert!(run.summary.contains("## credlint"), "{}", run.summary);
    assert!(run.summary.contains("critical"), "{}", run.summary);
    assert!(
        run.summary.contains("app/config.py:3") && run.summary.contains("transcodely-live-key"),
        "{}",
        run.summary
    );
}

#[test]
fn pull_request_scans_base_to_head() {
    let f = Fixture::new();
    f.checkout(&f.c3);
    let run = scan(&f, "pull_request", &f.pull_request(), &[]);
    assert_only_the_new_secret(&f, &run);
    assert!(run.summary.contains("pull request"), "{}", run.summary);
    // pull_request_target reads the same fields.
    let run = scan(&f, "pull_request_target", &f.pull_request(), &[]);
    assert_outputs(&run, 1, 1);
}

#[test]
fn push_scans_before_to_after() {
    let f = Fixture::new();
    f.checkout(&f.c3);
    let run = scan(&f, "push", &f.push(&f.c0, &f.c3), &[]);
    assert_only_the_new_secret(&f, &run);
    // Only the last commit, which is clean.
    let run = scan(&f, "push", &f.push(&f.c2, &f.c3), &[]);
    assert_outputs(&run, 0, 0);
    assert!(run.sarif_results().is_empty());
    assert!(run.summary.contains("No findings"), "{}", run.summary);
}

#[test]
fn push_of_a_new_branch_scans_the_commits_no_other_branch_has() {
    let f = Fixture::new();
    f.checkout(&f.c3);
    let run = scan(&f, "push", &f.push(ZERO, &f.c3), &[]);
    assert_only_the_new_secret(&f, &run);
    assert!(run.summary.contains("new branch"), "{}", run.summary);

    // A new branch at a commit that main already has brings nothing new.
    f.checkout(&f.c0);
    let event = json!({ "ref": "refs/heads/copy", "before": ZERO, "after": f.c0 });
    let run = scan_in(f.workspace.path(), "push", &event, &[], "refs/heads/copy");
    assert_outputs(&run, 0, 0);
    assert!(run.sarif_results().is_empty());
}

#[test]
fn push_of_the_first_branch_scans_its_whole_history() {
    // No other branch to compare with: everything is new.
    let upstream = Repo::new();
    let secret = fake::transcodely_live();
    upstream.write("README.md", "# demo\n");
    upstream.commit_all("Base");
    upstream.write("a.py", format!("x = 1\n{}", assignment("KEY", &secret)));
    let head = upstream.commit_all("Key");
    let workspace = tempfile::tempdir().unwrap();
    let url = format!("file://{}", upstream.path().display());
    git_in(workspace.path(), &["clone", "-q", &url, "."]);
    let event = json!({ "ref": "refs/heads/main", "before": ZERO, "after": head });
    let run = scan_in(workspace.path(), "push", &event, &[], "refs/heads/main");
    assert_outputs(&run, 1, 1);
    assert_eq!(run.sarif_results(), vec![("a.py".to_string(), 2)]);
}

#[test]
fn push_with_before_equal_to_after_scans_nothing_and_succeeds() {
    let f = Fixture::new();
    f.checkout(&f.c3);
    let run = scan(&f, "push", &f.push(&f.c3, &f.c3), &[]);
    assert_outputs(&run, 0, 0);
    assert!(run.sarif_results().is_empty(), "an empty SARIF for upload");
    assert!(run.summary.contains("nothing"), "{}", run.summary);
    // A deleted branch (after all zeros) adds nothing either.
    let run = scan(&f, "push", &f.push(&f.c3, ZERO), &[]);
    assert_outputs(&run, 0, 0);
}

#[test]
fn workflow_dispatch_and_schedule_scan_the_full_history() {
    let f = Fixture::new();
    f.checkout(&f.c3);
    for event in ["workflow_dispatch", "schedule"] {
        let run = scan(&f, event, &json!({}), &[]);
        assert_outputs(&run, 2, 1);
        let mut results = run.sarif_results();
        results.sort();
        assert_eq!(
            results,
            vec![("app/config.py".to_string(), 3), ("old.py".to_string(), 2)],
            "{}",
            run.stdout
        );
        assert!(run.summary.contains("full history"), "{}", run.summary);
    }
}

#[test]
fn inputs_override_the_event() {
    let f = Fixture::new();
    f.checkout(&f.c3);
    // scan: full on a pull request.
    let run = scan(
        &f,
        "pull_request",
        &f.pull_request(),
        &[("INPUT_SCAN", "full")],
    );
    assert_outputs(&run, 2, 1);
    // scan: a range.
    let range = format!("{}..{}", f.c2, f.c3);
    let run = scan(
        &f,
        "pull_request",
        &f.pull_request(),
        &[("INPUT_SCAN", &range)],
    );
    assert_outputs(&run, 0, 0);
    // fail-on above the finding's severity: reported, not failing.
    let run = scan(
        &f,
        "pull_request",
        &f.pull_request(),
        &[("INPUT_FAIL_ON", "none")],
    );
    assert_outputs(&run, 1, 0);
    // Extra arguments, split on whitespace and passed as words.
    let run = scan(
        &f,
        "pull_request",
        &f.pull_request(),
        &[("INPUT_ARGS", "--exclude  app/**\t--no-config")],
    );
    assert_outputs(&run, 0, 0);
    // A word with shell syntax stays a word (and credlint rejects it).
    let marker = f.workspace.path().join("injected");
    let args = format!("--exclude $(touch {})", marker.display());
    let run = scan(
        &f,
        "pull_request",
        &f.pull_request(),
        &[("INPUT_ARGS", &args)],
    );
    assert!(!marker.exists(), "the input was run as shell code");
    assert_eq!(run.code, 2, "{}", run.stdout);
    // Another SARIF path and a working directory.
    let nested = tempfile::tempdir().unwrap();
    let repo_dir = nested.path().join("checkout");
    std::fs::rename(f.workspace.path(), &repo_dir).unwrap();
    std::fs::create_dir(f.workspace.path()).unwrap();
    let run = scan_in(
        nested.path(),
        "pull_request",
        &f.pull_request(),
        &[
            ("INPUT_WORKING_DIRECTORY", "checkout"),
            ("INPUT_SARIF_PATH", "reports/out.sarif"),
        ],
        "refs/heads/feature",
    );
    assert_outputs(&run, 1, 1);
    assert_eq!(
        Path::new(run.outputs.get("sarif").unwrap()),
        repo_dir.canonicalize().unwrap().join("reports/out.sarif")
    );
    assert_eq!(run.sarif_results(), vec![("app/config.py".to_string(), 3)]);
    // An invalid scan input.
    let run = scan(
        &f,
        "push",
        &f.push(&f.c0, &f.c3),
        &[("INPUT_SCAN", "everything")],
    );
    assert_eq!(run.code, 2);
}

#[test]
fn a_shallow_checkout_asks_for_fetch_depth_0() {
    let f = Fixture::with_clone(&["--depth", "1", "--no-single-branch"]);
    f.checkout(&f.c3);
    assert_eq!(
        git_in(
            f.workspace.path(),
            &["rev-parse", "--is-shallow-repository"]
        ),
        "true"
    );
    for (name, event) in [
        ("pull_request", f.pull_request()),
        ("push", f.push(ZERO, &f.c3)),
        ("workflow_dispatch", json!({})),
    ] {
        let run = scan(&f, name, &event, &[]);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        assert!(
            run.stdout.contains("::error title=credlint::")
                && run.stdout.contains("fetch-depth: 0"),
            "{name}: {}",
            run.stdout
        );
        assert_eq!(run.outputs.get("exit-code").map(String::as_str), Some("2"));
        assert!(run.summary.contains("fetch-depth: 0"), "{}", run.summary);
    }
}

#[test]
fn a_shallow_checkout_deep_enough_for_the_range_is_scanned() {
    // Deep enough for feature (c0, c2, c3), not for main's earlier history.
    let f = Fixture::build(&["--depth", "3", "--no-single-branch"], 3);
    f.checkout(&f.c3);
    assert_eq!(
        git_in(
            f.workspace.path(),
            &["rev-parse", "--is-shallow-repository"]
        ),
        "true"
    );
    let run = scan(&f, "pull_request", &f.pull_request(), &[]);
    assert_only_the_new_secret(&f, &run);
}

#[test]
fn scanned_content_cannot_inject_workflow_commands() {
    let upstream = Repo::new();
    upstream.write("README.md", "# demo\n");
    let base = upstream.commit_all("Base");
    let secret = fake::transcodely_live();
    // A path that tries to end the annotation and start a command of its own.
    let name = "x,line=1::%0A::warning file=evil.py::";
    upstream.write(
        &format!("{name}.py"),
        format!("x = 1\n{}", assignment("KEY", &secret)),
    );
    let head = upstream.commit_all("Key");
    let workspace = tempfile::tempdir().unwrap();
    let url = format!("file://{}", upstream.path().display());
    git_in(workspace.path(), &["clone", "-q", &url, "."]);
    let event = json!({ "pull_request": { "base": { "sha": base }, "head": { "sha": head } } });
    let run = scan_in(
        workspace.path(),
        "pull_request",
        &event,
        &[],
        "refs/pull/1/merge",
    );
    assert_outputs(&run, 1, 1);
    let commands: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), 1, "{}", run.stdout);
    assert!(
        commands[0].starts_with("::error file=x%2Cline=1%3A%3A%250A%3A%3Awarning"),
        "{}",
        commands[0]
    );
    assert!(!run.stdout.lines().any(|l| l.starts_with("::warning")));
}

/// Runs one of the action's other scripts with `env`; returns (exit code, stdout, GITHUB_OUTPUT).
fn run_script(name: &str, env: &[(&str, &Path)], vars: &[(&str, &str)]) -> (i32, String, String) {
    let runner = tempfile::tempdir().unwrap();
    let output_path = runner.path().join("output.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("action")
        .join(name);
    let mut command = std::process::Command::new("bash");
    command
        .arg(&script)
        .current_dir(runner.path())
        .env("GITHUB_OUTPUT", &output_path)
        .env_remove("EXIT_CODE")
        .env_remove("ACTION_REF");
    for (k, v) in env {
        command.env(k, v);
    }
    for (k, v) in vars {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        std::fs::read_to_string(&output_path).unwrap_or_default(),
    )
}

#[test]
fn the_cache_key_follows_the_action_source() {
    let action = tempfile::tempdir().unwrap();
    common::write(action.path(), "Cargo.toml", "[package]\n");
    common::write(action.path(), "src/main.rs", "fn main() {}\n");
    common::write(action.path(), "rules/a.toml", "\n");
    let key = |vars: &[(&str, &str)]| {
        let outputs = identify(action.path(), vars);
        let key = outputs["key"].clone();
        assert_eq!(key.len(), 32, "{outputs:?}");
        key
    };
    let first = key(&[("ACTION_REF", "v1")]);
    assert_eq!(key(&[("ACTION_REF", "v1")]), first, "stable");
    common::write(action.path(), "rules/a.toml", "# changed\n");
    let changed = key(&[("ACTION_REF", "v1")]);
    assert_ne!(changed, first, "a changed rule file is a new build");
    assert_ne!(key(&[("ACTION_REF", "v2")]), changed);
}

/// version.sh's outputs for the action checked out at `action_path`.
fn identify(action_path: &Path, vars: &[(&str, &str)]) -> BTreeMap<String, String> {
    let (code, out, outputs) =
        run_script("version.sh", &[("GITHUB_ACTION_PATH", action_path)], vars);
    assert_eq!(code, 0, "{out}");
    outputs
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_source_digest_names_the_sources_and_not_the_ref() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let v1 = identify(root, &[("ACTION_REF", "v1")]);
    let sha = identify(
        root,
        &[("ACTION_REF", "0123456789abcdef0123456789abcdef01234567")],
    );
    assert_eq!(v1["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v1["source"].len(), 32, "{v1:?}");
    assert_eq!(v1["source"], sha["source"], "the same sources at any ref");
    assert_ne!(v1["key"], sha["key"], "the cache key still follows the ref");
    // `--source` prints the same digest: what the release workflow publishes.
    let output = std::process::Command::new("bash")
        .arg(root.join("action/version.sh"))
        .arg("--source")
        .env("GITHUB_ACTION_PATH", root)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), v1["source"]);
}

#[test]
fn the_last_step_fails_with_the_scan_exit_code() {
    for (code, expected) in [("0", 0), ("1", 1), ("2", 2), ("", 2)] {
        let (got, out, _) = run_script("finish.sh", &[], &[("EXIT_CODE", code)]);
        assert_eq!(got, expected, "EXIT_CODE={code:?}: {out}");
    }
    // The scan step itself exits 0 when the action defers the failure to that last step.
    let f = Fixture::new();
    f.checkout(&f.c3);
    let run = scan(
        &f,
        "pull_request",
        &f.pull_request(),
        &[("CREDLINT_ACTION_DEFER_EXIT", "1")],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.outputs.get("exit-code").map(String::as_str), Some("1"));
    assert_eq!(run.sarif_results(), vec![("app/config.py".to_string(), 3)]);
}

#[test]
fn action_yml_passes_inputs_through_env_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = std::fs::read_to_string(root.join("action.yml")).unwrap();
    assert!(action.contains("using: composite"));
    let mut in_run_block = false;
    for line in action.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("run:") {
            assert!(!line.contains("${{"), "expression in a run: line: {line}");
            in_run_block = trimmed.trim_end().ends_with('|') || trimmed.trim_end().ends_with('>');
            continue;
        }
        if in_run_block
            && !trimmed.is_empty()
            && !trimmed.starts_with("- ")
            && !trimmed.contains(": ")
        {
            assert!(!line.contains("${{"), "expression in a run: block: {line}");
        } else {
            in_run_block = false;
        }
    }
    // Every input the scan script reads is set from the action's inputs.
    let script = std::fs::read_to_string(root.join("action/scan.sh")).unwrap();
    for input in ["scan", "sarif-path", "fail-on", "args", "working-directory"] {
        let var = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(script.contains(&var), "scan.sh reads {var}");
        assert!(
            action.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "action.yml sets {var} from inputs.{input}"
        );
    }
    let upload = action
        .lines()
        .find(|l| l.contains("uses: github/codeql-action/upload-sarif@"))
        .expect("the SARIF upload step");
    assert!(
        upload.trim_end().contains(" # v4."),
        "upload-sarif v4: {upload}"
    );
    assert!(action.contains("category: credlint"));
    assert!(action.contains("if: inputs.upload-sarif == 'true'"));
}

/// The release target the install script looks for on this machine, with the RUNNER_OS and
/// RUNNER_ARCH that GitHub would set here; None where releases have no binary.
fn this_platform() -> Option<(&'static str, &'static str, &'static str)> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some(("Linux", "X64", "x86_64-unknown-linux-musl")),
        ("linux", "aarch64") => Some(("Linux", "ARM64", "aarch64-unknown-linux-musl")),
        ("macos", "x86_64") => Some(("macOS", "X64", "x86_64-apple-darwin")),
        ("macos", "aarch64") => Some(("macOS", "ARM64", "aarch64-apple-darwin")),
        _ => None,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// PATH without the directories that hold a cargo, or None when cargo sits beside the system's
/// tools (then a runner without cargo cannot be imitated here).
fn path_without_cargo() -> Option<Vec<PathBuf>> {
    let dirs: Vec<PathBuf> =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect();
    if dirs
        .iter()
        .any(|d| d.join("cargo").exists() && d.join("tar").exists())
    {
        return None;
    }
    Some(
        dirs.into_iter()
            .filter(|d| !d.join("cargo").exists())
            .collect(),
    )
}

/// A release laid out as the release workflow publishes it (`vVERSION/ASSET`), in a directory
/// the install script reads through a file:// URL.
struct FakeRelease {
    dir: TempDir,
    version: String,
    source: String,
    target: &'static str,
    runner: (&'static str, &'static str),
}

impl FakeRelease {
    /// An empty release directory for this checkout's version and source digest.
    fn new() -> Option<FakeRelease> {
        let (os, arch, target) = this_platform()?;
        let outputs = identify(Path::new(env!("CARGO_MANIFEST_DIR")), &[]);
        Some(FakeRelease {
            dir: tempfile::tempdir().unwrap(),
            version: outputs["version"].clone(),
            source: outputs["source"].clone(),
            target,
            runner: (os, arch),
        })
    }

    fn asset_dir(&self) -> PathBuf {
        self.dir.path().join(format!("v{}", self.version))
    }

    fn archive_name(&self) -> String {
        format!("credlint-v{}-{}.tar.gz", self.version, self.target)
    }

    /// Publishes `binary` as the release's archive for this platform, with its SHA256SUMS and the
    /// source digest `source`.
    fn publish(&self, binary: &[u8], source: &str) {
        let assets = self.asset_dir();
        let name = format!("credlint-v{}-{}", self.version, self.target);
        let staging = tempfile::tempdir().unwrap();
        let packed = staging.path().join(&name).join("credlint");
        std::fs::create_dir_all(packed.parent().unwrap()).unwrap();
        std::fs::write(&packed, binary).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&packed, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(staging.path().join(&name).join("LICENSE"), "MIT\n").unwrap();
        std::fs::create_dir_all(&assets).unwrap();
        let archive = assets.join(self.archive_name());
        let status = std::process::Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(staging.path())
            .arg(&name)
            .status()
            .unwrap();
        assert!(status.success());
        let digest_name = format!("credlint-v{}-source-digest.txt", self.version);
        std::fs::write(assets.join(&digest_name), format!("{source}\n")).unwrap();
        let sums = format!(
            "{}  {}\n{}  {}\n{}  credlint-{}.tar.gz\n",
            sha256_hex(&std::fs::read(&archive).unwrap()),
            self.archive_name(),
            sha256_hex(&std::fs::read(assets.join(&digest_name)).unwrap()),
            digest_name,
            sha256_hex(b"sdist"),
            self.version
        );
        std::fs::write(assets.join("SHA256SUMS"), sums).unwrap();
    }

    /// Runs action/install.sh against this release, with a `cargo` on PATH that records its
    /// arguments and "builds" a stand-in binary (or, with `cargo: false`, no cargo at all).
    fn install(&self, cargo: bool) -> Install {
        let runner = tempfile::tempdir().unwrap();
        let root = runner.path().join("credlint-action");
        let tools = runner.path().join("tools");
        std::fs::create_dir_all(&tools).unwrap();
        let cargo_log = runner.path().join("cargo.log");
        if cargo {
            let script = format!(
                "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >>'{log}'\nmkdir -p '{root}/bin'\nprintf '#!/bin/sh\\necho credlint built-from-source\\n' >'{root}/bin/credlint'\nchmod +x '{root}/bin/credlint'\n",
                log = cargo_log.display(),
                root = root.display()
            );
            common::write(&tools, "cargo", script);
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tools.join("cargo"), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
        // The stand-in cargo comes first; without it, PATH has no cargo at all.
        let mut path = vec![tools.clone()];
        if cargo {
            path.extend(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            ));
        } else {
            path.extend(path_without_cargo().expect("checked by the caller"));
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/install.sh");
        let output = std::process::Command::new("bash")
            .arg(&script)
            .current_dir(runner.path())
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("CREDLINT_ROOT", &root)
            .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
            .env("CREDLINT_VERSION", &self.version)
            .env("CREDLINT_SOURCE", &self.source)
            .env(
                "CREDLINT_RELEASES",
                format!("file://{}", self.dir.path().display()),
            )
            .env("RUNNER_OS", self.runner.0)
            .env("RUNNER_ARCH", self.runner.1)
            .env("RUNNER_TEMP", runner.path())
            .env_remove("ACTION_REPOSITORY")
            .output()
            .expect("bash runs");
        let installed = root.join("bin/credlint");
        Install {
            code: output.status.code().unwrap_or(-1),
            stdout: format!(
                "{}\n--- stderr\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            cargo_calls: std::fs::read_to_string(&cargo_log).unwrap_or_default(),
            binary: std::fs::read(&installed).ok(),
            leftovers: std::fs::read_dir(runner.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("credlint-release."))
                .collect(),
            _runner: runner,
        }
    }
}

struct Install {
    code: i32,
    stdout: String,
    cargo_calls: String,
    binary: Option<Vec<u8>>,
    /// Temporary download directories left in RUNNER_TEMP.
    leftovers: Vec<String>,
    _runner: TempDir,
}

impl Install {
    fn assert_built_from_source(&self, why: &str) {
        assert_eq!(self.code, 0, "{}", self.stdout);
        assert!(
            self.cargo_calls.starts_with(&format!(
                "install --path {} --locked --root ",
                env!("CARGO_MANIFEST_DIR")
            )),
            "cargo install of the action's checkout: {:?}\n{}",
            self.cargo_calls,
            self.stdout
        );
        assert!(self.stdout.contains(why), "{}", self.stdout);
        assert!(
            self.stdout.contains("credlint built-from-source"),
            "{}",
            self.stdout
        );
        assert!(self.leftovers.is_empty(), "{:?}", self.leftovers);
    }
}

#[test]
fn the_release_binary_of_this_version_is_installed_when_its_sha256_matches() {
    let Some(release) = FakeRelease::new() else {
        eprintln!("note: no release binaries for this platform: skipping");
        return;
    };
    let binary = std::fs::read(common::credlint_bin()).unwrap();
    release.publish(&binary, &release.source);
    let run = release.install(true);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.cargo_calls, "",
        "nothing is built when the release has the binary"
    );
    assert!(
        run.binary.as_deref() == Some(binary.as_slice()),
        "the release's binary is installed"
    );
    assert!(run.stdout.contains("matches SHA256SUMS"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("installed release v{}", release.version)),
        "{}",
        run.stdout
    );
    assert!(run.leftovers.is_empty(), "{:?}", run.leftovers);
    // No cargo on the runner at all: the release is all it needs.
    if path_without_cargo().is_some() {
        let run = release.install(false);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert!(run.binary.is_some());
    }
}

#[test]
fn a_release_binary_that_does_not_match_its_sha256_is_refused() {
    let Some(release) = FakeRelease::new() else {
        return;
    };
    let binary = std::fs::read(common::credlint_bin()).unwrap();
    release.publish(&binary, &release.source);
    // The archive is swapped after SHA256SUMS was written.
    let archive = release.asset_dir().join(release.archive_name());
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let run = release.install(true);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("::error title=credlint::")
            && run.stdout.contains("does not match its SHA-256"),
        "{}",
        run.stdout
    );
    assert!(run.binary.is_none(), "nothing installed");
    assert_eq!(
        run.cargo_calls, "",
        "a mismatch is not papered over by a build"
    );
    assert!(run.leftovers.is_empty(), "{:?}", run.leftovers);
}

#[test]
fn a_release_binary_that_reports_another_version_is_refused() {
    let Some(release) = FakeRelease::new() else {
        return;
    };
    release.publish(b"#!/bin/sh\necho credlint 0.0.0-other\n", &release.source);
    let run = release.install(true);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("reports 'credlint 0.0.0-other'"),
        "{}",
        run.stdout
    );
    assert!(run.binary.is_none());
    assert_eq!(run.cargo_calls, "");
}

#[test]
fn without_a_release_of_this_source_the_action_builds_its_checkout() {
    let Some(release) = FakeRelease::new() else {
        return;
    };
    // No release of this version at all.
    release
        .install(true)
        .assert_built_from_source(&format!("no release v{}", release.version));

    // A release of this version built from other sources: the action is used from a commit
    // between releases, and the release binary would not be this code.
    let binary = std::fs::read(common::credlint_bin()).unwrap();
    release.publish(&binary, "0123456789abcdef0123456789abcdef");
    release
        .install(true)
        .assert_built_from_source("built from other sources than this checkout");

    // A release without an archive for this platform.
    release.publish(&binary, &release.source);
    std::fs::remove_file(release.asset_dir().join(release.archive_name())).unwrap();
    let sums = release.asset_dir().join("SHA256SUMS");
    let kept: String = std::fs::read_to_string(&sums)
        .unwrap()
        .lines()
        .filter(|l| !l.ends_with(&release.archive_name()))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&sums, kept).unwrap();
    release
        .install(true)
        .assert_built_from_source(&format!("has no {}", release.archive_name()));

    // And with neither a release nor cargo: an error that says what to add.
    if path_without_cargo().is_none() {
        eprintln!(
            "note: cargo is installed beside the system tools: not imitating a runner without it"
        );
        return;
    }
    let empty = FakeRelease::new().unwrap();
    let run = empty.install(false);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("cargo is not installed") && run.stdout.contains("Rust toolchain"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_pull_request_is_scanned_with_the_configuration_of_its_base() {
    // The pull request's last commit adds a .credlint.toml that allowlists its own secret.
    let upstream = Repo::new();
    upstream.write("README.md", "# demo\n");
    let base = upstream.commit_all("Base");
    upstream.git(&["checkout", "-q", "-b", "feature"]);
    let secret = fake::transcodely_live();
    upstream.write("app/config.py", assignment("KEY", &secret));
    upstream.write(
        ".credlint.toml",
        "[[allowlist]]\ndescription = \"nothing to see\"\npaths = [\"app/**\"]\n",
    );
    let head = upstream.commit_all("Config");
    let workspace = tempfile::tempdir().unwrap();
    let url = format!("file://{}", upstream.path().display());
    git_in(
        workspace.path(),
        &["clone", "-q", "-b", "feature", &url, "."],
    );
    let event = json!({
        "action": "synchronize",
        "number": 8,
        "pull_request": {
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head },
        },
    });
    let run = scan_in(
        workspace.path(),
        "pull_request",
        &event,
        &[],
        "refs/pull/8/merge",
    );
    assert_outputs(&run, 1, 1);
    assert!(
        run.stdout.contains("--config-from-ref") || run.stdout.contains("configuration of"),
        "{}",
        run.stdout
    );
    // Opting out trusts the checkout's configuration.
    let run = scan_in(
        workspace.path(),
        "pull_request",
        &event,
        &[("INPUT_CONFIG_FROM_BASE", "false")],
        "refs/pull/8/merge",
    );
    assert_outputs(&run, 0, 0);
}
