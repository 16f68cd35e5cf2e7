//! GitHub Actions output: one workflow command per finding (`::error file=…,line=…::…`), which
//! GitHub shows as an annotation on the line in the pull request, and the Markdown job summary
//! the run appends to `$GITHUB_STEP_SUMMARY` when it is set.
//!
//! Everything from the scanned repository (paths, messages) is escaped so that it cannot end the
//! command early or start a new one.

use std::io::{self, Write};

use super::escape::{github_data, github_property};
use super::{count_by_severity, human_bytes, Report};
use crate::rules::Severity;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in report.findings {
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let loc = &f.location;
        let title = format!("{} {}: {}", f.severity, f.rule_id, f.title);
        let mut message = f.message.clone();
        if let Some(rule) = report.rules.get(&f.rule_id) {
            message.push_str(&format!("\nFix: {}", rule.text().remediation.trim()));
        }
        if let Some(git) = &f.git {
            message.push_str(&format!("\nCommit {} ({})", git.commit, git.summary));
        }
        // A member of an archive: the annotation goes on the archive's file (its lines are not
        // the member's), and the message says where in the member.
        if let Some(member) = &f.member {
            message.insert_str(
                0,
                &format!("In {member}:{}:{}: ", loc.start_line, loc.start_column),
            );
            let properties = format!(
                "file={},title={}",
                github_property(f.outer_rel_path()),
                github_property(&title)
            );
            writeln!(out, "::{command} {properties}::{}", github_data(&message))?;
            continue;
        }
        let mut properties = format!(
            "file={},line={}",
            github_property(&f.rel_path),
            loc.start_line
        );
        if loc.end_line != loc.start_line {
            properties.push_str(&format!(",endLine={}", loc.end_line));
        } else {
            properties.push_str(&format!(
                ",col={},endColumn={}",
                loc.start_column, loc.end_column
            ));
        }
        properties.push_str(&format!(",title={}", github_property(&title)));
        writeln!(out, "::{command} {properties}::{}", github_data(&message))?;
    }
    for warning in &report.summary.warnings {
        let text = match &warning.path {
            Some(path) => format!("{path}: {}", warning.message),
            None => warning.message.clone(),
        };
        writeln!(out, "::warning title=credlint::{}", github_data(&text))?;
    }
    Ok(())
}

/// Appends the job summary to the file GitHub names in `$GITHUB_STEP_SUMMARY`, once per run
/// however many GitHub reports the run writes.
pub fn append_step_summary(report: &Report, path: &std::path::Path) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    write_step_summary(report, &mut file)
}

/// The Markdown job summary: totals, then a table of findings (first 100).
pub fn write_step_summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary;
    writeln!(out, "## credlint")?;
    writeln!(out)?;
    if report.findings.is_empty() {
        writeln!(out, "No findings.")?;
    } else {
        let parts: Vec<String> = count_by_severity(report.findings)
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(sev, n)| format!("{n} {sev}"))
            .collect();
        writeln!(
            out,
            "**{} findings**: {}.",
            report.findings.len(),
            parts.join(", ")
        )?;
        writeln!(out)?;
        writeln!(out, "| Severity | Rule | Location | Message |")?;
        writeln!(out, "|---|---|---|---|")?;
        for f in report.findings.iter().take(100) {
            writeln!(
                out,
                "| {} | `{}` | {}:{} | {} |",
                f.severity,
                f.rule_id,
                markdown_text(&f.rel_path),
                f.location.start_line,
                markdown_text(&f.message)
            )?;
        }
        if report.findings.len() > 100 {
            writeln!(out, "\n…and {} more.", report.findings.len() - 100)?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Scanned {} ({}) in {:.2} s.",
        s.mode.count(s.files_scanned),
        human_bytes(s.bytes_scanned),
        s.elapsed.as_secs_f64()
    )?;
    for warning in &s.warnings {
        let text = match &warning.path {
            Some(path) => format!("{path}: {}", warning.message),
            None => warning.message.clone(),
        };
        writeln!(out, "\n> [!WARNING]\n> {}", markdown_text(&text))?;
    }
    Ok(())
}

/// Text for a Markdown table cell: no line breaks, and Markdown and HTML syntax escaped so a file
/// name cannot become a link, an image or markup.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            // Bidirectional overrides would reorder what the reader sees: shown, not applied.
            c if super::escape::is_unsafe_for_terminal(c) => {
                out.push_str(&format!("U+{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cannot_be_injected() {
        assert_eq!(
            markdown_text("[x](http://e)|<img>"),
            "\\[x\\]\\(http://e\\)\\|&lt;img&gt;"
        );
        assert_eq!(markdown_text("a\nb"), "a b");
        assert_eq!(
            markdown_text("a\u{202e}yp.py"),
            "ayp.py".replacen('y', "U+202Ey", 1)
        );
    }
}
