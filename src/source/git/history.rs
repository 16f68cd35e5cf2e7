//! Full history: every blob reachable from every ref (branches, tags, remote-tracking refs, the
//! stash and its older entries, a detached HEAD), each unique blob read once, with every path it
//! is reachable at.
//!
//! 1. **Enumerate.** Walk the commits oldest first and their trees, skipping every tree already
//!    seen at the same path, so each is parsed once per place it lives. Each blob is recorded
//!    with the path and commit where it first appeared, and every further path it later appears
//!    at with the commit that put it there: object ids and integers, nothing that grows with blob
//!    bytes. Walking oldest first makes "first appeared" mean "introduced". Long histories are
//!    split into consecutive parts walked in parallel and merged in order.
//! 2. **Order.** Sort the blobs by their position in the pack files ([`super::packs`]), so
//!    delta bases are still cached when their deltas are read.
//! 3. **Read.** Worker threads, each with its own pack reader ([`super::packs`]; libgit2 for
//!    what is not packed), take consecutive chunks of that order and hand each blob, with all
//!    its places, to the pipeline; one blob is scanned per thread at a time, beside at most
//!    16 MiB of recently built objects kept as delta bases. The pipeline matches it once and
//!    judges every place (a path an allowlist covers at one place is reported at the next).
//! 4. **Messages.** Every walked commit's message and every annotated tag's message is scanned
//!    once, as a blob of its own at `<commit message of 0123456789>` or `<tag message of v1.0>`,
//!    with the commit (or the tag's tagger) as provenance.
//! 5. **Provenance.** Asked for only for places with findings: the introducing commit's id,
//!    author name, date and summary, and whether the secret is still in HEAD (the same blob at
//!    any path, or a later version of the file that still holds the value).

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use git2::{ObjectType, Oid, Repository, Sort};

use super::packs::{ObjectKind, PackReader, PackedBlob, Packs};
use super::PathFilter;
use super::{commit_message_path, message_of, tag_message_path};
use super::{for_each_parallel, origin_of, read_blob, reopen, GitError, GitOptions};
use crate::source::{
    Blob, BlobVisitor, Coverage, GitOrigin, Place, ScanMode, ScanStats, SkipReason, Source,
    SourceError, VisitorFactory,
};

pub struct HistoryOptions {
    pub git: GitOptions,
    /// Revisions to start from (`--branch`); empty means every ref.
    pub revisions: Vec<String>,
    /// Only blobs introduced by commits at or after this time (seconds since the epoch).
    pub since: Option<i64>,
}

/// A blob to scan: where it first appeared.
#[derive(Clone, Copy)]
struct BlobEntry {
    oid: Oid,
    path: u32,
    /// Index into the commit list, or `NO_COMMIT` for blobs reachable only through a ref that
    /// names a tree or blob directly.
    commit: u32,
}

/// A later place of a blob: (blob index, path, commit).
type LaterPlace = (u32, u32, u32);

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

type OidBuild = std::hash::BuildHasherDefault<OidHasher>;
type OidSet = HashSet<Oid, OidBuild>;

type PairSet = HashSet<(u32, u32), std::hash::BuildHasherDefault<super::PairHasher>>;

/// An object's bytes, from the packs or from libgit2.
enum ObjectBytes<'odb> {
    Packed(std::rc::Rc<Vec<u8>>),
    Libgit2(git2::OdbObject<'odb>),
}

impl ObjectBytes<'_> {
    fn data(&self) -> &[u8] {
        match self {
            ObjectBytes::Packed(bytes) => bytes,
            ObjectBytes::Libgit2(object) => object.data(),
        }
    }
}

/// A commit, tree or tag, read from the packs where they hold it, through libgit2 otherwise
/// (which says what is wrong when nothing can read it).
fn read_object<'odb>(
    reader: &mut PackReader,
    odb: &'odb git2::Odb,
    oid: Oid,
    kind: ObjectKind,
) -> Result<ObjectBytes<'odb>, git2::Error> {
    match reader.read_named(oid, kind) {
        Some(bytes) => Ok(ObjectBytes::Packed(bytes)),
        None => odb.read(oid).map(ObjectBytes::Libgit2),
    }
}

