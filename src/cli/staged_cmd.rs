//! `credlint staged`: what the next commit adds (the pre-commit hook).

use std::time::Instant;

use super::args::StagedArgs;
use super::git_cmd::{git_options, load_settings};
use super::output;
use super::scan_cmd::default_threads;
use super::EXIT_FINDINGS;
use crate::report::Format;
use crate::source::git::staged;

pub fn run(args: StagedArgs) -> Result<i32, String> {
    let started = Instant::now();
    // The repository's index and the rule set load at the same time: each is about half of a
    // pre-commit run. A configuration error is reported before a git one, as it always was.
    let (settings, staged) = std::thread::scope(|scope| {
        let staged = scope.spawn(|| staged::read(&args.repo));
        let settings =
            load_settings(&args.repo, &args.config, &args.blobs, &args.output).map(|settings| {
                let scanner = output::scanner(&settings);
                (settings, scanner)
            });
        let staged = staged
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (settings, staged)
    });
    let (settings, scanner) = settings?;
    let staged = staged.map_err(|e| e.to_string())?;
    let mut source = staged.with_options(git_options(&settings));
    let threads = args.output.threads.unwrap_or_else(default_threads);
    let code = output::scan_and_report(
        &args.output,
        &settings,
        &scanner,
        &mut source,
        threads,
        started,
        None,
    )?;
    if code == EXIT_FINDINGS && matches!(args.output.format, Format::Human) && !args.output.quiet {
        // What a blocked commit can do next, after the report (the pre-commit hook's output).
        super::say::out(&format!("{PROCEED}\n"))?;
    }
    // Freeing the rule set, its automata and libgit2's caches one by one took 2 ms of a 15 ms
    // pre-commit run; the process is about to exit and the system takes them back at once.
    std::mem::forget((settings, scanner, source));
    Ok(code)
}

/// The one line after a blocked commit's report: the ways forward (README, "Suppressing findings").
pub const PROCEED: &str = "Commit blocked. Remove the secret (and revoke it if it is real), or if it is not a secret add a `credlint:allow RULE-ID` comment on its line, or accept it in a baseline (`credlint baseline --output .credlint-baseline.json`, then `baseline = \".credlint-baseline.json\"` under [scan] in .credlint.toml).";
