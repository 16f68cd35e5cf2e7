//! Damaged and unusual repositories: a corrupt object, a lost packfile, a truncated index,
//! an alternate object store that moved, a detached HEAD, a clone borrowing objects. Each is
//! built for real with `git` and then broken by hand. credlint must never panic: it scans what
//! it can, says what it skipped, and exits 2 when the scan is incomplete (unless findings
//! already make it 1).

mod common;
mod git_support;

use std::path::{Path, PathBuf};

use common::{fake, findings, secrets_found};
use git_support::{assignment, git_in, run, run_json, Repo};

fn warnings(report: &serde_json::Value) -> String {
    report["summary"]["warnings"].to_string()
}

fn loose_object_path(repo: &Repo, oid: &str) -> PathBuf {
    repo.path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..])
}

fn make_writable(path: &Path) {
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).unwrap();
}

/// Two commits, each adding a file with its own key.
fn two_secrets() -> (Repo, String, String) {
    let repo = Repo::new();
    let first = fake::transcodely_live();
    let second = fake::transcodely_live();
    repo.write("first.py", assignment("KEY", &first));
    repo.commit_all("First");
    repo.write("second.py", assignment("KEY", &second));
    repo.commit_all("Second");
    (repo, first, second)
}

#[test]
fn a_corrupt_blob_is_a_warning_and_the_rest_is_scanned() {
    let (repo, first, second) = two_secrets();
    let oid = repo.git(&["rev-parse", "HEAD:first.py"]);
    let object = loose_object_path(&repo, &oid);
    make_writable(&object);
    std::fs::write(&object, b"not zlib at all").unwrap();

    let (code, report, stderr) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(code, 1, "findings still decide the exit code: {stderr}");
    assert_eq!(secrets_found(&report), vec![second.clone()]);
    assert!(!report.to_string().contains(&first));
    assert_eq!(report["summary"]["skipped"]["unreadable"], 1);
    let warned = warnings(&report);
    assert!(
        warned.contains("first.py") && warned.contains(&oid),
        "{warned}"
    );

    // With nothing found, the incomplete scan is exit 2, not a clean 0.
    let (code, _, stderr) = run(repo.path(), &["git", "--exclude", "second.py"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("could not be read"), "{stderr}");
    let (code, _, _) = run(
        repo.path(),
        &["git", "--exclude", "second.py", "--allow-unreadable"],
    );
    assert_eq!(code, 0);
}

#[test]
fn a_lost_packfile_costs_only_the_history_it_held() {
    let (repo, first, _) = two_secrets();
    // Pack everything there is, then add a third commit as loose objects.
    repo.git(&["repack", "-q", "-a", "-d"]);
    let third = fake::transcodely_live();
    repo.write("third.py", assignment("KEY", &third));
    repo.commit_all("Third");
    let packs = repo.path().join(".git/objects/pack");
    for entry in std::fs::read_dir(&packs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pack") {
            std::fs::remove_file(path).unwrap();
        }
    }

    let (code, report, stderr) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(secrets_found(&report), vec![third]);
    assert!(!report.to_string().contains(&first));
    let warned = warnings(&report);
    assert!(warned.contains("could not read commit"), "{warned}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_ref_to_a_missing_object_is_reported_once_not_silently_dropped() {
    let repo = Repo::new();
    repo.write("a.py", "x = 1\n");
    repo.commit_all("One");
    // A branch naming a commit that is nowhere, as after a botched copy of .git.
    std::fs::write(
        repo.path().join(".git/refs/heads/lost"),
        "0123456789abcdef0123456789abcdef01234567\n",
    )
    .unwrap();
    let (code, report, stderr) = run_json(repo.path(), &["git"]);
    assert_eq!(code, 2, "{stderr}");
    let warned = warnings(&report);
    assert!(warned.contains("refs/heads/lost"), "{warned}");
    assert_eq!(
        report["summary"]["warnings"].as_array().unwrap().len(),
        1,
        "{warned}"
    );
    // The one blob, and the message of the one commit that could be read.
    assert_eq!(report["summary"]["files_scanned"], 2);
}

#[test]
fn a_truncated_index_is_a_clear_error_for_the_hook() {
    let repo = Repo::new();
    repo.write("a.py", assignment("KEY", &fake::transcodely_live()));
    repo.git(&["add", "a.py"]);
    let index = repo.path().join(".git/index");
    let bytes = std::fs::read(&index).unwrap();
    std::fs::write(&index, &bytes[..30]).unwrap();

    let (code, stdout, stderr) = run(repo.path(), &["staged"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("cannot read the staging area"), "{stderr}");
    assert!(stderr.contains("git reset"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_clone_borrowing_objects_is_scanned_and_a_moved_store_is_named() {
    let (origin, first, second) = two_secrets();
    let parent = tempfile::tempdir().unwrap();
    git_in(
        parent.path(),
        &[
            "clone",
            "-q",
            "--shared",
            origin.path().to_str().unwrap(),
            "borrower",
        ],
    );
    let borrower = parent.path().join("borrower");
    assert!(borrower.join(".git/objects/info/alternates").exists());

    let (code, report, _) = run_json(&borrower, &["git", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets_found(&report), {
        let mut both = vec![first, second];
        both.sort();
        both
    });

    // The store it borrows from moves away: nothing is readable, and the report says why.
    let moved = parent.path().join("moved");
    std::fs::rename(origin.path(), &moved).unwrap();
    let (code, report, stderr) = run_json(&borrower, &["git"]);
    assert_eq!(code, 2, "{stderr}");
    let warned = warnings(&report);
    assert!(warned.contains("alternates"), "{warned}");
    assert!(warned.contains("refs/heads/main"), "{warned}");
    std::fs::rename(&moved, origin.path()).unwrap();
}

#[test]
fn a_detached_head_is_scanned_in_every_mode() {
    let repo = Repo::new();
    let old = fake::transcodely_live();
    repo.write("old.py", assignment("KEY", &old));
    let first = repo.commit_all("Old key");
    repo.remove("old.py");
    repo.commit_all("Remove it");
    // Detached at the first commit, with a new commit only HEAD reaches.
    repo.git(&["checkout", "-q", "--detach", &first]);
    let detached = fake::transcodely_live();
    repo.write("detached.py", assignment("KEY", &detached));
    let tip = repo.commit_all("Only on a detached HEAD");

    let (code, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets_found(&report), {
        let mut both = vec![old, detached.clone()];
        both.sort();
        both
    });
    let (code, report, _) = run_json(
        repo.path(),
        &[
            "git",
            "--range",
            &format!("{first}..{tip}"),
            "--show-secrets",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(secrets_found(&report), vec![detached]);

    let staged = fake::transcodely_live();
    repo.write("staged.py", assignment("KEY", &staged));
    repo.git(&["add", "staged.py"]);
    let (code, report, _) = run_json(repo.path(), &["staged", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets_found(&report), vec![staged]);
}

#[test]
fn a_huge_blob_in_history_is_skipped_by_its_size_and_counted() {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    // 40 MB of one line with the key at the end: over a 16M limit, so never read whole.
    let mut huge = "a".repeat(40 << 20);
    huge.push_str(&assignment("KEY", &key));
    repo.write("bundle.min.js", &huge);
    repo.write("small.py", assignment("KEY", &fake::transcodely_live()));
    repo.commit_all("Huge");

    let (code, report, _) = run_json(repo.path(), &["git", "--max-file-size", "16M"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["skipped"]["too_large"], 1);
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(findings(&report)[0]["path"], "small.py");
}
