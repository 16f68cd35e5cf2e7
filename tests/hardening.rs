//! Defects that hostile testing found, one test each: secrets printed without `--show-secrets`,
//! secrets missed, inline allows that allowed too much, a pull request steering its own scan,
//! and crashes or lost data on bad input and unwritable output.

mod common;
mod git_support;

use std::path::Path;
use std::process::Stdio;

use common::{credlint, fake, findings, run_in, scan_json, stderr, stdout, write};
use git_support::{run_json, Repo};

/// Runs `scan` in `dir` in every text format and returns what each printed.
fn every_format(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    ["human", "json", "jsonl", "sarif", "github"]
        .iter()
        .map(|format| {
            let mut args = vec!["scan", "--no-config", "--format", format];
            args.extend_from_slice(extra);
            let output = run_in(dir, &args);
            (format.to_string(), stdout(&output))
        })
        .collect()
}

fn assert_nowhere(dir: &Path, extra: &[&str], secrets: &[&str]) {
    for (format, text) in every_format(dir, extra) {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{format} output shows {secret}:\n{text}"
            );
        }
    }
}

#[test]
fn values_on_a_lint_finding_line_are_masked_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let env_value = fake::alnum(32);
    let header_key = fake::alnum(32);
    let url_key = fake::alnum(32);
    write(
        dir.path(),
        "Dockerfile",
        format!("FROM node:20\nENV NEXT_PUBLIC_AUTH_TOKEN={env_value}\n"),
    );
    write(
        dir.path(),
        "run.sh",
        format!("curl -H \"x-api-key: {header_key}\" https://api.transcodesapis.com/v1/jobs\n"),
    );
    write(
        dir.path(),
        "app.js",
        format!("fetch(\"http://api.transcodely.com/v1/jobs?api_key={url_key}\")\n"),
    );
    let (code, report) = scan_json(dir.path(), &["--no-config"]);
    assert_eq!(code, 1);
    let rules = common::rule_ids(&report);
    for rule in [
        "public-env-secret",
        "transcodes-x-api-key",
        "api-call-over-http",
    ] {
        assert!(
            rules.iter().any(|r| r == rule),
            "{rule} not reported: {rules:?}"
        );
    }
    assert_nowhere(dir.path(), &[], &[&env_value, &header_key, &url_key]);
    // They are all there for whoever asks.
    let shown = stdout(&run_in(
        dir.path(),
        &["scan", "--no-config", "--format", "json", "--show-secrets"],
    ));
    assert!(shown.contains(&env_value) && shown.contains(&header_key) && shown.contains(&url_key));
}

#[test]
fn masking_does_not_depend_on_the_per_file_limit() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::transcodely_live();
    let token = fake::github_pat();
    write(
        dir.path(),
        "config.py",
        format!("KEYS = {{\"transcodely\": \"{key}\", \"github\": \"{token}\"}}\n"),
    );
    assert_nowhere(
        dir.path(),
        &["--max-findings-per-file", "1"],
        &[&key, &token],
    );
}

