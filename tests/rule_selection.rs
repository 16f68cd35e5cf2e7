//! Choosing rules the way ruff chooses lints: `--select` and `--ignore` (ids or categories,
//! repeatable or comma-separated) on every scanning command, `rules.select` and `rules.disable`
//! in the configuration, the more specific selector winning, and unknown names rejected with
//! what was probably meant.

mod common;
mod git_support;

use std::path::Path;

use common::{credlint, fake, rule_ids, run_in, scan_json, stderr, stdout, write};
use git_support::Repo;
use serde_json::Value;

/// A tree with one finding in each of four categories: cloud, source-hosting, generic, seeds.
fn four_categories(dir: &Path) {
    write(
        dir,
        "app.txt",
        format!(
            "aws {}\ngithub {}\nsession {}\ntranscodely {}\n",
            fake::aws_key_id(),
            fake::github_pat(),
            fake::jwt(),
            fake::transcodely_live()
        ),
    );
}

fn ran(dir: &Path, args: &[&str]) -> Vec<String> {
    let (code, report) = scan_json(dir, args);
    assert!(code == 0 || code == 1, "{args:?}: {report:#}");
    let mut ids = rule_ids(&report);
    ids.sort();
    ids
}

#[test]
fn select_and_ignore_by_id_and_category() {
    let dir = tempfile::tempdir().unwrap();
    four_categories(dir.path());
    assert_eq!(
        ran(dir.path(), &[]),
        [
            "aws-access-key-id",
            "github-pat",
            "jwt",
            "transcodely-live-key"
        ]
    );
    assert_eq!(
        ran(dir.path(), &["--select", "cloud"]),
        ["aws-access-key-id"]
    );
    assert_eq!(
        ran(dir.path(), &["--select", "cloud", "--select", "jwt"]),
        ["aws-access-key-id", "jwt"],
        "repeatable"
    );
    assert_eq!(
        ran(dir.path(), &["--select", "cloud,seeds"]),
        ["aws-access-key-id", "transcodely-live-key"],
        "comma-separated"
    );
    assert_eq!(
        ran(
            dir.path(),
            &["--ignore", "generic", "--ignore", "source-hosting"]
        ),
        ["aws-access-key-id", "transcodely-live-key"]
    );
    // The more specific selector wins, either way round; a tie goes to --ignore.
    assert_eq!(
        ran(
            dir.path(),
            &["--select", "cloud,seeds", "--ignore", "aws-access-key-id"]
        ),
        ["transcodely-live-key"]
    );
    assert_eq!(
        ran(
            dir.path(),
            &["--select", "aws-access-key-id,jwt", "--ignore", "cloud"]
        ),
        ["aws-access-key-id", "jwt"]
    );
    assert_eq!(
        ran(
            dir.path(),
            &["--select", "jwt,aws-access-key-id", "--ignore", "jwt"]
        ),
        ["aws-access-key-id"]
    );
    assert_eq!(
        ran(dir.path(), &["--select", "JWT"]),
        ["jwt"],
        "case does not matter"
    );

    // SARIF describes the rules that ran.
    let output = run_in(
        dir.path(),
        &["scan", "--select", "seeds", "--format", "sarif"],
    );
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().all(|r| r["properties"]["category"] == "seeds"));
    assert!(rules.len() > 5, "{}", rules.len());
}

