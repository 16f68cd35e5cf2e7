//! The engine: given a blob's path and bytes, returns the rule matches in it. It owns the speed.
//!
//! 1. One pass over the blob finds every rule keyword (and every `file_contains` literal) at
//!    once, ASCII case-insensitively, without copying it ([`literals`]).
//! 2. Only rules with a keyword hit go further, and their regex runs only in a window around each
//!    hit (the hit's line, bounded), never over the whole blob.
//! 3. Regexes compile on first use ([`crate::rules::Rule::regex`]).
//! 4. Entropy, word-likeness, placeholder and validator checks look at the extracted secret only.
//! 5. File classes are computed only for blobs where a rule that needs them has a hit.
//!
//! A blob can live at several paths (git history keeps every path a blob was reachable at), and
//! what a rule may report depends on the path (its `paths` globs, file classes, the context
//! that raises severity). The keyword pass and the regexes run once per blob, for every rule
//! that applies at any of its paths; the path-dependent verdicts are then taken per path.

pub mod entropy;
pub mod literals;
pub mod placeholder;
pub mod validators;
pub mod wordlike;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use regex_automata::meta::Cache;
use regex_automata::util::captures::Captures;
use regex_automata::util::iter::Searcher;
use regex_automata::Input;

use crate::admission::decode::{self, DecodedValue};
use crate::context::{classify, is_env_template, ClassSet, FileClass};
use crate::rules::{Kind, NameMap, Rule, RuleSet, Severity};
use literals::Literals;

/// How far before a keyword hit the regex window reaches (it also stops at the line start).
const WINDOW_BEFORE: usize = 256;
/// How far after a keyword hit the window reaches on single-line rules (it also stops at the
/// line end). Long enough for big JWTs on minified lines.
const WINDOW_AFTER: usize = 4096;
/// How far after a hit a `multiline` rule's window reaches at least (private key blocks, PGP
/// blocks: to their `-----END` line, when it is further).
const WINDOW_AFTER_MULTILINE: usize = 64 * 1024;

/// The most keyword hits a thread keeps room for between blobs.
const HITS_KEEP: usize = 1 << 16;

/// One match of a rule in a blob, with what the engine learned checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in the engine's [`RuleSet`].
    pub rule: usize,
    /// Byte range of the whole regex match.
    pub span: Range<usize>,
    /// Byte range of the secret (the rule's `secret_group`).
    pub secret: Range<usize>,
    /// The rule's severity, or higher when the file's context makes it worse.
    pub severity: Severity,
    /// Why the severity was raised or what a validator learned, in words for the report.
    pub notes: Vec<String>,
    /// For a match in a decoded value: the value as decoded (what the finding redacts and
    /// fingerprints) and how it was decoded; `secret` is then the encoded span in the blob.
    pub decoded: Option<Box<DecodedValue>>,
}

impl Match {
    /// The matched value: the decoded value, or the bytes of the blob at `secret`.
    pub fn value<'a>(&'a self, bytes: &'a [u8]) -> &'a [u8] {
        match &self.decoded {
            Some(decoded) => decoded.value.as_bytes(),
            None => &bytes[self.secret.clone()],
        }
    }
}

/// Reusable per-thread buffers, so scanning a blob allocates nothing when nothing matches.
/// Memory is bounded by the number of merged windows, not by the number of keyword hits: a
/// 200 MB line full of keywords collapses into a few windows as the hits stream in.
#[derive(Default)]
pub struct Scratch {
    /// Per rule (by index): its merged windows in this blob.
    windows: Vec<WindowSet>,
    /// Rules with at least one window in this blob.
    touched: Vec<u32>,
    /// Per rule: whether one of its `file_contains` literals occurs in this blob.
    context_seen: Vec<bool>,
    context_touched: Vec<u32>,
    /// Set by a scan that stopped at the engine's match limit.
    pub truncated: bool,
    /// The keyword hits of the blob, sorted by end before the windows are built.
    hits: Vec<literals::Hit>,
    /// Per rule (by index): this thread's search caches for its regexes, made on the rule's
    /// first window. Boxed: a rule's caches are kilobytes, and a pre-commit run that touches a
    /// few rules should not lay out (and fault in) room for six hundred.
    regex_caches: Vec<Option<Box<RegexCaches>>>,
    /// The engine the caches belong to: a cache is only valid with the regex that made it, and
    /// one scratch may serve engines in turn.
    engine: u64,
    /// Where the keyword pass over the blob last scanned found [`decode::HINT_KEYWORDS`];
    /// `None` when no keyword pass ran.
    decoder_hints: Option<decode::Hints>,
    block_ends: BlockEnds,
}

impl Scratch {
    /// What [`decode::decode_all_hinted`] takes for the blob the engine scanned last with this
    /// scratch, when its keyword pass ran.
    pub fn decoder_hints(&self) -> Option<&decode::Hints> {
        self.decoder_hints.as_ref()
    }

    fn reset(&mut self, rules: usize) {
        for &rule in &self.touched {
            let windows = &mut self.windows[rule as usize];
            windows.ranges.clear();
            windows.touch = Touch::No;
        }
        self.block_ends.last = None;
        for &rule in &self.context_touched {
            self.context_seen[rule as usize] = false;
        }
        self.touched.clear();
        self.context_touched.clear();
        self.truncated = false;
        if self.regex_caches.len() < rules {
            self.regex_caches.resize_with(rules, || None);
        }
        if self.windows.len() < rules {
            self.windows.resize_with(rules, WindowSet::default);
            self.context_seen.resize(rules, false);
        }
    }
}

/// Where the `-----END` lines of a blob are, found as multi-line rules' hits ask for them.
#[derive(Debug)]
struct BlockEnds {
    finder: memchr::memmem::Finder<'static>,
    /// Where the last search started and what it found. Hits arrive in order, so one search
    /// answers every hit before the END it found, for every multi-line rule: a search per hit
    /// would be quadratic in a large file full of a rule's keyword, and a search per rule ran
    /// to the end of every JavaScript bundle once for each key format whose keyword it holds.
    last: Option<(usize, Option<usize>)>,
}

impl Default for BlockEnds {
    fn default() -> BlockEnds {
        BlockEnds {
            finder: memchr::memmem::Finder::new(b"-----END"),
            last: None,
        }
    }
}

impl BlockEnds {
    /// The position of the first `-----END` at or after `from`.
    fn next(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        if let Some((searched_from, found)) = self.last {
            if searched_from <= from && found.is_none_or(|at| at >= from) {
                return found;
            }
        }
        let found = self.finder.find(&bytes[from..]).map(|i| from + i);
        self.last = Some((from, found));
        found
    }
}

