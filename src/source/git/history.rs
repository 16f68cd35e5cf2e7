//! Full history: every blob reachable from every ref (branches, tags, remote-tracking refs, the
//! stash and its older entries, a detached HEAD), each unique blob read and scanned once.
//!
//! 1. **Enumerate.** Walk the commits oldest first and their trees, skipping every tree already
//!    seen, so each tree is parsed once. Each new blob is recorded with the path and commit where
//!    it first appeared: an object id and two integers per blob, nothing that grows with blob
//!    bytes. Walking oldest first makes "first appeared" mean "introduced". Long histories are
//!    split into consecutive parts walked in parallel and merged in order.
//! 2. **Order.** Sort the blobs by their position in the pack files ([`super::pack_order`]), so
//!    delta bases are still cached when their deltas are read.
//! 3. **Scan.** Worker threads, each with its own repository handle, take consecutive chunks of
//!    that order, read each blob (within the size limit) and scan it; one blob is in memory per
//!    thread at a time.
//! 4. **Provenance.** Only for blobs with findings: the introducing commit's id, author name,
//!    date and summary, and whether the secret is still in HEAD (the same blob at any path, or
//!    a later version of the file that still holds the value). A secret that survives many
//!    versions of a file is reported once, at its first appearance.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use git2::{ObjectType, Oid, Repository, Sort};

use super::{origin_of, pack_order, read_blob, reopen, GitError, GitOptions, PathFilter};
use crate::engine::Scratch;
use crate::filter::Suppressed;
use crate::finding::{Finding, GitOrigin};
use crate::scan::Scanner;
use crate::source::{Blob, ScanStats, SkipReason};

pub struct HistoryOptions {
    pub git: GitOptions,
    /// Revisions to start from (`--branch`); empty means every ref.
    pub revisions: Vec<String>,
    /// Only blobs introduced by commits at or after this time (seconds since the epoch).
    pub since: Option<i64>,
}

/// The findings of a history scan, with provenance, one per fingerprint.
pub struct HistoryResult {
    pub findings: Vec<Finding>,
    /// What inline comments and allowlists suppressed.
    pub suppressed: Suppressed,
}

/// A blob to scan: where it first appeared.
struct BlobEntry {
    oid: Oid,
    path: u32,
    /// Index into the commit list, or `NO_COMMIT` for blobs reachable only through a ref that
    /// names a tree or blob directly.
    commit: u32,
}

const NO_COMMIT: u32 = u32::MAX;

/// Object ids are already uniformly distributed: hashing them again (SipHash) was a visible
/// part of the tree walk, so sets of ids just fold their bytes into a word.
#[derive(Default, Clone, Copy)]
struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
        }
    }
}

type OidSet = HashSet<Oid, std::hash::BuildHasherDefault<OidHasher>>;

/// How many consecutive blobs (in pack order) a worker takes at a time: large enough that a
/// delta chain mostly stays with one thread, small enough to balance two threads to the end.
const CHUNK: usize = 64;

pub fn scan(
    repo_path: &Path,
    options: &HistoryOptions,
    scanner: &Scanner,
    stats: &ScanStats,
) -> Result<HistoryResult, GitError> {
    let repo = super::open(repo_path)?;
    super::check_alternates(&repo, stats);
    if repo.is_shallow() {
        stats.note(
            "shallow clone: history before the shallow boundary is not in the repository and \
             was not scanned (`git fetch --unshallow` fetches it)"
                .to_string(),
        );
    }
    let filter = PathFilter::new(&options.git.excludes)?;
    let tips = starting_points(&repo, &options.revisions, stats)?;
    let commits = walk_commits(&repo, &tips.commits, options.since, stats)?;
    let inventory = enumerate_blobs(&repo, &commits, &tips, &filter, stats, options.git.threads)?;
    let order = {
        let oids: Vec<Oid> = inventory.blobs.iter().map(|b| b.oid).collect();
        let keys = pack_order::sort_keys(&repo.commondir().join("objects"), &oids);
        let mut order: Vec<u32> = (0..oids.len() as u32).collect();
        order.sort_unstable_by_key(|&i| keys[i as usize]);
        order
    };
    let scanned = scan_blobs(&repo, &inventory, &order, options, scanner, stats)?;
    let findings = attach_provenance(&repo, &commits, &inventory, scanned, stats);
    Ok(HistoryResult {
        findings: findings.0,
        suppressed: findings.1,
    })
}

