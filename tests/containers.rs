//! Archives and compressed files are opened and their members scanned through the whole
//! pipeline, in every source; commit and tag messages are scanned in history. Every archive here
//! is built in the test with the same crates credlint reads them with, and every scan runs the
//! real binary.

mod common;
mod git_support;

use std::io::Write;

use common::{fake, findings, run_in, scan_json, stdout};
use git_support::{run_json, Repo};

/// A Python file that holds `token` on line 3.
fn conf_py(token: &str) -> Vec<u8> {
    format!("import os\n\nGITHUB_TOKEN = \"{token}\"\n").into_bytes()
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn bzip2(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut writer =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::default()).unwrap();
    writer.write_all(bytes).unwrap();
    writer.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// (path, value, start line) of each finding, sorted.
fn found(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut all: Vec<(String, String, u64)> = findings(report)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["value"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

fn warnings(report: &serde_json::Value) -> String {
    report["summary"]["warnings"].to_string()
}

fn at(path: &str, token: &str, line: u64) -> (String, String, u64) {
    (path.to_string(), token.to_string(), line)
}

#[test]
fn a_token_in_every_kind_of_container_is_reported_at_its_member() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tokens: Vec<String> = (0..9).map(|_| fake::github_pat()).collect();
    common::write(
        d,
        "bundle.zip",
        zip_of(&[("conf.py", &conf_py(&tokens[0]))]),
    );
    common::write(
        d,
        "release.tar.gz",
        gzip(&tar_of(&[
            ("./app/conf.py", &conf_py(&tokens[1])),
            ("./README", b"nothing here\n"),
        ])),
    );
    let inner = zip_of(&[("conf.py", &conf_py(&tokens[2]))]);
    common::write(d, "nested.tar", tar_of(&[("inner.zip", &inner)]));
    let notes = |t: &str| format!("release notes\ntoken {t}\n").into_bytes();
    common::write(d, "notes.txt.gz", gzip(&notes(&tokens[3])));
    common::write(d, "notes.txt.bz2", bzip2(&notes(&tokens[4])));
    common::write(d, "notes.txt.xz", xz(&notes(&tokens[5])));
    common::write(d, "notes.txt.zst", zstd(&notes(&tokens[6])));
    // A jar is a zip; so is a file whose name says nothing: the magic bytes decide.
    common::write(
        d,
        "lib/app.jar",
        zip_of(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            ("com/app/Main.class", b"\xca\xfe\xba\xbe\0\0\0\x34"),
            ("config/app.properties", &conf_py(&tokens[7])),
        ]),
    );
    common::write(
        d,
        "export.dat",
        zip_of(&[("a/b.env", &conf_py(&tokens[8]))]),
    );

    let (code, report) = scan_json(d, &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        found(&report),
        vec![
            at("bundle.zip!conf.py", &tokens[0], 3),
            at("export.dat!a/b.env", &tokens[8], 3),
            at("lib/app.jar!config/app.properties", &tokens[7], 3),
            at("nested.tar!inner.zip!conf.py", &tokens[2], 3),
            at("notes.txt.bz2!notes.txt", &tokens[4], 2),
            at("notes.txt.gz!notes.txt", &tokens[3], 2),
            at("notes.txt.xz!notes.txt", &tokens[5], 2),
            at("notes.txt.zst!notes.txt", &tokens[6], 2),
            at("release.tar.gz!app/conf.py", &tokens[1], 3),
        ]
    );
    let nested = findings(&report)
        .into_iter()
        .find(|f| f["path"] == "nested.tar!inner.zip!conf.py")
        .unwrap();
    assert_eq!(nested["archive_member"], "inner.zip!conf.py");
    assert_eq!(nested["start_column"], 17);
    // The class file inside the jar is binary and skipped, like a file on disk.
    assert!(report["summary"]["skipped"]["binary"].as_u64().unwrap() >= 1);
    assert_eq!(report["summary"]["warnings"], serde_json::json!([]));
}

#[test]
fn the_archive_depth_limit_is_honoured_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deep = fake::github_pat();
    let shallow = fake::github_pat();
    let inner = zip_of(&[("conf.py", &conf_py(&deep))]);
    common::write(
        d,
        "nested.tar",
        tar_of(&[("inner.zip", &inner), ("top.py", &conf_py(&shallow))]),
    );

    let (code, report) = scan_json(d, &["--show-secrets", "--max-archive-depth", "1"]);
    assert_eq!(code, 1);
    assert_eq!(found(&report), vec![at("nested.tar!top.py", &shallow, 3)]);
    let said = warnings(&report);
    assert!(said.contains("nested.tar!inner.zip"), "{said}");
    assert!(said.contains("--max-archive-depth 1"), "{said}");

    // 0 turns archives off: they are binary files again.
    let (code, report) = scan_json(d, &["--max-archive-depth", "0"]);
    assert_eq!(code, 0, "{report}");
    assert!(findings(&report).is_empty());
    assert_eq!(report["summary"]["skipped"]["binary"], 1);

    // The configuration says the same.
    common::write(d, ".credlint.toml", "[scan]\nmax_archive_depth = 0\n");
    let (code, _) = scan_json(d, &[]);
    assert_eq!(code, 0);
    let (code, report) = scan_json(d, &["--max-archive-depth", "2", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report).len(),
        2,
        "the flag wins over the configuration"
    );
}

