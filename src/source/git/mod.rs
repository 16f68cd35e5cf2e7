//! Git sources: blobs from a repository's object database rather than from the disk.
//!
//! - [`history`]: every blob reachable from every ref, each unique blob read and scanned once,
//!   in pack order so delta chains resolve cheaply; provenance only for blobs with findings.
//! - [`range`]: what the commits of `BASE..HEAD` add (a pull request), line by line.
//! - [`staged`]: what the index adds relative to HEAD (the next commit).
//!
//! This module holds what the three share: opening a repository, deciding whether a changed path
//! is read, turning a diff into [`Change`]s, reading blobs on several threads each with its own
//! repository handle, and turning a commit into a [`GitOrigin`]. None of it looks at content:
//! which bytes are text, and which lines a change adds, is decided downstream, the same way for
//! every source.

pub mod history;
mod index_file;
mod packs;
pub mod range;
pub mod staged;
pub mod vcs;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use git2::{Commit, Delta, Diff, DiffOptions, Oid, Repository};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::{Blob, GitOrigin, Place, ScanStats, SkipReason, VisitorFactory};

/// Errors that stop a git scan before it produces anything.
#[derive(Debug)]
pub enum GitError {
    NotARepository(PathBuf),
    Open(PathBuf, String),
    UnknownRevision(String, String),
    BadRange(String),
    BadExclude(String, String),
    BadDate(String),
    Git(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::NotARepository(path) => {
                write!(f, "{} is not a git repository", path.display())
            }
            GitError::Open(path, e) => {
                write!(f, "cannot open the repository {}: {e}", path.display())
            }
            GitError::UnknownRevision(rev, e) => write!(f, "unknown revision {rev:?}: {e}"),
            GitError::BadRange(text) => write!(
                f,
                "{text:?} is not a range: expected BASE..HEAD (for example origin/main..HEAD)"
            ),
            GitError::BadExclude(glob, e) => write!(f, "bad --exclude pattern {glob:?}: {e}"),
            GitError::BadDate(text) => write!(
                f,
                "{text:?} is not a date: expected YYYY-MM-DD, an RFC 3339 time, or a Unix time"
            ),
            GitError::Git(e) => write!(f, "git: {e}"),
        }
    }
}

impl std::error::Error for GitError {}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Git(e.message().to_string())
    }
}

/// What all git sources share: which blobs are read and how big they may be.
#[derive(Debug, Clone)]
pub struct GitOptions {
    pub max_file_size: u64,
    /// Gitignore-style patterns of repository paths not to scan.
    pub excludes: Vec<String>,
}

/// Opens the repository at or above `path` (a work tree, a subdirectory of one, a `.git`
/// directory or a bare repository).
pub fn open(path: &Path) -> Result<Repository, GitError> {
    if !path.exists() {
        return Err(GitError::Open(
            path.to_path_buf(),
            "no such file or directory".into(),
        ));
    }
    configure_libgit2();
    Repository::discover(path).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => GitError::NotARepository(path.to_path_buf()),
        _ => GitError::Open(path.to_path_buf(), e.message().to_string()),
    })
}

/// Warns about object stores the repository borrows from (`objects/info/alternates`, written by
/// `git clone --shared` or `--reference`) that are gone: every object only they held is then
/// unreadable, and the warning says why before the missing objects are listed.
pub fn check_alternates(repo: &Repository, stats: &crate::source::ScanStats) {
    let objects = repo.commondir().join("objects");
    let Ok(list) = std::fs::read_to_string(objects.join("info").join("alternates")) else {
        return;
    };
    for line in list.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let store = objects.join(line);
        if !store.is_dir() {
            stats.warn(
                None,
                format!(
                    "this repository borrows objects from {line:?} (objects/info/alternates), \
                     which does not exist: objects stored only there cannot be read \
                     (`git repack -a -d` in a repository that still has them makes it \
                     self-contained)"
                ),
            );
        }
    }
}

