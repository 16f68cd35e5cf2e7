//! Containers: archives (zip and the formats built on it: jar, war, apk, whl, nupkg, vsix, and
//! tar) and compressed streams (gzip, bzip2, xz, zstd), opened into their members so that each
//! member is matched like a file of its own.
//!
//! A container is recognised by its first bytes, never by its name: a `.jar` is a zip, a
//! `.crate` or `.tgz` is a gzipped tar, and a `notes.txt.gz` is one compressed file. A compressed
//! stream holding a tar is opened as that tar, so `release.tar.gz` has members, not one member
//! that is a tar. Members are handed over one at a time ([`Members`]) as they are read: never
//! more than one member of an archive is in memory, plus the decompressor's window.
//!
//! Untrusted archives are bounded ([`Limits`], [`Budget`]): a member is cut at
//! `max_member_bytes`; everything decompressed from one archive found by a source (what is
//! nested in it included, and what is read only to skip a member) counts against a total that is
//! at most `max_total_bytes` and at most `max_ratio` times the archive's own size; and at most
//! `max_members` members are read. What a limit cut short is said in [`Opened::stopped`] or by
//! `complete == false`, so that the caller can call the scan incomplete. A damaged archive is
//! read up to the damage ([`Opened::damaged`]).
//!
//! The formats are read by their well-kept crates (`zip`, `tar`, `flate2`, `bzip2`,
//! `lzma-rust2`, `ruzstd`), all pure Rust: no C to build, and a decoder bug is a Rust panic the
//! pipeline catches, not memory corruption.

use std::cell::Cell;
use std::io::{self, Cursor, Read};

/// The container formats, by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Zip => "zip archive",
            Format::Tar => "tar archive",
            Format::Gzip => "gzip stream",
            Format::Bzip2 => "bzip2 stream",
            Format::Xz => "xz stream",
            Format::Zstd => "zstd stream",
        }
    }
}

/// A tar header is one 512-byte block, with `ustar` at offset 257 (POSIX and GNU alike).
const TAR_BLOCK: usize = 512;

fn is_tar(bytes: &[u8]) -> bool {
    bytes.len() >= TAR_BLOCK && &bytes[257..262] == b"ustar"
}

/// The container `bytes` start as, if any.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Some(Format::Zip)
    } else if starts(b"\x1f\x8b\x08") {
        Some(Format::Gzip)
    } else if bytes.len() >= 10
        && starts(b"BZh")
        && (b'1'..=b'9').contains(&bytes[3])
        // The first block's magic (the digits of pi), or the end-of-stream magic of an empty
        // stream: "BZh9" alone starts ordinary text too.
        && (bytes[4..10] == *b"\x31\x41\x59\x26\x53\x59" || bytes[4..10] == *b"\x17\x72\x45\x38\x50\x90")
    {
        Some(Format::Bzip2)
    } else if starts(b"\xfd7zXZ\0") {
        Some(Format::Xz)
    } else if starts(b"\x28\xb5\x2f\xfd") {
        Some(Format::Zstd)
    } else if is_tar(bytes) {
        Some(Format::Tar)
    } else {
        None
    }
}

/// How far containers are opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Nesting levels opened: 1 opens an archive found by a source but not the archives in it;
    /// 0 opens none (archives are then binary files, skipped).
    pub max_depth: u32,
    /// A member is scanned up to this many bytes (the file size limit, `--max-file-size`).
    pub max_member_bytes: u64,
    /// At most this many bytes are decompressed from one archive, nested archives included.
    pub max_total_bytes: u64,
    /// ... and at most this many times the archive's own size (but always [`RATIO_FLOOR`]).
    pub max_ratio: u64,
    /// At most this many members are read from one archive, nested archives included.
    pub max_members: u64,
}

pub const DEFAULT_MAX_DEPTH: u32 = 3;
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 1 << 30;
pub const DEFAULT_MAX_RATIO: u64 = 100;
pub const DEFAULT_MAX_MEMBERS: u64 = 100_000;
/// A small archive may always expand this much, whatever its ratio: text often compresses
/// more than a hundredfold when it is small and repetitive, and this costs little to scan.
pub const RATIO_FLOOR: u64 = 64 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: DEFAULT_MAX_DEPTH,
            max_member_bytes: 64 << 20,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_ratio: DEFAULT_MAX_RATIO,
            max_members: DEFAULT_MAX_MEMBERS,
        }
    }
}

/// What one archive found by a source may still cost; the archives nested in it share it.
#[derive(Debug)]
pub struct Budget {
    bytes_left: Cell<u64>,
    /// The total it started with, for messages.
    bytes: u64,
    members_left: Cell<u64>,
    members: u64,
    /// Set when a read ran out of bytes or members: what follows was not read.
    spent: Cell<Option<Spent>>,
}

