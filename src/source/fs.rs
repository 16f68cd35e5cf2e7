//! The filesystem source: a parallel walk (the `ignore` crate's walker, one worker per thread)
//! that reads each regular file once into a reused buffer and hands it on as a blob.
//!
//! Hidden files are scanned (`.env`, `.github/`); the `.git` directory is not; `.gitignore` is
//! respected unless `no_ignore`; symbolic links are not followed unless asked, and when they are,
//! never outside the roots. Binary files, files over the size limit and special files are skipped
//! and counted, never silently dropped.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, WalkBuilder, WalkState};

use super::{decode_text, looks_binary, Blob, BlobVisitor, ScanStats, SkipReason};

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
    is_file: bool,
}

/// Extensions of formats that are always binary: skipped without being opened.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "tif", "tiff", "psd", "heic",
    "avif", "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "m4a", "m4v", "mov", "avi", "mkv",
    "wav", "flac", "ogg", "oga", "webm", "zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar",
    "jar", "war", "ear", "class", "so", "dylib", "dll", "exe", "o", "a", "lib", "obj", "pyc",
    "pyo", "wasm", "node", "bin", "dat", "db", "sqlite", "sqlite3", "parquet", "avro", "npy",
    "pdf", "xcf",
];

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

/// Walks the roots in parallel. Each walker thread calls `make_worker` once and feeds every blob
/// it reads to that worker, so workers can keep per-thread state (scratch space, findings) and
/// hand it over when they are dropped at the end of the walk.
pub fn walk<F, W>(options: &FsOptions, stats: &ScanStats, make_worker: F) -> Result<(), FsError>
where
    F: Fn() -> W + Sync,
    W: BlobVisitor + Send,
{
    let roots: Arc<Vec<Root>> = Arc::new(
        options
            .roots
            .iter()
            .map(|given| resolve_root(given))
            .collect::<Result<Vec<_>, _>>()?,
    );
    let excludes = build_excludes(&options.excludes)?;

    let mut builder = WalkBuilder::new(&roots[0].given);
    for root in &roots[1..] {
        builder.add(&root.given);
    }
    builder
        .hidden(false)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .parents(!options.no_ignore)
        .require_git(false)
        .follow_links(options.follow_symlinks)
        .threads(options.threads.max(1));
    {
        let roots = Arc::clone(&roots);
        let excludes = excludes.clone();
        let follow = options.follow_symlinks;
        builder.filter_entry(move |entry| keep_entry(entry, &roots, excludes.as_ref(), follow));
    }
    let max = options.max_file_size;
    let follow = options.follow_symlinks;
    builder.build_parallel().run(|| {
        let mut worker = make_worker();
        let mut buffer: Vec<u8> = Vec::new();
        let roots = &roots;
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    visit_entry(&entry, roots, max, follow, stats, &mut buffer, &mut worker)
                }
                Err(error) => report_walk_error(&error, stats),
            }
            WalkState::Continue
        })
    });
    Ok(())
}

fn resolve_root(given: &Path) -> Result<Root, FsError> {
    let base = scan_base(given).map_err(|e| FsError::MissingRoot(given.to_path_buf(), e))?;
    Ok(Root {
        given: given.to_path_buf(),
        canonical: base.canonical,
        rel_prefix: base.prefix,
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
    follow: bool,
) -> bool {
    if entry.depth() == 0 {
        return true;
    }
    if entry.file_name() == ".git" {
        return false;
    }
    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
    if let Some(excludes) = excludes {
        let rel = relative_path(entry.path(), roots);
        if excludes
            .matched_path_or_any_parents(&rel, is_dir)
            .is_ignore()
        {
            return false;
        }
    }
    if follow && entry.path_is_symlink() {
        // Followed links must stay inside a root: a repository must not be able to make the
        // scanner read (and report) files elsewhere on the machine.
        let Ok(target) = entry.path().canonicalize() else {
            return true; // broken link: yielded, then reported when it cannot be read
        };
        return roots.iter().any(|r| target.starts_with(&r.canonical));
    }
    true
}

fn visit_entry<W: BlobVisitor>(
    entry: &DirEntry,
    roots: &[Root],
    max: u64,
    follow: bool,
    stats: &ScanStats,
    buffer: &mut Vec<u8>,
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
    if has_binary_extension(path) {
        stats.skipped(SkipReason::Binary);
        return;
    }
    // A root the user named is read even when it is a link; links found by the walk are not.
    let mut file = match open_for_scan(path, follow || entry.depth() == 0) {
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
    match file.metadata() {
        Ok(meta) if !meta.is_file() => {
            // Replaced by something else between the walk and the open.
            stats.skipped(SkipReason::NotRegularFile);
            return;
        }
        Ok(meta) if meta.len() > max => {
            stats.skipped(SkipReason::TooLarge);
            return;
        }
        Ok(_) => {}
        Err(e) => return stats.unreadable(&display, &e),
    }
    buffer.clear();
    if let Err(e) = (&mut file).take(max + 1).read_to_end(buffer) {
        return stats.unreadable(&display, &e);
    }
    if buffer.len() as u64 > max {
        stats.skipped(SkipReason::TooLarge);
        return;
    }
    let decoded = decode_text(buffer);
    let bytes: &[u8] = decoded.as_deref().unwrap_or(buffer);
    if looks_binary(bytes) {
        stats.skipped(SkipReason::Binary);
        return;
    }
    stats.scanned(buffer.len());
    let rel = relative_path(path, roots);
    worker.visit(&Blob {
        path: &display,
        rel_path: &rel,
        bytes,
        added_lines: None,
        git: None,
    });
}

/// Opens a file the walk saw as regular, defensively: a file can be swapped for a FIFO, a device
/// or a symbolic link between the walk and the open. `O_NONBLOCK` keeps a FIFO from blocking the
/// open (it is then refused as not regular), `O_NOCTTY` keeps a terminal device from becoming
/// ours, and `O_NOFOLLOW` (unless links are followed) keeps a swapped-in link from leading
/// outside the roots.
#[cfg(unix)]
fn open_for_scan(path: &Path, follow: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
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

pub(crate) fn has_binary_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| BINARY_EXTENSIONS.iter().any(|b| b.eq_ignore_ascii_case(e)))
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

/// The path relative to the repository (or the scan root outside one), forward slashes.
fn relative_path(path: &Path, roots: &[Root]) -> String {
    let root = roots
        .iter()
        .filter(|r| path.starts_with(&r.given))
        .max_by_key(|r| r.given.as_os_str().len());
    let Some(root) = root else {
        return display_path(path);
    };
    if root.is_file {
        return root.rel_prefix.clone();
    }
    let inside = slash_path(path.strip_prefix(&root.given).unwrap_or(path));
    match (root.rel_prefix.is_empty(), inside.is_empty()) {
        (true, _) => inside,
        (false, true) => root.rel_prefix.clone(),
        (false, false) => format!("{}/{}", root.rel_prefix, inside),
    }
}
