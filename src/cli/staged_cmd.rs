//! `credlint staged`: what the next commit adds (the pre-commit hook).

use std::sync::Arc;
use std::time::Instant;

use super::args::StagedArgs;
use super::git_cmd::{git_options, scanner};
use super::output;
use crate::report::{ScanMode, Suppressed};
use crate::source::git::staged;
use crate::source::ScanStats;

pub fn run(args: StagedArgs) -> Result<i32, String> {
    let started = Instant::now();
    let scanner = scanner(&args.output)?;
    let stats = Arc::new(ScanStats::default());
    let options = git_options(&args.blobs, &args.output);
    let result = staged::scan(&args.repo, &options, &scanner, &stats).map_err(|e| e.to_string())?;
    let suppressed = Suppressed {
        inline: result.suppressed_inline,
        ..Suppressed::default()
    };
    let summary = output::summarize(&stats, ScanMode::Staged, started, suppressed);
    Ok(output::emit(
        &args.output,
        scanner.rules(),
        &result.findings,
        &summary,
    ))
}
