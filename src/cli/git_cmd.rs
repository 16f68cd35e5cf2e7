//! `credlint git [REPO]` (the whole history) and `credlint git --range BASE..HEAD` (what a pull
//! request adds).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::args::{BlobArgs, ConfigArgs, GitArgs, OutputArgs};
use super::output;
use super::scan_cmd::default_threads;
use super::settings::{self, BaselineUse, Overrides, Settings};
use crate::filter::baseline::Scope;
use crate::report::ScanMode;
use crate::scan::Scanner;
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
    let settings = load_settings(&args.repo, &args.config, &args.blobs, &args.output)?;
    let scanner = Scanner::new(Arc::clone(&settings.rules), settings.scan.clone());
    let stats = Arc::new(ScanStats::default());
    let options = git_options(&settings, &args.output);
    let (mode, findings, suppressed, scope) = match &args.range {
        Some(spec) => {
            let progress = output::start_progress(&args.output, &stats, ScanMode::GitRange);
            let result = range::scan(&args.repo, spec, &options, &scanner, &stats);
            drop(progress);
            let result = result.map_err(|e| e.to_string())?;
            // A range sees only added lines: no baseline entry can be called stale.
            let scope = Scope::Nothing;
            (
                ScanMode::GitRange,
                result.findings,
                result.suppressed,
                scope,
            )
        }
        None => {
            let narrowed = !args.branch.is_empty() || since.is_some();
            let options = history::HistoryOptions {
                git: options,
                revisions: args.branch.clone(),
                since,
            };
            let progress = output::start_progress(&args.output, &stats, ScanMode::GitHistory);
            let result = history::scan(&args.repo, &options, &scanner, &stats);
            drop(progress);
            let result = result.map_err(|e| e.to_string())?;
            let scope = if narrowed {
                Scope::Nothing
            } else {
                Scope::Everything
            };
            (
                ScanMode::GitHistory,
                result.findings,
                result.suppressed,
                scope,
            )
        }
    };
    Ok(output::finish_findings(
        &args.output,
        &settings,
        findings,
        suppressed,
        &stats,
        mode,
        started,
        &scope,
    ))
}

/// Settings for a git command: the configuration is looked for in the repository's work tree
/// (a bare repository has none, so only `--config` applies there).
pub(super) fn load_settings(
    repo: &Path,
    config: &ConfigArgs,
    blobs: &BlobArgs,
    output: &OutputArgs,
) -> Result<Settings, String> {
    // A missing or broken repository is reported by the scan, in its own words.
    let root = git::work_tree(repo).unwrap_or_default();
    settings::load(
        config,
        root.as_deref(),
        Overrides {
            max_file_size: blobs.max_file_size,
            max_findings_per_file: blobs.max_findings_per_file,
            excludes: &blobs.exclude,
            fail_on: output.fail_on,
        },
        BaselineUse::Filter,
    )
}

pub(super) fn git_options(settings: &Settings, output: &OutputArgs) -> GitOptions {
    GitOptions {
        max_file_size: settings.max_file_size,
        excludes: settings.excludes.clone(),
        threads: output.threads.unwrap_or_else(default_threads),
    }
}
