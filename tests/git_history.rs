//! `credlint git [REPO]`: the whole history, on real repositories built in the test.

mod common;
mod git_support;

use common::{fake, findings, sarif_errors, secrets_found};
use git_support::{assignment, git_in, run, run_json, Repo, AUTHOR, EMAIL};

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values
}

#[test]
fn a_secret_added_then_deleted_is_reported_with_provenance_and_not_in_head() {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    repo.write(
        "app/settings.py",
        format!("DEBUG = True\n{}", assignment("API_KEY", &key)),
    );
    let added = repo.commit_all("Add settings\n\nWith a longer body that is not the summary.");
    repo.remove("app/settings.py");
    repo.write("README.md", "nothing here\n");
    repo.commit_all("Remove settings");

    let (code, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    let f = &found[0];
    assert_eq!(f["value"], key.as_str());
    assert_eq!(f["path"], "app/settings.py");
    assert_eq!(f["start_line"], 2);
    assert_eq!(f["git"]["commit"], added.as_str());
    assert_eq!(f["git"]["author"], AUTHOR);
    assert_eq!(f["git"]["summary"], "Add settings");
    assert_eq!(f["git"]["in_head"], false);
    assert!(f["git"]["date"].as_str().unwrap().ends_with('Z'));
    assert_eq!(report["summary"]["mode"], "git-history");

    // The human report says where it came from and that deleting it was not enough; nothing
    // prints the author's e-mail or, without --show-secrets, the secret.
    let (code, human, _) = run(repo.path(), &["git", "--no-color"]);
    assert_eq!(code, 1);
    assert!(human.contains(&added[..10]), "{human}");
    assert!(human.contains("no longer in HEAD"), "{human}");
    assert!(!human.contains(&key));
    for format in ["json", "sarif", "github", "human"] {
        let (_, out, _) = run(repo.path(), &["git", "--format", format]);
        assert!(!out.contains(EMAIL), "{format} shows the author's e-mail");
        assert!(!out.contains(&key), "{format} shows the secret");
    }
}

#[test]
fn a_secret_still_in_head_is_marked_so() {
    let repo = Repo::new();
    let key = fake::github_pat();
    repo.write("ci.sh", format!("export TOKEN={key}\n"));
    repo.commit_all("Add CI script");
    repo.write("ci.sh", format!("# run the tests\nexport TOKEN={key}\n"));
    repo.commit_all("Document CI script");
    let (_, report, _) = run_json(repo.path(), &["git"]);
    let found = findings(&report);
    // Two versions of the file hold the same secret at the same path: one finding, the first.
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["git"]["summary"], "Add CI script");
    assert_eq!(found[0]["start_line"], 1);
    assert_eq!(found[0]["git"]["in_head"], true);
}

#[test]
fn the_same_blob_in_many_commits_and_paths_is_scanned_once_and_reported_once() {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    let content = assignment("KEY", &key);
    repo.write("one/config.py", &content);
    let first = repo.commit_all("First copy");
    for i in 0..5 {
        repo.write(&format!("copy{i}/config.py"), &content);
        repo.write("counter.txt", format!("{i}\n"));
        repo.commit_all(&format!("Copy {i}"));
    }
    let (code, report, _) = run_json(repo.path(), &["git"]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["path"], "one/config.py");
    assert_eq!(found[0]["git"]["commit"], first.as_str());
    // Every unique blob once: the config blob, and five versions of the counter.
    let unique = git_in(repo.path(), &["rev-list", "--objects", "--all"])
        .lines()
        .filter(|l| {
            let oid = l.split(' ').next().unwrap();
            git_in(repo.path(), &["cat-file", "-t", oid]) == "blob"
        })
        .count();
    assert_eq!(unique, 6);
    // Commit messages are scanned too, and count among the blobs (README).
    let messages: u64 = git_in(repo.path(), &["rev-list", "--all", "--count"])
        .parse()
        .unwrap();
    assert_eq!(report["summary"]["files_scanned"], 6 + messages);
}

