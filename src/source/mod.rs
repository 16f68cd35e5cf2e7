//! Sources: where blobs come from (the filesystem, standard input, git history, a commit range,
//! the staging area), and the counters of what was read and what was skipped and why.
//!
//! A source only enumerates and reads. It hands each blob, with where it lives ([`Place`]), to a
//! [`BlobVisitor`] made per worker thread; it never looks at rules, matches or findings. What
//! happens to the bytes (admission, matching, filtering) is the pipeline's business
//! ([`crate::scan`]), the same for every source. After matching, the pipeline asks the source for
//! what only it knows about a place: the commit's provenance, and whether a secret is still in
//! HEAD.

pub mod fs;
pub mod git;
pub mod stdin;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Bytes a source read, with every place they live.
pub struct Blob<'a> {
    /// The bytes as stored (admission decides whether and how they are scanned).
    pub bytes: &'a [u8],
    /// At least one; the first is where the bytes first appeared. Git history gives every path a
    /// blob is reachable at, so that decisions that depend on the path are taken for each.
    pub places: &'a [Place<'a>],
    /// For git: the object id, for messages and for asking whether a secret is still in HEAD.
    pub object: Option<&'a str>,
    /// For range and staged scans: the versions these bytes replace, one per parent (`None`
    /// where a parent did not have the file). Only lines new relative to every one count.
    /// `None` for sources where every line counts.
    pub replaces: Option<&'a [Option<&'a [u8]>]>,
}

/// One place where a blob lives.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// The path as the user sees it.
    pub path: &'a str,
    /// The path relative to the repository (or scan root), forward slashes.
    pub rel_path: &'a str,
    /// Source-defined: which commit (an index in the source's own walk, oldest first) put the
    /// bytes at this path. Orders findings (the first appearance wins) and names the provenance
    /// the pipeline asks for after matching. 0 for sources without commits.
    pub origin: u32,
}

/// What a source hands blobs to: one visitor per worker thread.
pub trait BlobVisitor {
    fn visit(&mut self, blob: &Blob);
}

impl<V: BlobVisitor + ?Sized> BlobVisitor for Box<V> {
    fn visit(&mut self, blob: &Blob) {
        (**self).visit(blob)
    }
}

/// Makes the per-thread visitors a source feeds; shared by the source's threads.
pub trait VisitorFactory: Sync {
    fn visitor(&self) -> Box<dyn BlobVisitor + Send + '_>;
}

/// What a scan covered, for telling stale baseline entries (their finding is gone) from entries
/// the scan never looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Everything a baseline can name (a whole directory tree, a full history).
    Everything,
    /// Only these repository paths and everything below them.
    Under(Vec<String>),
    /// Only part of some files (a commit range, a staged change, a narrowed history): no entry
    /// can be called stale.
    Nothing,
}

impl Coverage {
    pub fn covers(&self, path: &str) -> bool {
        match self {
            Coverage::Everything => true,
            Coverage::Nothing => false,
            Coverage::Under(prefixes) => prefixes.iter().any(|prefix| {
                prefix.is_empty()
                    || path == prefix
                    || (path.starts_with(prefix.as_str())
                        && path.as_bytes().get(prefix.len()) == Some(&b'/'))
            }),
        }
    }
}

/// What was scanned, for the summary line and the machine formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanMode {
    Directory,
    Stdin,
    GitHistory,
    GitRange,
    Staged,
}

impl ScanMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanMode::Directory => "directory",
            ScanMode::Stdin => "stdin",
            ScanMode::GitHistory => "git-history",
            ScanMode::GitRange => "git-range",
            ScanMode::Staged => "staged",
        }
    }

    /// "files" for a directory, "blobs" for git history.
    pub fn unit(self) -> &'static str {
        match self {
            ScanMode::GitHistory => "blobs",
            _ => "files",
        }
    }

    /// "1 file", "3 files", "1 blob".
    pub fn count(self, n: u64) -> String {
        let unit = self.unit();
        if n == 1 {
            format!("1 {}", &unit[..unit.len() - 1])
        } else {
            format!("{n} {unit}")
        }
    }
}

/// Where a git blob came from: the commit that first introduced it at its path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitOrigin {
    pub commit: String,
    pub author: String,
    /// ISO 8601, UTC.
    pub date: String,
    /// First line of the commit message.
    pub summary: String,
    /// Whether the secret is still in HEAD. `None` when unknown (a range or staged scan, where
    /// the question does not arise).
    pub in_head: Option<bool>,
}

