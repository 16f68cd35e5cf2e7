//! Finding every occurrence of hundreds of keywords at once, ASCII case-insensitively, at several
//! times the speed of an Aho-Corasick automaton.
//!
//! With a thousand keywords the automaton is a table of megabytes: walking it costs a cache miss
//! every few bytes, about 250 MB/s per core. This search instead looks at each pair of
//! neighbouring bytes once, in a table of 65,536 entries indexed by the pair itself, and keeps a
//! running "shift-or" state that says, for eight groups (buckets) of keywords, whether the last
//! few pairs could all belong to a keyword of that bucket:
//!
//! - A keyword is known by `m` of its bytes in a row (its window; `m` is 3 to 8, the same for
//!   every keyword of a bucket): for a keyword longer than `m`, the window whose pairs are least
//!   likely in text ([`rarest_window`]), else the whole keyword. The window has `m - 1` pairs;
//!   the pair that ends `d` bytes before the window's end clears the bucket's bit in lane `7 - d`
//!   of that pair's table entry. Lanes a bucket's window does not reach are cleared in every
//!   entry.
//! - Scanning, the state is shifted by one lane per byte and the entry of the pair ending there
//!   is or-ed in; after `m - 1` pairs the top lane holds, per bucket, zero exactly when every pair
//!   of the last `m` bytes occurs at its place in some window of the bucket.
//! - Eight positions are processed per step: their entries are shifted into a 128-bit
//!   accumulator so that one comparison tells whether any of them could end a window. Two
//!   implementations ([`Pass`]) do the shifting: with integers on any processor, and with SSE2
//!   byte shifts on every x86_64 one. The table is built on first need: a search's first 64 KiB
//!   of text (a pre-commit run's) are read without it.
//! - A position that could is confirmed exactly: the window is looked up among the bucket's
//!   windows, and the rest of the keyword, before and after it, is compared.
//!
//! Case is folded in the table (a letter pair's entry is written for every case of it), so the
//! text is never copied or lowered. Buckets group keywords by window length and, within a
//! length, by sorted window: neighbours in sort order share pairs, so a bucket's pairs rarely
//! combine into a window no keyword has. On code, about 0.7% of positions need confirming (npm
//! corpus: 2.7 million candidates in 403 MB, 0.6 million of them a keyword's window).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// How many keyword groups the state tracks: the bits of one lane.
const BUCKETS: usize = 8;
/// The longest window a bucket compares, in bytes (one more than its pairs).
const MAX_WINDOW: usize = 8;

/// The window length of each bucket. Short keywords are common in code, so the four- and
/// seven-byte classes get two buckets each.
const BUCKET_WINDOW: [usize; BUCKETS] = [3, 4, 4, 5, 6, 7, 8, 8];

/// One occurrence of a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// Index of the keyword in the list given to [`Literals::new`].
    pub pattern: usize,
}

/// A keyword search built once from a list of keywords (ASCII, three bytes or more).
pub struct Literals {
    /// Per byte pair (the earlier byte in the low half), eight lanes of bucket bits. A fixed
    /// size, so that indexing by a pair needs no bounds check. Built when a search has read more
    /// than [`SMALL_TEXTS`] bytes ([`Pass::LastPair`] until then).
    table: OnceLock<Box<[u64; 1 << 16]>>,
    /// Per byte pair: in the low byte, the buckets with a window whose last two bytes are the
    /// pair; in the high byte, those with a window whose first two bytes are.
    end_pairs: Box<[u16; 1 << 16]>,
    /// Each keyword's bucket, to build the table with.
    bucket_of: Vec<u8>,
    /// How many more bytes [`Pass::LastPair`] may read before the table is built.
    small_budget: AtomicUsize,
    /// Per bucket, the keywords by their lower-case window packed into a u64.
    windows: [WindowTable; BUCKETS],
    /// The keywords, lower case.
    literals: Vec<Box<[u8]>>,
    /// Where in each keyword the window its bucket compares starts ([`rarest_window`]).
    offsets: Vec<u8>,
    /// The entry of a position that ends no pair (the start of the text, and before it): no
    /// pair allowed in a lane a bucket uses, anything in the lanes it does not.
    no_pair: u64,
    /// Which pass runs: the fastest this processor has, checked once.
    pass: Pass,
}

