//! Filters: what decides that a finding the engine produced is not reported.
//!
//! - [`inline`]: `credlint:allow` comments (and other tools' markers), checked while the blob's
//!   bytes are at hand.
//! - [`allowlist`]: the configuration's allowlists (paths, secret and line regexes, stopwords),
//!   also checked while the bytes are at hand, because a line regex needs the whole line.
//! - [`baseline`]: findings recorded in a baseline file, by fingerprint, removed from the
//!   collected findings at the end of a scan.
//!
//! Each filter counts what it removed, so every report can say how much was suppressed and by
//! what. A finding removed by one filter is not counted again by a later one.

pub mod allowlist;
pub mod baseline;
pub mod inline;

/// Findings that filters removed, by filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Suppressed {
    pub inline: u64,
    pub baseline: u64,
    pub allowlist: u64,
}

impl Suppressed {
    pub fn total(&self) -> u64 {
        self.inline + self.baseline + self.allowlist
    }

    pub fn add(&mut self, other: Suppressed) {
        self.inline += other.inline;
        self.baseline += other.baseline;
        self.allowlist += other.allowlist;
    }
}
