//! The pipeline every mode runs: source → admission → engine → findings → filters, one way.
//!
//! A [`Source`] reads blobs and hands each to a [`Worker`] on the thread that read it. The worker
//! admits the bytes ([`crate::admission`]), works out which lines a range or staged change adds
//! ([`added`]), has the engine match them once for every place the blob lives, and judges each
//! match place by place: only added lines, inline allow comments, the configured allowlists
//! and the baseline; a match is reported at the first place where nothing suppresses it. Then
//! the per-file limit ([`limit`]) picks what to show from what survived, so suppressed matches
//! never use it up and no secret is hidden silently. Each worker keeps its findings and hands
//! them over once, when it is dropped: there is no lock on the hot path, one place catches a
//! panicking blob, and one place merges.
//!
//! After every blob was read, [`Scanner::run`] asks the source for what only it knows about
//! the places with findings (the commit, whether the secret is still in HEAD), keeps the first
//! appearance of each secret where the source says repeats are one finding, and lists the
//! baseline entries nothing matched.

pub mod added;
mod archive;
pub mod decoded;
pub mod limit;
pub mod presence;
pub mod summary;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use crate::admission::{self, Admission};
use crate::engine::{Engine, Match, Scratch};
use crate::filter::allowlist::{Allowlists, Candidate};
use crate::filter::baseline::{Baseline, Entry};
use crate::filter::{inline, Suppressed};
use crate::finding::{fingerprint, redact, Finding, FindingBuilder, HiddenValue};
use crate::rules::{RuleSet, Severity};
use crate::source::{
    Blob, BlobVisitor, LineSet, Place, ScanStats, Source, SourceError, VisitorFactory,
};

pub use summary::Summary;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Honour `credlint:allow` and its aliases (`--no-inline-allow` turns this off for audits).
    pub inline_allow: bool,
    /// The configuration's allowlists.
    pub allowlists: Arc<Allowlists>,
    /// Findings already accepted: reported only when they are not in it.
    pub baseline: Option<Arc<Baseline>>,
    /// Findings shown per file (distinct values; see [`limit`]).
    pub max_findings_per_file: usize,
    /// Layers of encoded values decoded and matched ([`decoded`]); 0 turns decoding off.
    pub max_decode_depth: u8,
    /// How far archives and compressed files are opened ([`archive`]).
    pub archives: crate::admission::container::Limits,
}

/// Findings shown per file unless the user says otherwise.
pub const DEFAULT_FINDINGS_PER_FILE: usize = 1000;

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            inline_allow: true,
            allowlists: Arc::default(),
            baseline: None,
            max_findings_per_file: DEFAULT_FINDINGS_PER_FILE,
            max_decode_depth: crate::admission::decode::DEFAULT_MAX_DEPTH,
            archives: Default::default(),
        }
    }
}

/// Runs sources through the pipeline.
pub struct Scanner {
    engine: Engine,
    options: ScanOptions,
    /// The baseline's fingerprints, for a lookup per surviving match (as numbers: a baseline of
    /// a generated file has hundreds of thousands).
    baselined: HashSet<u128>,
    /// The indices of the presence rules, found once: every blob is checked against them.
    presence_rules: Vec<usize>,
}

/// What a scan found, once every blob was read.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Sorted by path, position and rule; with provenance where the source has it.
    pub findings: Vec<Finding>,
    pub suppressed: Suppressed,
    /// Baseline entries no finding matched although the scan covered their path.
    pub stale_baseline: Vec<Entry>,
    /// Findings the per-file limit did not show, and the most severe of them.
    pub hidden: u64,
    pub hidden_severity: Option<Severity>,
}

impl Scanner {
    pub fn new(rules: Arc<RuleSet>, options: ScanOptions) -> Scanner {
        let bound = options
            .max_findings_per_file
            .saturating_mul(16)
            .max(crate::engine::DEFAULT_MATCH_BOUND);
        let baselined = options
            .baseline
            .iter()
            .flat_map(|b| b.entries())
            .filter_map(|e| crate::filter::baseline::fingerprint_number(&e.fingerprint))
            .collect();
        let presence_rules = presence::rule_indices(&rules);
        Scanner {
            engine: Engine::new(rules).with_match_bound(bound),
            options,
            baselined,
            presence_rules,
        }
    }