/// How many bytes a search reads with [`Pass::LastPair`] before it builds its table: a pre-commit
/// run's few files, not a directory's first few.
const SMALL_TEXTS: usize = 64 * 1024;

/// The implementations of the keyword pass. All find the same hits in the same order; the last
/// two differ in how a step's eight table entries are lined up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Every position whose pair ends some bucket's window is confirmed, without the table: about
    /// one position in ten on code, where the table leaves one in a hundred and fifty, but the
    /// table is 512 KiB to fill (128 pages to fault in, most of a pre-commit run's keyword
    /// work) and this filter is 64 KiB, of which text touches a few pages.
    LastPair,
    /// Shifts into a 128-bit integer: any processor.
    Portable,
    /// Byte shifts of 128-bit vectors (`pslldq`): every x86_64 processor has SSE2.
    Sse2,
}

impl Pass {
    /// The passes this processor can run, slowest first.
    pub fn available() -> Vec<Pass> {
        let mut passes = vec![Pass::LastPair, Pass::Portable];
        if cfg!(target_arch = "x86_64") {
            passes.push(Pass::Sse2);
        }
        passes
    }
}

impl Literals {
    /// Builds the search. Keywords shorter than three bytes or not ASCII are not supported
    /// (rule validation refuses them): `None`.
    pub fn new<S: AsRef<str>>(keywords: &[S]) -> Option<Literals> {
        let literals: Vec<Box<[u8]>> = keywords
            .iter()
            .map(|k| {
                k.as_ref()
                    .to_ascii_lowercase()
                    .into_bytes()
                    .into_boxed_slice()
            })
            .collect();
        if literals.iter().any(|l| l.len() < 3 || !l.is_ascii()) {
            return None;
        }
        let offsets: Vec<u8> = literals
            .iter()
            .map(|literal| rarest_window(literal, window_len(literal.len())))
            .collect();
        let window = |id: usize| {
            let m = window_len(literals[id].len());
            let at = usize::from(offsets[id]);
            &literals[id][at..at + m]
        };
        let mut by_length: Vec<Vec<usize>> = vec![Vec::new(); MAX_WINDOW + 1];
        for (id, literal) in literals.iter().enumerate() {
            by_length[window_len(literal.len())].push(id);
        }
        let mut bucket_of = vec![0usize; literals.len()];
        for (m, ids) in by_length.iter_mut().enumerate() {
            let buckets: Vec<usize> = (0..BUCKETS).filter(|&b| BUCKET_WINDOW[b] == m).collect();
            if buckets.is_empty() {
                continue;
            }
            ids.sort_by(|&a, &b| window(a).cmp(window(b)));
            let per_bucket = ids.len().div_ceil(buckets.len()).max(1);
            for (i, &id) in ids.iter().enumerate() {
                bucket_of[id] = buckets[i / per_bucket];
            }
        }

        // The entry of a pair no window has: each bucket's used lanes set (not allowed) and its
        // unused lanes clear (whatever is there, allowed).
        let mut initial = 0u64;
        for (bucket, &m) in BUCKET_WINDOW.iter().enumerate() {
            for lane in (MAX_WINDOW + 1 - m)..MAX_WINDOW {
                initial |= 1 << (lane * BUCKETS + bucket);
            }
        }
        // Zeroed memory: pages the keywords' pairs never reach are never written.
        let mut end_pairs: Box<[u16; 1 << 16]> = vec![0u16; 1 << 16]
            .into_boxed_slice()
            .try_into()
            .expect("the filter's size");
        let mut by_bucket: [Vec<(u64, u32)>; BUCKETS] = Default::default();
        for (id, &bucket) in bucket_of.iter().enumerate() {
            let window = window(id);
            let m = window.len();
            for a in cases(window[m - 2]) {
                for b in cases(window[m - 1]) {
                    end_pairs[usize::from(a) | usize::from(b) << 8] |= 1 << bucket;
                }
            }
            for a in cases(window[0]) {
                for b in cases(window[1]) {
                    end_pairs[usize::from(a) | usize::from(b) << 8] |= 1 << (8 + bucket);
                }
            }
            by_bucket[bucket].push((pack(window), id as u32));
        }
        let windows = by_bucket.map(|list| WindowTable::new(&list));
        Some(Literals {
            table: OnceLock::new(),
            end_pairs,
            bucket_of: bucket_of.iter().map(|&b| b as u8).collect(),
            small_budget: AtomicUsize::new(SMALL_TEXTS),
            windows,
            literals,
            offsets,
            no_pair: initial,
            pass: *Pass::available().last().expect("the portable pass"),
        })
    }

