//! The configuration file end to end: what it changes, where it is found, how its mistakes are
//! reported (file, line, key; exit 2; nothing scanned), `credlint config --check` and the JSON
//! schema shipped for editors.

mod common;

use common::{credlint, fake, findings, run_in, scan_json, stderr, stdout, write};
use serde_json::Value;

fn rules_and_severities(report: &Value) -> Vec<(String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A rule of the user's own, with examples that its full check runs.
const ACME_RULE: &str = r#"
[[rule]]
id = "acme-api-key"
title = "Acme API key"
kind = "secret"
severity = "high"
keywords = ["acme_"]
regex = '''\b(acme_[a-z0-9]{24})\b'''
secret_group = 1
remediation = "Revoke it in the Acme console."
checklist = "Acme keys stay out of the repository."
examples = [{ text = 'ACME_KEY = "acme_q7v2m9k4p8sz3x6w1n5b0c8d"', secret = "acme_q7v2m9k4p8sz3x6w1n5b0c8d" }]
negative_examples = ['ACME_KEY = os.environ["ACME_API_KEY"]']
"#;

fn acme_key() -> String {
    format!(
        "acme_{}",
        fake::from(b"abcdefghijklmnopqrstuvwxyz0123456789", 24)
    )
}

#[test]
fn the_configuration_disables_re_rates_and_adds_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        format!(
            "[rules]\ndisable = [\"aws-access-key-id\"]\n\n[rules.severity]\ngithub-pat = \"low\"\n{ACME_RULE}"
        ),
    );
    write(
        dir.path(),
        "src/app.py",
        format!(
            "ID = \"{}\"\nTOKEN = \"{}\"\nACME = \"{}\"\n",
            fake::aws_key_id(),
            fake::github_pat(),
            acme_key()
        ),
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_and_severities(&report),
        vec![
            ("github-pat".to_string(), "low".to_string()),
            ("acme-api-key".to_string(), "high".to_string()),
        ],
        "{report:#}"
    );
    // The configuration's own rule examples are not reported in the configuration file,
    // whether it was found or named.
    assert!(findings(&report)
        .iter()
        .all(|f| f["path"] != ".credlint.toml"));
    let (_, named) = scan_json(dir.path(), &["--config", ".credlint.toml"]);
    assert_eq!(findings(&named).len(), 2, "{named:#}");
    // The example's text and expected secret sit on one line: one finding, suppressed.
    assert_eq!(named["summary"]["suppressed"]["allowlist"], 1);

    // SARIF describes the rules that ran: the added one, not the disabled one.
    let output = run_in(dir.path(), &["scan", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"acme-api-key"), "{ids:?}");
    assert!(!ids.contains(&"aws-access-key-id"), "{ids:?}");
    assert_eq!(common::sarif_errors(&sarif), Vec::<String>::new());

    let (_, everything) = scan_json(dir.path(), &["--no-config"]);
    assert_eq!(
        rules_and_severities(&everything),
        vec![
            ("aws-access-key-id".to_string(), "high".to_string()),
            ("github-pat".to_string(), "critical".to_string()),
        ]
    );
}

#[test]
fn scan_options_come_from_the_configuration_and_command_line_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        "[scan]\nmax_file_size = \"1K\"\nexclude = [\"vendor/\"]\nfail_on = \"critical\"\n",
    );
    let mut big = "x".repeat(2048);
    big.push_str(&format!("\nid = {}\n", fake::aws_key_id()));
    write(dir.path(), "big.txt", big);
    write(
        dir.path(),
        "vendor/lib.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    write(
        dir.path(),
        "k.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );

    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "a high finding is below the configured fail_on");
    let paths: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec!["k.txt"], "{report:#}");
    assert_eq!(report["summary"]["skipped"]["too_large"], 1);

    let (code, _) = scan_json(dir.path(), &["--fail-on", "high"]);
    assert_eq!(code, 1);
    let (_, report) = scan_json(dir.path(), &["--max-file-size", "1M"]);
    assert_eq!(findings(&report).len(), 2, "{report:#}");
    assert!(report["summary"]["skipped"].get("too_large").is_none());
    let (_, report) = scan_json(dir.path(), &["--exclude", "k.txt"]);
    assert_eq!(
        findings(&report).len(),
        0,
        "--exclude adds to the configuration's excludes: {report:#}"
    );
}

