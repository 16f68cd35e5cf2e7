//! `credlint scan` end to end: the real binary on real directories written by each test.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{
    credlint, fake, findings, rule_ids, run_in, sarif_errors, scan_json, stderr, stdout,
    unprivileged, write,
};
use serde_json::Value;

#[test]
fn finds_a_secret_at_the_right_line_and_character_column() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::transcodely_live();
    // "é" is two bytes and one character: columns count characters.
    write(
        dir.path(),
        "src/client.py",
        format!("import os\n\n# café\nclient = Transcodely(api_key=\"{key}\")  # é\n"),
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let all = findings(&report);
    assert_eq!(all.len(), 1, "{report:#}");
    let f = &all[0];
    assert_eq!(f["rule_id"], "transcodely-live-key");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["path"], "src/client.py");
    assert_eq!(f["start_line"], 4);
    assert_eq!(f["start_column"], 31);
    assert_eq!(f["end_line"], 4);
    assert_eq!(f["end_column"], 31 + key.len() as u64);
    assert_eq!(f["value_redacted"], true);
    assert!(
        !report.to_string().contains(&key),
        "the secret leaked into JSON"
    );
}

#[test]
fn columns_count_characters_after_multibyte_text() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::aws_key_id();
    write(dir.path(), "a.txt", format!("ключ = {key}\n"));
    let (_, report) = scan_json(dir.path(), &[]);
    let f = &findings(&report)[0];
    assert_eq!(f["start_column"], 8, "{f:#}");
}

#[test]
fn placeholders_from_the_seed_documents_are_not_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docs/auth.sh",
        r#"
curl -sS -X GET 'https://api.transcodesapis.com/v1/auth/temp-session/step-up/YOUR_STEP_UP_SID' \
  -H 'x-transcodes-token: YOUR_SERVER_JWT_FROM_CONSOLE'
curl -X POST https://api.transcodely.com/transcodely.v1.JobService/List -H "Authorization: Bearer {{API_KEY}}"
export MEDIACONVERT_API_TOKEN="mc_live_abc123..."
curl -H "Authorization: Bearer $MEDIACONVERT_API_TOKEN" https://mediaconvert.io/api/v1/me
curl -H "Authorization: Bearer ${TOKEN}" https://mediaconvert.io/api/v1/me
Authorization: Bearer YOUR_API_TOKEN
"secret": "ak_live_AbCdEf1234567890GhIjKlMnOpQrStUv"
"key_prefix": "ak_live_",
client.api_keys.revoke("ak_r4s5t6u7v8w9x0y1")
"#,
    );
    write(
        dir.path(),
        "src/app.js",
        "const AUTH_API_TOKEN = process.env.TRANSCODES_AUTH_API_TOKEN!;\nconst client = new Transcodely({ apiKey: process.env.TRANSCODELY_API_KEY! });\n",
    );
    write(
        dir.path(),
        "src/app.py",
        "with Transcodely(api_key=os.environ[\"TRANSCODELY_API_KEY\"]) as client:\n    pass\nheaders = {'Authorization': f'Bearer {api_token}'}\n",
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(findings(&report), Vec::<Value>::new(), "{report:#}");
    assert_eq!(code, 0);
}

#[test]
fn human_output_is_a_compiler_style_diagnostic_with_redaction_and_advice() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::transcodely_live();
    write(dir.path(), "config/app.rb", format!("KEY = \"{key}\"\n"));
    let output = run_in(dir.path(), &["scan", "."]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text.contains("critical[transcodely-live-key]: Transcodely live API key"),
        "{text}"
    );
    assert!(text.contains("--> config/app.rb:1:8"), "{text}");
    assert!(
        text.contains(&format!("KEY = \"{}…\"", &key[..12])),
        "{text}"
    );
    assert!(text.contains("^^^^^^^^^^^^^ secret (redacted)"), "{text}");
    assert!(text.contains("= checklist: "), "{text}");
    assert!(text.contains("= fix: Revoke the key"), "{text}");
    assert!(text.contains("Scanned 1 file ("), "{text}");
    assert!(text.contains("1 finding: 1 critical."), "{text}");
    assert!(!text.contains(&key));
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    assert_eq!(
        stderr(&output),
        "",
        "no progress or noise on stderr when it is not a terminal"
    );
}

