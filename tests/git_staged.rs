//! `credlint staged`: what the next commit adds, read from the index.

mod common;
mod git_support;

use common::{fake, findings};
use git_support::{assignment, run, run_json, Repo};

fn values(report: &serde_json::Value) -> Vec<String> {
    findings(report)
        .iter()
        .map(|f| f["value"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_partially_staged_file_is_scanned_as_it_will_be_committed() {
    let repo = Repo::new();
    let committed = fake::transcodely_live();
    repo.write(
        "config.py",
        format!("import os\n{}", assignment("OLD", &committed)),
    );
    repo.commit_all("Base");

    let staged = fake::transcodely_live();
    let unstaged = fake::transcodely_live();
    repo.write(
        "config.py",
        format!(
            "import os\n{}{}",
            assignment("OLD", &committed),
            assignment("STAGED", &staged)
        ),
    );
    repo.git(&["add", "config.py"]);
    // The working tree then drops the staged line and adds another, unstaged.
    repo.write(
        "config.py",
        format!(
            "# header\n# more\nimport os\n{}{}",
            assignment("OLD", &committed),
            assignment("UNSTAGED", &unstaged)
        ),
    );

    let (code, report, _) = run_json(repo.path(), &["staged", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(values(&report), vec![staged]);
    let f = &findings(&report)[0];
    assert_eq!(f["path"], "config.py");
    assert_eq!(f["start_line"], 3, "the line in the staged version");
    assert_eq!(f["git"], serde_json::Value::Null);
    assert_eq!(report["summary"]["mode"], "staged");
}

#[test]
fn only_added_lines_count_and_nothing_staged_is_clean() {
    let repo = Repo::new();
    let committed = fake::github_pat();
    repo.write("ci.sh", format!("export TOKEN={committed}\n"));
    repo.commit_all("Base");
    let (code, report, _) = run_json(repo.path(), &["staged"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["files_scanned"], 0);

    repo.write("ci.sh", format!("set -e\nexport TOKEN={committed}\n"));
    repo.git(&["add", "ci.sh"]);
    let (code, report, _) = run_json(repo.path(), &["staged"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(findings(&report).is_empty());
    assert_eq!(report["summary"]["files_scanned"], 1);
}

#[test]
fn staged_changes_before_the_first_commit_are_all_new() {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    repo.write("app.py", assignment("KEY", &key));
    repo.git(&["add", "app.py"]);
    let (code, report, _) = run_json(repo.path(), &["staged", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(values(&report), vec![key]);

    // An empty repository with nothing staged is clean, and so is a subdirectory's view.
    let empty = Repo::new();
    let (code, _, _) = run_json(empty.path(), &["staged"]);
    assert_eq!(code, 0);
}

#[test]
fn renames_deletions_binaries_and_submodules() {
    let repo = Repo::new();
    let old = fake::transcodely_live();
    repo.write("a/keys.py", assignment("OLD", &old));
    repo.write("gone.py", assignment("GONE", &fake::transcodely_live()));
    repo.commit_all("Base");

    // A rename with one added line; a deletion; a binary file; a submodule entry.
    let new = fake::transcodely_live();
    std::fs::create_dir(repo.path().join("b")).unwrap();
    repo.git(&["mv", "a/keys.py", "b/keys.py"]);
    repo.write(
        "b/keys.py",
        format!("{}{}", assignment("OLD", &old), assignment("NEW", &new)),
    );
    repo.git(&["add", "b/keys.py"]);
    repo.git(&["rm", "-q", "gone.py"]);
    let mut binary = b"\x00\x00BIN".to_vec();
    binary.extend_from_slice(assignment("KEY", &fake::transcodely_live()).as_bytes());
    repo.write("blob.dat.x", &binary);
    repo.git(&["add", "blob.dat.x"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},vendor/lib"),
    ]);

    let (code, report, _) = run_json(repo.path(), &["staged", "--show-secrets"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(values(&report), vec![new]);
    let f = &findings(&report)[0];
    assert_eq!(f["path"], "b/keys.py");
    assert_eq!(f["start_line"], 2);
    assert_eq!(report["summary"]["skipped"]["binary"], 1);
    assert!(report["summary"]["warnings"].as_array().unwrap().is_empty());

    // Committing it all leaves nothing staged.
    repo.commit("Rework");
    let (code, report, _) = run_json(repo.path(), &["staged"]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn runs_from_a_subdirectory_and_refuses_what_has_no_index() {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    repo.write("src/deep/app.py", assignment("KEY", &key));
    repo.git(&["add", "-A"]);
    let (code, report, _) = run_json(&repo.path().join("src/deep"), &["staged"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0]["path"], "src/deep/app.py");

    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(dir.path(), &["staged"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a git repository"), "{err}");

    repo.commit("Add app");
    let parent = tempfile::tempdir().unwrap();
    git_support::git_in(
        parent.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.path().to_str().unwrap(),
            "bare.git",
        ],
    );
    let (code, _, err) = run(&parent.path().join("bare.git"), &["staged"]);
    assert_eq!(code, 2);
    assert!(err.contains("bare repository"), "{err}");
}