/// Where the walk starts: commits, plus trees and blobs that refs name directly.
#[derive(Default)]
struct Tips {
    commits: Vec<Oid>,
    trees: Vec<Oid>,
    blobs: Vec<Oid>,
    /// Named by a ref but unreadable: warned about once, however many refs name it.
    unreadable: Vec<Oid>,
}

impl Tips {
    /// Adds what `oid` (named by `name`) points to. An object that cannot be read (a damaged
    /// repository, a lost alternate object store) is reported and counted, never silently
    /// dropped: a scan that quietly walked nothing would look clean.
    fn add(&mut self, repo: &Repository, name: &str, oid: Oid, stats: &ScanStats) {
        if self.unreadable.contains(&oid) {
            return;
        }
        // Peeling "to any type" stops at the first non-tag for tags, but turns a commit into
        // its tree, so only tags are peeled.
        let peeled = repo.find_object(oid, None).and_then(|object| {
            if object.kind() == Some(ObjectType::Tag) {
                object.peel(ObjectType::Any)
            } else {
                Ok(object)
            }
        });
        let peeled = match peeled {
            Ok(peeled) => peeled,
            Err(e) => {
                self.unreadable.push(oid);
                stats.skipped(SkipReason::Unreadable);
                stats.warn(
                    None,
                    format!(
                        "{name} points to {oid}, which could not be read ({}): its history was \
                         not scanned",
                        e.message()
                    ),
                );
                return;
            }
        };
        match peeled.kind() {
            Some(ObjectType::Commit) => self.commits.push(peeled.id()),
            Some(ObjectType::Tree) => self.trees.push(peeled.id()),
            Some(ObjectType::Blob) => self.blobs.push(peeled.id()),
            _ => {}
        }
    }
}

fn starting_points(
    repo: &Repository,
    revisions: &[String],
    stats: &ScanStats,
) -> Result<Tips, GitError> {
    let mut tips = Tips::default();
    if !revisions.is_empty() {
        for revision in revisions {
            let object = repo
                .revparse_single(revision)
                .map_err(|e| GitError::UnknownRevision(revision.clone(), e.message().into()))?;
            tips.add(repo, revision, object.id(), stats);
        }
        return Ok(tips);
    }
    for reference in repo.references()?.flatten() {
        if let Some(oid) = reference.resolve().ok().and_then(|r| r.target()) {
            let name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
            tips.add(repo, &name, oid, stats);
        }
    }
    // A detached HEAD is not under refs/, and older stash entries live only in the stash's
    // reflog.
    if let Ok(head) = repo.head() {
        if let Some(oid) = head.target() {
            if !tips.commits.contains(&oid) {
                tips.add(repo, "HEAD", oid, stats);
            }
        }
    }
    if let Ok(reflog) = repo.reflog("refs/stash") {
        for (i, entry) in reflog.iter().enumerate() {
            tips.add(repo, &format!("stash@{{{i}}}"), entry.id_new(), stats);
        }
    }
    tips.commits.sort_unstable();
    tips.commits.dedup();
    Ok(tips)
}

/// A commit to enumerate, oldest first (parents before children).
struct WalkedCommit {
    oid: Oid,
    /// Its tree, when the walk already read the commit (with `--since`); otherwise the
    /// enumeration reads it, in parallel.
    tree: Option<Oid>,
    /// Before `--since`: its tree is only marked as seen, not scanned.
    before_since: bool,
}