#[test]
fn secrets_are_redacted_in_every_format_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::github_pat();
    let jwt = fake::jwt();
    write(
        dir.path(),
        ".env",
        format!("GITHUB_TOKEN={key}\nSESSION={jwt}\n"),
    );
    // Two secrets on one line: each finding's line must hide the other one too.
    let live = fake::transcodely_live();
    let aws = fake::aws_key_id();
    write(
        dir.path(),
        "config.js",
        format!("const keys = {{ transcodely: \"{live}\", aws: \"{aws}\" }};\n"),
    );
    for format in [
        "human", "concise", "json", "jsonl", "sarif", "github", "gitlab", "junit", "csv",
    ] {
        let output = run_in(dir.path(), &["scan", "--format", format]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{format}: {text}");
        for secret in [&key, &jwt, &live, &aws] {
            assert!(!text.contains(secret), "{format} printed a secret:\n{text}");
        }
        assert!(!stderr(&output).contains(&key));
    }
    let (_, report) = scan_json(dir.path(), &["--show-secrets"]);
    let values: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["value"].as_str().unwrap().to_string())
        .collect();
    assert!(values.contains(&key) && values.contains(&jwt), "{values:?}");
}

#[test]
fn sarif_is_valid_has_rules_fingerprints_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::aws_secret();
    let id = fake::aws_key_id();
    write(
        dir.path(),
        "deploy/my config.ini",
        format!("aws_access_key_id = {id}\naws_secret_access_key = {key}\n"),
    );
    let output = run_in(dir.path(), &["scan", "--format", "sarif"]);
    let text = stdout(&output);
    assert!(
        !text.contains(&key) && !text.contains(&id),
        "SARIF leaked a secret"
    );
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let errors = sarif_errors(&sarif);
    assert!(
        errors.is_empty(),
        "SARIF is not valid:\n{}",
        errors.join("\n")
    );
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["message"] = Value::from(5);
    assert!(
        !sarif_errors(&broken).is_empty(),
        "the validator must catch a broken document"
    );

    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() > 10);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(rules[index]["properties"]["security-severity"].is_string());
        assert!(rules[index]["help"]["markdown"].is_string());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "deploy/my%20config.ini"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["endColumn"].as_u64().unwrap() > 1);
        assert_eq!(
            result["partialFingerprints"]["credlint/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }
}

#[test]
fn sarif_of_a_clean_scan_and_of_warnings_is_valid_too() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "nothing here\n");
    let output = run_in(dir.path(), &["scan", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif_errors(&sarif), Vec::<String>::new());
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "clean.txt", "hello\n");
    assert_eq!(run_in(dir.path(), &["scan"]).status.code(), Some(0));

    write(
        dir.path(),
        "k.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    assert_eq!(run_in(dir.path(), &["scan"]).status.code(), Some(1));
    // The AWS key id is high: below a critical threshold, above a medium one.
    assert_eq!(
        run_in(dir.path(), &["scan", "--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run_in(dir.path(), &["scan", "--fail-on", "medium"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run_in(dir.path(), &["scan", "--fail-on", "none"])
            .status
            .code(),
        Some(0)
    );

    let bad = run_in(dir.path(), &["scan", "--fail-on", "urgent"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("unknown severity"));
    let missing = run_in(dir.path(), &["scan", "does/not/exist"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("cannot scan does/not/exist: no such file"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(run_in(dir.path(), &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn an_unreadable_file_is_a_counted_warning_and_makes_the_scan_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(dir.path(), "ok.txt", "fine\n");
    let locked = write(dir.path(), "locked.txt", "secret stuff\n");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();

    let mut command = credlint();
    command
        .current_dir(dir.path())
        .args(["scan", "--format", "json"]);
    let output = unprivileged(command).output().unwrap();
    let report: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", stderr(&output)));
    assert_eq!(
        output.status.code(),
        Some(2),
        "incomplete scans do not exit 0"
    );
    assert_eq!(report["summary"]["skipped"]["unreadable"], 1);
    assert_eq!(report["summary"]["files_scanned"], 1);
    let warning = &report["summary"]["warnings"][0];
    assert_eq!(warning["path"], "locked.txt");
    assert_eq!(warning["message"], "could not read: permission denied");

    let mut command = credlint();
    command
        .current_dir(dir.path())
        .args(["scan", "--allow-unreadable"]);
    let output = unprivileged(command).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("warning: locked.txt: could not read: permission denied"));
    assert!(
        stdout(&output).contains("skipped 1: 1 unreadable"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn binary_invalid_utf8_and_empty_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::aws_key_id();
    let mut binary = b"\x7fELF\0\0\0".to_vec();
    binary.extend_from_slice(key.as_bytes());
    write(dir.path(), "tool.bin2", &binary);
    write(dir.path(), "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let mut latin1 = b"caf\xe9 \xff\xfe key = ".to_vec();
    latin1.extend_from_slice(key.as_bytes());
    latin1.push(b'\n');
    write(dir.path(), "legacy.txt", &latin1);
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&report), vec!["aws-access-key-id"]);
    let f = &findings(&report)[0];
    assert_eq!(f["path"], "legacy.txt");
    // c a f \xe9 ␠ \xff \xfe ␠ k e y ␠ = ␠: each invalid byte is one character.
    assert_eq!(f["start_column"], 15);
    assert_eq!(report["summary"]["skipped"]["binary"], 2);
    assert_eq!(report["summary"]["files_scanned"], 1);

    let empty = tempfile::tempdir().unwrap();
    let output = run_in(empty.path(), &["scan"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("Scanned 0 files (0 B)"));
    assert!(stdout(&output).contains("No findings."));
}

#[test]
fn utf16_text_with_a_bom_is_decoded_and_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::aws_key_id();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in format!("line one\nid = {key}\n").encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    write(dir.path(), "win.txt", bytes);
    let (_, report) = scan_json(dir.path(), &[]);
    let f = &findings(&report)[0];
    assert_eq!(
        (f["start_line"].as_u64(), f["start_column"].as_u64()),
        (Some(2), Some(6))
    );
}

#[test]
fn stdin_is_one_stream() {
    let key = fake::mediaconvert_live();
    let mut child = credlint()
        .args(["scan", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("token: {key}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["mode"], "stdin");
    assert_eq!(findings(&report)[0]["path"], "<stdin>");
    assert_eq!(findings(&report)[0]["rule_id"], "mediaconvert-live-token");
}

#[test]
fn several_reports_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/a.go",
        format!("var token = \"{}\"\n", fake::github_pat()),
    );
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("r.sarif");
    let jsonl = out.path().join("r.jsonl");
    let output = run_in(
        dir.path(),
        &[
            "scan",
            "--report",
            &format!("sarif={}", sarif.display()),
            "--report",
            &format!("jsonl={}", jsonl.display()),
            "-q",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("critical[github-pat]"));
    assert!(
        !stdout(&output).contains("Scanned"),
        "-q prints findings only"
    );
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "github-pat");
    let lines: Vec<Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "finding");
    assert_eq!(lines[1]["type"], "summary");
    assert_eq!(lines[1]["findings"]["critical"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn walk_scans_hidden_files_respects_gitignore_and_skips_dot_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    write(
        root,
        ".git/config",
        format!("token = {}\n", fake::aws_key_id()),
    );
    write(root, ".gitignore", "build/\n");
    write(
        root,
        "build/out.txt",
        format!("token = {}\n", fake::aws_key_id()),
    );
    write(root, ".env", format!("KEY={}\n", fake::aws_key_id()));
    write(
        root,
        ".github/workflows/ci.yml",
        format!("env:\n  KEY: {}\n", fake::aws_key_id()),
    );
    let (_, report) = scan_json(root, &[]);
    let mut paths: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    assert_eq!(paths, vec![".env", ".github/workflows/ci.yml"]);

    let (_, report) = scan_json(root, &["--no-ignore"]);
    let paths: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert!(paths.contains(&"build/out.txt".to_string()), "{paths:?}");
    assert!(!paths.iter().any(|p| p.starts_with(".git/")));

    let (_, report) = scan_json(root, &["--exclude", ".github"]);
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn files_over_the_size_limit_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = "x".repeat(2048);
    big.push_str(&format!("\nid = {}\n", fake::aws_key_id()));
    write(dir.path(), "big.txt", big);
    let (code, report) = scan_json(dir.path(), &["--max-file-size", "1K"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["skipped"]["too_large"], 1);
    let (code, _) = scan_json(dir.path(), &["--max-file-size", "1M"]);
    assert_eq!(code, 1);
}

#[test]
fn fingerprints_survive_line_moves_and_change_with_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::transcodely_live();
    write(dir.path(), "app.py", format!("KEY = \"{key}\"\n"));
    let (_, first) = scan_json(dir.path(), &[]);
    write(
        dir.path(),
        "app.py",
        format!("import os\n\n\nKEY = \"{key}\"\n"),
    );
    let (_, moved) = scan_json(dir.path(), &[]);
    write(
        dir.path(),
        "app.py",
        format!("KEY = \"{}\"\n", fake::transcodely_live()),
    );
    let (_, changed) = scan_json(dir.path(), &[]);
    let fp = |r: &Value| findings(r)[0]["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fp(&first), fp(&moved));
    assert_ne!(fp(&first), fp(&changed));
}

#[test]
fn a_secret_in_a_client_bundle_is_critical_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake::bearer();
    write(
        dir.path(),
        "dist/main.min.js",
        format!("fetch(u,{{headers:{{Authorization:\"Bearer {token}\"}}}});"),
    );
    let (_, report) = scan_json(dir.path(), &[]);
    let f = &findings(&report)[0];
    assert_eq!(f["rule_id"], "authorization-bearer-literal");
    assert_eq!(f["severity"], "critical");
    assert!(
        f["message"].as_str().unwrap().contains("client bundle"),
        "{f:#}"
    );
}

#[test]
fn inline_allow_comments_and_the_audit_switch() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "t.py",
        format!(
            "a = '{}'  # credlint:allow\nb = '{}'  # gitleaks:allow\nc = '{}'  # credlint:allow github-pat\n",
            fake::aws_key_id(),
            fake::aws_key_id(),
            fake::aws_key_id()
        ),
    );
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(
        findings(&report).len(),
        1,
        "only the line allowed for another rule is reported"
    );
    assert_eq!(findings(&report)[0]["start_line"], 3);
    assert_eq!(report["summary"]["suppressed"]["inline"], 2);
    let (_, audit) = scan_json(dir.path(), &["--no-inline-allow"]);
    assert_eq!(findings(&audit).len(), 3);
}

#[test]
fn terminal_control_characters_in_names_and_content_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let key = fake::aws_key_id();
    write(
        dir.path(),
        "evil\x1b[31m.txt",
        format!("\x1b]0;pwned\x07 id = {key}\n"),
    );
    let output = run_in(dir.path(), &["scan"]);
    let text = stdout(&output);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.contains("evil\\x1b[31m.txt"), "{text}");
}

#[test]
fn rules_command_lists_explains_and_checks() {
    let output = credlint().args(["rules"]).output().unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("transcodely-live-key") && text.contains("critical"),
        "{text}"
    );
    let output = credlint()
        .args(["rules", "transcodely-live-key"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("\nChecklist\n")
            && text.contains("\nWhat to do\n")
            && text.contains("\nExample (reported)\n"),
        "{text}"
    );
    let output = credlint().args(["rules", "no-such-rule"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));

    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.toml",
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
examples = ["k = acme_q7v2m9k4p8sz"]
negative_examples = ["k = acme_xxxxxxxxxxxx"]
"#,
    );
    let output = credlint()
        .args(["rules", "--check"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bad = write(
        dir.path(),
        "bad.toml",
        std::fs::read_to_string(&good)
            .unwrap()
            .replace("acme_q7v2m9k4p8sz", "nope"),
    );
    let output = credlint()
        .args(["rules", "--check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("rule \"acme-key\": field \"examples\""),
        "{}",
        stderr(&output)
    );
}
