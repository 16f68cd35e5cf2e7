//! `credlint scan PATH...` and `credlint scan -`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::args::{ScanArgs, WalkArgs};
use super::output;
use super::settings::{self, BaselineUse, Overrides, Settings};
use crate::filter::baseline::Scope;
use crate::report::ScanMode;
use crate::scan::{Scanner, Sink};
use crate::source::fs::{scan_base, walk, FsOptions};
use crate::source::{decode_text, looks_binary, read_stdin, Blob, ScanStats, SkipReason};

pub fn run(args: ScanArgs) -> Result<i32, String> {
    let started = Instant::now();
    let settings = load_settings(
        &args.paths,
        &args.config,
        &args.walk,
        args.output.fail_on,
        BaselineUse::Filter,
    )?;
    let scanner = Scanner::new(Arc::clone(&settings.rules), settings.scan.clone());
    let stats = Arc::new(ScanStats::default());
    let sink = Sink::default();
    let threads = args.output.threads.unwrap_or_else(default_threads);
    let reads_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let progress = if reads_stdin {
        None
    } else {
        output::start_progress(&args.output, &stats, ScanMode::Directory)
    };
    let collected = collect(
        &args.paths,
        &args.walk,
        &settings,
        threads,
        &scanner,
        &sink,
        &stats,
    );
    drop(progress);
    let (mode, scope) = collected?;
    Ok(output::finish(
        &args.output,
        &settings,
        sink,
        &stats,
        mode,
        started,
        &scope,
    ))
}

/// Settings for a scan of `paths` on disk: the configuration is looked for at their root.
pub(super) fn load_settings(
    paths: &[PathBuf],
    config: &super::args::ConfigArgs,
    walk: &WalkArgs,
    fail_on: Option<crate::rules::FailOn>,
    baseline_use: BaselineUse,
) -> Result<Settings, String> {
    let root = match settings::config_root(paths) {
        Ok(root) => root,
        // Which project's configuration applies only matters when one is looked for.
        Err(_) if config.config.is_some() || config.no_config => None,
        Err(e) => return Err(e),
    };
    settings::load(
        config,
        root.as_deref(),
        Overrides {
            max_file_size: walk.max_file_size,
            max_findings_per_file: walk.max_findings_per_file,
            excludes: &walk.exclude,
            fail_on,
        },
        baseline_use,
    )
}

/// Scans `paths` (or standard input for `-`) into `sink`. Returns the mode and which
/// repository paths the scan covered, for telling stale baseline entries.
pub(super) fn collect(
    paths: &[PathBuf],
    walk_args: &WalkArgs,
    settings: &Settings,
    threads: usize,
    scanner: &Scanner,
    sink: &Sink,
    stats: &Arc<ScanStats>,
) -> Result<(ScanMode, Scope), String> {
    let stdin = paths.len() == 1 && paths[0].as_os_str() == "-";
    if stdin {
        scan_stdin(scanner, sink, stats, settings.max_file_size)?;
        return Ok((ScanMode::Stdin, Scope::Nothing));
    }
    if paths.iter().any(|p| p.as_os_str() == "-") {
        return Err("`-` (standard input) cannot be combined with other paths".into());
    }
    let options = FsOptions {
        roots: paths.to_vec(),
        no_ignore: walk_args.no_ignore,
        follow_symlinks: walk_args.follow_symlinks,
        max_file_size: settings.max_file_size,
        excludes: settings.excludes.clone(),
        threads,
    };
    walk(&options, stats, || scanner.worker(sink, stats)).map_err(|e| e.to_string())?;
    let prefixes = paths
        .iter()
        .filter_map(|p| scan_base(p).ok())
        .map(|b| b.prefix)
        .collect();
    Ok((ScanMode::Directory, Scope::Under(prefixes)))
}

fn scan_stdin(scanner: &Scanner, sink: &Sink, stats: &ScanStats, max: u64) -> Result<(), String> {
    let bytes = read_stdin(max).map_err(|e| format!("cannot read standard input: {e}"))?;
    let Some(bytes) = bytes else {
        stats.skipped(SkipReason::TooLarge);
        stats.warn(
            Some("<stdin>"),
            format!("larger than the size limit ({max} bytes); not scanned"),
        );
        return Ok(());
    };
    let decoded = decode_text(&bytes);
    let text = decoded.as_deref().unwrap_or(&bytes);
    if looks_binary(text) {
        stats.skipped(SkipReason::Binary);
        return Ok(());
    }
    stats.scanned(bytes.len());
    let mut worker = scanner.worker(sink, stats);
    worker.scan(&Blob {
        path: "<stdin>",
        rel_path: "stdin",
        bytes: text,
        added_lines: None,
        git: None,
    });
    Ok(())
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