#[test]
fn every_report_format_names_the_member_and_sarif_points_at_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token = fake::github_pat();
    common::write(
        d,
        "dist/bundle.zip",
        zip_of(&[("src/conf.py", &conf_py(&token))]),
    );
    for format in [
        "human", "concise", "json", "jsonl", "csv", "junit", "gitlab",
    ] {
        let output = run_in(d, &["scan", "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{format}");
        let text = stdout(&output);
        assert!(
            text.contains("dist/bundle.zip!src/conf.py"),
            "{format}:\n{text}"
        );
        assert!(!text.contains(&token), "{format} shows the secret");
    }

    let output = run_in(d, &["scan", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(common::sarif_errors(&sarif), Vec::<String>::new());
    let result = &sarif["runs"][0]["results"][0];
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "dist/bundle.zip");
    assert_eq!(location["region"]["startLine"], 3);
    assert_eq!(result["properties"]["member"], "src/conf.py");
    let message = result["message"]["text"].as_str().unwrap();
    assert!(message.contains("src/conf.py"), "{message}");

    let output = run_in(d, &["scan", "--format", "github"]);
    let text = stdout(&output);
    let annotation = text.lines().find(|l| l.starts_with("::error")).unwrap();
    assert!(annotation.contains("file=dist/bundle.zip,"), "{annotation}");
    assert!(annotation.contains("src/conf.py:3:"), "{annotation}");
}

#[test]
fn allow_comments_baselines_and_fingerprints_work_inside_members() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let allowed = fake::github_pat();
    let kept = fake::github_pat();
    let allowed_line = format!("T = \"{allowed}\"  # credlint:allow test fixture\n");
    common::write(
        d,
        "bundle.zip",
        zip_of(&[
            ("a.py", allowed_line.as_bytes()),
            ("b.py", &conf_py(&kept)),
            ("c.py", &conf_py(&kept)),
        ]),
    );
    let (code, report) = scan_json(d, &["--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![
            at("bundle.zip!b.py", &kept, 3),
            at("bundle.zip!c.py", &kept, 3)
        ]
    );
    assert_eq!(report["summary"]["suppressed"]["inline"], 1);
    let prints: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    assert_ne!(
        prints[0], prints[1],
        "the member path is in the fingerprint"
    );

    let output = run_in(d, &["baseline", "--output", "base.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let (code, report) = scan_json(d, &["--baseline", "base.json"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["suppressed"]["baseline"], 2);
}

/// A zip whose one member is 1 GiB of zeros (about 1 MB stored): the member is cut at the size
/// limit and the scan says it was incomplete, with exit code 2, instead of a clean result.
#[test]
fn an_archive_bomb_is_cut_and_reported_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = std::fs::File::create(d.join("bomb.zip")).unwrap();
    let mut writer = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("zeros.txt", options).unwrap();
    let block = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        writer.write_all(&block).unwrap();
    }
    writer.finish().unwrap();
    let stored = std::fs::metadata(d.join("bomb.zip")).unwrap().len();
    assert!(stored < 8 << 20, "{stored}");

    let (code, report) = scan_json(d, &[]);
    assert_eq!(code, 2, "an incomplete scan is not clean: {report}");
    let said = warnings(&report);
    assert!(said.contains("bomb.zip!zeros.txt"), "{said}");
    assert!(said.contains("only its first 64 MiB"), "{said}");
    let output = run_in(d, &["scan"]);
    assert!(
        common::stderr(&output).contains("scanned only in part"),
        "{}",
        common::stderr(&output)
    );
}

