//! The filesystem source: a parallel walk (the `ignore` crate's walker, one worker per thread)
//! that reads each regular file once into a reused buffer and hands it on as a blob. Whether the
//! bytes are text is admission's decision, not the walk's: a file is skipped here only for what
//! its directory entry says (an ignored path, a special file, a link, its size).
//!
//! Hidden files are scanned (`.env`, `.github/`); the `.git` directory is not. `.gitignore` and
//! `.ignore` files are honoured for untracked files only ([`ignores`]): in a git work tree every
//! tracked file is scanned, as git itself ignores only untracked files, so neither a forced add
//! nor a committed `.ignore` can hide one. Ignored paths are counted. Symbolic links are not
//! followed unless asked, and when they are, never outside the roots. Everything skipped is
//! counted, never silently dropped.

mod ignores;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, WalkBuilder, WalkState};

use super::{
    Blob, BlobVisitor, Coverage, Place, ScanMode, ScanStats, SkipReason, Source, SourceError,
    VisitorFactory, Warning,
};
use ignores::IgnoreRules;

#[derive(Debug, Clone)]
pub struct FsOptions {
    pub roots: Vec<PathBuf>,
    pub no_ignore: bool,
    pub follow_symlinks: bool,
    pub max_file_size: u64,
    /// Gitignore-style patterns of paths not to scan (`node_modules`, `*.min.js`, `/vendor`).
    pub excludes: Vec<String>,
    pub threads: usize,
}

/// A root as given, with what is needed to name its files relative to the repository.
struct Root {
    given: PathBuf,
    canonical: PathBuf,
    /// Path of the root inside its git work tree (or empty), forward slashes.
    rel_prefix: String,
    /// The directory repository-relative paths start at (see [`ScanBase`]).
    base: PathBuf,
    is_file: bool,
}

/// Errors that stop a filesystem scan before it starts.
#[derive(Debug)]
pub enum FsError {
    MissingRoot(PathBuf, std::io::Error),
    BadExclude(String, String),
}

impl std::fmt::Display for FsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FsError::MissingRoot(path, e) => write!(
                f,
                "cannot scan {}: {}",
                path.display(),
                super::describe_io_error(e)
            ),
            FsError::BadExclude(glob, e) => write!(f, "bad --exclude pattern {glob:?}: {e}"),
        }
    }
}

impl std::error::Error for FsError {}

/// The files and directories of a `credlint scan`, read from the disk.
pub struct FsSource {
    options: FsOptions,
}

impl FsSource {
    pub fn new(options: FsOptions) -> FsSource {
        FsSource { options }
    }
}

impl Source for FsSource {
    fn mode(&self) -> ScanMode {
        ScanMode::Directory
    }

    fn coverage(&self) -> Coverage {
        let prefixes = self
            .options
            .roots
            .iter()
            .filter_map(|p| scan_base(p).ok())
            .map(|b| b.prefix)
            .collect();
        Coverage::Under(prefixes)
    }

    fn read(
        &mut self,
        threads: usize,
        stats: &ScanStats,
        visitors: &dyn VisitorFactory,
    ) -> Result<(), SourceError> {
        let options = FsOptions {
            threads,
            ..self.options.clone()
        };
        walk(&options, stats, || visitors.visitor())?;
        Ok(())
    }
}

