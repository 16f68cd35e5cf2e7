//! Staged changes: what the next commit adds (the pre-commit hook).
//!
//! The index against HEAD's tree: each changed file's staged blob is read from the object
//! database (not the working tree, so a partially staged file is scanned as it will be
//! committed), with the version in HEAD it replaces, so that only the lines it adds count
//! (worked out downstream, from the bytes). Before the first commit everything staged is added.
//! Renames are measured against their source; deletions, submodules and symlinks add nothing to
//! scan; oversized files are counted as skipped. Nothing here looks at content: a file whose HEAD
//! version was binary, or that a `.gitattributes` calls binary, is judged by its staged bytes.
//!
//! This runs on every commit, so it does the least it can: [`index_file`] reads the index and
//! its cache tree, and only the HEAD trees of directories that changed are read. libgit2's full
//! tree-to-index diff is the fallback for what that path cannot vouch for.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Commit, ErrorCode, ObjectType, Oid, Repository, Tree};

use super::index_file::{self, CacheTreeNode, IndexEntry};
use super::{
    admit, changes_in, diff_options, find_renames, is_file, read_changes, Change, GitError,
    GitOptions, PathFilter,
};
use crate::source::{Coverage, ScanMode, ScanStats, Source, SourceError, VisitorFactory};

/// A repository's staging area, read before the settings that say how to scan it: the two
/// are read in parallel, as together they are most of a pre-commit run.
pub struct Staged {
    repo: Repository,
    /// What in the index differs from HEAD, and the index, when [`index_file`] could read it.
    fast: Option<(Changes, index_file::Index)>,
    /// Set before reading: which paths are read and how large they may be.
    options: Option<GitOptions>,
}

/// Opens the repository at or above `repo_path` and compares its index with HEAD. `opened` is
/// told the repository's work tree (`None` if bare) as soon as it is open, before the index is
/// read.
pub fn read(repo_path: &Path, opened: impl FnOnce(Option<&Path>)) -> Result<Staged, GitError> {
    let repo = super::open(repo_path)?;
    opened(repo.workdir());
    if repo.is_bare() {
        return Err(GitError::Open(
            repo.path().to_path_buf(),
            "a bare repository has no staging area; `credlint staged` runs in a work tree".into(),
        ));
    }
    let index = match sha1_repository(&repo) {
        true => index_file::read(&index_path(&repo)),
        false => None,
    };
    let fast = match index {
        Some(index) => Some((changed_entries(&repo, &index)?, index)),
        None => None,
    };
    Ok(Staged {
        repo,
        fast,
        options: None,
    })
}

impl Staged {
    /// Says which paths are read and how large they may be (the settings, read meanwhile).
    pub fn with_options(mut self, options: GitOptions) -> Staged {
        self.options = Some(options);
        self
    }

    /// The staged files that add content, with the HEAD versions they replace.
    fn changes(&self, options: &GitOptions, stats: &ScanStats) -> Result<Vec<Change>, GitError> {
        let filter = PathFilter::new(&options.excludes)?;
        if let Some((changes, index)) = &self.fast {
            if let Some(found) = changes.changes(index, options.max_file_size, &filter, stats) {
                return Ok(found);
            }
        }
        let repo = &self.repo;
        let index = match named_index() {
            Some(path) => git2::Index::open(&path),
            None => repo.index(),
        }
        .map_err(|e| unreadable_index(&index_path(repo), &e))?;
        let mut diff = repo.diff_tree_to_index(
            head_tree(repo)?.as_ref(),
            Some(&index),
            Some(&mut diff_options()),
        )?;
        find_renames(&mut diff)?;
        Ok(changes_in(&diff, 0, options.max_file_size, &filter, stats))
    }
}

impl Source for Staged {
    fn mode(&self) -> ScanMode {
        ScanMode::Staged
    }

    /// A staged change is part of some files: no baseline entry can be called stale.
    fn coverage(&self) -> Coverage {
        Coverage::Nothing
    }

