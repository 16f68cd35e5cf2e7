//! GitLab's secret-detection report (security report schemas 15.x), which GitLab reads from a
//! job's `artifacts:reports:secret_detection` and shows in merge requests and the vulnerability
//! report.
//!
//! `scan` names credlint as analyzer and scanner, with type `secret_detection`, the status
//! (`failure` when the scan is incomplete, as exit code 2 says) and the times; warnings and notes
//! are its `messages`. Each finding is a vulnerability: a stable id, the rule's title, description
//! and fix, a GitLab severity, identifiers (the rule id first, as GitLab tracks by the primary
//! identifier, then CWE-798 for credentials), and a location with the repository path, the lines
//! and the commit (GitLab's placeholder `0000000` outside git history, as its own analyzer
//! writes). The schema's `raw_source_code_extract` is never written: no secret goes in, whatever
//! `--show-secrets` says.

use std::io::{self, Write};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{help_uri, Report};
use crate::finding::Finding;
use crate::rules::{Kind, Severity};
use crate::source::git::iso8601_utc;

/// The schema version the report declares.
pub const SCHEMA_VERSION: &str = "15.0.0";

/// GitLab's commit for a finding that is not from a commit.
const NO_COMMIT: &str = "0000000";

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(report))?;
    writeln!(out)
}

pub fn build(report: &Report) -> Value {
    let s = report.summary;
    let (started, finished) = s.times();
    // The schema's times are UTC without a zone: YYYY-MM-DDTHH:MM:SS.
    let time = |seconds: i64| iso8601_utc(seconds).trim_end_matches('Z').to_string();
    let tool = json!({
        "id": "credlint",
        "name": "credlint",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": {"name": "credlint"},
        "url": env!("CARGO_PKG_REPOSITORY"),
    });
    let mut messages: Vec<Value> = s
        .warnings
        .iter()
        .map(|w| {
            let value = match &w.path {
                Some(path) => format!("{path}: {}", w.message),
                None => w.message.clone(),
            };
            json!({"level": "warn", "value": value})
        })
        .collect();
    messages.extend(s.notes.iter().map(|n| json!({"level": "info", "value": n})));
    json!({
        "version": SCHEMA_VERSION,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "status": if s.gap().is_some() { "failure" } else { "success" },
            "start_time": time(started),
            "end_time": time(finished),
            "messages": messages,
        },
        "vulnerabilities": report.findings.iter().map(|f| vulnerability(report, f)).collect::<Vec<_>>(),
    })
}

fn vulnerability(report: &Report, f: &Finding) -> Value {
    let rule = report.rules.get(&f.rule_id);
    let help = rule.and_then(help_uri);
    let mut primary = json!({
        "type": "credlint_rule_id",
        "name": format!("credlint rule {}", f.rule_id),
        "value": f.rule_id,
    });
    if let Some(url) = &help {
        primary["url"] = json!(url);
    }
    let mut identifiers = vec![primary];
    if f.kind == Kind::Secret {
        identifiers.push(json!({
            "type": "cwe",
            "name": "CWE-798",
            "value": "798",
            "url": "https://cwe.mitre.org/data/definitions/798.html",
        }));
    }
    let mut description = rule
        .map(|r| {
            if r.text().description.trim().is_empty() {
                r.text().checklist.trim().to_string()
            } else {
                r.text().description.trim().to_string()
            }
        })
        .unwrap_or_default();
    if f.message != f.title {
        // What context or validation added ("raised to critical: found in a client bundle").
        description = format!("{}\n\n{description}", f.message).trim().to_string();
    }
    let commit = match &f.git {
        Some(git) => json!({
            "sha": git.commit,
            "author": git.author,
            "date": git.date,
            "message": git.summary,
        }),
        None => json!({"sha": NO_COMMIT}),
    };
    let mut vulnerability = json!({
        "id": vulnerability_id(f),
        "name": f.title,
        "description": description,
        "severity": severity(f.severity),
        "identifiers": identifiers,
        "location": {
            "file": f.rel_path,
            "start_line": f.location.start_line,
            "end_line": f.location.end_line,
            "commit": commit,
        },
    });
    if let Some(rule) = rule {
        vulnerability["solution"] = json!(rule.text().remediation.trim());
    }
    if let Some(url) = help {
        vulnerability["links"] =
            json!([{"name": format!("credlint rule {}", f.rule_id), "url": url}]);
    }
    vulnerability
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// A UUID (version 8: derived, RFC 9562) of the finding's fingerprint and place, so the same
/// finding has the same id in every run and two occurrences of one secret differ. The
/// fingerprint is already a slow hash of the secret; nothing here can be reversed to it.
fn vulnerability_id(f: &Finding) -> String {
    let mut hasher = Sha256::new();
    hasher.update(f.fingerprint.as_bytes());
    hasher.update([0]);
    hasher.update(f.git.as_ref().map_or("", |g| g.commit.as_str()).as_bytes());
    hasher.update([0]);
    hasher.update(f.rel_path.as_bytes());
    for n in [f.location.start_line, f.location.start_column] {
        hasher.update((n as u64).to_le_bytes());
    }
    let mut bytes: [u8; 16] = hasher.finalize()[..16].try_into().expect("16 bytes");
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