/// Walks the roots in parallel. Each walker thread calls `make_worker` once and feeds every blob
/// it reads to that worker, so workers can keep per-thread state (scratch space, findings) and
/// hand it over when they are dropped at the end of the walk.
pub fn walk<F, W>(options: &FsOptions, stats: &ScanStats, make_worker: F) -> Result<(), FsError>
where
    F: Fn() -> W + Sync,
    W: BlobVisitor + Send,
{
    let mut roots: Vec<Root> = Vec::new();
    for given in &options.roots {
        let root = resolve_root(given)?;
        // `scan plain plain` scans the files once.
        if !roots.iter().any(|r| r.canonical == root.canonical) {
            roots.push(root);
        }
    }
    let roots = Arc::new(roots);
    let excludes = build_excludes(&options.excludes)?;
    let ignores = if options.no_ignore {
        None
    } else {
        let bases: Vec<(PathBuf, String)> = roots
            .iter()
            .map(|r| (r.base.clone(), r.rel_prefix.clone()))
            .collect();
        Some(Arc::new(IgnoreRules::new(&bases)))
    };
    let pruned = Arc::new(Pruned::default());

    let mut builder = WalkBuilder::new(&roots[0].given);
    for root in &roots[1..] {
        builder.add(&root.given);
    }
    // The walker's own ignore handling cannot tell a tracked file from an untracked one, and
    // does not say what it skipped: [`ignores`] does both, in `keep_entry`.
    builder
        .standard_filters(false)
        .hidden(false)
        .follow_links(options.follow_symlinks)
        .threads(options.threads.max(1));
    {
        let roots = Arc::clone(&roots);
        let excludes = excludes.clone();
        let ignores = ignores.clone();
        let pruned = Arc::clone(&pruned);
        let follow = options.follow_symlinks;
        builder.filter_entry(move |entry| {
            keep_entry(
                entry,
                &roots,
                excludes.as_ref(),
                ignores.as_deref(),
                follow,
                &pruned,
            )
        });
    }
    let max = options.max_file_size;
    let follow = options.follow_symlinks;
    builder.build_parallel().run(|| {
        let mut worker = make_worker();
        let mut reading = Reading::default();
        let roots = &roots;
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    visit_entry(&entry, roots, max, follow, stats, &mut reading, &mut worker)
                }
                Err(error) => report_walk_error(&error, stats),
            }
            WalkState::Continue
        })
    });
    pruned.report(stats);
    if let Some(ignores) = ignores {
        for warning in ignores.take_warnings() {
            stats.warn(warning.path.as_deref(), warning.message);
        }
    }
    Ok(())
}

/// What `keep_entry` decided not to walk, gathered across the walker's threads (the filter must
/// own what it uses) and counted once the walk is over.
#[derive(Default)]
struct Pruned {
    ignored: AtomicU64,
    /// Links that lead out of the roots, with the warning to give for each.
    outside: Mutex<Vec<Warning>>,
}

impl Pruned {
    fn report(&self, stats: &ScanStats) {
        for _ in 0..self.ignored.load(Ordering::Relaxed) {
            stats.skipped(SkipReason::Ignored);
        }
        for warning in std::mem::take(&mut *self.outside.lock().unwrap_or_else(|e| e.into_inner()))
        {
            stats.skipped(SkipReason::Symlink);
            stats.warn(warning.path.as_deref(), warning.message);
        }
    }
}

fn resolve_root(given: &Path) -> Result<Root, FsError> {
    let base = scan_base(given).map_err(|e| FsError::MissingRoot(given.to_path_buf(), e))?;
    Ok(Root {
        given: given.to_path_buf(),
        canonical: base.canonical,
        rel_prefix: base.prefix,
        base: base.base,
        is_file: base.is_file,
    })
}

/// Where the repository-relative paths of a scanned path start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanBase {
    /// The git work tree that contains the path; outside one, the directory itself (a file's
    /// parent). Fingerprints, globs and baselines use paths relative to it, and it is where
    /// `.credlint.toml` is looked for.
    pub base: PathBuf,
    /// The scanned path relative to `base`, forward slashes (empty for the base itself).
    pub prefix: String,
    pub canonical: PathBuf,
    pub is_file: bool,
}

pub fn scan_base(given: &Path) -> std::io::Result<ScanBase> {
    let metadata = std::fs::metadata(given)?;
    let canonical = given.canonicalize()?;
    let is_file = !metadata.is_dir();
    let work_tree = canonical
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf);
    let (base, prefix) = match work_tree {
        Some(top) => {
            let prefix = slash_path(canonical.strip_prefix(&top).unwrap_or(Path::new("")));
            (top, prefix)
        }
        None if is_file => (
            canonical.parent().unwrap_or(Path::new("/")).to_path_buf(),
            canonical
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
        None => (canonical.clone(), String::new()),
    };
    Ok(ScanBase {
        base,
        prefix,
        canonical,
        is_file,
    })
}