/// The work tree of the repository at or above `path` (where `.credlint.toml` is looked for),
/// or `None` for a bare repository.
pub fn work_tree(path: &Path) -> Result<Option<PathBuf>, GitError> {
    Ok(open(path)?.workdir().map(Path::to_path_buf))
}

/// Process-wide libgit2 settings, set once before the first repository is opened.
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // libgit2 re-hashes every object it reads (with collision-detecting SHA-1) to check it
        // against its name. That is git's job when objects arrive (fetch, fsck), not a
        // scanner's: it was 45% of the CPU time of a history scan, and `git cat-file` does not
        // do it either.
        git2::opts::strict_hash_verification(false);
        // The object cache keeps recently read trees and commits (up to 256 MiB) in case they
        // are read again; a history scan reads each exactly once, so it would only add to the
        // peak memory.
        git2::opts::enable_caching(false);
    });
}

/// A second handle on the same repository, for another thread (libgit2 handles are not shared
/// between threads; the pack files and their delta-base caches are, inside libgit2).
pub(crate) fn reopen(git_dir: &Path) -> Result<Repository, GitError> {
    Repository::open(git_dir).map_err(|e| GitError::Open(git_dir.into(), e.to_string()))
}

/// Which repository paths are scanned.
pub(crate) struct PathFilter {
    excludes: Option<Gitignore>,
}

impl PathFilter {
    pub fn new(patterns: &[String]) -> Result<PathFilter, GitError> {
        if patterns.is_empty() {
            return Ok(PathFilter { excludes: None });
        }
        let mut builder = GitignoreBuilder::new("");
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|e| GitError::BadExclude(pattern.clone(), e.to_string()))?;
        }
        let excludes = builder
            .build()
            .map_err(|e| GitError::BadExclude(patterns.join(", "), e.to_string()))?;
        Ok(PathFilter {
            excludes: Some(excludes),
        })
    }

    pub fn excluded(&self, path: &str) -> bool {
        self.excludes.as_ref().is_some_and(|g| {
            g.matched_path_or_any_parents(Path::new(path), false)
                .is_ignore()
        })
    }
}

/// Reads a blob within the size limit; `None` (counted) when it is too large or unreadable.
pub(crate) fn read_blob<'odb>(
    odb: &'odb git2::Odb,
    oid: Oid,
    path: &str,
    max_size: u64,
    stats: &ScanStats,
) -> Option<git2::OdbObject<'odb>> {
    match odb.read_header(oid) {
        Ok((size, _)) if size as u64 > max_size => {
            stats.skipped(SkipReason::TooLarge);
            return None;
        }
        Ok(_) => {}
        Err(e) => return unreadable(oid, path, &e, stats),
    }
    match odb.read(oid) {
        Ok(object) => Some(object),
        Err(e) => unreadable(oid, path, &e, stats),
    }
}

fn unreadable<T>(oid: Oid, path: &str, error: &git2::Error, stats: &ScanStats) -> Option<T> {
    stats.skipped(SkipReason::Unreadable);
    stats.warn(
        Some(path),
        format!("could not read blob {oid}: {}", error.message()),
    );
    None
}

/// Diff options for listing what changed: no content is diffed here (which lines a change adds
/// is worked out downstream, from the bytes, after admission decided how to read them).
pub(crate) fn diff_options() -> DiffOptions {
    let mut options = DiffOptions::new();
    options.ignore_submodules(true).skip_binary_check(true);
    options
}

/// Follows renames, so a moved file contributes only the lines that changed on the way.
pub(crate) fn find_renames(diff: &mut Diff) -> Result<(), GitError> {
    let mut find = git2::DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    Ok(())
}

/// A file a change adds content to: its new blob, and the versions it replaces.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub path: String,
    pub new: Oid,
    /// One per parent the change is measured against: the file's blob there (the rename's
    /// source for a renamed file), or `None` where the file did not exist.
    pub replaces: Vec<Option<Oid>>,
    /// Which commit made the change (an index the caller defines).
    pub origin: u32,
}

