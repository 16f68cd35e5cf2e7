//! The report formats for other tools, each read by a real consumer: JUnit XML by `junitparser`
//! (PyPI), CSV by Python's `csv` module, GitLab's secret-detection report checked against the
//! schema's documented fields (tests/schemas/gitlab-secret-detection-15.json), and the concise
//! one-liners by the pattern editors match. Every format also goes to `--report FORMAT=PATH`,
//! redacts secrets, and is listed by `--help`.
//!
//! The Python comes from `CREDLINT_PYTHON` (.ci/run's virtual environment, which has
//! junitparser) or `python3` on PATH; without it the tests fail under CI (`CI=true`) and skip
//! elsewhere.

mod common;
mod git_support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{
    credlint, fake, findings, python_json, python_with, run_in, scan_json, stderr, stdout,
    unprivileged, write,
};
use git_support::Repo;
use serde_json::Value;

/// Every format name, as `--format` takes them.
const FORMATS: [&str; 9] = [
    "human", "concise", "json", "jsonl", "sarif", "github", "gitlab", "junit", "csv",
];

/// A tree with findings in awkward places: a name with XML and CSV syntax in it, a name that a
/// spreadsheet would run as a formula, and two secrets on one line. Returns the secrets.
fn awkward_tree(dir: &Path) -> Vec<String> {
    let aws = fake::aws_key_id();
    let pat = fake::github_pat();
    let jwt = fake::jwt();
    let live = fake::transcodely_live();
    write(dir, ".env", format!("AWS_ID={aws}\nGITHUB_TOKEN={pat}\n"));
    write(
        dir,
        "src/a,\"b\" & <c>.py",
        format!("token = \"{jwt}\"  # see <docs> & co\n"),
    );
    write(dir, "=HYPERLINK(1).js", format!("k = \"{live}\";\n"));
    vec![aws, pat, jwt, live]
}

fn report_to_file(dir: &Path, args: &[&str], format: &str) -> (std::process::Output, String) {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join(format!("report.{format}"));
    let target = format!("{format}={}", path.display());
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json", "--report", &target]);
    let output = run_in(dir, &all);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no {format} report ({e}): {}", stderr(&output)));
    (output, text)
}

