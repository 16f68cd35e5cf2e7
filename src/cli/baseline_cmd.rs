//! `credlint baseline`: scans like `credlint scan` and writes the findings it would report as a
//! baseline file (to stdout or `--output`), or with `--prune` rewrites an existing baseline
//! without the entries whose finding is gone.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use super::args::BaselineArgs;
use super::output::scanner;
use super::scan_cmd::{default_threads, load_settings, source};
use super::{EXIT_CLEAN, EXIT_ERROR};
use crate::config::settings::{display_path, read_baseline, BaselineUse};
use crate::filter::baseline::Baseline;
use crate::report::progress::Progress;
use crate::report::ScanMode;
use crate::source::{ScanStats, SkipReason};

pub fn run(args: BaselineArgs) -> Result<i32, String> {
    // The findings to record are those a scan reports before any baseline: the previous
    // baseline is read only to be pruned.
    let settings = load_settings(
        &args.paths,
        &args.config,
        &args.walk,
        None,
        BaselineUse::Ignore,
    )?;
    let previous = if args.prune {
        let source = settings
            .baseline_path
            .clone()
            .or_else(|| args.output.clone())
            .ok_or(
                "--prune needs the baseline to prune: --baseline FILE, --output FILE, or scan.baseline in the configuration",
            )?;
        let baseline = read_baseline(&source)?;
        Some((source, baseline))
    } else {
        None
    };

    let scanner = scanner(&settings);
    let stats = Arc::new(ScanStats::default());
    let mut source = source(&args.paths, &args.walk, &settings)?;
    let progress = (!args.quiet && std::io::stderr().is_terminal())
        .then(|| Progress::start(Arc::clone(&stats), ScanMode::Directory.unit()));
    let outcome = scanner.run(
        source.as_mut(),
        args.threads.unwrap_or_else(default_threads),
        &stats,
    );
    drop(progress);
    let findings = outcome.map_err(|e| e.to_string())?.findings;
    let scope = source.coverage();

    let baseline = match &previous {
        Some((_, old)) => old.pruned(&findings, &scope),
        None => Baseline::from_findings(&findings),
    };
    let text = baseline.to_json();
    match &args.output {
        Some(path) => {
            crate::report::write_atomically(path, false, |file| file.write_all(text.as_bytes()))
                .map_err(|e| format!("cannot write the baseline to {}: {e}", display_path(path)))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(format!("cannot write the baseline: {e}"));
                }
            }
        }
    }

    let warnings = stats.take_warnings();
    if !args.quiet {
        for warning in &warnings {
            let path = warning
                .path
                .as_deref()
                .map(|p| format!("{p}: "))
                .unwrap_or_default();
            super::say::note(&format!(
                "credlint: warning: {}",
                crate::report::escape::terminal(&format!("{path}{}", warning.message))
            ));
        }
        let target = args
            .output
            .as_deref()
            .map_or_else(|| "standard output".to_string(), display_path);
        match &previous {
            Some((source, old)) => super::say::note(&format!(
                "credlint: pruned {} stale entr{} from {}; {} kept, written to {target}.",
                old.len() - baseline.len(),
                if old.len() - baseline.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                display_path(source),
                baseline.len()
            )),
            None => super::say::note(&format!(
                "credlint: baseline of {} finding{} written to {target}.",
                baseline.len(),
                if baseline.len() == 1 { "" } else { "s" }
            )),
        }
    }
    let unreadable = stats
        .skipped_counts()
        .get(&SkipReason::Unreadable)
        .copied()
        .unwrap_or(0);
    if unreadable > 0 && !args.allow_unreadable {
        super::say::note(&format!(
            "credlint: {unreadable} file(s) could not be read, so the baseline may be incomplete (exit 2); --allow-unreadable accepts that"
        ));
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_CLEAN)
}