fn build_excludes(patterns: &[String]) -> Result<Option<Gitignore>, FsError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GitignoreBuilder::new("");
    for pattern in patterns {
        builder
            .add_line(None, pattern)
            .map_err(|e| FsError::BadExclude(pattern.clone(), e.to_string()))?;
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| FsError::BadExclude(patterns.join(", "), e.to_string()))
}

/// Decides which directory entries the walker descends into or yields.
fn keep_entry(
    entry: &DirEntry,
    roots: &[Root],
    excludes: Option<&Gitignore>,
    ignores: Option<&IgnoreRules>,
    follow: bool,
    pruned: &Pruned,
) -> bool {
    if entry.depth() == 0 {
        return true;
    }
    if entry.file_name() == ".git" {
        return false;
    }
    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
    let (root, rel) = root_and_relative_path(entry.path(), roots);
    if let Some(excludes) = excludes {
        if excludes
            .matched_path_or_any_parents(&rel, is_dir)
            .is_ignore()
        {
            return false;
        }
    }
    if let (Some(ignores), Some(root)) = (ignores, root) {
        if ignores.ignores(&root.base, &rel, is_dir) {
            pruned.ignored.fetch_add(1, Ordering::Relaxed);
            return false;
        }
    }
    if follow && entry.path_is_symlink() {
        // Followed links must stay inside a root: a repository must not be able to make the
        // scanner read (and report) files elsewhere on the machine.
        let Ok(target) = entry.path().canonicalize() else {
            return true; // broken link: yielded, then reported when it cannot be read
        };
        if !roots.iter().any(|r| target.starts_with(&r.canonical)) {
            pruned
                .outside
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Warning {
                    path: Some(display_path(entry.path())),
                    message: "symbolic link to a place outside the scanned paths, not followed"
                        .to_string(),
                });
            return false;
        }
    }
    true
}

fn visit_entry<W: BlobVisitor>(
    entry: &DirEntry,
    roots: &[Root],
    max: u64,
    follow: bool,
    stats: &ScanStats,
    reading: &mut Reading,
    worker: &mut W,
) {
    let Some(file_type) = entry.file_type() else {
        return; // stdin, never produced by a directory walk
    };
    if file_type.is_dir() {
        return;
    }
    if file_type.is_symlink() {
        stats.skipped(SkipReason::Symlink);
        return;
    }
    if !file_type.is_file() {
        stats.skipped(SkipReason::NotRegularFile);
        return;
    }
    let path = entry.path();
    let display = display_path(path);
    // A root the user named is read even when it is a link; links found by the walk are not.
    let opened = match entry.depth() {
        0 => open_for_scan(path, true),
        _ => reading.dir.open(path, follow),
    };
    let mut file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && entry.path_is_symlink() => {
            stats.skipped(SkipReason::Symlink);
            stats.warn(
                Some(&display),
                "broken symbolic link, not followed".to_string(),
            );
            return;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            stats.skipped(SkipReason::Vanished);
            return;
        }
        Err(e) if is_symlink_refusal(&e) => {
            // Replaced by a symbolic link between the walk and the open.
            stats.skipped(SkipReason::Symlink);
            return;
        }
        Err(e) => return stats.unreadable(&display, &e),
    };
    let buffer = &mut reading.buffer;
    buffer.clear();
    match read_whole(&mut file, max, buffer) {
        Ok(ReadOutcome::Whole) => {}
        Ok(ReadOutcome::TooLarge) => {
            stats.skipped(SkipReason::TooLarge);
            return;
        }
        Ok(ReadOutcome::NotRegular) => {
            // Replaced by something else between the walk and the open.
            stats.skipped(SkipReason::NotRegularFile);
            return;
        }
        Err(e) => return stats.unreadable(&display, &e),
    }
    let rel = relative_path(path, roots);
    worker.visit(&Blob {
        bytes: buffer,
        places: &[Place {
            path: &display,
            rel_path: &rel,
            origin: 0,
        }],
        object: None,
        replaces: None,
    });
}

