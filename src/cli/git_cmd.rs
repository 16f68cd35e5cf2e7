//! `credlint git [REPO]` (the whole history) and `credlint git --range BASE..HEAD` (what a pull
//! request adds).

use std::sync::Arc;
use std::time::Instant;

use super::args::{BlobArgs, GitArgs};
use super::output;
use super::scan_cmd::default_threads;
use crate::report::{ScanMode, Suppressed};
use crate::rules::RuleSet;
use crate::scan::{ScanOptions, Scanner};
use crate::source::git::{self, history, range, GitOptions};
use crate::source::ScanStats;

pub fn run(args: GitArgs) -> Result<i32, String> {
    let started = Instant::now();
    let since = args
        .since
        .as_deref()
        .map(git::parse_date)
        .transpose()
        .map_err(|e| e.to_string())?;
    let scanner = scanner(&args.output)?;
    let stats = Arc::new(ScanStats::default());
    let options = git_options(&args.blobs, &args.output);
    let (mode, findings, suppressed_inline) = match &args.range {
        Some(spec) => {
            let progress = output::start_progress(&args.output, &stats, ScanMode::GitRange);
            let result = range::scan(&args.repo, spec, &options, &scanner, &stats);
            drop(progress);
            let result = result.map_err(|e| e.to_string())?;
            (
                ScanMode::GitRange,
                result.findings,
                result.suppressed_inline,
            )
        }
        None => {
            let options = history::HistoryOptions {
                git: options,
                revisions: args.branch.clone(),
                since,
            };
            let progress = output::start_progress(&args.output, &stats, ScanMode::GitHistory);
            let result = history::scan(&args.repo, &options, &scanner, &stats);
            drop(progress);
            let result = result.map_err(|e| e.to_string())?;
            (
                ScanMode::GitHistory,
                result.findings,
                result.suppressed_inline,
            )
        }
    };
    let suppressed = Suppressed {
        inline: suppressed_inline,
        ..Suppressed::default()
    };
    let summary = output::summarize(&stats, mode, started, suppressed);
    Ok(output::emit(
        &args.output,
        scanner.rules(),
        &findings,
        &summary,
    ))
}

pub(super) fn scanner(output: &super::args::OutputArgs) -> Result<Scanner, String> {
    let rules = Arc::new(RuleSet::builtin().map_err(|e| e.to_string())?);
    Ok(Scanner::new(
        rules,
        ScanOptions {
            inline_allow: !output.no_inline_allow,
        },
    ))
}

pub(super) fn git_options(blobs: &BlobArgs, output: &super::args::OutputArgs) -> GitOptions {
    GitOptions {
        max_file_size: blobs.max_file_size,
        excludes: blobs.exclude.clone(),
        threads: output.threads.unwrap_or_else(default_threads),
    }
}