    pub fn rules(&self) -> &RuleSet {
        self.engine.rules()
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Reads every blob of `source` through the pipeline on `threads` threads.
    pub fn run(
        &self,
        source: &mut dyn Source,
        threads: usize,
        stats: &ScanStats,
    ) -> Result<Outcome, SourceError> {
        let sink = Sink::default();
        let factory = Workers {
            scanner: self,
            sink: &sink,
            stats,
        };
        source.read(threads.max(1), stats, &factory)?;
        let collected = sink.into_inner();
        let mut findings = collected.findings;
        if source.one_finding_per_fingerprint() {
            first_appearances(&mut findings);
        }
        attach_provenance(source, &mut findings, stats);
        sort_findings(&mut findings);
        let stale_baseline = match &self.options.baseline {
            Some(baseline) => {
                let coverage = source.coverage();
                baseline
                    .entries()
                    .iter()
                    .filter(|e| {
                        coverage.covers(&e.path) && !collected.baselined.contains(&*e.fingerprint)
                    })
                    .cloned()
                    .collect()
            }
            None => Vec::new(),
        };
        Ok(Outcome {
            findings,
            suppressed: collected.suppressed,
            stale_baseline,
            hidden: collected.hidden,
            hidden_severity: collected.hidden_severity,
        })
    }

    /// A worker for scanning blobs by hand (tests, fuzzing); its findings go to `sink`.
    pub fn worker<'a>(&'a self, sink: &'a Sink, stats: &'a ScanStats) -> Worker<'a> {
        Worker {
            scanner: self,
            sink,
            stats,
            scratch: Scratch::default(),
            found: Collected::default(),
        }
    }
}

/// Keeps, of findings with the same fingerprint (the same secret of the same rule at the same
/// path, in several versions or commits), the first appearance: the oldest origin, then the
/// first position, so the choice does not depend on thread timing.
fn first_appearances(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (
            a.origin,
            &a.rel_path,
            a.location.start_line,
            a.location.start_column,
        )
            .cmp(&(
                b.origin,
                &b.rel_path,
                b.location.start_line,
                b.location.start_column,
            ))
    });
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert(f.fingerprint.clone()));
}

/// Asks the source about the places that had findings: each commit once.
fn attach_provenance(source: &dyn Source, findings: &mut [Finding], stats: &ScanStats) {
    let mut asked: HashMap<(u32, Option<String>), Option<crate::source::GitOrigin>> =
        HashMap::new();
    for finding in findings.iter_mut() {
        let key = (finding.origin, finding.object.clone());
        let origin = asked
            .entry(key)
            .or_insert_with(|| source.provenance(finding.origin, finding.object.as_deref(), stats))
            .clone();
        let Some(mut origin) = origin else { continue };
        if let Some(object) = &finding.object {
            origin.in_head =
                source.still_present(object, &finding.rel_path, finding.secret.as_bytes());
        }
        finding.git = Some(origin);
    }
    crate::finding::mask_summaries(findings);
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

/// What workers hand over.
#[derive(Debug, Default)]
struct Collected {
    findings: Vec<Finding>,
    suppressed: Suppressed,
    /// Fingerprints of baseline entries that matched something.
    baselined: HashSet<String>,
    hidden: u64,
    hidden_severity: Option<Severity>,
    /// (path, line) of allow comments already reported as naming no rule.
    typos: HashSet<(String, usize)>,
}

impl Collected {
    /// Counts a match no place reported, under the reason of its first place (a line a change
    /// does not add is not the change's to answer for, and not counted).
    fn count_suppressed(&mut self, reason: Suppression) {
        match reason {
            Suppression::NotAdded => {}
            Suppression::Inline => self.suppressed.inline += 1,
            Suppression::Allowlist => self.suppressed.allowlist += 1,
            Suppression::Baseline => self.suppressed.baseline += 1,
        }
    }

    fn absorb(&mut self, other: Collected) {
        self.findings.extend(other.findings);
        self.suppressed.add(other.suppressed);
        self.baselined.extend(other.baselined);
        self.hidden += other.hidden;
        self.hidden_severity = self.hidden_severity.max(other.hidden_severity);
    }
}

/// Where workers hand over their findings, once each.
#[derive(Default)]
pub struct Sink {
    collected: Mutex<Collected>,
}

impl Sink {
    fn into_inner(self) -> Collected {
        self.collected
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The findings handed over so far, sorted (for scanning by hand).
    pub fn into_findings(self) -> Vec<Finding> {
        let mut findings = self.into_inner().findings;
        sort_findings(&mut findings);
        findings
    }
}

struct Workers<'a> {
    scanner: &'a Scanner,
    sink: &'a Sink,
    stats: &'a ScanStats,
}

impl VisitorFactory for Workers<'_> {
    fn visitor(&self) -> Box<dyn BlobVisitor + Send + '_> {
        Box::new(self.scanner.worker(self.sink, self.stats))
    }
}