/// The files a diff adds content to. Symlink, submodule and oversized changes are counted as
/// skipped; deletions and pure renames add nothing.
pub(crate) fn changes_in(
    diff: &Diff,
    origin: u32,
    max_size: u64,
    filter: &PathFilter,
    stats: &ScanStats,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for delta in diff.deltas() {
        if !matches!(
            delta.status(),
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
        ) {
            continue;
        }
        let new = delta.new_file();
        let old = delta.old_file();
        if old.id() == new.id() && is_file(u32::from(old.mode())) {
            continue; // moved or copied unchanged, or only its mode changed
        }
        if new.id() == empty_blob() {
            // An empty file adds nothing, and `git add -N` stages a path under this id without
            // the object database having to hold it.
            continue;
        }
        let path = new
            .path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        match admit(&path, u32::from(new.mode()), new.size(), max_size, filter) {
            Err(reason) => reason.into_iter().for_each(|r| stats.skipped(r)),
            Ok(()) => changes.push(Change {
                path,
                new: new.id(),
                replaces: vec![
                    (is_file(u32::from(old.mode())) && !old.id().is_zero()).then(|| old.id())
                ],
                origin,
            }),
        }
    }
    changes
}

/// The id of the empty blob.
fn empty_blob() -> Oid {
    Oid::from_str("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391").expect("a valid object id")
}

/// Regular files, as opposed to symlinks (0o120000), submodules (0o160000) and trees.
pub(crate) fn is_file(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// Whether a changed file is read: `Err` with what it counts as when it is not (an excluded
/// path or a submodule counts as nothing). Content is judged later, by admission.
pub(crate) fn admit(
    path: &str,
    mode: u32,
    size: u64,
    max_size: u64,
    filter: &PathFilter,
) -> Result<(), Option<SkipReason>> {
    if filter.excluded(path) {
        Err(None)
    } else if mode == 0o120000 {
        Err(Some(SkipReason::Symlink))
    } else if !is_file(mode) {
        Err(None) // submodules and trees: not blobs of this repository
    } else if size > max_size {
        Err(Some(SkipReason::TooLarge))
    } else {
        Ok(())
    }
}

/// Runs `work` over `items` on `threads` threads, each with its own repository handle, a
/// visitor from `visitors` and whatever else `thread_state` makes for it. Items are taken
/// `chunk` at a time, in order, so that neighbours (in pack order, delta chains) mostly stay on
/// one thread. One thread does everything when there
/// is little to do.
#[allow(clippy::too_many_arguments)]
pub(crate) fn for_each_parallel<T: Sync, S>(
    repo: &Repository,
    items: &[T],
    threads: usize,
    chunk: usize,
    visitors: &dyn VisitorFactory,
    thread_state: &(dyn Fn() -> S + Sync),
    work: &(dyn Fn(&git2::Odb, &mut S, &T, &mut dyn super::BlobVisitor) + Sync),
) -> Result<(), GitError> {
    let chunk = chunk.max(1);
    if threads <= 1 || items.len() <= chunk {
        let odb = repo.odb()?;
        let mut visitor = visitors.visitor();
        let mut state = thread_state();
        for item in items {
            work(&odb, &mut state, item, &mut visitor);
        }
        return Ok(());
    }
    let git_dir = repo.path();
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<GitError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let fail = |e: GitError| {
                    *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                };
                let repo = match reopen(git_dir) {
                    Ok(repo) => repo,
                    Err(e) => return fail(e),
                };
                let odb = match repo.odb() {
                    Ok(odb) => odb,
                    Err(e) => return fail(e.into()),
                };
                let mut visitor = visitors.visitor();
                let mut state = thread_state();
                loop {
                    let start = next.fetch_add(1, Ordering::Relaxed) * chunk;
                    let Some(part) = items.get(start..(start + chunk).min(items.len())) else {
                        break;
                    };
                    for item in part {
                        work(&odb, &mut state, item, &mut visitor);
                    }
                }
            });
        }
    });
    match failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Reads changed files (their new blobs and the versions they replace) on several threads and
