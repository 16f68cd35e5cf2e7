//! `credlint scan PATH...` and `credlint scan -`.

use std::sync::Arc;
use std::time::Instant;

use super::args::ScanArgs;
use super::output;
use crate::report::{ScanMode, Suppressed};
use crate::rules::RuleSet;
use crate::scan::{ScanOptions, Scanner, Sink};
use crate::source::fs::{walk, FsOptions};
use crate::source::{decode_text, looks_binary, read_stdin, Blob, ScanStats, SkipReason};

pub fn run(args: ScanArgs) -> Result<i32, String> {
    let started = Instant::now();
    let rules = Arc::new(RuleSet::builtin().map_err(|e| e.to_string())?);
    let scanner = Scanner::new(
        rules,
        ScanOptions {
            inline_allow: !args.output.no_inline_allow,
            max_findings_per_file: args.walk.max_findings_per_file,
        },
    );
    let stats = Arc::new(ScanStats::default());
    let sink = Sink::default();
    let stdin = args.paths.len() == 1 && args.paths[0].as_os_str() == "-";
    let mode = if stdin {
        ScanMode::Stdin
    } else {
        ScanMode::Directory
    };

    if stdin {
        scan_stdin(&scanner, &sink, &stats, args.walk.max_file_size)?;
    } else {
        if args.paths.iter().any(|p| p.as_os_str() == "-") {
            return Err("`-` (standard input) cannot be combined with other paths".into());
        }
        let options = FsOptions {
            roots: args.paths.clone(),
            no_ignore: args.walk.no_ignore,
            follow_symlinks: args.walk.follow_symlinks,
            max_file_size: args.walk.max_file_size,
            excludes: args.walk.exclude.clone(),
            threads: args.output.threads.unwrap_or_else(default_threads),
        };
        let progress = output::start_progress(&args.output, &stats, mode);
        let walked = walk(&options, &stats, || scanner.worker(&sink, &stats));
        drop(progress);
        walked.map_err(|e| e.to_string())?;
    }

    let suppressed = Suppressed {
        inline: sink.suppressed_inline(),
        ..Suppressed::default()
    };
    let findings = sink.into_findings();
    let summary = output::summarize(&stats, mode, started, suppressed);
    Ok(output::emit(
        &args.output,
        scanner.rules(),
        &findings,
        &summary,
    ))
}

fn scan_stdin(scanner: &Scanner, sink: &Sink, stats: &ScanStats, max: u64) -> Result<(), String> {
    let bytes = read_stdin(max).map_err(|e| format!("cannot read standard input: {e}"))?;
    let Some(bytes) = bytes else {
        stats.skipped(SkipReason::TooLarge);
        stats.warn(
            Some("<stdin>"),
            format!("larger than --max-file-size ({max} bytes); not scanned"),
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