    fn read(
        &mut self,
        threads: usize,
        stats: &ScanStats,
        visitors: &dyn VisitorFactory,
    ) -> Result<(), SourceError> {
        let options = self.options.clone().unwrap_or(GitOptions {
            max_file_size: u64::MAX,
            excludes: Vec::new(),
        });
        let changes = self.changes(&options, stats)?;
        read_changes(
            &self.repo,
            &changes,
            options.max_file_size,
            threads,
            stats,
            visitors,
        )?;
        Ok(())
    }
}

/// HEAD's commit; `None` before the first commit, when everything staged is new.
fn head_commit(repo: &Repository) -> Result<Option<Commit<'_>>, GitError> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_commit()?)),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// HEAD's tree; `None` before the first commit.
fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>, GitError> {
    Ok(head_commit(repo)?.map(|commit| commit.tree()).transpose()?)
}

/// The index git names in a pre-commit hook: `git commit -a` and `git commit PATH` build a
/// temporary one and leave .git/index as it was.
fn named_index() -> Option<PathBuf> {
    std::env::var_os("GIT_INDEX_FILE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// The index the next commit is made from.
fn index_path(repo: &Repository) -> PathBuf {
    named_index().unwrap_or_else(|| repo.path().join("index"))
}

/// Why the index could not be read, and what to do about it.
fn unreadable_index(path: &Path, error: &git2::Error) -> GitError {
    let message = error.message();
    let advice = if message.contains("'link'") {
        "the index is split (core.splitIndex), which libgit2 cannot read: \
         `git config core.splitIndex false && git update-index --no-split-index` merges it"
    } else if message.contains("'sdir'") {
        "the index is sparse (a sparse checkout with sparse-index), which libgit2 cannot read: \
         `git sparse-checkout init --no-sparse-index` expands it"
    } else {
        "if `git status` fails too, the index is damaged: delete that file and run \
         `git reset` to rebuild it from the last commit, then stage your changes again"
    };
    GitError::Git(format!(
        "cannot read the staging area ({}): {message}; {advice}",
        path.display()
    ))
}

/// Whether objects are named by SHA-1, the only names [`index_file`] reads.
fn sha1_repository(repo: &Repository) -> bool {
    repo.config()
        .and_then(|c| c.get_string("extensions.objectformat"))
        .map_or(true, |format| format.eq_ignore_ascii_case("sha1"))
}

/// What differs between the index and HEAD.
#[derive(Default)]
struct Changes {
    /// Index entries (by position) that differ from HEAD, with what HEAD has at the same path,
    /// if a file.
    staged: Vec<(usize, Option<(Oid, u32)>)>,
    /// Blobs of HEAD no longer in the index at their path: the sources of renames.
    deleted: Vec<Oid>,
    /// How many of HEAD's trees were read to find them: what the cache-tree and the hashing of
    /// the index's directories save.
    trees_read: usize,
}

impl Changes {
    /// The staged files that add content, like [`changes_in`] finds them in libgit2's diff; or
    /// `None` when libgit2 must decide: a file may have been renamed and edited (which needs
    /// libgit2's similarity measure).
    ///
    /// libgit2's diff is not used even for the few changed files: it looks up each path's
    /// diff attributes, and that reads the whole index again.
    fn changes(
        &self,
        index: &index_file::Index,
        max_size: u64,
        filter: &PathFilter,
        stats: &ScanStats,
    ) -> Option<Vec<Change>> {
        // A file moved unchanged adds nothing; pair each deleted blob with one added copy.
        let mut rename_sources: HashMap<Oid, usize> = HashMap::new();
        for oid in &self.deleted {
            *rename_sources.entry(*oid).or_default() += 1;
        }
        let mut added_files = Vec::new();
        for &(position, old) in &self.staged {
            let entry = &index.entries[position];
            if entry.intent_to_add() {
                continue;
            }
            match old {
                // The same content under another mode (chmod +x): no line is added.
                Some((oid, mode)) if oid == entry.oid && is_file(mode) => {}
                Some(_) => added_files.push((entry, old)),
                None => match rename_sources.get_mut(&entry.oid).filter(|n| **n > 0) {
                    Some(copies) => *copies -= 1,
                    None => added_files.push((entry, None)),
                },
            }
        }
        let unpaired_deletions = rename_sources.values().any(|&c| c > 0);
        if unpaired_deletions && added_files.iter().any(|(_, old)| old.is_none()) {
            return None;
        }
        let mut changes = Vec::new();
        for (entry, old) in added_files {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            if let Err(reason) = admit(&path, entry.mode, entry.size.into(), max_size, filter) {
                reason.into_iter().for_each(|r| stats.skipped(r));
                continue;
            }
            changes.push(Change {
                path,
                new: entry.oid,
                replaces: vec![old.filter(|(_, mode)| is_file(*mode)).map(|(oid, _)| oid)],
                origin: 0,
            });
        }
        Some(changes)
    }
}

/// Compares the index with HEAD's tree, directory by directory, skipping every directory whose
/// tree id equals HEAD's tree id there: the cache-tree's id when it is valid, else the id the
/// directory's entries hash to.
fn changed_entries(repo: &Repository, index: &index_file::Index) -> Result<Changes, GitError> {
    let mut changed = Changes::default();
    let head = head_tree_id(repo)?;
    compare_directory(
        &mut Comparison {
            repo,
            index,
            written: None,
        },
        head,
        &index.entries,
        0,
        0,
        index.cache_tree.as_ref(),
        &mut changed,
    )?;
    Ok(changed)
}

/// The id of HEAD's tree, read from its commit without reading the tree; `None` before the
/// first commit.
fn head_tree_id(repo: &Repository) -> Result<Option<Oid>, GitError> {
    Ok(head_commit(repo)?.map(|commit| commit.tree_id()))
}

/// What comparing the index with HEAD's tree keeps from one directory to the next.
struct Comparison<'r> {
    repo: &'r Repository,
    index: &'r index_file::Index,
    /// The tree id of every index directory the cache-tree does not vouch for, hashed the first
    /// time one is needed.
    written: Option<WrittenIds>,
}

impl Comparison<'_> {
    /// The tree id the index would write for the directory whose first entry is at `first` and
    /// whose path is `prefix_len` bytes long.
    fn written_id(&mut self, first: usize, prefix_len: usize) -> Option<Oid> {
        let index = self.index;
        self.written
            .get_or_insert_with(|| WrittenIds::hash(&index.entries, index.cache_tree.as_ref()))
            .get(first, prefix_len)
    }
}