#[test]
fn the_configuration_is_found_at_the_repository_root_or_named_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        &repo,
        ".credlint.toml",
        "[rules]\ndisable = [\"aws-access-key-id\"]\n",
    );
    write(
        &repo,
        "src/a.py",
        format!("ID = \"{}\"\n", fake::aws_key_id()),
    );

    for (cwd, path) in [
        (repo.as_path(), "src"),
        (repo.join("src").as_path(), "."),
        (dir.path(), "repo/src"),
    ] {
        let (code, report) = scan_json(cwd, &[path]);
        assert_eq!(
            (code, findings(&report).len()),
            (0, 0),
            "scanning {path} from {}: {report:#}",
            cwd.display()
        );
    }
    let (code, _) = scan_json(&repo, &["--no-config"]);
    assert_eq!(code, 1);

    let other = write(dir.path(), "strict.toml", "[scan]\nfail_on = \"none\"\n");
    let (code, report) = scan_json(&repo, &["--config", other.to_str().unwrap()]);
    assert_eq!(
        (code, findings(&report).len()),
        (0, 1),
        "--config replaces the found file"
    );

    // Two projects, one with a configuration: which applies is not guessed.
    write(dir.path(), "elsewhere/b.py", "nothing\n");
    let output = run_in(dir.path(), &["scan", "repo", "elsewhere"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the paths are in different projects and repo/.credlint.toml applies to only some of them"),
        "{}",
        stderr(&output)
    );
    let output = run_in(dir.path(), &["scan", "repo", "elsewhere", "--no-config"]);
    assert_eq!(output.status.code(), Some(1));
}

