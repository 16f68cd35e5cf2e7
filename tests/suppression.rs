//! Suppression end to end, in directory mode: inline allow comments, baselines (line moves,
//! squashes and clones, a changed secret on a suppressed line, stale entries and pruning, merges)
//! and configured allowlists. The real binary runs on real files and real git repositories.

mod common;

use std::path::Path;
use std::process::Command;

use common::{credlint, fake, findings, run_in, scan_json, stderr, stdout, write};
use serde_json::Value;

/// Runs git in `dir` with no user or system configuration; panics on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir, args).output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    command
}

fn init_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// `credlint baseline` with `args` in `dir`; asserts success and returns stdout.
fn baseline(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["baseline"];
    all.extend_from_slice(args);
    let output = run_in(dir, &all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

const BASELINE: &str = ".credlint-baseline.json";

fn suppressed(report: &Value, filter: &str) -> u64 {
    report["summary"]["suppressed"][filter].as_u64().unwrap()
}

fn stale_paths(report: &Value) -> Vec<String> {
    report["summary"]["stale_baseline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

fn paths_and_rules(report: &Value) -> Vec<(String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn inline_allow_is_rule_scoped_honours_aliases_and_the_line_before_multi_line_values() {
    let dir = tempfile::tempdir().unwrap();
    let aws = fake::aws_key_id;
    let pem = fake::private_key_pem();
    let lines = [
        format!("a = \"{}\"  # credlint:allow aws-access-key-id", aws()), // 1 allowed
        format!("b = \"{}\"  # credlint:allow github-pat", aws()),        // 2 other rule
        format!(
            "c = \"{}\"  # credlint:allow github-pat, aws-access-key-id (fixtures)",
            aws()
        ), // 3 allowed
        format!("d = \"{}\"  # gitleaks:allow", aws()),                   // 4 allowed
        format!("e = \"{}\"  # pragma: allowlist secret", aws()),         // 5 allowed
        "# pragma: allowlist nextline secret".to_string(),                // 6
        format!("f = \"{}\"", aws()),                                     // 7 allowed
        "# credlint:allow".to_string(),                                   // 8
        format!("g = \"{}\"", aws()), // 9 single-line value: the line before does not count
        format!(
            "h = \"{}\"  # credlint:allow rotated in 2024, test only",
            aws()
        ), // 10 allowed
        "# credlint:allow private-key".to_string(), // 11
        pem.trim_end().to_string(),   // 12.. allowed (multi-line value)
    ];
    write(dir.path(), "t.py", lines.join("\n") + "\n");
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let reported: Vec<u64> = findings(&report)
        .iter()
        .map(|f| f["start_line"].as_u64().unwrap())
        .collect();
    assert_eq!(reported, vec![2, 9], "{report:#}");
    assert_eq!(suppressed(&report, "inline"), 7);

    let (_, audit) = scan_json(dir.path(), &["--no-inline-allow"]);
    assert_eq!(findings(&audit).len(), 9, "{audit:#}");
    assert_eq!(suppressed(&audit, "inline"), 0);
}

#[test]
fn an_inline_allow_naming_a_disabled_rule_stays_scoped_to_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        "[rules]\ndisable = [\"github-pat\"]\n",
    );
    write(
        dir.path(),
        "a.py",
        format!(
            "k = \"{}\"  # credlint:allow github-pat\n",
            fake::aws_key_id()
        ),
    );
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(
        paths_and_rules(&report),
        vec![("a.py".to_string(), "aws-access-key-id".to_string())],
        "a disabled rule's id is not free text that allows everything"
    );
}

#[test]
fn a_baseline_holds_fingerprints_sorted_one_entry_a_line_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let aws = fake::aws_key_id();
    let live = fake::transcodely_live();
    let pat = fake::github_pat();
    write(
        dir.path(),
        "src/b.py",
        format!("ID = \"{aws}\"\nKEY = \"{live}\"\n"),
    );
    write(dir.path(), "a/.env", format!("GITHUB_TOKEN={pat}\n"));

    let text = baseline(dir.path(), &[]);
    for secret in [&aws, &live, &pat] {
        assert!(!text.contains(secret.as_str()), "a secret leaked:\n{text}");
    }
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first(), Some(&"{"));
    assert_eq!(lines[lines.len() - 2], "  \"credlint_baseline\": 1");
    assert_eq!(lines.last(), Some(&"}"));
    let entries = &lines[1..lines.len() - 2];
    assert_eq!(entries.len(), 3, "{text}");
    assert!(entries.iter().all(|l| l.ends_with("},")), "{text}");
    assert!(entries[0].contains("\"a/.env\""), "sorted by path: {text}");

    // The entries are exactly the fingerprints a scan reports, with path and rule and nothing
    // else (no line, no commit, no time).
    let parsed: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    for (key, entry) in &parsed {
        if key != "credlint_baseline" {
            let mut fields: Vec<&String> = entry.as_object().unwrap().keys().collect();
            fields.sort();
            assert_eq!(fields, vec!["path", "rule_id"], "{text}");
        }
    }
    let (_, report) = scan_json(dir.path(), &[]);
    let mut from_scan: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    from_scan.sort();
    let mut from_file: Vec<String> = parsed
        .keys()
        .filter(|k| *k != "credlint_baseline")
        .cloned()
        .collect();
    from_file.sort();
    assert_eq!(from_file, from_scan);
    for f in findings(&report) {
        let entry = &parsed[f["fingerprint"].as_str().unwrap()];
        assert_eq!(entry["path"], f["repo_path"]);
        assert_eq!(entry["rule_id"], f["rule_id"]);
    }

    // Regenerating changes nothing; --output writes the same bytes and nothing on stdout.
    assert_eq!(baseline(dir.path(), &[]), text);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("b.json");
    let output = run_in(
        dir.path(),
        &["baseline", "--output", file.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("baseline of 3 findings written to"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn a_moved_line_stays_suppressed_and_a_new_secret_on_the_same_line_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::transcodely_live();
    write(dir.path(), "app.py", format!("KEY = \"{key}\"\n"));
    baseline(dir.path(), &["--output", BASELINE]);

    let (code, report) = scan_json(dir.path(), &["--baseline", BASELINE]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(findings(&report).len(), 0);
    assert_eq!(suppressed(&report, "baseline"), 1);

    // Moved down and indented, in a file that otherwise changed.
    write(
        dir.path(),
        "app.py",
        format!("import os\n\n\nclass Settings:\n    KEY = \"{key}\"\n"),
    );
    let (code, report) = scan_json(dir.path(), &["--baseline", BASELINE]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report:#}");
    assert_eq!(suppressed(&report, "baseline"), 1);
    assert!(stale_paths(&report).is_empty());

    // A different secret pasted over the old one, on the very same line.
    let new_key = fake::transcodely_live();
    write(
        dir.path(),
        "app.py",
        format!("import os\n\n\nclass Settings:\n    KEY = \"{new_key}\"\n"),
    );
    let (code, report) = scan_json(dir.path(), &["--baseline", BASELINE]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 1, "{report:#}");
    assert_eq!(findings(&report)[0]["start_line"], 5);
    assert_eq!(suppressed(&report, "baseline"), 0);
    assert_eq!(stale_paths(&report), vec!["app.py"]);

    let human = stdout(&run_in(dir.path(), &["scan", "--baseline", BASELINE]));
    assert!(
        human.contains("note: baseline .credlint-baseline.json: 1 entry matches no finding any more: app.py (transcodely-live-key)"),
        "{human}"
    );
    assert!(
        human.contains(
            "`credlint baseline --prune --output .credlint-baseline.json` drops stale entries"
        ),
        "{human}"
    );
}

#[test]
fn squashes_clones_and_subdirectory_scans_keep_baselined_findings_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    init_repo(&repo);
    write(&repo, "README.md", "demo\n");
    commit_all(&repo, "start");
    write(
        &repo,
        "config/app.ini",
        format!("aws_access_key_id = {}\n", fake::aws_key_id()),
    );
    commit_all(&repo, "config");
    write(
        &repo,
        "src/client.py",
        format!(
            "client = Transcodely(api_key=\"{}\")\n",
            fake::transcodely_live()
        ),
    );
    commit_all(&repo, "client");
    baseline(&repo, &["--output", BASELINE]);
    commit_all(&repo, "accept the existing findings");

    // Squash the three commits into one, then clone the result somewhere else.
    git(&repo, &["reset", "--soft", "HEAD~3"]);
    git(&repo, &["commit", "-q", "-m", "squashed"]);
    assert_eq!(
        git(&repo, &["rev-list", "--count", "HEAD"]).trim(),
        "2",
        "the history was rewritten"
    );
    let clone = dir.path().join("clone");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            repo.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );

    let (code, report) = scan_json(&clone, &["--baseline", BASELINE]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report:#}");
    assert_eq!(suppressed(&report, "baseline"), 2);

    // From a subdirectory, paths are still relative to the repository, and entries outside
    // what was scanned are not stale.
    let (code, report) = scan_json(
        &clone.join("src"),
        &["--baseline", "../.credlint-baseline.json"],
    );
    assert_eq!((code, findings(&report).len()), (0, 0), "{report:#}");
    assert_eq!(suppressed(&report, "baseline"), 1);
    assert!(stale_paths(&report).is_empty(), "{report:#}");

    // A rename is a new finding: the path is part of the identity.
    git(&clone, &["mv", "src/client.py", "src/api.py"]);
    let (code, report) = scan_json(&clone, &["--baseline", BASELINE]);
    assert_eq!(code, 1);
    assert_eq!(
        paths_and_rules(&report),
        vec![("src/api.py".to_string(), "transcodely-live-key".to_string())]
    );
    assert_eq!(stale_paths(&report), vec!["src/client.py"]);
}

#[test]
fn stale_entries_are_reported_within_the_scan_and_pruned_without_accepting_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    // In a repository, paths are relative to its root whatever part of it is scanned.
    init_repo(dir.path());
    write(
        dir.path(),
        "a.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    write(
        dir.path(),
        "b.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    write(
        dir.path(),
        "sub/c.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    baseline(dir.path(), &["--output", BASELINE]);

    write(dir.path(), "a.txt", "id = removed\n");
    write(dir.path(), "sub/c.txt", "id = removed\n");
    write(
        dir.path(),
        "d.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    let (code, report) = scan_json(dir.path(), &["--baseline", BASELINE]);
    assert_eq!(code, 1);
    assert_eq!(
        paths_and_rules(&report),
        vec![("d.txt".to_string(), "aws-access-key-id".to_string())]
    );
    assert_eq!(stale_paths(&report), vec!["a.txt", "sub/c.txt"]);
    assert_eq!(suppressed(&report, "baseline"), 1);
    let note = report["summary"]["notes"][0].as_str().unwrap();
    assert!(
        note.contains("2 entries match no finding any more: a.txt (aws-access-key-id), sub/c.txt (aws-access-key-id)"),
        "{note}"
    );

    // Only what was scanned can be stale.
    let (_, report) = scan_json(dir.path(), &["b.txt", "--baseline", BASELINE]);
    assert!(stale_paths(&report).is_empty(), "{report:#}");
    let (_, report) = scan_json(dir.path(), &["sub", "--baseline", BASELINE]);
    assert_eq!(stale_paths(&report), vec!["sub/c.txt"]);

    // Pruning a subdirectory drops only its stale entries.
    let output = run_in(
        dir.path(),
        &["baseline", "sub", "--prune", "--output", BASELINE],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("pruned 1 stale entry from .credlint-baseline.json; 2 kept"),
        "{}",
        stderr(&output)
    );
    let (_, report) = scan_json(dir.path(), &["--baseline", BASELINE]);
    assert_eq!(stale_paths(&report), vec!["a.txt"]);

    // Pruning everything drops a.txt's entry and does not accept d.txt's new finding.
    baseline(dir.path(), &["--prune", "--output", BASELINE]);
    let text = std::fs::read_to_string(dir.path().join(BASELINE)).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("\"b.txt\""), "{text}");
    let (code, report) = scan_json(dir.path(), &["--baseline", BASELINE]);
    assert_eq!(code, 1);
    assert_eq!(
        paths_and_rules(&report),
        vec![("d.txt".to_string(), "aws-access-key-id".to_string())]
    );
    assert!(stale_paths(&report).is_empty());

    let output = run_in(dir.path(), &["baseline", "--prune"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--prune needs the baseline to prune"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn two_branches_that_each_accept_a_finding_merge_without_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    init_repo(repo);
    write(repo, "m.txt", format!("id = {}\n", fake::aws_key_id()));
    baseline(repo, &["--output", BASELINE]);
    commit_all(repo, "baseline");

    git(repo, &["checkout", "-q", "-b", "feature"]);
    write(repo, "a.txt", format!("id = {}\n", fake::aws_key_id()));
    baseline(repo, &["--output", BASELINE]);
    commit_all(repo, "feature accepts a.txt");

    git(repo, &["checkout", "-q", "main"]);
    write(repo, "z.txt", format!("id = {}\n", fake::aws_key_id()));
    baseline(repo, &["--output", BASELINE]);
    commit_all(repo, "main accepts z.txt");

    git(repo, &["merge", "-q", "--no-edit", "feature"]);
    let merged = std::fs::read_to_string(repo.join(BASELINE)).unwrap();
    assert_eq!(
        merged,
        baseline(repo, &[]),
        "the merge is what a fresh baseline of the merged tree would be"
    );
    let (code, report) = scan_json(repo, &["--baseline", BASELINE]);
    assert_eq!((code, suppressed(&report, "baseline")), (0, 3));

    // Two branches that both add an entry at the end conflict in a plain merge; with
    // merge=union the result is still a valid baseline that accepts both.
    write(
        repo,
        ".gitattributes",
        ".credlint-baseline.json merge=union\n",
    );
    commit_all(repo, "union merges for the baseline");
    git(repo, &["checkout", "-q", "-b", "other"]);
    write(repo, "zz1.txt", format!("id = {}\n", fake::aws_key_id()));
    baseline(repo, &["--output", BASELINE]);
    commit_all(repo, "other accepts zz1.txt");
    git(repo, &["checkout", "-q", "main"]);
    write(repo, "zz2.txt", format!("id = {}\n", fake::aws_key_id()));
    baseline(repo, &["--output", BASELINE]);
    commit_all(repo, "main accepts zz2.txt");
    git(repo, &["merge", "-q", "--no-edit", "other"]);
    let (code, report) = scan_json(repo, &["--baseline", BASELINE]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(suppressed(&report, "baseline"), 5);
}

#[test]
fn unusable_baseline_files_are_errors_that_say_where() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    let cases: [(&str, Option<&str>, &str); 4] = [
        (
            "missing.json",
            None,
            "credlint: error: cannot read the baseline missing.json: no such file; create it with `credlint baseline --output missing.json`",
        ),
        (
            "broken.json",
            Some("{\n  \"x\": \n"),
            "credlint: error: broken.json:3: not valid JSON",
        ),
        (
            "other.json",
            Some("{\"results\": []}\n"),
            "credlint: error: other.json: not a credlint baseline: it has no \"credlint_baseline\" key",
        ),
        (
            "badkey.json",
            Some("{\n  \"credlint_baseline\": 1,\n  \"abc\": {\"path\": \"a\", \"rule_id\": \"r\"}\n}\n"),
            "credlint: error: badkey.json:3: \"abc\" is not a fingerprint",
        ),
    ];
    for (name, content, expected) in cases {
        if let Some(content) = content {
            write(dir.path(), name, content);
        }
        let output = run_in(dir.path(), &["scan", "--baseline", name]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(
            stderr(&output).starts_with(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{name}: nothing is scanned");
    }
}

#[test]
fn the_configured_baseline_applies_to_every_scan_and_no_baseline_turns_it_off() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        "[scan]\nbaseline = \".credlint-baseline.json\"\n",
    );
    write(
        dir.path(),
        "a.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    // Writing the first baseline works although the configuration names a file not yet made.
    baseline(dir.path(), &["--output", BASELINE]);
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!((code, suppressed(&report, "baseline")), (0, 1));
    let (code, report) = scan_json(dir.path(), &["--no-baseline"]);
    assert_eq!((code, findings(&report).len()), (1, 1));

    // Scanning from a subdirectory finds the configuration and its baseline at the root.
    write(dir.path(), "sub/x.txt", "nothing\n");
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = credlint()
        .current_dir(dir.path().join("sub"))
        .args(["scan", "..", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(suppressed(&report, "baseline"), 1, "{report:#}");
}

#[test]
fn allowlists_by_path_secret_line_and_stopword_globally_or_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        r#"
[[allowlist]]
description = "test fixtures"
paths = ["tests/fixtures/**"]

[[allowlist]]
rules = ["aws-access-key-id"]
stopwords = ["fixture"]

[[allowlist]]
lines = ['''#\s*demo-credential\b''']

[[allowlist]]
secrets = ['''^ak_test_''']

[[allowlist]]
paths = ["docs/**"]
rules = ["github-pat"]
secrets = ['''^gh''']
"#,
    );
    let sample_aws = format!(
        "{}FIXTURE{}",
        &fake::aws_key_id()[..4],
        &fake::aws_key_id()[11..]
    );
    let sample_live = format!(
        "{}Fixture{}",
        &fake::transcodely_live()[..14],
        &fake::alnum(19)
    );
    let pat = fake::github_pat();
    let files = [
        (
            "tests/fixtures/keys.txt",
            format!("id = {}\n", fake::aws_key_id()),
        ),
        ("src/a.py", format!("ID = \"{sample_aws}\"\n")),
        ("src/b.py", format!("KEY = \"{sample_live}\"\n")),
        (
            "src/c.py",
            format!("ID = \"{}\"  # demo-credential\n", fake::aws_key_id()),
        ),
        (
            "src/d.py",
            format!("KEY = \"{}\"\n", fake::transcodely_test()),
        ),
        ("docs/e.md", format!("token: {pat}\n")),
        ("src/e.py", format!("TOKEN = \"{pat}\"\n")),
    ];
    for (path, content) in &files {
        write(dir.path(), path, content);
    }
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        paths_and_rules(&report),
        vec![
            ("src/b.py".to_string(), "transcodely-live-key".to_string()),
            ("src/e.py".to_string(), "github-pat".to_string()),
        ],
        "{report:#}"
    );
    assert_eq!(suppressed(&report, "allowlist"), 5);

    let (_, everything) = scan_json(dir.path(), &["--no-config"]);
    assert_eq!(findings(&everything).len(), files.len(), "{everything:#}");
}