#[test]
fn a_private_key_block_of_any_size_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let label = ["PGP PRIVATE", "KEY BLOCK"].join(" ");
    let body: Vec<String> = (0..1500)
        .map(|_| {
            fake::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                64,
            )
        })
        .collect();
    let block = format!(
        "-----BEGIN {label}-----\n\n{}\n=Ab3x\n-----END {label}-----\n",
        body.join("\n")
    );
    assert!(block.len() > 90 * 1024);
    write(dir.path(), "keyring.asc", &block);
    let (code, report) = scan_json(dir.path(), &["--no-config"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(findings(&report)[0]["end_line"], 1504);
}

#[test]
fn a_checksum_verified_token_is_not_dropped_for_a_placeholder_word_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    // Real tokens are random: one in a few thousand holds "YOUr" or "test" somewhere. The
    // checksum says it is a token, whatever the letters spell.
    let random = format!("WrTLZYOUr1A9Shmrc0vK{}", fake::alnum(10));
    let token = fake::checksummed_with(&("gh".to_string() + "p_"), &random);
    write(dir.path(), "ci.sh", format!("export GH_TOKEN={token}\n"));
    let (code, report) = scan_json(dir.path(), &["--no-config", "--show-secrets"]);
    assert_eq!(common::secrets_found(&report), vec![token], "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn an_allow_marker_far_away_on_a_long_line_does_not_allow() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake::github_pat();
    let near = fake::github_pat();
    let filler = "a=1;".repeat(2_000_000);
    write(
        dir.path(),
        "bundle.js",
        format!(
            "var t=\"{token}\";{filler}/* credlint:allow */\nvar n=\"{near}\"; // credlint:allow test key\n"
        ),
    );
    let (code, report) = scan_json(dir.path(), &["--no-config", "--show-secrets"]);
    assert_eq!(
        common::secrets_found(&report),
        vec![token],
        "{:#}",
        report["summary"]
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["suppressed"]["inline"], 1);
}

#[test]
fn a_misspelt_rule_id_in_an_allow_comment_allows_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::transcodely_live();
    write(
        dir.path(),
        "app.py",
        format!("KEY = \"{key}\"  # credlint:allow transcodely-liv-key\n"),
    );
    let (code, report) = scan_json(dir.path(), &["--no-config"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(findings(&report).len(), 1);
    let warnings = report["summary"]["warnings"].to_string();
    assert!(
        warnings.contains("unknown rule id transcodely-liv-key")
            && warnings.contains("did you mean transcodely-live-key?"),
        "{warnings}"
    );
    // A free-text reason still allows every rule, and a known id scopes it.
    write(
        dir.path(),
        "app.py",
        format!("KEY = \"{key}\"  # credlint:allow because it is the sandbox key\n"),
    );
    assert_eq!(scan_json(dir.path(), &["--no-config"]).0, 0);
}

#[test]
fn a_pull_request_cannot_configure_its_own_scan_from_its_own_commits() {
    let repo = Repo::new();
    repo.write("README.md", "# project\n");
    repo.write(".credlint.toml", "[scan]\nfail_on = \"low\"\n");
    let base = repo.commit_all("Base");
    let token = fake::github_pat();
    repo.write("src/deploy.py", format!("TOKEN = \"{token}\"\n"));
    repo.write(
        ".credlint.toml",
        "[scan]\nmax_file_size = 1\n\n[[allowlist]]\npaths = [\"src/**\"]\n",
    );
    repo.commit_all("Deploy");
    let range = format!("{base}..HEAD");
    // The pull request's configuration hides its secret...
    let (code, _, _) = run_json(repo.path(), &["git", "--range", &range]);
    assert_eq!(code, 0);
    // ...unless configuration and baseline come from the base commit.
    let (code, report, stderr) = run_json(
        repo.path(),
        &[
            "git",
            "--range",
            &range,
            "--config-from-ref",
            &base,
            "--show-secrets",
        ],
    );
    assert_eq!(code, 1, "{report:#} {stderr}");
    assert_eq!(common::secrets_found(&report), vec![token]);
}

#[test]
fn the_configuration_file_is_scanned_except_for_its_rule_examples() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake::github_pat();
    let example = format!("dmo_{}", fake::alnum(16));
    write(
        dir.path(),
        ".credlint.toml",
        format!(
            r#"# deploy token, do not share: {token}

[[rule]]
id = "demo-token"
title = "Demo token"
kind = "secret"
severity = "high"
keywords = ["dmo_"]
regex = '''\b(dmo_[A-Za-z0-9]{{16}})\b'''
secret_group = 1
remediation = "r"
checklist = "c"
examples = ["t = '{example}'"]
negative_examples = ["t = 'dmo_short'"]
"#
        ),
    );
    let (code, report) = scan_json(dir.path(), &["--show-secrets"]);
    assert_eq!(common::secrets_found(&report), vec![token], "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn a_user_rule_with_an_explosive_regex_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        r#"[[rule]]
id = "slow-rule"
title = "Slow"
kind = "secret"
severity = "high"
keywords = ["zz_"]
regex = '''zz_(?:[a-hX]{1,20}){1,200}Z'''
remediation = "r"
checklist = "c"
examples = ["zz_abcZ"]
negative_examples = ["zz_"]
"#,
    );
    let output = run_in(dir.path(), &["config", "--check"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("slow-rule") && err.contains("regex"), "{err}");
    assert!(
        err.contains("too large") || err.contains("too big"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn report_and_baseline_writes_never_follow_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.py", "x = 1\n");
    let victim = write(dir.path(), "victim.txt", "keep me\n");
    // The shell plants a link at the temporary name a writer derived from its process id would
    // use, then becomes credlint with that same id.
    for (name, args) in [
        ("report.json", "scan --no-config --report json=report.json"),
        (
            "baseline.json",
            "baseline --no-config --output baseline.json",
        ),
    ] {
        let script = format!("ln -s victim.txt .{name}.credlint-$$.tmp && exec \"$0\" {args}");
        let output = std::process::Command::new("sh")
            .current_dir(dir.path())
            .args(["-c", &script])
            .arg(common::credlint_bin())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "keep me\n",
            "{name}"
        );
        assert!(dir.path().join(name).is_file(), "{name} was not written");
    }
}

#[test]
fn install_hook_keeps_the_teams_hook_and_uninstall_restores_it() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let team = "#!/bin/sh\necho 'the team hook'\n";
    std::fs::write(hooks.join("pre-commit"), team).unwrap();
    for _ in 0..2 {
        let output = run_in(repo.path(), &["install-hook", "--force"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let backups: Vec<String> = std::fs::read_dir(&hooks)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .contains("credlint-backup")
        })
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        backups.iter().any(|b| b == team),
        "the team's hook is gone: {backups:?}"
    );
    let output = run_in(repo.path(), &["install-hook", "--uninstall"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        team,
        "uninstall puts the team's hook back"
    );
}

#[test]
fn absurd_sizes_are_refused_instead_of_wrapping() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        format!("KEY = \"{}\"\n", fake::transcodely_live()),
    );
    for size in ["18446744073709551615", "99999999999G", "0"] {
        let output = run_in(dir.path(), &["scan", "--max-file-size", size]);
        assert_eq!(output.status.code(), Some(2), "{size}: {}", stdout(&output));
        assert!(
            stderr(&output).contains("max-file-size"),
            "{}",
            stderr(&output)
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn unwritable_output_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        format!("KEY = \"{}\"\n", fake::transcodely_live()),
    );
    write(dir.path(), "rules.toml", "[[rule]]\nid = \"x\"\n");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    // An error message that cannot be written still ends in exit 2, not an abort.
    let output = credlint()
        .current_dir(dir.path())
        .args(["scan", ".", "--config", "missing.toml"])
        .stdout(Stdio::null())
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{:?}", output.status);
    // A report that cannot be written is an error with a message.
    for args in [
        vec!["scan", "."],
        vec!["config", "--schema"],
        vec!["rules"],
        vec!["rules", "--check", "rules.toml"],
    ] {
        let output = credlint()
            .current_dir(dir.path())
            .args(&args)
            .stdout(full())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {:?} {}",
            output.status,
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("cannot write") || args[1] == "--check",
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[cfg(unix)]
#[test]
fn a_followed_link_out_of_the_roots_is_reported_and_counted() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.py",
        format!("KEY = \"{}\"\n", fake::transcodely_live()),
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.py", "x = 1\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("elsewhere")).unwrap();
    let (code, report) = scan_json(dir.path(), &["--follow-symlinks"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["skipped"]["symlink"], 1);
    let warnings = report["summary"]["warnings"].to_string();
    assert!(
        warnings.contains("elsewhere") && warnings.contains("outside"),
        "{warnings}"
    );
}

#[test]
fn the_github_summary_escapes_bidi_controls_and_is_written_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a\u{202e}yp.py",
        format!("KEY = \"{}\"\n", fake::transcodely_live()),
    );
    let summary = dir.path().join("summary.md");
    let output = credlint()
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "scan",
            "--no-config",
            "--format",
            "github",
            "--report",
            "github=annotations.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        !text.contains('\u{202e}'),
        "raw bidi control in the summary"
    );
    assert_eq!(text.matches("## credlint").count(), 1, "{text}");
}