    /// The window a keyword's bucket compares.
    fn window(&self, id: usize) -> &[u8] {
        let m = BUCKET_WINDOW[usize::from(self.bucket_of[id])];
        let at = usize::from(self.offsets[id]);
        &self.literals[id][at..at + m]
    }

    /// The pair table, built on first use.
    fn table(&self) -> &[u64; 1 << 16] {
        self.table.get_or_init(|| {
            // Every entry starts as a pair no window has.
            let mut table: Box<[u64; 1 << 16]> = vec![self.no_pair; 1 << 16]
                .into_boxed_slice()
                .try_into()
                .expect("the table's size");
            for id in 0..self.literals.len() {
                let bucket = usize::from(self.bucket_of[id]);
                let window = self.window(id);
                let m = window.len();
                for j in 1..m {
                    let lane = MAX_WINDOW - m + j;
                    let bit = !(1u64 << (lane * BUCKETS + bucket));
                    for a in cases(window[j - 1]) {
                        for b in cases(window[j]) {
                            table[usize::from(a) | usize::from(b) << 8] &= bit;
                        }
                    }
                }
            }
            table
        })
    }

    /// The same search through another of the processor's passes ([`Pass::available`]): for
    /// tests and benchmarks that compare them.
    pub fn with_pass(mut self, pass: Pass) -> Literals {
        assert!(
            Pass::available().contains(&pass),
            "{pass:?} on this processor"
        );
        self.pass = pass;
        if pass != Pass::LastPair {
            // On every text, the first one included.
            self.table();
        }
        self
    }

