//! Concise output: one line per finding, `path:line:col: severity[rule-id] title`, the shape of
//! compiler one-liners and ruff's concise output, which editors' problem matchers and `grep`
//! read. A finding from git history adds the commit. Unless `-q`, the human summary follows.
//!
//! Paths and titles are escaped as for a terminal; no value is printed, so there is nothing to
//! redact.

use std::io::{self, Write};

use super::escape::terminal;
use super::{human, Report};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in report.findings {
        let loc = &f.location;
        write!(
            out,
            "{}:{}:{}: {} {}",
            terminal(&f.path),
            loc.start_line,
            loc.start_column,
            human::severity_label(report, f.severity, &f.rule_id),
            terminal(&f.title)
        )?;
        if let Some(git) = &f.git {
            write!(out, " (commit {})", &git.commit[..git.commit.len().min(10)])?;
        }
        writeln!(out)?;
    }
    if report.quiet {
        return Ok(());
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    human::summary(report, out)
}
