//! JUnit XML output, for CI systems that show test reports (Jenkins, GitLab, Azure DevOps,
//! CircleCI): one `<testsuite>` for the scan, one failing `<testcase>` per finding. A case's class
//! is the rule id and its name the place (`path:line:col`, and the commit in history), so a
//! report groups findings by rule; the failure carries severity, title, message, value (redacted
//! unless `--show-secrets`), commit and the fix. Warnings (files that could not be read) go to
//! the suite's `<system-err>`, the summary line to its `<system-out>`.
//!
//! Everything is escaped for XML, including characters XML 1.0 forbids, so any file name or
//! commit message makes a well-formed document.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape::{xml_attribute as attr, xml_text as text};
use super::{human_bytes, Report};
use crate::finding::Finding;
use crate::source::git::iso8601_utc;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary;
    let tests = report.findings.len();
    let time = format!("{:.3}", s.elapsed.as_secs_f64());
    let (started, _) = s.times();
    // JUnit's timestamp has no zone; it is UTC.
    let timestamp = iso8601_utc(started).trim_end_matches('Z').to_string();
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"credlint\" tests=\"{tests}\" failures=\"{tests}\" errors=\"0\" time=\"{time}\">"
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"credlint {}\" tests=\"{tests}\" failures=\"{tests}\" errors=\"0\" skipped=\"0\" time=\"{time}\" timestamp=\"{timestamp}\">",
        s.mode.as_str()
    );
    xml.push_str("    <properties>\n");
    for (name, value) in [
        ("credlint.version", env!("CARGO_PKG_VERSION").to_string()),
        ("mode", s.mode.as_str().to_string()),
        ("files_scanned", s.files_scanned.to_string()),
        ("bytes_scanned", s.bytes_scanned.to_string()),
        ("skipped", s.skipped_total().to_string()),
    ] {
        let _ = writeln!(
            xml,
            "      <property name=\"{name}\" value=\"{}\"/>",
            attr(&value)
        );
    }
    xml.push_str("    </properties>\n");
    for f in report.findings {
        test_case(report, f, &mut xml);
    }
    let _ = writeln!(
        xml,
        "    <system-out>{}</system-out>",
        text(&format!(
            "Scanned {} ({}) in {:.2} s: {} finding(s).",
            s.mode.count(s.files_scanned),
            human_bytes(s.bytes_scanned),
            s.elapsed.as_secs_f64(),
            tests
        ))
    );
    if !s.warnings.is_empty() || !s.notes.is_empty() {
        let mut lines = Vec::new();
        for w in &s.warnings {
            lines.push(match &w.path {
                Some(path) => format!("warning: {path}: {}", w.message),
                None => format!("warning: {}", w.message),
            });
        }
        lines.extend(s.notes.iter().map(|n| format!("note: {n}")));
        let _ = writeln!(
            xml,
            "    <system-err>{}</system-err>",
            text(&lines.join("\n"))
        );
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(xml.as_bytes())
}

fn test_case(report: &Report, f: &Finding, xml: &mut String) {
    let loc = &f.location;
    let mut name = format!("{}:{}:{}", f.path, loc.start_line, loc.start_column);
    if let Some(git) = &f.git {
        let _ = write!(name, " @ {}", &git.commit[..git.commit.len().min(10)]);
    }
    let _ = writeln!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">",
        attr(&name),
        attr(&f.rule_id),
        attr(&f.rel_path),
        loc.start_line
    );
    let mut body = format!(
        "{}\nrule: {} ({} {})\nlocation: {}:{}:{}\nvalue: {}",
        f.message,
        f.rule_id,
        f.severity,
        f.kind.as_str(),
        f.path,
        loc.start_line,
        loc.start_column,
        f.shown_value(report.show_secrets)
    );
    if let Some(git) = &f.git {
        let _ = write!(
            body,
            "\ncommit: {} by {} on {}: {}",
            git.commit, git.author, git.date, git.summary
        );
        if git.in_head == Some(false) {
            body.push_str("\nno longer in HEAD, but still in history: rotate it");
        }
    }
    if let Some(rule) = report.rules.get(&f.rule_id) {
        let _ = write!(body, "\nfix: {}", rule.text().remediation.trim());
    }
    let _ = writeln!(
        xml,
        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
        attr(&format!("{}: {}", f.severity, f.title)),
        f.severity,
        text(&body)
    );
    xml.push_str("    </testcase>\n");
}