    /// Calls `on_hit` for every occurrence of every keyword (overlapping ones included), in
    /// order of the position where the occurrence's window ends.
    pub fn find_all(&self, haystack: &[u8], mut on_hit: impl FnMut(Hit)) {
        // Until the table is built, the texts it would be built for are read without it.
        let still_small = || {
            self.table.get().is_none()
                && self
                    .small_budget
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                        left.checked_sub(haystack.len())
                    })
                    .is_ok()
        };
        let pass = match self.pass == Pass::LastPair || still_small() {
            true => Pass::LastPair,
            false => self.pass,
        };
        match pass {
            Pass::LastPair => self.find_all_last_pair(haystack, &mut on_hit),
            Pass::Portable => self.find_all_scalar(haystack, &mut on_hit),
            Pass::Sse2 => vector::find_all_sse2(self, haystack, &mut on_hit),
        }
    }

    /// [`Pass::LastPair`]: a window is confirmed where its bucket has both the pair that ends
    /// there and the one its window would start with: with a thousand keywords most pairs end
    /// some window, and checking the first pair too made this pass 1.85 times as fast (0.08 to
    /// 0.14 GB/s over the npm corpus, the same hits).
    fn find_all_last_pair(&self, haystack: &[u8], on_hit: &mut impl FnMut(Hit)) {
        let pair_at = |at: usize| {
            self.end_pairs[usize::from(haystack[at]) | usize::from(haystack[at + 1]) << 8]
        };
        for end in 1..haystack.len() {
            let mut open = pair_at(end - 1) as u8;
            while open != 0 {
                let bucket = open.trailing_zeros() as usize;
                open &= open - 1;
                let Some(start) = (end + 1).checked_sub(BUCKET_WINDOW[bucket]) else {
                    continue;
                };
                if pair_at(start) & (1 << (8 + bucket)) != 0 {
                    self.confirm_window(haystack, end, bucket, on_hit);
                }
            }
        }
    }

    /// The accumulator before the first step: the eight positions up to the start end no pair.
    fn before_start(&self) -> u128 {
        (0..8).fold(0, |acc, k| acc | u128::from(self.no_pair) << (8 * k))
    }

    /// [`Literals::find_all`] a block of eight positions at a time in 128-bit integers.
    fn find_all_scalar(&self, haystack: &[u8], on_hit: &mut impl FnMut(Hit)) {
        let table = self.table();
        let n = haystack.len();
        let mut acc = self.before_start();
        // The block of positions first..first + 8; each position's entry is that of the pair
        // ending there. Position 0 ends no pair and no window (windows are three bytes long).
        let mut first = 1;
        while first + 8 <= n {
            // Nine bytes make the eight pairs ending at first..first + 8.
            let bytes: &[u8; 9] = haystack[first - 1..first + 8]
                .try_into()
                .expect("nine bytes");
            let mut block: u128 = 0;
            for k in 0..8 {
                let pair = u16::from_le_bytes([bytes[k], bytes[k + 1]]);
                block |= u128::from(table[usize::from(pair)]) << (8 * (7 - k));
            }
            acc = (acc << 64) | block;
            if (acc >> 56) as u64 != u64::MAX {
                self.confirm_top_lanes(haystack, first, acc, on_hit);
            }
            first += 8;
        }
        self.finish_scalar(haystack, first, acc, on_hit);
    }

    /// The last positions, from `first` (fewer than eight), after a pass whose last step's
    /// entries are the low 64 bits of `acc`.
    fn finish_scalar(
        &self,
        haystack: &[u8],
        first: usize,
        mut acc: u128,
        on_hit: &mut impl FnMut(Hit),
    ) {
        let table = self.table();
        let n = haystack.len();
        if first < n {
            let mut block: u128 = 0;
            for k in 0..8 {
                let entry = match first + k < n {
                    true => {
                        let pair =
                            u16::from_le_bytes([haystack[first + k - 1], haystack[first + k]]);
                        table[usize::from(pair)]
                    }
                    false => u64::MAX,
                };
                block |= u128::from(entry) << (8 * (7 - k));
            }
            acc = (acc << 64) | block;
            if (acc >> 56) as u64 != u64::MAX {
                self.confirm_top_lanes(haystack, first, acc, on_hit);
            }
        }
    }

    /// Confirms the positions `first..first + 8` of a step whose accumulator is `acc`: its byte
    /// `7 + k` is the top lane of position `first + 7 - k`, so the eight top lanes, byte-reversed
    /// and inverted, are the candidates in [`Literals::confirm_open`]'s order. A position past
    /// the end took an entry that allows nothing and is never open.
    #[cold]
    fn confirm_top_lanes(
        &self,
        haystack: &[u8],
        first: usize,
        acc: u128,
        on_hit: &mut impl FnMut(Hit),
    ) {
        let top = (acc >> 56) as u64;
        self.confirm_open(haystack, first, !top.swap_bytes(), on_hit);
    }

    /// Confirms a step's candidates: bit `8 * k + bucket` of `open` says a window of `bucket`
    /// may end at position `first + k`.
    #[cold]
    fn confirm_open(
        &self,
        haystack: &[u8],
        first: usize,
        mut open: u64,
        on_hit: &mut impl FnMut(Hit),
    ) {
        while open != 0 {
            let bit = open.trailing_zeros() as usize;
            open &= open - 1;
            self.confirm_window(haystack, first + bit / 8, bit % 8, on_hit);
        }
    }

    /// Reports the keywords of `bucket` whose window ends at `end` (inclusive), if any.
    fn confirm_window(
        &self,
        haystack: &[u8],
        end: usize,
        bucket: usize,
        on_hit: &mut impl FnMut(Hit),
    ) {
        let m = BUCKET_WINDOW[bucket];
        let Some(window_start) = (end + 1).checked_sub(m) else {
            return;
        };
        let key = lower_window(haystack, window_start, m);
        for id in self.windows[bucket].get(key) {
            let literal = &self.literals[id as usize];
            let offset = usize::from(self.offsets[id as usize]);
            let Some(start) = window_start.checked_sub(offset) else {
                continue;
            };
            let stop = start + literal.len();
            if stop <= haystack.len()
                && haystack[start..window_start].eq_ignore_ascii_case(&literal[..offset])
                && haystack[end + 1..stop].eq_ignore_ascii_case(&literal[offset + m..])
            {
                on_hit(Hit {
                    start,
                    end: stop,
                    pattern: id as usize,
                });
            }
        }
    }

    pub fn len(&self) -> usize {
        self.literals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.literals.is_empty()
    }
}

