//! Hostile, broken and huge input on the filesystem side: the scan never crashes, hangs, leaks a
//! secret or escapes its roots, and it says what it skipped.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{credlint, fake, findings, run_in, scan_json, stderr, stdout, unprivileged, write};
use serde_json::Value;

fn paths(report: &Value) -> Vec<String> {
    let mut paths: Vec<String> = findings(report)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths
}

#[test]
fn fifos_are_skipped_without_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    let fifo = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // Opening a FIFO for reading blocks until a writer comes; a scanner that opens it hangs.
    let mut child = credlint()
        .current_dir(dir.path())
        .args(["scan", "--format", "json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("the scan hung on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["skipped"]["not_regular_file"], 1);
    assert_eq!(paths(&report), vec!["a.txt"]);
}

#[test]
fn symlinks_are_not_followed_by_default_and_never_outside_the_root() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "elsewhere.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    write(
        &root,
        "inside/real.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    symlink(outside.path(), root.join("escape-dir")).unwrap();
    symlink(
        outside.path().join("elsewhere.txt"),
        root.join("escape-file.txt"),
    )
    .unwrap();
    symlink(root.join("inside"), root.join("inside-link")).unwrap();
    symlink(&root, root.join("inside/loop")).unwrap();
    symlink(root.join("missing.txt"), root.join("broken.txt")).unwrap();

    let (_, report) = scan_json(&root, &[]);
    assert_eq!(paths(&report), vec!["inside/real.txt"]);
    assert!(
        report["summary"]["skipped"]["symlink"].as_u64().unwrap() >= 4,
        "{:#}",
        report["summary"]
    );

    let (_, report) = scan_json(&root, &["--follow-symlinks"]);
    let found = paths(&report);
    assert!(found.contains(&"inside/real.txt".to_string()), "{found:?}");
    assert!(
        found.contains(&"inside-link/real.txt".to_string()),
        "links inside the root are followed: {found:?}"
    );
    assert!(
        !found.iter().any(|p| p.contains("escape")),
        "followed a link out of the root: {found:?}"
    );
    let warnings = report["summary"]["warnings"].to_string();
    assert!(warnings.contains("broken symbolic link"), "{warnings}");
}

#[test]
fn a_file_over_the_limit_is_skipped_by_its_size_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = std::fs::File::create(dir.path().join("huge.log")).unwrap();
    big.set_len(2 * 1024 * 1024 * 1024).unwrap(); // sparse: 2 GiB that take no disk
    drop(big);
    let started = Instant::now();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["skipped"]["too_large"], 1);
    assert_eq!(report["summary"]["bytes_scanned"], 0);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it read the file instead of skipping it"
    );
}

#[test]
fn a_single_long_line_full_of_keywords_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB on one line: keywords everywhere, two real secrets in the middle.
    let key = fake::transcodely_live();
    let id = fake::aws_key_id();
    let filler = "x=\"ak_live_\";var Authorization=Bearer;".repeat(64 * 1024 * 1024 / 40 / 2);
    let line = format!("{filler}k=\"{key}\";{filler}{id};\n");
    write(dir.path(), "dist/bundle.min.js", &line);
    let (code, report) = scan_json(dir.path(), &["--max-file-size", "100M"]);
    assert_eq!(code, 1);
    let ids: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        ids.contains(&"transcodely-live-key".to_string())
            && ids.contains(&"aws-access-key-id".to_string()),
        "{ids:?}"
    );
    for f in findings(&report) {
        assert!(
            f["line"].as_str().unwrap().len() < 1000,
            "the reported line must be cut on minified files"
        );
    }
}

#[test]
fn a_generated_file_with_many_keys_stops_at_the_limit_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let content: String = (0..50)
        .map(|_| format!("id = {}\n", fake::aws_key_id()))
        .collect();
    write(dir.path(), "keys.txt", &content);
    let (code, report) = scan_json(dir.path(), &["--max-findings-per-file", "10"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 10);
    let warning = &report["summary"]["warnings"][0];
    assert_eq!(warning["path"], "keys.txt");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .starts_with("40 more values found in this file are not shown"),
        "{warning}"
    );
}

