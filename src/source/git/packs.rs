//! Pack files read directly: the order in which to read a set of objects, and their bytes.
//!
//! **Order.** Git writes a delta's base before the delta, and neighbours in a pack are usually
//! versions of the same file. Read in pack order, the base of the next object was read a moment
//! ago and is still cached; read in hash order, nearly every object re-inflates its whole chain,
//! which makes a history scan ten times slower.
//!
//! **Reading.** A history scan reads tens of thousands of blobs, nearly all of them deltas. Read
//! through libgit2, 30% of its CPU time went to stock zlib and 7% to the locks libgit2 takes
//! around the pack windows and delta-base cache its handles share. Here each thread reads the pack through
//! its own window (a buffer refilled with `pread`, so a pack replaced or deleted under us is
//! still the file we opened), inflates with zlib-rs, and keeps its own cache of recently built
//! objects, so threads share nothing but the index. Anything out of the ordinary (a loose
//! object, an alternate, a base in another pack's reach we cannot resolve, an object larger than
//! the size limit somewhere in its chain, a damaged entry) is `None`, and the caller reads it
//! through libgit2, which reports what is wrong.
//!
//! The offsets come from the pack index files (`objects/pack/*.idx`, version 2): a 256-entry
//! fan-out table, the sorted object names, their CRCs, their 31-bit offsets, and a table of
//! 64-bit offsets for packs over 2 GiB. An index that cannot be parsed only costs speed: its
//! objects are read in name order after the others, through libgit2.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use flate2::{Decompress, FlushDecompress, Status};
use git2::Oid;

const IDX_MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HASH_LEN: usize = 20;

/// Where an object is stored: pack number and offset of its entry in that pack.
pub type Location = (u32, u64);

/// The repository's packs with a readable version-2 index, in file name order.
pub struct Packs {
    packs: Vec<Pack>,
}

struct Pack {
    index: PackIndex,
    file: File,
}

impl Packs {
    /// Opens every pack under `objects_dir/pack` whose index parses and whose pack file opens.
    pub fn open(objects_dir: &Path) -> Packs {
        let packs = index_files(objects_dir)
            .into_iter()
            .filter_map(|idx_path| {
                let index = PackIndex::parse(std::fs::read(&idx_path).ok()?)?;
                let file = File::open(idx_path.with_extension("pack")).ok()?;
                Some(Pack { index, file })
            })
            .collect();
        Packs { packs }
    }

    /// Where the object is, if it is in one of the packs.
    pub fn locate(&self, oid: &[u8]) -> Option<Location> {
        self.packs.iter().enumerate().find_map(|(number, pack)| {
            pack.index
                .offset_of(oid)
                .map(|offset| (number as u32, offset))
        })
    }

    /// A sort key per object, in the order of `oids`: its location for packed objects; loose
    /// objects (and those in packs that could not be read) sort last, in the given order.
    pub fn sort_keys(&self, oids: &[Oid]) -> Vec<Location> {
        oids.iter()
            .enumerate()
            .map(|(i, oid)| self.locate(oid.as_bytes()).unwrap_or((u32::MAX, i as u64)))
            .collect()
    }
}

fn index_files(objects_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(objects_dir.join("pack")) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
        .collect();
    files.sort();
    files
}

/// A parsed version-2 pack index: the file's bytes and where its tables start.
struct PackIndex {
    bytes: Vec<u8>,
    count: usize,
    names_start: usize,
    offsets_start: usize,
    large_start: usize,
    large_end: usize,
}