/// How many consecutive blobs (in pack order) a worker takes at a time: large enough that a
/// delta chain mostly stays with one thread, small enough to balance two threads to the end.
const CHUNK: usize = 64;

/// The whole history of a repository, as a source.
pub struct HistorySource {
    repo: Repository,
    options: HistoryOptions,
    /// The walked commits, oldest first, once read: a place's origin indexes this.
    commits: Vec<WalkedCommit>,
    /// Every blob in HEAD's tree, built on first use.
    head_blobs: OnceCell<OidSet>,
    /// The annotated tags whose messages were scanned: origins past the commits index this.
    tags: Vec<TagEntry>,
}

/// An annotated tag: its object and its name.
struct TagEntry {
    oid: Oid,
    name: String,
}

/// How many messages a worker takes at a time.
const MESSAGE_CHUNK: usize = 512;

impl HistorySource {
    pub fn open(repo_path: &Path, options: HistoryOptions) -> Result<Self, GitError> {
        Ok(HistorySource {
            repo: super::open(repo_path)?,
            options,
            commits: Vec::new(),
            head_blobs: OnceCell::new(),
            tags: Vec::new(),
        })
    }

    /// The repository's git directory.
    pub fn git_dir(&self) -> std::path::PathBuf {
        self.repo.path().to_path_buf()
    }
}

impl Source for HistorySource {
    fn mode(&self) -> ScanMode {
        ScanMode::GitHistory
    }

