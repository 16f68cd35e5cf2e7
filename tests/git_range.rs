//! `credlint git --range BASE..HEAD`: only what the commits of a pull request add.

mod common;
mod git_support;

use common::{fake, findings, sarif_errors};
use git_support::{assignment, run, run_json, Repo};

/// A repository with a secret already on `main`, and a `feature` branch off it.
fn repo_with_base_secret() -> (Repo, String) {
    let repo = Repo::new();
    let old = fake::transcodely_live();
    repo.write(
        "app/config.py",
        format!("import os\n{}", assignment("OLD_KEY", &old)),
    );
    repo.commit_all("Base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    (repo, old)
}

#[test]
fn only_lines_the_range_adds_are_reported_at_their_commit_and_line() {
    let (repo, old) = repo_with_base_secret();
    let new = fake::transcodely_live();
    // Line 3 in this commit's version of the file.
    repo.write(
        "app/config.py",
        format!(
            "import os\n{}{}",
            assignment("OLD_KEY", &old),
            assignment("NEW_KEY", &new)
        ),
    );
    let adding = repo.commit_all("Add the new key");
    // A later commit pushes the line down; the finding still points at the adding commit's
    // version of the file.
    repo.write(
        "app/config.py",
        format!(
            "\"\"\"Settings.\"\"\"\n\n\nimport os\n{}{}",
            assignment("OLD_KEY", &old),
            assignment("NEW_KEY", &new)
        ),
    );
    repo.commit_all("Add a docstring");

    let (code, report, _) = run_json(
        repo.path(),
        &["git", "--range", "main..feature", "--show-secrets"],
    );
    assert_eq!(code, 1);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["value"], new.as_str());
    assert_eq!(found[0]["start_line"], 3);
    assert_eq!(found[0]["git"]["commit"], adding.as_str());
    assert_eq!(found[0]["git"]["summary"], "Add the new key");
    assert_eq!(found[0]["git"]["in_head"], serde_json::Value::Null);
    assert_eq!(report["summary"]["mode"], "git-range");

    // HEAD is implied when the right side is left out, and BASE...HEAD works from the merge
    // base.
    let (_, report, _) = run_json(repo.path(), &["git", "--range", "main.."]);
    assert_eq!(findings(&report).len(), 1);
    let (_, report, _) = run_json(repo.path(), &["git", "--range", "main...feature"]);
    assert_eq!(findings(&report).len(), 1);

    // SARIF for the pull-request check is valid.
    let (_, out, _) = run(
        repo.path(),
        &["git", "--range", "main..feature", "--format", "sarif"],
    );
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        sarif_errors(&sarif).is_empty(),
        "{:#?}",
        sarif_errors(&sarif)
    );
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn a_new_file_in_the_range_counts_every_line_and_a_pure_rename_counts_none() {
    let (repo, _old) = repo_with_base_secret();
    std::fs::create_dir(repo.path().join("settings")).unwrap();
    repo.git(&["mv", "app/config.py", "settings/config.py"]);
    repo.commit("Move the config");
    let (code, report, _) = run_json(repo.path(), &["git", "--range", "main..feature"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(findings(&report).is_empty());

    let key = fake::github_pat();
    repo.write(
        "deploy.sh",
        format!("#!/bin/sh\nexport GITHUB_TOKEN={key}\n"),
    );
    repo.commit_all("Add a deploy script");
    let (_, report, _) = run_json(repo.path(), &["git", "--range", "main..feature"]);
    let found = findings(&report);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], "deploy.sh");
    assert_eq!(found[0]["start_line"], 2);
}

#[test]
fn a_renamed_file_reports_only_the_lines_changed_on_the_way() {
    let (repo, old) = repo_with_base_secret();
    let new = fake::transcodely_live();
    repo.remove("app/config.py");
    repo.write(
        "settings.py",
        format!(
            "import os\n{}{}",
            assignment("OLD_KEY", &old),
            assignment("NEW_KEY", &new)
        ),
    );
    repo.commit_all("Rename and extend the config");
    let (_, report, _) = run_json(
        repo.path(),
        &["git", "--range", "main..feature", "--show-secrets"],
    );
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["value"], new.as_str());
    assert_eq!(found[0]["path"], "settings.py");
}

#[test]
fn merge_commits_report_only_what_is_new_relative_to_every_parent() {
    let (repo, _old) = repo_with_base_secret();
    repo.write("feature.py", "print('feature')\n");
    repo.commit_all("Feature work");

    // main moves on with a secret of its own.
    repo.git(&["checkout", "-q", "main"]);
    let from_main = fake::transcodely_live();
    repo.write("main_only.py", assignment("KEY", &from_main));
    repo.commit_all("Main adds a key");

    // The feature branch merges main, and the merge itself adds a line (an evil merge).
    repo.git(&["checkout", "-q", "feature"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "main"]);
    let in_merge = fake::transcodely_live();
    repo.write(
        "feature.py",
        format!("print('feature')\n{}", assignment("MERGE_KEY", &in_merge)),
    );
    repo.git(&["add", "feature.py"]);
    let merge = repo.commit("Merge main into feature");

    let (_, report, _) = run_json(
        repo.path(),
        &["git", "--range", "main..feature", "--show-secrets"],
    );
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["value"], in_merge.as_str());
    assert_eq!(found[0]["git"]["commit"], merge.as_str());
    assert_eq!(found[0]["start_line"], 2);

    // From the old base, main's own commit is in the range and reports its key once; the
    // merge does not report it again.
    let base = repo.git(&["merge-base", "feature~1", "main~1"]);
    let (_, report, _) = run_json(
        repo.path(),
        &[
            "git",
            "--range",
            &format!("{base}..feature"),
            "--show-secrets",
        ],
    );
    let mut values: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["value"].as_str().unwrap().to_string())
        .collect();
    values.sort();
    let mut expected = vec![from_main, in_merge];
    expected.sort();
    assert_eq!(values, expected);
}

#[test]
fn an_empty_range_is_a_clean_run_with_a_message() {
    let (repo, _) = repo_with_base_secret();
    let (code, report, _) = run_json(repo.path(), &["git", "--range", "main..feature"]);
    assert_eq!(code, 0);
    assert!(findings(&report).is_empty());
    let notes = report["summary"]["notes"].to_string();
    assert!(notes.contains("same commit"), "{notes}");

    repo.write("x.txt", "x\n");
    repo.commit_all("Feature moves ahead");
    let (code, report, _) = run_json(repo.path(), &["git", "--range", "feature..main"]);
    assert_eq!(code, 0);
    assert!(report["summary"]["notes"]
        .to_string()
        .contains("nothing to scan"));

    let (code, human, _) = run(repo.path(), &["git", "--range", "HEAD..HEAD", "--no-color"]);
    assert_eq!(code, 0);
    assert!(human.contains("nothing to scan"), "{human}");
}

#[test]
fn unknown_revisions_and_malformed_ranges_are_errors() {
    let (repo, _) = repo_with_base_secret();
    let (code, out, err) = run(repo.path(), &["git", "--range", "main..no-such-branch"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("unknown revision") && err.contains("no-such-branch"),
        "{err}"
    );
    let (code, _, err) = run(repo.path(), &["git", "--range", "main"]);
    assert_eq!(code, 2);
    assert!(err.contains("BASE..HEAD"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(dir.path(), &["git", "--range", "a..b"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a git repository"), "{err}");
}
