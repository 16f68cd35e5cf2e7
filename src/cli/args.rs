//! Argument definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::parse_size;
use crate::report::Format;
use crate::rules::FailOn;

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
    /// Scan git history: every blob reachable from every ref, or with --range only what the
    /// commits of BASE..HEAD add (a pull request).
    Git(GitArgs),
    /// Scan what the next commit adds: the staged (index) version of each changed file, only
    /// the lines added relative to HEAD.
    Staged(StagedArgs),
    /// List the rules, explain one, or check a rule file of your own.
    Rules(RulesArgs),
    /// Write a baseline of the current findings (to stdout or --output); scans with
    /// --baseline FILE then report only new findings.
    Baseline(BaselineArgs),
    /// Check a configuration file (.credlint.toml) without scanning, or print its JSON schema.
    Config(ConfigCommandArgs),
    /// Install a git pre-commit hook that runs `credlint staged` (honours core.hooksPath), or
    /// remove it with --uninstall.
    InstallHook(InstallHookArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` reads one stream from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct GitArgs {
    /// The repository (a work tree, any directory inside one, or a bare repository).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Scan only what the commits reachable from HEAD and not from BASE add, line by line
    /// (BASE...HEAD starts from their merge base).
    #[arg(long, value_name = "BASE..HEAD")]
    pub range: Option<String>,
    /// Read the configuration (and the baseline it names) from this revision instead of the
    /// work tree: for a pull request, its base, so that the pull request cannot change how it
    /// is scanned. Ignored with --config or --no-config.
    #[arg(long, value_name = "REF")]
    pub config_from_ref: Option<String>,
    /// Start from this branch, tag or other revision instead of every ref (repeatable).
    #[arg(long, value_name = "REV", conflicts_with = "range")]
    pub branch: Vec<String>,
    /// Only blobs introduced by commits made at or after this date (YYYY-MM-DD, an RFC 3339
    /// time, or a Unix time).
    #[arg(long, value_name = "DATE", conflicts_with = "range")]
    pub since: Option<String>,
    #[command(flatten)]
    pub blobs: BlobArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct StagedArgs {
    /// The repository (a work tree or any directory inside one).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub blobs: BlobArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which git blobs are read.
#[derive(Debug, Args)]
pub struct BlobArgs {
    /// Skip blobs larger than this (bytes, or with a unit: 500K, 64M, 1G) [default: 64M, or the
    /// configuration's scan.max_file_size].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Open archives and compressed files (zip, jar, tar, tar.gz, gz, bz2, xz, zst) this many
    /// levels deep and scan their members; 0 treats them as binary files [default: 3, or the
    /// configuration's scan.max_archive_depth].
    #[arg(long, value_name = "N")]
    pub max_archive_depth: Option<u32>,
    /// Do not scan repository paths matching this gitignore-style pattern (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Show at most this many distinct values per file (after suppression; a rule not yet
    /// reported in the file is always shown, and what is left out is counted) [default: 1000,
    /// or the configuration's scan.max_findings_per_file].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_findings_per_file: Option<u64>,
}

/// Configuration and suppression, shared by every scanning command.
#[derive(Debug, Args, Default)]
pub struct ConfigArgs {
    /// Configuration file [default: .credlint.toml at the root of what is scanned, if any].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Do not read any configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Run only these rules: a rule id or a category (a rule file's name: cloud, ai, seeds, ...;
    /// `credlint rules` lists both). Repeatable or comma-separated; replaces the
    /// configuration's rules.select.
    #[arg(long, value_name = "ID|CATEGORY", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (ids or categories), in addition to the configuration's
    /// rules.disable. Repeatable or comma-separated; a more specific --select wins (--select
    /// aws-access-key-id --ignore cloud runs that one cloud rule).
    #[arg(long, value_name = "ID|CATEGORY", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report only findings that are not in this baseline file (see `credlint baseline`).
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub baseline: Option<PathBuf>,
    /// Ignore the baseline named in the configuration.
    #[arg(long)]
    pub no_baseline: bool,
    /// Ignore `credlint:allow` comments and their aliases (for audits).
    #[arg(long)]
    pub no_inline_allow: bool,
    /// Decode encoded values (base64, hex, percent-encoding, string escapes) this many layers
    /// deep and match what they hold; 0 turns decoding off [default: 3].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=8))]
    pub max_decode_depth: Option<u8>,
}

impl ConfigArgs {
    /// The choice as the library takes it.
    pub fn choice(&self) -> crate::config::settings::ConfigChoice {
        crate::config::settings::ConfigChoice {
            config: self.config.clone(),
            no_config: self.no_config,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            baseline: self.baseline.clone(),
            no_baseline: self.no_baseline,
            no_inline_allow: self.no_inline_allow,
            max_decode_depth: self.max_decode_depth,
            from_ref: None,
        }
    }
}

/// How the filesystem is walked.
#[derive(Debug, Args)]
pub struct WalkArgs {
    /// Skip files larger than this (bytes, or with a unit: 500K, 64M, 1G) [default: 64M, or the
    /// configuration's scan.max_file_size].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Open archives and compressed files (zip, jar, tar, tar.gz, gz, bz2, xz, zst) this many
    /// levels deep and scan their members; 0 treats them as binary files [default: 3, or the
    /// configuration's scan.max_archive_depth].
    #[arg(long, value_name = "N")]
    pub max_archive_depth: Option<u32>,
    /// Do not scan paths matching this gitignore-style pattern (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also scan what .gitignore and .ignore files hide.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (never outside the scanned roots).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Show at most this many distinct values per file (after suppression; a rule not yet
    /// reported in the file is always shown, and what is left out is counted) [default: 1000,
    /// or the configuration's scan.max_findings_per_file].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_findings_per_file: Option<u64>,
}

/// What is reported and how.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format on standard output.
    #[arg(long, short = 'f', value_name = "FORMAT", default_value = "human", value_parser = format_parser(), ignore_case = true)]
    pub format: Format,
    /// Also write a report to a file, as FORMAT=PATH with any --format value (repeatable):
    /// --report sarif=credlint.sarif --report junit=credlint.xml
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub report: Vec<(Format, PathBuf)>,
    /// Exit 1 when a finding is at or above this severity (critical, high, medium, low, info,
    /// or none to never fail on findings) [default: low, or the configuration's scan.fail_on].
    #[arg(long, value_name = "SEVERITY", value_parser = FailOn::parse)]
    pub fail_on: Option<FailOn>,
    /// Print secrets in full instead of redacted.
    #[arg(long)]
    pub show_secrets: bool,
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

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Files and directories to scan, as with `credlint scan`.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Write the baseline to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rewrite an existing baseline without its stale entries (those whose finding is gone),
    /// accepting no new finding. Reads --baseline FILE, else the configuration's baseline,
    /// else the --output file.
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Exit 0 even when some files could not be read (they are still reported).
    #[arg(long)]
    pub allow_unreadable: bool,
    /// Print nothing but the baseline (and errors).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("action").required(true).args(["check", "schema"]))]
pub struct ConfigCommandArgs {
    /// Check a configuration file: syntax, keys, globs, regexes, rule ids, and every example of
    /// the rules it adds. Exit 0 when valid, 2 otherwise.
    #[arg(long)]
    pub check: bool,
    /// Print the JSON schema of the configuration file (for editors).
    #[arg(long, conflicts_with = "path")]
    pub schema: bool,
    /// The file to check [default: the .credlint.toml that `credlint scan .` would use].
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InstallHookArgs {
    /// The repository (a work tree or any directory inside one).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Replace a pre-commit hook that credlint did not write (it is kept as
    /// pre-commit.credlint-backup).
    #[arg(long, conflicts_with = "uninstall")]
    pub force: bool,
    /// Remove the hook credlint installed (never a hook it did not write).
    #[arg(long)]
    pub uninstall: bool,
}

/// `--format`'s values with what each is, so `--help` lists them.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = Format::ALL.map(|(format, name, help)| {
        let value = PossibleValue::new(name).help(help);
        if format == Format::Human {
            value.alias("text")
        } else {
            value
        }
    });
    PossibleValuesParser::new(values).map(|name| Format::parse(&name).unwrap_or(Format::Human))
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|(_, name, _)| *name).collect();
        format!(
            "unknown format {text:?}; expected one of: {}",
            names.join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;

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