    fn coverage(&self) -> Coverage {
        if self.options.revisions.is_empty() && self.options.since.is_none() {
            Coverage::Everything
        } else {
            Coverage::Nothing
        }
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
        if repo.is_shallow() {
            stats.note(
                "shallow clone: history before the shallow boundary is not in the repository and \
                 was not scanned (`git fetch --unshallow` fetches it)"
                    .to_string(),
            );
        }
        let options = &self.options;
        let filter = PathFilter::new(&options.git.excludes)?;
        let tips = starting_points(repo, &options.revisions, stats)?;
        let commits = walk_commits(repo, &tips.commits, options.since, stats)?;
        let packs = Packs::open(&repo.commondir().join("objects"));
        let inventory = enumerate_blobs(repo, &packs, &commits, &tips, &filter, stats, threads)?;
        let (order, locations) = {
            let oids: Vec<Oid> = inventory.blobs.iter().map(|b| b.oid).collect();
            let keys = packs.sort_keys(&oids);
            let mut order: Vec<u32> = (0..oids.len() as u32).collect();
            order.sort_unstable_by_key(|&i| keys[i as usize]);
            (order, keys)
        };
        self.commits = commits;
        let max_size = self.options.git.max_file_size;
        let work = |odb: &git2::Odb,
                    reader: &mut PackReader,
                    &index: &u32,
                    visitor: &mut dyn BlobVisitor| {
            let entry = &inventory.blobs[index as usize];
            let first = &inventory.paths[entry.path as usize];
            let location = locations[index as usize];
            let packed = match location.0 {
                u32::MAX => None,
                _ => reader.read_blob(location, max_size),
            };
            let object = match packed {
                Some(PackedBlob::Bytes(bytes)) => ObjectBytes::Packed(bytes),
                Some(PackedBlob::TooLarge) => return stats.skipped(SkipReason::TooLarge),
                None => match read_blob(odb, entry.oid, first, max_size, stats) {
                    Some(object) => ObjectBytes::Libgit2(object),
                    None => return,
                },
            };
            let place = |path: u32, commit: u32| {
                let path = inventory.paths[path as usize].as_str();
                Place {
                    path,
                    rel_path: path,
                    origin: commit,
                }
            };
            let mut places = vec![place(entry.path, entry.commit)];
            places.extend(
                inventory
                    .later_places(index)
                    .iter()
                    .map(|&(_, path, commit)| place(path, commit)),
            );
            let id = entry.oid.to_string();
            visitor.visit(&Blob {
                bytes: object.data(),
                places: &places,
                object: Some(&id),
                replaces: None,
            });
        };
        let new_reader = || PackReader::new(&packs);
        for_each_parallel(repo, &order, threads, CHUNK, visitors, &new_reader, &work)?;

        // Commit and tag messages, each once. No path filter applies: a message is not a file.
        let tags = annotated_tags(repo, &options.revisions, options.since);
        let commits = &self.commits;
        let messages: Vec<u32> = commits
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.before_since)
            .map(|(i, _)| i as u32)
            .chain((0..tags.len()).map(|i| (commits.len() + i) as u32))
            .collect();
        let read_message = |odb: &git2::Odb,
                            reader: &mut PackReader,
                            &index: &u32,
                            visitor: &mut dyn BlobVisitor| {
            let (oid, path, kind) = match commits.get(index as usize) {
                Some(commit) => (
                    commit.oid,
                    commit_message_path(commit.oid),
                    ObjectKind::Commit,
                ),
                None => {
                    let tag = &tags[index as usize - commits.len()];
                    (tag.oid, tag_message_path(&tag.name), ObjectKind::Tag)
                }
            };
            // A commit that cannot be read was reported by the walk.
            let Ok(object) = read_object(reader, odb, oid, kind) else {
                return;
            };
            let message = message_of(object.data());
            if message.trim_ascii().is_empty() {
                return;
            }
            visitor.visit(&Blob {
                bytes: message,
                places: &[Place {
                    path: &path,
                    rel_path: &path,
                    origin: index,
                }],
                object: None,
                replaces: None,
            });
        };
        for_each_parallel(
            repo,
            &messages,
            threads,
            MESSAGE_CHUNK,
            visitors,
            &new_reader,
            &read_message,
        )?;
        if !messages.is_empty() {
            stats.note(format!(
                "the blobs scanned include {} commit message(s) and {} annotated tag message(s)",
                messages.len() - tags.len(),
                tags.len()
            ));
        }
        self.tags = tags;
        Ok(())
    }

    fn provenance(
        &self,
        origin: u32,
        object: Option<&str>,
        stats: &ScanStats,
    ) -> Option<GitOrigin> {
        let tag = (origin as usize)
            .checked_sub(self.commits.len())
            .and_then(|i| self.tags.get(i));
        if let Some(tag) = tag {
            return tag_origin(&self.repo, tag, stats);
        }
        let Some(walked) = self.commits.get(origin as usize) else {
            // Reachable only through a ref that names a tree or blob: no commit to name.
            return Some(GitOrigin {
                commit: object.unwrap_or_default().to_string(),
                summary: "(blob reachable from a ref without a commit)".to_string(),
                ..GitOrigin::default()
            });
        };
        match self.repo.find_commit(walked.oid) {
            Ok(commit) => Some(origin_of(&commit)),
            Err(e) => {
                stats.warn(
                    None,
                    format!("could not read commit {}: {}", walked.oid, e.message()),
                );
                None
            }
        }
    }

    fn still_present(&self, object: &str, rel_path: &str, secret: &[u8]) -> Option<bool> {
        let head = self.repo.head().ok()?.peel_to_tree().ok()?;
        let in_head = self.head_blobs.get_or_init(|| blobs_of(&head));
        if Oid::from_str(object).is_ok_and(|oid| in_head.contains(&oid)) {
            return Some(true);
        }
        Some(still_at_path(&self.repo, &head, rel_path, secret))
    }
}

