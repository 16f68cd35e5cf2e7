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

/// A change is matched where it adds lines (the engine skips keywords on the file's other
/// lines): what it adds is found wherever the file's old secrets are, a key block the change
/// completes is found from its committed first line, and an encoded token on an added line is
/// decoded while the committed one beside it stays quiet.
#[test]
fn a_change_is_matched_on_the_lines_it_adds_and_on_blocks_they_complete() {
    let repo = Repo::new();
    let old_token = fake::github_pat();
    let old_encoded = fake::base64(fake::github_pat().as_bytes());
    let key = fake::private_key_pem();
    let lines: Vec<&str> = key.lines().collect();
    let filler: String = (0..200)
        .map(|i| format!("setting_{i}: value {i}\n"))
        .collect();
    repo.write(
        "deploy/values.yaml",
        format!("{filler}token: {old_token}\nauth: {old_encoded}\n{filler}"),
    );
    repo.write("deploy/key.pem", format!("{}\n{}\n", lines[0], lines[1]));
    repo.commit_all("Base");

    let new_token = fake::github_pat();
    let new_inner = fake::github_pat();
    let new_encoded = fake::base64(new_inner.as_bytes());
    repo.write(
        "deploy/values.yaml",
        format!(
            "{filler}token: {old_token}\nauth: {old_encoded}\n{filler}\
             next_token: {new_token}\nnext_auth: {new_encoded}\n"
        ),
    );
    repo.write("deploy/key.pem", &key);
    repo.git(&["add", "-A"]);

    let (code, report, _) = run_json(repo.path(), &["staged", "--show-secrets"]);
    assert_eq!(code, 1, "{report:#}");
    let mut found = values(&report);
    found.sort();
    let mut expected = vec![new_token.clone(), new_inner.clone()];
    expected.sort();
    let pem: Vec<serde_json::Value> = findings(&report)
        .into_iter()
        .filter(|f| f["path"] == "deploy/key.pem")
        .collect();
    assert_eq!(pem.len(), 1, "the completed key block: {report:#}");
    assert_eq!(pem[0]["start_line"], 1, "reported where the block starts");
    found.retain(|v| !v.contains("PRIVATE"));
    assert_eq!(found, expected, "{report:#}");
}

/// An index whose cache-tree is not valid for directories that did not change (a fresh clone
/// of a large repository, a file unstaged and staged again): the staged changes are found by
/// hashing the index's directories against HEAD's trees, and a file deleted beside them counts.
#[test]
fn directories_without_a_valid_cache_tree_still_show_what_is_staged() {
    let repo = Repo::new();
    for dir in ["app", "docs", "lib/deep", "lib/other"] {
        repo.write(&format!("{dir}/notes.md"), format!("# {dir}\n"));
    }
    repo.write("lib/deep/gone.txt", "soon deleted\n");
    repo.commit_all("Base");
    // Unstaging and staging again leaves the index as HEAD has it, with docs/ and the root no
    // longer valid in the cache-tree.
    repo.git(&["rm", "-q", "--cached", "docs/notes.md"]);
    repo.git(&["add", "docs/notes.md"]);
    let index = std::fs::read(repo.path().join(".git/index")).unwrap();
    assert!(
        index.windows(4).any(|w| w == b"TREE") && index.windows(6).any(|w| w == b"docs\0-"),
        "docs/ is not valid in the cache-tree"
    );
    let (code, report, _) = run_json(repo.path(), &["staged"]);
    assert_eq!((code, &report["summary"]["files_scanned"]), (0, &0.into()));

    let key = fake::transcodely_live();
    repo.write(
        "lib/deep/notes.md",
        format!("# lib/deep\n{}", assignment("KEY", &key)),
    );
    repo.remove("lib/deep/gone.txt");
    repo.git(&["add", "-A"]);
    let (code, report, _) = run_json(repo.path(), &["staged", "--show-secrets"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(values(&report), vec![key]);
    assert_eq!(findings(&report)[0]["path"], "lib/deep/notes.md");
    assert_eq!(report["summary"]["files_scanned"], 1);
}
