//! Staged changes: what the next commit adds (the pre-commit hook).
//!
//! The index against HEAD's tree: each changed file's staged blob is read from the object
//! database (not the working tree, so a partially staged file is scanned as it will be
//! committed), and only the lines it adds count. Before the first commit everything staged is
//! added. Renames contribute only the lines that changed on the way; deletions, submodules and
//! symlinks add nothing to scan; binary and oversized files are counted as skipped.
//!
//! This runs on every commit, so it does the least it can: one tree-to-index diff, and only the
//! changed blobs are read.

use std::path::Path;

use git2::ErrorCode;

use super::{
    added_blobs, diff_options, find_renames, scan_added, GitError, GitOptions, PathFilter,
};
use crate::filter::Suppressed;
use crate::finding::Finding;
use crate::scan::Scanner;
use crate::source::ScanStats;

pub struct StagedResult {
    pub findings: Vec<Finding>,
    /// What inline comments and allowlists suppressed.
    pub suppressed: Suppressed,
}

pub fn scan(
    repo_path: &Path,
    options: &GitOptions,
    scanner: &Scanner,
    stats: &ScanStats,
) -> Result<StagedResult, GitError> {
    let repo = super::open(repo_path)?;
    if repo.is_bare() {
        return Err(GitError::Open(
            repo_path.to_path_buf(),
            "a bare repository has no staging area; `credlint staged` runs in a work tree".into(),
        ));
    }
    let filter = PathFilter::new(&options.excludes)?;
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree()?),
        // Before the first commit everything staged is new.
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    // Inside a pre-commit hook git names the index the commit is made from: `git commit -a` and
    // `git commit PATH` build a temporary one and leave .git/index as it was.
    let named_index = std::env::var_os("GIT_INDEX_FILE").filter(|p| !p.is_empty());
    let index = match &named_index {
        Some(path) => git2::Index::open(Path::new(path)),
        None => repo.index(),
    }
    .map_err(|e| {
        let path = match &named_index {
            Some(path) => Path::new(path).to_path_buf(),
            None => repo.path().join("index"),
        };
        GitError::Git(format!(
            "cannot read the staging area ({}): {}; if `git status` fails too, the index is \
             damaged: delete that file and run `git reset` to rebuild it from the last commit, \
             then stage your changes again",
            path.display(),
            e.message()
        ))
    })?;
    let mut diff = repo.diff_tree_to_index(
        head_tree.as_ref(),
        Some(&index),
        Some(&mut diff_options(options.max_file_size)),
    )?;
    find_renames(&mut diff)?;
    let added = added_blobs(&diff, 0, options.max_file_size, &filter, stats)?;
    let (found, suppressed) = scan_added(&repo, &added, options, scanner, stats)?;
    let mut findings: Vec<Finding> = found.into_iter().map(|(_, f)| f).collect();
    crate::scan::sort_findings(&mut findings);
    Ok(StagedResult {
        findings,
        suppressed,
    })
}