/// The annotated tags whose messages a scan reads: every tag under `refs/tags` (or the tags
/// among `revisions`), made at or after `since`, each tag object once.
fn annotated_tags(repo: &Repository, revisions: &[String], since: Option<i64>) -> Vec<TagEntry> {
    let named: Vec<(String, Oid)> = if revisions.is_empty() {
        let Ok(references) = repo.references_glob("refs/tags/*") else {
            return Vec::new();
        };
        references
            .flatten()
            .filter_map(|r| {
                let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                let name = name.strip_prefix("refs/tags/").unwrap_or(&name).to_string();
                r.target().map(|oid| (name, oid))
            })
            .collect()
    } else {
        revisions
            .iter()
            .filter_map(|r| repo.revparse_single(r).ok().map(|o| (r.clone(), o.id())))
            .collect()
    };
    let mut seen = OidSet::default();
    let mut tags = Vec::new();
    for (name, oid) in named {
        if !seen.insert(oid) {
            continue;
        }
        // A lightweight tag names a commit: it has no message of its own.
        let Ok(tag) = repo.find_tag(oid) else {
            continue;
        };
        let when = tag.tagger().map(|t| t.when().seconds());
        if since.is_some_and(|since| when.is_some_and(|when| when < since)) {
            continue;
        }
        tags.push(TagEntry { oid, name });
    }
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    tags
}