/// The window length a keyword of `len` bytes is compared on: the longest bucket's that fits.
fn window_len(len: usize) -> usize {
    BUCKET_WINDOW
        .iter()
        .copied()
        .filter(|&m| m <= len)
        .max()
        .unwrap_or(3)
}

/// Where in `keyword` the `m`-byte window its bucket compares starts: the window whose byte
/// pairs are least likely in ordinary text. A keyword is often a common word and a specific
/// tail (`service_account`, `transfer_key`), and a bucket's false candidates are text whose
/// every pair occurs in place in some window of the bucket: `servicee` and `services` would
/// pass for the prefix `service_`, not for the window `ce_accou`. A pair's likelihood is the
/// product of its bytes' frequencies (English letter frequencies; spaces common, digits and
/// punctuation rarer than letters), and the earliest of equally rare windows wins.
fn rarest_window(keyword: &[u8], m: usize) -> u8 {
    if keyword.len() <= m {
        return 0;
    }
    // Logarithms once per process, not once per pair: a pre-commit run builds this search for
    // a thousand keywords and scans a few lines.
    static LOG_FREQUENCY: std::sync::OnceLock<[f64; 256]> = std::sync::OnceLock::new();
    let log = LOG_FREQUENCY.get_or_init(|| std::array::from_fn(|b| byte_frequency(b as u8).ln()));
    let commonness = |window: &[u8]| -> f64 {
        window
            .windows(2)
            .map(|pair| log[usize::from(pair[0])] + log[usize::from(pair[1])])
            .sum()
    };
    let last = (keyword.len() - m).min(usize::from(u8::MAX));
    let mut best = (0, f64::INFINITY);
    for at in 0..=last {
        let score = commonness(&keyword[at..at + m]);
        if score < best.1 - 1e-9 {
            best = (at, score);
        }
    }
    best.0 as u8
}

/// A byte's share of ordinary text, in percent, for [`rarest_window`]: letters (either case) by
/// their frequency in English, the rest by class.
fn byte_frequency(byte: u8) -> f64 {
    // a to z.
    const LETTERS: [f64; 26] = [
        8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0,
        6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07,
    ];
    match byte.to_ascii_lowercase() {
        letter @ b'a'..=b'z' => LETTERS[usize::from(letter - b'a')],
        b' ' => 15.0,
        b'0'..=b'9' => 1.0,
        b'.' | b'_' | b'-' | b'/' | b'"' | b'\'' | b'(' | b')' | b',' | b':' | b'=' => 2.0,
        _ => 0.5,
    }
}

/// Both cases of a letter; for any other byte, the byte twice (writing an entry twice is
/// harmless, and a thousand keywords' pairs are written at every start-up: no allocation).
fn cases(byte: u8) -> [u8; 2] {
    [byte.to_ascii_lowercase(), byte.to_ascii_uppercase()]
}

/// Up to eight bytes as one number (already lower case).
fn pack(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(word)
}

/// The `m` bytes at `start`, ASCII lower-cased, as one number (as [`pack`] makes them).
fn lower_window(haystack: &[u8], start: usize, m: usize) -> u64 {
    let word = match haystack.get(start..start + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().expect("eight bytes")),
        None => {
            let mut word = [0u8; 8];
            word[..m].copy_from_slice(&haystack[start..start + m]);
            u64::from_le_bytes(word)
        }
    };
    let keep = if m == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * m)) - 1
    };
    ascii_lower(word) & keep
}

/// Eight bytes at once, each ASCII upper-case letter made lower case.
fn ascii_lower(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = word & (0x7f * ONES);
    // The top bit of each byte: at least 'A', and at most 'Z', and not above 0x7f to begin with.
    let from_a = low7 + (0x80 - b'A' as u64) * ONES;
    let past_z = low7 + (0x80 - b'Z' as u64 - 1) * ONES;
    let upper = from_a & !past_z & !word & (0x80 * ONES);
    word | (upper >> 2)
}

/// The keywords of one bucket by window: open addressing over packed windows, so a candidate
/// costs one or two probes, behind a filter of one bit per window hash.
struct WindowTable {
    /// Bit `h` is set when some window's hash ([`hash_of`]) has `h` in its top [`FILTER_BITS`]
    /// bits. Three candidates in four are no window: 512 bytes a bucket turn most of them away
    /// in the first-level cache, where the slots of the largest buckets (32 KiB each) are not.
    filter: Box<[u64; FILTER_WORDS]>,
    /// (window, first keyword index in `ids`, count); an empty slot has count 0.
    slots: Box<[(u64, u32, u32)]>,
    ids: Box<[u32]>,
    mask: usize,
}