fn walk_commits(
    repo: &Repository,
    tips: &[Oid],
    since: Option<i64>,
    stats: &ScanStats,
) -> Result<Vec<WalkedCommit>, GitError> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let oids = match revwalk_oldest_first(repo, tips) {
        Ok(oids) => oids,
        // libgit2's walk stops at the first commit it cannot read (a lost pack, a corrupt
        // object): walk again by hand, around what is missing.
        Err(_) => tolerant_walk_oldest_first(repo, tips, stats),
    };
    let Some(since) = since else {
        return Ok(oids
            .into_iter()
            .map(|oid| WalkedCommit {
                oid,
                tree: None,
                before_since: false,
            })
            .collect());
    };
    let mut commits = Vec::new();
    // The commits since `since`, with their parents.
    let mut wanted: HashMap<Oid, Vec<Oid>> = HashMap::new();
    for oid in oids {
        let commit = repo.find_commit(oid)?;
        let before_since = commit.time().seconds() < since;
        if !before_since {
            wanted.insert(oid, commit.parent_ids().collect());
        }
        commits.push(WalkedCommit {
            oid,
            tree: Some(commit.tree_id()),
            before_since,
        });
    }
    // Of the older commits, only those a newer commit builds on matter: their trees are what
    // the newer commits started from, so blobs in them were not introduced since.
    let boundary: HashSet<Oid> = wanted
        .values()
        .flatten()
        .filter(|parent| !wanted.contains_key(parent))
        .copied()
        .collect();
    commits.retain(|c| !c.before_since || boundary.contains(&c.oid));
    Ok(commits)
}

/// Every commit reachable from `tips`, parents before children.
fn revwalk_oldest_first(repo: &Repository, tips: &[Oid]) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for tip in tips {
        walk.push(*tip)?;
    }
    walk.collect()
}

/// The same walk for a damaged repository: a commit that cannot be read is reported and
/// counted, and its ancestors are reached only through other paths; everything readable is
/// still scanned, parents before children.
fn tolerant_walk_oldest_first(repo: &Repository, tips: &[Oid], stats: &ScanStats) -> Vec<Oid> {
    let mut parents: HashMap<Oid, Vec<Oid>> = HashMap::new();
    let mut missing: OidSet = OidSet::default();
    let mut stack: Vec<Oid> = tips.to_vec();
    while let Some(oid) = stack.pop() {
        if parents.contains_key(&oid) || missing.contains(&oid) {
            continue;
        }
        match repo.find_commit(oid) {
            Ok(commit) => {
                let ids: Vec<Oid> = commit.parent_ids().collect();
                stack.extend(&ids);
                parents.insert(oid, ids);
            }
            Err(e) => {
                missing.insert(oid);
                stats.skipped(SkipReason::Unreadable);
                stats.warn(
                    None,
                    format!(
                        "could not read commit {oid} ({}): it and the history only it leads to \
                         were not scanned",
                        e.message()
                    ),
                );
            }
        }
    }
    // Parents before children (Kahn's algorithm over the readable commits), ties by id so the
    // order is the same on every run.
    let mut waiting_on: HashMap<Oid, usize> = HashMap::new();
    let mut children: HashMap<Oid, Vec<Oid>> = HashMap::new();
    for (oid, ids) in &parents {
        let readable: Vec<&Oid> = ids.iter().filter(|p| parents.contains_key(p)).collect();
        waiting_on.insert(*oid, readable.len());
        for parent in readable {
            children.entry(*parent).or_default().push(*oid);
        }
    }
    let mut ready: std::collections::BTreeSet<Oid> = waiting_on
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(oid, _)| *oid)
        .collect();
    let mut order = Vec::with_capacity(parents.len());
    while let Some(oid) = ready.pop_first() {
        order.push(oid);
        for child in children.get(&oid).into_iter().flatten() {
            let n = waiting_on
                .get_mut(child)
                .expect("every child is a walked commit");
            *n -= 1;
            if *n == 0 {
                ready.insert(*child);
            }
        }
    }
    order
}

/// Every unique blob to scan, with the paths they first appeared at.
struct Inventory {
    blobs: Vec<BlobEntry>,
    paths: Vec<String>,
}

/// Below this many commits the enumeration runs on one thread.
const PARALLEL_ENUMERATION_FROM: usize = 2_000;