impl PackIndex {
    fn parse(bytes: Vec<u8>) -> Option<PackIndex> {
        if bytes.len() < 8 + 256 * 4 || bytes[..4] != IDX_MAGIC || be32(&bytes[4..8]) != 2 {
            return None;
        }
        let count = be32(&bytes[8 + 255 * 4..]) as usize;
        let names_start: usize = 8 + 256 * 4;
        let crcs_start = names_start.checked_add(count.checked_mul(HASH_LEN)?)?;
        let offsets_start = crcs_start.checked_add(count * 4)?;
        let large_start = offsets_start.checked_add(count * 4)?;
        // The trailer holds two hashes (pack and index checksums).
        let large_end = bytes.len().checked_sub(2 * HASH_LEN)?;
        if large_start > large_end {
            return None;
        }
        Some(PackIndex {
            bytes,
            count,
            names_start,
            offsets_start,
            large_start,
            large_end,
        })
    }

    fn fanout(&self) -> &[u8] {
        &self.bytes[8..8 + 256 * 4]
    }

    fn names(&self) -> &[u8] {
        &self.bytes[self.names_start..self.names_start + self.count * HASH_LEN]
    }

    fn offset_of(&self, name: &[u8]) -> Option<u64> {
        let first = name[0] as usize;
        let low = if first == 0 {
            0
        } else {
            be32(&self.fanout()[(first - 1) * 4..]) as usize
        };
        let high = (be32(&self.fanout()[first * 4..]) as usize).min(self.count);
        let (mut low, mut high) = (low.min(high), high);
        while low < high {
            let mid = (low + high) / 2;
            let candidate = &self.names()[mid * HASH_LEN..(mid + 1) * HASH_LEN];
            match candidate.cmp(name) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return self.offset_at(mid),
            }
        }
        None
    }

    fn offset_at(&self, position: usize) -> Option<u64> {
        let small = be32(&self.bytes[self.offsets_start + position * 4..]);
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let large = self.large_start + (small & 0x7fff_ffff) as usize * 8;
        let bytes = self.bytes[..self.large_end].get(large..large + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }
}

/// Pack entry types (the three bits after the first byte's continuation bit).
const OBJ_BLOB: u8 = 3;
const OBJ_OFS_DELTA: u8 = 6;
const OBJ_REF_DELTA: u8 = 7;

/// How much one read of the pack fetches: objects read in pack order are neighbours, so while
/// reads go forward each fetches twice as much as the last, up to a mebibyte, and one read
/// serves many objects; a read elsewhere (trees, in the order commits name them) starts again
/// small, as copying a mebibyte to use a few hundred bytes made the tree walk twice as slow.
const WINDOW_MIN: usize = 16 << 10;
const WINDOW_MAX: usize = 1 << 20;
/// The bytes of recently built objects each thread keeps for the deltas that follow them
/// (libgit2 keeps 16 MiB per pack too).
const CACHE_BYTES: usize = 16 << 20;
/// Git's delta chains are at most 4095 long (`--depth`); a longer one is a damaged pack.
const MAX_CHAIN: usize = 4096;
/// The most an object's buffer reserves before its bytes arrive; past it, it doubles.
const UP_FRONT: usize = 64 << 20;

/// The kinds of object other than blobs, as pack entries number them.
#[derive(Clone, Copy)]
pub enum ObjectKind {
    Commit = 1,
    Tree = 2,
    Tag = 4,
}

/// What reading a packed object gave.
pub enum PackedBlob {
    Bytes(Rc<Vec<u8>>),
    /// Larger than the size limit: not built.
    TooLarge,
}

/// One thread's reader of the packs: its window on the pack last read, its inflater and its
/// cache of built objects.
pub struct PackReader<'p> {
    packs: &'p Packs,
    inflater: Decompress,
    window: Window,
    cache: ObjectCache,
}

/// A pack entry's header.
struct Entry {
    kind: u8,
    /// The inflated size: of the object, or of the delta for a delta.
    size: u64,
    /// Where the zlib stream starts.
    data: u64,
    base: Option<DeltaBase>,
}

enum DeltaBase {
    Offset(u64),
    Name([u8; HASH_LEN]),
}