/// `entries` are the index entries under one directory (whose path is `prefix_len` bytes long,
/// with its trailing slash), starting at position `first` in the index; `head` is the id of
/// HEAD's tree there and `cache` the cache-tree node.
fn compare_directory(
    cx: &mut Comparison,
    head: Option<Oid>,
    entries: &[IndexEntry],
    first: usize,
    prefix_len: usize,
    cache: Option<&CacheTreeNode>,
    changed: &mut Changes,
) -> Result<(), GitError> {
    if let Some(head) = head {
        // A fresh clone's index has no valid cache-tree: hashing the entries (a few hundred
        // kilobytes for a large repository) is cheaper than reading every tree of HEAD. Equal
        // ids mean equal directories, and HEAD's tree is not even read; a directory that cannot
        // be hashed is compared entry by entry.
        let id = match cache.and_then(|c| c.oid) {
            Some(cached) => Some(cached),
            None => cx.written_id(first, prefix_len),
        };
        if id == Some(head) {
            return Ok(());
        }
    }
    let mut in_head: HashMap<Vec<u8>, (Oid, i32, Option<ObjectType>)> = match head {
        Some(oid) => {
            changed.trees_read += 1;
            cx.repo
                .find_tree(oid)?
                .iter()
                .map(|e| (e.name_bytes().to_vec(), (e.id(), e.filemode(), e.kind())))
                .collect()
        }
        None => HashMap::new(),
    };
    let mut i = 0;
    while i < entries.len() {
        let entry = &entries[i];
        let rest = &entry.path[prefix_len..];
        match memchr::memchr(b'/', rest) {
            None => {
                let position = first + i;
                match in_head.remove(rest) {
                    Some((oid, mode, _)) if oid == entry.oid && mode as u32 == entry.mode => {}
                    Some((oid, mode, Some(ObjectType::Blob))) => {
                        changed.staged.push((position, Some((oid, mode as u32))));
                    }
                    Some((oid, _, Some(ObjectType::Tree))) => {
                        // A directory in HEAD replaced by a file.
                        deleted_tree(cx.repo, oid, &mut changed.deleted)?;
                        changed.staged.push((position, None));
                    }
                    _ => changed.staged.push((position, None)),
                }
                i += 1;
            }
            Some(slash) => {
                let name = &rest[..slash];
                let dir_len = prefix_len + slash + 1;
                let dir = &entry.path[..dir_len];
                let end = i + entries[i..].partition_point(|e| e.path.starts_with(dir));
                let subtree = match in_head.remove(name) {
                    Some((oid, _, Some(ObjectType::Tree))) => Some(oid),
                    Some((oid, _, Some(ObjectType::Blob))) => {
                        // A file in HEAD is now a directory.
                        changed.deleted.push(oid);
                        None
                    }
                    _ => None,
                };
                let cache = cache.and_then(|c| c.child(name));
                compare_directory(
                    cx,
                    subtree,
                    &entries[i..end],
                    first + i,
                    dir_len,
                    cache,
                    changed,
                )?;
                i = end;
            }
        }
    }
    // What HEAD has here and the index does not: deleted files and directories.
    for (oid, _, kind) in in_head.into_values() {
        match kind {
            Some(ObjectType::Blob) => changed.deleted.push(oid),
            Some(ObjectType::Tree) => deleted_tree(cx.repo, oid, &mut changed.deleted)?,
            _ => {}
        }
    }
    Ok(())
}