/// How much of a file the first read asks for. Nearly every file in a tree is smaller: it is
/// read whole without asking for its size, which is a system call per file (2% of a directory
/// scan). A larger file's size is asked for before the rest is read, so that a file over the
/// size limit is not read and the buffer is grown once.
const FIRST_READ: u64 = 64 << 10;

/// What [`read_whole`] made of a file.
enum ReadOutcome {
    Whole,
    TooLarge,
    NotRegular,
}

/// Reads an opened file into `buffer` (empty), up to `max` bytes. A small file swapped for
/// something else after the walk saw it as regular is told apart without asking for its type: a
/// directory refuses to be read, a FIFO with a writer refuses to block (it was opened with
/// `O_NONBLOCK`), and one without a writer reads as empty, which holds nothing to scan. A larger
/// file's type is checked with its size.
fn read_whole(file: &mut File, max: u64, buffer: &mut Vec<u8>) -> std::io::Result<ReadOutcome> {
    match file.take(FIRST_READ.min(max + 1)).read_to_end(buffer) {
        Ok(_) => {}
        Err(e) if refuses_reading_as_a_file(&e) => return Ok(ReadOutcome::NotRegular),
        Err(e) => return Err(e),
    }
    if (buffer.len() as u64) < FIRST_READ.min(max + 1) {
        return Ok(ReadOutcome::Whole);
    }
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(ReadOutcome::NotRegular);
    }
    if meta.len() > max {
        return Ok(ReadOutcome::TooLarge);
    }
    // The rest in one go, and room for the read that finds the end.
    buffer.reserve((meta.len() as usize + 1).saturating_sub(buffer.len()));
    let left = max + 1 - buffer.len() as u64;
    file.take(left).read_to_end(buffer)?;
    Ok(match buffer.len() as u64 > max {
        true => ReadOutcome::TooLarge,
        false => ReadOutcome::Whole,
    })
}

/// A read that fails because the file is no longer a regular one: a directory (`EISDIR`), or a
/// FIFO with a writer and no data yet (`EAGAIN`, it was opened with `O_NONBLOCK`).
fn refuses_reading_as_a_file(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::WouldBlock
        || error.kind() == std::io::ErrorKind::IsADirectory
}

/// What a walker thread keeps from one file to the next: the buffer files are read into, and the
/// directory it last opened one in.
#[derive(Default)]
struct Reading {
    buffer: Vec<u8>,
    dir: OpenDir,
}

/// The directory a walker thread last opened a file in, held open (`O_PATH`) so that the next
/// files there are opened relative to it: the walker hands each directory's files to one thread
/// in a row, and opening by the full path walked every component of it again, a third of the
/// cost of opening (npm corpus: 31 thousand files in 5 thousand directories).
#[derive(Default)]
struct OpenDir {
    #[cfg(unix)]
    held: Option<(PathBuf, std::os::fd::OwnedFd)>,
}

impl OpenDir {
    /// Opens the file at `path` as [`open_for_scan`] does, relative to its directory.
    #[cfg(unix)]
    fn open(&mut self, path: &Path, follow: bool) -> std::io::Result<File> {
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        use std::os::unix::ffi::OsStrExt;
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return open_for_scan(path, follow);
        };
        // The name with its NUL, on the stack: a file name is at most 255 bytes.
        let mut c_name = [0u8; 256];
        let name = name.as_bytes();
        if parent.as_os_str().is_empty() || name.len() >= c_name.len() || name.contains(&0) {
            return open_for_scan(path, follow);
        }
        c_name[..name.len()].copy_from_slice(name);
        let held = match &self.held {
            Some((dir, fd)) if dir.as_os_str() == parent.as_os_str() => fd.as_raw_fd(),
            _ => {
                use std::os::unix::fs::OpenOptionsExt;
                // `O_PATH`: a handle to name files by, not opened for reading.
                let opened = std::fs::OpenOptions::new()
                    .read(true)
                    .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
                    .open(parent);
                let Ok(dir) = opened else {
                    self.held = None;
                    return open_for_scan(path, follow);
                };
                let fd = OwnedFd::from(dir);
                let raw = fd.as_raw_fd();
                self.held = Some((parent.to_path_buf(), fd));
                raw
            }
        };
        // SAFETY: `held` is an open directory descriptor and `c_name` is NUL-terminated.
        let fd = unsafe { libc::openat(held, c_name.as_ptr().cast(), scan_flags(follow)) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and nothing else owns it.
        Ok(unsafe { File::from_raw_fd(fd) })
    }

