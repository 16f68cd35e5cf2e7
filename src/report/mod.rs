//! Reports: one module per output format, all fed the same findings and the same summary.
//!
//! Nothing here prints a secret unless `show_secrets` is set, and everything that came from the
//! scanned content or file names is escaped for its destination (terminal, JSON, workflow
//! commands).

pub mod concise;
pub mod csv;
pub mod escape;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod progress;
pub mod sarif;
pub mod write;

pub use write::write_atomically;

use std::io::{self, Write};
use std::path::Path;

use crate::finding::Finding;
use crate::rules::{Rule, RuleSet, Severity, CUSTOM_CATEGORY};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Jsonl,
    Sarif,
    Github,
    Gitlab,
    Junit,
    Csv,
}

impl Format {
    /// Every format: its name (for `--format` and `--report NAME=PATH`) and what it is, as
    /// `--help` lists them.
    pub const ALL: [(Format, &'static str, &'static str); 9] = [
        (
            Format::Human,
            "human",
            "grouped by file, like compiler diagnostics, then a summary",
        ),
        (
            Format::Concise,
            "concise",
            "one line per finding: path:line:col: severity[rule-id] title",
        ),
        (
            Format::Json,
            "json",
            "one JSON document: findings and summary",
        ),
        (
            Format::Jsonl,
            "jsonl",
            "JSON Lines: one finding a line, then the summary",
        ),
        (
            Format::Sarif,
            "sarif",
            "SARIF 2.1.0, for GitHub code scanning",
        ),
        (
            Format::Github,
            "github",
            "GitHub Actions annotations and job summary",
        ),
        (
            Format::Gitlab,
            "gitlab",
            "GitLab secret-detection report (schema 15)",
        ),
        (
            Format::Junit,
            "junit",
            "JUnit XML, one failing test case per finding",
        ),
        (
            Format::Csv,
            "csv",
            "CSV with a header row, one finding a row",
        ),
    ];

    pub fn name(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(format, _, _)| *format == self)
            .map_or("human", |(_, name, _)| name)
    }

    pub fn parse(name: &str) -> Option<Format> {
        let name = name.to_ascii_lowercase();
        if name == "text" {
            return Some(Format::Human);
        }
        Format::ALL
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(format, _, _)| *format)
    }
}

pub use crate::filter::Suppressed;
pub use crate::scan::Summary;
pub use crate::source::ScanMode;

/// Where a rule is explained: its section of docs/rules.md as released with this version (the
/// heading is the id, and ids are already GitHub's anchor form: lowercase, digits, dashes). A
/// user's rule links its first web reference, if it has one.
pub fn help_uri(rule: &Rule) -> Option<String> {
    if rule.category != CUSTOM_CATEGORY {
        return Some(format!(
            "{}/blob/v{}/docs/rules.md#{}",
            env!("CARGO_PKG_REPOSITORY"),
            env!("CARGO_PKG_VERSION"),
            rule.id()
        ));
    }
    rule.text()
        .references
        .iter()
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
        .filter(|r| !r.contains(char::is_whitespace))
        .cloned()
}

/// Counts findings by severity, most severe first (the order of [`Severity::ALL_DESCENDING`]).
pub fn count_by_severity(findings: &[Finding]) -> [(Severity, usize); 5] {
    Severity::ALL_DESCENDING.map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
}

/// The inputs every format renders.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub summary: &'a Summary,
    pub rules: &'a RuleSet,
    pub show_secrets: bool,
    /// ANSI colour in human output.
    pub color: bool,
    /// Human output without the summary and hints (`-q`).
    pub quiet: bool,
}

pub fn write(format: Format, report: &Report, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out),
        Format::Concise => concise::write(report, out),
        Format::Json => json::write(report, out),
        Format::Jsonl => json::write_lines(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
        Format::Gitlab => gitlab::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Csv => csv::write(report, out),
    }
}

/// Writes a report file atomically, so an interrupted run never leaves a truncated report that
/// looks finished.
pub fn write_file(format: Format, report: &Report, path: &Path) -> io::Result<()> {
    let no_color = Report {
        color: false,
        ..*report
    };
    write_atomically(path, false, |file| {
        let mut out = io::BufWriter::new(file);
        write(format, &no_color, &mut out)?;
        out.flush()
    })
}

/// Bytes in human units: `812 B`, `3.4 KiB`, `1.2 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_one_name() {
        for (format, name, _) in Format::ALL {
            assert_eq!(Format::parse(name), Some(format));
            assert_eq!(format.name(), name);
            assert_eq!(Format::parse(&name.to_uppercase()), Some(format));
        }
        assert_eq!(Format::parse("text"), Some(Format::Human));
        assert_eq!(Format::parse("xml"), None);
    }

    #[test]
    fn bytes_in_human_units() {
        assert_eq!(human_bytes(812), "812 B");
        assert_eq!(human_bytes(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