#[test]
fn branches_tags_remote_tracking_refs_and_stashes_are_all_scanned() {
    let repo = Repo::new();
    repo.write("README.md", "base\n");
    repo.commit_all("Base");
    let on_main = fake::transcodely_live();
    let on_branch = fake::transcodely_live();
    let on_tag = fake::transcodely_live();
    let on_remote = fake::transcodely_live();
    let in_stash = fake::transcodely_live();
    let in_old_stash = fake::transcodely_live();

    repo.write("main.py", assignment("KEY", &on_main));
    repo.commit_all("Main work");

    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.py", assignment("KEY", &on_branch));
    repo.commit_all("Feature work");

    // A tagged commit that no branch holds.
    repo.git(&["checkout", "-q", "--detach", "main"]);
    repo.write("release.py", assignment("KEY", &on_tag));
    repo.commit_all("Release candidate");
    repo.git(&["tag", "-a", "v1.0", "-m", "Version 1.0"]);

    // A remote-tracking ref to a commit nothing else holds.
    repo.git(&["checkout", "-q", "--detach", "main"]);
    repo.write("remote.py", assignment("KEY", &on_remote));
    let remote_commit = repo.commit_all("Someone else's work");
    repo.git(&["update-ref", "refs/remotes/origin/theirs", &remote_commit]);

    // Two stash entries: the older one lives only in the stash's reflog.
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        "README.md",
        format!("base\n{}", assignment("OLD", &in_old_stash)),
    );
    repo.git(&["stash", "-q"]);
    repo.write(
        "README.md",
        format!("base\n{}", assignment("NEW", &in_stash)),
    );
    repo.git(&["stash", "-q"]);

    let (_, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(
        secrets_found(&report),
        sorted(vec![
            on_main.clone(),
            on_branch.clone(),
            on_tag.clone(),
            on_remote,
            in_stash,
            in_old_stash
        ]),
        "{report:#}"
    );

    // --branch narrows the walk to what those revisions reach.
    let (_, report, _) = run_json(repo.path(), &["git", "--show-secrets", "--branch", "main"]);
    assert_eq!(secrets_found(&report), vec![on_main.clone()]);
    let (_, report, _) = run_json(
        repo.path(),
        &[
            "git",
            "--show-secrets",
            "--branch",
            "feature",
            "--branch",
            "v1.0",
        ],
    );
    assert_eq!(
        secrets_found(&report),
        sorted(vec![on_main, on_branch, on_tag])
    );
    let (code, _, err) = run(repo.path(), &["git", "--branch", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-branch"), "{err}");
}

#[test]
fn a_merge_and_a_rename_keep_the_commit_that_introduced_the_secret() {
    let repo = Repo::new();
    repo.write("README.md", "base\n");
    repo.commit_all("Base");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    let key = fake::github_pat();
    repo.write("deploy/env.sh", format!("export GITHUB_TOKEN={key}\n"));
    let introduced = repo.commit_all("Deploy script");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("other.txt", "parallel work\n");
    repo.commit_all("Parallel work");
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge topic", "topic"]);
    std::fs::create_dir(repo.path().join("scripts")).unwrap();
    repo.git(&["mv", "deploy/env.sh", "scripts/env.sh"]);
    repo.commit("Move the deploy script");

    let (_, report, _) = run_json(repo.path(), &["git"]);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["path"], "deploy/env.sh");
    assert_eq!(found[0]["git"]["commit"], introduced.as_str());
    assert_eq!(found[0]["git"]["summary"], "Deploy script");
    // The secret is still in HEAD, under the file's new name.
    assert_eq!(found[0]["git"]["in_head"], true);
}

#[test]
fn since_skips_blobs_introduced_before_the_date() {
    let repo = Repo::new();
    let old = fake::transcodely_live();
    let new = fake::transcodely_live();
    repo.write("old.py", assignment("KEY", &old));
    repo.commit_all_dated("Old work", "2020-01-01T00:00:00Z");
    repo.write("new.py", assignment("KEY", &new));
    repo.commit_all_dated("New work", "2024-06-01T00:00:00Z");

    let (_, report, _) = run_json(
        repo.path(),
        &["git", "--show-secrets", "--since", "2023-01-01"],
    );
    assert_eq!(secrets_found(&report), vec![new.clone()]);
    let (_, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(secrets_found(&report), sorted(vec![old, new]));
    let (code, _, err) = run(repo.path(), &["git", "--since", "last tuesday"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a date"), "{err}");
}

#[test]
fn an_empty_repository_is_a_clean_scan() {
    let repo = Repo::new();
    let (code, report, _) = run_json(repo.path(), &["git"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(findings(&report).is_empty());
    assert_eq!(report["summary"]["files_scanned"], 0);
}

#[test]
fn a_shallow_clone_is_scanned_with_a_note_that_history_is_truncated() {
    let origin = Repo::new();
    let gone = fake::transcodely_live();
    let kept = fake::transcodely_live();
    origin.write("old.py", assignment("KEY", &gone));
    origin.commit_all("Old secret");
    origin.remove("old.py");
    origin.commit_all("Remove it");
    origin.write("new.py", assignment("KEY", &kept));
    origin.commit_all("New secret");

    let parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git_in(
        parent.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let clone = parent.path().join("shallow");
    let (code, report, _) = run_json(&clone, &["git", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets_found(&report), vec![kept]);
    let notes = report["summary"]["notes"].to_string();
    assert!(notes.contains("shallow"), "{notes}");
}

#[test]
fn a_bare_repository_is_scanned_like_any_other() {
    let origin = Repo::new();
    let key = fake::transcodely_live();
    origin.write("a.py", assignment("KEY", &key));
    let commit = origin.commit_all("Add key");
    let parent = tempfile::tempdir().unwrap();
    git_in(
        parent.path(),
        &[
            "clone",
            "-q",
            "--bare",
            origin.path().to_str().unwrap(),
            "bare.git",
        ],
    );
    let bare = parent.path().join("bare.git");
    let (code, report, _) = run_json(parent.path(), &["git", "bare.git", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets_found(&report), vec![key]);
    assert_eq!(findings(&report)[0]["git"]["commit"], commit.as_str());
    assert_eq!(findings(&report)[0]["git"]["in_head"], true);
    // Also from inside it.
    let (code, _, _) = run_json(&bare, &["git"]);
    assert_eq!(code, 1);
}

#[test]
fn a_path_that_is_not_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(dir.path(), &["git"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("is not a git repository"), "{err}");
    let (code, _, err) = run(dir.path(), &["git", "does-not-exist"]);
    assert_eq!(code, 2);
    assert!(err.contains("does-not-exist"), "{err}");
}

#[test]
fn binary_and_oversized_blobs_are_skipped_and_counted() {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    let mut binary = b"\x00\x01\x02".to_vec();
    binary.extend_from_slice(assignment("KEY", &key).as_bytes());
    repo.write("data.bin.x", &binary);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(assignment("KEY", &key).as_bytes());
    repo.write("logo.png", &png);
    repo.write(
        "big.py",
        format!("{}{}", "#".repeat(4000), assignment("KEY", &key)),
    );
    repo.write("small.py", "x = 1\n");
    repo.commit_all("Assets");
    let (code, report, _) = run_json(repo.path(), &["git", "--max-file-size", "1K"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["skipped"]["binary"], 2);
    assert_eq!(report["summary"]["skipped"]["too_large"], 1);
    let messages: u64 = git_in(repo.path(), &["rev-list", "--all", "--count"])
        .parse()
        .unwrap();
    assert_eq!(report["summary"]["files_scanned"], 1 + messages);
}

#[test]
fn excluded_paths_are_not_scanned() {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    repo.write("vendor/lib.py", assignment("KEY", &key));
    repo.write("src/app.py", assignment("KEY", &fake::transcodely_live()));
    repo.commit_all("Code");
    let (_, report, _) = run_json(repo.path(), &["git", "--exclude", "vendor/"]);
    let paths: Vec<_> = findings(&report)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec!["src/app.py"]);
}

#[test]
fn sarif_from_a_history_scan_is_valid_and_carries_provenance() {
    let repo = Repo::new();
    let key = fake::github_pat();
    repo.write(
        "tools/release.sh",
        format!("curl -H 'Authorization: token {key}'\n"),
    );
    let commit = repo.commit_all("Release tooling");
    repo.remove("tools/release.sh");
    repo.commit_all("Drop release tooling");
    let (code, out, _) = run(repo.path(), &["git", "--format", "sarif"]);
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errors = sarif_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["git"]["commit"], commit.as_str());
    assert_eq!(result["properties"]["git"]["inHead"], false);
    assert!(!out.contains(&key));
    assert!(!out.contains(EMAIL));
}

#[test]
fn configuration_and_baseline_apply_to_git_scans() {
    let repo = Repo::new();
    let accepted = fake::transcodely_live();
    let fixture = fake::transcodely_live();
    repo.write("app/keys.py", assignment("KEY", &accepted));
    repo.write("fixtures/sample.py", assignment("KEY", &fixture));
    repo.commit_all("Keys and fixtures");
    // The configuration is read from the work tree, committed or not.
    repo.write(
        ".credlint.toml",
        "[[allowlist]]\ndescription = \"test fixtures\"\npaths = [\"fixtures/**\"]\n",
    );
    let (code, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets_found(&report), vec![accepted.clone()]);
    assert_eq!(report["summary"]["suppressed"]["allowlist"], 1);

    // A baseline written by a directory scan accepts the same finding in history: the
    // fingerprint does not depend on where the blob was read from.
    let (code, _, err) = run(
        repo.path(),
        &["baseline", "--output", ".credlint-baseline.json"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, report, _) = run_json(
        repo.path(),
        &["git", "--baseline", ".credlint-baseline.json"],
    );
    assert_eq!(code, 0, "{report:#}");
    assert!(findings(&report).is_empty());
    assert_eq!(report["summary"]["suppressed"]["baseline"], 1);

    // Staged changes go through the same filters.
    let staged = fake::transcodely_live();
    repo.write("fixtures/more.py", assignment("KEY", &staged));
    repo.git(&["add", "fixtures/more.py"]);
    let (code, report, _) = run_json(repo.path(), &["staged"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["suppressed"]["allowlist"], 1);
}

/// A history that `git repack` turns into long delta chains: a settings file edited forty
/// times, a secret added at version 25 and removed at 30, and a large file edited twice.
fn packed_history(repack: &[&str]) -> (Repo, String, String) {
    let repo = Repo::new();
    let key = fake::transcodely_live();
    let mut settings = String::new();
    let mut introduced = String::new();
    for version in 0..40 {
        settings.push_str(&format!("OPTION_{version} = {version}\n"));
        let mut text = settings.clone();
        if (25..30).contains(&version) {
            text.push_str(&assignment("API_KEY", &key));
        }
        repo.write("app/settings.py", &text);
        if version % 20 == 0 {
            let rows: String = (0..300).map(|i| format!("row_{i} = {version}\n")).collect();
            repo.write("big.py", format!("{rows}{}", assignment("KEY", &key)));
        }
        let id = repo.commit_all(&format!("Version {version}"));
        if version == 25 {
            introduced = id;
        }
    }
    repo.git(repack);
    assert_eq!(
        git_in(repo.path(), &["count-objects"]),
        "0 objects, 0 kilobytes"
    );
    (repo, key, introduced)
}

/// Blobs in a pack are read straight from it (deltas built from their bases, whichever way
/// the pack names them); what is found, where and since when is what the loose objects gave.
#[test]
fn secrets_inside_delta_chains_of_a_pack_are_found_at_the_commit_that_added_them() {
    let repacks: [&[&str]; 2] = [
        &[
            "repack",
            "-q",
            "-a",
            "-d",
            "-f",
            "--depth=50",
            "--window=50",
        ],
        &[
            "-c",
            "repack.useDeltaBaseOffset=false",
            "repack",
            "-q",
            "-a",
            "-d",
            "-f",
        ],
    ];
    for repack in repacks {
        let (repo, key, introduced) = packed_history(repack);
        let (code, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
        assert_eq!(code, 1, "{report:#}");
        let found: Vec<_> = findings(&report)
            .into_iter()
            .filter(|f| f["path"] == "app/settings.py")
            .collect();
        assert_eq!(found.len(), 1, "{report:#}");
        assert_eq!(found[0]["value"], key.as_str());
        assert_eq!(found[0]["start_line"], 27);
        assert_eq!(found[0]["git"]["commit"], introduced.as_str());
        assert_eq!(found[0]["git"]["in_head"], false);
        // 40 versions of settings, two of big.py (each with the key), 40 commit messages.
        assert_eq!(
            report["summary"]["files_scanned"],
            40 + 2 + 40,
            "{report:#}"
        );

        // Over the size limit, both versions of the large file (one whole, one a delta) are
        // skipped and counted, not scanned.
        let (code, report, _) = run_json(repo.path(), &["git", "--max-file-size", "2K"]);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(report["summary"]["skipped"]["too_large"], 2, "{report:#}");
        assert!(findings(&report)
            .iter()
            .all(|f| f["path"] == "app/settings.py"));
    }
}