/// The tree ids `git write-tree` would write for the index's directories, except those under a
/// directory the cache-tree vouches for: by (position of the directory's first entry, length of
/// its path), in pre-order, which is also that pair's order.
struct WrittenIds(Vec<(usize, usize, Option<Oid>)>);

impl WrittenIds {
    /// Hashes every directory of `entries` (the whole index, `cache` its cache-tree root) in one
    /// pass, bottom-up: each directory's tree object is built in one buffer shared by all.
    fn hash(entries: &[IndexEntry], cache: Option<&CacheTreeNode>) -> WrittenIds {
        let mut ids = WrittenIds(Vec::new());
        ids.hash_directory(entries, 0, 0, cache, &mut Vec::new());
        ids
    }

    fn get(&self, first: usize, prefix_len: usize) -> Option<Oid> {
        let at = self
            .0
            .binary_search_by(|&(f, p, _)| (f, p).cmp(&(first, prefix_len)))
            .ok()?;
        self.0[at].2
    }

    /// Hashes the directory whose first entry is `entries[first]` and whose path is that
    /// entry's first `prefix_len` bytes (the root: 0), `cache` its cache-tree node. Returns its
    /// id, `None` when an entry in it is not written as it stands (`git add -N`), and the
    /// position of the first entry past it. `tree` holds the tree objects of the directories
    /// above, each from where its own begins.
    fn hash_directory(
        &mut self,
        entries: &[IndexEntry],
        first: usize,
        prefix_len: usize,
        cache: Option<&CacheTreeNode>,
        tree: &mut Vec<u8>,
    ) -> (Option<Oid>, usize) {
        let slot = self.0.len();
        self.0.push((first, prefix_len, None));
        let prefix = entries
            .get(first)
            .map_or(&[][..], |e| &e.path[..prefix_len]);
        let start = tree.len();
        let mut written = true;
        let mut i = first;
        // Index order (by whole path) is tree order: a directory sorts as its name and a slash.
        while let Some(entry) = entries.get(i).filter(|e| e.path.starts_with(prefix)) {
            let rest = &entry.path[prefix_len..];
            let (mode, name, oid) = match memchr::memchr(b'/', rest) {
                None => {
                    written &= !entry.intent_to_add();
                    i += 1;
                    (entry.mode, rest, Some(entry.oid))
                }
                Some(slash) => {
                    let name = &rest[..slash];
                    let dir_len = prefix_len + slash + 1;
                    let node = cache.and_then(|c| c.child(name));
                    let (oid, end) = match node.and_then(|n| vouched(entries, i, dir_len, n)) {
                        Some(vouched) => vouched,
                        None => self.hash_directory(entries, i, dir_len, node, tree),
                    };
                    i = end;
                    (0o40000, name, oid)
                }
            };
            match oid {
                Some(oid) => push_tree_entry(tree, mode, name, oid),
                None => written = false,
            }
        }
        let id = match written {
            true => tree_object_id(&tree[start..]),
            false => None,
        };
        tree.truncate(start);
        self.0[slot].2 = id;
        (id, i)
    }
}