    #[cfg(not(unix))]
    fn open(&mut self, path: &Path, follow: bool) -> std::io::Result<File> {
        open_for_scan(path, follow)
    }
}

/// The flags of [`open_for_scan`] (the access mode and `O_CLOEXEC` for `openat`).
#[cfg(unix)]
fn scan_flags(follow: bool) -> libc::c_int {
    let mut flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_NOCTTY;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    flags
}

/// Opens a file the walk saw as regular, defensively: a file can be swapped for a FIFO, a device
/// or a symbolic link between the walk and the open. `O_NONBLOCK` keeps a FIFO from blocking the
/// open (it is then refused as not regular), `O_NOCTTY` keeps a terminal device from becoming
/// ours, and `O_NOFOLLOW` (unless links are followed) keeps a swapped-in link from leading
/// outside the roots.
#[cfg(unix)]
fn open_for_scan(path: &Path, follow: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(scan_flags(follow))
        .open(path)
}

#[cfg(not(unix))]
fn open_for_scan(path: &Path, _follow: bool) -> std::io::Result<File> {
    File::open(path)
}

/// `O_NOFOLLOW` on a symbolic link fails with `ELOOP`.
fn is_symlink_refusal(error: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

fn report_walk_error(error: &ignore::Error, stats: &ScanStats) {
    let (raw_path, message) = split_walk_error(error);
    let is_broken_link = raw_path.is_some_and(|p| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::metadata(p).is_err()
    });
    let path = raw_path.map(display_path);
    if is_broken_link {
        stats.skipped(SkipReason::Symlink);
        stats.warn(
            path.as_deref(),
            "broken symbolic link, not followed".to_string(),
        );
        return;
    }
    if message == LOOP_MESSAGE {
        stats.skipped(SkipReason::Symlink);
        stats.warn(
            path.as_deref(),
            "symbolic link loop, not followed".to_string(),
        );
        return;
    }
    stats.skipped(SkipReason::Unreadable);
    stats.warn(path.as_deref(), format!("could not read: {message}"));
}

const LOOP_MESSAGE: &str = "file system loop";

/// Pulls the path out of the walker's nested error type.
fn split_walk_error(error: &ignore::Error) -> (Option<&Path>, String) {
    match error {
        ignore::Error::WithPath { path, err } => {
            let (_, message) = split_walk_error(err);
            (Some(path), message)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            split_walk_error(err)
        }
        ignore::Error::Loop { child, .. } => (Some(child), LOOP_MESSAGE.to_string()),
        ignore::Error::Io(e) => (None, super::describe_io_error(e)),
        other => (None, other.to_string()),
    }
}

/// The path as the user sees it: as walked from the root they gave, without a leading `./`.
fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = text.strip_prefix("./").unwrap_or(&text);
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text.to_string()
    }
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The root a walked path is under (the longest, when roots nest).
fn root_of<'r>(path: &Path, roots: &'r [Root]) -> Option<&'r Root> {
    roots
        .iter()
        .filter(|r| path.starts_with(&r.given))
        .max_by_key(|r| r.given.as_os_str().len())
}

/// The path relative to the repository (or the scan root outside one), forward slashes.
fn relative_path(path: &Path, roots: &[Root]) -> String {
    root_and_relative_path(path, roots).1
}

/// [`relative_path`], with the root the path is under (`None` outside every root).
fn root_and_relative_path<'r>(path: &Path, roots: &'r [Root]) -> (Option<&'r Root>, String) {
    match inside_root_fast(path, roots) {
        Some((root, inside)) => (Some(root), join_relative(root, inside)),
        None => relative_path_by_components(path, roots),
    }
}