#[test]
fn deep_nesting_is_walked_and_too_deep_paths_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for _ in 0..200 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("s.txt"), format!("id = {}\n", fake::aws_key_id())).unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn many_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..20_000 {
        let sub = dir.path().join(format!("d{}", i % 100));
        if i < 100 {
            std::fs::create_dir(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("f{i}.txt")), b"x").unwrap();
    }
    write(
        dir.path(),
        "d7/needle.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files_scanned"], 20_001);
    assert_eq!(paths(&report), vec!["d7/needle.txt"]);
}

#[test]
fn hostile_file_names_are_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::aws_key_id();
    let content = format!("id = {key}\n");
    write(dir.path(), "new\nline.txt", &content);
    write(dir.path(), "bell\x07\x1b[2J.txt", &content);
    write(dir.path(), "rtl\u{202e}gpj.md", &content);
    write(dir.path(), "x\n::error file=evil::pwned.txt", &content);
    let latin1 = dir.path().join(OsStr::from_bytes(b"caf\xe9.txt"));
    std::fs::write(&latin1, &content).unwrap();

    let human = stdout(&run_in(dir.path(), &["scan"]));
    assert!(
        !human.contains('\x1b') && !human.contains('\x07') && !human.contains('\u{202e}'),
        "{human:?}"
    );
    assert!(
        human.contains("new\\nline.txt") && human.contains("rtl\\u{202e}gpj.md"),
        "{human}"
    );
    assert!(
        human.contains("caf\u{fffd}.txt"),
        "non-UTF-8 names are shown with a replacement character"
    );

    let github = stdout(&run_in(dir.path(), &["scan", "--format", "github"]));
    for line in github.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line:?}"
        );
    }
    assert_eq!(github.lines().count(), 5, "{github}");
    assert!(
        github.contains("file=x%0A%3A%3Aerror file=evil%3A%3Apwned.txt,"),
        "{github}"
    );
    assert!(github.contains("file=bell%07%1B[2J.txt,"), "{github}");
    assert!(
        !github.contains('\x1b') && !github.contains('\u{202e}'),
        "{github}"
    );

    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(findings(&report).len(), 5);
    let sarif: Value =
        serde_json::from_slice(&run_in(dir.path(), &["scan", "--format", "sarif"]).stdout).unwrap();
    assert_eq!(common::sarif_errors(&sarif), Vec::<String>::new());
    assert!(!sarif.to_string().contains(&key));
}

#[test]
fn permission_denied_directories_are_warnings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(
        dir.path(),
        "open/a.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    write(dir.path(), "closed/b.txt", "x\n");
    std::fs::set_permissions(
        dir.path().join("closed"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let mut command = credlint();
    command
        .current_dir(dir.path())
        .args(["scan", "--format", "json"]);
    let output = unprivileged(command).output().unwrap();
    let report: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", stderr(&output)));
    assert_eq!(
        output.status.code(),
        Some(1),
        "findings win over the incomplete-scan exit"
    );
    assert_eq!(paths(&report), vec!["open/a.txt"]);
    assert_eq!(report["summary"]["skipped"]["unreadable"], 1);
    let warning = &report["summary"]["warnings"][0];
    assert_eq!(warning["path"], "closed");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{warning}"
    );
}

#[test]
fn ctrl_c_exits_promptly_non_zero_and_leaves_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("out.sarif");
    // Reading a stdin that never ends: the scan is still running when the signal comes.
    let mut command = credlint();
    // A shell that starts a job in the background without job control makes it ignore SIGINT,
    // and children inherit that: give credlint the default action a terminal's Ctrl-C meets.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = command
        .args(["scan", "-", "--report"])
        .arg(format!("sarif={}", report.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    use std::io::Write;
    stdin.write_all(b"partial input\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "did not exit after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    assert!(!status.success());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(
        leftovers.is_empty(),
        "a report or temporary file was left: {leftovers:?}"
    );
}
