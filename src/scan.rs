//! The pipeline that joins the stages: a source's blobs go through the engine, matches become
//! findings, added-line limits, inline allow comments and configured allowlists apply while the
//! blob's bytes are at hand, and each worker thread collects its findings locally and hands them
//! over once, at the end, so there is no lock on the hot path. (The baseline applies to the
//! collected findings; see `cli::output::finish`.)

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::engine::{Engine, Scratch};
use crate::filter::allowlist::Allowlists;
use crate::filter::{inline, Suppressed};
use crate::finding::{redact, Finding, FindingBuilder, HiddenValue};
use crate::rules::RuleSet;
use crate::source::{Blob, BlobVisitor, ScanStats};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Honour `credlint:allow` and its aliases (`--no-inline-allow` turns this off for audits).
    pub inline_allow: bool,
    /// The configuration's allowlists.
    pub allowlists: Arc<Allowlists>,
    /// Findings kept per file before the engine stops looking in it.
    pub max_findings_per_file: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            inline_allow: true,
            allowlists: Arc::default(),
            max_findings_per_file: crate::engine::DEFAULT_MATCH_LIMIT,
        }
    }
}

pub struct Scanner {
    engine: Engine,
    options: ScanOptions,
}

/// Findings from all threads, and how many the inline and allowlist filters suppressed.
#[derive(Default)]
pub struct Sink {
    findings: Mutex<Vec<Finding>>,
    suppressed_inline: AtomicU64,
    suppressed_allowlist: AtomicU64,
}

impl Sink {
    pub fn into_findings(self) -> Vec<Finding> {
        let mut findings = self
            .findings
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        sort_findings(&mut findings);
        findings
    }

    /// What the filters that run during the scan removed (the baseline is applied later).
    pub fn suppressed(&self) -> Suppressed {
        Suppressed {
            inline: self.suppressed_inline.load(Ordering::Relaxed),
            allowlist: self.suppressed_allowlist.load(Ordering::Relaxed),
            baseline: 0,
        }
    }
}

/// Report order: by path, then position, then rule.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            &a.path,
            a.location.start_line,
            a.location.start_column,
            &a.rule_id,
        )
            .cmp(&(
                &b.path,
                b.location.start_line,
                b.location.start_column,
                &b.rule_id,
            ))
    });
}

impl Scanner {
    pub fn new(rules: Arc<RuleSet>, options: ScanOptions) -> Scanner {
        Scanner {
            engine: Engine::new(rules).with_match_limit(options.max_findings_per_file),
            options,
        }
    }

    pub fn rules(&self) -> &RuleSet {
        self.engine.rules()
    }

    pub fn rule_set(&self) -> &Arc<RuleSet> {
        self.engine.rule_set()
    }

    /// A per-thread worker that feeds blobs through the pipeline into `sink`.
    pub fn worker<'a>(&'a self, sink: &'a Sink, stats: &'a ScanStats) -> Worker<'a> {
        Worker {
            scanner: self,
            sink,
            stats,
            scratch: Scratch::default(),
            findings: Vec::new(),
            suppressed: Suppressed::default(),
        }
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Scans one blob, appending its findings to `out`; returns what inline comments and
    /// allowlists suppressed. Says so in `stats` when the blob had more matches than the limit.
    pub fn scan_blob(
        &self,
        blob: &Blob,
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
        stats: &ScanStats,
    ) -> Suppressed {
        let mut suppressed = Suppressed::default();
        let matches = self.engine.scan(blob.rel_path, blob.bytes, scratch);
        if scratch.truncated {
            stats.warn(
                Some(blob.path),
                format!(
                    "more than {} findings in this file; the scan of it stopped there (raise --max-findings-per-file to see more)",
                    self.engine.match_limit()
                ),
            );
        }
        if matches.is_empty() {
            return suppressed;
        }
        let rules = self.engine.rules().rules();
        // Disabled rules still count as rule ids, so `credlint:allow ID` naming one stays
        // scoped to it rather than reading as a free-text reason that allows everything.
        let is_rule_id = |id: &str| self.engine.rules().knows(id);
        // A lone match has nothing else to hide on its line.
        let others = if matches.len() > 1 { &matches[..] } else { &[] };
        let hidden: Vec<HiddenValue> = others
            .iter()
            .filter(|found| rules[found.rule].redact)
            .map(|found| HiddenValue {
                span: found.secret.clone(),
                redacted: redact(
                    &String::from_utf8_lossy(&blob.bytes[found.secret.clone()]),
                    &rules[found.rule].def.keywords,
                ),
            })
            .collect();
        let mut builder = FindingBuilder::new(blob.bytes, blob.path, blob.rel_path);
        for found in &matches {
            let rule = &rules[found.rule];
            let mut finding = builder.build(rule, found, &hidden);
            if let Some(lines) = blob.added_lines {
                if !lines.intersects(finding.location.start_line, finding.location.end_line) {
                    continue;
                }
            }
            if self.options.inline_allow
                && inline::is_allowed(blob.bytes, found.secret.clone(), rule.id(), &is_rule_id)
            {
                suppressed.inline += 1;
                continue;
            }
            if self.options.allowlists.allows(&finding, blob.bytes) {
                suppressed.allowlist += 1;
                continue;
            }
            finding.git = blob.git.cloned();
            out.push(finding);
        }
        suppressed
    }
}

/// Scans blobs on one thread; hands its findings to the sink when dropped.
pub struct Worker<'a> {
    scanner: &'a Scanner,
    sink: &'a Sink,
    stats: &'a ScanStats,
    scratch: Scratch,
    findings: Vec<Finding>,
    suppressed: Suppressed,
}

impl Worker<'_> {
    pub fn scan(&mut self, blob: &Blob) {
        let Worker {
            scanner,
            scratch,
            findings,
            stats,
            ..
        } = self;
        // A bug in a rule or the engine must cost one blob, not the whole scan.
        let before = findings.len();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            scanner.scan_blob(blob, scratch, findings, stats)
        }));
        match result {
            Ok(suppressed) => self.suppressed.add(suppressed),
            Err(_) => {
                self.findings.truncate(before);
                self.scratch = Scratch::default();
                self.stats.warn(
                    Some(blob.path),
                    "internal error while scanning this file; it was skipped (please report this)"
                        .into(),
                );
            }
        }
    }
}

impl BlobVisitor for Worker<'_> {
    fn visit(&mut self, blob: &Blob) {
        self.scan(blob);
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        if !self.findings.is_empty() {
            let mut shared = self.sink.findings.lock().unwrap_or_else(|e| e.into_inner());
            shared.append(&mut self.findings);
        }
        self.sink
            .suppressed_inline
            .fetch_add(self.suppressed.inline, Ordering::Relaxed);
        self.sink
            .suppressed_allowlist
            .fetch_add(self.suppressed.allowlist, Ordering::Relaxed);
    }
}