/// One rule's regex windows in a blob, merged as keyword hits arrive in order.
#[derive(Debug, Default)]
struct WindowSet {
    ranges: Vec<Range<usize>>,
    /// Whether a hit has touched the rule in this blob yet, and if so whether the rule's path
    /// globs take in any of the blob's paths: a rule for `*.tfstate` or `.npmrc` builds no
    /// windows in a JavaScript bundle full of its keywords (and a multi-line one does not
    /// search it for `-----END`).
    touch: Touch,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Touch {
    #[default]
    No,
    Here,
    Elsewhere,
}

impl WindowSet {
    /// Adds the window around a keyword hit at `start..end`. A rule whose regex cannot match
    /// more than `reach` bytes (single-line rules only) gets no more than that on either side:
    /// any match overlapping the hit lies there, and a minified line's 4 KiB after a short
    /// token's prefix is otherwise scanned for nothing.
    fn add(
        &mut self,
        bytes: &[u8],
        start: usize,
        end: usize,
        multiline: Option<&mut BlockEnds>,
        reach: Option<usize>,
    ) {
        let reach = reach.filter(|_| multiline.is_none());
        if let Some(last) = self.ranges.last() {
            // Most hits fall inside the window an earlier hit opened: nothing to compute.
            let (from, to) = match reach {
                Some(reach) => (start.saturating_sub(reach), end + reach),
                None => (start, end),
            };
            if from >= last.start && to <= last.end {
                return;
            }
        }
        let block_end = multiline.map(|ends| ends.next(bytes, end));
        let window = window_around(bytes, start, end, block_end, reach);
        match self.ranges.last_mut() {
            Some(last) if window.start <= last.end => {
                last.start = last.start.min(window.start);
                last.end = last.end.max(window.end);
                // Hits arrive by end position, so a longer keyword can reach back before the
                // previous window; fold any windows it now overlaps.
                while self.ranges.len() > 1 {
                    let n = self.ranges.len();
                    if self.ranges[n - 2].end < self.ranges[n - 1].start {
                        break;
                    }
                    let merged = self.ranges.pop().expect("two windows");
                    let previous = self.ranges.last_mut().expect("one window");
                    previous.start = previous.start.min(merged.start);
                    previous.end = previous.end.max(merged.end);
                }
            }
            _ => self.ranges.push(window),
        }
    }
}

/// What an Aho-Corasick pattern means for the rules: which rules it triggers, and which rules'
/// `file_contains` condition it satisfies.
#[derive(Debug, Default)]
struct PatternUse {
    triggers: Vec<u32>,
    satisfies: Vec<u32>,
    /// What the decoders look for that the pattern is, if it is one of [`decode::HINT_KEYWORDS`].
    hint: Option<decode::Hint>,
}

pub struct Engine {
    /// Tells a scratch which engine its regex caches were made for ([`Scratch::engine`]).
    id: u64,
    rules: Arc<RuleSet>,
    /// Every rule keyword and `file_contains` literal, found in one pass.
    keywords: Option<Literals>,
    patterns: Vec<PatternUse>,
    /// Rules without keywords: they name the files they are for (`paths`), and run over the
    /// whole of every blob at such a path (a `.pgpass` line has no keyword to look for).
    whole_file: Vec<u32>,
    match_bound: usize,
    /// Per rule: the indices of the rules its `supersedes` names (ids not loaded are ignored:
    /// a user may have turned the superseded rule off).
    supersedes: Vec<Vec<usize>>,
}

/// Matches kept per blob before the engine stops looking: a generated file holding a million
/// keys must cost a bounded amount of memory and time. This bounds the raw matches, before any
/// suppression; how many findings a file may show is the pipeline's limit, applied after
/// suppression ([`crate::scan`]). A blob that reaches this bound is reported as scanned in part.
pub const DEFAULT_MATCH_BOUND: usize = 100_000;

impl Engine {
    pub fn new(rules: Arc<RuleSet>) -> Engine {
        // Sized up front: growing the map and the lists a thousand entries long was rehashing
        // and page faults in every pre-commit run.
        let most = rules
            .rules()
            .iter()
            .map(|r| r.def.keywords.len() + r.def.file_contains.len())
            .sum::<usize>()
            + decode::HINT_KEYWORDS.len();
        let mut literals: Vec<Cow<str>> = Vec::with_capacity(most);
        let mut patterns: Vec<PatternUse> = Vec::with_capacity(most);
        // A map, not a search of the list: a thousand keywords searched linearly were a
        // measurable part of every pre-commit run. Keywords are borrowed from the rules (nearly
        // all are lower case already): a copy of each was a thousand allocations per run.
        let mut known: NameMap<Cow<str>, usize> =
            NameMap::with_capacity_and_hasher(most, Default::default());
        fn intern<'r>(
            literal: &'r str,
            known: &mut NameMap<Cow<'r, str>, usize>,
            literals: &mut Vec<Cow<'r, str>>,
        ) -> usize {
            let lower = match literal.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(literal.to_ascii_lowercase()),
                false => Cow::Borrowed(literal),
            };
            *known.entry(lower).or_insert_with_key(|lower| {
                literals.push(lower.clone());
                literals.len() - 1
            })
        }
        let mut whole_file = Vec::new();
        for (rule_index, rule) in rules.rules().iter().enumerate() {
            // Presence rules judge whole files before admission (crate::scan::presence).
            if rule.def.presence {
                continue;
            }
            if rule.def.keywords.is_empty() {
                whole_file.push(rule_index as u32);
            }
            for keyword in &rule.def.keywords {
                let i = intern(keyword, &mut known, &mut literals);
                patterns.resize_with(literals.len(), PatternUse::default);
                if !patterns[i].triggers.contains(&(rule_index as u32)) {
                    patterns[i].triggers.push(rule_index as u32);
                }
            }
            for literal in &rule.def.file_contains {
                let i = intern(literal, &mut known, &mut literals);
                patterns.resize_with(literals.len(), PatternUse::default);
                patterns[i].satisfies.push(rule_index as u32);
            }
        }
        // The keyword pass reads every byte of the blob anyway: it also finds what the decoders
        // would otherwise search the blob for on their own.
        if !literals.is_empty() {
            for &(keyword, hint) in decode::HINT_KEYWORDS {
                let i = intern(keyword, &mut known, &mut literals);
                patterns.resize_with(literals.len(), PatternUse::default);
                patterns[i].hint = Some(hint);
            }
        }
        let supersedes = rules
            .rules()
            .iter()
            .map(|rule| {
                rule.def
                    .supersedes
                    .iter()
                    .filter_map(|id| rules.position(id))
                    .collect()
            })
            .collect();
        // Rule validation admits only ASCII keywords of three bytes or more, which is what the
        // search takes.
        let keywords = (!literals.is_empty())
            .then(|| Literals::new(&literals))
            .flatten();
        Engine {
            rules,
            keywords,
            patterns,
            whole_file,
            match_bound: DEFAULT_MATCH_BOUND,
            supersedes,
            id: {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
        }
    }