/// Scans blobs on one thread; hands its findings to the sink when dropped.
pub struct Worker<'a> {
    scanner: &'a Scanner,
    sink: &'a Sink,
    stats: &'a ScanStats,
    scratch: Scratch,
    found: Collected,
}

impl BlobVisitor for Worker<'_> {
    fn visit(&mut self, blob: &Blob) {
        // A bug in a rule or the engine must cost one blob, not the whole scan.
        let mut found = Collected::default();
        let scratch = &mut self.scratch;
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            self.scanner
                .scan_blob(blob, None, scratch, self.stats, &mut found)
        }));
        match result {
            Ok(()) => self.found.absorb(found),
            Err(_) => {
                self.scratch = Scratch::default();
                let shown = blob.places.first().map(|p| p.path);
                let what = match blob.object {
                    Some(object) => format!("blob {object}"),
                    None => "this file".to_string(),
                };
                self.stats.warn(
                    shown,
                    format!(
                        "internal error while scanning {what}; it was skipped (please report this)"
                    ),
                );
            }
        }
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        let found = std::mem::take(&mut self.found);
        self.sink
            .collected
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .absorb(found);
    }
}

/// Why a match is not reported at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suppression {
    /// Not on a line the change adds: not the change's to answer for, and not counted.
    NotAdded,
    Inline,
    Allowlist,
    Baseline,
}

/// A match that survived every filter at a place, waiting for the per-file limit.
struct Survivor<'m> {
    place: usize,
    found: &'m Match,
    fingerprint: String,
}

impl Scanner {
    fn scan_blob(
        &self,
        blob: &Blob,
        within: Option<&archive::Within>,
        scratch: &mut Scratch,
        stats: &ScanStats,
        out: &mut Collected,
    ) {
        if blob.places.is_empty() {
            return;
        }
        if archive::scan_members(self, blob, within, scratch, stats, out) {
            return;
        }
        // Files whose presence is the finding are judged on the raw bytes: keystores are binary.
        let presence =
            presence::candidates(self.rules(), &self.presence_rules, blob.places, blob.bytes);
        let text = match admission::admit(blob.bytes, blob.places.iter().map(|p| p.rel_path)) {
            Admission::Text(text) => text,
            Admission::Skip(reason) => {
                self.report_presence(&presence, blob, stats, out);
                return stats.skipped(reason);
            }
        };
        let bytes: &[u8] = &text.bytes;
        let added = match blob.replaces {
            Some(replaces) => match added::lines(bytes, replaces) {
                // A change that only deletes or moves lines adds nothing to scan.
                Some(lines) if lines.is_empty() => return,
                lines => lines,
            },
            None => None,
        };
        stats.scanned(blob.bytes.len());
        let (findings_before, suppressed_before) = (out.findings.len(), out.suppressed.total());
        self.match_text(
            bytes,
            blob.places,
            blob.object,
            added.as_ref(),
            scratch,
            stats,
            out,
        );
        // A presence finding yields to a secret the content rules found in the file.
        let content_secret = out.suppressed.total() != suppressed_before
            || out.findings[findings_before..]
                .iter()
                .any(|f| f.kind == crate::rules::Kind::Secret);
        if !presence.is_empty() && !content_secret {
            self.report_presence(&presence, blob, stats, out);
        }
    }

    /// Scans admitted text at one path, as a file on its own (for tests and fuzzing: the
    /// matching, filtering and limit of the pipeline without a source or admission).
    pub fn scan_text(&self, path: &str, text: &[u8], stats: &ScanStats) -> Vec<Finding> {
        let mut out = Collected::default();
        let places = [Place {
            path,
            rel_path: path,
            origin: 0,
        }];
        let mut scratch = Scratch::default();
        self.match_text(text, &places, None, None, &mut scratch, stats, &mut out);
        out.findings
    }

