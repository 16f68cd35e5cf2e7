//! SARIF as code scanning and Microsoft's validator want it: every rule with a `helpUri` into
//! docs/rules.md and a PascalCase name distinct from its id; git and range scans with the
//! repository's `versionControlProvenance` (origin URL without credentials, revision, branch);
//! and no error or warning from Microsoft's SARIF multitool with GitHub's rules.
//!
//! The multitool comes from `CREDLINT_SARIF_MULTITOOL` (the `Sarif.Multitool` executable that
//! .ci/run installs from npm) or `Sarif.Multitool` on PATH; without it the multitool test fails
//! under CI (`CI=true`) and skips elsewhere.

mod common;
mod git_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{credlint, external_tool, fake, sarif_errors, stderr, write};
use git_support::Repo;
use serde_json::Value;

fn sarif_of(dir: &Path, args: &[&str]) -> Value {
    let output = credlint()
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .args(["--format", "sarif", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif_errors(&sarif), Vec::<String>::new());
    sarif
}

/// A repository on branch `main` with two commits, each adding a secret, and an `origin` whose
/// URL carries a user name and a token.
fn repo_with_origin(token: &str) -> (Repo, String, String) {
    let repo = Repo::new();
    repo.write("a.env", format!("AWS_ID={}\n", fake::aws_key_id()));
    let first = repo.commit_all("First key");
    repo.write("b.env", format!("GITHUB_TOKEN={}\n", fake::github_pat()));
    let second = repo.commit_all("Second key");
    repo.git(&[
        "remote",
        "add",
        "origin",
        &format!("https://ci-bot:{token}@git.example.invalid/acme/widgets.git?x={token}"),
    ]);
    (repo, first, second)
}

#[test]
fn every_rule_has_a_help_uri_into_the_rules_document_and_a_pascal_case_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "nothing\n");
    let sarif = sarif_of(dir.path(), &["scan"]);
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() > 100);
    let prefix = format!(
        "https://github.com/credlint/credlint/blob/v{}/docs/rules.md#",
        env!("CARGO_PKG_VERSION")
    );
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let uri = rule["helpUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: no helpUri"));
        let anchor = uri
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{id}: {uri}"));
        // docs/rules.md has a `### ID` heading per rule; GitHub's anchor for it is the id.
        assert_eq!(anchor, id);
        assert!(
            docs.contains(&format!("\n### {id}\n")),
            "{id} has no section"
        );
        let name = rule["name"].as_str().unwrap();
        assert!(!name.eq_ignore_ascii_case(id), "{id}: name {name}");
        assert!(
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{id}: {name}"
        );
    }
    let jwt = rules.iter().find(|r| r["id"] == "jwt").unwrap();
    assert_eq!(jwt["name"], "JsonWebToken");
    assert_eq!(jwt["properties"]["category"], "generic");
}

#[test]
fn a_rule_of_your_own_links_its_reference() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        r#"[[rule]]
id = "acme-key"
title = "Acme key"
kind = "secret"
severity = "high"
keywords = ["acme_"]
regex = '''\b(acme_[a-z0-9]{12})\b'''
secret_group = 1
remediation = "Rotate it."
checklist = "Keep keys out of code."
references = ["the Acme handbook", "https://acme.example/docs/keys"]
examples = ["k = acme_q7v2m9k4p8sz"]
negative_examples = ["k = acme_xxxxxxxxxxxx"]
"#,
    );
    let sarif = sarif_of(dir.path(), &["scan"]);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let acme = rules.iter().find(|r| r["id"] == "acme-key").unwrap();
    assert_eq!(acme["helpUri"], "https://acme.example/docs/keys");
    assert_eq!(acme["name"], "AcmeKey");
    assert_eq!(acme["properties"]["category"], "custom");
}

#[test]
fn git_and_range_scans_record_the_repository_without_credentials() {
    let token = fake::alnum(24);
    let (repo, first, second) = repo_with_origin(&token);

    let sarif = sarif_of(repo.path(), &["git"]);
    let text = sarif.to_string();
    assert!(
        !text.contains(&token),
        "a credential of the remote URL leaked"
    );
    let provenance = &sarif["runs"][0]["versionControlProvenance"];
    assert_eq!(
        provenance,
        &serde_json::json!([{
            "repositoryUri": "https://git.example.invalid/acme/widgets.git",
            "revisionId": second,
            "branch": "main",
            "mappedTo": {"uriBaseId": "%SRCROOT%"},
        }])
    );

    // A range records its head, and the branch that head is.
    repo.git(&["checkout", "-q", "-b", "feature", &first]);
    repo.write("c.env", format!("AWS_ID={}\n", fake::aws_key_id()));
    let feature = repo.commit_all("Feature key");
    repo.git(&["checkout", "-q", "main"]);
    let sarif = sarif_of(repo.path(), &["git", "--range", "main..feature"]);
    let provenance = &sarif["runs"][0]["versionControlProvenance"][0];
    assert_eq!(provenance["revisionId"], feature);
    assert_eq!(provenance["branch"], "feature");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);

    // An omitted head is HEAD, on its branch; a commit id is no branch.
    let sarif = sarif_of(repo.path(), &["git", "--range", &format!("{first}..")]);
    let provenance = &sarif["runs"][0]["versionControlProvenance"][0];
    assert_eq!(
        (&provenance["revisionId"], &provenance["branch"]),
        (&Value::from(second.clone()), &Value::from("main"))
    );
    let sarif = sarif_of(
        repo.path(),
        &["git", "--range", &format!("{first}..{feature}")],
    );
    let provenance = &sarif["runs"][0]["versionControlProvenance"][0];
    assert_eq!(provenance["revisionId"], feature);
    assert!(provenance.get("branch").is_none(), "{provenance}");

    // A detached HEAD has no branch; one --branch is what the history scan reads up to.
    repo.git(&["checkout", "-q", "--detach", &first]);
    let sarif = sarif_of(repo.path(), &["git"]);
    let provenance = &sarif["runs"][0]["versionControlProvenance"][0];
    assert_eq!(provenance["revisionId"], first);
    assert!(provenance.get("branch").is_none());
    let sarif = sarif_of(repo.path(), &["git", "--branch", "feature"]);
    assert_eq!(
        sarif["runs"][0]["versionControlProvenance"][0]["branch"],
        "feature"
    );
}

