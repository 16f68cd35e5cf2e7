//! The order in which to read a set of objects so that delta chains resolve cheaply: the order
//! they are stored in their pack files.
//!
//! Git writes a delta's base before the delta, and neighbours in a pack are usually versions of
//! the same file. Read in pack order, the base of the next object was read a moment ago and is
//! still in libgit2's delta-base cache; read in hash order, nearly every object re-inflates its
//! whole chain, which makes a history scan ten times slower.
//!
//! The offsets come from the pack index files (`objects/pack/*.idx`, version 2): a 256-entry
//! fan-out table, the sorted object names, their CRCs, their 31-bit offsets, and a table of
//! 64-bit offsets for packs over 2 GiB. An index that cannot be parsed only costs speed: its
//! objects are read in name order after the others.

use std::path::Path;

use git2::Oid;

const IDX_MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HASH_LEN: usize = 20;

/// A sort key per object, in the order of `oids`: pack number and offset in that pack for
/// packed objects; loose objects (and those in packs that could not be read) sort last.
pub fn sort_keys(objects_dir: &Path, oids: &[Oid]) -> Vec<(u32, u64)> {
    let mut keys = vec![(u32::MAX, 0u64); oids.len()];
    // Object names sorted once, so each index is probed with a binary search per object.
    let mut by_name: Vec<usize> = (0..oids.len()).collect();
    by_name.sort_unstable_by_key(|&i| oids[i]);
    for (pack_number, idx_path) in index_files(objects_dir).iter().enumerate() {
        let Ok(bytes) = std::fs::read(idx_path) else {
            continue;
        };
        let Some(index) = PackIndex::parse(&bytes) else {
            continue;
        };
        for &i in &by_name {
            if keys[i].0 != u32::MAX {
                continue;
            }
            if let Some(offset) = index.offset_of(oids[i].as_bytes()) {
                keys[i] = (pack_number as u32, offset);
            }
        }
    }
    for (i, key) in keys.iter_mut().enumerate() {
        if key.0 == u32::MAX {
            key.1 = i as u64;
        }
    }
    keys
}

fn index_files(objects_dir: &Path) -> Vec<std::path::PathBuf> {
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

/// A parsed version-2 pack index, borrowing the file's bytes.
struct PackIndex<'a> {
    fanout: &'a [u8],
    names: &'a [u8],
    offsets: &'a [u8],
    large_offsets: &'a [u8],
    count: usize,
}

impl<'a> PackIndex<'a> {
    fn parse(bytes: &'a [u8]) -> Option<PackIndex<'a>> {
        if bytes.len() < 8 + 256 * 4 || bytes[..4] != IDX_MAGIC || be32(&bytes[4..8]) != 2 {
            return None;
        }
        let fanout = &bytes[8..8 + 256 * 4];
        let count = be32(&fanout[255 * 4..]) as usize;
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
            fanout,
            names: &bytes[names_start..crcs_start],
            offsets: &bytes[offsets_start..large_start],
            large_offsets: &bytes[large_start..large_end],
            count,
        })
    }

    fn offset_of(&self, name: &[u8]) -> Option<u64> {
        let first = name[0] as usize;
        let low = if first == 0 {
            0
        } else {
            be32(&self.fanout[(first - 1) * 4..]) as usize
        };
        let high = (be32(&self.fanout[first * 4..]) as usize).min(self.count);
        let (mut low, mut high) = (low.min(high), high);
        while low < high {
            let mid = (low + high) / 2;
            let candidate = &self.names[mid * HASH_LEN..(mid + 1) * HASH_LEN];
            match candidate.cmp(name) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return self.offset_at(mid),
            }
        }
        None
    }

    fn offset_at(&self, position: usize) -> Option<u64> {
        let small = be32(&self.offsets[position * 4..]);
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let large = (small & 0x7fff_ffff) as usize * 8;
        let bytes = self.large_offsets.get(large..large + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }
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
        let index = PackIndex::parse(&bytes).unwrap();
        assert_eq!(index.offset_of(&name(0x00)), Some(12));
        assert_eq!(index.offset_of(&name(0x10)), Some(5_000_000_000));
        assert_eq!(index.offset_of(&name(0x11)), Some(99));
        assert_eq!(index.offset_of(&name(0xff)), Some(0x7fff_ffff));
        assert_eq!(index.offset_of(&name(0x42)), None);
        assert!(PackIndex::parse(&bytes[..100]).is_none());
    }
}