#[test]
fn the_same_root_twice_is_scanned_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "plain/app.py",
        format!("KEY = \"{}\"\n", fake::transcodely_live()),
    );
    let (code, report) = scan_json(dir.path(), &["plain", "plain", "./plain"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn dates_that_do_not_exist_are_refused() {
    let repo = Repo::new();
    repo.write("a.txt", "x\n");
    repo.commit_all("One");
    let output = run_in(repo.path(), &["git", "--since", "2024-02-30"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not a date"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn exactly_the_limit_is_not_reported_as_more() {
    let dir = tempfile::tempdir().unwrap();
    let content: String = (0..10)
        .map(|_| format!("id = {}\n", fake::aws_key_id()))
        .collect();
    write(dir.path(), "keys.txt", &content);
    let (_, report) = scan_json(dir.path(), &["--max-findings-per-file", "10"]);
    assert_eq!(findings(&report).len(), 10);
    assert_eq!(report["summary"]["warnings"], serde_json::json!([]));
}

#[test]
fn progress_into_a_log_is_plain_lines() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("const a = \"{}\";\n", "x".repeat(80));
    for i in 0..20 {
        write(dir.path(), &format!("f{i}.js"), line.repeat(20_000));
    }
    let output = credlint()
        .current_dir(dir.path())
        .env("CREDLINT_PROGRESS_AFTER_MS", "0")
        .args(["scan", "--progress", "-j", "1", "--format", "json"])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    assert!(
        err.contains("scanning:"),
        "no progress line at all: {err:?}"
    );
}

#[test]
fn config_check_without_a_configuration_names_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(dir.path(), &["config", "--check"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(".credlint.toml") && !err.contains(" in ;"),
        "{err}"
    );
    assert!(!err.contains("in ;") && !err.contains("in  "), "{err}");
    assert!(err.contains("in ."), "{err}");
}

#[cfg(unix)]
#[test]
fn a_large_baseline_loads_in_bounded_memory() {
    // 200,000 entries (about 20 MB): loading must not cost gigabytes.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("{\n");
    for i in 0..200_000u64 {
        text.push_str(&format!(
            "  \"{:032x}\": {{\"path\": \"src/generated/module_{i}.py\", \"rule_id\": \"transcodely-live-key\"}},\n",
            u128::from(i + 1) * 0x9e37_79b9_7f4a_7c15
        ));
    }
    text.push_str("  \"credlint_baseline\": 1\n}\n");
    write(dir.path(), "baseline.json", &text);
    write(dir.path(), "app.py", "x = 1\n");
    let output = run_in(
        dir.path(),
        &["scan", "--no-config", "--baseline", "baseline.json", "-q"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The largest resident size of any child this test process has waited for: the other
    // credlint runs of this file stay far below the bound.
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) },
        0
    );
    let max_kb = unsafe { usage.assume_init() }.ru_maxrss;
    assert!(max_kb < 200_000, "{max_kb} KB for a 20 MB baseline");
}

#[test]
fn a_pull_request_cannot_baseline_its_own_secret_when_the_baseline_comes_from_the_base() {
    let repo = Repo::new();
    repo.write(".credlint.toml", "[scan]\nbaseline = \"baseline.json\"\n");
    repo.write("baseline.json", "{\n  \"credlint_baseline\": 1\n}\n");
    let base = repo.commit_all("Base");
    let token = fake::github_pat();
    repo.write("src/deploy.py", format!("TOKEN = \"{token}\"\n"));
    // The pull request accepts its own finding in the baseline.
    let output = run_in(repo.path(), &["baseline", "--output", "baseline.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    repo.commit_all("Deploy, with its finding baselined");
    let range = format!("{base}..HEAD");
    let (code, _, _) = run_json(repo.path(), &["git", "--range", &range]);
    assert_eq!(code, 0, "the work tree's baseline accepts it");
    let (code, report, stderr) = run_json(
        repo.path(),
        &[
            "git",
            "--range",
            &range,
            "--config-from-ref",
            &base,
            "--show-secrets",
        ],
    );
    assert_eq!(code, 1, "{report:#} {stderr}");
    assert_eq!(common::secrets_found(&report), vec![token]);
}
