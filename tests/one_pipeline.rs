//! Every mode judges the same bytes the same way: a secret that `credlint scan` reports in a file
//! is reported by `credlint staged`, `credlint git --range` and `credlint git` when that file is
//! staged, added by a pull request, or anywhere in history. Each test is one way a secret used to
//! get past a gate, in every mode where it did.

mod common;
mod git_support;

use common::{fake, findings, scan_json};
use git_support::{run, run_json, Repo};

/// The values of a report's findings (the run used `--show-secrets`).
fn values(report: &serde_json::Value) -> Vec<String> {
    let mut values: Vec<String> = findings(report)
        .iter()
        .map(|f| f["value"].as_str().unwrap().to_string())
        .collect();
    values.sort();
    values
}

/// Runs `args` with `--show-secrets` in the repository and requires exit 1 and `secret` among the
/// findings; returns the report.
fn must_find(repo: &Repo, args: &[&str], secret: &str) -> serde_json::Value {
    let mut args = args.to_vec();
    args.push("--show-secrets");
    let (code, report, stderr) = run_json(repo.path(), &args);
    assert!(
        values(&report).iter().any(|v| v == secret),
        "`credlint {}` missed the secret:\n{report:#}\n{stderr}",
        args.join(" ")
    );
    assert_eq!(code, 1, "`credlint {}`: {stderr}", args.join(" "));
    report
}

