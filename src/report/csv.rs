//! CSV output (RFC 4180): a header row, then one row per finding, for spreadsheets and scripts.
//! The columns are those of the JSON output that fit in a cell (see [`COLUMNS`]); values are
//! redacted unless `--show-secrets`.
//!
//! Fields are quoted when they hold a comma, a quote or a line break, and rows end in CRLF. A
//! cell that came from the scanned repository (path, value, author, commit message) and starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so that a file name
//! such as `=HYPERLINK(...)` is shown as text by a spreadsheet rather than run as a formula.
//! Warnings and notes are not rows; the JSON and SARIF reports carry them, and an incomplete
//! scan still exits 2.

use std::borrow::Cow;
use std::io::{self, Write};

use super::Report;
use crate::finding::Finding;

/// The header row, a stable interface like the JSON field names: columns are added at the end,
/// never renamed or removed.
pub const COLUMNS: [&str; 19] = [
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
    "message",
];

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<Cell> = COLUMNS.iter().map(|c| trusted(c)).collect();
    write_row(out, &header)?;
    for f in report.findings {
        write_row(out, &row(f, report.show_secrets))?;
    }
    Ok(())
}

/// A cell's text, and whether it came from the scanned repository (and so may start a formula).
type Cell<'a> = (Cow<'a, str>, bool);

fn trusted(text: &str) -> Cell<'_> {
    (Cow::Borrowed(text), false)
}

fn scanned(text: &str) -> Cell<'_> {
    (Cow::Borrowed(text), true)
}

fn row(f: &Finding, show_secrets: bool) -> Vec<Cell<'_>> {
    let git = f.git.as_ref();
    let number = |n: usize| (Cow::Owned(n.to_string()), false);
    let flag = |b: bool| trusted(if b { "true" } else { "false" });
    vec![
        trusted(&f.rule_id),
        trusted(f.severity.as_str()),
        trusted(f.kind.as_str()),
        trusted(&f.title),
        scanned(&f.path),
        scanned(&f.rel_path),
        number(f.location.start_line),
        number(f.location.start_column),
        number(f.location.end_line),
        number(f.location.end_column),
        scanned(f.shown_value(show_secrets)),
        flag(f.redact && !show_secrets),
        trusted(&f.fingerprint),
        trusted(git.map_or("", |g| g.commit.as_str())),
        scanned(git.map_or("", |g| g.author.as_str())),
        trusted(git.map_or("", |g| g.date.as_str())),
        scanned(git.map_or("", |g| g.summary.as_str())),
        git.and_then(|g| g.in_head).map_or(trusted(""), flag),
        // Validator notes can quote a decoded user name, which is scanned content.
        scanned(&f.message),
    ]
}

fn write_row(out: &mut dyn Write, cells: &[Cell]) -> io::Result<()> {
    for (i, (text, from_repository)) in cells.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(field(text, *from_repository).as_bytes())?;
    }
    out.write_all(b"\r\n")
}

/// One field: formula-guarded if it came from the repository, quoted if it must be.
fn field(text: &str, scanned: bool) -> String {
    let guarded = if scanned && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain", true), "plain");
        assert_eq!(field("a,b", false), "\"a,b\"");
        assert_eq!(field("say \"hi\"\nnow", false), "\"say \"\"hi\"\"\nnow\"");
        assert_eq!(
            field("=HYPERLINK(\"x\")", true),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(field("-----BEGIN", true), "'-----BEGIN");
        assert_eq!(field("-1", false), "-1");
    }
}