/// The state of the repository a git scan read, as SARIF's `versionControlProvenance` records
/// it (see [`git::vcs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionControl {
    /// The `origin` remote's URL, without credentials.
    pub repository_uri: String,
    /// The commit scanned up to: HEAD, or the head of a range.
    pub revision: String,
    /// The branch that commit is the tip of, when it is one.
    pub branch: Option<String>,
}

/// A source, as the pipeline drives it: read everything, then answer questions about the places
/// that had findings.
pub trait Source {
    fn mode(&self) -> ScanMode;

    /// What a baseline entry must lie in to be called stale when no finding matched it.
    fn coverage(&self) -> Coverage;

    /// Whether the same secret at the same path in several blobs (versions of a file, commits of
    /// a range) is one finding, reported at its first appearance.
    fn one_finding_per_fingerprint(&self) -> bool {
        false
    }

    /// Reads every blob, feeding each to a visitor made by `visitors` on the thread that read it.
    fn read(
        &mut self,
        threads: usize,
        stats: &ScanStats,
        visitors: &dyn VisitorFactory,
    ) -> Result<(), SourceError>;

    /// The commit behind a place's `origin` (the blob's `object` id, when it has one), for
    /// findings there; `None` for sources without commits.
    fn provenance(
        &self,
        _origin: u32,
        _object: Option<&str>,
        _stats: &ScanStats,
    ) -> Option<GitOrigin> {
        None
    }

    /// Whether `secret`, found in `object` at `rel_path`, is still in HEAD; `None` when the
    /// question does not arise.
    fn still_present(&self, _object: &str, _rel_path: &str, _secret: &[u8]) -> Option<bool> {
        None
    }
}

/// Errors that stop a source before it produces anything.
#[derive(Debug)]
pub enum SourceError {
    Fs(fs::FsError),
    Git(git::GitError),
    Stdin(String),
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceError::Fs(e) => e.fmt(f),
            SourceError::Git(e) => e.fmt(f),
            SourceError::Stdin(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for SourceError {}

impl From<fs::FsError> for SourceError {
    fn from(e: fs::FsError) -> Self {
        SourceError::Fs(e)
    }
}

impl From<git::GitError> for SourceError {
    fn from(e: git::GitError) -> Self {
        SourceError::Git(e)
    }
}

/// A set of 1-based line numbers, as sorted, disjoint, inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSet {
    ranges: Vec<(usize, usize)>,
}

impl LineSet {
    /// Adds lines `first..=last`; ranges must be added in increasing order.
    pub fn push_range(&mut self, first: usize, last: usize) {
        match self.ranges.last_mut() {
            Some((_, end)) if first <= *end + 1 => *end = (*end).max(last),
            _ => self.ranges.push((first, last)),
        }
    }

    /// Whether any line of `first..=last` is in the set.
    pub fn intersects(&self, first: usize, last: usize) -> bool {
        let i = self.ranges.partition_point(|(_, end)| *end < first);
        self.ranges.get(i).is_some_and(|(start, _)| *start <= last)
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The ranges, as inclusive (first, last) line numbers in order.
    pub fn ranges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.ranges.iter().copied()
    }

    /// The lines in both sets (for merge commits: what is new relative to every parent).
    pub fn intersection(&self, other: &LineSet) -> LineSet {
        let mut out = LineSet::default();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a_start, a_end) = self.ranges[i];
            let (b_start, b_end) = other.ranges[j];
            let (start, end) = (a_start.max(b_start), a_end.min(b_end));
            if start <= end {
                out.push_range(start, end);
            }
            if a_end < b_end {
                i += 1;
            } else {
                j += 1;
            }
        }
        out
    }
}

