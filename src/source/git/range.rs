//! A commit range, `BASE..HEAD`: what a pull request adds.
//!
//! The commits reachable from HEAD and not from BASE, oldest first. Each contributes the files it
//! changes relative to its first parent (everything, for a root commit), each with the version it
//! replaces; a merge commit contributes only files that differ from every parent, with every
//! parent's version, so that only lines new relative to all of them count and what it merely
//! brings in from either side is not reported again. Which lines are new is worked out
//! downstream from the bytes. Findings carry the commit and the line in that commit's version of
//! the file; a secret added twice in the range is reported once, at its first commit.
//! Each commit's message is scanned too, whole, at `<commit message of 0123456789>`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Commit, Oid, Repository, Sort};

use super::{changes_in, diff_options, find_renames, origin_of, read_changes, Change, GitError};
use super::{commit_message_path, message_of};
use super::{GitOptions, PathFilter};
use crate::source::{
    Blob, Coverage, GitOrigin, Place, ScanMode, ScanStats, Source, SourceError, VisitorFactory,
};

/// The commits of `BASE..HEAD` in a repository, as a source.
pub struct RangeSource {
    repo: Repository,
    spec: String,
    options: GitOptions,
    /// The range's commits, oldest first, once read: a place's origin indexes this.
    commits: Vec<Oid>,
}

impl RangeSource {
    pub fn open(repo_path: &Path, spec: &str, options: GitOptions) -> Result<Self, GitError> {
        Ok(RangeSource {
            repo: super::open(repo_path)?,
            spec: spec.to_string(),
            options,
            commits: Vec::new(),
        })
    }

    /// The repository's git directory.
    pub fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    /// How many commits the range holds (known once read).
    pub fn commit_count(&self) -> usize {
        self.commits.len()
    }
}

impl Source for RangeSource {
    fn mode(&self) -> ScanMode {
        ScanMode::GitRange
    }

    /// A range sees only added lines: no baseline entry can be called stale.
    fn coverage(&self) -> Coverage {
        Coverage::Nothing
    }

    fn one_finding_per_fingerprint(&self) -> bool {
        true
    }

    fn read(
        &mut self,
        threads: usize,
        stats: &ScanStats,
        visitors: &dyn VisitorFactory,
    ) -> Result<(), SourceError> {
        let repo = &self.repo;
        super::check_alternates(repo, stats);
        let filter = PathFilter::new(&self.options.excludes)?;
        let (base, head) = resolve(repo, &self.spec)?;
        if repo.is_shallow() {
            stats.note(
                "shallow clone: commits past the shallow boundary are not in the repository".into(),
            );
        }
        if base == head {
            stats.note(format!(
                "nothing to scan: {} is empty (BASE and HEAD are the same commit, {})",
                self.spec,
                short(head)
            ));
            return Ok(());
        }
        let mut walk = repo.revwalk().map_err(GitError::from)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .map_err(GitError::from)?;
        walk.push(head).map_err(GitError::from)?;
        walk.hide(base).map_err(GitError::from)?;
        let commits: Vec<Oid> = walk.collect::<Result<_, _>>().map_err(GitError::from)?;
        if commits.is_empty() {
            stats.note(format!(
                "nothing to scan: no commit is reachable from {} and not from {} in {}",
                short(head),
                short(base),
                self.spec
            ));
        }
        let mut changes: Vec<Change> = Vec::new();
        for (index, oid) in commits.iter().enumerate() {
            let commit = repo.find_commit(*oid).map_err(GitError::from)?;
            changes.extend(changed_by_commit(
                repo,
                &commit,
                index as u32,
                &self.options,
                &filter,
                stats,
            )?);
        }
        self.commits = commits;
        read_changes(
            &self.repo,
            &changes,
            self.options.max_file_size,
            threads,
            stats,
            visitors,
        )?;
        // The range's commit messages: a pull request's message is part of what it adds.
        let odb = self.repo.odb().map_err(GitError::from)?;
        let mut visitor = visitors.visitor();
        for (index, oid) in self.commits.iter().enumerate() {
            let Ok(object) = odb.read(*oid) else { continue };
            let message = message_of(object.data());
            if message.trim_ascii().is_empty() {
                continue;
            }
            let path = commit_message_path(*oid);
            visitor.visit(&Blob {
                bytes: message,
                places: &[Place {
                    path: &path,
                    rel_path: &path,
                    origin: index as u32,
                }],
                object: None,
                replaces: None,
            });
        }
        Ok(())
    }

    fn provenance(
        &self,
        origin: u32,
        _object: Option<&str>,
        stats: &ScanStats,
    ) -> Option<GitOrigin> {
        let oid = *self.commits.get(origin as usize)?;
        match self.repo.find_commit(oid) {
            Ok(commit) => Some(origin_of(&commit)),
            Err(e) => {
                stats.warn(
                    None,
                    format!("could not read commit {oid}: {}", e.message()),
                );
                None
            }
        }
    }
}

/// Resolves `BASE..HEAD` (or `BASE...HEAD`, from the merge base) to two commits.
fn resolve(repo: &Repository, spec: &str) -> Result<(Oid, Oid), GitError> {
    if !spec.contains("..") {
        return Err(GitError::BadRange(spec.to_string()));
    }
    let merge_base = spec.contains("...");
    let (left, right) = sides(spec);
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

/// The two revisions of `BASE..HEAD` or `BASE...HEAD` as written; as in git, an omitted side
/// means HEAD (`origin/main..` is `origin/main..HEAD`).
pub fn sides(spec: &str) -> (&str, &str) {
    let (left, right) = spec.split_once("..").unwrap_or((spec, ""));
    let right = right.strip_prefix('.').unwrap_or(right);
    let left = if left.is_empty() { "HEAD" } else { left };
    let right = if right.is_empty() { "HEAD" } else { right };
    (left, right)
}

/// What one commit changes: relative to its first parent, and for a merge, only what differs
/// from every parent, with each parent's version.
fn changed_by_commit(
    repo: &Repository,
    commit: &Commit,
    index: u32,
    options: &GitOptions,
    filter: &PathFilter,
    stats: &ScanStats,
) -> Result<Vec<Change>, GitError> {
    let tree = commit.tree()?;
    let parents: Vec<Commit> = commit.parents().collect();
    let diff_against = |parent: Option<&Commit>, count: &ScanStats| {
        let parent_tree = parent.map(|p| p.tree()).transpose()?;
        let mut diff =
            repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut diff_options()))?;
        find_renames(&mut diff)?;
        Ok::<_, GitError>(changes_in(
            &diff,
            index,
            options.max_file_size,
            filter,
            count,
        ))
    };
    let Some((first, others)) = parents.split_first() else {
        return diff_against(None, stats);
    };
    let mut changes = diff_against(Some(first), stats)?;
    // Skips are counted once, against the first parent.
    let uncounted = ScanStats::default();
    for parent in others {
        let also: HashMap<(String, Oid), Change> = diff_against(Some(parent), &uncounted)?
            .into_iter()
            .map(|c| ((c.path.clone(), c.new), c))
            .collect();
        changes.retain_mut(
            |change| match also.get(&(change.path.clone(), change.new)) {
                Some(other) => {
                    change.replaces.extend(other.replaces.iter().copied());
                    true
                }
                // The same as in this parent: nothing in it is new.
                None => false,
            },
        );
    }
    Ok(changes)
}

fn short(oid: Oid) -> String {
    oid.to_string()[..10].to_string()
}