/// Enumerates the blobs of the commits' trees. On long histories the commits are split into
/// consecutive parts walked in parallel, each with its own repository handle and seen sets;
/// merged in order, a blob keeps its earliest part's commit and path, which is its first
/// appearance overall. The parts re-walk the few trees they share (about one snapshot each),
/// a small price for using every core.
fn enumerate_blobs(
    repo: &Repository,
    commits: &[WalkedCommit],
    tips: &Tips,
    filter: &PathFilter,
    stats: &ScanStats,
    threads: usize,
) -> Result<Inventory, GitError> {
    let git_dir = repo.path();
    // With --since, blobs in the trees older commits hand to newer ones are already known.
    let known: OidSet = {
        let boundary: Vec<(u32, &WalkedCommit)> = commits
            .iter()
            .filter(|c| c.before_since)
            .map(|c| (NO_COMMIT, c))
            .collect();
        if boundary.is_empty() {
            OidSet::default()
        } else {
            walk_part(git_dir, &boundary, &[], filter, stats)?.seen_blobs
        }
    };
    let wanted: Vec<(u32, &WalkedCommit)> = commits
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.before_since)
        .map(|(i, c)| (i as u32, c))
        .collect();
    let parts = if wanted.len() >= PARALLEL_ENUMERATION_FROM {
        threads.max(1)
    } else {
        1
    };
    let per_part = wanted.len().div_ceil(parts).max(1);
    let results: Vec<Result<PartInventory, GitError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = wanted
            .chunks(per_part)
            .enumerate()
            .map(|(part, chunk)| {
                // Trees named directly by refs go with the last part.
                let extra: &[Oid] = if (part + 1) * per_part >= wanted.len() {
                    &tips.trees
                } else {
                    &[]
                };
                scope.spawn(move || walk_part(git_dir, chunk, extra, filter, stats))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(GitError::Git("tree walk failed".into())))
            })
            .collect()
    });
    if wanted.is_empty() && !tips.trees.is_empty() {
        // No commits at all, only refs to trees.
        return merge_parts(
            vec![walk_part(git_dir, &[], &tips.trees, filter, stats)?],
            known,
            tips,
            stats,
        );
    }
    merge_parts(
        results.into_iter().collect::<Result<_, _>>()?,
        known,
        tips,
        stats,
    )
}

/// What one part of the enumeration found.
struct PartInventory {
    seen_blobs: OidSet,
    blobs: Vec<BlobEntry>,
    paths: Vec<String>,
    symlinks: OidSet,
}

fn walk_part(
    git_dir: &Path,
    commits: &[(u32, &WalkedCommit)],
    extra_trees: &[Oid],
    filter: &PathFilter,
    stats: &ScanStats,
) -> Result<PartInventory, GitError> {
    let repo = reopen(git_dir)?;
    let odb = repo.odb()?;
    let mut walker = TreeWalker {
        odb: &odb,
        filter,
        stats,
        seen_trees: OidSet::default(),
        seen_blobs: OidSet::default(),
        symlinks: OidSet::default(),
        blobs: Vec::new(),
        path_ids: HashMap::new(),
        paths: Vec::new(),
        stack: Vec::new(),
    };
    for (index, commit) in commits {
        let tree = match commit.tree {
            Some(tree) => tree,
            None => match tree_of(&odb, commit.oid) {
                Ok(tree) => tree,
                Err(e) => {
                    stats.skipped(SkipReason::Unreadable);
                    stats.warn(None, format!("could not read commit {}: {e}", commit.oid));
                    continue;
                }
            },
        };
        walker.walk(tree, *index)?;
    }
    for tree in extra_trees {
        walker.walk(*tree, NO_COMMIT)?;
    }
    Ok(PartInventory {
        seen_blobs: walker.seen_blobs,
        blobs: walker.blobs,
        paths: walker.paths,
        symlinks: walker.symlinks,
    })
}

/// A commit's tree, read from the raw commit (`tree <hex>` is its first line).
fn tree_of(odb: &git2::Odb, commit: Oid) -> Result<Oid, GitError> {
    let object = odb.read(commit)?;
    let data = object.data();
    data.strip_prefix(b"tree ")
        .and_then(|rest| rest.get(..40))
        .and_then(|hex| std::str::from_utf8(hex).ok())
        .and_then(|hex| Oid::from_str(hex).ok())
        .ok_or_else(|| GitError::Git(format!("commit {commit} has no tree")))
}

