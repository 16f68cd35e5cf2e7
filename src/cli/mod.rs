//! The command line: clap definitions and the glue between them and the pipeline. Thin on
//! purpose: each subcommand parses its arguments, builds the pieces, runs the pipeline and hands
//! the result to [`output`], which writes the reports and picks the exit code.

mod args;
mod output;
mod rules_cmd;
mod rules_doc;
mod scan_cmd;

use clap::Parser;

pub use args::Cli;
use args::Command;

/// Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 error.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
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
        Command::Rules(args) => rules_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("credlint: error: {message}");
            EXIT_ERROR
        }
    }
}