/// `path:line:col` of each finding of a JSON report, sorted, with its rule.
fn places(report: &Value) -> Vec<(String, String)> {
    let mut places: Vec<(String, String)> = findings(report)
        .iter()
        .map(|f| {
            (
                format!(
                    "{}:{}:{}",
                    f["path"].as_str().unwrap(),
                    f["start_line"],
                    f["start_column"]
                ),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    places.sort();
    places
}

const JUNIT_READER: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
from junitparser import JUnitXml, TestSuite
xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
out = []
for suite in suites:
    cases = []
    for case in suite:
        cases.append({
            "name": case.name,
            "classname": case.classname,
            "results": [
                {"kind": type(r).__name__, "type": r.type, "message": r.message, "text": r.text}
                for r in case.result
            ],
        })
    out.append({
        "name": suite.name,
        "tests": suite.tests,
        "failures": suite.failures,
        "errors": suite.errors,
        "timestamp": suite.timestamp,
        "properties": {p.name: p.value for p in suite.properties()},
        "cases": cases,
    })
root = ET.parse(sys.argv[1]).getroot()
err = root.find("testsuite/system-err")
print(json.dumps({"suites": out, "system_err": err.text if err is not None else None}))
"#;

fn junit_read(python: &Path, text: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    std::fs::write(&path, text).unwrap();
    python_json(python, JUNIT_READER, &[&path])
}

#[test]
fn junit_is_read_by_junitparser_one_failing_case_per_finding() {
    let Some(python) = python_with("junitparser") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let secrets = awkward_tree(dir.path());
    let (output, xml) = report_to_file(dir.path(), &["scan"], "junit");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for secret in &secrets {
        assert!(
            !xml.contains(secret.as_str()),
            "JUnit printed a secret:\n{xml}"
        );
    }

    let parsed = junit_read(&python, &xml);
    let suites = parsed["suites"].as_array().unwrap();
    assert_eq!(suites.len(), 1, "{parsed:#}");
    let suite = &suites[0];
    let expected = places(&report);
    assert_eq!(suite["tests"], expected.len(), "{parsed:#}");
    assert_eq!(suite["failures"], expected.len());
    assert_eq!(suite["errors"], 0);
    assert_eq!(suite["properties"]["mode"], "directory");
    assert!(
        suite["timestamp"].as_str().unwrap().len() == 19,
        "{parsed:#}"
    );
    let mut cases: Vec<(String, String)> = suite["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["classname"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    cases.sort();
    assert_eq!(
        cases, expected,
        "one case per finding: name path:line:col, class the rule"
    );
    assert!(cases
        .iter()
        .any(|(name, _)| name.starts_with("src/a,\"b\" & <c>.py:1:")));

    for case in suite["cases"].as_array().unwrap() {
        let finding = findings(&report)
            .into_iter()
            .find(|f| f["rule_id"] == case["classname"])
            .unwrap();
        let results = case["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "{case:#}");
        let failure = &results[0];
        assert_eq!(failure["kind"], "Failure");
        assert_eq!(failure["type"], finding["severity"]);
        assert_eq!(
            failure["message"],
            format!(
                "{}: {}",
                finding["severity"].as_str().unwrap(),
                finding["title"].as_str().unwrap()
            )
        );
        let text = failure["text"].as_str().unwrap();
        assert!(
            text.contains(&format!("value: {}", finding["value"].as_str().unwrap()))
                && text.contains("\nfix: "),
            "{text}"
        );
    }

    // With --show-secrets the failure says what was found.
    let (_, xml) = report_to_file(dir.path(), &["scan", "--show-secrets"], "junit");
    let parsed = junit_read(&python, &xml);
    let texts: String = parsed["suites"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["results"][0]["text"].as_str().unwrap().to_string())
        .collect();
    for secret in &secrets {
        assert!(texts.contains(secret.as_str()), "{secret} not in {texts}");
    }
}

#[test]
fn junit_of_git_history_names_the_commit_and_survives_hostile_text() {
    let Some(python) = python_with("junitparser") else {
        return;
    };
    let repo = Repo::new();
    let key = fake::aws_key_id();
    repo.write("deploy/app.ini", format!("aws_access_key_id = {key}\n"));
    let commit = repo.commit_all("Add <config> & \"keys\" \x1b[31m]]>");
    let output = credlint()
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["git", "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let xml = stdout(&output);
    assert!(!xml.contains(&key) && !xml.contains('\x1b'), "{xml}");
    let parsed = junit_read(&python, &xml);
    let case = &parsed["suites"][0]["cases"][0];
    assert_eq!(case["classname"], "aws-access-key-id");
    assert_eq!(
        case["name"],
        format!("deploy/app.ini:1:21 @ {}", &commit[..10]),
        "{parsed:#}"
    );
    let text = case["results"][0]["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("commit: {commit} by "))
            && text.contains("Add <config> & \"keys\" \\x1b[31m]]>"),
        "{text}"
    );

    // An empty history is a valid report with no case.
    let empty = Repo::new();
    empty.write("README", "nothing\n");
    empty.commit_all("Init");
    let output = credlint()
        .current_dir(empty.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["git", "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let parsed = junit_read(&python, &stdout(&output));
    assert_eq!(parsed["suites"][0]["tests"], 0);
    assert_eq!(parsed["suites"][0]["cases"], Value::Array(vec![]));
}

#[test]
fn junit_and_gitlab_carry_the_warnings_of_an_incomplete_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(
        dir.path(),
        "a.env",
        format!("AWS_ID={}\n", fake::aws_key_id()),
    );
    let locked = write(dir.path(), "locked.txt", "x\n");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let run = |format: &str| {
        let mut command = credlint();
        command
            .current_dir(dir.path())
            .args(["scan", "--fail-on", "none", "--format", format]);
        unprivileged(command).output().unwrap()
    };

    let output = run("gitlab");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(gitlab_errors(&report), Vec::<String>::new());
    assert_eq!(report["scan"]["status"], "failure", "{report:#}");
    assert_eq!(
        report["scan"]["messages"],
        serde_json::json!([{"level": "warn", "value": "locked.txt: could not read: permission denied"}])
    );
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), 1);

    let output = run("junit");
    assert_eq!(output.status.code(), Some(2));
    if let Some(python) = python_with("junitparser") {
        let parsed = junit_read(&python, &stdout(&output));
        assert_eq!(parsed["suites"][0]["tests"], 1);
        assert_eq!(
            parsed["system_err"],
            "warning: locked.txt: could not read: permission denied"
        );
    }
}

const CSV_READER: &str = r#"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.reader(f, strict=True)
    rows = list(reader)
print(json.dumps({"header": rows[0], "rows": [dict(zip(rows[0], r)) for r in rows[1:]], "widths": [len(r) for r in rows]}))
"#;

#[test]
fn csv_is_read_by_pythons_csv_module_with_a_header_row() {
    let Some(python) = python_with("csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let secrets = awkward_tree(dir.path());
    let (output, text) = report_to_file(dir.path(), &["scan"], "csv");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "CSV printed a secret:\n{text}"
        );
    }
    assert!(text.ends_with("\r\n") && text.lines().count() == findings(&report).len() + 1);

    let file = dir.path().join("out.csv");
    std::fs::write(&file, &text).unwrap();
    let parsed = python_json(&python, CSV_READER, &[&file]);
    let header: Vec<&str> = parsed["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(
        header,
        [
            "rule_id",
            "severity",
            "kind",
            "title",
            "path",
            "repo_path",
            "start_line",
            "start_column",
            "end_line",
            "end_column",
            "value",
            "value_redacted",
            "fingerprint",
            "commit",
            "author",
            "date",
            "commit_summary",
            "in_head",
            "message"
        ]
    );
    assert!(
        parsed["widths"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| *w == header.len()),
        "every row has every column: {parsed:#}"
    );
    let rows = parsed["rows"].as_array().unwrap();
    assert_eq!(rows.len(), findings(&report).len());
    for (row, finding) in rows.iter().zip(findings(&report)) {
        for (column, field) in [
            ("rule_id", "rule_id"),
            ("severity", "severity"),
            ("title", "title"),
            ("fingerprint", "fingerprint"),
            ("message", "message"),
        ] {
            assert_eq!(row[column], finding[field], "{column}: {row:#}");
        }
        for column in ["start_line", "start_column", "end_line", "end_column"] {
            assert_eq!(row[column], finding[column].to_string(), "{column}");
        }
        assert_eq!(row["value_redacted"], "true");
        assert_eq!(row["commit"], "");
        // A name a spreadsheet would run as a formula is kept as text.
        let path = finding["path"].as_str().unwrap();
        let expected = if path.starts_with('=') {
            format!("'{path}")
        } else {
            path.to_string()
        };
        assert_eq!(row["path"], expected);
        assert_eq!(row["value"], finding["value"]);
    }
    assert!(rows.iter().any(|r| r["path"] == "src/a,\"b\" & <c>.py"));
    assert!(rows.iter().any(|r| r["path"] == "'=HYPERLINK(1).js"));

    // --show-secrets puts the values in.
    let (_, text) = report_to_file(dir.path(), &["scan", "--show-secrets"], "csv");
    std::fs::write(&file, &text).unwrap();
    let parsed = python_json(&python, CSV_READER, &[&file]);
    let mut values: Vec<String> = parsed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap().to_string())
        .collect();
    values.sort();
    let mut expected = secrets.clone();
    expected.sort();
    assert_eq!(values, expected);
}

#[test]
fn csv_of_git_history_has_the_commit_columns() {
    let Some(python) = python_with("csv") else {
        return;
    };
    let repo = Repo::new();
    repo.write("app.env", format!("AWS_ID={}\n", fake::aws_key_id()));
    let commit = repo.commit_all("=1+1, \"quoted\"");
    repo.remove("app.env");
    repo.commit_all("Remove it");
    let output = credlint()
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["git", "--format", "csv"])
        .output()
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("out.csv");
    std::fs::write(&file, stdout(&output)).unwrap();
    let parsed = python_json(&python, CSV_READER, &[&file]);
    let row = &parsed["rows"][0];
    assert_eq!(row["commit"], commit);
    assert_eq!(row["author"], git_support::AUTHOR);
    assert_eq!(row["commit_summary"], "'=1+1, \"quoted\"");
    assert_eq!(row["in_head"], "false");
    assert!(row["date"].as_str().unwrap().ends_with('Z'));
}

fn gitlab_errors(report: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/gitlab-secret-detection-15.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn gitlab_report_has_the_documented_secret_detection_fields_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = awkward_tree(dir.path());
    let (output, text) = report_to_file(dir.path(), &["scan", "--show-secrets"], "gitlab");
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "the GitLab report never holds a secret, even with --show-secrets"
        );
    }
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(gitlab_errors(&report), Vec::<String>::new(), "{report:#}");
    let mut broken = report.clone();
    broken["vulnerabilities"][0]["severity"] = Value::from("Urgent");
    broken["scan"]["type"] = Value::from("sast");
    assert_eq!(
        gitlab_errors(&broken).len(),
        2,
        "the schema catches mistakes"
    );

    assert_eq!(report["version"], "15.0.0");
    let scan = &report["scan"];
    assert_eq!(scan["type"], "secret_detection");
    assert_eq!(scan["status"], "success");
    assert_eq!(scan["analyzer"]["id"], "credlint");
    assert_eq!(scan["scanner"]["name"], "credlint");
    assert!(scan["start_time"].as_str().unwrap() <= scan["end_time"].as_str().unwrap());

    let vulnerabilities = report["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulnerabilities.len(), findings(&json).len());
    let mut ids: Vec<&str> = vulnerabilities
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), vulnerabilities.len(), "ids are unique");
    for (v, f) in vulnerabilities.iter().zip(findings(&json)) {
        assert_eq!(v["name"], f["title"]);
        let severity = f["severity"].as_str().unwrap();
        assert_eq!(
            v["severity"].as_str().unwrap().to_ascii_lowercase(),
            severity
        );
        assert_eq!(v["location"]["file"], f["repo_path"]);
        assert_eq!(v["location"]["start_line"], f["start_line"]);
        assert_eq!(v["location"]["commit"]["sha"], "0000000");
        let primary = &v["identifiers"][0];
        assert_eq!(primary["type"], "credlint_rule_id");
        assert_eq!(primary["value"], f["rule_id"]);
        assert!(primary["url"].as_str().unwrap().ends_with(&format!(
            "/docs/rules.md#{}",
            f["rule_id"].as_str().unwrap()
        )));
        assert_eq!(v["identifiers"][1]["name"], "CWE-798");
        assert!(v["solution"].as_str().unwrap().len() > 10);
    }

    // The same run twice gives the same ids (GitLab tracks vulnerabilities across pipelines).
    let (_, again) = report_to_file(dir.path(), &["scan"], "gitlab");
    let again: Value = serde_json::from_str(&again).unwrap();
    let ids_again: Vec<&Value> = again["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["id"])
        .collect();
    let ids_first: Vec<&Value> = vulnerabilities.iter().map(|v| &v["id"]).collect();
    assert_eq!(ids_first, ids_again);
}

#[test]
fn gitlab_report_of_git_history_locates_the_commit() {
    let repo = Repo::new();
    let key = fake::aws_key_id();
    repo.write("config/prod.env", format!("AWS_ID={key}\n"));
    let commit = repo.commit_all("Add prod config");
    let output = credlint()
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["git", "--format", "gitlab"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!stdout(&output).contains(&key));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(gitlab_errors(&report), Vec::<String>::new(), "{report:#}");
    let location = &report["vulnerabilities"][0]["location"];
    assert_eq!(location["file"], "config/prod.env");
    assert_eq!(location["start_line"], 1);
    assert_eq!(location["commit"]["sha"], commit);
    assert_eq!(location["commit"]["author"], git_support::AUTHOR);
    assert_eq!(location["commit"]["message"], "Add prod config");
}

/// `path:line:col: severity[rule-id] title`, as a problem matcher would read it.
fn concise_line(line: &str) -> Option<(String, String, String, String)> {
    let (place, rest) = line.split_once(": ")?;
    let (severity, rest) = rest.split_once('[')?;
    let (rule, title) = rest.split_once("] ")?;
    let mut parts = place.rsplitn(3, ':');
    let (col, line_no) = (parts.next()?, parts.next()?);
    let path = parts.next()?;
    col.parse::<u64>().ok()?;
    line_no.parse::<u64>().ok()?;
    Some((
        format!("{path}:{line_no}:{col}"),
        severity.to_string(),
        rule.to_string(),
        title.to_string(),
    ))
}

#[test]
fn concise_is_one_line_per_finding_then_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = awkward_tree(dir.path());
    let (_, report) = scan_json(dir.path(), &[]);
    let output = run_in(dir.path(), &["scan", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()));
    }
    let (lines, summary) = text
        .split_once("\n\n")
        .expect("a blank line before the summary");
    let mut parsed: Vec<(String, String)> = Vec::new();
    for (line, finding) in lines.lines().zip(findings(&report)) {
        let (place, severity, rule, title) =
            concise_line(line).unwrap_or_else(|| panic!("not a concise line: {line:?}"));
        assert_eq!(severity, finding["severity"].as_str().unwrap());
        assert_eq!(title, finding["title"].as_str().unwrap());
        parsed.push((place, rule));
    }
    parsed.sort();
    assert_eq!(parsed, places(&report));
    assert!(summary.contains("findings:"), "{summary}");

    let quiet = stdout(&run_in(dir.path(), &["scan", "--format", "concise", "-q"]));
    assert_eq!(quiet, format!("{lines}\n"), "-q: the findings only");
}

