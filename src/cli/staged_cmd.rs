//! `credlint staged`: what the next commit adds (the pre-commit hook).

use std::path::Path;
use std::time::Instant;

use super::args::StagedArgs;
use super::git_cmd::{git_options, load_settings_in};
use super::output;
use super::scan_cmd::default_threads;
use super::EXIT_FINDINGS;
use crate::report::Format;
use crate::source::git::staged;

pub fn run(args: StagedArgs) -> Result<i32, String> {
    let started = Instant::now();
    // The repository's index and the rule set load at the same time: each is about half of a
    // pre-commit run. The settings need the repository's work tree (for .credlint.toml) only
    // after the built-in rules, by when the other thread has opened the repository and said
    // where it is: one open, not one per thread. A configuration error is reported before a
    // git one, as it always was.
    let (work_tree_tx, work_tree_rx) = std::sync::mpsc::sync_channel(1);
    let repo = args.repo.clone();
    let reader = std::thread::spawn(move || {
        staged::read(&repo, |work_tree| {
            let _ = work_tree_tx.send(work_tree.map(Path::to_path_buf));
        })
    });
    start_elsewhere(&reader);
    // A repository that does not open sends nothing: no work tree, and the scan says why.
    let work_tree = || work_tree_rx.recv().ok().flatten();
    let settings = load_settings_in(
        work_tree,
        &args.repo,
        &args.config,
        None,
        &args.blobs,
        &args.output,
    )
    .map(|settings| {
        let scanner = output::scanner(&settings);
        (settings, scanner)
    });
    let staged = reader
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
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

/// Asks the scheduler to run `thread` on another processor than this thread's. Linux queues a
/// new thread on its parent's processor and, with the parent busy, moves it to an idle one only
/// at the next load-balancing tick: on a two-core machine a quarter of back-to-back runs started
/// the index reader 3-4 ms late (a C test of `pthread_create` alone: p75 0.09 ms with this, 3.2
/// ms without), longer than the whole rest of a pre-commit run. The thread only reads the index
/// and ends; nothing it starts inherits the narrower set. Best effort: any failure leaves the
/// scheduler's choice.
#[cfg(target_os = "linux")]
fn start_elsewhere<T>(thread: &std::thread::JoinHandle<T>) {
    use std::os::unix::thread::JoinHandleExt;
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: plain system calls on a zeroed `cpu_set_t` of the size passed, and on a thread
    // that cannot have been joined yet (the handle is borrowed).
    unsafe {
        let here = libc::sched_getcpu();
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        if here < 0 || libc::sched_getaffinity(0, size, &mut allowed) != 0 {
            return;
        }
        libc::CPU_CLR(here as usize, &mut allowed);
        if libc::CPU_COUNT(&allowed) > 0 {
            libc::pthread_setaffinity_np(thread.as_pthread_t(), size, &allowed);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn start_elsewhere<T>(_thread: &std::thread::JoinHandle<T>) {}
