//! The end of every scanning command: the summary, reports to stdout and to `--report` files,
//! then the exit code.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

use super::args::OutputArgs;
use super::{EXIT_ERROR, EXIT_FINDINGS};
use crate::config::settings::Settings;
use crate::report::progress::Progress;
use crate::report::{self, Report, ScanMode, Summary};
use crate::scan::Scanner;
use crate::source::{ScanStats, Source, VersionControl};

/// The scanner for a command's settings.
pub fn scanner(settings: &Settings) -> Scanner {
    Scanner::new(Arc::clone(&settings.rules), settings.scan.clone())
}

/// Runs `source` through the pipeline with a progress line if wanted, then reports and returns
/// the exit code. Errors that stop the source before it produced anything are returned.
/// `version_control` is what a git command knows about the repository, for the summary.
pub fn scan_and_report(
    args: &OutputArgs,
    settings: &Settings,
    scanner: &Scanner,
    source: &mut dyn Source,
    threads: usize,
    started: Instant,
    version_control: Option<VersionControl>,
) -> Result<i32, String> {
    let stats = Arc::new(ScanStats::default());
    let mode = source.mode();
    let progress = start_progress(args, &stats, mode);
    let outcome = scanner.run(source, threads, &stats);
    drop(progress);
    let outcome = outcome.map_err(|e| e.to_string())?;
    let baseline = settings.baseline_shown();
    let mut summary = Summary::new(&stats, mode, started, &outcome, baseline.as_deref());
    summary.version_control = version_control;
    Ok(emit(args, settings, &outcome.findings, &summary))
}

/// Starts the progress line if this run should have one.
pub fn start_progress(
    args: &OutputArgs,
    stats: &Arc<ScanStats>,
    mode: ScanMode,
) -> Option<Progress> {
    let wanted = !args.quiet
        && !args.no_progress
        && mode != ScanMode::Stdin
        && (args.progress || std::io::stderr().is_terminal());
    wanted.then(|| Progress::start(Arc::clone(stats), mode.unit()))
}

/// Writes every requested report and returns the exit code.
fn emit(
    args: &OutputArgs,
    settings: &Settings,
    findings: &[crate::finding::Finding],
    summary: &Summary,
) -> i32 {
    let stdout_is_terminal = std::io::stdout().is_terminal();
    let color = stdout_is_terminal
        && !args.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb");
    let report = Report {
        findings,
        summary,
        rules: &settings.rules,
        show_secrets: args.show_secrets,
        color,
        quiet: args.quiet,
    };
    let mut failed = false;
    for (format, path) in &args.report {
        if let Err(e) = report::write_file(*format, &report, path) {
            super::say::note(&format!(
                "credlint: error: cannot write the {} report to {}: {e}",
                format.name(),
                path.display()
            ));
            failed = true;
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = report::write(args.format, &report, &mut out).and_then(|_| out.flush());
    if let Err(e) = written {
        // A closed pipe (`credlint scan | head`) is the reader's choice, not an error.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            super::say::note(&format!("credlint: error: cannot write the report: {e}"));
            failed = true;
        }
    }
    let github = args.format == report::Format::Github
        || args
            .report
            .iter()
            .any(|(f, _)| *f == report::Format::Github);
    let summary_file = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty());
    if let (true, Some(path)) = (github, summary_file) {
        if let Err(e) = report::github::append_step_summary(&report, std::path::Path::new(&path)) {
            super::say::note(&format!(
                "credlint: error: cannot append the job summary to {}: {e}",
                std::path::Path::new(&path).display()
            ));
            failed = true;
        }
    }
    if failed {
        return EXIT_ERROR;
    }
    let code = summary.exit_code(findings, settings.fail_on, args.allow_unreadable);
    if code == EXIT_ERROR && !args.quiet {
        if let Some(gap) = summary.gap() {
            // A clean exit would claim more than the scan checked.
            super::say::note(&format!(
                "credlint: {gap}, so the scan is incomplete (exit 2); --allow-unreadable accepts that"
            ));
        }
    }
    debug_assert!(code != EXIT_FINDINGS || !findings.is_empty() || summary.hidden > 0);
    code
}