fn merge_parts(
    parts: Vec<PartInventory>,
    known: OidSet,
    tips: &Tips,
    stats: &ScanStats,
) -> Result<Inventory, GitError> {
    let mut seen = known;
    let mut symlinks = OidSet::default();
    let mut blobs = Vec::new();
    let mut paths: Vec<String> = Vec::new();
    let mut path_ids: HashMap<String, u32> = HashMap::new();
    for part in parts {
        let mut remap: HashMap<u32, u32> = HashMap::new();
        for blob in part.blobs {
            if !seen.insert(blob.oid) {
                continue;
            }
            let path = *remap.entry(blob.path).or_insert_with(|| {
                let text = &part.paths[blob.path as usize];
                *path_ids.entry(text.clone()).or_insert_with(|| {
                    paths.push(text.clone());
                    (paths.len() - 1) as u32
                })
            });
            blobs.push(BlobEntry { path, ..blob });
        }
        symlinks.extend(part.symlinks);
    }
    for oid in &symlinks {
        if !seen.contains(oid) {
            stats.skipped(SkipReason::Symlink);
        }
    }
    for blob in &tips.blobs {
        if seen.insert(*blob) {
            paths.push(blob.to_string());
            blobs.push(BlobEntry {
                oid: *blob,
                path: (paths.len() - 1) as u32,
                commit: NO_COMMIT,
            });
        }
    }
    Ok(Inventory { blobs, paths })
}

struct TreeWalker<'a> {
    odb: &'a git2::Odb<'a>,
    filter: &'a PathFilter,
    stats: &'a ScanStats,
    seen_trees: OidSet,
    seen_blobs: OidSet,
    symlinks: OidSet,
    blobs: Vec<BlobEntry>,
    path_ids: HashMap<String, u32>,
    paths: Vec<String>,
    stack: Vec<(Oid, String)>,
}

impl TreeWalker<'_> {
    /// Walks a root tree, recording the blobs not seen before.
    fn walk(&mut self, root: Oid, commit: u32) -> Result<(), GitError> {
        if !self.seen_trees.insert(root) {
            return Ok(());
        }
        self.stack.push((root, String::new()));
        while let Some((tree, prefix)) = self.stack.pop() {
            let object = match self.odb.read(tree) {
                Ok(object) => object,
                Err(e) => {
                    // A missing tree (a damaged or partial clone) costs its subtree, not the
                    // scan: it is reported and counted.
                    self.stats.skipped(SkipReason::Unreadable);
                    let shown = if prefix.is_empty() { "/" } else { &prefix };
                    self.stats.warn(
                        Some(shown),
                        format!("could not read tree {tree}: {}", e.message()),
                    );
                    continue;
                }
            };
            for entry in TreeEntries::new(object.data()) {
                let name = String::from_utf8_lossy(entry.name);
                match entry.mode {
                    // An excluded path is not marked seen: the same tree or blob may also be
                    // at a path that is scanned.
                    0o040000 => {
                        if self.seen_trees.contains(&entry.oid) {
                            continue;
                        }
                        let path = format!("{prefix}{name}/");
                        if !self.filter.excluded(&path[..path.len() - 1]) {
                            self.seen_trees.insert(entry.oid);
                            self.stack.push((entry.oid, path));
                        }
                    }
                    0o100644 | 0o100755 | 0o100664 => {
                        if self.seen_blobs.contains(&entry.oid) {
                            continue;
                        }
                        let path = format!("{prefix}{name}");
                        if self.filter.excluded(&path) {
                            continue;
                        }
                        self.seen_blobs.insert(entry.oid);
                        let path = self.intern(&path);
                        self.blobs.push(BlobEntry {
                            oid: entry.oid,
                            path,
                            commit,
                        });
                    }
                    0o120000 => {
                        self.symlinks.insert(entry.oid);
                    }
                    // Submodules (0o160000) are other repositories.
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn intern(&mut self, path: &str) -> u32 {
        if let Some(id) = self.path_ids.get(path) {
            return *id;
        }
        let id = self.paths.len() as u32;
        self.paths.push(path.to_string());
        self.path_ids.insert(path.to_string(), id);
        id
    }
}

/// One entry of a raw tree object: `MODE SP NAME NUL OID(20 bytes)`.
struct TreeEntry<'a> {
    mode: u32,
    name: &'a [u8],
    oid: Oid,
}

struct TreeEntries<'a> {
    rest: &'a [u8],
}

impl<'a> TreeEntries<'a> {
    fn new(data: &'a [u8]) -> Self {
        TreeEntries { rest: data }
    }
}

impl<'a> Iterator for TreeEntries<'a> {
    type Item = TreeEntry<'a>;

    fn next(&mut self) -> Option<TreeEntry<'a>> {
        let space = memchr::memchr(b' ', self.rest)?;
        let mode = self.rest[..space].iter().try_fold(0u32, |m, &b| {
            b.is_ascii_digit().then(|| m * 8 + u32::from(b - b'0'))
        })?;
        let after_mode = &self.rest[space + 1..];
        let nul = memchr::memchr(0, after_mode)?;
        let name = &after_mode[..nul];
        let oid_bytes = after_mode.get(nul + 1..nul + 21)?;
        let oid = Oid::from_bytes(oid_bytes).ok()?;
        self.rest = &after_mode[nul + 21..];
        Some(TreeEntry { mode, name, oid })
    }
}

