//! Filters: what decides that a finding the engine produced is not reported. Inline allow
//! comments are checked while the blob's bytes are at hand; baselines and configured allowlists
//! apply to the collected findings.

pub mod inline;
