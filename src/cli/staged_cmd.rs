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
    // The repository's index and the rule set load at the same time: each is about half of a
    // pre-commit run. A configuration error is reported before a git one, as it always was.
    let (settings, staged) = std::thread::scope(|scope| {
        let staged = scope.spawn(|| staged::read(&args.repo));
        let settings =
            load_settings(&args.repo, &args.config, &args.blobs, &args.output).map(|settings| {
                let scanner = Scanner::new(Arc::clone(&settings.rules), settings.scan.clone());
                (settings, scanner)
            });
        let staged = staged
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (settings, staged)
    });
    let (settings, scanner) = settings?;
    let staged = staged.map_err(|e| e.to_string())?;
    let stats = Arc::new(ScanStats::default());
    let options = git_options(&settings, &args.output);
    let result = staged
        .scan(&options, &scanner, &stats)
        .map_err(|e| e.to_string())?;
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
    // Freeing the rule set, its automata and libgit2's caches one by one took 2 ms of a 15 ms
    // pre-commit run; the process is about to exit and the system takes them back at once.
    std::mem::forget((settings, scanner, staged));
    Ok(code)
}

/// The one line after a blocked commit's report: the ways forward (README, "Suppressing findings").
pub const PROCEED: &str = "Commit blocked. Remove the secret (and revoke it if it is real), or if it is not a secret add a `credlint:allow RULE-ID` comment on its line, or accept it in a baseline (`credlint baseline --output .credlint-baseline.json`, then `baseline = \".credlint-baseline.json\"` under [scan] in .credlint.toml).";