/// hands each to a visitor, at its path, with the origin of the commit that made it.
pub(crate) fn read_changes(
    repo: &Repository,
    changes: &[Change],
    max_size: u64,
    threads: usize,
    stats: &ScanStats,
    visitors: &dyn VisitorFactory,
) -> Result<(), GitError> {
    // Few changes are cheaper on one thread than opening more repository handles.
    const PER_THREAD: usize = 32;
    let work =
        |odb: &git2::Odb, _: &mut (), change: &Change, visitor: &mut dyn super::BlobVisitor| {
            let Some(new) = read_blob(odb, change.new, &change.path, max_size, stats) else {
                return;
            };
            let mut old_objects = Vec::with_capacity(change.replaces.len());
            for old in &change.replaces {
                // An older version that cannot be read (or is over the size limit) is compared as
                // absent: every line counts.
                old_objects.push(old.and_then(|oid| {
                    read_blob(odb, oid, &change.path, max_size, &ScanStats::default())
                }));
            }
            let replaces: Vec<Option<&[u8]>> = old_objects
                .iter()
                .map(|o| o.as_ref().map(|o| o.data()))
                .collect();
            let object = change.new.to_string();
            visitor.visit(&Blob {
                bytes: new.data(),
                places: &[Place {
                    path: &change.path,
                    rel_path: &change.path,
                    origin: change.origin,
                }],
                object: Some(&object),
                replaces: Some(&replaces),
            });
        };
    for_each_parallel(repo, changes, threads, PER_THREAD, visitors, &|| (), &work)
}

/// The bytes of the file at `path` (repository-relative) in the tree of revision `rev`, or
/// `None` when that tree has no such file.
pub fn file_at(repo_path: &Path, rev: &str, path: &str) -> Result<Option<Vec<u8>>, GitError> {
    let repo = open(repo_path)?;
    let tree = repo
        .revparse_single(rev)
        .and_then(|object| object.peel_to_tree())
        .map_err(|e| GitError::UnknownRevision(rev.to_string(), e.message().to_string()))?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(entry) => entry,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let blob = repo.find_blob(entry.id())?;
    Ok(Some(blob.content().to_vec()))
}

/// What `credlint scan` needs to know about a work tree: the paths git tracks (regular files,
/// symlinks and submodules, relative to the top, forward slashes) and the repository's own
/// excludes file.
pub struct WorkTreeIndex {
    pub tracked: Vec<String>,
    pub exclude_file: Option<PathBuf>,
}

/// The index of the work tree whose top is `top`; `None` when `top` is not one, or its index
/// cannot be read (every ignore rule then applies, as without git).
pub fn work_tree_index(top: &Path) -> Option<WorkTreeIndex> {
    if !top.join(".git").exists() {
        return None;
    }
    configure_libgit2();
    let repo = Repository::open(top).ok()?;
    let exclude_file = Some(repo.commondir().join("info").join("exclude"));
    let tracked = match index_file::read(&repo.path().join("index")) {
        Some(index) => index
            .entries
            .into_iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect(),
        None => {
            let index = repo.index().ok()?;
            index
                .iter()
                .map(|e| String::from_utf8_lossy(&e.path).into_owned())
                .collect()
        }
    };
    Some(WorkTreeIndex {
        tracked,
        exclude_file,
    })
}

/// A commit's or an annotated tag's message, from its raw object: what follows the headers
/// (which end at the first empty line; a signature's continuation lines are never empty).
pub(crate) fn message_of(raw: &[u8]) -> &[u8] {
    memchr::memmem::find(raw, b"\n\n").map_or(&[][..], |i| &raw[i + 2..])
}

