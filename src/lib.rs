//! credlint: a secret scanner and security linter for source repositories.
//!
//! Data flows one way, and the modules follow it:
//!
//! ```text
//!  source ──► admission ──► engine ──► finding ──► filter ──► report
//!  (fs, stdin, (binary by    (keywords, (located,   (added lines,  (human, concise,
//!   history,   content, BOM   windowed   redacted,   inline allow,  json, jsonl, sarif,
//!   range,     plausibility)  regexes)   fingerprint) allowlists,    github, gitlab,
//!   staged)                                           baseline, limit) junit, csv)
//! ```
//!
//! `scan` runs every mode through those stages the same way and builds the summary. `rules`
//! and `context` feed the engine; `rulecheck` checks rules by their examples (above rules and
//! engine); `config` (the user's `.credlint.toml`, and the settings a command resolves from it
//! and its flags) adjusts the rules and feeds the filters; `cli` parses flags, calls the library
//! and prints.

pub mod admission;
pub mod cli;
pub mod config;
pub mod context;
pub mod engine;
pub mod filter;
pub mod finding;
pub mod message;
pub mod report;
pub mod rulecheck;
pub mod rules;
pub mod scan;
pub mod source;
#[cfg(test)]
mod testing;