/// Which budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spent {
    Bytes,
    Members,
}

impl Budget {
    /// The budget of an archive of `stored` bytes.
    pub fn new(limits: &Limits, stored: usize) -> Budget {
        let by_ratio = (stored as u64)
            .saturating_mul(limits.max_ratio)
            .max(RATIO_FLOOR);
        let bytes = limits.max_total_bytes.min(by_ratio);
        Budget {
            bytes_left: Cell::new(bytes),
            bytes,
            members_left: Cell::new(limits.max_members),
            members: limits.max_members,
            spent: Cell::new(None),
        }
    }

    /// Counts one more member; false (and spent) when there is no room for it.
    fn take_member(&self) -> bool {
        match self.members_left.get() {
            0 => {
                self.spent.set(Some(Spent::Members));
                false
            }
            n => {
                self.members_left.set(n - 1);
                true
            }
        }
    }

    fn is_spent(&self) -> bool {
        self.spent.get().is_some()
    }

    /// Why reading stopped, in words, when a budget ran out.
    fn stopped(&self) -> Option<String> {
        self.spent.get().map(|spent| match spent {
            Spent::Bytes => format!(
                "decompressing it stopped after {} (at most {} times the archive's size, and \
                 never more than {} in all): the rest was not scanned (an archive bomb, or \
                 extract it and scan the files)",
                size(self.bytes),
                DEFAULT_MAX_RATIO,
                size(DEFAULT_MAX_TOTAL_BYTES)
            ),
            Spent::Members => format!(
                "it holds more than {} members: the rest were not scanned",
                self.members
            ),
        })
    }
}

/// Bytes in words: `64 MiB`, `512 KiB`, `100 bytes`.
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Where members go, one at a time.
pub trait Members {
    /// A member called `name` (its path inside the archive); `complete` is false when it was
    /// cut at the member limit or by the budget, and `bytes` is only its beginning.
    fn member(&mut self, name: &str, bytes: &[u8], complete: bool);
}

/// What did not go to plan while opening a container.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// The archive is damaged (or a member could not be read): what came before was handed
    /// over. Warnings, not gaps: the same bytes cannot be read by anything else either.
    pub damaged: Vec<String>,
    /// A budget ran out: members that follow were not read.
    pub stopped: Option<String>,
}

/// Opens `bytes`, a container of `format` called `name` (its file name, for naming the one
/// member of a compressed stream), and hands each member to `members`.
pub fn open(
    format: Format,
    bytes: &[u8],
    name: &str,
    limits: &Limits,
    budget: &Budget,
    members: &mut dyn Members,
) -> Opened {
    let mut opened = Opened::default();
    let mut reader = Reader {
        limits,
        budget,
        members,
        opened: &mut opened,
    };
    match format {
        Format::Zip => reader.zip(bytes),
        Format::Tar => reader.tar(Metered::new(Cursor::new(bytes), budget)),
        _ => reader.stream(format, bytes, name),
    }
    opened.stopped = budget.stopped();
    opened
}

struct Reader<'a> {
    limits: &'a Limits,
    budget: &'a Budget,
    members: &'a mut dyn Members,
    opened: &'a mut Opened,
}