impl<'p> PackReader<'p> {
    pub fn new(packs: &'p Packs) -> PackReader<'p> {
        PackReader {
            packs,
            inflater: Decompress::new(true),
            window: Window::default(),
            cache: ObjectCache::default(),
        }
    }

    /// The blob at `location`, built from its delta chain; `None` when it is anything but a
    /// well-formed blob this reader can build within `max_size` (the caller asks libgit2).
    pub fn read_blob(&mut self, location: Location, max_size: u64) -> Option<PackedBlob> {
        self.read_object(location, OBJ_BLOB, max_size)
    }

    /// The commit, tree or tag named `oid`, if it is packed, as [`PackReader::read_blob`]
    /// reads a blob.
    pub fn read_named(&mut self, oid: Oid, kind: ObjectKind) -> Option<Rc<Vec<u8>>> {
        let location = self.packs.locate(oid.as_bytes())?;
        self.read(location, kind)
    }

    /// The commit, tree or tag at `location`, as [`PackReader::read_blob`] reads a blob.
    pub fn read(&mut self, location: Location, kind: ObjectKind) -> Option<Rc<Vec<u8>>> {
        match self.read_object(location, kind as u8, u64::MAX)? {
            PackedBlob::Bytes(bytes) => Some(bytes),
            PackedBlob::TooLarge => None,
        }
    }

    fn read_object(&mut self, location: Location, want: u8, max_size: u64) -> Option<PackedBlob> {
        // Follow the chain down to an object that is cached or stored whole.
        let mut chain: Vec<(Location, Entry)> = Vec::new();
        let mut at = location;
        let (kind, mut object) = loop {
            if let Some(found) = self.cache.get(at) {
                break found;
            }
            let entry = self.entry(at)?;
            match entry.base {
                None => {
                    if !(1..=4).contains(&entry.kind) {
                        return None;
                    }
                    if entry.size > max_size {
                        let wanted = chain.is_empty() && entry.kind == want;
                        return wanted.then_some(PackedBlob::TooLarge);
                    }
                    let bytes = Rc::new(self.inflate(at, &entry)?);
                    self.cache.insert(at, entry.kind, &bytes);
                    break (entry.kind, bytes);
                }
                Some(ref base) => {
                    if chain.is_empty()
                        && max_size < u64::MAX
                        && self.delta_target_size(at, &entry)? > max_size
                    {
                        return Some(PackedBlob::TooLarge);
                    }
                    // A delta is about as large as what it adds: one above the limit (where
                    // the blob is not) is left to libgit2, as is a base above the limit.
                    if entry.size > max_size || chain.len() == MAX_CHAIN {
                        return None;
                    }
                    let next = match *base {
                        DeltaBase::Offset(offset) => (at.0, offset),
                        DeltaBase::Name(name) => self.packs.locate(&name)?,
                    };
                    chain.push((at, entry));
                    at = next;
                }
            }
        };
        if kind != want {
            return None;
        }
        while let Some((at, entry)) = chain.pop() {
            let delta = self.inflate(at, &entry)?;
            let target = match apply_delta(&object, &delta, max_size) {
                Ok(target) => target,
                Err(DeltaError::TooLarge) if chain.is_empty() => return Some(PackedBlob::TooLarge),
                Err(_) => return None,
            };
            object = Rc::new(target);
            self.cache.insert(at, kind, &object);
        }
        Some(PackedBlob::Bytes(object))
    }

    fn entry(&mut self, (pack, offset): Location) -> Option<Entry> {
        // The longest header: ten size bytes and a base name.
        let bytes = self.window.at(&self.packs.packs, pack, offset, 32)?;
        let mut byte = *bytes.first()?;
        let kind = (byte >> 4) & 7;
        let mut size = u64::from(byte & 0x0f);
        let mut shift = 4;
        let mut used = 1;
        while byte & 0x80 != 0 {
            byte = *bytes.get(used)?;
            used += 1;
            if shift > 57 {
                return None;
            }
            size |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        let base = match kind {
            OBJ_OFS_DELTA => {
                // Big-endian base-128 where each continuation also adds one, so that every
                // distance has exactly one encoding.
                byte = *bytes.get(used)?;
                used += 1;
                let mut distance = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    byte = *bytes.get(used)?;
                    used += 1;
                    distance = distance.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
                }
                Some(DeltaBase::Offset(
                    offset.checked_sub(distance).filter(|_| distance > 0)?,
                ))
            }
            OBJ_REF_DELTA => {
                let name = bytes.get(used..used + HASH_LEN)?.try_into().ok()?;
                used += HASH_LEN;
                Some(DeltaBase::Name(name))
            }
            _ => None,
        };
        Some(Entry {
            kind,
            size,
            data: offset + used as u64,
            base,
        })
    }

    /// The size of what a delta builds, from the start of its data.
    fn delta_target_size(&mut self, (pack, _): Location, entry: &Entry) -> Option<u64> {
        // Two sizes of at most ten bytes each.
        let mut head = Vec::with_capacity(20);
        self.inflater.reset(true);
        let mut at = entry.data;
        while head.len() < head.capacity() {
            let input = self.window.at(&self.packs.packs, pack, at, 1)?;
            let read = self.inflater.total_in();
            let status = self
                .inflater
                .decompress_vec(input, &mut head, FlushDecompress::None)
                .ok()?;
            at += self.inflater.total_in() - read;
            if status == Status::StreamEnd || self.inflater.total_in() == read {
                break;
            }
        }
        let (_, rest) = delta_size(&head)?;
        Some(delta_size(rest)?.0)
    }

    /// The entry's data, inflated: exactly `entry.size` bytes and the end of its zlib stream.
    fn inflate(&mut self, (pack, _): Location, entry: &Entry) -> Option<Vec<u8>> {
        let size = usize::try_from(entry.size).ok()?;
        // The size comes from the entry's header, which no checksum covers: a damaged one can
        // claim gigabytes. Start at most at UP_FRONT and grow as the stream really fills it.
        let mut out = Vec::with_capacity(size.min(UP_FRONT));
        self.inflater.reset(true);
        let mut at = entry.data;
        loop {
            reserve_toward(&mut out, 1, size);
            let input = self.window.at(&self.packs.packs, pack, at, 1)?;
            let (read, written) = (self.inflater.total_in(), self.inflater.total_out());
            let status = self
                .inflater
                .decompress_vec(input, &mut out, FlushDecompress::None)
                .ok()?;
            at += self.inflater.total_in() - read;
            if status == Status::StreamEnd {
                break;
            }
            // Output full with the stream going on, or input that makes nothing: damaged.
            if self.inflater.total_in() == read && self.inflater.total_out() == written {
                return None;
            }
        }
        (out.len() as u64 == entry.size).then_some(out)
    }
}

/// A buffer holding a stretch of one pack file.
#[derive(Default)]
struct Window {
    pack: u32,
    start: u64,
    bytes: Vec<u8>,
    /// How much the next read fetches.
    span: usize,
}

impl Window {
    /// The pack's bytes from `offset` on: at least `want` of them unless the file ends first,
    /// and none past its end (`None` when nothing is there or the file cannot be read).
    fn at(&mut self, packs: &[Pack], pack: u32, offset: u64, want: usize) -> Option<&[u8]> {
        let end = self.start + self.bytes.len() as u64;
        let held = self.pack == pack && offset >= self.start && offset + want as u64 <= end;
        if !held {
            let file = &packs.get(pack as usize)?.file;
            let forward =
                self.pack == pack && offset >= self.start && offset <= end + WINDOW_MIN as u64;
            self.span = match forward {
                true => (self.span * 2).clamp(WINDOW_MIN, WINDOW_MAX),
                false => WINDOW_MIN,
            };
            self.bytes.resize(want.max(self.span), 0);
            let mut filled = 0;
            while filled < self.bytes.len() {
                match file.read_at(&mut self.bytes[filled..], offset + filled as u64) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        self.bytes.clear();
                        return None;
                    }
                }
            }
            self.bytes.truncate(filled);
            self.pack = pack;
            self.start = offset;
        }
        let from = (offset - self.start) as usize;
        let bytes = &self.bytes[from..];
        (!bytes.is_empty()).then_some(bytes)
    }
}