/// Where a finding in a commit message is reported: the report reads "in the commit message of
/// 0123456789".
pub(crate) fn commit_message_path(commit: Oid) -> String {
    format!("<commit message of {}>", &commit.to_string()[..10])
}

/// Where a finding in an annotated tag's message is reported.
pub(crate) fn tag_message_path(name: &str) -> String {
    format!("<tag message of {name}>")
}

/// The provenance of a commit as findings carry it: never the author's e-mail.
pub(crate) fn origin_of(commit: &Commit) -> GitOrigin {
    let author = commit.author();
    GitOrigin {
        commit: commit.id().to_string(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        date: iso8601_utc(commit.time().seconds()),
        summary: commit
            .summary_bytes()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        in_head: None,
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso8601_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (eras of 400 years, March-based
/// years so the leap day falls at the end).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Day count since 1970-01-01 of a proleptic Gregorian date (the inverse of
/// [`civil_from_days`]).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: i64, month: u32) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `--since`: `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM:SS` with `Z` or an offset,
/// or a Unix time in seconds. Returns seconds since the epoch.
pub fn parse_date(text: &str) -> Result<i64, GitError> {
    let bad = || GitError::BadDate(text.to_string());
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed.parse().map_err(|_| bad());
    }
    let number = |s: &str| -> Result<i64, GitError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (date, time) = match trimmed.find(['T', 't', ' ']) {
        Some(i) => (&trimmed[..i], Some(&trimmed[i + 1..])),
        None => (trimmed, None),
    };
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let (year, month, day) = (number(y)?, number(m)?, number(d)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month as u32) {
        return Err(bad());
    }
    let mut seconds = days_from_civil(year, month as u32, day as u32) * 86_400;
    if let Some(time) = time {
        let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
            Some(i) => (&time[..i], &time[i..]),
            None => (time, ""),
        };
        let mut fields = clock.split(':');
        let hour = number(fields.next().unwrap_or(""))?;
        let minute = number(fields.next().unwrap_or("0"))?;
        let second = fields
            .next()
            .map(|s| number(s.split('.').next().unwrap_or("")))
            .transpose()?
            .unwrap_or(0);
        if hour > 23 || minute > 59 || second > 60 {
            return Err(bad());
        }
        seconds += hour * 3600 + minute * 60 + second;
        if let Some(sign) = offset.chars().next().filter(|c| *c == '+' || *c == '-') {
            let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 {
                return Err(bad());
            }
            let minutes = number(&digits[..2])? * 60 + number(&digits[2..])?;
            seconds -= if sign == '+' {
                minutes * 60
            } else {
                -minutes * 60
            };
        }
    }
    Ok(seconds)
}

/// Pairs of indices the git sources hand out themselves (history: blob and path; staged: an
/// index entry and a path length), which no repository can choose to collide: one
/// multiplication mixes them well enough, where SipHash was a visible part of the tree walk and
/// of a staged run.
#[derive(Default, Clone, Copy)]
pub(crate) struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u8(byte);
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.write_u64(u64::from(byte));
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(32) ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso8601_utc(-1), "1969-12-31T23:59:59Z");
        for days in [-800_000i64, -1, 0, 59, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn since_dates() {
        assert_eq!(parse_date("2023-11-14").unwrap(), 1_699_920_000);
        assert_eq!(parse_date("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000);
        assert_eq!(
            parse_date("2023-11-15T00:13:20+02:00").unwrap(),
            1_700_000_000
        );
        assert_eq!(parse_date("1700000000").unwrap(), 1_700_000_000);
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2023-13-01").is_err());
        assert!(parse_date("2023-11").is_err());
        assert!(parse_date("2024-02-30").is_err());
        assert!(parse_date("2023-02-29").is_err());
        assert_eq!(parse_date("2024-02-29").unwrap(), 1_709_164_800);
    }
}
