//! Sources: where blobs come from (the filesystem, stdin, and git), and the counters of what
//! was read and what was skipped and why. A source hands each blob to a visitor, in parallel;
//! it never looks at findings.

pub mod fs;
pub mod git;

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::finding::GitOrigin;

/// Bytes a source hands to the engine, with where they came from.
pub struct Blob<'a> {
    /// The path as the user sees it.
    pub path: &'a str,
    /// The path relative to the repository (or scan root), forward slashes.
    pub rel_path: &'a str,
    pub bytes: &'a [u8],
    /// For git range and staged scans: only findings touching these 1-based lines count.
    pub added_lines: Option<&'a LineSet>,
    pub git: Option<&'a GitOrigin>,
}

/// What a source hands blobs to: one visitor per worker thread.
pub trait BlobVisitor {
    fn visit(&mut self, blob: &Blob);
}

impl<F: FnMut(&Blob)> BlobVisitor for F {
    fn visit(&mut self, blob: &Blob) {
        self(blob)
    }
}

/// A set of 1-based line numbers, as sorted, disjoint, inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSet {
    ranges: Vec<(usize, usize)>,
}

impl LineSet {
    /// Adds lines `first..=last`; ranges must be added in increasing order.
    pub fn push_range(&mut self, first: usize, last: usize) {
        match self.ranges.last_mut() {
            Some((_, end)) if first <= *end + 1 => *end = (*end).max(last),
            _ => self.ranges.push((first, last)),
        }
    }

    /// Whether any line of `first..=last` is in the set.
    pub fn intersects(&self, first: usize, last: usize) -> bool {
        let i = self.ranges.partition_point(|(_, end)| *end < first);
        self.ranges.get(i).is_some_and(|(start, _)| *start <= last)
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The lines in both sets (for merge commits: what is new relative to every parent).
    pub fn intersection(&self, other: &LineSet) -> LineSet {
        let mut out = LineSet::default();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a_start, a_end) = self.ranges[i];
            let (b_start, b_end) = other.ranges[j];
            let (start, end) = (a_start.max(b_start), a_end.min(b_end));
            if start <= end {
                out.push_range(start, end);
            }
            if a_end < b_end {
                i += 1;
            } else {
                j += 1;
            }
        }
        out
    }
}

/// Why a file or blob was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// A NUL byte near the start, or a format that is always binary (images, fonts, archives).
    Binary,
    /// Larger than `--max-file-size`.
    TooLarge,
    /// Could not be read (permissions, I/O error). These make the scan incomplete.
    Unreadable,
    /// Not a regular file (FIFO, socket, device): never opened.
    NotRegularFile,
    /// A symbolic link, not followed (`--follow-symlinks` follows them).
    Symlink,
    /// Removed between the directory walk and the read.
    Vanished,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too_large",
            SkipReason::Unreadable => "unreadable",
            SkipReason::NotRegularFile => "not_regular_file",
            SkipReason::Symlink => "symlink",
            SkipReason::Vanished => "vanished",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Unreadable => "unreadable",
            SkipReason::NotRegularFile => "not regular files",
            SkipReason::Symlink => "symlinks not followed",
            SkipReason::Vanished => "removed during the scan",
        }
    }

    const ALL: [SkipReason; 6] = [
        SkipReason::Binary,
        SkipReason::TooLarge,
        SkipReason::Unreadable,
        SkipReason::NotRegularFile,
        SkipReason::Symlink,
        SkipReason::Vanished,
    ];
}

/// Something the user should know about that did not stop the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub path: Option<String>,
    pub message: String,
}

/// Counters shared by all scanning threads (relaxed atomics: they are only read for progress
/// and at the end).
#[derive(Default)]
pub struct ScanStats {
    files: AtomicU64,
    bytes: AtomicU64,
    skipped: [AtomicU64; 6],
    warnings: Mutex<Vec<Warning>>,
    notes: Mutex<Vec<String>>,
}

impl ScanStats {
    pub fn scanned(&self, bytes: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub fn skipped(&self, reason: SkipReason) {
        self.skipped[reason as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// A file that could not be read: counted and reported with its reason.
    pub fn unreadable(&self, path: &str, error: &std::io::Error) {
        self.skipped(SkipReason::Unreadable);
        self.warn(
            Some(path),
            format!("could not read: {}", describe_io_error(error)),
        );
    }

    pub fn warn(&self, path: Option<&str>, message: String) {
        let warning = Warning {
            path: path.map(str::to_string),
            message,
        };
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(warning);
    }

    /// A fact about the scan as a whole ("history is truncated: shallow clone").
    pub fn note(&self, note: String) {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(note);
    }

    pub fn files(&self) -> u64 {
        self.files.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub fn skipped_counts(&self) -> BTreeMap<SkipReason, u64> {
        SkipReason::ALL
            .iter()
            .map(|r| (*r, self.skipped[*r as usize].load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn take_warnings(&self) -> Vec<Warning> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// An I/O error in words, without the OS's numeric code noise.
pub fn describe_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// How many bytes at the start of a blob are checked for a NUL to call it binary.
const BINARY_SNIFF_LEN: usize = 8192;

/// Whether content is binary: a NUL byte near the start (UTF-16 text is decoded before this).
pub fn looks_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// Text in UTF-16 with a byte-order mark is decoded to UTF-8 so rules see the characters.
/// Lines and character columns are unchanged by the conversion. Anything else is returned
/// as is.
pub fn decode_text(bytes: &[u8]) -> Option<Vec<u8>> {
    let (little, body) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => return None,
    };
    let units = body.chunks_exact(2).map(|pair| {
        if little {
            u16::from_le_bytes([pair[0], pair[1]])
        } else {
            u16::from_be_bytes([pair[0], pair[1]])
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some(text.into_bytes())
}

/// Reads standard input as one blob, up to `max_size` bytes.
pub fn read_stdin(max_size: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut buffer = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_size + 1)
        .read_to_end(&mut buffer)?;
    if buffer.len() as u64 > max_size {
        return Ok(None);
    }
    Ok(Some(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_sets_merge_and_intersect() {
        let mut lines = LineSet::default();
        lines.push_range(3, 4);
        lines.push_range(5, 5);
        lines.push_range(9, 12);
        assert_eq!(lines.ranges, vec![(3, 5), (9, 12)]);
        assert!(lines.intersects(1, 3));
        assert!(!lines.intersects(6, 8));
        assert!(lines.intersects(8, 9));
        assert!(!lines.intersects(13, 20));

        let mut other = LineSet::default();
        other.push_range(1, 3);
        other.push_range(5, 10);
        other.push_range(12, 30);
        let both = lines.intersection(&other);
        assert_eq!(both.ranges, vec![(3, 3), (5, 5), (9, 10), (12, 12)]);
        assert!(lines.intersection(&LineSet::default()).is_empty());
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "key=é\nx".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode_text(&bytes).unwrap(), "key=é\nx".as_bytes());
        assert!(decode_text(b"plain").is_none());
        assert!(looks_binary(&bytes));
    }
}