fn relative_path_by_components<'r>(path: &Path, roots: &'r [Root]) -> (Option<&'r Root>, String) {
    let Some(root) = root_of(path, roots) else {
        return (None, display_path(path));
    };
    if root.is_file {
        return (Some(root), root.rel_prefix.clone());
    }
    let inside = slash_path(path.strip_prefix(&root.given).unwrap_or(path));
    (Some(root), join_relative(root, &inside))
}

fn join_relative(root: &Root, inside: &str) -> String {
    match (root.rel_prefix.is_empty(), inside.is_empty()) {
        (true, _) => inside.to_string(),
        (false, true) => root.rel_prefix.clone(),
        (false, false) => format!("{}/{}", root.rel_prefix, inside),
    }
}

/// The root of a walked path and the path inside it, read off the bytes: the walker makes every
/// path by joining names onto a root as given, so the root is a byte prefix and the rest is
/// plain names and slashes. This runs for every directory entry, and comparing and re-joining
/// `Path` components (as [`root_of`] and [`slash_path`] do) was 4% of a directory scan. `None`
/// sends anything else (a name that is not UTF-8, a `.` or `..` or empty component, a root
/// that is a file) to that slower, general way.
#[cfg(unix)]
fn inside_root_fast<'p, 'r>(path: &'p Path, roots: &'r [Root]) -> Option<(&'r Root, &'p str)> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let mut best: Option<(&Root, &[u8])> = None;
    for root in roots {
        let given = root.given.as_os_str().as_bytes();
        let Some(rest) = bytes.strip_prefix(given) else {
            continue;
        };
        let rest = match rest.strip_prefix(b"/") {
            Some(after) if !given.ends_with(b"/") => after,
            _ if rest.is_empty() || given.ends_with(b"/") => rest,
            _ => continue, // `/a/bc` is not inside `/a/b`
        };
        if best.is_none_or(|(b, _)| b.given.as_os_str().len() < given.len()) {
            best = Some((root, rest));
        }
    }
    let (root, rest) = best?;
    if root.is_file {
        return None;
    }
    let inside = std::str::from_utf8(rest).ok()?;
    let plain = inside.is_empty()
        || inside
            .split('/')
            .all(|name| !name.is_empty() && name != "." && name != "..");
    plain.then_some((root, inside))
}