/// Every kind of mistake: (configuration text, the error line expected on stderr).
const BAD_CONFIGS: &[(&str, &str)] = &[
    ("[scan\n", ".credlint.toml:1: unclosed table, expected `]`"),
    (
        "colour = true\n",
        ".credlint.toml:1: colour: unknown key `colour`, expected one of `scan`, `rules`, `allowlist`, `rule`",
    ),
    (
        "[scan]\nfail_on = \"high\"\nexclud = [\"vendor/\"]\n",
        ".credlint.toml:3: scan.exclud: unknown key `exclud`, expected one of `max_file_size`, `max_findings_per_file`, `max_archive_depth`, `exclude`, `fail_on`, `baseline`",
    ),
    (
        "[[allowlist]]\npath = [\"tests/**\"]\n",
        ".credlint.toml:2: allowlist.path: unknown key `path`, expected one of `description`, `rules`, `paths`, `secrets`, `lines`, `stopwords`",
    ),
    (
        "[rules]\nenable = [\"jwt\"]\n",
        ".credlint.toml:2: rules.enable: unknown key `enable`, expected one of `select`, `disable`, `severity`",
    ),
    (
        "[[rule]]\nid = \"x\"\ntitel = \"typo\"\n",
        ".credlint.toml:3: rule.titel: unknown key `titel`",
    ),
    (
        "[scan]\nexclude = \"vendor/\"\n",
        ".credlint.toml:2: scan.exclude: invalid type: string \"vendor/\", expected a sequence",
    ),
    (
        "rules = 5\n",
        ".credlint.toml:1: rules: invalid type: integer `5`, expected a table",
    ),
    (
        "[rules.severity]\ngithub-pat = \"urgent\"\n",
        ".credlint.toml:2: rules.severity.github-pat: unknown variant `urgent`, expected one of `info`, `low`, `medium`, `high`, `critical`",
    ),
    (
        "[scan]\nfail_on = \"sometimes\"\n",
        ".credlint.toml:2: scan.fail_on: unknown severity \"sometimes\"; expected critical, high, medium, low, info or none",
    ),
    (
        "[scan]\nmax_file_size = \"ten\"\n",
        ".credlint.toml:2: scan.max_file_size: \"ten\" is not a size (e.g. 500K, 64M, 1G)",
    ),
    (
        "[scan]\nmax_file_size = -5\n",
        ".credlint.toml:2: scan.max_file_size: -5 is not a size",
    ),
    (
        "[scan]\nexclude = [\"ok/\", \"gen/**/x{\"]\n",
        ".credlint.toml:2: scan.exclude: bad pattern \"gen/**/x{\"",
    ),
    (
        "[rules]\ndisable = [\"jwt\", \"no-such-rule\"]\n",
        ".credlint.toml:2: rules.disable: no rule or category \"no-such-rule\" (`credlint rules` lists the rules and their categories)",
    ),
    (
        "[rules.severity]\nno-such-rule = \"low\"\n",
        ".credlint.toml:2: rules.severity.no-such-rule: no rule \"no-such-rule\"",
    ),
    (
        "[rules]\ndisable = [\"jwt\"]\nseverity = { jwt = \"low\" }\n",
        ".credlint.toml:3: rules.severity.jwt: rule \"jwt\" is disabled in rules.disable",
    ),
    (
        "[[allowlist]]\nrules = [\"no-such-rule\"]\npaths = [\"a/**\"]\n",
        ".credlint.toml:2: allowlist.rules: no rule \"no-such-rule\"",
    ),
    (
        "[[allowlist]]\npaths = [\n  \"ok/**\",\n  \"tests/[\",\n]\n",
        ".credlint.toml:4: allowlist.paths: bad glob \"tests/[\": unclosed character class; missing ']'",
    ),
    (
        "[[allowlist]]\nsecrets = ['''(unclosed''']\n",
        ".credlint.toml:2: allowlist.secrets: bad regex \"(unclosed\": unclosed group",
    ),
    (
        "[[allowlist]]\nlines = ['''x{2''']\n",
        ".credlint.toml:2: allowlist.lines: bad regex \"x{2\": unclosed counted repetition",
    ),
    (
        "[[allowlist]]\nstopwords = [\"ab\"]\n",
        ".credlint.toml:2: allowlist.stopwords: \"ab\": stopwords must be ASCII and at least 3 characters long",
    ),
    (
        "\n[[allowlist]]\nrules = [\"jwt\"]\n",
        ".credlint.toml:2: allowlist: an allowlist needs at least one of paths, secrets, lines or stopwords",
    ),
    (
        "[[rule]]\nid = \"acme-key\"\ntitle = \"Acme\"\nkind = \"secret\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nregex = '''acme_[a-z0-9]{12}'''\nremediation = \"r\"\nexamples = [\"acme_k7zvw2mrtbx9\"]\nnegative_examples = [\"x\"]\n",
        ".credlint.toml:1: rule \"acme-key\": field \"checklist\": is required and must not be empty",
    ),
    (
        "[[rule]]\nid = \"acme-key\"\ntitle = \"Acme\"\nkind = \"secret\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nregex = '''acme_[a-z]{12'''\nremediation = \"r\"\nchecklist = \"c\"\nexamples = [\"acme_k7zvw2mrtbx9\"]\nnegative_examples = [\"x\"]\n",
        ".credlint.toml:7: rule \"acme-key\": field \"regex\": unclosed counted repetition",
    ),
    (
        "[[rule]]\nid = \"acme-key\"\ntitle = \"Acme\"\nkind = \"secret\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nregex = '''acme_[a-z0-9]{12}'''\nremediation = \"r\"\nchecklist = \"c\"\nexamples = [\"acme_short\"]\nnegative_examples = [\"x\"]\n",
        ".credlint.toml:10: rule \"acme-key\": field \"examples\": example 1 (\"acme_short\") is not matched on its own",
    ),
    (
        "[[rule]]\nid = \"acme-key\"\ntitle = \"Acme\"\nkind = \"secret\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nregex = '''acme_[a-z0-9]{12}'''\nremediation = \"r\"\nchecklist = \"c\"\nexamples = [\"acme_k7zvw2mrtbx9\"]\nnegative_examples = [\"acme_m4nbq8rtzx3w\"]\n",
        ".credlint.toml:11: rule \"acme-key\": field \"negative_examples\": negative example 1 (\"acme_m4nbq8rtzx3w\") is matched on its own",
    ),
    (
        "[[rule]]\nid = \"jwt\"\ntitle = \"Mine\"\nkind = \"secret\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nregex = '''acme_[a-z0-9]{12}'''\nremediation = \"r\"\nchecklist = \"c\"\nexamples = [\"acme_k7zvw2mrtbx9\"]\nnegative_examples = [\"x\"]\n",
        ".credlint.toml:2: rule \"jwt\": field \"id\": duplicate rule id",
    ),
];