    /// Matches admitted text once for every place it lives and keeps what the filters and the
    /// per-file limit let through.
    #[allow(clippy::too_many_arguments)]
    fn match_text(
        &self,
        bytes: &[u8],
        places: &[Place],
        object: Option<&str>,
        added: Option<&LineSet>,
        scratch: &mut Scratch,
        stats: &ScanStats,
        out: &mut Collected,
    ) {
        let Some(first) = places.first() else {
            return;
        };
        let rel_paths: Vec<&str> = places.iter().map(|p| p.rel_path).collect();
        // A change is matched where it adds lines; the filters below still judge every match.
        let lines = added.map(|_| LineIndex::new(bytes));
        let added_spans = added
            .zip(lines.as_ref())
            .map(|(added, lines)| lines.spans_of(added, bytes.len()));
        let mut per_place =
            self.engine
                .scan_within(&rel_paths, bytes, added_spans.as_deref(), scratch);
        let depth = self.options.max_decode_depth;
        decoded::add_matches(
            &self.engine,
            &rel_paths,
            bytes,
            depth,
            added_spans.as_deref(),
            &mut per_place,
            scratch,
        );
        if scratch.truncated {
            stats.incomplete(
                first.path,
                format!(
                    "over {} matches in this file: it was scanned only up to there, and what \
                     follows may hide secrets (a generated file? exclude it, or scan it on its own)",
                    self.engine.match_bound()
                ),
            );
        }
        if per_place.iter().all(Vec::is_empty) {
            return;
        }
        let rules = self.engine.rules().rules();
        let lines = lines.unwrap_or_else(|| LineIndex::new(bytes));

        // Judge each match at each place; it is reported at the first place nothing suppresses
        // it, and counted as suppressed (once, by its first place's reason) when none does.
        let mut reported: HashSet<(usize, usize, usize)> = HashSet::new();
        let mut suppressed_at: HashMap<(usize, usize, usize), Suppression> = HashMap::new();
        let mut survivors: Vec<Survivor> = Vec::new();
        for (index, (place, matches)) in places.iter().zip(&per_place).enumerate() {
            for found in matches {
                let key = (found.rule, found.secret.start, found.secret.end);
                if reported.contains(&key) {
                    continue;
                }
                match self.judge(found, place, bytes, added, &lines, stats, out) {
                    Ok(fingerprint) => {
                        reported.insert(key);
                        suppressed_at.remove(&key);
                        survivors.push(Survivor {
                            place: index,
                            found,
                            fingerprint,
                        });
                    }
                    Err(reason) => {
                        suppressed_at.entry(key).or_insert(reason);
                    }
                }
            }
        }
        for reason in suppressed_at.into_values() {
            out.count_suppressed(reason);
        }
        if survivors.is_empty() {
            return;
        }

        let shown = limit::select(
            &survivors
                .iter()
                .map(|s| (s.found.rule, s.found.value(bytes)))
                .collect::<Vec<_>>(),
            self.options.max_findings_per_file,
        );
        if shown.hidden_new > 0 {
            let hidden_severity = survivors
                .iter()
                .zip(&shown.keep)
                .filter(|(_, keep)| !**keep)
                .map(|(s, _)| s.found.severity)
                .max();
            out.hidden += shown.hidden_new as u64;
            out.hidden_severity = out.hidden_severity.max(hidden_severity);
            stats.warn(
                Some(first.path),
                shown.message(self.options.max_findings_per_file),
            );
        }

        // Every value found on a line is masked on the others' lines, whatever the filters and
        // the limit decided: masking never depends on what is reported.
        let mut hidden: Vec<HiddenValue> = per_place
            .iter()
            .flatten()
            .filter(|found| rules[found.rule].redact)
            .map(|found| HiddenValue {
                span: found.secret.clone(),
                redacted: redact(
                    &String::from_utf8_lossy(found.value(bytes)),
                    &rules[found.rule].def.keywords,
                ),
            })
            .collect();
        hidden.sort_by_key(|h| (h.span.start, h.span.end));
        hidden.dedup_by(|a, b| a.span == b.span);
        let hidden = if hidden.len() > 1 { &hidden[..] } else { &[] };

        let mut builders: HashMap<usize, FindingBuilder> = HashMap::new();
        for (survivor, keep) in survivors.into_iter().zip(shown.keep) {
            if !keep {
                continue;
            }
            let place: &Place = &places[survivor.place];
            let builder = builders
                .entry(survivor.place)
                .or_insert_with(|| FindingBuilder::new(bytes, place.path, place.rel_path));
            let rule = &rules[survivor.found.rule];
            let mut finding = builder.build(rule, survivor.found, hidden, survivor.fingerprint);
            finding.origin = place.origin;
            finding.object = object.map(str::to_string);
            out.findings.push(finding);
        }
    }