impl Reader<'_> {
    fn damaged(&mut self, what: String) {
        if self.opened.damaged.len() < 5 {
            self.opened.damaged.push(what);
        }
    }

    /// Reads one member from `reader` and hands it over; false when reading should stop.
    fn member(&mut self, name: &str, reader: &mut dyn Read) -> bool {
        if !self.budget.take_member() {
            return false;
        }
        let (bytes, complete, error) = read_capped(reader, self.limits.max_member_bytes);
        let name = clean_name(name);
        if let Some(e) = error {
            if !self.budget.is_spent() {
                self.damaged(format!("{name}: {}", describe(&e)));
            }
        }
        let cut = !complete || self.budget.is_spent();
        self.members.member(&name, &bytes, !cut);
        !self.budget.is_spent()
    }

    fn zip(&mut self, bytes: &[u8]) {
        match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(mut archive) => {
                for index in 0..archive.len() {
                    let name = archive
                        .name_for_index(index)
                        .unwrap_or("(unnamed)")
                        .to_string();
                    let mut file = match archive.by_index(index) {
                        Ok(file) => file,
                        Err(e) => {
                            self.damaged(format!("{}: {e}", clean_name(&name)));
                            continue;
                        }
                    };
                    if !file.is_file() {
                        continue;
                    }
                    let mut metered = Metered::new(&mut file, self.budget);
                    if !self.member(&name, &mut metered) {
                        break;
                    }
                }
            }
            // No central directory (a truncated or damaged archive): read the members in
            // order from their local headers, as far as they go.
            Err(e) => {
                self.damaged(format!("{e}; the members before the damage were read"));
                let mut cursor = Cursor::new(bytes);
                loop {
                    match zip::read::read_zipfile_from_stream(&mut cursor) {
                        Ok(Some(mut file)) => {
                            if !file.is_file() {
                                continue;
                            }
                            let name = file.name().to_string();
                            let mut metered = Metered::new(&mut file, self.budget);
                            if !self.member(&name, &mut metered) {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(_) => break,
                    }
                }
            }
        }
    }

    fn tar<R: Read>(&mut self, reader: R) {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(e) => return self.damaged(describe(&e)),
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    if !self.budget.is_spent() {
                        self.damaged(describe(&e));
                    }
                    break;
                }
            };
            if !matches!(
                entry.header().entry_type(),
                tar::EntryType::Regular | tar::EntryType::Continuous
            ) {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            if !self.member(&name, &mut entry) {
                break;
            }
        }
    }

    /// A compressed stream: a tar inside is opened as the tar; anything else is one member,
    /// named after the stream without its compression extension.
    fn stream(&mut self, format: Format, bytes: &[u8], name: &str) {
        let input = Cursor::new(bytes);
        let decoder: Box<dyn Read + '_> = match format {
            Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(input)),
            Format::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(input)),
            Format::Xz => Box::new(lzma_rust2::XzReader::new(input, true)),
            Format::Zstd => match ruzstd::decoding::StreamingDecoder::new(input) {
                Ok(decoder) => Box::new(decoder),
                Err(e) => return self.damaged(e.to_string()),
            },
            Format::Zip | Format::Tar => unreachable!("archives are not streams"),
        };
        let mut metered = Metered::new(decoder, self.budget);
        let mut head = Vec::with_capacity(TAR_BLOCK);
        let head_error = (&mut metered)
            .take(TAR_BLOCK as u64)
            .read_to_end(&mut head)
            .err();
        if head_error.is_none() && is_tar(&head) {
            return self.tar(Cursor::new(head).chain(metered));
        }
        let inner = inner_name(name, format);
        match head_error {
            Some(e) => {
                if !self.budget.is_spent() {
                    self.damaged(describe(&e));
                }
                if !head.is_empty() && self.budget.take_member() {
                    self.members.member(&inner, &head, false);
                }
            }
            None => {
                let mut rest = Cursor::new(head).chain(metered);
                self.member(&inner, &mut rest);
            }
        }
    }
}