/// Recently built objects by location, the oldest evicted first past [`CACHE_BYTES`].
#[derive(Default)]
struct ObjectCache {
    objects: HashMap<Location, (u8, Rc<Vec<u8>>)>,
    order: VecDeque<Location>,
    bytes: usize,
}

impl ObjectCache {
    fn get(&self, at: Location) -> Option<(u8, Rc<Vec<u8>>)> {
        self.objects.get(&at).cloned()
    }

    fn insert(&mut self, at: Location, kind: u8, object: &Rc<Vec<u8>>) {
        let size = object.len();
        if size > CACHE_BYTES / 4 || self.objects.contains_key(&at) {
            return;
        }
        while self.bytes + size > CACHE_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, evicted)) = self.objects.remove(&oldest) {
                self.bytes -= evicted.len();
            }
        }
        self.objects.insert(at, (kind, Rc::clone(object)));
        self.order.push_back(at);
        self.bytes += size;
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DeltaError {
    /// The result would be larger than the size limit.
    TooLarge,
    Damaged,
}

/// Builds an object from its base and a git delta: the base's size and the result's (each a
/// little-endian base-128 number), then instructions that copy a range of the base or insert
/// the bytes that follow them.
fn apply_delta(base: &[u8], delta: &[u8], max_size: u64) -> Result<Vec<u8>, DeltaError> {
    let (base_size, rest) = delta_size(delta).ok_or(DeltaError::Damaged)?;
    let (target_size, mut ops) = delta_size(rest).ok_or(DeltaError::Damaged)?;
    if base_size != base.len() as u64 {
        return Err(DeltaError::Damaged);
    }
    if target_size > max_size {
        return Err(DeltaError::TooLarge);
    }
    let target_size = usize::try_from(target_size).map_err(|_| DeltaError::Damaged)?;
    // As in `inflate`: what the header claims is reserved only up to UP_FRONT, the rest as the
    // copies and literals really arrive.
    let mut out = Vec::with_capacity(target_size.min(UP_FRONT));
    while let Some((&op, rest)) = ops.split_first() {
        ops = rest;
        let piece = if op & 0x80 != 0 {
            // Which of four offset bytes and three length bytes follow is in the low bits.
            let mut field = |bits: u8, count: usize| -> Option<usize> {
                let mut value = 0usize;
                for i in 0..count {
                    if bits & (1 << i) != 0 {
                        let (&byte, rest) = ops.split_first()?;
                        ops = rest;
                        value |= usize::from(byte) << (8 * i);
                    }
                }
                Some(value)
            };
            let offset = field(op & 0x0f, 4).ok_or(DeltaError::Damaged)?;
            let length = match field((op >> 4) & 0x07, 3).ok_or(DeltaError::Damaged)? {
                0 => 0x10000,
                length => length,
            };
            offset
                .checked_add(length)
                .and_then(|end| base.get(offset..end))
                .ok_or(DeltaError::Damaged)?
        } else if op != 0 {
            let (literal, rest) = ops
                .split_at_checked(usize::from(op))
                .ok_or(DeltaError::Damaged)?;
            ops = rest;
            literal
        } else {
            return Err(DeltaError::Damaged);
        };
        if out.len() + piece.len() > target_size {
            return Err(DeltaError::Damaged);
        }
        reserve_toward(&mut out, piece.len(), target_size);
        out.extend_from_slice(piece);
    }
    if out.len() != target_size {
        return Err(DeltaError::Damaged);
    }
    Ok(out)
}

