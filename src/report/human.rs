//! Human output: findings grouped by file, each as a compiler-style diagnostic (severity and
//! rule, `path:line:col`, the line with the secret redacted and underlined, the checklist item
//! it breaks and what to do), then a summary.

use std::io::{self, Write};

use super::escape::{line_for_terminal, terminal};
use super::{count_by_severity, human_bytes, Report};
use crate::finding::Finding;
use crate::rules::Severity;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "34",
        };
        self.paint(code, text)
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let style = Style { on: report.color };
    let mut current_path: Option<&str> = None;
    for finding in report.findings {
        if current_path != Some(finding.path.as_str()) {
            if current_path.is_some() {
                writeln!(out)?;
            }
            let count = report
                .findings
                .iter()
                .filter(|f| f.path == finding.path)
                .count();
            let noun = if count == 1 { "finding" } else { "findings" };
            let header = format!("{} ({count} {noun})", terminal(&finding.path));
            writeln!(out, "{}", style.paint("1;4", &header))?;
            current_path = Some(&finding.path);
        }
        write_finding(report, &style, finding, out)?;
    }
    if report.quiet {
        return Ok(());
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    write_summary(report, &style, out)
}

fn write_finding(
    report: &Report,
    style: &Style,
    f: &Finding,
    out: &mut dyn Write,
) -> io::Result<()> {
    let loc = &f.location;
    let gutter_width = loc.start_line.to_string().len();
    let pad = " ".repeat(gutter_width);
    let bar = style.paint("1;34", "|");
    let label = format!("{}[{}]", f.severity, f.rule_id);
    writeln!(
        out,
        "{}: {}",
        style.severity(f.severity, &label),
        style.paint("1", &terminal(&f.message))
    )?;
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.paint("1;34", "-->"),
        terminal(&f.path),
        loc.start_line,
        loc.start_column
    )?;
    let (line, range) = f.shown_line(report.show_secrets);
    if !line.is_empty() {
        let (shown, start_col, width) = line_for_terminal(&line, range);
        let cut_before = if f.snippet.cut_before { "…" } else { "" };
        let cut_after = if f.snippet.cut_after { "…" } else { "" };
        let indent = cut_before.chars().count() + start_col;
        let label = if f.redact && !report.show_secrets {
            " secret (redacted)"
        } else {
            ""
        };
        writeln!(out, "{pad} {bar}")?;
        writeln!(
            out,
            "{} {bar} {cut_before}{shown}{cut_after}",
            style.paint("1;34", &loc.start_line.to_string())
        )?;
        writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(indent),
            style.severity(f.severity, &format!("{}{label}", "^".repeat(width.max(1))))
        )?;
    }
    if let Some(git) = &f.git {
        let short = &git.commit[..git.commit.len().min(10)];
        writeln!(
            out,
            "{pad} {} commit {short} by {} on {}: {}",
            style.paint("1;34", "="),
            terminal(&git.author),
            git.date,
            terminal(&git.summary)
        )?;
        if git.in_head == Some(false) {
            writeln!(
                out,
                "{pad} {} no longer in HEAD, but still in history: rotate it; deleting the file does not revoke it",
                style.paint("1;34", "=")
            )?;
        }
    }
    if let Some(rule) = report.rules.get(&f.rule_id) {
        writeln!(
            out,
            "{pad} {} {} {}",
            style.paint("1;34", "="),
            style.paint("1", "checklist:"),
            rule.text().checklist.trim()
        )?;
        writeln!(
            out,
            "{pad} {} {} {}",
            style.paint("1;34", "="),
            style.paint("1", "fix:"),
            rule.text().remediation.trim()
        )?;
    }
    Ok(())
}

/// The summary that ends human output (warnings, notes, counts), for formats that end the same
/// way (concise).
pub(super) fn summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_summary(report, &Style { on: report.color }, out)
}

/// `critical[rule-id]` in the severity's colour, as diagnostics start.
pub(super) fn severity_label(report: &Report, severity: Severity, rule_id: &str) -> String {
    Style { on: report.color }.severity(severity, &format!("{severity}[{rule_id}]"))
}

fn write_summary(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary;
    for warning in &s.warnings {
        let prefix = style.paint("1;33", "warning:");
        match &warning.path {
            Some(path) => writeln!(
                out,
                "{prefix} {}: {}",
                terminal(path),
                terminal(&warning.message)
            )?,
            None => writeln!(out, "{prefix} {}", terminal(&warning.message))?,
        }
    }
    for note in &s.notes {
        writeln!(out, "{} {}", style.paint("1;34", "note:"), terminal(note))?;
    }
    let mut line = format!(
        "Scanned {} ({}) in {:.2} s",
        s.mode.count(s.files_scanned),
        human_bytes(s.bytes_scanned),
        s.elapsed.as_secs_f64()
    );
    if s.skipped_total() > 0 {
        let parts: Vec<String> = s
            .skipped
            .iter()
            .map(|(reason, n)| format!("{n} {}", reason.describe()))
            .collect();
        line.push_str(&format!(
            "; skipped {}: {}",
            s.skipped_total(),
            parts.join(", ")
        ));
    }
    writeln!(out, "{line}.")?;
    let total = report.findings.len();
    if total == 0 {
        writeln!(out, "{}", style.paint("1;32", "No findings."))?;
    } else {
        let parts: Vec<String> = count_by_severity(report.findings)
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(sev, n)| style.severity(*sev, &format!("{n} {sev}")))
            .collect();
        let noun = if total == 1 { "finding" } else { "findings" };
        writeln!(
            out,
            "{} {noun}: {}.",
            style.paint("1", &total.to_string()),
            parts.join(", ")
        )?;
    }
    let sup = &s.suppressed;
    if sup.inline + sup.baseline + sup.allowlist > 0 {
        let mut parts = Vec::new();
        for (n, what) in [
            (sup.inline, "inline comment"),
            (sup.baseline, "baseline"),
            (sup.allowlist, "allowlist"),
        ] {
            if n > 0 {
                parts.push(format!("{n} by {what}"));
            }
        }
        writeln!(out, "Suppressed: {}.", parts.join(", "))?;
    }
    Ok(())
}