/// A cache-tree node's id and the position past its directory, when the node is valid and its
/// entry count fits the index: the directory at `entries[first]` with a path `dir_len` bytes
/// long spans exactly that many entries.
fn vouched(
    entries: &[IndexEntry],
    first: usize,
    dir_len: usize,
    node: &CacheTreeNode,
) -> Option<(Option<Oid>, usize)> {
    let (oid, count) = (node.oid?, node.entry_count);
    let dir = &entries[first].path[..dir_len];
    let end = first.checked_add(count)?;
    let inside = count > 0 && entries.get(end - 1)?.path.starts_with(dir);
    let past = entries.get(end).is_none_or(|e| !e.path.starts_with(dir));
    (inside && past).then_some((Some(oid), end))
}

/// Appends one entry (`MODE NAME\0ID`) to a tree object.
fn push_tree_entry(tree: &mut Vec<u8>, mode: u32, name: &[u8], oid: Oid) {
    match mode {
        0o100644 => tree.extend_from_slice(b"100644 "),
        0o100755 => tree.extend_from_slice(b"100755 "),
        0o40000 => tree.extend_from_slice(b"40000 "),
        _ => tree.extend_from_slice(format!("{mode:o} ").as_bytes()),
    }
    tree.extend_from_slice(name);
    tree.push(0);
    tree.extend_from_slice(oid.as_bytes());
}

/// The object id of a tree object with this content. Plain SHA-1 (the `sha1` crate, with the
/// processor's SHA instructions where it has them), not libgit2's collision-detecting one, which
/// took 10 M instructions to hash a fresh clone of cargo's index: the ids are only compared with
/// HEAD's own trees, and an engineered collision would need the attacker to control both the
/// committed tree and the user's index.
fn tree_object_id(content: &[u8]) -> Option<Oid> {
    use sha1::{Digest, Sha1};
    let mut hasher = Sha1::new();
    hasher.update(format!("tree {}\0", content.len()).as_bytes());
    hasher.update(content);
    Oid::from_bytes(hasher.finalize().as_slice()).ok()
}