/// Makes room for `need` more bytes in a buffer that is to end `size` bytes long, doubling it
/// (never past `size`): `inflate` and `apply_delta` start at most at [`UP_FRONT`] and grow this
/// way as the bytes really arrive.
fn reserve_toward(out: &mut Vec<u8>, need: usize, size: usize) {
    if out.capacity() - out.len() < need {
        out.reserve_exact(need.max(out.len()).min(size - out.len()));
    }
}

/// A delta header's size and the bytes after it.
fn delta_size(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a version-2 index for the given (name, offset) pairs.
    fn index_bytes(entries: &mut [([u8; 20], u64)]) -> Vec<u8> {
        entries.sort();
        let mut out = IDX_MAGIC.to_vec();
        out.extend_from_slice(&2u32.to_be_bytes());
        for byte in 0..256usize {
            let n = entries
                .iter()
                .filter(|(n, _)| (n[0] as usize) <= byte)
                .count();
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        for (name, _) in entries.iter() {
            out.extend_from_slice(name);
        }
        out.extend(std::iter::repeat_n(0u8, entries.len() * 4));
        let mut large = Vec::new();
        for (_, offset) in entries.iter() {
            if *offset >= 0x8000_0000 {
                let slot = (large.len() / 8) as u32 | 0x8000_0000;
                out.extend_from_slice(&slot.to_be_bytes());
                large.extend_from_slice(&offset.to_be_bytes());
            } else {
                out.extend_from_slice(&(*offset as u32).to_be_bytes());
            }
        }
        out.extend_from_slice(&large);
        out.extend(std::iter::repeat_n(0u8, 40));
        out
    }

    #[test]
    fn offsets_from_an_index_including_large_ones() {
        let name = |b: u8| {
            let mut n = [b; 20];
            n[19] = b.wrapping_mul(7);
            n
        };
        let mut entries = vec![
            (name(0x00), 12),
            (name(0x10), 5_000_000_000),
            (name(0x10 + 1), 99),
            (name(0xff), 0x7fff_ffff),
        ];
        let bytes = index_bytes(&mut entries);
        let index = PackIndex::parse(bytes.clone()).unwrap();
        assert_eq!(index.offset_of(&name(0x00)), Some(12));
        assert_eq!(index.offset_of(&name(0x10)), Some(5_000_000_000));
        assert_eq!(index.offset_of(&name(0x11)), Some(99));
        assert_eq!(index.offset_of(&name(0xff)), Some(0x7fff_ffff));
        assert_eq!(index.offset_of(&name(0x42)), None);
        assert!(PackIndex::parse(bytes[..100].to_vec()).is_none());
    }

    /// A repository made with the git command, isolated from the user's configuration.
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

        fn git(&self, args: &[&str]) -> String {
            let output = std::process::Command::new("git")
                .args([
                    "-c",
                    "user.name=Test",
                    "-c",
                    "user.email=test@example.invalid",
                ])
                .args(["-c", "commit.gpgsign=false"])
                .args(args)
                .current_dir(self.dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
                .unwrap();
            assert!(output.status.success(), "git {args:?}");
            String::from_utf8(output.stdout).unwrap()
        }

        /// Sixty commits that each edit a few files a little (so that packing makes long delta
        /// chains), add a large file once and a binary one.
        fn with_history() -> Repo {
            let repo = Repo::new();
            let mut config = String::new();
            let mut notes = String::new();
            for version in 0..60 {
                config.push_str(&format!("setting_{version} = \"value {version}\"\n"));
                notes = format!("line {version}\n{notes}");
                std::fs::write(repo.dir.path().join("config.toml"), &config).unwrap();
                std::fs::write(repo.dir.path().join("notes.md"), &notes).unwrap();
                if version == 30 {
                    let large: String = (0..20_000).map(|i| format!("row {i}\n")).collect();
                    std::fs::write(repo.dir.path().join("large.txt"), large).unwrap();
                    let binary: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
                    std::fs::write(repo.dir.path().join("data.bin"), binary).unwrap();
                }
                repo.git(&["add", "-A"]);
                repo.git(&["commit", "-q", "-m", &format!("version {version}")]);
            }
            repo
        }

        fn blob_ids(&self) -> Vec<Oid> {
            self.git(&["cat-file", "--batch-all-objects", "--batch-check"])
                .lines()
                .filter(|line| line.contains(" blob "))
                .map(|line| Oid::from_str(&line[..40]).unwrap())
                .collect()
        }

        fn objects_dir(&self) -> PathBuf {
            self.dir.path().join(".git/objects")
        }
    }

    /// Reads every object of the repository (blobs, trees, commits) in pack order through the
    /// packs and checks it against libgit2; returns how many were deltas.
    fn read_all_as_libgit2_does(repo: &Repo) -> usize {
        let packs = Packs::open(&repo.objects_dir());
        let objects: Vec<(Oid, String)> = repo
            .git(&["cat-file", "--batch-all-objects", "--batch-check"])
            .lines()
            .map(|line| {
                let mut fields = line.split(' ');
                let oid = Oid::from_str(fields.next().unwrap()).unwrap();
                (oid, fields.next().unwrap().to_string())
            })
            .collect();
        let oids: Vec<Oid> = objects.iter().map(|(oid, _)| *oid).collect();
        let keys = packs.sort_keys(&oids);
        let mut order: Vec<usize> = (0..oids.len()).collect();
        order.sort_by_key(|&i| keys[i]);
        let git = git2::Repository::open(repo.dir.path()).unwrap();
        let odb = git.odb().unwrap();
        let mut reader = PackReader::new(&packs);
        let mut deltas = 0;
        for i in order {
            let (oid, kind) = &objects[i];
            let location = keys[i];
            assert_ne!(location.0, u32::MAX, "every object is packed");
            if reader.entry(location).unwrap().base.is_some() {
                deltas += 1;
            }
            let bytes = match kind.as_str() {
                "blob" => match reader.read_blob(location, u64::MAX) {
                    Some(PackedBlob::Bytes(bytes)) => Some(bytes),
                    _ => None,
                },
                "tree" => reader.read(location, ObjectKind::Tree),
                "commit" => reader.read(location, ObjectKind::Commit),
                other => panic!("no {other} objects were made"),
            };
            let bytes = bytes.unwrap_or_else(|| panic!("{kind} {oid} not read from the pack"));
            assert_eq!(&bytes[..], odb.read(*oid).unwrap().data(), "{kind} {oid}");
            // Asked for as another kind, it is not there.
            let other = match kind.as_str() {
                "tree" => ObjectKind::Commit,
                _ => ObjectKind::Tree,
            };
            assert!(reader.read(location, other).is_none());
        }
        deltas
    }

    #[test]
    fn blobs_built_from_offset_deltas_are_the_blobs_libgit2_reads() {
        let repo = Repo::with_history();
        repo.git(&[
            "repack",
            "-q",
            "-a",
            "-d",
            "-f",
            "--depth=50",
            "--window=50",
        ]);
        assert!(read_all_as_libgit2_does(&repo) > 50);
    }

    #[test]
    fn blobs_built_from_deltas_on_named_bases_are_the_blobs_libgit2_reads() {
        let repo = Repo::with_history();
        repo.git(&[
            "-c",
            "repack.useDeltaBaseOffset=false",
            "repack",
            "-q",
            "-a",
            "-d",
            "-f",
        ]);
        let packs = Packs::open(&repo.objects_dir());
        let named = repo
            .blob_ids()
            .iter()
            .filter_map(|oid| packs.locate(oid.as_bytes()))
            .filter(|&at| {
                let entry = PackReader::new(&packs).entry(at).unwrap();
                matches!(entry.base, Some(DeltaBase::Name(_)))
            })
            .count();
        assert!(named > 50, "{named} deltas on named bases");
        read_all_as_libgit2_does(&repo);
    }

    #[test]
    fn a_blob_over_the_size_limit_is_not_built_whether_whole_or_a_delta() {
        let repo = Repo::with_history();
        repo.git(&["repack", "-q", "-a", "-d", "-f"]);
        let packs = Packs::open(&repo.objects_dir());
        let git = git2::Repository::open(repo.dir.path()).unwrap();
        let odb = git.odb().unwrap();
        let limit = 1000;
        let (mut small, mut large) = (0, 0);
        for oid in repo.blob_ids() {
            let at = packs.locate(oid.as_bytes()).unwrap();
            let size = odb.read_header(oid).unwrap().0 as u64;
            match PackReader::new(&packs).read_blob(at, limit) {
                Some(PackedBlob::TooLarge) => {
                    assert!(size > limit, "{oid} is {size} bytes");
                    large += 1;
                }
                Some(PackedBlob::Bytes(bytes)) => {
                    assert!(size <= limit);
                    assert_eq!(bytes.len() as u64, size);
                    small += 1;
                }
                // A delta on a base over the limit is left to libgit2.
                None => assert!(size <= limit, "{oid} is {size} bytes"),
            }
        }
        assert!(small > 10 && large > 10, "{small} small, {large} large");
    }

    #[test]
    fn a_header_claiming_a_terabyte_is_refused_without_reserving_it() {
        let repo = Repo::with_history();
        repo.git(&["repack", "-q", "-a", "-d", "-f"]);
        let packs = Packs::open(&repo.objects_dir());
        let mut reader = PackReader::new(&packs);
        let oid = repo.blob_ids()[0];
        let location = packs.locate(oid.as_bytes()).unwrap();
        let mut entry = reader.entry(location).unwrap();
        entry.size = 1 << 40;
        assert_eq!(reader.inflate(location, &entry), None);

        // A delta whose target claims a terabyte and adds one byte.
        let mut delta = vec![3];
        let mut size = 1u64 << 40;
        while size >= 0x80 {
            delta.push(size as u8 | 0x80);
            size >>= 7;
        }
        delta.extend([size as u8, 1, b'x']);
        assert!(matches!(
            apply_delta(b"abc", &delta, u64::MAX),
            Err(DeltaError::Damaged)
        ));
    }

    #[test]
    fn a_damaged_pack_is_left_to_libgit2_not_misread() {
        let repo = Repo::with_history();
        repo.git(&["repack", "-q", "-a", "-d", "-f"]);
        let pack = std::fs::read_dir(repo.objects_dir().join("pack"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "pack"))
            .unwrap();
        let oids = repo.blob_ids();
        let good: Vec<Vec<u8>> = {
            let packs = Packs::open(&repo.objects_dir());
            let mut reader = PackReader::new(&packs);
            oids.iter()
                .map(|oid| {
                    match reader.read_blob(packs.locate(oid.as_bytes()).unwrap(), u64::MAX) {
                        Some(PackedBlob::Bytes(bytes)) => bytes.to_vec(),
                        _ => panic!("readable before the damage"),
                    }
                })
                .collect()
        };
        // Every byte of the stored data flipped in turn would be slow; every 97th will do.
        let original = std::fs::read(&pack).unwrap();
        let mut permissions = std::fs::metadata(&pack).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&pack, permissions).unwrap();
        let mut misread = 0;
        let mut refused = 0;
        for at in (12..original.len() - 20).step_by(97) {
            let mut damaged = original.clone();
            damaged[at] ^= 0x5a;
            std::fs::write(&pack, &damaged).unwrap();
            let packs = Packs::open(&repo.objects_dir());
            let mut reader = PackReader::new(&packs);
            for (oid, good) in oids.iter().zip(&good) {
                match reader.read_blob(packs.locate(oid.as_bytes()).unwrap(), u64::MAX) {
                    Some(PackedBlob::Bytes(bytes)) if bytes[..] != good[..] => misread += 1,
                    None => refused += 1,
                    _ => {}
                }
            }
        }
        assert!(refused > 0);
        // zlib's checksum catches a damaged stream; what it cannot see is a flipped byte in an
        // entry's header that still names a valid entry, which libgit2 would misread too.
        assert_eq!(misread, 0);
    }
}