    /// Sets how many raw matches a blob may produce before the engine stops (at least one).
    pub fn with_match_bound(mut self, bound: usize) -> Engine {
        self.match_bound = bound.max(1);
        self
    }

    pub fn match_bound(&self) -> usize {
        self.match_bound
    }

    /// The indices of the rules that `rule`'s `supersedes` names.
    pub(crate) fn superseded_by(&self, rule: usize) -> &[usize] {
        &self.supersedes[rule]
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn rule_set(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// Scans one blob at one path (forward slashes), which drives path globs and file classes.
    pub fn scan(&self, path: &str, bytes: &[u8], scratch: &mut Scratch) -> Vec<Match> {
        self.scan_at(&[path], bytes, scratch)
            .pop()
            .unwrap_or_default()
    }

    /// Scans one blob that lives at every one of `paths`: the matches at each path, in the
    /// order of `paths`. Keywords and regexes run once, for every rule that applies at any path.
    pub fn scan_at(&self, paths: &[&str], bytes: &[u8], scratch: &mut Scratch) -> Vec<Vec<Match>> {
        self.scan_within(paths, bytes, None, scratch)
    }

    /// [`Engine::scan_at`], for a change that adds only the lines at the byte ranges `added`
    /// (sorted, whole lines) when it is given: the matches that can have a byte there. A
    /// single-line rule's window is the line of its keyword, so a keyword on a line the change
    /// did not add opens none (and compiles no regex): a one-line edit of a large file costs a
    /// keyword pass, not a scan. Multi-line and whole-file rules, and `file_contains`, still see
    /// the whole blob. The caller still drops matches outside `added`.
    pub fn scan_within(
        &self,
        paths: &[&str],
        bytes: &[u8],
        added: Option<&[Range<usize>]>,
        scratch: &mut Scratch,
    ) -> Vec<Vec<Match>> {
        let nothing = || vec![Vec::new(); paths.len()];
        // What an earlier blob's pass found must never stand for this one's.
        let mut hints = scratch.decoder_hints.take().unwrap_or_default();
        hints.clear();
        if self.keywords.is_none() && self.whole_file.is_empty() {
            return nothing();
        }
        let rules = self.rules.rules();
        if scratch.engine != self.id {
            scratch.regex_caches.clear();
            scratch.engine = self.id;
        }
        scratch.reset(rules.len());
        let Scratch {
            windows,
            touched,
            context_seen,
            context_touched,
            hits,
            block_ends,
            ..
        } = scratch;
        hits.clear();
        if let Some(keywords) = &self.keywords {
            keywords.find_all(bytes, |hit| hits.push(hit));
        }
        let hinted = self.keywords.is_some();
        for &rule in &self.whole_file {
            let rule_paths = &rules[rule as usize];
            if !bytes.is_empty() && paths.iter().any(|p| rule_paths.applies_to_path(p)) {
                windows[rule as usize].ranges.push(0..bytes.len());
                windows[rule as usize].touch = Touch::Here;
                touched.push(rule);
            }
        }
        // Windows are merged as hits arrive by end position.
        hits.sort_unstable_by_key(|hit| (hit.end, hit.start));
        for hit in hits.iter() {
            let used = &self.patterns[hit.pattern];
            if let Some(hint) = used.hint {
                hints.add(hint, hit.start);
            }
            let on_added = added.is_none_or(|added| overlaps_any(added, hit.start..hit.end));
            for &rule in &used.triggers {
                if !on_added && !rules[rule as usize].def.multiline {
                    continue;
                }
                let rule_windows = &mut windows[rule as usize];
                match rule_windows.touch {
                    Touch::Here => {}
                    Touch::Elsewhere => continue,
                    Touch::No => {
                        touched.push(rule);
                        let rule_paths = &rules[rule as usize];
                        if paths.iter().any(|p| rule_paths.applies_to_path(p)) {
                            rule_windows.touch = Touch::Here;
                        } else {
                            rule_windows.touch = Touch::Elsewhere;
                            continue;
                        }
                    }
                }
                let multiline = rules[rule as usize].def.multiline;
                rule_windows.add(
                    bytes,
                    hit.start,
                    hit.end,
                    multiline.then_some(&mut *block_ends),
                    rules[rule as usize].reach(),
                );
            }
            for &rule in &used.satisfies {
                if !context_seen[rule as usize] {
                    context_seen[rule as usize] = true;
                    context_touched.push(rule);
                }
            }
        }
        // One blob full of keywords must not pin its hits in every thread for the whole run.
        if hits.capacity() > HITS_KEEP {
            *hits = Vec::new();
        }
        if hinted {
            scratch.decoder_hints = Some(hints);
        }
        if scratch.touched.is_empty() {
            return nothing();
        }
        scratch.touched.sort_unstable();

        let mut classes: Vec<Option<ClassSet>> = vec![None; paths.len()];
        let mut class_of = |i: usize| *classes[i].get_or_insert_with(|| classify(paths[i], bytes));
        let mut raw: Vec<Match> = Vec::new();
        // Which paths each raw match's rule applies at, as a bit set per rule (blobs with more
        // than 64 paths judge the rest like the 64th: rare, and only ever more lenient).
        let mut applies: Vec<(usize, u64)> = Vec::new();
        for &rule_index in &scratch.touched {
            let rule_index = rule_index as usize;
            let rule = &rules[rule_index];
            if !rule.def.file_contains.is_empty() && !scratch.context_seen[rule_index] {
                continue;
            }
            let mut at = 0u64;
            for (i, path) in paths.iter().enumerate() {
                if self.applies(rule, path, &mut || class_of(i)) {
                    at |= 1 << i.min(63);
                }
            }
            if at == 0 {
                continue;
            }
            let room = self.match_bound - raw.len();
            let found_here = match_in_windows(
                rule,
                bytes,
                &scratch.windows[rule_index].ranges,
                room,
                scratch.regex_caches[rule_index].get_or_insert_with(Box::default),
            );
            if !found_here.is_empty() {
                applies.push((rule_index, at));
            }
            raw.extend(found_here.into_iter().map(|mut found| {
                found.rule = rule_index;
                found
            }));
            if raw.len() >= self.match_bound {
                scratch.truncated = true;
                break;
            }
        }
        if raw.is_empty() {
            return nothing();
        }
        let mut per_path = nothing();
        // Rules in `applies` are in index order (they come from the sorted `touched`).
        let applies_at = |rule: usize| {
            let i = applies.partition_point(|&(r, _)| r < rule);
            applies[i].1
        };
        raw.sort_by_key(|m| (m.secret.start, m.rule));
        for (i, matches) in per_path.iter_mut().enumerate() {
            let bit = 1 << i.min(63);
            *matches = raw
                .iter()
                .filter(|m| applies_at(m.rule) & bit != 0)
                .cloned()
                .collect();
            for found in matches.iter_mut() {
                if rules[found.rule].def.kind == Kind::Secret {
                    note_context(found, class_of(i), paths[i]);
                }
            }
            self.drop_superseded(matches);
            drop_repeats_on_a_line(bytes, matches);
            self.drop_generic_duplicates(matches);
        }
        per_path
    }

    /// Whether `rule` may report at `path`: its globs and its file-class conditions.
    fn applies(&self, rule: &Rule, path: &str, classes: &mut dyn FnMut() -> ClassSet) -> bool {
        if !rule.applies_to_path(path) {
            return false;
        }
        if rule.file_classes.is_empty() && rule.exclude_file_classes.is_empty() {
            return true;
        }
        let set = classes();
        (rule.file_classes.is_empty() || set.intersects(rule.file_classes))
            && !set.intersects(rule.exclude_file_classes)
    }

    /// Drops matches that an overlapping match of a rule naming theirs in `supersedes` stands in
    /// for. Runs before the generic-rule pass, so a generic rule that supersedes a specific one
    /// (a hardcoded refresh token over the plain JWT rule) keeps its finding.
    fn drop_superseded(&self, matches: &mut Vec<Match>) {
        let superseding: Vec<(Range<usize>, &[usize])> = matches
            .iter()
            .filter(|m| !self.supersedes[m.rule].is_empty())
            .map(|m| (m.span.clone(), self.supersedes[m.rule].as_slice()))
            .collect();
        if superseding.is_empty() {
            return;
        }
        matches.retain(|m| {
            !superseding.iter().any(|(span, rules)| {
                rules.contains(&m.rule) && span.start < m.span.end && m.span.start < span.end
            })
        });
    }

    /// Where a generic secret rule and a specific one found the same value (a `ghp_` token in an
    /// `Authorization: Bearer` header), keeps only the specific finding.
    fn drop_generic_duplicates(&self, matches: &mut Vec<Match>) {
        let rules = self.rules.rules();
        let is_specific_secret =
            |m: &Match| rules[m.rule].def.kind == Kind::Secret && !rules[m.rule].def.generic;
        if !matches.iter().any(|m| rules[m.rule].def.generic)
            || !matches.iter().any(is_specific_secret)
        {
            return;
        }
        let specific: Vec<Range<usize>> = matches
            .iter()
            .filter(|m| is_specific_secret(m))
            .map(|m| m.secret.clone())
            .collect();
        matches.retain(|m| {
            let rule = &rules[m.rule].def;
            !(rule.generic
                && rule.kind == Kind::Secret
                && specific
                    .iter()
                    .any(|s| s.start < m.secret.end && m.secret.start < s.end))
        });
    }
}

/// What the file a secret sits in adds to the finding. A secret in code that reaches browsers is
/// readable by anyone: always critical, and the message says so even when the rule already was.
/// A secret in a `.env` file needs the file fixed as well as the secret.
fn note_context(found: &mut Match, classes: ClassSet, path: &str) {
    let browser = [FileClass::ClientBundle, FileClass::BrowserSource]
        .into_iter()
        .find(|class| classes.contains(*class));
    if let Some(class) = browser {
        let where_ = format!(
            "found in {}, where anyone who loads the page can read it",
            class.describe()
        );
        if found.severity < Severity::Critical {
            found.notes.push(format!("raised to critical: {where_}"));
            found.severity = Severity::Critical;
        } else {
            found.notes.push(where_);
        }
    }
    if classes.contains(FileClass::EnvFile) {
        found.notes.push(if is_env_template(path) {
            "found in a .env template, which is committed for everyone to copy: leave its values empty".into()
        } else {
            "found in a .env file: keep .env files out of version control (list them in .gitignore) and commit a .env.example with empty values".into()
        });
    }
}

/// The same rule finding the same value twice on one line (`X_TOKEN: ${{ secrets.X_TOKEN }}`,
/// a key repeated in a minified bundle) is one problem: keep the first.
fn drop_repeats_on_a_line(bytes: &[u8], matches: &mut Vec<Match>) {
    if matches.len() < 2 {
        return;
    }
    // (rule, value) -> where the last kept copy of it ends.
    let mut kept: HashMap<(usize, &[u8]), usize> = HashMap::new();
    matches.retain(|m| {
        let value = &bytes[m.secret.clone()];
        let repeat = kept.get(&(m.rule, value)).is_some_and(|&end| {
            end <= m.secret.start && memchr::memchr(b'\n', &bytes[end..m.secret.start]).is_none()
        });
        if !repeat {
            kept.insert((m.rule, value), m.secret.end);
        }
        !repeat
    });
}

/// Whether `span` shares a byte with one of `ranges` (sorted and disjoint).
pub(crate) fn overlaps_any(ranges: &[Range<usize>], span: Range<usize>) -> bool {
    let i = ranges.partition_point(|r| r.end <= span.start);
    ranges.get(i).is_some_and(|r| r.start < span.end)
}

/// The regex window around one keyword hit: from the start of its line (at most
/// [`WINDOW_BEFORE`] bytes back) to the end of its line (at most [`WINDOW_AFTER`] bytes on), or
/// [`WINDOW_AFTER_MULTILINE`] bytes on for values that span lines. A single-line rule's `reach`
/// (its longest match) bounds both sides too, and so the search for the line's ends.
fn window_around(
    bytes: &[u8],
    start: usize,
    end: usize,
    block_end: Option<Option<usize>>,
    reach: Option<usize>,
) -> Range<usize> {
    let (before, after) = match reach {
        Some(reach) => (WINDOW_BEFORE.min(reach), WINDOW_AFTER.min(reach)),
        None => (WINDOW_BEFORE, WINDOW_AFTER),
    };
    let floor = start.saturating_sub(before);
    let window_start =
        memchr::memrchr(b'\n', &bytes[floor..start]).map_or(floor, |i| floor + i + 1);
    let window_end = match block_end {
        // A block ends at its END line however long it is (a PGP keyring export, a key with a
        // long body): the window reaches it, and at least WINDOW_AFTER_MULTILINE bytes.
        Some(block_end) => {
            let line_end = block_end
                .map(|at| memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |j| at + j));
            (end + WINDOW_AFTER_MULTILINE)
                .max(line_end.unwrap_or(0))
                .min(bytes.len())
        }
        None => {
            let ceiling = (end + after).min(bytes.len());
            memchr::memchr(b'\n', &bytes[end..ceiling]).map_or(ceiling, |i| end + i)
        }
    };
    window_start..window_end
}

/// One rule's search state for its regexes in one thread: made on the rule's first window and
/// kept in the thread's [`Scratch`]. The regexes' own pools hand each search a cache too, but
/// through a lock for every thread but the first, and a search costs 200 ns more that way when
/// hundreds of regexes take turns (a standalone benchmark of 300 copies of one rule's regex).
#[derive(Default)]
pub(crate) struct RegexCaches {
    exact: Option<Cache>,
    screen: Option<crate::rules::ScreenCache>,
    captures: Option<Captures>,
}

/// Runs one rule's regex over the windows and keeps the matches whose secret passes the checks.
/// A window its screen ([`Rule::screen`]) does not match is skipped: most windows are a keyword
/// without the rest of the rule's pattern, and the screen rejects them with a few DFA states
/// where the exact regex of a gap rule builds thousands (and is not compiled at all until a
/// window passes). Shared by the engine and by rule validation, so examples are checked by the
/// code that scans. Stops after `limit` matches.
pub(crate) fn match_in_windows(
    rule: &Rule,
    bytes: &[u8],
    windows: &[Range<usize>],
    limit: usize,
    caches: &mut RegexCaches,
) -> Vec<Match> {
    let RegexCaches {
        exact,
        screen: screen_cache,
        captures,
    } = caches;
    let mut screen = rule.screen().map(|screen| {
        (
            screen,
            screen_cache.get_or_insert_with(|| screen.create_cache()),
        )
    });
    let mut found = Vec::new();
    let mut last_secret: Option<Range<usize>> = None;
    for window in windows {
        let input = Input::new(bytes).span(window.clone());
        if let Some((screen, cache)) = &mut screen {
            if !screen.may_match(cache, &input) {
                continue;
            }
        }
        let Some(regex) = rule.regex() else {
            return Vec::new();
        };
        let cache = exact.get_or_insert_with(|| regex.create_cache());
        let caps = captures.get_or_insert_with(|| regex.create_captures());
        // What `captures_iter` does, with this thread's cache instead of the regex's pool.
        let mut matches = Searcher::new(input);
        loop {
            let _ = matches.advance(|input| {
                regex.search_captures_with(cache, input, caps);
                Ok(caps.get_match())
            });
            if !caps.is_match() {
                break;
            }
            if found.len() >= limit {
                return found;
            }
            // A regex with alternatives that each capture the value (the header before the
            // host, or after it) has the secret in whichever group took part.
            let secret = (rule.def.secret_group..caps.group_len()).find_map(|g| caps.get_group(g));
            let (Some(whole), Some(secret)) = (caps.get_group(0), secret) else {
                continue;
            };
            let secret = secret.start..secret.end;
            if secret.is_empty() || last_secret.as_ref() == Some(&secret) {
                continue;
            }
            last_secret = Some(secret.clone());
            let Some(notes) = accept_secret(rule, bytes, secret.clone()) else {
                continue;
            };
            found.push(Match {
                rule: usize::MAX,
                span: whole.start..whole.end,
                secret,
                severity: rule.def.severity,
                notes,
                decoded: None,
            });
        }
    }
    found
}

/// The checks on an extracted secret. `None` means "not a finding"; otherwise the notes that
/// validators want in the report.
fn accept_secret(rule: &Rule, bytes: &[u8], secret: Range<usize>) -> Option<Vec<String>> {
    let value = &bytes[secret.clone()];
    if let Some(min) = rule.def.min_entropy {
        if entropy::shannon(value) < min {
            return None;
        }
    }
    if let Some(min) = rule.def.min_randomness {
        if wordlike::surprise(value) < min {
            return None;
        }
    }
    let mut notes = Vec::new();
    let verdict = rule.def.validate.map(|v| (v, validators::check(v, value)));
    match &verdict {
        Some((_, validators::Verdict::Reject)) => return None,
        Some((_, validators::Verdict::Accept(Some(note)))) => notes.push(note.clone()),
        _ => {}
    }
    // A verified checksum says the value is a real token whatever its letters spell: one in a
    // few thousand random tokens holds `YOUr` or `test`, and made-up ones fail the checksum.
    let verified = verdict.is_some_and(|(v, _)| validators::is_checksum(v));
    if !rule.def.skip_placeholder_check && !verified {
        // Judge the part after a known prefix: `ak_live_` + `YOUR_KEY` is a placeholder, but a
        // lowercase token such as `acme_` + random letters must not read as the variable name
        // `acme_something` because of the prefix's underscore.
        let prefix = placeholder::known_prefix_len(value, &rule.def.keywords);
        if placeholder::is_placeholder(&value[prefix..]) {
            return None;
        }
    }
    if rule.allows(value) {
        return None;
    }
    Some(notes)
}

/// Finds keyword hits for one rule without an automaton, for checking a rule on its own.
pub(crate) fn single_rule_matches(rule: &Rule, path: &str, bytes: &[u8]) -> Vec<Match> {
    let lower = bytes.to_ascii_lowercase();
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for keyword in &rule.def.keywords {
        let needle = keyword.to_ascii_lowercase();
        for start in memchr::memmem::find_iter(&lower, needle.as_bytes()) {
            hits.push((start, start + needle.len()));
        }
    }
    if rule.def.presence {
        return Vec::new();
    }
    if rule.def.keywords.is_empty() && !bytes.is_empty() {
        hits.push((0, bytes.len()));
    }
    if hits.is_empty() || !rule.applies_to_path(path) {
        return Vec::new();
    }
    if !rule.def.file_contains.is_empty()
        && !rule
            .def
            .file_contains
            .iter()
            .any(|l| memchr::memmem::find(&lower, l.to_ascii_lowercase().as_bytes()).is_some())
    {
        return Vec::new();
    }
    let classes = classify(path, bytes);
    if !rule.file_classes.is_empty() && !classes.intersects(rule.file_classes) {
        return Vec::new();
    }
    if classes.intersects(rule.exclude_file_classes) {
        return Vec::new();
    }
    // The automaton reports hits by end position; do the same so windows merge the same way.
    hits.sort_unstable_by_key(|&(start, end)| (end, start));
    let mut windows = WindowSet::default();
    let mut block_ends = BlockEnds::default();
    for (start, end) in hits {
        windows.add(
            bytes,
            start,
            end,
            rule.def.multiline.then_some(&mut block_ends),
            rule.reach(),
        );
    }
    match_in_windows(
        rule,
        bytes,
        &windows.ranges,
        usize::MAX,
        &mut RegexCaches::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Validation;

    #[test]
    fn what_the_keyword_pass_finds_for_the_decoders_decodes_as_their_own_search_does() {
        use crate::admission::decode::{decode_all, decode_all_hinted, Limits};
        let engine = Engine::new(Arc::new(RuleSet::builtin().unwrap()));
        let b64 = |s: &str| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(s)
        };
        let texts = [
            format!("Authorization: Basic {}\n", b64("deploy:Q7vR2mX9kL4pW8sZ")),
            format!(
                "basic {} BASIC {} xasic {}",
                b64("a:b1c2d3e4f5g6h7"),
                b64("c:d"),
                b64("e:f")
            ),
            format!("Basic {}", b64("only:at-the-start-of-the-text")),
            "&#x67;&#104;&#X70;_token &#65 &#; &#x; &amp;#49; &#".to_string(),
            "<a title=\"&#103;&#104;&#112;&#95;\">x</a>\nconst s = \"\\u0067hp_\\x41\";"
                .to_string(),
            format!(
                "{{\"auth\": \"{}\", \"k\": \"%41%42\"}}",
                b64("Basic &#x41;")
            ),
            String::new(),
        ];
        for (index, text) in texts.iter().enumerate() {
            let mut scratch = Scratch::default();
            engine.scan("page.html", text.as_bytes(), &mut scratch);
            let hints = scratch.decoder_hints().expect("the keyword pass ran");
            for values in [false, true] {
                let limits = Limits::for_blob(text.len(), 3);
                let own = decode_all(text.as_bytes(), limits, values);
                let hinted = decode_all_hinted(text.as_bytes(), limits, values, hints);
                assert_eq!(
                    format!("{:?}", own.items),
                    format!("{:?}", hinted.items),
                    "{text}"
                );
                // Not vacuous: the Basic value and the character references do decode.
                if index == 0 || index == 3 {
                    assert!(!own.items.is_empty(), "{text}");
                }
            }
        }
        // A blob the engine scanned without a keyword pass leaves no hints for the next.
        let mut scratch = Scratch::default();
        engine.scan("a", b"&#x41; Basic abc", &mut scratch);
        assert!(scratch.decoder_hints().is_some());
        let none = Engine::new(Arc::new(RuleSet::default()));
        none.scan("a", b"x", &mut scratch);
        assert!(scratch.decoder_hints().is_none());
    }

    #[test]
    fn the_keyword_pass_finds_every_overlapping_builtin_keyword() {
        let engine = Engine::new(Arc::new(RuleSet::builtin().unwrap()));
        let literals = engine_literals(&engine);
        // Keywords glued together, cut, overlapping, in mixed case, between ordinary text.
        let mut random = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        let mut text = Vec::new();
        for _ in 0..4000 {
            let state = random.next();
            let literal = literals[(state % literals.len() as u64) as usize].as_bytes();
            let cut = (state >> 20) as usize % literal.len();
            match (state >> 40) % 4 {
                0 => text.extend_from_slice(&literal[cut..]),
                1 => text.extend(literal.iter().map(u8::to_ascii_uppercase)),
                2 => text.extend_from_slice(b" x = "),
                _ => text.extend_from_slice(literal),
            }
        }
        let mut expected = Vec::new();
        for (pattern, literal) in literals.iter().enumerate() {
            let l = literal.as_bytes();
            for start in 0..=text.len() - l.len() {
                if text[start..start + l.len()].eq_ignore_ascii_case(l) {
                    expected.push((start, start + l.len(), pattern));
                }
            }
        }
        let mut found = Vec::new();
        engine
            .keywords
            .as_ref()
            .unwrap()
            .find_all(&text, |hit| found.push((hit.start, hit.end, hit.pattern)));
        found.sort_unstable();
        expected.sort_unstable();
        assert_eq!(found, expected);
        assert!(expected.len() > 1000);
    }

    /// The literals in the order the engine gave them to the search.
    fn engine_literals(engine: &Engine) -> Vec<String> {
        let mut literals: Vec<String> = Vec::new();
        for rule in engine.rules.rules() {
            for literal in rule.def.keywords.iter().chain(&rule.def.file_contains) {
                let lower = literal.to_ascii_lowercase();
                if !literals.contains(&lower) {
                    literals.push(lower);
                }
            }
        }
        literals
    }

    fn engine_with(rule_toml: &str) -> Engine {
        let mut set = RuleSet::default();
        set.add_file("test.toml", rule_toml, crate::rulecheck::FULL)
            .unwrap();
        Engine::new(Arc::new(set))
    }

    const DEMO: &str = r#"
[[rule]]
id = "demo-token"
title = "Demo token"
kind = "secret"
severity = "high"
keywords = ["dmo_"]
regex = '''\b(dmo_[A-Za-z0-9]{16})\b'''
secret_group = 1
min_entropy = 3.0
remediation = "r"
checklist = "c"
examples = ["t = 'dmo_Q7vR2mX9kL4pW8sZ'"]
negative_examples = ["t = 'dmo_xxxxxxxxxxxxxxxx'"]
"#;

    #[test]
    fn finds_secret_near_keyword_case_insensitively_in_keyword_only() {
        let engine = engine_with(DEMO);
        let text = b"a\nDMO_ nothing\nkey = dmo_Q7vR2mX9kL4pW8sZ;\n";
        let found = engine.scan("src/a.py", text, &mut Scratch::default());
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].secret.clone()], b"dmo_Q7vR2mX9kL4pW8sZ");
        assert_eq!(found[0].severity, Severity::High);
    }

    #[test]
    fn a_bounded_rule_looks_only_as_far_around_a_hit_as_its_longest_match() {
        let line = vec![b'x'; 10_000];
        // Unbounded: the line, at most WINDOW_BEFORE back and WINDOW_AFTER on.
        let mut windows = WindowSet::default();
        windows.add(&line, 5000, 5004, None, None);
        assert_eq!(
            windows.ranges,
            vec![5000 - WINDOW_BEFORE..5004 + WINDOW_AFTER]
        );
        // Bounded by 20 bytes: a match overlapping the hit lies within 20 bytes of it.
        let mut windows = WindowSet::default();
        windows.add(&line, 5000, 5004, None, Some(20));
        assert_eq!(windows.ranges, vec![4980..5024]);
        // A hit inside that window whose own reach goes further widens it.
        windows.add(&line, 5015, 5019, None, Some(20));
        assert_eq!(windows.ranges, vec![4980..5039]);
        // One whose reach stays inside changes nothing; one further on opens its own window.
        windows.add(&line, 5016, 5019, None, Some(20));
        windows.add(&line, 6000, 6004, None, Some(20));
        assert_eq!(windows.ranges, vec![4980..5039, 5980..6024]);
        // The line still bounds it.
        let mut windows = WindowSet::default();
        windows.add(b"ab\ndmo_ cd\n", 3, 7, None, Some(20));
        assert_eq!(windows.ranges, vec![3..10]);
    }

    #[test]
    fn tokens_close_together_on_a_long_line_are_each_found() {
        let engine = engine_with(DEMO);
        let mut line = b"x".repeat(5000);
        let tokens = [
            "dmo_Q7vR2mX9kL4pW8sZ",
            "dmo_R8wS3nY0mM5qX9tA",
            "dmo_S9xT4oZ1nN6rY0uB",
        ];
        for token in tokens {
            line.extend_from_slice(b" k=");
            line.extend_from_slice(token.as_bytes());
        }
        line.extend(b" y".repeat(2500));
        let found = engine.scan("src/a.js", &line, &mut Scratch::default());
        let secrets: Vec<&[u8]> = found.iter().map(|m| &line[m.secret.clone()]).collect();
        let expected: Vec<&[u8]> = tokens.iter().map(|t| t.as_bytes()).collect();
        assert_eq!(secrets, expected);
    }

    #[test]
    fn secret_in_client_bundle_is_critical_and_says_why() {
        let engine = engine_with(DEMO);
        let found = engine.scan(
            "dist/app.min.js",
            b"var k=\"dmo_Q7vR2mX9kL4pW8sZ\";",
            &mut Scratch::default(),
        );
        assert_eq!(found[0].severity, Severity::Critical);
        assert!(found[0].notes[0].contains("client bundle"));
    }

    #[test]
    fn already_critical_secret_in_browser_code_still_says_where() {
        let engine = engine_with(&DEMO.replace("severity = \"high\"", "severity = \"critical\""));
        let found = engine.scan(
            "src/App.tsx",
            b"const k = \"dmo_Q7vR2mX9kL4pW8sZ\";",
            &mut Scratch::default(),
        );
        assert_eq!(found[0].severity, Severity::Critical);
        assert_eq!(found[0].notes.len(), 1);
        assert!(found[0].notes[0].starts_with("found in browser source code"));
    }

    #[test]
    fn secret_in_env_file_says_how_to_fix_the_file() {
        let engine = engine_with(DEMO);
        let mut scratch = Scratch::default();
        let found = engine.scan(".env", b"DEMO=dmo_Q7vR2mX9kL4pW8sZ\n", &mut scratch);
        assert!(
            found[0].notes[0].contains(".gitignore"),
            "{:?}",
            found[0].notes
        );
        let found = engine.scan(".env.example", b"DEMO=dmo_Q7vR2mX9kL4pW8sZ\n", &mut scratch);
        assert!(
            found[0].notes[0].contains("template"),
            "{:?}",
            found[0].notes
        );
        let found = engine.scan("src/a.py", b"DEMO='dmo_Q7vR2mX9kL4pW8sZ'\n", &mut scratch);
        assert!(found[0].notes.is_empty());
    }

    /// Two rules on the same text: a broad one, and a telling one that supersedes it.
    const BROAD_AND_TELLING: &str = r#"