/// The width of a [`WindowTable`]'s filter index: 4,096 bits, so a bucket of 300 windows
/// lets about 7% of other windows through.
const FILTER_BITS: u32 = 12;
const FILTER_WORDS: usize = (1 << FILTER_BITS) / 64;

impl WindowTable {
    fn new(entries: &[(u64, u32)]) -> WindowTable {
        let mut entries = entries.to_vec();
        entries.sort_unstable();
        let mut groups: Vec<(u64, u32, u32)> = Vec::new();
        let mut ids = Vec::with_capacity(entries.len());
        for (key, id) in entries {
            match groups.last_mut() {
                Some(last) if last.0 == key => last.2 += 1,
                _ => groups.push((key, ids.len() as u32, 1)),
            }
            ids.push(id);
        }
        let size = (groups.len() * 4).next_power_of_two().max(16);
        let mut slots = vec![(0u64, 0u32, 0u32); size].into_boxed_slice();
        let mut filter = Box::new([0u64; FILTER_WORDS]);
        for group in groups {
            let hash = hash_of(group.0);
            let bit = filter_bit(hash);
            filter[bit / 64] |= 1 << (bit % 64);
            let mut at = slot_of(hash, size - 1);
            while slots[at].2 != 0 {
                at = (at + 1) & (size - 1);
            }
            slots[at] = group;
        }
        WindowTable {
            filter,
            slots,
            ids: ids.into_boxed_slice(),
            mask: size - 1,
        }
    }

    /// The keywords whose window is `key`.
    fn get(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        let hash = hash_of(key);
        let bit = filter_bit(hash);
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return self.ids[..0].iter().copied();
        }
        let mut at = slot_of(hash, self.mask);
        let found = loop {
            let slot = self.slots[at];
            if slot.2 == 0 || slot.0 == key {
                break slot;
            }
            at = (at + 1) & self.mask;
        };
        let (first, count) = (found.1 as usize, found.2 as usize);
        self.ids[first..first + count].iter().copied()
    }
}