#[test]
fn unknown_ids_and_categories_are_rejected_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    four_categories(dir.path());
    let output = run_in(
        dir.path(),
        &["scan", "--select", "clod", "--ignore", "jtw,aws"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "", "nothing is scanned");
    let err = stderr(&output);
    assert!(
        err.contains(
            "credlint: error: --select clod: no rule or category \"clod\"; did you mean \"cloud\"?"
        ),
        "{err}"
    );
    // Each mistake on its own line, the ones that contain the word suggested too.
    assert!(
        err.contains("--ignore jtw: no rule or category \"jtw\""),
        "{err}"
    );
    assert!(
        err.contains(
            "--ignore aws: no rule or category \"aws\"; did you mean one of \"aws-access-key-id\""
        ),
        "{err}"
    );
    // A selection that leaves nothing to run is a mistake too.
    let output = run_in(
        dir.path(),
        &["scan", "--select", "jwt", "--ignore", "generic,jwt"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("leaves no rule to run"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn every_scanning_command_takes_select_and_ignore() {
    let repo = Repo::new();
    repo.write("README", "nothing\n");
    repo.commit_all("Init");
    repo.write(
        "a.txt",
        format!("aws {}\nsession {}\n", fake::aws_key_id(), fake::jwt()),
    );
    repo.commit_all("Keys");
    let git = |args: &[&str]| {
        let (code, report, err) = git_support::run_json(repo.path(), args);
        assert!(code == 0 || code == 1, "{args:?}: {err}");
        rule_ids(&report)
    };
    assert_eq!(git(&["git", "--select", "cloud"]), ["aws-access-key-id"]);
    assert_eq!(
        git(&["git", "--range", "HEAD~1..HEAD", "--ignore", "cloud"]),
        ["jwt"]
    );
    repo.write(
        "b.txt",
        format!("aws {}\nsession {}\n", fake::aws_key_id(), fake::jwt()),
    );
    repo.git(&["add", "b.txt"]);
    assert_eq!(git(&["staged", "--ignore", "cloud"]), ["jwt"]);
    let output = credlint()
        .current_dir(repo.path())
        .args(["staged", "--select", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--select nope: no rule or category \"nope\""));

    // A baseline records what the selection reports.
    let output = run_in(repo.path(), &["baseline", "--select", "cloud"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let baseline = stdout(&output);
    assert!(
        baseline.contains("aws-access-key-id") && !baseline.contains("\"jwt\""),
        "{baseline}"
    );
}

#[test]
fn the_configuration_selects_and_disables_and_the_command_line_refines() {
    let dir = tempfile::tempdir().unwrap();
    four_categories(dir.path());
    write(
        dir.path(),
        ".credlint.toml",
        "[rules]\nselect = [\"cloud\", \"generic\", \"seeds\"]\ndisable = [\"jwt\"]\n",
    );
    assert_eq!(
        ran(dir.path(), &[]),
        ["aws-access-key-id", "transcodely-live-key"]
    );
    // --select replaces rules.select; rules.disable stays in force, and --ignore adds to it.
    assert_eq!(
        ran(dir.path(), &["--select", "source-hosting,jwt"]),
        ["github-pat"]
    );
    assert_eq!(
        ran(dir.path(), &["--ignore", "seeds"]),
        ["aws-access-key-id"]
    );
    assert_eq!(
        ran(dir.path(), &["--no-config"]),
        [
            "aws-access-key-id",
            "github-pat",
            "jwt",
            "transcodely-live-key"
        ]
    );
    // `config --check` counts what the file turns off: everything outside the three
    // categories, and jwt.
    let rules = credlint::rules::RuleSet::builtin().unwrap();
    let kept = rules
        .rules()
        .iter()
        .filter(|r| ["cloud", "generic", "seeds"].contains(&r.category))
        .count();
    let output = run_in(dir.path(), &["config", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!(", {} disabled,", rules.len() - kept + 1)),
        "{}",
        stdout(&output)
    );

    write(
        dir.path(),
        ".credlint.toml",
        "[rules]\nselect = [\"clouds\"]\n",
    );
    let output = run_in(dir.path(), &["scan"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            ".credlint.toml:2: rules.select: no rule or category \"clouds\"; did you mean \"cloud\"?"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_rules_list_shows_each_rules_category() {
    let output = credlint().args(["rules", "--json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let jwt = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "jwt")
        .unwrap();
    assert_eq!(jwt["category"], "generic");
    let categories: std::collections::BTreeSet<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    let files: std::collections::BTreeSet<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".toml").map(str::to_string))
            .collect();
    assert_eq!(
        categories
            .iter()
            .map(|c| c.to_string())
            .collect::<std::collections::BTreeSet<_>>(),
        files,
        "a category per rule file"
    );
}