/// A repository with one commit that holds nothing to find, so later commits form a range.
fn repo_with_base() -> (Repo, String) {
    let repo = Repo::new();
    repo.write("README.md", "# project\n");
    let base = repo.commit_all("Base");
    (repo, base)
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

#[test]
fn a_text_file_named_like_an_image_is_scanned_in_every_mode() {
    let token = fake::github_pat();
    let content = format!("TOKEN = \"{token}\"\n");

    // Staged before the first commit.
    let repo = Repo::new();
    repo.write("logo.png", &content);
    repo.git(&["add", "logo.png"]);
    must_find(&repo, &["staged"], &token);

    // Committed as logo.png, then renamed to config.py: the range and the history.
    let (repo, base) = repo_with_base();
    repo.write("logo.png", &content);
    repo.commit_all("Add the logo");
    repo.git(&["mv", "logo.png", "config.py"]);
    repo.commit_all("It was a config file");
    let report = must_find(&repo, &["git", "--range", &format!("{base}..HEAD")], &token);
    assert_eq!(findings(&report)[0]["path"], "logo.png");
    must_find(&repo, &["git"], &token);
}

#[test]
fn a_file_whose_previous_version_was_binary_is_judged_by_its_new_content() {
    let (repo, base) = repo_with_base();
    repo.write("conf.py", b"\x00\x01binary settings\x00\n".as_slice());
    repo.commit_all("Binary settings");
    let token = fake::github_pat();
    repo.write("conf.py", format!("# settings\nTOKEN = \"{token}\"\n"));
    repo.git(&["add", "conf.py"]);
    must_find(&repo, &["staged"], &token);
    repo.commit("Text settings");
    must_find(&repo, &["git", "--range", &format!("{base}..HEAD")], &token);
}

#[test]
fn gitattributes_added_by_the_same_change_cannot_hide_text_files() {
    let attributes = "*.cfg -diff\n*.ini binary\n";
    let cfg_token = fake::github_pat();
    let ini_token = fake::transcodely_live();

    let (repo, base) = repo_with_base();
    repo.write("old.txt", "to be removed\n");
    repo.commit_all("An old file");
    repo.write(".gitattributes", attributes);
    repo.write("app.cfg", format!("token = {cfg_token}\n"));
    repo.write("app.ini", format!("[api]\nkey = {ini_token}\n"));
    // Removing one file while adding others sends `credlint staged` down libgit2's full diff
    // (a possible edited rename), the path that reads .gitattributes.
    repo.remove("old.txt");
    repo.git(&["add", "-A"]);
    for token in [&cfg_token, &ini_token] {
        must_find(&repo, &["staged"], token);
    }
    repo.commit("Configuration");
    for token in [&cfg_token, &ini_token] {
        must_find(&repo, &["git", "--range", &format!("{base}..HEAD")], token);
    }
}

#[test]
fn utf16_text_is_decoded_in_staged_and_range_scans() {
    let (repo, base) = repo_with_base();
    let token = fake::github_pat();
    repo.write(
        "settings.ini",
        utf16le_with_bom(&format!("[auth]\r\ntoken={token}\r\n")),
    );
    repo.git(&["add", "-A"]);
    let report = must_find(&repo, &["staged"], &token);
    assert_eq!(findings(&report)[0]["start_line"], 2);
    repo.commit("Windows settings");
    let report = must_find(&repo, &["git", "--range", &format!("{base}..HEAD")], &token);
    assert_eq!(findings(&report)[0]["start_line"], 2);
}

#[test]
fn a_stray_byte_order_mark_hides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake::github_pat();
    let mut content = vec![0xFF, 0xFE];
    content.extend_from_slice(format!("# deploy settings\nGITHUB_TOKEN={token}\n").as_bytes());
    common::write(dir.path(), ".env", &content);
    let (code, report) = scan_json(dir.path(), &["--show-secrets"]);
    assert_eq!(values(&report), vec![token], "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn allowed_matches_do_not_use_up_the_per_file_limit() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake::github_pat();
    let mut content = format!("TOKEN = \"{token}\"\n");
    for i in 0..1001 {
        content.push_str(&format!(
            "KEY_{i} = \"{}\"  # credlint:allow test fixture\n",
            fake::transcodely_live()
        ));
    }
    common::write(dir.path(), "fixtures.py", &content);
    let (code, report) = scan_json(dir.path(), &["--show-secrets"]);
    assert_eq!(values(&report), vec![token], "{:#}", report["summary"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["suppressed"]["inline"], 1001);
}

#[test]
fn baselined_findings_do_not_use_up_the_per_file_limit_of_a_staged_scan() {
    let repo = Repo::new();
    let keys: String = (0..1000)
        .map(|i| format!("KEY_{i} = \"{}\"\n", fake::transcodely_live()))
        .collect();
    repo.write("keys.py", &keys);
    repo.commit_all("Accepted keys");
    let (code, _, stderr) = run(
        repo.path(),
        &["baseline", "--output", "baseline.json", "-q"],
    );
    assert_eq!(code, 0, "{stderr}");
    let token = fake::github_pat();
    repo.write("keys.py", format!("{keys}TOKEN = \"{token}\"\n"));
    repo.git(&["add", "keys.py"]);
    let report = must_find(&repo, &["staged", "--baseline", "baseline.json"], &token);
    assert_eq!(values(&report), vec![token]);
}

#[test]
fn a_secret_allowlisted_at_one_path_is_reported_where_it_was_copied() {
    let repo = Repo::new();
    repo.write(
        ".credlint.toml",
        "[[allowlist]]\ndescription = \"test fixtures\"\npaths = [\"tests/fixtures/**\"]\n",
    );
    let token = fake::github_pat();
    let content = format!("TOKEN = \"{token}\"\n");
    repo.write("tests/fixtures/k.py", &content);
    repo.commit_all("A fixture");
    let (code, report, stderr) = run_json(repo.path(), &["git"]);
    assert_eq!(code, 0, "the fixture is allowlisted: {report:#} {stderr}");
    repo.write("src/prod.py", &content);
    let copying = repo.commit_all("Use the fixture's token in production");
    let report = must_find(&repo, &["git"], &token);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["path"], "src/prod.py");
    assert_eq!(found[0]["git"]["commit"], copying.as_str());
}

#[test]
fn a_text_file_with_an_always_binary_extension_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake::github_pat();
    common::write(dir.path(), "settings.dat", format!("token={token}\n"));
    // A real image is still skipped as binary, without a finding.
    common::write(
        dir.path(),
        "logo.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".as_slice(),
    );
    let (code, report) = scan_json(dir.path(), &["--show-secrets"]);
    assert_eq!(values(&report), vec![token], "{report:#}");
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["skipped"]["binary"], 1);
}

#[test]
fn tracked_files_are_scanned_even_when_an_ignore_file_lists_them() {
    let repo = Repo::new();
    repo.write(".gitignore", ".env\nbuild/\n");
    let tracked = fake::github_pat();
    repo.write(".env", format!("GITHUB_TOKEN={tracked}\n"));
    repo.git(&["add", "-f", ".env"]);
    // A committed .ignore must not hide tracked files either.
    repo.write(".ignore", "src/\n");
    let in_src = fake::transcodely_live();
    repo.write("src/app.py", format!("KEY = \"{in_src}\"\n"));
    repo.commit_all("Project");
    // Untracked files that .gitignore lists stay skipped, and are counted.
    repo.write(
        "build/out.py",
        format!("KEY = \"{}\"\n", fake::transcodely_live()),
    );
    let (code, report) = scan_json(repo.path(), &["--show-secrets"]);
    let mut expected = vec![tracked, in_src];
    expected.sort();
    assert_eq!(values(&report), expected, "{report:#}");
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["skipped"]["ignored"], 1, "{report:#}");
}