#[cfg(not(unix))]
fn inside_root_fast<'p, 'r>(_path: &'p Path, _roots: &'r [Root]) -> Option<(&'r Root, &'p str)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files are opened relative to the held directory whichever directory comes next, a
    /// symbolic link is refused unless links are followed, and a missing file is an error.
    #[cfg(unix)]
    #[test]
    fn files_open_relative_to_their_held_directory_as_by_their_paths() {
        let dir = tempfile::tempdir().unwrap();
        for (sub, text) in [("a", "in a"), ("b", "in b"), ("a/c", "in c")] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("f.txt"), text).unwrap();
        }
        std::os::unix::fs::symlink(dir.path().join("b/f.txt"), dir.path().join("a/link")).unwrap();
        let mut held = OpenDir::default();
        let mut read = |rel: &str, follow: bool| {
            let mut text = String::new();
            held.open(&dir.path().join(rel), follow)?
                .read_to_string(&mut text)
                .map(|_| text)
        };
        for (rel, text) in [
            ("a/f.txt", "in a"),
            ("a/f.txt", "in a"),
            ("b/f.txt", "in b"),
            ("a/c/f.txt", "in c"),
            ("a/f.txt", "in a"),
            ("a/link", "in b"),
        ] {
            assert_eq!(read(rel, true).unwrap(), text, "{rel}");
        }
        assert!(is_symlink_refusal(&read("a/link", false).unwrap_err()));
        assert_eq!(
            read("a/missing", false).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
        assert_eq!(read("b/f.txt", false).unwrap(), "in b");
    }

    /// Files at and around the first read's size and the limit are read whole or refused as too
    /// large exactly as their size says, and a directory or FIFO opened in a file's place is
    /// told apart by the read itself.
    #[test]
    fn a_file_is_read_whole_or_refused_by_its_size_and_kind() {
        let dir = tempfile::tempdir().unwrap();
        let first = FIRST_READ as usize;
        let read = |len: usize, max: u64| {
            let path = dir.path().join(format!("f{len}-{max}"));
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            let mut file = open_for_scan(&path, false).unwrap();
            let mut buffer = Vec::new();
            let outcome = read_whole(&mut file, max, &mut buffer).unwrap();
            (outcome, buffer == bytes)
        };
        let big = 1 << 30;
        for len in [0, 1, first - 1, first, first + 1, 3 * first + 7] {
            assert!(
                matches!(read(len, big), (ReadOutcome::Whole, true)),
                "{len}"
            );
        }
        for (len, max) in [
            (10, 10),
            (first, first as u64),
            (3 * first, 3 * first as u64),
        ] {
            assert!(
                matches!(read(len, max), (ReadOutcome::Whole, true)),
                "{len}"
            );
            assert!(
                matches!(read(len + 1, max), (ReadOutcome::TooLarge, _)),
                "{len}"
            );
        }
        assert!(matches!(
            read(5 * first, first as u64 + 1),
            (ReadOutcome::TooLarge, _)
        ));

        let mut buffer = Vec::new();
        let mut directory = File::open(dir.path()).unwrap();
        assert!(matches!(
            read_whole(&mut directory, big, &mut buffer),
            Ok(ReadOutcome::NotRegular)
        ));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: a NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
            let mut reader = open_for_scan(&fifo, false).unwrap();
            // A writer that has written nothing yet: the read would block.
            let _writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            buffer.clear();
            assert!(matches!(
                read_whole(&mut reader, big, &mut buffer),
                Ok(ReadOutcome::NotRegular)
            ));
        }
    }

    fn root(given: &str, rel_prefix: &str, is_file: bool) -> Root {
        Root {
            given: PathBuf::from(given),
            canonical: PathBuf::from("/unused"),
            rel_prefix: rel_prefix.to_string(),
            base: PathBuf::from("/unused"),
            is_file,
        }
    }

    #[test]
    fn relative_paths_read_off_the_bytes_are_the_ones_components_give() {
        let roots = [
            root(".", "", false),
            root("./pkgs", "pkgs", false),
            root("/tmp/x/", "x", false),
            root("sub", "in/sub", false),
            root("a", "", false),
            root("a/b", "a/b", false),
            root("one.env", "one.env", true),
        ];
        let paths = [
            ".",
            "./x/y.js",
            "./pkgs",
            "./pkgs/lodash/index.js",
            "/tmp/x/",
            "/tmp/x/a/b.txt",
            "/tmp/xy/c",
            "sub",
            "sub/f",
            "subway/f",
            "a/b/c",
            "a/bc/d",
            "a//b",
            "a/./b",
            "a/../b",
            "one.env",
            "elsewhere/f",
        ];
        let given = |(root, rel): (Option<&Root>, String)| (root.map(|r| r.given.clone()), rel);
        for path in paths {
            assert_eq!(
                given(root_and_relative_path(Path::new(path), &roots)),
                given(relative_path_by_components(Path::new(path), &roots)),
                "{path}"
            );
        }
        // The cases the bytes settle, and the ones they leave to the components.
        assert!(inside_root_fast(Path::new("a/b/c"), &roots)
            .is_some_and(|(r, i)| r.given == Path::new("a/b") && i == "c"));
        for odd in ["a//b", "a/./b", "a/../b", "one.env", "elsewhere/f"] {
            assert!(inside_root_fast(Path::new(odd), &roots).is_none(), "{odd}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let latin1 = Path::new(std::ffi::OsStr::from_bytes(b"sub/caf\xe9.txt"));
            assert!(inside_root_fast(latin1, &roots).is_none());
            assert_eq!(relative_path(latin1, &roots), "in/sub/caf\u{fffd}.txt");
        }
    }
}