/// The provenance of a finding in a tag's message: the commit it tags, and its tagger.
fn tag_origin(repo: &Repository, entry: &TagEntry, stats: &ScanStats) -> Option<GitOrigin> {
    let tag = match repo.find_tag(entry.oid) {
        Ok(tag) => tag,
        Err(e) => {
            stats.warn(
                None,
                format!("could not read tag {}: {}", entry.name, e.message()),
            );
            return None;
        }
    };
    let tagger = tag.tagger();
    let message = tag.message_bytes().unwrap_or_default();
    let summary = message.split(|&b| b == b'\n').next().unwrap_or_default();
    Some(GitOrigin {
        commit: tag.target_id().to_string(),
        author: tagger
            .as_ref()
            .map(|t| String::from_utf8_lossy(t.name_bytes()).into_owned())
            .unwrap_or_default(),
        date: tagger
            .as_ref()
            .map(|t| super::iso8601_utc(t.when().seconds()))
            .unwrap_or_default(),
        summary: format!("tag {}: {}", entry.name, String::from_utf8_lossy(summary)),
        in_head: None,
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

/// Every unique blob to scan, with the path it first appeared at and every later place.
struct Inventory {
    blobs: Vec<BlobEntry>,
    /// Sorted by blob index, then commit.
    later: Vec<LaterPlace>,
    paths: Vec<String>,
}

impl Inventory {
    /// The places blob `index` reached after its first, oldest first.
    fn later_places(&self, index: u32) -> &[LaterPlace] {
        let start = self.later.partition_point(|p| p.0 < index);
        let end = start + self.later[start..].partition_point(|p| p.0 == index);
        &self.later[start..end]
    }
}

/// Below this many commits the enumeration runs on one thread.
const PARALLEL_ENUMERATION_FROM: usize = 2_000;
/// How many parts of the history each thread walks, one after another.
const PARTS_PER_THREAD: usize = 8;

/// Enumerates the blobs of the commits' trees. On long histories the commits are split into
/// consecutive parts walked in parallel, each with its own repository handle and seen sets;
/// merged in order, a blob keeps its earliest part's commit and path, which is its first
/// appearance overall. The parts re-walk the few trees they share (about one snapshot each),
/// a small price for using every core.
fn enumerate_blobs(
    repo: &Repository,
    packs: &Packs,
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
            walk_part(git_dir, packs, &boundary, &[], filter, stats)?.seen_blobs
        }
    };
    let wanted: Vec<(u32, &WalkedCommit)> = commits
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.before_since)
        .map(|(i, c)| (i as u32, c))
        .collect();
    // More parts than threads, taken in turn: later commits have larger trees, so equal
    // shares of commits are not equal work (on cargo's history one half took 50% longer).
    let (parts, workers) = if wanted.len() >= PARALLEL_ENUMERATION_FROM {
        (threads.max(1) * PARTS_PER_THREAD, threads.max(1))
    } else {
        (1, 1)
    };
    let per_part = wanted.len().div_ceil(parts).max(1);
    let chunks: Vec<&[(u32, &WalkedCommit)]> = wanted.chunks(per_part).collect();
    let results: Vec<Mutex<Option<Result<PartInventory, GitError>>>> =
        chunks.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let part = next.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = chunks.get(part) else {
                    break;
                };
                // Trees named directly by refs go with the last part.
                let extra: &[Oid] = match part + 1 == chunks.len() {
                    true => &tips.trees,
                    false => &[],
                };
                let result = walk_part(git_dir, packs, chunk, extra, filter, stats);
                *results[part].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            });
        }
    });
    let results: Vec<Result<PartInventory, GitError>> = results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(GitError::Git("tree walk failed".into())))
        })
        .collect();
    if wanted.is_empty() && !tips.trees.is_empty() {
        // No commits at all, only refs to trees.
        return merge_parts(
            vec![walk_part(git_dir, packs, &[], &tips.trees, filter, stats)?],
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
    /// Blob index here is the position in `blobs`.
    later: Vec<LaterPlace>,
    paths: Vec<String>,
    symlinks: OidSet,
}

fn walk_part(
    git_dir: &Path,
    packs: &Packs,
    commits: &[(u32, &WalkedCommit)],
    extra_trees: &[Oid],
    filter: &PathFilter,
    stats: &ScanStats,
) -> Result<PartInventory, GitError> {
    let repo = reopen(git_dir)?;
    let odb = repo.odb()?;
    let mut walker = TreeWalker {
        odb: &odb,
        reader: PackReader::new(packs),
        filter,
        stats,
        seen_trees: HashSet::default(),
        blob_index: HashMap::default(),
        seen_places: HashSet::default(),
        symlinks: OidSet::default(),
        blobs: Vec::new(),
        later: Vec::new(),
        path_ids: HashMap::new(),
        paths: Vec::new(),
        stack: Vec::new(),
    };
    for (index, commit) in commits {
        let tree = match commit.tree {
            Some(tree) => tree,
            None => match tree_of(&odb, &mut walker.reader, commit.oid) {
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
        seen_blobs: walker.blob_index.keys().copied().collect(),
        blobs: walker.blobs,
        later: walker.later,
        paths: walker.paths,
        symlinks: walker.symlinks,
    })
}

/// A commit's tree, read from the raw commit (`tree <hex>` is its first line).
fn tree_of(odb: &git2::Odb, reader: &mut PackReader, commit: Oid) -> Result<Oid, GitError> {
    let object = read_object(reader, odb, commit, ObjectKind::Commit)?;
    object
        .data()
        .strip_prefix(b"tree ")
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
    let mut index_of: HashMap<Oid, u32, OidBuild> = HashMap::default();
    let mut seen_places = PairSet::default();
    let mut symlinks = OidSet::default();
    let mut blobs: Vec<BlobEntry> = Vec::new();
    let mut later: Vec<LaterPlace> = Vec::new();
    let mut paths: Vec<String> = Vec::new();
    let mut path_ids: HashMap<String, u32> = HashMap::new();
    for part in parts {
        let mut remap: HashMap<u32, u32> = HashMap::new();
        let mut path_of = |local: u32| {
            *remap.entry(local).or_insert_with(|| {
                let text = &part.paths[local as usize];
                *path_ids.entry(text.clone()).or_insert_with(|| {
                    paths.push(text.clone());
                    (paths.len() - 1) as u32
                })
            })
        };
        // A part's first appearances and later places, in the order the part met them.
        let places = part.blobs.iter().map(|b| (b.oid, b.path, b.commit)).chain(
            part.later
                .iter()
                .map(|&(i, path, commit)| (part.blobs[i as usize].oid, path, commit)),
        );
        for (oid, local_path, commit) in places {
            if known.contains(&oid) {
                continue;
            }
            let path = path_of(local_path);
            match index_of.get(&oid) {
                None => {
                    index_of.insert(oid, blobs.len() as u32);
                    seen_places.insert((blobs.len() as u32, path));
                    blobs.push(BlobEntry { oid, path, commit });
                }
                Some(&index) => {
                    if seen_places.insert((index, path)) {
                        later.push((index, path, commit));
                    }
                }
            }
        }
        symlinks.extend(part.symlinks);
    }
    for oid in &symlinks {
        if !index_of.contains_key(oid) && !known.contains(oid) {
            stats.skipped(SkipReason::Symlink);
        }
    }
    for blob in &tips.blobs {
        if !index_of.contains_key(blob) && !known.contains(blob) {
            index_of.insert(*blob, blobs.len() as u32);
            paths.push(blob.to_string());
            blobs.push(BlobEntry {
                oid: *blob,
                path: (paths.len() - 1) as u32,
                commit: NO_COMMIT,
            });
        }
    }
    // Oldest first within each blob; NO_COMMIT (trees named by refs) last.
    later.sort_unstable_by_key(|&(index, path, commit)| (index, commit, path));
    Ok(Inventory {
        blobs,
        later,
        paths,
    })
}

struct TreeWalker<'a> {
    odb: &'a git2::Odb<'a>,
    /// Trees are read from the packs where they can be, as blobs are.
    reader: PackReader<'a>,
    filter: &'a PathFilter,
    stats: &'a ScanStats,
    /// Trees already walked, by (tree, path id of the directory).
    seen_trees: HashSet<(Oid, u32), OidBuild>,
    /// Each blob met so far and its index in `blobs`.
    blob_index: HashMap<Oid, u32, OidBuild>,
    /// (blob index, path id) pairs already recorded.
    seen_places: PairSet,
    symlinks: OidSet,
    blobs: Vec<BlobEntry>,
    later: Vec<LaterPlace>,
    path_ids: HashMap<String, u32>,
    paths: Vec<String>,
    /// Trees to walk, with their directory path (ending in `/`, empty for the root).
    stack: Vec<(Oid, String)>,
}

impl TreeWalker<'_> {
    /// Walks a root tree, recording each blob at each path not seen before.
    fn walk(&mut self, root: Oid, commit: u32) -> Result<(), GitError> {
        let root_path = self.intern("");
        if !self.seen_trees.insert((root, root_path)) {
            return Ok(());
        }
        self.stack.push((root, String::new()));
        let mut path = String::new();
        while let Some((tree, prefix)) = self.stack.pop() {
            let object = match read_object(&mut self.reader, self.odb, tree, ObjectKind::Tree) {
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
                // Most entries of a tree met again are known paths: the path is built in one
                // buffer and only a new one is copied.
                path.clear();
                path.push_str(&prefix);
                path.push_str(&String::from_utf8_lossy(entry.name));
                match entry.mode {
                    // An excluded path is not recorded: the same tree or blob may also be at a
                    // path that is scanned.
                    0o040000 => {
                        if self.filter.excluded(&path) {
                            continue;
                        }
                        path.push('/');
                        let id = self.intern(&path);
                        if self.seen_trees.insert((entry.oid, id)) {
                            self.stack.push((entry.oid, path.clone()));
                        }
                    }
                    0o100644 | 0o100755 | 0o100664 => {
                        if self.filter.excluded(&path) {
                            continue;
                        }
                        let path = self.intern(&path);
                        match self.blob_index.get(&entry.oid) {
                            None => {
                                let index = self.blobs.len() as u32;
                                self.blob_index.insert(entry.oid, index);
                                self.seen_places.insert((index, path));
                                self.blobs.push(BlobEntry {
                                    oid: entry.oid,
                                    path,
                                    commit,
                                });
                            }
                            Some(&index) => {
                                if self.seen_places.insert((index, path)) {
                                    self.later.push((index, path, commit));
                                }
                            }
                        }
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

/// Whether the version of the file in HEAD still contains the secret (the blob is gone, but a
/// later edit kept the value).
fn still_at_path(repo: &Repository, head: &git2::Tree, rel_path: &str, secret: &[u8]) -> bool {
    let Ok(entry) = head.get_path(Path::new(rel_path)) else {
        return false;
    };
    let Ok(object) = repo.find_blob(entry.id()) else {
        return false;
    };
    memchr::memmem::find(object.content(), secret).is_some()
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
