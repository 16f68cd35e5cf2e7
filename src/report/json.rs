//! JSON and JSON Lines output. The field names are a stable interface, documented in README
//! ("JSON output"); add fields, never rename or remove them.

use std::io::{self, Write};

use serde::Serialize;

use super::{count_by_severity, Report, Summary};
use crate::finding::Finding;

#[derive(Serialize)]
struct JsonReport<'a> {
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

const TOOL: Tool = Tool {
    name: "credlint",
    version: env!("CARGO_PKG_VERSION"),
};

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    rule_id: &'a str,
    title: &'a str,
    kind: &'static str,
    severity: &'static str,
    message: &'a str,
    path: &'a str,
    repo_path: &'a str,
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    /// The matched value: redacted unless `--show-secrets` (lint matches are never secret).
    value: &'a str,
    value_redacted: bool,
    /// The finding's first line, with the value as in `value`.
    line: String,
    fingerprint: &'a str,
    notes: &'a [String],
    git: Option<JsonGit<'a>>,
    /// Inside an archive: the member's path in the archive file (`path` ends in `!` and it).
    archive_member: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonGit<'a> {
    commit: &'a str,
    author: &'a str,
    date: &'a str,
    summary: &'a str,
    in_head: Option<bool>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    mode: &'static str,
    files_scanned: u64,
    bytes_scanned: u64,
    skipped: std::collections::BTreeMap<&'static str, u64>,
    elapsed_ms: u64,
    findings: FindingCounts,
    suppressed: Suppressed,
    stale_baseline: Vec<JsonBaselineEntry<'a>>,
    warnings: Vec<JsonWarning<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonBaselineEntry<'a> {
    fingerprint: &'a str,
    rule_id: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
struct FindingCounts {
    total: usize,
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
struct Suppressed {
    inline: u64,
    baseline: u64,
    allowlist: u64,
}

#[derive(Serialize)]
struct JsonWarning<'a> {
    path: Option<&'a str>,
    message: &'a str,
}

pub fn finding_json<'a>(f: &'a Finding, show_secrets: bool) -> JsonFinding<'a> {
    let (line, _) = f.shown_line(show_secrets);
    JsonFinding {
        rule_id: &f.rule_id,
        title: &f.title,
        kind: f.kind.as_str(),
        severity: f.severity.as_str(),
        message: &f.message,
        path: &f.path,
        repo_path: &f.rel_path,
        start_line: f.location.start_line,
        start_column: f.location.start_column,
        end_line: f.location.end_line,
        end_column: f.location.end_column,
        value: f.shown_value(show_secrets),
        value_redacted: f.redact && !show_secrets,
        line,
        fingerprint: &f.fingerprint,
        notes: &f.notes,
        git: f.git.as_ref().map(|g| JsonGit {
            commit: &g.commit,
            author: &g.author,
            date: &g.date,
            summary: &g.summary,
            in_head: g.in_head,
        }),
        archive_member: f.member.as_deref(),
    }
}

fn summary_json<'a>(summary: &'a Summary, findings: &[Finding]) -> JsonSummary<'a> {
    let counts = count_by_severity(findings);
    JsonSummary {
        mode: summary.mode.as_str(),
        files_scanned: summary.files_scanned,
        bytes_scanned: summary.bytes_scanned,
        skipped: summary
            .skipped
            .iter()
            .map(|(r, n)| (r.as_str(), *n))
            .collect(),
        elapsed_ms: summary.elapsed.as_millis() as u64,
        findings: FindingCounts {
            total: findings.len(),
            critical: counts[0].1,
            high: counts[1].1,
            medium: counts[2].1,
            low: counts[3].1,
            info: counts[4].1,
        },
        suppressed: Suppressed {
            inline: summary.suppressed.inline,
            baseline: summary.suppressed.baseline,
            allowlist: summary.suppressed.allowlist,
        },
        stale_baseline: summary
            .stale_baseline
            .iter()
            .map(|e| JsonBaselineEntry {
                fingerprint: &e.fingerprint,
                rule_id: &e.rule_id,
                path: &e.path,
            })
            .collect(),
        warnings: summary
            .warnings
            .iter()
            .map(|w| JsonWarning {
                path: w.path.as_deref(),
                message: &w.message,
            })
            .collect(),
        notes: &summary.notes,
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = JsonReport {
        tool: TOOL,
        findings: report
            .findings
            .iter()
            .map(|f| finding_json(f, report.show_secrets))
            .collect(),
        summary: summary_json(report.summary, report.findings),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// One JSON object a line: `{"type":"finding",...}` for each finding, then
/// `{"type":"summary",...}`.
pub fn write_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Tagged<T: Serialize> {
        r#type: &'static str,
        #[serde(flatten)]
        body: T,
    }
    for finding in report.findings {
        let line = Tagged {
            r#type: "finding",
            body: finding_json(finding, report.show_secrets),
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    let summary = Tagged {
        r#type: "summary",
        body: summary_json(report.summary, report.findings),
    };
    serde_json::to_writer(&mut *out, &summary)?;
    writeln!(out)
}
