//! Git's index file (`.git/index`), read directly for `credlint staged`.
//!
//! libgit2 reads the whole index and checks its checksum, then walks every tree of HEAD to diff
//! against it: in a repository of a few thousand files that is most of a pre-commit run. Git
//! keeps a cache-tree extension in the index: for every directory whose staged content has not
//! changed since it was last written as a tree, that tree's id. A directory whose recorded id
//! equals HEAD's tree there has nothing staged in it, so [`super::staged`] reads only the trees
//! of directories that changed.
//!
//! This reader understands index versions 2 to 4 and that extension. What it does not
//! understand (a split or sparse index, unmerged entries, SHA-256 object names, a damaged file)
//! makes [`read`] return `None`, and the caller uses libgit2 instead, which either handles the
//! case or explains what is wrong. The checksum is not verified: git wrote the file, and a
//! damaged one is caught by the structure checks or by libgit2 on the fallback path.
//!
//! The format is documented in git's `Documentation/gitformat-index.txt`.

use std::path::Path;

use git2::Oid;

/// The length of a SHA-1 object name, the only kind read here.
const OID_LEN: usize = 20;

/// One staged file.
#[derive(Debug)]
pub struct IndexEntry {
    /// The path from the repository root, with `/` separators.
    pub path: Vec<u8>,
    pub oid: Oid,
    /// The git file mode (0o100644, 0o100755, 0o120000 symlink, 0o160000 submodule).
    pub mode: u32,
    /// The file's size when it was staged (what libgit2 reports as the new file's size).
    pub size: u32,
    /// The second flags word of an extended entry (version 3 and later), else 0.
    pub extended_flags: u16,
}

impl IndexEntry {
    /// `git add -N`: the path is known, but nothing of it is staged (its object name is the
    /// empty blob's, which the object database need not hold).
    pub fn intent_to_add(&self) -> bool {
        self.extended_flags & 0x2000 != 0
    }
}

/// A directory in the cache-tree extension.
#[derive(Debug)]
pub struct CacheTreeNode {
    /// The directory's name within its parent (empty for the root).
    pub name: Vec<u8>,
    /// The tree id, when the directory is still valid (nothing in it staged since the tree
    /// was last written).
    pub oid: Option<Oid>,
    /// How many index entries the directory holds, all its subdirectories' included (0 when
    /// it is not valid).
    pub entry_count: usize,
    /// Sorted by name.
    pub children: Vec<CacheTreeNode>,
}

impl CacheTreeNode {
    pub fn child(&self, name: &[u8]) -> Option<&CacheTreeNode> {
        let at = self
            .children
            .binary_search_by(|c| c.name.as_slice().cmp(name))
            .ok()?;
        Some(&self.children[at])
    }
}

#[derive(Debug)]
pub struct Index {
    /// Sorted by path, as git keeps them.
    pub entries: Vec<IndexEntry>,
    /// The root of the cache tree, when the index has one.
    pub cache_tree: Option<CacheTreeNode>,
}

/// Reads the index at `path`; `None` when this reader cannot vouch for the result.
pub fn read(path: &Path) -> Option<Index> {
    #[cfg(unix)]
    if let Some(mapped) = Mapped::open(path) {
        return parse(mapped.bytes());
    }
    parse(&std::fs::read(path).ok()?)
}

/// A file mapped read-only into memory. Reading cargo's 420 KB index into a fresh buffer was a
/// quarter of `credlint staged`'s second thread: the copy, and a page fault (zeroing, memory
/// accounting) for each of the buffer's hundred pages; the mapping shares the pages the file
/// already has in the page cache. Git and libgit2 replace the index by renaming a new file over
/// it, never by rewriting it in place, so the mapped bytes stay as they were while they are read.
#[cfg(unix)]
struct Mapped {
    start: *mut libc::c_void,
    len: usize,
}

#[cfg(unix)]
impl Mapped {
    /// `None` for an empty file (which is no index) or when anything fails (the caller reads
    /// the file instead, and reports what is wrong with it).
    fn open(path: &Path) -> Option<Mapped> {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(path).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        if len == 0 {
            return None;
        }
        // SAFETY: a new private read-only mapping of an open file descriptor, checked for
        // failure; the descriptor may close afterwards (the mapping keeps the file).
        let start = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        (start != libc::MAP_FAILED).then_some(Mapped { start, len })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `start` maps `len` readable bytes until `drop` unmaps them.
        unsafe { std::slice::from_raw_parts(self.start.cast::<u8>(), self.len) }
    }
}

#[cfg(unix)]
impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `open`, unmapped once.
        unsafe { libc::munmap(self.start, self.len) };
    }
}

/// A cursor over the file's bytes; every read fails softly on truncation.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let taken = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(taken)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    /// Bytes up to the next NUL, which is consumed.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let len = memchr::memchr(0, rest)?;
        self.at += len + 1;
        Some(&rest[..len])
    }

    /// Git's offset varint (index v4 path compression): each continuation adds one before
    /// shifting, so every value has exactly one encoding.
    fn varint(&mut self) -> Option<usize> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value
                .checked_add(1)?
                .checked_mul(128)?
                .checked_add(usize::from(byte & 0x7f))?;
        }
        Some(value)
    }
}

