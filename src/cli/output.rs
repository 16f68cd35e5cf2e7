//! The end of every scanning command: the baseline filter on the collected findings, then
//! reports to stdout and to `--report` files, then the exit code.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

use super::args::OutputArgs;
use super::settings::{display_path, shell_word, Settings};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::filter::baseline::{Entry, Scope};
use crate::finding::Finding;
use crate::report::progress::Progress;
use crate::report::{self, Report, ScanMode, Summary, Suppressed};
use crate::rules::{FailOn, RuleSet};
use crate::scan::Sink;
use crate::source::ScanStats;

/// Finishes a scan in any mode whose findings went into a [`Sink`]; see [`finish_findings`].
pub fn finish(
    args: &OutputArgs,
    settings: &Settings,
    sink: Sink,
    stats: &ScanStats,
    mode: ScanMode,
    started: Instant,
    scope: &Scope,
) -> i32 {
    let suppressed = sink.suppressed();
    let findings = sink.into_findings();
    finish_findings(
        args, settings, findings, suppressed, stats, mode, started, scope,
    )
}

/// Finishes a scan in any mode: removes the findings in the baseline (counting them, and noting
/// entries that matched nothing within `scope`), writes the reports and returns the exit code.
/// `suppressed` is what the filters that run during the scan (inline, allowlists) removed.
#[allow(clippy::too_many_arguments)]
pub fn finish_findings(
    args: &OutputArgs,
    settings: &Settings,
    mut findings: Vec<Finding>,
    mut suppressed: Suppressed,
    stats: &ScanStats,
    mode: ScanMode,
    started: Instant,
    scope: &Scope,
) -> i32 {
    let mut stale = Vec::new();
    if let Some(loaded) = &settings.baseline {
        let applied = loaded.baseline.apply(&mut findings);
        suppressed.baseline = applied.suppressed;
        stale = loaded.baseline.stale(&applied, scope);
        if !stale.is_empty() {
            stats.note(stale_note(&display_path(&loaded.path), &stale));
        }
    }
    let stale: Vec<Entry> = stale.into_iter().cloned().collect();
    let mut summary = summarize(stats, mode, started, suppressed);
    summary.stale_baseline = stale;
    emit(args, settings.fail_on, &settings.rules, &findings, &summary)
}

/// The message about stale baseline entries: which, and the command that drops them.
fn stale_note(baseline: &str, stale: &[&Entry]) -> String {
    const SHOWN: usize = 5;
    let mut listed: Vec<String> = stale
        .iter()
        .take(SHOWN)
        .map(|e| format!("{} ({})", e.path, e.rule_id))
        .collect();
    if stale.len() > SHOWN {
        listed.push(format!("and {} more", stale.len() - SHOWN));
    }
    let (count, verb) = if stale.len() == 1 {
        ("1 entry".to_string(), "matches")
    } else {
        (format!("{} entries", stale.len()), "match")
    };
    format!(
        "baseline {baseline}: {count} {verb} no finding any more: {}. The secret was removed or its file renamed; `credlint baseline --prune --output {}` drops stale entries.",
        listed.join(", "),
        shell_word(baseline)
    )
}

/// Starts the progress line if this run should have one.
pub fn start_progress(
    args: &OutputArgs,
    stats: &Arc<ScanStats>,
    mode: ScanMode,
) -> Option<Progress> {
    let wanted =
        !args.quiet && !args.no_progress && (args.progress || std::io::stderr().is_terminal());
    wanted.then(|| Progress::start(Arc::clone(stats), mode.unit()))
}

/// Builds the summary from the counters once the scan is over.
pub fn summarize(
    stats: &ScanStats,
    mode: ScanMode,
    started: Instant,
    suppressed: Suppressed,
) -> Summary {
    Summary {
        mode,
        files_scanned: stats.files(),
        bytes_scanned: stats.bytes(),
        skipped: stats.skipped_counts(),
        elapsed: started.elapsed(),
        suppressed,
        stale_baseline: Vec::new(),
        warnings: stats.take_warnings(),
        notes: stats.take_notes(),
    }
}

/// Writes every requested report and returns the exit code.
pub fn emit(
    args: &OutputArgs,
    fail_on: FailOn,
    rules: &RuleSet,
    findings: &[Finding],
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
        rules,
        show_secrets: args.show_secrets,
        color,
        quiet: args.quiet,
    };
    let mut failed = false;
    for (format, path) in &args.report {
        if let Err(e) = report::write_file(*format, &report, path) {
            eprintln!(
                "credlint: error: cannot write the {format:?} report to {}: {e}",
                path.display()
            );
            failed = true;
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = report::write(args.format, &report, &mut out).and_then(|_| out.flush());
    if let Err(e) = written {
        // A closed pipe (`credlint scan | head`) is the reader's choice, not an error.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("credlint: error: cannot write the report: {e}");
            failed = true;
        }
    }
    if failed {
        return EXIT_ERROR;
    }
    exit_code(args, fail_on, findings, summary)
}

fn exit_code(args: &OutputArgs, fail_on: FailOn, findings: &[Finding], summary: &Summary) -> i32 {
    let failing = fail_on
        .0
        .is_some_and(|threshold| findings.iter().any(|f| f.severity >= threshold));
    if failing {
        EXIT_FINDINGS
    } else if summary.unreadable() > 0 && !args.allow_unreadable {
        // Something could not be scanned and the user did not say that was fine: a clean exit
        // would claim more than the scan checked.
        if !args.quiet {
            eprintln!(
                "credlint: {} file(s) or object(s) could not be read, so the scan is incomplete (exit 2); --allow-unreadable accepts that",
                summary.unreadable()
            );
        }
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    }
}