#[test]
fn no_origin_no_provenance_and_directory_scans_have_none() {
    let repo = Repo::new();
    repo.write("a.env", format!("AWS_ID={}\n", fake::aws_key_id()));
    repo.commit_all("Key");
    let sarif = sarif_of(repo.path(), &["git"]);
    assert!(sarif["runs"][0].get("versionControlProvenance").is_none());

    repo.git(&[
        "remote",
        "add",
        "origin",
        "git@git.example.invalid:acme/widgets.git",
    ]);
    let sarif = sarif_of(repo.path(), &["git"]);
    assert_eq!(
        sarif["runs"][0]["versionControlProvenance"][0]["repositoryUri"],
        "ssh://git.example.invalid/acme/widgets.git"
    );
    let sarif = sarif_of(repo.path(), &["scan"]);
    assert!(sarif["runs"][0].get("versionControlProvenance").is_none());
    let sarif = sarif_of(repo.path(), &["staged"]);
    assert!(sarif["runs"][0].get("versionControlProvenance").is_none());
}

fn multitool() -> Option<PathBuf> {
    external_tool(
        "CREDLINT_SARIF_MULTITOOL",
        &["Sarif.Multitool"],
        "Microsoft's SARIF multitool",
        |_| true,
    )
}

/// The multitool's verdict on a SARIF file: the results of level error or warning (the rules
/// of SARIF itself and GitHub's ingestion rules).
fn multitool_problems(multitool: &Path, sarif: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("credlint.sarif");
    std::fs::write(&input, serde_json::to_string_pretty(sarif).unwrap()).unwrap();
    let output_log = dir.path().join("validation.sarif");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-multitool.xml");
    // The file first: list options (`--rule-kind`, `--level`, `--log`) take every value that
    // follows them.
    let output = Command::new(multitool)
        .arg("validate")
        .arg(&input)
        .arg("--config")
        .arg(&config)
        .arg("--output")
        .arg(&output_log)
        .args(["--rule-kind", "Sarif;Gh", "--level", "Error;Warning"])
        .args(["--log", "ForceOverwrite"])
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("the multitool runs");
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(&output_log).unwrap_or_else(|e| {
            panic!(
                "the multitool wrote no log ({e}):\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        }))
        .unwrap();
    let run = &log["runs"][0];
    assert!(
        run["tool"]["driver"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("Multitool")),
        "not the multitool's log: {log:#}"
    );
    let mut problems: Vec<String> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}: {}", r["level"], r["ruleId"], r["message"]))
        .collect();
    // Notifications about the validation itself, except the one saying SARIF2006 is off.
    for notification in run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let id = notification["descriptor"]["id"]
            .as_str()
            .unwrap_or_default();
        let level = notification["level"].as_str().unwrap_or("warning");
        if id != "WRN999.RuleExplicitlyDisabled" && matches!(level, "error" | "warning") {
            problems.push(format!("{level} {id}: {}", notification["message"]));
        }
    }
    problems
}

#[test]
fn microsofts_sarif_multitool_finds_no_error_or_warning() {
    let Some(multitool) = multitool() else {
        return;
    };
    let token = fake::alnum(24);
    let (repo, first, _) = repo_with_origin(&token);
    repo.write(
        "deploy/my config.ini",
        format!("aws_secret_access_key = {}\n", fake::aws_secret()),
    );
    repo.write(
        "web/dist/app.js",
        format!("const k=\"{}\";\n", fake::transcodely_live()),
    );
    let logs = [
        ("scan", sarif_of(repo.path(), &["scan"])),
        ("git", sarif_of(repo.path(), &["git"])),
        (
            "range",
            sarif_of(repo.path(), &["git", "--range", &format!("{first}..")]),
        ),
    ];
    for (what, sarif) in &logs {
        assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
        let problems = multitool_problems(&multitool, sarif);
        assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
    }

    // The check can fail: a rule named like its id is what the validator warned about.
    let mut broken = logs[1].1.clone();
    broken["runs"][0]["tool"]["driver"]["rules"][0]["name"] =
        broken["runs"][0]["tool"]["driver"]["rules"][0]["id"].clone();
    let problems = multitool_problems(&multitool, &broken);
    assert!(
        problems.iter().any(|p| p.contains("SARIF1001")),
        "{problems:?}"
    );
}