#[test]
fn every_kind_of_configuration_error_names_the_file_line_and_key_and_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    for (text, expected) in BAD_CONFIGS {
        write(dir.path(), ".credlint.toml", text);
        for command in [&["scan"][..], &["config", "--check"], &["baseline"]] {
            let output = run_in(dir.path(), command);
            let errors = stderr(&output);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command:?} with {text:?}: {errors}"
            );
            assert!(
                errors.starts_with(&format!("credlint: error: {expected}")),
                "{command:?} with {text:?}:\n  expected: {expected}\n  got:      {errors}"
            );
            assert_eq!(stdout(&output), "", "nothing is scanned or printed");
        }
    }
}

#[test]
fn all_the_mistakes_of_a_file_are_reported_at_once_in_line_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".credlint.toml",
        "[scan]\nfail_on = \"sometimes\"\n\n[rules]\ndisable = [\"no-such-rule\"]\n\n[[allowlist]]\npaths = [\"tests/[\"]\nsecrets = [\"(\"]\n",
    );
    let output = run_in(dir.path(), &["config", "--check"]);
    assert_eq!(output.status.code(), Some(2));
    let locations: Vec<String> = stderr(&output)
        .lines()
        .map(|l| l.split(": ").take(3).collect::<Vec<_>>().join(": "))
        .collect();
    assert_eq!(
        locations,
        [2, 5, 8, 9]
            .iter()
            .map(|line| format!("credlint: error: .credlint.toml:{line}"))
            .collect::<Vec<_>>(),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_missing_configuration_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(dir.path(), &["scan", "--config", "nope.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "credlint: error: nope.toml: cannot read the configuration: no such file\n"
    );
    let output = run_in(dir.path(), &["config", "--check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no .credlint.toml in"),
        "{}",
        stderr(&output)
    );
}

/// The complete example of README.md's "Configuration" section.
fn readme_example() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let marker = readme
        .find("<!-- The test suite checks this example")
        .expect("README marks its configuration example");
    let start = readme[marker..].find("```toml\n").unwrap() + marker + "```toml\n".len();
    let end = readme[start..].find("```").unwrap() + start;
    readme[start..end].to_string()
}