#[test]
fn concise_lines_of_git_history_end_with_the_commit() {
    let repo = Repo::new();
    repo.write("k.env", format!("AWS_ID={}\n", fake::aws_key_id()));
    let commit = repo.commit_all("Key");
    let output = credlint()
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["git", "--format", "concise", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        format!(
            "k.env:1:8: high[aws-access-key-id] AWS access key ID (commit {})\n",
            &commit[..10]
        )
    );
}

#[test]
fn every_format_goes_to_a_report_file_as_to_stdout_and_redacts() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = awkward_tree(dir.path());
    for format in FORMATS {
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("report");
        let target = format!("{format}={}", path.display());
        let output = run_in(
            dir.path(),
            &["scan", "--format", format, "--report", &target],
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&output)
        );
        let file = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            file,
            stdout(&output),
            "{format}: the file is what stdout shows"
        );
        for secret in &secrets {
            assert!(!file.contains(secret.as_str()), "{format} printed a secret");
        }
    }
    let output = run_in(dir.path(), &["scan", "--report", "xml=out.xml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("expected one of: human, concise"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn scan_help_lists_every_format_value() {
    for command in ["scan", "git", "staged"] {
        let output = credlint().args([command, "--help"]).output().unwrap();
        let help = stdout(&output);
        let section = &help[help.find("--format").unwrap()..help.find("--report").unwrap()];
        for format in FORMATS {
            assert!(
                section.contains(&format!("- {format}:")),
                "{command} --help does not list {format}:\n{section}"
            );
        }
    }
}

#[test]
fn the_readme_documents_every_format() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("\n## Output formats\n").unwrap()..];
    let section = &section[..section.find("\n### JSON fields").unwrap()];
    for format in FORMATS {
        assert!(
            section.contains(&format!("\n- **{format}**: ")),
            "README's Output formats does not describe {format}"
        );
    }
}