/// The name of a compressed stream's one member: the stream's name without its extension
/// (`notes.txt.gz` holds `notes.txt`), or the name itself.
fn inner_name(name: &str, format: Format) -> String {
    let extensions: &[&str] = match format {
        Format::Gzip => &[".gz", ".gzip", ".z"],
        Format::Bzip2 => &[".bz2", ".bzip2", ".bz"],
        Format::Xz => &[".xz"],
        Format::Zstd => &[".zst", ".zstd"],
        Format::Zip | Format::Tar => &[],
    };
    let lower = name.to_ascii_lowercase();
    for ext in extensions {
        if lower.len() > ext.len() && lower.ends_with(ext) {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    if let Some(stem) = lower.strip_suffix(".tgz") {
        return format!("{}.tar", &name[..stem.len()]);
    }
    name.to_string()
}

/// A member's path as reports show it: no leading `./` or `/`, and never empty.
fn clean_name(name: &str) -> String {
    let mut name = name;
    loop {
        if let Some(rest) = name.strip_prefix("./") {
            name = rest;
        } else if let Some(rest) = name.strip_prefix('/') {
            name = rest;
        } else {
            break;
        }
    }
    if name.is_empty() {
        "(unnamed)".to_string()
    } else {
        name.to_string()
    }
}

fn describe(e: &io::Error) -> String {
    let text = e.to_string();
    if text.is_empty() {
        format!("{:?}", e.kind())
    } else {
        text
    }
}

/// Reads at most `limit` bytes: the bytes, whether that was everything, and the error that
/// stopped it early. The buffer never grows past `limit`, whatever a header claims.
fn read_capped(reader: &mut dyn Read, limit: u64) -> (Vec<u8>, bool, Option<io::Error>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut bytes: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let room = limit - bytes.len();
        if room == 0 {
            // Full: one more byte says whether the member goes on.
            let mut probe = [0u8; 1];
            return loop {
                match reader.read(&mut probe) {
                    Ok(0) => break (bytes, true, None),
                    Ok(_) => break (bytes, false, None),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => break (bytes, false, Some(e)),
                }
            };
        }
        let want = chunk.len().min(room);
        match reader.read(&mut chunk[..want]) {
            Ok(0) => return (bytes, true, None),
            Ok(n) => {
                if bytes.capacity() - bytes.len() < n {
                    let grow = bytes.capacity().max(n).min(limit - bytes.len());
                    bytes.reserve_exact(grow);
                }
                bytes.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (bytes, false, Some(e)),
        }
    }
}

/// A decompressed stream that counts what it yields against the budget, and fails once the
/// budget is spent.
struct Metered<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<'b, R: Read> Metered<'b, R> {
    fn new(inner: R, budget: &'b Budget) -> Self {
        Metered { inner, budget }
    }
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.budget.bytes_left.get();
        if left == 0 {
            if buf.is_empty() {
                return Ok(0);
            }
            self.budget.spent.set(Some(Spent::Bytes));
            return Err(io::Error::other(
                "the archive's decompression budget is spent",
            ));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.budget.bytes_left.set(left - n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[derive(Default)]
    struct Collect(Vec<(String, Vec<u8>, bool)>);

    impl Members for Collect {
        fn member(&mut self, name: &str, bytes: &[u8], complete: bool) {
            self.0.push((name.to_string(), bytes.to_vec(), complete));
        }
    }

    fn open_all(bytes: &[u8], name: &str, limits: &Limits) -> (Collect, Opened) {
        let mut found = Collect::default();
        let format = detect(bytes).expect("a container");
        let budget = Budget::new(limits, bytes.len());
        let opened = open(format, bytes, name, limits, &budget, &mut found);
        (found, opened)
    }

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(detect(b"PK\x03\x04rest"), Some(Format::Zip));
        assert_eq!(detect(&gzip(b"x")), Some(Format::Gzip));
        assert_eq!(detect(b"BZh9 is how this text starts"), None);
        assert_eq!(detect(&tar_of(&[("a", b"b")])), Some(Format::Tar));
        assert_eq!(detect(b"plain text"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn a_gzipped_tar_is_opened_as_the_tar() {
        let tar = tar_of(&[("./conf.py", b"token = 1\n"), ("dir/b.txt", b"b")]);
        let (found, opened) = open_all(&gzip(&tar), "release.tar.gz", &Limits::default());
        assert_eq!(opened, Opened::default());
        let names: Vec<&str> = found.0.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(names, ["conf.py", "dir/b.txt"]);
        assert!(found.0.iter().all(|m| m.2));
        assert_eq!(found.0[0].1, b"token = 1\n");
    }

    #[test]
    fn a_compressed_file_is_one_member_named_without_the_extension() {
        let (found, _) = open_all(&gzip(b"hello\n"), "notes.txt.gz", &Limits::default());
        assert_eq!(
            found.0,
            vec![("notes.txt".to_string(), b"hello\n".to_vec(), true)]
        );
        assert_eq!(inner_name("pkg.tgz", Format::Gzip), "pkg.tar");
        assert_eq!(inner_name("blob", Format::Xz), "blob");
    }

    #[test]
    fn members_are_cut_at_the_limit_and_budgets_stop_the_reading() {
        let data = vec![b'a'; 10_000];
        let tar = tar_of(&[("big.txt", &data), ("small.txt", b"s")]);
        let limits = Limits {
            max_member_bytes: 1000,
            ..Limits::default()
        };
        let (found, opened) = open_all(&gzip(&tar), "x.tgz", &limits);
        assert_eq!(found.0[0].1.len(), 1000);
        assert!(!found.0[0].2, "cut");
        assert!(found.0[1].2);
        assert!(opened.stopped.is_none());

        let few = Limits {
            max_members: 1,
            ..Limits::default()
        };
        let (found, opened) = open_all(&tar, "x.tar", &few);
        assert_eq!(found.0.len(), 1);
        assert!(opened.stopped.unwrap().contains("more than 1 members"));

        let tight = Limits {
            max_total_bytes: 4096,
            max_ratio: 0,
            ..Limits::default()
        };
        let budget = Budget {
            bytes_left: Cell::new(4096),
            bytes: 4096,
            members_left: Cell::new(10),
            members: 10,
            spent: Cell::new(None),
        };
        let mut found = Collect::default();
        let gz = gzip(&tar);
        let opened = open(Format::Gzip, &gz, "x.tgz", &tight, &budget, &mut found);
        assert!(opened.stopped.unwrap().contains("stopped after 4 KiB"));
        assert!(found.0.iter().all(|m| !m.2 || m.0 != "big.txt"));
    }

    #[test]
    fn damaged_archives_are_read_up_to_the_damage() {
        // Incompressible, so that half of the stream ends inside the second member.
        let noise: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let tar = tar_of(&[("a.txt", b"first"), ("b.txt", &noise)]);
        let gz = gzip(&tar);
        let cut = &gz[..gz.len() / 2];
        let (found, opened) = open_all(cut, "x.tar.gz", &Limits::default());
        assert_eq!(found.0[0].0, "a.txt");
        assert_eq!(found.0[0].1, b"first");
        assert!(!opened.damaged.is_empty());
    }
}