fn hash_of(key: u64) -> u64 {
    key.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A window's slot: bits 40 and up of its hash, clear of the filter's bits up to 4,096 slots.
fn slot_of(hash: u64, mask: usize) -> usize {
    (hash >> 40) as usize & mask
}

fn filter_bit(hash: u64) -> usize {
    (hash >> (64 - FILTER_BITS)) as usize
}

/// The keyword pass with SSE2, which every x86_64 processor has.
///
/// An AVX-512 pass (F, BW, VBMI and GFNI) ran here on processors that have it: the table
/// entries of 16 positions loaded one by one into a buffer, then one `vpermt2b`, one
/// `gf2p8affineqb` and one `vptestnmb` per eight positions. On an AMD EPYC (Zen 4) it gave
/// 1.9-2.1 GB/s, before this SSE2 pass existed; on an Intel Xeon (Sapphire Rapids) the SSE2 pass
/// beats it on every text: 2.40 against 1.93 GB/s over the npm corpus in memory, 3.06 against
/// 2.41 GB/s on one file repeated (its table lines in cache), and the directory scan 381 -> 361
/// ms wall, 747 -> 705 ms CPU (9 interleaved rounds). The vector load of entries just stored one
/// by one cannot be forwarded from the stores; gathering the entries (`vpgatherdq`, 2.00 GB/s)
/// or filling a 512-entry buffer first and combining it after (1.65-1.83 GB/s) was no better.
#[cfg(target_arch = "x86_64")]
mod vector {
    use std::arch::x86_64::*;

    use super::{Hit, Literals};

    /// The portable pass with each entry shifted into place in a vector register: per position
    /// one load of the entry, one `pslldq` by its distance from the step's end and one `por`,
    /// where the 128-bit integer takes two shifts and two ors. 0.9-1.0 -> 1.6-1.7 GB/s on an AMD
    /// EPYC without AVX-512 (the pass alone over the npm corpus in memory, one thread).
    pub fn find_all_sse2(search: &Literals, haystack: &[u8], on_hit: &mut impl FnMut(Hit)) {
        let n = haystack.len();
        let table = search.table().as_ptr();
        // SAFETY: SSE2 is part of x86_64; the pairs read end at `first + 7`, inside the
        // haystack, and a pair indexes the table of 65,536 entries.
        unsafe {
            let mut previous = std::mem::transmute::<u128, __m128i>(search.before_start());
            let none_open = _mm_set1_epi8(-1);
            // Position 0 ends no pair and no window (windows are three bytes long).
            let mut first = 1;
            while first + 8 <= n {
                let at = haystack.as_ptr().add(first - 1);
                macro_rules! entry {
                    ($k:literal) => {
                        _mm_slli_si128::<{ 7 - $k }>(_mm_loadl_epi64(
                            table
                                .add(usize::from(at.add($k).cast::<u16>().read_unaligned()))
                                .cast(),
                        ))
                    };
                }
                // A tree of ors, not a chain: the eight loads overlap.
                let block = _mm_or_si128(
                    _mm_or_si128(
                        _mm_or_si128(entry!(0), entry!(1)),
                        _mm_or_si128(entry!(2), entry!(3)),
                    ),
                    _mm_or_si128(
                        _mm_or_si128(entry!(4), entry!(5)),
                        _mm_or_si128(entry!(6), entry!(7)),
                    ),
                );
                // As the portable pass's `(acc << 64) | block`; bytes 7 to 14 are the top lanes
                // of the eight positions.
                let acc = _mm_or_si128(block, _mm_slli_si128::<8>(previous));
                let closed = _mm_movemask_epi8(_mm_cmpeq_epi8(acc, none_open)) as u32;
                if closed & 0x7f80 != 0x7f80 {
                    let acc = std::mem::transmute::<__m128i, u128>(acc);
                    search.confirm_top_lanes(haystack, first, acc, on_hit);
                }
                previous = block;
                first += 8;
            }
            let acc = std::mem::transmute::<__m128i, u128>(previous);
            search.finish_scalar(haystack, first, acc, on_hit);
        }
    }
}

/// Elsewhere only the portable pass runs ([`Pass::available`] offers no other).
#[cfg(not(target_arch = "x86_64"))]
mod vector {
    use super::{Hit, Literals};

    pub fn find_all_sse2(search: &Literals, haystack: &[u8], on_hit: &mut impl FnMut(Hit)) {
        search.find_all_scalar(haystack, on_hit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every occurrence, the slow and obvious way.
    fn naive(keywords: &[&str], haystack: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (pattern, keyword) in keywords.iter().enumerate() {
            let k = keyword.as_bytes();
            for start in 0..haystack.len() {
                if start + k.len() <= haystack.len()
                    && haystack[start..start + k.len()].eq_ignore_ascii_case(k)
                {
                    hits.push(Hit {
                        start,
                        end: start + k.len(),
                        pattern,
                    });
                }
            }
        }
        hits.sort();
        hits
    }

    /// What the search finds, in the order it reports it.
    fn reported(search: &Literals, haystack: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        search.find_all(haystack, |hit| hits.push(hit));
        hits
    }

    /// What `keywords` find in `haystack`, sorted, after checking that every pass this processor
    /// has reports the same hits in the same order.
    fn found(keywords: &[&str], haystack: &[u8]) -> Vec<Hit> {
        let portable = Literals::new(keywords).unwrap().with_pass(Pass::Portable);
        let mut hits = reported(&portable, haystack);
        for pass in Pass::available() {
            let search = Literals::new(keywords).unwrap().with_pass(pass);
            assert_eq!(
                reported(&search, haystack),
                hits,
                "{pass:?} and portable passes"
            );
        }
        hits.sort();
        hits
    }

    #[test]
    fn a_long_keyword_is_found_by_its_rarest_window_wherever_it_lies() {
        // The common word at the front is not what the bucket compares.
        assert!(rarest_window(b"service_account", 8) > 0);
        assert!(rarest_window(b"servicebus.windows.net", 8) > 0);
        assert_eq!(
            rarest_window(b"secret", 6),
            0,
            "no choice: the window is the keyword"
        );
        let keywords = [
            "service_account",
            "servicebus.windows.net",
            "service",
            "x-api-key_header",
            "credential",
        ];
        let mut texts: Vec<Vec<u8>> = vec![
            b"service_account".to_vec(),
            b"SERVICE_ACCOUNT=1 services serviceBus.Windows.Net_account".to_vec(),
            b"ervice_account ce_account service_accoun credentials".to_vec(),
            b"x-api-key_header_x-api-key_heade".to_vec(),
        ];
        // Every cut of a text holding each keyword once: a keyword's window inside the text with
        // the keyword itself cut off at either end must not be reported.
        let whole = b"..service_account,servicebus.windows.net;x-api-key_header credential";
        for cut in 0..whole.len() {
            texts.push(whole[cut..].to_vec());
            texts.push(whole[..cut].to_vec());
        }
        for text in &texts {
            assert_eq!(
                found(&keywords, text),
                naive(&keywords, text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn every_occurrence_of_every_length_in_any_case_and_at_both_ends() {
        let keywords = [
            "ghp_",
            "eyj",
            "akia",
            "xoxb-",
            "secret",
            "api_key",
            "password",
            "-----begin",
            "sk_live_",
            "sk_",
            "abc",
            "abcd",
            "bcd",
            "aaa",
        ];
        for text in [
            &b"ghp_"[..],
            b"eyJ",
            b"xx ghp_token AKIA and Eyj, Password=x; API_KEY = -----BEGIN KEY",
            b"sk_live_sk_live_ sk_x abcd aaaaa abcde",
            b"ab",
            b"",
            b"abc",
            b"\x00\xffabc\xff",
            b"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzsecret",
        ] {
            assert_eq!(
                found(&keywords, text),
                naive(&keywords, text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn agrees_with_the_naive_search_on_random_text() {
        let keywords = [
            "ak_live_",
            "ghp_",
            "xoxp-",
            "eyj",
            "token",
            "tok",
            "okta",
            "zoho",
            "secret_key",
            "client_secret",
            "servicebus.windows.net",
            "sg.",
            "hf_",
            "r8_",
            "pat.",
            "-u ",
        ];
        let alphabet = b"akliveghp_xoyjtenszc-.KEYTOKEN ur8f";
        let mut random = crate::testing::XorShift(0x2545_f491_4f6c_dd1d);
        // Every length up to three of the vector pass's 16-position steps, so that each way of
        // ending (a step, a half step, a few positions) is met, then longer texts.
        for len in (0usize..=50).chain([100, 1000, 5000]) {
            let text = random.text(alphabet, len);
            assert_eq!(
                found(&keywords, &text),
                naive(&keywords, &text),
                "length {len}"
            );
        }
    }

    #[test]
    fn the_table_is_built_once_the_small_texts_are_read_and_finds_the_same() {
        let keywords = [
            "password",
            "ghp_",
            "secret_key",
            "token",
            "aws_access_key_id",
        ];
        let search = Literals::new(&keywords).unwrap();
        let alphabet = b"passwordghp_secrtkyonaw_id=\"' \n";
        let mut random = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        let mut read = 0;
        while read < 2 * SMALL_TEXTS {
            let text = random.text(alphabet, 3000);
            let mut hits = reported(&search, &text);
            hits.sort();
            assert_eq!(hits, naive(&keywords, &text), "after {read} bytes");
            read += text.len();
            assert_eq!(
                search.table.get().is_some(),
                read > SMALL_TEXTS,
                "the table after {read} bytes"
            );
        }
    }

    #[test]
    fn eight_bytes_lower_case_at_once() {
        let mixed = u64::from_le_bytes(*b"AZaz@[`{");
        assert_eq!(ascii_lower(mixed), u64::from_le_bytes(*b"azaz@[`{"));
        let high = u64::from_le_bytes([0xC1, 0xDA, b'Q', 0x80, 0xFF, b'_', b'0', b'M']);
        assert_eq!(
            ascii_lower(high),
            u64::from_le_bytes([0xC1, 0xDA, b'q', 0x80, 0xFF, b'_', b'0', b'm'])
        );
    }

    #[test]
    fn keywords_it_cannot_search_are_refused() {
        assert!(Literals::new(&["ab"]).is_none());
        assert!(Literals::new(&["clé_api"]).is_none());
        assert!(Literals::new::<&str>(&[]).is_some_and(|s| s.is_empty()));
    }
}
