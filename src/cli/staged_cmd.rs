//! `credlint staged`: what the next commit adds (the pre-commit hook).

use std::sync::Arc;
use std::time::Instant;

use super::args::StagedArgs;
use super::git_cmd::{git_options, load_settings};
use super::output;
use super::EXIT_FINDINGS;
use crate::filter::baseline::Scope;
use crate::report::{Format, ScanMode};
use crate::scan::Scanner;
use crate::source::git::staged;
use crate::source::ScanStats;

pub fn run(args: StagedArgs) -> Result<i32, String> {
    let started = Instant::now();
    let settings = load_settings(&args.repo, &args.config, &args.blobs, &args.output)?;
    let scanner = Scanner::new(Arc::clone(&settings.rules), settings.scan.clone());
    let stats = Arc::new(ScanStats::default());
    let options = git_options(&settings, &args.output);
    let result = staged::scan(&args.repo, &options, &scanner, &stats).map_err(|e| e.to_string())?;
    // A staged change is part of some files: no baseline entry can be called stale.
    let code = output::finish_findings(
        &args.output,
        &settings,
        result.findings,
        result.suppressed,
        &stats,
        ScanMode::Staged,
        started,
        &Scope::Nothing,
    );
    if code == EXIT_FINDINGS && matches!(args.output.format, Format::Human) && !args.output.quiet {
        // What a blocked commit can do next, after the report (the pre-commit hook's output).
        println!("{PROCEED}");
    }
    Ok(code)
}

/// The one line after a blocked commit's report: the ways forward (README, "Suppressing findings").
pub const PROCEED: &str = "Commit blocked. Remove the secret (and revoke it if it is real), or if it is not a secret add a `credlint:allow RULE-ID` comment on its line, or accept it in a baseline (`credlint baseline --output .credlint-baseline.json`, then `baseline = \".credlint-baseline.json\"` under [scan] in .credlint.toml).";