#[test]
fn a_damaged_archive_is_read_up_to_the_damage_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token = fake::github_pat();
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let whole = zip_of(&[("conf.py", &conf_py(&token)), ("noise.bin", &noise)]);
    common::write(d, "cut.zip", &whole[..whole.len() / 2]);
    let (code, report) = scan_json(d, &["--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(found(&report), vec![at("cut.zip!conf.py", &token, 3)]);
    assert!(
        warnings(&report).contains("damaged zip archive"),
        "{report}"
    );
}

fn ids(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = findings(report)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["git"]["commit"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn archives_in_history_ranges_and_the_index_are_opened() {
    let repo = Repo::new();
    repo.write("README.md", "# app\n");
    let base = repo.commit_all("Initial");
    let token = fake::github_pat();
    repo.write(
        "dist/bundle.zip",
        zip_of(&[("conf.py", &conf_py(&token)), ("b.txt", b"b\n")]),
    );
    let added = repo.commit_all("Add the bundle");
    // History: the blob of the archive, with the commit that added it.
    let (code, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        ids(&report),
        vec![("dist/bundle.zip!conf.py".to_string(), added.clone())]
    );
    assert_eq!(findings(&report)[0]["value"], token.as_str());

    // A range: a changed archive is scanned in full, whatever lines "changed".
    let second = fake::github_pat();
    repo.write(
        "dist/bundle.zip",
        zip_of(&[("conf.py", &conf_py(&token)), ("b.txt", &conf_py(&second))]),
    );
    let changed = repo.commit_all("Update the bundle");
    let range = format!("{added}..{changed}");
    let (code, report, _) = run_json(repo.path(), &["git", "--range", &range, "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(
        ids(&report),
        vec![
            ("dist/bundle.zip!b.txt".to_string(), changed.clone()),
            ("dist/bundle.zip!conf.py".to_string(), changed.clone()),
        ]
    );
    let range = format!("{base}..{changed}");
    let (_, report, _) = run_json(repo.path(), &["git", "--range", &range]);
    let first_conf = ids(&report)
        .into_iter()
        .find(|(p, _)| p == "dist/bundle.zip!conf.py")
        .unwrap();
    assert_eq!(
        first_conf.1, added,
        "a secret is reported at its first commit"
    );

    // Staged: the archive about to be committed.
    let staged = fake::github_pat();
    repo.write(
        "pkg/release.tar.gz",
        gzip(&tar_of(&[("conf.py", &conf_py(&staged))])),
    );
    repo.git(&["add", "-A"]);
    let (code, report, _) = run_json(repo.path(), &["staged", "--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        found(&report),
        vec![at("pkg/release.tar.gz!conf.py", &staged, 3)]
    );
}

#[test]
fn commit_and_tag_messages_are_scanned_with_their_provenance() {
    let repo = Repo::new();
    repo.write("README.md", "# app\n");
    let base = repo.commit_all("Initial");
    let in_commit = fake::github_pat();
    repo.write("a.txt", "a\n");
    let commit = repo.commit_all(&format!("Deploy with token {in_commit}\n\nThanks."));
    let in_tag = fake::github_pat();
    repo.git(&[
        "tag",
        "-a",
        "v1.0",
        "-m",
        &format!("Release 1.0\n\nci token: {in_tag}"),
    ]);
    // A lightweight tag has no message of its own.
    repo.git(&["tag", "light"]);

    let (code, report, _) = run_json(repo.path(), &["git", "--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let short = &commit[..10];
    assert_eq!(
        found(&report),
        vec![
            at(&format!("<commit message of {short}>"), &in_commit, 1),
            at("<tag message of v1.0>", &in_tag, 3),
        ]
    );
    let all = findings(&report);
    let by_path = |p: &str| all.iter().find(|f| f["path"] == p).unwrap().clone();
    let in_message = by_path(&format!("<commit message of {short}>"));
    assert_eq!(in_message["git"]["commit"], commit.as_str());
    let tagged = by_path("<tag message of v1.0>");
    assert_eq!(
        tagged["git"]["commit"],
        commit.as_str(),
        "the tagged commit"
    );
    assert!(tagged["git"]["summary"].as_str().unwrap().contains("v1.0"));

    // Without --show-secrets the commit summary beside the finding hides the token too.
    let (_, report, _) = run_json(repo.path(), &["git"]);
    let text = report.to_string();
    assert!(!text.contains(&in_commit), "{text}");
    assert!(!text.contains(&in_tag), "{text}");
    let output = git_support::run(repo.path(), &["git"]);
    assert!(output.1.contains("in the commit message") || output.1.contains("<commit message of"));
    assert!(!output.1.contains(&in_commit));

    // A range scans the messages of its commits.
    let range = format!("{base}..HEAD");
    let (code, report, _) = run_json(repo.path(), &["git", "--range", &range, "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![at(&format!("<commit message of {short}>"), &in_commit, 1)]
    );
}