/// A finding and the blob (index into the inventory) it came from.
type BlobFinding = (u32, Finding);

fn scan_blobs(
    repo: &Repository,
    inventory: &Inventory,
    order: &[u32],
    options: &HistoryOptions,
    scanner: &Scanner,
    stats: &ScanStats,
) -> Result<(Vec<BlobFinding>, Suppressed), GitError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.git.threads.max(1))
        .build()
        .map_err(|e| GitError::Git(e.to_string()))?;
    let git_dir = repo.path();
    let next_chunk = AtomicUsize::new(0);
    let collected: Mutex<(Vec<BlobFinding>, Suppressed)> =
        Mutex::new((Vec::new(), Suppressed::default()));
    let open_error: Mutex<Option<GitError>> = Mutex::new(None);
    pool.broadcast(|_| {
        let repo = match reopen(git_dir) {
            Ok(repo) => repo,
            Err(e) => {
                *open_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                return;
            }
        };
        let odb = match repo.odb() {
            Ok(odb) => odb,
            Err(e) => {
                *open_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.into());
                return;
            }
        };
        let mut scratch = Scratch::default();
        let mut local: Vec<BlobFinding> = Vec::new();
        let mut buffer: Vec<Finding> = Vec::new();
        let mut suppressed = Suppressed::default();
        loop {
            let start = next_chunk.fetch_add(1, Ordering::Relaxed) * CHUNK;
            if start >= order.len() {
                break;
            }
            for &index in &order[start..(start + CHUNK).min(order.len())] {
                let entry = &inventory.blobs[index as usize];
                let path = &inventory.paths[entry.path as usize];
                let content = read_blob(&odb, entry.oid, path, options.git.max_file_size, stats);
                let Some(bytes) = content.bytes() else {
                    continue;
                };
                let blob = Blob {
                    path,
                    rel_path: path,
                    bytes,
                    added_lines: None,
                    git: None,
                };
                buffer.clear();
                // A bug in a rule or the engine must cost one blob, not the whole scan.
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    scanner.scan_blob(&blob, &mut scratch, &mut buffer, stats)
                }));
                match result {
                    Ok(n) => {
                        suppressed.add(n);
                        local.extend(buffer.drain(..).map(|f| (index, f)));
                    }
                    Err(_) => {
                        scratch = Scratch::default();
                        stats.warn(
                            Some(path),
                            format!(
                                "internal error while scanning blob {}; it was skipped (please report this)",
                                entry.oid
                            ),
                        );
                    }
                }
            }
        }
        let mut shared = collected.lock().unwrap_or_else(|e| e.into_inner());
        shared.0.append(&mut local);
        shared.1.add(suppressed);
    });
    if let Some(e) = open_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(collected.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Attaches provenance to the findings, keeps the first appearance of each fingerprint, and
/// says whether each secret is still in HEAD.
fn attach_provenance(
    repo: &Repository,
    commits: &[WalkedCommit],
    inventory: &Inventory,
    scanned: (Vec<BlobFinding>, Suppressed),
    stats: &ScanStats,
) -> (Vec<Finding>, Suppressed) {
    let (mut found, suppressed) = scanned;
    // First appearance: the oldest introducing commit in walk order (then path and line, so the
    // choice does not depend on thread timing).
    found.sort_by(|(a, fa), (b, fb)| {
        let commit = |i: &u32| inventory.blobs[*i as usize].commit;
        (
            commit(a),
            &fa.rel_path,
            fa.location.start_line,
            fa.location.start_column,
        )
            .cmp(&(
                commit(b),
                &fb.rel_path,
                fb.location.start_line,
                fb.location.start_column,
            ))
    });
    let mut fingerprints: HashSet<String> = HashSet::new();
    found.retain(|(_, f)| fingerprints.insert(f.fingerprint.clone()));

    let head_tree = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let head_blobs = match &head_tree {
        Some(tree) if !found.is_empty() => blobs_of(tree),
        _ => OidSet::default(),
    };
    let mut origins: HashMap<u32, Option<GitOrigin>> = HashMap::new();
    let mut findings = Vec::with_capacity(found.len());
    for (index, mut finding) in found {
        let entry = &inventory.blobs[index as usize];
        let origin = origins.entry(entry.commit).or_insert_with(|| {
            let walked = commits.get(entry.commit as usize)?;
            match repo.find_commit(walked.oid) {
                Ok(commit) => Some(origin_of(&commit)),
                Err(e) => {
                    stats.warn(
                        None,
                        format!("could not read commit {}: {}", walked.oid, e.message()),
                    );
                    None
                }
            }
        });
        let mut origin = origin.clone().unwrap_or_default();
        origin.in_head = head_tree
            .as_ref()
            .map(|tree| head_blobs.contains(&entry.oid) || still_at_path(repo, tree, &finding));
        if origin.commit.is_empty() {
            // Reachable only through a ref that names a tree or blob: no commit to name.
            origin.commit = entry.oid.to_string();
            origin.summary = "(blob reachable from a ref without a commit)".to_string();
        }
        finding.git = Some(origin);
        findings.push(finding);
    }
    crate::scan::sort_findings(&mut findings);
    (findings, suppressed)
}

/// Every blob in a tree (HEAD's), at any path.
fn blobs_of(tree: &git2::Tree) -> OidSet {
    let mut blobs = OidSet::default();
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |_, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            blobs.insert(entry.id());
        }
        git2::TreeWalkResult::Ok
    });
    blobs
}

/// Whether the version of the finding's file in HEAD still contains the secret (the blob is
/// gone, but a later edit kept the value).
fn still_at_path(repo: &Repository, head: &git2::Tree, finding: &Finding) -> bool {
    let Ok(entry) = head.get_path(Path::new(&finding.rel_path)) else {
        return false;
    };
    let Ok(object) = repo.find_blob(entry.id()) else {
        return false;
    };
    memchr::memmem::find(object.content(), finding.secret.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_tree_entries() {
        let oid = [0xabu8; 20];
        let mut data = b"100644 a.txt\0".to_vec();
        data.extend_from_slice(&oid);
        data.extend_from_slice(b"40000 dir\0");
        data.extend_from_slice(&oid);
        let entries: Vec<_> = TreeEntries::new(&data).collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].mode, 0o100644);
        assert_eq!(entries[0].name, b"a.txt");
        assert_eq!(entries[1].mode, 0o040000);
        assert_eq!(entries[1].oid, Oid::from_bytes(&oid).unwrap());
        assert_eq!(TreeEntries::new(b"100644 trunc\0abc").count(), 0);
    }
}