/// The blobs of a directory that is gone from the index.
fn deleted_tree(repo: &Repository, oid: Oid, deleted: &mut Vec<Oid>) -> Result<(), GitError> {
    repo.find_tree(oid)?
        .walk(git2::TreeWalkMode::PreOrder, |_, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                deleted.push(entry.id());
            }
            git2::TreeWalkResult::Ok
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The fast path must find exactly what libgit2's full diff finds. Each test builds a real
    //! repository with the git command, stages a change, and compares the two.

    use std::collections::BTreeMap;
    use std::process::Command;

    use super::*;
    use crate::source::SkipReason;

    struct Repo {
        dir: tempfile::TempDir,
    }

    impl Repo {
        fn new() -> Repo {
            let repo = Repo {
                dir: tempfile::tempdir().unwrap(),
            };
            repo.git(&["init", "-q", "-b", "main"]);
            repo
        }

        fn git(&self, args: &[&str]) {
            let status = Command::new("git")
                .args([
                    "-c",
                    "user.name=Test",
                    "-c",
                    "user.email=test@example.invalid",
                ])
                .args(["-c", "core.autocrlf=false", "-c", "commit.gpgsign=false"])
                .args(args)
                .current_dir(self.dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", self.dir.path())
                .env_remove("GIT_INDEX_FILE")
                .status()
                .unwrap();
            assert!(status.success(), "git {args:?}");
        }

        fn write(&self, path: &str, content: impl AsRef<[u8]>) {
            let path = self.dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }

        fn remove(&self, path: &str) {
            let path = self.dir.path().join(path);
            if path.is_dir() {
                std::fs::remove_dir_all(path).unwrap();
            } else {
                std::fs::remove_file(path).unwrap();
            }
        }

        fn commit_all(&self) {
            self.git(&["add", "-A"]);
            self.git(&["commit", "-q", "-m", "commit"]);
        }
    }

    fn lines(n: usize, tag: &str) -> String {
        (1..=n).map(|i| format!("{tag} line {i}\n")).collect()
    }

    type Found = (
        Vec<(String, Oid, Vec<Option<Oid>>)>,
        BTreeMap<SkipReason, u64>,
    );

    fn options(excludes: &[&str]) -> GitOptions {
        GitOptions {
            max_file_size: 4096,
            excludes: excludes.iter().map(|e| e.to_string()).collect(),
        }
    }

    /// What is found staged in `repo`, and what was counted as skipped; with `fast` false,
    /// libgit2 reads the whole index and diffs it against the whole HEAD tree.
    fn staged_with(repo: &Repo, fast: bool) -> Found {
        let mut work_tree = None;
        let mut staged = read(repo.dir.path(), |w| work_tree = w.map(Path::to_path_buf)).unwrap();
        // Told as soon as the repository is open: where the settings look for .credlint.toml.
        let expected = repo.dir.path().canonicalize().unwrap();
        assert_eq!(work_tree.map(|w| w.canonicalize().unwrap()), Some(expected));
        if !fast {
            staged.fast = None;
        }
        let stats = ScanStats::default();
        let changes = staged.changes(&options(&["excluded/"]), &stats).unwrap();
        let mut found: Vec<_> = changes
            .into_iter()
            .map(|c| (c.path, c.new, c.replaces))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        (found, stats.skipped_counts())
    }

    /// Whether the fast path handled the change itself (rather than handing it to libgit2).
    fn fast_path_taken(repo: &Repo) -> bool {
        let staged = read(repo.dir.path(), |_| {}).unwrap();
        let filter = PathFilter::new(&[]).unwrap();
        let stats = ScanStats::default();
        staged
            .fast
            .as_ref()
            .is_some_and(|(changes, index)| changes.changes(index, 4096, &filter, &stats).is_some())
    }

    /// Both readers agree, and the result is returned for further checks.
    fn agree(repo: &Repo) -> Found {
        let fast = staged_with(repo, true);
        let full = staged_with(repo, false);
        assert_eq!(fast, full);
        fast
    }

    /// A committed project with nested directories, a binary, a symlink and an executable.
    fn project() -> Repo {
        let repo = Repo::new();
        repo.write("README.md", lines(20, "readme"));
        repo.write("src/lib.rs", lines(40, "lib"));
        repo.write("src/deep/er/still.rs", lines(30, "deep"));
        repo.write("src/deep/other.rs", lines(5, "other"));
        repo.write("docs/guide.md", lines(12, "guide"));
        repo.write("assets/logo.bin", b"\x89PNG\0\0\x01\x02binary");
        repo.write("tools/run.sh", lines(3, "run"));
        repo.write("excluded/notes.txt", lines(3, "notes"));
        #[cfg(unix)]
        std::os::unix::fs::symlink("src/lib.rs", repo.dir.path().join("link")).unwrap();
        repo.commit_all();
        repo
    }

    #[test]
    fn edits_additions_modes_and_skips_match_libgit2() {
        let repo = project();
        let mut deep = lines(30, "deep");
        deep.insert_str(
            deep.find("deep line 10").unwrap(),
            "inserted one\ninserted two\n",
        );
        repo.write("src/deep/er/still.rs", &deep);
        repo.write("src/new/module.rs", lines(7, "new"));
        repo.write("top.txt", lines(2, "top"));
        repo.write("assets/logo.bin", b"\x89PNG\0\0\x01\x03binary changed");
        repo.write("big.txt", lines(400, "big"));
        repo.write("excluded/notes.txt", lines(5, "notes"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let run = repo.dir.path().join("tools/run.sh");
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
            repo.remove("link");
            std::os::unix::fs::symlink("README.md", repo.dir.path().join("link")).unwrap();
        }
        repo.git(&["add", "-A"]);
        // A submodule: a commit of another repository, nothing to scan here.
        let commit = Repository::open(repo.dir.path())
            .unwrap()
            .head()
            .unwrap()
            .target()
            .unwrap();
        let gitlink = format!("160000,{commit},vendor/sub");
        repo.git(&["update-index", "--add", "--cacheinfo", &gitlink]);
        // Unstaged work on top: the index, not the work tree, is what counts.
        repo.write("src/lib.rs", lines(50, "lib"));
        repo.write("later.txt", "not staged\n");
        repo.write("intent.txt", lines(3, "intent"));
        repo.git(&["add", "-N", "intent.txt"]);

        assert!(fast_path_taken(&repo));
        let (found, skipped) = agree(&repo);
        let paths: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        // The binary is read too: whether it is text is admission's decision.
        assert_eq!(
            paths,
            [
                "assets/logo.bin",
                "src/deep/er/still.rs",
                "src/new/module.rs",
                "top.txt"
            ]
        );
        let head = Repository::open(repo.dir.path()).unwrap();
        let head = head.head().unwrap().peel_to_tree().unwrap();
        let in_head = |path: &str| head.get_path(Path::new(path)).unwrap().id();
        assert_eq!(found[1].2, vec![Some(in_head("src/deep/er/still.rs"))]);
        assert_eq!(found[2].2, vec![None], "a new file replaces nothing");
        assert_eq!(skipped[&SkipReason::TooLarge], 1);
        #[cfg(unix)]
        assert_eq!(skipped[&SkipReason::Symlink], 1);
    }

    #[test]
    fn a_moved_file_adds_nothing_and_an_index_v4_reads_the_same() {
        let repo = project();
        repo.git(&["mv", "docs/guide.md", "guide.md"]);
        repo.git(&["mv", "src/deep", "src/shallow"]);
        repo.write("README.md", lines(21, "readme"));
        repo.git(&["add", "README.md"]);
        assert!(fast_path_taken(&repo));
        let (found, _) = agree(&repo);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "README.md");

        repo.git(&["update-index", "--index-version", "4"]);
        assert!(fast_path_taken(&repo));
        assert_eq!(agree(&repo).0, found);
    }

    #[test]
    fn a_possible_rename_with_edits_is_left_to_libgit2() {
        let repo = project();
        let mut moved = lines(40, "lib");
        moved.push_str("one more line\n");
        repo.remove("src/lib.rs");
        repo.write("src/core.rs", &moved);
        repo.git(&["add", "-A"]);
        let old = Repository::open(repo.dir.path())
            .unwrap()
            .revparse_single("HEAD:src/lib.rs")
            .unwrap()
            .id();
        assert!(!fast_path_taken(&repo));
        let (found, _) = agree(&repo);
        assert_eq!(
            found,
            vec![("src/core.rs".to_string(), found[0].1, vec![Some(old)])],
            "measured against the rename's source"
        );
    }

    #[test]
    fn files_and_directories_swapping_places_match_libgit2() {
        let repo = project();
        repo.remove("tools");
        repo.write("tools", lines(2, "now a file"));
        repo.remove("README.md");
        repo.write("README.md/index.md", lines(2, "now a directory"));
        repo.git(&["add", "-A"]);
        agree(&repo);
    }

    /// The first `git add` in a fresh clone invalidates the whole cache-tree: every directory
    /// is hashed from its entries, and only the changed ones are read from HEAD.
    #[test]
    fn a_fresh_clone_without_a_valid_cache_tree_matches_libgit2() {
        let origin = project();
        origin.write("src/deep/er/sibling.rs", lines(4, "sibling"));
        origin.write("src/deep/zz/last.rs", lines(4, "last"));
        origin.write("src/a-b/dash.rs", lines(4, "dash"));
        origin.commit_all();
        let clone = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        let source = origin.dir.path().to_str().unwrap();
        clone.git(&["clone", "-q", source, "."]);
        let mut deep = lines(30, "deep");
        deep.push_str("one more line\n");
        clone.write("src/deep/er/still.rs", &deep);
        clone.write("src/deep/zz/new.rs", lines(2, "new"));
        clone.write("docs/extra.md", lines(2, "extra"));
        clone.git(&["add", "-A"]);

        let index = index_file::read(&clone.dir.path().join(".git/index")).unwrap();
        let root = index.cache_tree.as_ref().expect("git writes a cache-tree");
        assert_eq!(
            root.oid, None,
            "the root must be hashed, not taken from the cache"
        );
        assert!(fast_path_taken(&clone));
        let staged = read(clone.dir.path(), |_| {}).unwrap();
        let (changes, _) = staged.fast.as_ref().unwrap();
        // The root, docs, src, src/deep and its two changed directories; not src/a-b, assets,
        // tools, excluded or src/deep's unchanged files' directory.
        assert_eq!(changes.trees_read, 6);
        let paths: Vec<String> = agree(&clone).0.into_iter().map(|f| f.0).collect();
        assert_eq!(
            paths,
            [
                "docs/extra.md",
                "src/deep/er/still.rs",
                "src/deep/zz/new.rs"
            ]
        );
    }

    #[test]
    fn before_the_first_commit_everything_staged_is_added() {
        let repo = Repo::new();
        repo.write("a.txt", lines(3, "a"));
        repo.write("dir/b.txt", lines(4, "b"));
        repo.git(&["add", "-A"]);
        assert!(fast_path_taken(&repo));
        assert_eq!(agree(&repo).0.len(), 2);
    }

    #[test]
    fn nothing_staged_finds_nothing_and_reads_no_tree_below_the_root() {
        let repo = project();
        repo.write("src/lib.rs", lines(45, "lib")); // changed, but not staged
        assert!(fast_path_taken(&repo));
        let staged = read(repo.dir.path(), |_| {}).unwrap();
        assert_eq!(staged.fast.as_ref().unwrap().0.trees_read, 0);
        assert!(agree(&repo).0.is_empty());
    }

    #[test]
    fn a_split_index_is_refused_with_the_command_that_merges_it() {
        let repo = project();
        repo.write("src/lib.rs", lines(45, "lib"));
        repo.git(&["add", "-A"]);
        repo.git(&["update-index", "--split-index"]);
        assert!(!fast_path_taken(&repo));
        let error = read(repo.dir.path(), |_| {})
            .unwrap()
            .changes(&options(&[]), &ScanStats::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("git update-index --no-split-index"),
            "{error}"
        );
    }
}
