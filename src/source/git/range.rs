//! A commit range, `BASE..HEAD`: what a pull request adds.
//!
//! The commits reachable from HEAD and not from BASE, oldest first. Each contributes only the
//! lines it adds relative to its first parent (all lines for a root commit); a merge commit
//! contributes only lines that are new relative to every parent, so what it merely brings in
//! from either side is not reported again. Findings carry the commit and the line in that
//! commit's version of the file; a secret added twice in the range is reported once, at its
//! first commit.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{Commit, Oid, Repository, Sort};

use super::{
    added_blobs, diff_options, find_renames, origin_of, scan_added, AddedBlob, GitError,
    GitOptions, PathFilter,
};
use crate::filter::Suppressed;
use crate::finding::Finding;
use crate::scan::Scanner;
use crate::source::ScanStats;

pub struct RangeResult {
    pub findings: Vec<Finding>,
    /// What inline comments and allowlists suppressed.
    pub suppressed: Suppressed,
    /// How many commits the range holds.
    pub commits: usize,
}

pub fn scan(
    repo_path: &Path,
    spec: &str,
    options: &GitOptions,
    scanner: &Scanner,
    stats: &ScanStats,
) -> Result<RangeResult, GitError> {
    let repo = super::open(repo_path)?;
    super::check_alternates(&repo, stats);
    let filter = PathFilter::new(&options.excludes)?;
    let (base, head) = resolve(&repo, spec)?;
    if repo.is_shallow() {
        stats.note(
            "shallow clone: commits past the shallow boundary are not in the repository".into(),
        );
    }
    if base == head {
        stats.note(format!(
            "nothing to scan: {spec} is empty (BASE and HEAD are the same commit, {})",
            short(head)
        ));
        return Ok(RangeResult {
            findings: Vec::new(),
            suppressed: Suppressed::default(),
            commits: 0,
        });
    }
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(head)?;
    walk.hide(base)?;
    let commits: Vec<Oid> = walk.collect::<Result<_, _>>()?;
    if commits.is_empty() {
        stats.note(format!(
            "nothing to scan: no commit is reachable from {} and not from {} in {spec}",
            short(head),
            short(base)
        ));
    }
    let mut added: Vec<AddedBlob> = Vec::new();
    for (index, oid) in commits.iter().enumerate() {
        let commit = repo.find_commit(*oid)?;
        added.extend(added_by_commit(
            &repo, &commit, index, options, &filter, stats,
        )?);
    }
    let (mut found, suppressed) = scan_added(&repo, &added, options, scanner, stats)?;

    // The first commit that added a secret is the one to show; later re-additions of the same
    // value at the same path are the same finding.
    found.sort_by(|(a, fa), (b, fb)| {
        (
            a,
            &fa.rel_path,
            fa.location.start_line,
            fa.location.start_column,
        )
            .cmp(&(
                b,
                &fb.rel_path,
                fb.location.start_line,
                fb.location.start_column,
            ))
    });
    let mut fingerprints = HashSet::new();
    found.retain(|(_, f)| fingerprints.insert(f.fingerprint.clone()));
    let mut origins = HashMap::new();
    let mut findings = Vec::with_capacity(found.len());
    for (index, mut finding) in found {
        let origin = match origins.get(&index) {
            Some(origin) => Clone::clone(origin),
            None => {
                let origin = origin_of(&repo.find_commit(commits[index])?);
                origins.insert(index, origin.clone());
                origin
            }
        };
        finding.git = Some(origin);
        findings.push(finding);
    }
    crate::scan::sort_findings(&mut findings);
    Ok(RangeResult {
        findings,
        suppressed,
        commits: commits.len(),
    })
}

/// Resolves `BASE..HEAD` (or `BASE...HEAD`, from the merge base) to two commits.
fn resolve(repo: &Repository, spec: &str) -> Result<(Oid, Oid), GitError> {
    if !spec.contains("..") {
        return Err(GitError::BadRange(spec.to_string()));
    }
    let merge_base = spec.contains("...");
    let (left, right) = spec.split_once("..").unwrap_or((spec, ""));
    let right = right.strip_prefix('.').unwrap_or(right);
    // As in git, an omitted side means HEAD (`origin/main..` is `origin/main..HEAD`).
    let left = if left.is_empty() { "HEAD" } else { left };
    let right = if right.is_empty() { "HEAD" } else { right };
    let commit_of = |text: &str| -> Result<Oid, GitError> {
        let object = repo
            .revparse_single(text)
            .map_err(|e| GitError::UnknownRevision(text.to_string(), e.message().to_string()))?;
        object
            .peel_to_commit()
            .map(|c| c.id())
            .map_err(|_| GitError::UnknownRevision(text.to_string(), "not a commit".into()))
    };
    let base = commit_of(left)?;
    let head = commit_of(right)?;
    if merge_base {
        let merge_base = repo
            .merge_base(base, head)
            .map_err(|e| GitError::UnknownRevision(spec.to_string(), e.message().to_string()))?;
        return Ok((merge_base, head));
    }
    Ok((base, head))
}

/// What one commit adds: relative to its first parent, and for a merge, relative to every
/// parent at once.
fn added_by_commit(
    repo: &Repository,
    commit: &Commit,
    index: usize,
    options: &GitOptions,
    filter: &PathFilter,
    stats: &ScanStats,
) -> Result<Vec<AddedBlob>, GitError> {
    let tree = commit.tree()?;
    let parents: Vec<Commit> = commit.parents().collect();
    let diff_against = |parent: Option<&Commit>, count: &ScanStats| {
        let parent_tree = parent.map(|p| p.tree()).transpose()?;
        let mut diff = repo.diff_tree_to_tree(
            parent_tree.as_ref(),
            Some(&tree),
            Some(&mut diff_options(options.max_file_size)),
        )?;
        find_renames(&mut diff)?;
        added_blobs(&diff, index, options.max_file_size, filter, count)
    };
    let Some((first, others)) = parents.split_first() else {
        return diff_against(None, stats);
    };
    let mut added = diff_against(Some(first), stats)?;
    if others.is_empty() {
        return Ok(added);
    }
    // Skips are counted once, against the first parent.
    let uncounted = ScanStats::default();
    for parent in others {
        let also: HashMap<(String, Oid), AddedBlob> = diff_against(Some(parent), &uncounted)?
            .into_iter()
            .map(|a| ((a.path.clone(), a.oid), a))
            .collect();
        for blob in &mut added {
            blob.lines = match also.get(&(blob.path.clone(), blob.oid)) {
                Some(other) => blob.lines.intersection(&other.lines),
                None => Default::default(),
            };
        }
        added.retain(|a| !a.lines.is_empty());
    }
    Ok(added)
}

fn short(oid: Oid) -> String {
    oid.to_string()[..10].to_string()
}