#[test]
fn config_check_accepts_the_readme_example_and_reads_its_baseline() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".credlint.toml", readme_example());
    let output = run_in(dir.path(), &["config", "--check"]);
    assert_eq!(output.status.code(), Some(2), "the baseline is missing");
    assert!(
        stderr(&output).contains("scan.baseline: cannot read the baseline .credlint-baseline.json: no such file; create it with `credlint baseline --output .credlint-baseline.json`"),
        "{}",
        stderr(&output)
    );
    let output = run_in(dir.path(), &["baseline", "-o", ".credlint-baseline.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = run_in(dir.path(), &["config", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        ".credlint.toml: OK: 1 rule(s) added (every example passes), 1 disabled, 2 severity change(s), 4 allowlist(s).\n"
    );
    // An explicit path, from elsewhere.
    let output = credlint()
        .args(["config", "--check"])
        .arg(dir.path().join(".credlint.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

fn schema_validator() -> jsonschema::Validator {
    let output = credlint().args(["config", "--schema"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/credlint.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(printed, shipped, "--schema prints the shipped schema");
    jsonschema::validator_for(&shipped).expect("the schema compiles")
}

fn as_json(toml_text: &str) -> Value {
    toml::from_str(toml_text).expect("valid TOML")
}

#[test]
fn the_json_schema_accepts_the_readme_example_and_rejects_mistakes() {
    let validator = schema_validator();
    let example = as_json(&readme_example());
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    let mut acme = as_json(ACME_RULE);
    assert!(validator.is_valid(&acme), "a rule of the documented format");
    acme["rule"][0]
        .as_object_mut()
        .unwrap()
        .remove("negative_examples");
    assert!(
        !validator.is_valid(&acme),
        "a rule without negative examples"
    );

    for bad in [
        "colour = true",
        "[scan]\nexclud = [\"x\"]",
        "[scan]\nfail_on = \"urgent\"",
        "[scan]\nmax_file_size = \"lots\"",
        "[rules.severity]\njwt = \"urgent\"",
        "[[allowlist]]\nrules = [\"jwt\"]",
        "[[allowlist]]\npath = [\"x\"]",
        "[[allowlist]]\nstopwords = [\"ab\"]",
        "[rules]\nselect = \"cloud\"",
        "[rules]\nselect = [\"cloud ai\"]",
        "[rules]\nignore = [\"cloud\"]",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "accepted: {bad}");
    }
    for good in [
        "",
        "[scan]\nmax_file_size = 1048576",
        "[scan]\nmax_file_size = \"64MiB\"\nfail_on = \"none\"",
        "[[allowlist]]\nlines = [\"x\"]",
        "[rules]\nselect = [\"cloud\", \"jwt\"]\ndisable = [\"ai\", \"aws-access-key-id\"]",
    ] {
        assert!(validator.is_valid(&as_json(good)), "rejected: {good}");
    }
}

#[test]
fn the_readme_example_configuration_works_on_a_real_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".credlint.toml", readme_example());
    let demo_live = format!("{}demo{}", &fake::transcodely_live()[..12], fake::alnum(24));
    write(
        root,
        "tests/fixtures/aws.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    write(root, "docs/api.md", format!("key: {demo_live}\n"));
    write(root, "src/jwt.txt", format!("t = {}\n", fake::jwt()));
    write(
        root,
        "src/notes.py",
        format!("# example: ID = \"{}\"\n", fake::aws_key_id()),
    );
    write(
        root,
        "src/acme.py",
        format!(
            "A = \"{}\"\nB = \"acme_sandbox{}\"\n",
            acme_key(),
            fake::from(b"abcdefghijklmnopqrstuvwxyz0123456789", 17)
        ),
    );
    write(
        root,
        "src/aws.py",
        format!("ID = \"{}\"\n", fake::aws_key_id()),
    );
    write(
        root,
        "vendor/x.txt",
        format!("id = {}\n", fake::aws_key_id()),
    );
    let output = run_in(
        root,
        &["baseline", "-o", ".credlint-baseline.json", "--no-baseline"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let baseline = std::fs::read_to_string(root.join(".credlint-baseline.json")).unwrap();
    let (code, report) = scan_json(root, &["--no-baseline"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        rules_and_severities(&report),
        vec![
            ("acme-api-key".to_string(), "high".to_string()),
            ("aws-access-key-id".to_string(), "critical".to_string()),
        ],
        "{report:#}"
    );
    // Fixtures, the docs key, the example line, the sandbox key, and the configuration's own
    // rule example (its text and its expected secret, one finding: the same value twice on a
    // line is reported once).
    assert_eq!(
        report["summary"]["suppressed"]["allowlist"], 5,
        "{report:#}"
    );
    assert_eq!(baseline.lines().count(), 5, "{baseline}");
    let (code, report) = scan_json(root, &[]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report:#}");
    assert_eq!(report["summary"]["suppressed"]["baseline"], 2);
}

#[test]
fn config_check_takes_a_path_and_the_schema_is_printed_for_editors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "team.toml", "[scan]\nfail_on = \"medium\"\n");
    let output = credlint()
        .current_dir(dir.path())
        .args(["config", "--check", "team.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("team.toml: OK"));
    std::fs::write(&path, "[scan]\nfail_on = \"mid\"\n").unwrap();
    let output = credlint()
        .current_dir(dir.path())
        .args(["config", "--check", "team.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("team.toml:2: scan.fail_on: unknown severity \"mid\""));
    let output = credlint().args(["config"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "config needs --check or --schema"
    );
}