    /// The filters at one place: `Ok` with the finding's fingerprint when it is reported here.
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &self,
        found: &Match,
        place: &Place,
        bytes: &[u8],
        added: Option<&LineSet>,
        lines: &LineIndex,
        stats: &ScanStats,
        out: &mut Collected,
    ) -> Result<String, Suppression> {
        let rule = &self.engine.rules().rules()[found.rule];
        if let Some(added) = added {
            let (first, last) = lines.lines_of(found.secret.clone());
            if !added.intersects(first, last) {
                return Err(Suppression::NotAdded);
            }
        }
        // Disabled rules still count as rule ids, so `credlint:allow ID` naming one stays
        // scoped to it rather than reading as a free-text reason that allows everything.
        let is_rule_id = |id: &str| self.engine.rules().knows(id);
        if self.options.inline_allow {
            match inline::verdict(bytes, found.secret.clone(), rule.id(), &is_rule_id) {
                inline::Verdict::Allowed => return Err(Suppression::Inline),
                inline::Verdict::NotAllowed => {}
                inline::Verdict::UnknownIds(ids) => {
                    let (line, _) = lines.lines_of(found.secret.clone());
                    if out.typos.insert((place.path.to_string(), line)) {
                        stats.warn(Some(place.path), self.unknown_ids_message(&ids, line));
                    }
                }
            }
        }
        let candidate = Candidate {
            rule_id: rule.id(),
            rel_path: place.rel_path,
            span: found.secret.clone(),
            value: found.decoded.as_ref().map(|d| d.value.as_bytes()),
        };
        if self.options.allowlists.allows(&candidate, bytes) {
            return Err(Suppression::Allowlist);
        }
        let secret = String::from_utf8_lossy(found.value(bytes));
        let fingerprint = fingerprint(rule.id(), place.rel_path, &secret);
        let in_baseline = crate::filter::baseline::fingerprint_number(&fingerprint)
            .is_some_and(|n| self.baselined.contains(&n));
        if in_baseline {
            out.baselined.insert(fingerprint);
            return Err(Suppression::Baseline);
        }
        Ok(fingerprint)
    }
}

impl Scanner {
    /// The warning for allow comments that name no rule.
    fn unknown_ids_message(&self, ids: &[String], line: usize) -> String {
        let named: Vec<String> = ids
            .iter()
            .map(|id| {
                let close = crate::message::did_you_mean(id, self.engine.rules().ids());
                match close.first() {
                    Some(guess) => format!("unknown rule id {id}; did you mean {guess}?"),
                    None => format!("unknown rule id {id}"),
                }
            })
            .collect();
        format!(
            "line {line}: the credlint:allow comment allows nothing: {} (`credlint rules` lists the ids; words without a dash are read as a reason and allow every rule)",
            named.join("; ")
        )
    }
}

/// Line numbers of byte offsets, for blobs with matches.
struct LineIndex {
    /// Offsets of the newlines.
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(bytes: &[u8]) -> LineIndex {
        LineIndex {
            newlines: memchr::memchr_iter(b'\n', bytes).collect(),
        }
    }

    /// The byte ranges of the lines in `set` (each with its line break), in order.
    fn spans_of(&self, set: &LineSet, len: usize) -> Vec<Range<usize>> {
        let start_of = |line: usize| match line {
            0 | 1 => 0,
            _ => self.newlines.get(line - 2).map_or(len, |&n| n + 1),
        };
        set.ranges()
            .map(|(first, last)| {
                let end = self.newlines.get(last - 1).map_or(len, |&n| n + 1);
                start_of(first)..end
            })
            .filter(|span| !span.is_empty())
            .collect()
    }

    /// The 1-based lines of the first and last byte of `span`.
    fn lines_of(&self, span: Range<usize>) -> (usize, usize) {
        let line = |offset: usize| self.newlines.partition_point(|&n| n < offset) + 1;
        let last = span.end.saturating_sub(1).max(span.start);
        (line(span.start), line(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_from_one() {
        let index = LineIndex::new(b"a\nbb\n\nccc");
        assert_eq!(index.lines_of(0..1), (1, 1));
        assert_eq!(index.lines_of(2..4), (2, 2));
        assert_eq!(index.lines_of(2..8), (2, 4));
        assert_eq!(index.lines_of(6..9), (4, 4));
    }

    #[test]
    fn added_lines_become_the_bytes_of_those_lines() {
        let text = b"a\nbb\n\nccc";
        let index = LineIndex::new(text);
        let mut set = LineSet::default();
        set.push_range(2, 3);
        set.push_range(4, u32::MAX as usize);
        // Lines 2 to 4 are one run of bytes, from `bb` to the end.
        assert_eq!(index.spans_of(&set, text.len()), vec![2..9]);
        let mut first = LineSet::default();
        first.push_range(1, 1);
        assert_eq!(index.spans_of(&first, text.len()), vec![0..2]);
        let mut past_the_end = LineSet::default();
        past_the_end.push_range(9, 12);
        assert!(index.spans_of(&past_the_end, text.len()).is_empty());
    }
}