/// Why a file or blob was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// A NUL byte near the start, or a format that is always binary (images, fonts, archives).
    Binary,
    /// Larger than `--max-file-size`.
    TooLarge,
    /// Could not be read (permissions, I/O error). These make the scan incomplete.
    Unreadable,
    /// Not a regular file (FIFO, socket, device): never opened.
    NotRegularFile,
    /// A symbolic link, not followed (`--follow-symlinks` follows them).
    Symlink,
    /// Removed between the directory walk and the read.
    Vanished,
    /// Untracked and listed by `.gitignore` or `.ignore` (a directory counts once).
    Ignored,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too_large",
            SkipReason::Unreadable => "unreadable",
            SkipReason::NotRegularFile => "not_regular_file",
            SkipReason::Symlink => "symlink",
            SkipReason::Vanished => "vanished",
            SkipReason::Ignored => "ignored",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Unreadable => "unreadable",
            SkipReason::NotRegularFile => "not regular files",
            SkipReason::Symlink => "symlinks not followed",
            SkipReason::Vanished => "removed during the scan",
            SkipReason::Ignored => "ignored (.gitignore, .ignore)",
        }
    }

    const ALL: [SkipReason; 7] = [
        SkipReason::Binary,
        SkipReason::TooLarge,
        SkipReason::Unreadable,
        SkipReason::NotRegularFile,
        SkipReason::Symlink,
        SkipReason::Vanished,
        SkipReason::Ignored,
    ];
}

/// Something the user should know about that did not stop the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub path: Option<String>,
    pub message: String,
}

/// Counters shared by all scanning threads (relaxed atomics: they are only read for progress
/// and at the end).
#[derive(Default)]
pub struct ScanStats {
    files: AtomicU64,
    bytes: AtomicU64,
    skipped: [AtomicU64; 7],
    /// Blobs whose matching stopped at the engine's bound before the end (see
    /// [`ScanStats::incomplete`]).
    incomplete: AtomicU64,
    warnings: Mutex<Vec<Warning>>,
    notes: Mutex<Vec<String>>,
}

impl ScanStats {
    pub fn scanned(&self, bytes: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub fn skipped(&self, reason: SkipReason) {
        self.skipped[reason as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// A file that could not be read: counted and reported with its reason.
    pub fn unreadable(&self, path: &str, error: &std::io::Error) {
        self.skipped(SkipReason::Unreadable);
        self.warn(
            Some(path),
            format!("could not read: {}", describe_io_error(error)),
        );
    }

    /// A blob scanned only in part (a generated file holding more matches than the engine keeps):
    /// what was not looked at may hide a secret, so the scan is incomplete.
    pub fn incomplete(&self, path: &str, message: String) {
        self.incomplete.fetch_add(1, Ordering::Relaxed);
        self.warn(Some(path), message);
    }

    pub fn incomplete_count(&self) -> u64 {
        self.incomplete.load(Ordering::Relaxed)
    }

    pub fn warn(&self, path: Option<&str>, message: String) {
        let warning = Warning {
            path: path.map(str::to_string),
            message,
        };
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(warning);
    }

    /// A fact about the scan as a whole ("history is truncated: shallow clone").
    pub fn note(&self, note: String) {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(note);
    }

    pub fn files(&self) -> u64 {
        self.files.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub fn skipped_counts(&self) -> BTreeMap<SkipReason, u64> {
        SkipReason::ALL
            .iter()
            .map(|r| (*r, self.skipped[*r as usize].load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn take_warnings(&self) -> Vec<Warning> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// An I/O error in words, without the OS's numeric code noise.
pub fn describe_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_sets_merge_and_intersect() {
        let mut lines = LineSet::default();
        lines.push_range(3, 4);
        lines.push_range(5, 5);
        lines.push_range(9, 12);
        assert_eq!(lines.ranges, vec![(3, 5), (9, 12)]);
        assert!(lines.intersects(1, 3));
        assert!(!lines.intersects(6, 8));
        assert!(lines.intersects(8, 9));
        assert!(!lines.intersects(13, 20));

        let mut other = LineSet::default();
        other.push_range(1, 3);
        other.push_range(5, 10);
        other.push_range(12, 30);
        let both = lines.intersection(&other);
        assert_eq!(both.ranges, vec![(3, 3), (5, 5), (9, 10), (12, 12)]);
        assert!(lines.intersection(&LineSet::default()).is_empty());
    }

    #[test]
    fn coverage_of_paths_and_directories() {
        let under = Coverage::Under(vec!["src".into(), "a.txt".into()]);
        assert!(under.covers("src/x.py"));
        assert!(under.covers("a.txt"));
        assert!(!under.covers("srcx/y.py"));
        assert!(!under.covers("a.txt2"));
        assert!(Coverage::Under(vec![String::new()]).covers("anything"));
        assert!(!Coverage::Nothing.covers("src/x.py"));
    }
}
