//! The command line: clap definitions and the glue between them and the pipeline. Thin on
//! purpose: each subcommand parses its arguments, builds the pieces, runs the pipeline and hands
//! the result to [`output`], which writes the reports and picks the exit code.

mod args;
mod baseline_cmd;
mod config_cmd;
mod git_cmd;
mod hook_cmd;
mod output;
mod rules_cmd;
mod rules_doc;
mod say;
mod scan_cmd;
mod staged_cmd;

use clap::Parser;

pub use args::Cli;
use args::Command;

/// Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 error.
pub use crate::scan::summary::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub fn main() -> i32 {
    install_panic_hook();
    remove_temporary_files_on_interrupt();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help to stdout and errors to stderr; either may be closed.
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    EXIT_CLEAN
                }
                _ => EXIT_ERROR,
            };
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan_cmd::run(args),
        Command::Git(args) => git_cmd::run(args),
        Command::Staged(args) => staged_cmd::run(args),
        Command::Rules(args) => rules_cmd::run(args),
        Command::Baseline(args) => baseline_cmd::run(args),
        Command::Config(args) => config_cmd::run(args),
        Command::InstallHook(args) => hook_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            // Configuration errors come several at a time, one a line.
            for line in message.lines() {
                say::note(&format!("credlint: error: {line}"));
            }
            EXIT_ERROR
        }
    }
}

/// On Ctrl-C (and `kill`, and a closed terminal) a report or baseline being written must not be
/// left behind as a temporary file: the handler removes them, then lets the signal end the
/// process as it would have. A signal the process started out ignoring (a background job of a
/// shell without job control) stays ignored.
fn remove_temporary_files_on_interrupt() {
    #[cfg(unix)]
    {
        extern "C" fn on_signal(signal: libc::c_int) {
            crate::report::write::remove_pending();
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
                libc::raise(signal);
            }
        }
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            unsafe {
                let mut current: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut current) != 0
                    || current.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }
}

/// Replaces Rust's panic message with one that never quotes data. The standard message can
/// include the contents of a string that was sliced wrongly, which here means scanned content and
/// possibly a secret. Workers catch panics and skip the blob; this only decides what is printed.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if std::env::var_os("CREDLINT_DEBUG_PANICS").is_some() {
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            say::note(&format!("credlint: internal error{location}: {payload}"));
        } else {
            say::note(&format!(
                "credlint: internal error{location} (details withheld because they may quote scanned content; \
                 CREDLINT_DEBUG_PANICS=1 shows them). Please report it."
            ));
        }
    }));
}
