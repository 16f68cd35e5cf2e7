//! Argument definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::Format;
use crate::rules::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "credlint",
    version,
    about = "Finds secrets in source code and git history, and the insecure ways code handles them.",
    after_help = "Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories as they are on disk (`-` reads standard input).
    Scan(ScanArgs),
    /// List the rules, explain one, or check a rule file of your own.
    Rules(RulesArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` reads one stream from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How the filesystem is walked.
#[derive(Debug, Args)]
pub struct WalkArgs {
    /// Skip files larger than this (bytes, or with a unit: 500K, 64M, 1G).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Do not scan paths matching this gitignore-style pattern (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also scan what .gitignore and .ignore files hide.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (never outside the scanned roots).
    #[arg(long)]
    pub follow_symlinks: bool,
}

/// What is reported and how.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format on standard output.
    #[arg(long, short = 'f', value_name = "FORMAT", default_value = "human", value_parser = parse_format)]
    pub format: Format,
    /// Also write a report to a file, as FORMAT=PATH (repeatable): --report sarif=credlint.sarif
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub report: Vec<(Format, PathBuf)>,
    /// Exit 1 when a finding is at or above this severity (critical, high, medium, low, info,
    /// or none to never fail on findings).
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Print secrets in full instead of redacted.
    #[arg(long)]
    pub show_secrets: bool,
    /// Ignore `credlint:allow` comments and their aliases (for audits).
    #[arg(long)]
    pub no_inline_allow: bool,
    /// Exit 0 or 1 even when some files could not be read (they are still reported).
    #[arg(long)]
    pub allow_unreadable: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Print findings only: no summary, no progress.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// No ANSI colours (also when NO_COLOR is set or stdout is not a terminal).
    #[arg(long)]
    pub no_color: bool,
    /// Show progress on stderr even when it is not a terminal.
    #[arg(long, conflicts_with = "no_progress")]
    pub progress: bool,
    /// Never show progress.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Explain this rule: what it finds, why it matters, what to do, an example.
    pub id: Option<String>,
    /// Check a rule file of your own (every example and negative example) instead.
    #[arg(long, value_name = "FILE", conflicts_with = "id")]
    pub check: Option<PathBuf>,
    /// Print the list as JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print every rule's explanation as Markdown (this is how docs/rules.md is made).
    #[arg(long, conflicts_with_all = ["id", "check"])]
    pub markdown: bool,
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| {
        format!(
            "unknown format {text:?}; expected one of: {}",
            Format::NAMES.join(", ")
        )
    })
}

fn parse_report(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH, e.g. sarif=credlint.sarif, got {text:?}"))?;
    if path.is_empty() {
        return Err(format!("no path after {format}="));
    }
    Ok((parse_format(format)?, PathBuf::from(path)))
}

/// The `--fail-on` threshold; `None` never fails on findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    if matches!(text.to_ascii_lowercase().as_str(), "none" | "never") {
        return Ok(FailOn(None));
    }
    Severity::parse(text)
        .map(|s| FailOn(Some(s)))
        .ok_or_else(|| {
            format!("unknown severity {text:?}; expected critical, high, medium, low, info or none")
        })
}

/// Sizes as bytes or with a binary unit: `1048576`, `500K`, `64M`, `64MiB`, `1G`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 500K, 64M, 1G)"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (use K, M or G)")),
    };
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("500K"), Ok(500 * 1024));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5X").is_err());
    }

    #[test]
    fn report_targets() {
        assert_eq!(
            parse_report("sarif=out.sarif"),
            Ok((Format::Sarif, PathBuf::from("out.sarif")))
        );
        assert!(parse_report("sarif").is_err());
        assert!(parse_report("xml=a").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