const FLAG_EXTENDED: u16 = 0x4000;
const FLAG_STAGE: u16 = 0x3000;
/// Fixed fields before the object name: ctime, mtime, dev, ino, mode, uid, gid, size.
const STAT_LEN: usize = 40;

fn parse(bytes: &[u8]) -> Option<Index> {
    // The trailer is the checksum of everything before it.
    let body = bytes.get(..bytes.len().checked_sub(OID_LEN)?)?;
    let mut reader = Reader { bytes: body, at: 0 };
    if reader.take(4)? != b"DIRC" {
        return None;
    }
    let version = reader.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = reader.u32()? as usize;
    // Every entry takes at least 62 bytes: a count beyond that is a damaged file, not a reason
    // to reserve gigabytes.
    let mut entries = Vec::with_capacity(count.min(body.len() / 62));
    let mut path: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = reader.at;
        let stat = reader.take(STAT_LEN)?;
        let mode = u32::from_be_bytes(stat[24..28].try_into().ok()?);
        let size = u32::from_be_bytes(stat[36..40].try_into().ok()?);
        let oid = Oid::from_bytes(reader.take(OID_LEN)?).ok()?;
        let flags = reader.u16()?;
        if flags & FLAG_STAGE != 0 {
            return None; // an unmerged path: libgit2 explains what to do
        }
        let extended = if flags & FLAG_EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            reader.u16()?
        } else {
            0
        };
        if version == 4 {
            let strip = reader.varint()?;
            path.truncate(path.len().checked_sub(strip)?);
            path.extend_from_slice(reader.until_nul()?);
        } else {
            path.clear();
            path.extend_from_slice(reader.until_nul()?);
            // Entries are padded with NULs to a multiple of eight bytes (one NUL at least,
            // already consumed).
            let len = reader.at - start;
            reader.take((8 - len % 8) % 8)?;
        }
        entries.push(IndexEntry {
            path: path.clone(),
            oid,
            mode,
            size,
            extended_flags: extended,
        });
    }
    if !entries.windows(2).all(|w| w[0].path < w[1].path) {
        return None;
    }
    let mut cache_tree = None;
    while reader.at < body.len() {
        let signature = reader.take(4)?;
        let size = reader.u32()? as usize;
        let data = reader.take(size)?;
        match signature {
            b"TREE" => {
                let mut tree = Reader { bytes: data, at: 0 };
                cache_tree = Some(parse_cache_tree(&mut tree, 0)?);
            }
            // An upper-case first letter marks an extension a reader may ignore; any other
            // (a split index's `link`, a sparse index's `sdir`) changes what the entries mean.
            [first, ..] if first.is_ascii_uppercase() => {}
            _ => return None,
        }
    }
    Some(Index {
        entries,
        cache_tree,
    })
}

/// One cache-tree node and its subtree, in the extension's pre-order.
fn parse_cache_tree(reader: &mut Reader, depth: usize) -> Option<CacheTreeNode> {
    // Deeper than any path git accepts: a damaged file, not a repository.
    if depth > 4096 {
        return None;
    }
    let name = reader.until_nul()?.to_vec();
    let counts = {
        let rest = reader.bytes.get(reader.at..)?;
        let len = memchr::memchr(b'\n', rest)?;
        reader.at += len + 1;
        std::str::from_utf8(&rest[..len]).ok()?
    };
    let (entry_count, subtrees) = counts.split_once(' ')?;
    let entry_count: i64 = entry_count.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    let oid = if entry_count >= 0 {
        Some(Oid::from_bytes(reader.take(OID_LEN)?).ok()?)
    } else {
        None
    };
    let mut children = Vec::with_capacity(subtrees.min(reader.bytes.len()));
    for _ in 0..subtrees {
        children.push(parse_cache_tree(reader, depth + 1)?);
    }
    // Git writes them sorted by length, then name; a lookup by name wants them by name.
    children.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    Some(CacheTreeNode {
        name,
        oid,
        entry_count: usize::try_from(entry_count).unwrap_or(0),
        children,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_follows_gits_offset_encoding() {
        let decode = |bytes: &[u8]| Reader { bytes, at: 0 }.varint();
        assert_eq!(decode(&[0x05]), Some(5));
        assert_eq!(decode(&[0x7f]), Some(127));
        // 128 is encoded as 0x80 0x00 in this scheme, not 0x81 0x00.
        assert_eq!(decode(&[0x80, 0x00]), Some(128));
        assert_eq!(decode(&[0x80]), None);
    }

    #[test]
    fn damaged_files_are_refused_not_misread() {
        assert!(parse(b"").is_none());
        assert!(parse(&[0u8; 64]).is_none());
        let mut header = b"DIRC\0\0\0\x02\xff\xff\xff\xff".to_vec();
        header.extend_from_slice(&[0u8; OID_LEN]);
        assert!(parse(&header).is_none(), "4 billion entries in 32 bytes");
    }
}
