//! credlint: a secret scanner and security linter for source repositories.
//!
//! Data flows one way, and the modules follow it:
//!
//! ```text
//!  source ──► engine ──► finding ──► filter ──► report
//!  (blobs)    (matches)  (located,   (inline,    (human, json, jsonl,
//!                         redacted,   baseline,   sarif, github)
//!                         fingerprint) allowlists)
//! ```
//!
//! `rules` and `context` feed the engine; `config` (the user's `.credlint.toml`) adjusts the
//! rules and feeds the filters; `scan` joins the stages; `cli` is the thin glue.

pub mod cli;
pub mod config;
pub mod context;
pub mod engine;
pub mod filter;
pub mod finding;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