[[rule]]
id = "broad"
title = "Any dmo token"
kind = "secret"
severity = "high"
keywords = ["dmo_"]
regex = '''\b(dmo_[A-Za-z0-9]{16})\b'''
secret_group = 1
remediation = "r"
checklist = "c"
examples = ["dmo_Q7vR2mX9kL4pW8sZ"]
negative_examples = ["dmo_short"]

[[rule]]
id = "telling"
title = "A dmo token in the x-dmo header"
kind = "secret"
severity = "critical"
keywords = ["x-dmo"]
regex = '''x-dmo:\s*(dmo_[A-Za-z0-9]{16})'''
secret_group = 1
supersedes = ["broad", "not-loaded"]
remediation = "r"
checklist = "c"
examples = ["x-dmo: dmo_Q7vR2mX9kL4pW8sZ"]
negative_examples = ["x-dmo: none"]
"#;

    #[test]
    fn a_rule_stands_in_for_the_rules_it_supersedes_on_the_same_text() {
        let engine = engine_with(BROAD_AND_TELLING);
        let rules = engine.rules().rules();
        let ids =
            |found: &[Match]| -> Vec<&str> { found.iter().map(|m| rules[m.rule].id()).collect() };
        let mut scratch = Scratch::default();
        let text = b"x-dmo: dmo_Q7vR2mX9kL4pW8sZ\nother = dmo_Z8wP3nK5mQ2rT7vX\n";
        let found = engine.scan("a.sh", text, &mut scratch);
        // The header line is one finding (the telling rule); the other token stays broad.
        assert_eq!(ids(&found), ["telling", "broad"]);
        assert_eq!(&text[found[1].secret.clone()], b"dmo_Z8wP3nK5mQ2rT7vX");
    }

    #[test]
    fn the_secret_is_in_whichever_alternative_took_part() {
        let rule = r#"
[[rule]]
id = "either-side"
title = "Header near a host"
kind = "lint"
severity = "low"
keywords = ["x-demo"]
regex = '''(?:host\.example\S*\s+(x-demo)|(x-demo)\S*\s+host\.example)'''
secret_group = 1
skip_placeholder_check = true
remediation = "r"
checklist = "c"
examples = ["host.example x-demo", "x-demo: host.example"]
negative_examples = ["x-demo alone"]
"#;
        let engine = engine_with(rule);
        let mut scratch = Scratch::default();
        for text in [
            &b"curl host.example/v1 x-demo"[..],
            b"curl x-demo: host.example/v1",
        ] {
            let found = engine.scan("a.sh", text, &mut scratch);
            assert_eq!(found.len(), 1, "{}", String::from_utf8_lossy(text));
            assert_eq!(&text[found[0].secret.clone()], b"x-demo");
        }
    }

    #[test]
    fn the_same_value_twice_on_a_line_is_one_finding() {
        let engine = engine_with(DEMO);
        let text = b"A: dmo_Q7vR2mX9kL4pW8sZ # dmo_Q7vR2mX9kL4pW8sZ\nB: dmo_Q7vR2mX9kL4pW8sZ\n";
        let found = engine.scan("a.yml", text, &mut Scratch::default());
        let starts: Vec<usize> = found.iter().map(|m| m.secret.start).collect();
        assert_eq!(starts, [3, 50]);
    }

    #[test]
    fn a_rule_for_particular_files_runs_without_keywords_only_there() {
        let rule = r#"
[[rule]]
id = "demo-pgpass"
title = "Password in a .pgpass file"
kind = "secret"
severity = "high"
paths = ["**/.pgpass", ".pgpass"]
regex = '''(?m)^[^:#\n]*:[^:\n]*:[^:\n]*:[^:\n]*:([^\n]{6,})$'''
secret_group = 1
remediation = "r"
checklist = "c"
examples = [{ text = "db.example.net:5432:app:app:Kq8vR2mX9zL4", path = ".pgpass" }]
negative_examples = [{ text = "db.example.net:5432:app:app:Kq8vR2mX9zL4", path = "notes.txt" }]
"#;
        let engine = engine_with(rule);
        let text = b"# comment\ndb.example.net:5432:*:app:Kq8vR2mX9zL4\n";
        let mut scratch = Scratch::default();
        let found = engine.scan("home/.pgpass", text, &mut scratch);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].secret.clone()], b"Kq8vR2mX9zL4");
        assert!(engine.scan("src/app.py", text, &mut scratch).is_empty());
        let without_paths = rule.replace("paths = [\"**/.pgpass\", \".pgpass\"]\n", "");
        let err = RuleSet::default()
            .add_file("t.toml", &without_paths, crate::rulecheck::FULL)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("keywords"));
    }

    #[test]
    fn windows_merge_and_stop_at_lines() {
        let bytes = b"one two\nthree four five\nsix";
        let mut windows = WindowSet::default();
        windows.add(bytes, 8, 13, None, None);
        windows.add(bytes, 14, 18, None, None);
        assert_eq!(windows.ranges, vec![8..23]);
        windows.add(bytes, 24, 27, None, None);
        assert_eq!(windows.ranges, vec![8..23, 24..27]);
    }

    #[test]
    fn a_line_full_of_keywords_is_one_window() {
        let line = "dmo_".repeat(1_000_000);
        let mut windows = WindowSet::default();
        for start in (0..line.len()).step_by(4) {
            windows.add(line.as_bytes(), start, start + 4, None, None);
        }
        assert_eq!(windows.ranges, vec![0..line.len()]);
    }

    #[test]
    fn the_match_limit_bounds_a_blob() {
        let mut set = RuleSet::default();
        set.add_file("test.toml", DEMO, crate::rulecheck::FULL)
            .unwrap();
        let engine = Engine::new(Arc::new(set)).with_match_bound(3);
        let text: String = (0..10)
            .map(|i| format!("k{i} = dmo_Q7vR2mX9kL4pW8s{i}\n"))
            .collect();
        let mut scratch = Scratch::default();
        assert_eq!(engine.scan("a", text.as_bytes(), &mut scratch).len(), 3);
        assert!(scratch.truncated);
        engine.scan("a", b"nothing", &mut scratch);
        assert!(!scratch.truncated);
    }

    #[test]
    fn no_keywords_means_no_regex_work() {
        let engine = engine_with(DEMO);
        assert!(engine
            .scan("a", b"nothing to see", &mut Scratch::default())
            .is_empty());
        // The rule was loaded with full validation, so its regex exists; a fresh parse-only
        // load keeps it uncompiled until a hit.
        let mut set = RuleSet::default();
        set.add_file("t.toml", DEMO, Validation::ParseOnly).unwrap();
        let engine = Engine::new(Arc::new(set));
        engine.scan("a", b"nothing", &mut Scratch::default());
        assert!(!engine.rules().rules()[0].regex_is_compiled());
    }

    #[test]
    fn a_rule_for_other_files_builds_no_windows_and_multi_line_rules_share_the_end_search() {
        let rules = r#"
[[rule]]
id = "state-key"
title = "State key"
kind = "secret"
severity = "high"
keywords = ["dmo_"]
paths = ["*.tfstate"]
multiline = true
regex = '''(dmo_[A-Za-z0-9]{16})[\s\S]*?-----END'''
secret_group = 1
remediation = "r"
checklist = "c"
examples = [{ text = "dmo_Q7vR2mX9kL4pW8sZ\n-----END", path = "a.tfstate" }]
negative_examples = [{ text = "dmo_Q7vR2mX9kL4pW8sZ\n-----END", path = "a.js" }]

[[rule]]
id = "block-key"
title = "Block key"
kind = "secret"
severity = "high"
keywords = ["dmo_"]
multiline = true
regex = '''(dmo_[A-Za-z0-9]{16})\n[A-Z]+\n-----END'''
secret_group = 1
remediation = "r"
checklist = "c"
examples = ["dmo_Q7vR2mX9kL4pW8sZ\nABC\n-----END"]
negative_examples = ["dmo_Q7vR2mX9kL4pW8sZ\n-----END"]
"#;
        let engine = engine_with(rules);
        let text = b"dmo_Q7vR2mX9kL4pW8sZ\nABC\n-----END\nx dmo_Q7vR2mX9kL4pW8sY\nDEF\n-----END\n";
        let mut scratch = Scratch::default();
        let ids = |found: &[Match]| -> Vec<&str> {
            found
                .iter()
                .map(|m| engine.rules().rules()[m.rule].id())
                .collect()
        };
        let in_js = engine.scan("a.js", text, &mut scratch);
        assert_eq!(ids(&in_js), ["block-key", "block-key"]);
        assert!(
            scratch.windows[0].ranges.is_empty(),
            "no windows for a *.tfstate rule in a.js"
        );
        assert_eq!(scratch.windows[0].touch, Touch::Elsewhere);
        let in_state = engine.scan("a.tfstate", text, &mut scratch);
        assert_eq!(
            ids(&in_state),
            ["state-key", "block-key", "state-key", "block-key"]
        );
    }

    #[test]
    fn one_scratch_serves_engines_in_turn_with_each_its_own_regex_caches() {
        let demo = engine_with(DEMO);
        // A regex of another shape: a cache made for one regex is wrong for any other.
        let other = engine_with(
            &DEMO
                .replace("dmo_", "xmp_")
                .replace("demo-token", "xmp-token")
                .replace("{16})", "{16}(?:[-.][a-z]{2,12}){0,3})"),
        );
        let mut scratch = Scratch::default();
        for _ in 0..3 {
            let found = demo.scan("a.py", b"t = 'dmo_Q7vR2mX9kL4pW8sZ'", &mut scratch);
            assert_eq!(found.len(), 1);
            let found = other.scan("a.py", b"t = 'xmp_Q7vR2mX9kL4pW8sZ'", &mut scratch);
            assert_eq!(found.len(), 1);
            assert!(other
                .scan("a.py", b"t = 'dmo_Q7vR2mX9kL4pW8sZ'", &mut scratch)
                .is_empty());
        }
    }

    #[test]
    fn a_gap_rule_runs_its_exact_regex_only_where_its_loosened_screen_matches() {
        let rule = r#"
[[rule]]
id = "acme-key"
title = "Acme key"
kind = "secret"
severity = "high"
keywords = ["acme"]
regex = '''acme[^\n]{0,40}?key\s*=\s*"([A-Za-z0-9]{24})"'''
secret_group = 1
remediation = "r"
checklist = "c"
examples = ["acme(key = \"Q7vR2mX9kL4pW8sZa1b2c3d4\")"]
negative_examples = ["acme(key = \"short\")"]
"#;
        let mut set = RuleSet::default();
        set.add_file("t.toml", rule, Validation::ParseOnly).unwrap();
        let engine = Engine::new(Arc::new(set));
        let rule = &engine.rules().rules()[0];
        assert!(rule.screen().is_some(), "a 40-byte gap is loosened");
        let scan = |text: &str| engine.scan("a.py", text.as_bytes(), &mut Scratch::default());

        // The keyword alone: the screen rejects the window and the exact regex is never built.
        assert!(scan("import acme\nacme.connect()\n").is_empty());
        assert!(!rule.regex_is_compiled());
        // The screen lets a 60-byte gap through, the exact regex does not.
        let far = format!("acme{}key = \"Q7vR2mX9kL4pW8sZa1b2c3d4\"", " ".repeat(60));
        assert!(scan(&far).is_empty());
        assert!(rule.regex_is_compiled());
        let near = "acme_client(region='eu') key = \"Q7vR2mX9kL4pW8sZa1b2c3d4\"";
        let found = scan(near);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value(near.as_bytes()), b"Q7vR2mX9kL4pW8sZa1b2c3d4");
    }
}
