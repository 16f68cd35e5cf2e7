//! Decoders of encoded values: which substrings of admitted text are plausibly encoded, their
//! decoded text, and a map from every decoded byte back to the bytes of the blob it came from.
//!
//! This is part of admission because, like the rest of admission, it decides which bytes the
//! engine matches, and every source needs it the same way. It never runs the engine: the
//! pipeline ([`crate::scan`]) matches the decoded texts this module hands it and maps each match
//! back to the encoded span of the blob with [`Decodings::to_blob`].
//!
//! Only candidate substrings are decoded, never whole files, and cheap tests come first, so a
//! minified bundle full of base64 costs little:
//!
//! - **base64** (standard or URL-safe, padded or not) and **hex**: a run of at least
//!   [`MIN_BASE64`] (hex: [`MIN_HEX`]) characters in a value position (after `:` or `=`, maybe
//!   quoted, maybe after `Basic `/`Bearer `: YAML, JSON, TOML, INI and `.env` values, Kubernetes
//!   `data:` maps, a Docker `"auth"`, an `Authorization` header) that ends where a value ends,
//!   on a line of at most [`MAX_LINE`] bytes, and decodes to printable UTF-8 text. Integrity
//!   hashes (`sha512-…`) and `data:` URIs are not in a value position by this test, and binary
//!   content (images, keys, hashes) fails the text test.
//! - **percent-encoding**: a URL or value holding `%XX` in a credential context (a URL with a
//!   user part, or a name such as password, token or key before it).
//! - **string escapes** (`\n`, `\t`, `\/`, `\"`, `\uXXXX`, `\u{…}`, `\xXX`, HTML character
//!   references and `&amp;`-style entities): the part of a line around an escape that can change
//!   what a rule sees (an escaped letter or digit, a `\/`, or `\n`/`\t`/`\r` right before a word,
//!   which otherwise breaks every prefix rule's word boundary).
//!
//! Decoded texts are searched again, to [`DEFAULT_MAX_DEPTH`] levels, within a byte budget per
//! blob ([`Limits`]): twice the blob's size and at most [`MAX_DECODED_PER_BLOB`].

use std::fmt;
use std::ops::Range;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

mod marks;

/// How many layers deep decoding goes unless the user says otherwise.
pub const DEFAULT_MAX_DEPTH: u8 = 3;
/// The shortest base64 run considered: shorter values are names, not encoded secrets.
pub const MIN_BASE64: usize = 20;
/// The shortest hex run considered (16 bytes of text).
pub const MIN_HEX: usize = 32;
/// The longest run decoded: longer runs are embedded files (images, fonts, archives).
pub const MAX_RUN: usize = 64 * 1024;
/// Lines longer than this are not searched for base64 or hex (minified bundles, generated data).
pub const MAX_LINE: usize = 16 * 1024;
/// The most decoded bytes per blob, whatever its size.
pub const MAX_DECODED_PER_BLOB: usize = 16 * 1024 * 1024;
/// How far around an escape the decoded window of its line reaches (like the engine's windows).
const WINDOW_BEFORE: usize = 256;
const WINDOW_AFTER: usize = 512;

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// One decoding step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Base64,
    Hex,
    Percent,
    Escapes,
}

impl Layer {
    /// The layer in words, for a finding's message.
    pub fn describe(self) -> &'static str {
        match self {
            Layer::Base64 => "base64",
            Layer::Hex => "hex",
            Layer::Percent => "percent-encoding",
            Layer::Escapes => "string escapes",
        }
    }
}

/// A value found in decoded text, as the finding reports it: the decoded value (what is
/// redacted and fingerprinted) and the layers it was decoded through, outermost first.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodedValue {
    pub value: String,
    pub layers: Vec<Layer>,
}

impl DecodedValue {
    /// "base64, then string escapes".
    pub fn how(&self) -> String {
        let names: Vec<&str> = self.layers.iter().map(|l| l.describe()).collect();
        names.join(", then ")
    }
}

// Never print the value: it is a secret.
impl fmt::Debug for DecodedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedValue")
            .field("layers", &self.layers)
            .field("value_len", &self.value.len())
            .finish()
    }
}

/// How deep and how much to decode in one blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Layers of decoding (0: none).
    pub max_depth: u8,
    /// Decoded bytes in all.
    pub max_bytes: usize,
}

impl Limits {
    /// The limits for a blob of `len` bytes.
    pub fn for_blob(len: usize, max_depth: u8) -> Limits {
        Limits {
            max_depth,
            max_bytes: len.saturating_mul(2).min(MAX_DECODED_PER_BLOB),
        }
    }
}

/// A stretch of a decoded text and where it came from in its parent's text: byte for byte
/// (`literal`) or as a whole (an escape sequence, a base64 run).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    at: usize,
    from: Range<usize>,
    literal: bool,
}

/// One decoded text.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Valid UTF-8.
    pub text: Vec<u8>,
    pub layer: Layer,
    /// The decoded text this one was decoded from (an index into [`Decodings::items`]); `None`:
    /// the blob.
    pub parent: Option<usize>,
    /// 1 for a text decoded from the blob.
    pub depth: u8,
    /// In order of `at`, covering the text without gaps.
    pieces: Vec<Piece>,
}

impl Decoded {
    /// Where `range` of this text came from in its parent's text.
    fn to_parent(&self, range: Range<usize>) -> Range<usize> {
        let piece_of = |offset: usize| {
            let i = self.pieces.partition_point(|p| p.at <= offset);
            &self.pieces[i.saturating_sub(1)]
        };
        let first = piece_of(range.start);
        let start = if first.literal {
            first.from.start + (range.start - first.at)
        } else {
            first.from.start
        };
        let last_byte = range.end.saturating_sub(1).max(range.start);
        let last = piece_of(last_byte);
        let end = if last.literal {
            (last.from.start + (last_byte - last.at) + 1).min(last.from.end)
        } else {
            last.from.end
        };
        start..end.max(start)
    }
}

/// Every text decoded from one blob, parents before children.
#[derive(Debug, Default)]
pub struct Decodings {
    pub items: Vec<Decoded>,
    /// Decoding stopped at the byte budget.
    pub cut_short: bool,
}

impl Decodings {
    /// Where `range` of item `index`'s text came from in the blob.
    pub fn to_blob(&self, index: usize, range: Range<usize>) -> Range<usize> {
        let mut range = range;
        let mut at = Some(index);
        while let Some(i) = at {
            let item = &self.items[i];
            range = item.to_parent(range);
            at = item.parent;
        }
        range
    }

    /// The layers item `index` was decoded through, outermost first.
    pub fn layers(&self, index: usize) -> Vec<Layer> {
        let mut layers = Vec::new();
        let mut at = Some(index);
        while let Some(i) = at {
            layers.push(self.items[i].layer);
            at = self.items[i].parent;
        }
        layers.reverse();
        layers
    }
}

/// Whether decoders run on a file at this path: not on source maps, whose base64 mappings and
/// escaped copies of the sources are neither secrets nor new (the sources are scanned).
pub fn applies_to(path: &str) -> bool {
    !path.ends_with(".map")
}

/// What the decoders search a blob for besides backslashes and percent signs, as keywords that
/// a keyword pass over the blob (the engine's, which reads every byte anyway) can find for them:
/// a numeric character reference (`&#` and a digit or `x`) and `Basic ` (which a base64 value
/// may follow). [`decode_all_hinted`] takes where they are instead of searching for them.
pub const HINT_KEYWORDS: &[(&str, Hint)] = &[
    ("&#x", Hint::NumericReference),
    ("&#0", Hint::NumericReference),
    ("&#1", Hint::NumericReference),
    ("&#2", Hint::NumericReference),
    ("&#3", Hint::NumericReference),
    ("&#4", Hint::NumericReference),
    ("&#5", Hint::NumericReference),
    ("&#6", Hint::NumericReference),
    ("&#7", Hint::NumericReference),
    ("&#8", Hint::NumericReference),
    ("&#9", Hint::NumericReference),
    ("basic ", Hint::Basic),
];

/// Which of [`HINT_KEYWORDS`] a keyword is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    NumericReference,
    Basic,
}

/// Where a blob's [`HINT_KEYWORDS`] are (any case), each list in order of position.
#[derive(Debug, Default)]
pub struct Hints {
    numeric_references: Vec<usize>,
    basics: Vec<usize>,
}

impl Hints {
    pub fn add(&mut self, hint: Hint, at: usize) {
        match hint {
            Hint::NumericReference => self.numeric_references.push(at),
            Hint::Basic => self.basics.push(at),
        }
    }

    pub fn clear(&mut self) {
        self.numeric_references.clear();
        self.basics.clear();
    }
}

/// Decodes every plausibly encoded value of `bytes`, and what is encoded in them, within
/// `limits`. `values`: the blob holds configuration values ([`holds_values`]).
pub fn decode_all(bytes: &[u8], limits: Limits, values: bool) -> Decodings {
    decode_blob(bytes, limits, values, None)
}

/// [`decode_all`], told where in `bytes` its [`HINT_KEYWORDS`] are: the same decodings,
/// without two of its passes over the blob.
pub fn decode_all_hinted(bytes: &[u8], limits: Limits, values: bool, hints: &Hints) -> Decodings {
    decode_blob(bytes, limits, values, Some(hints))
}

fn decode_blob(bytes: &[u8], limits: Limits, values: bool, hints: Option<&Hints>) -> Decodings {
    let mut out = Decodings::default();
    if limits.max_depth == 0 || bytes.is_empty() {
        return out;
    }
    let mut budget = limits.max_bytes;
    decode_in(bytes, values, hints, None, 1, &mut out, &mut budget);
    let mut next = 0;
    while next < out.items.len() && !out.cut_short {
        let depth = out.items[next].depth;
        if depth < limits.max_depth {
            let text = std::mem::take(&mut out.items[next].text);
            // Decoded text is data: any value in it may be encoded again.
            decode_in(
                &text,
                true,
                None,
                Some(next),
                depth + 1,
                &mut out,
                &mut budget,
            );
            out.items[next].text = text;
        }
        next += 1;
    }
    out
}

/// Finds and decodes the candidates in one text (`hints`: where its [`HINT_KEYWORDS`] are,
/// when known).
fn decode_in(
    text: &[u8],
    values: bool,
    hints: Option<&Hints>,
    parent: Option<usize>,
    depth: u8,
    out: &mut Decodings,
    budget: &mut usize,
) {
    let mut push = |layer: Layer, decoded: Vec<u8>, pieces: Vec<Piece>, out: &mut Decodings| {
        if out.cut_short {
            return;
        }
        if decoded.len() > *budget {
            out.cut_short = true;
            return;
        }
        *budget -= decoded.len();
        out.items.push(Decoded {
            text: decoded,
            layer,
            parent,
            depth,
            pieces,
        });
    };
    for run in value_runs(text, values, hints) {
        if let Some((layer, decoded)) = decode_run(&text[run.clone()]) {
            let pieces = vec![Piece {
                at: 0,
                from: run,
                literal: false,
            }];
            push(layer, decoded, pieces, out);
        }
    }
    // Backslashes that may start an escape that matters, and percent signs, in one pass.
    let (mut backslashes, mut percents) = (Vec::new(), Vec::new());
    marks::find(text, &mut backslashes, &mut percents);
    // Named entities (`&amp;`) never stand for a character of a token: only backslashes and
    // numeric references open windows.
    let escapes = match hints {
        Some(hints) => merge_sorted(backslashes, &hints.numeric_references),
        None => {
            let references: Vec<usize> = memchr::memmem::find_iter(text, b"&#").collect();
            merge_sorted(backslashes, &references)
        }
    };
    for window in escape_windows(text, escapes) {
        if let Some(view) = unescape(text, window) {
            push(Layer::Escapes, view.text, view.pieces, out);
        }
    }
    for window in percent_windows(text, percents) {
        if let Some(view) = percent_decode(text, window) {
            push(Layer::Percent, view.text, view.pieces, out);
        }
    }
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Where a value may end: the end of the text or line, a closing quote, a separator.
fn ends_value(next: Option<&u8>) -> bool {
    match next {
        None => true,
        Some(b) => matches!(
            b,
            b'"' | b'\''
                | b'`'
                | b','
                | b';'
                | b'}'
                | b']'
                | b')'
                | b' '
                | b'\t'
                | b'\r'
                | b'\n'
                | b'<'
                | b'&'
                | b'\\'
        ),
    }
}

/// Whether a file at this path holds configuration values, where any value may be encoded
/// (YAML, JSON, TOML, INI, `.env`, properties, XML, shell and Terraform variables, files
/// without an extension such as a kubeconfig). In other files (source code, documents) only an
/// HTTP authentication scheme (`Basic …`) marks a value as encoded: source code is full of
/// long words and embedded data that are neither.
pub fn holds_values(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.starts_with(".env") || name.ends_with(".env") || !name.contains('.') {
        return true;
    }
    let extension = name.rsplit('.').next().unwrap_or("");
    matches!(
        extension,
        "yaml"
            | "yml"
            | "json"
            | "jsonc"
            | "json5"
            | "toml"
            | "ini"
            | "cfg"
            | "conf"
            | "config"
            | "cnf"
            | "properties"
            | "xml"
            | "plist"
            | "tfvars"
            | "tfstate"
            | "hcl"
            | "tf"
            | "sh"
            | "bash"
            | "zsh"
            | "ps1"
            | "envrc"
            | "npmrc"
            | "pypirc"
            | "netrc"
            | "dockercfg"
            | "secret"
            | "secrets"
            | "local"
            | "example"
            | "sample"
            | "template"
    )
}

/// Runs of base64 or hex characters in value positions, in text order: after any `:` or `=`
/// when `values` (a configuration file, or decoded text), else only after `Basic `/`Bearer `.
fn value_runs(text: &[u8], values: bool, hints: Option<&Hints>) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut last_end = 0;
    if values {
        for sep in marks::separators(text) {
            if sep < last_end {
                continue;
            }
            let mut at = sep + 1;
            // `:=`, then spaces and an opening quote.
            if text.get(at) == Some(&b'=') && text[sep] == b':' {
                at += 1;
            }
            let mut skipped = 0;
            while skipped < 6 && matches!(text.get(at), Some(b' ' | b'\t' | b'"' | b'\'' | b'`')) {
                at += 1;
                skipped += 1;
            }
            if matches!(text.get(at), Some(b'b' | b'B')) {
                at = after_scheme(text, at);
            }
            if let Some(run) = run_at(text, at, &mut last_end) {
                runs.push(run);
            }
        }
    } else {
        // Only `Basic`: a bearer token is not base64 of anything.
        // Where `asic ` is (a hint is `basic ` in any case); it must follow `b` or `B`.
        let basics: Vec<usize> = match hints {
            Some(hints) => hints
                .basics
                .iter()
                .map(|&at| at + 1)
                .filter(|&at| text[at..].starts_with(b"asic "))
                .collect(),
            None => memchr::memmem::find_iter(text, b"asic ").collect(),
        };
        for hit in basics {
            let at = hit.saturating_sub(1);
            if hit == 0 || !matches!(text[at], b'b' | b'B') {
                continue;
            }
            let start = after_scheme(text, at);
            if start != at {
                if let Some(run) = run_at(text, start, &mut last_end) {
                    runs.push(run);
                }
            }
        }
    }
    runs
}

/// Past `Basic ` or `Bearer ` (any case) and the spaces after it, when `at` starts one.
fn after_scheme(text: &[u8], at: usize) -> usize {
    for scheme in [&b"basic "[..], b"bearer "] {
        if text.len() >= at + scheme.len()
            && text[at..at + scheme.len()].eq_ignore_ascii_case(scheme)
        {
            let mut at = at + scheme.len();
            while text.get(at) == Some(&b' ') {
                at += 1;
            }
            return at;
        }
    }
    at
}

/// The run of base64 characters (and padding) starting at `start`, when it is long enough,
/// ends where a value ends, is no integrity hash and is on a line of at most [`MAX_LINE`].
fn run_at(text: &[u8], start: usize, last_end: &mut usize) -> Option<Range<usize>> {
    // Most separators are followed by a short word: look at the last byte a run needs first.
    if !text
        .get(start + MIN_BASE64 - 1)
        .is_some_and(|&b| is_base64_byte(b))
    {
        return None;
    }
    let mut end = start;
    while end < text.len() && is_base64_byte(text[end]) {
        end += 1;
    }
    let mut padding = 0;
    while padding < 2 && text.get(end) == Some(&b'=') {
        end += 1;
        padding += 1;
    }
    *last_end = end;
    if end - start < MIN_BASE64 || end - start > MAX_RUN || !ends_value(text.get(end)) {
        return None;
    }
    let run = &text[start..end];
    // Subresource integrity and lockfile hashes: digests, never text.
    let lower_prefix = &run[..run.len().min(8)].to_ascii_lowercase();
    if [&b"sha1-"[..], b"sha256-", b"sha384-", b"sha512-"]
        .iter()
        .any(|p| lower_prefix.starts_with(p))
    {
        return None;
    }
    on_short_line(text, start..end).then_some(start..end)
}

/// Whether the line around `run` is at most [`MAX_LINE`] bytes long.
fn on_short_line(text: &[u8], run: Range<usize>) -> bool {
    let room = MAX_LINE.saturating_sub(run.len());
    let floor = run.start.saturating_sub(room);
    let before = memchr::memrchr(b'\n', &text[floor..run.start])
        .map_or(if floor == 0 { Some(run.start) } else { None }, |i| {
            Some(run.start - (floor + i + 1))
        });
    let Some(before) = before else { return false };
    let ceiling = (run.end + room - before).min(text.len());
    memchr::memchr(b'\n', &text[run.end..ceiling]).is_some() || ceiling == text.len()
}

/// Decodes a run as hex or base64 when the result is text.
fn decode_run(run: &[u8]) -> Option<(Layer, Vec<u8>)> {
    let body = run
        .strip_suffix(b"==")
        .or(run.strip_suffix(b"="))
        .unwrap_or(run);
    if body.iter().all(u8::is_ascii_hexdigit) {
        // Hex strings are digests and keys far more often than text: decode only the ones that
        // are text, and never read them as base64 (hex digits decode to high bytes).
        if body.len() < MIN_HEX || !body.len().is_multiple_of(2) || body.len() != run.len() {
            return None;
        }
        let decoded: Vec<u8> = body
            .chunks(2)
            .map(|pair| {
                let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                hex(pair[0]) << 4 | hex(pair[1])
            })
            .collect();
        return is_text(&decoded).then_some((Layer::Hex, decoded));
    }
    let standard = body.iter().any(|b| matches!(b, b'+' | b'/'));
    let url_safe = body.iter().any(|b| matches!(b, b'-' | b'_'));
    let engine = match (standard, url_safe) {
        (true, true) => return None,
        (false, true) => &URL_SAFE,
        _ => &STANDARD,
    };
    let decoded = engine.decode(run).ok()?;
    is_text(&decoded).then_some((Layer::Base64, decoded))
}

/// Whether decoded bytes are text worth matching: valid UTF-8 of a few characters, with no
/// control characters but tabs and line breaks. Binary (images, keys, digests) fails this
/// almost always within a few bytes.
pub fn is_text(bytes: &[u8]) -> bool {
    if bytes.len() < 6 {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    !text
        .chars()
        .any(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFD}')
}

/// A decoded view of a window of a line, with its map.
struct View {
    text: Vec<u8>,
    pieces: Vec<Piece>,
}

/// Builds a view piece by piece.
struct ViewBuilder {
    text: Vec<u8>,
    pieces: Vec<Piece>,
    changed: bool,
}

impl ViewBuilder {
    /// A view of `window`: its decoded text is never longer than the window (every escape and
    /// `%XX` stands for fewer bytes than it takes), so the text is allocated once.
    fn of(window: &Range<usize>) -> ViewBuilder {
        ViewBuilder {
            text: Vec::with_capacity(window.len()),
            pieces: Vec::new(),
            changed: false,
        }
    }

    fn literal(&mut self, src: &[u8], from: Range<usize>) {
        if from.is_empty() {
            return;
        }
        if let Some(last) = self.pieces.last_mut() {
            if last.literal && last.from.end == from.start {
                last.from.end = from.end;
                self.text.extend_from_slice(&src[from]);
                return;
            }
        }
        self.pieces.push(Piece {
            at: self.text.len(),
            from: from.clone(),
            literal: true,
        });
        self.text.extend_from_slice(&src[from]);
    }

    fn decoded(&mut self, decoded: &[u8], from: Range<usize>) {
        self.changed = true;
        self.pieces.push(Piece {
            at: self.text.len(),
            from,
            literal: false,
        });
        self.text.extend_from_slice(decoded);
    }

    fn finish(self) -> Option<View> {
        let keep = self.changed && !self.text.is_empty() && std::str::from_utf8(&self.text).is_ok();
        keep.then_some(View {
            text: self.text,
            pieces: self.pieces,
        })
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The window of its line around a position, widened to whole words.
fn window_at(text: &[u8], at: Range<usize>) -> Range<usize> {
    let floor = at.start.saturating_sub(WINDOW_BEFORE);
    let line_start =
        memchr::memrchr(b'\n', &text[floor..at.start]).map_or(floor, |i| floor + i + 1);
    let ceiling = (at.end + WINDOW_AFTER).min(text.len());
    let line_end = memchr::memchr(b'\n', &text[at.end..ceiling]).map_or(ceiling, |i| at.end + i);
    let mut start = line_start;
    let mut widened = 0;
    while start > 0 && text[start - 1] != b'\n' && is_word(text[start - 1]) && widened < 128 {
        start -= 1;
        widened += 1;
    }
    let mut end = line_end;
    widened = 0;
    while end < text.len() && text[end] != b'\n' && is_word(text[end]) && widened < 128 {
        end += 1;
        widened += 1;
    }
    start..end
}

/// Adds a window, merging it with the previous one when they touch.
fn add_window(windows: &mut Vec<Range<usize>>, window: Range<usize>) {
    match windows.last_mut() {
        Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
        _ => windows.push(window),
    }
}

/// What one escape sequence stands for: one character, at most four bytes of UTF-8. Kept inline:
/// JavaScript is full of backslashes, and a heap buffer for each was a malloc and a free apiece.
#[derive(Clone, Copy)]
struct Escaped {
    bytes: [u8; 4],
    len: u8,
}

impl Escaped {
    fn byte(byte: u8) -> Escaped {
        Escaped {
            bytes: [byte, 0, 0, 0],
            len: 1,
        }
    }

    fn char(c: char) -> Escaped {
        let mut bytes = [0; 4];
        let len = c.encode_utf8(&mut bytes).len() as u8;
        Escaped { bytes, len }
    }

    fn code_point(value: u32) -> Option<Escaped> {
        char::from_u32(value).map(Escaped::char)
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// The value of hex digits (no sign, no prefix); `None` when empty or over `u32`.
fn hex_value(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |value, &d| {
        let digit = (d as char).to_digit(16)?;
        value.checked_mul(16)?.checked_add(digit)
    })
}

/// One escape sequence at `text[at]`: what it stands for and its length.
fn escape_at(text: &[u8], at: usize) -> Option<(Escaped, usize)> {
    let rest = &text[at..];
    match rest {
        [b'\\', b'n', ..] => Some((Escaped::byte(b'\n'), 2)),
        [b'\\', b't', ..] => Some((Escaped::byte(b'\t'), 2)),
        [b'\\', b'r', ..] => Some((Escaped::byte(b'\r'), 2)),
        [b'\\', c @ (b'/' | b'"' | b'\'' | b'\\' | b'`'), ..] => Some((Escaped::byte(*c), 2)),
        [b'\\', b'u', b'{', ..] => {
            let close = rest.iter().take(10).position(|&b| b == b'}')?;
            Some((Escaped::code_point(hex_value(&rest[3..close])?)?, close + 1))
        }
        [b'\\', b'u', ..] if rest.len() >= 6 => {
            let unit = hex_value(&rest[2..6])?;
            if (0xD800..0xDC00).contains(&unit) {
                // A surrogate pair: the low half must follow.
                if rest.len() >= 12 && rest[6] == b'\\' && rest[7] == b'u' {
                    let low = hex_value(&rest[8..12])?;
                    if (0xDC00..0xE000).contains(&low) {
                        let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        return Some((Escaped::code_point(c)?, 12));
                    }
                }
                return None;
            }
            Some((Escaped::code_point(unit)?, 6))
        }
        [b'\\', b'x', a, b, ..] => Some((Escaped::code_point(hex_value(&[*a, *b])?)?, 4)),
        [b'&', b'#', b'x' | b'X', ..] => {
            let close = rest.iter().take(12).position(|&b| b == b';')?;
            Some((Escaped::code_point(hex_value(&rest[3..close])?)?, close + 1))
        }
        [b'&', b'#', ..] => {
            let close = rest.iter().take(12).position(|&b| b == b';')?;
            let digits = &rest[2..close];
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let value: u32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
            Some((Escaped::code_point(value)?, close + 1))
        }
        [b'&', ..] => {
            for (name, c) in [
                (&b"&amp;"[..], b'&'),
                (b"&quot;", b'"'),
                (b"&apos;", b'\''),
                (b"&lt;", b'<'),
                (b"&gt;", b'>'),
            ] {
                if rest.starts_with(name) {
                    return Some((Escaped::byte(c), name.len()));
                }
            }
            None
        }
        _ => None,
    }
}

/// Whether an escape changes what a rule can see: it stands for a character of a token or a
/// URL, or it is a line break or tab right before a word (which breaks the word boundary of
/// every prefix rule in the raw text). Other escapes (an accented letter, a quote) are decoded
/// only inside a window one of these opened.
fn escape_matters(text: &[u8], at: usize, decoded: &[u8], len: usize) -> bool {
    match decoded {
        [b'\n' | b'\t' | b'\r'] => text.get(at + len).is_some_and(|&b| is_word(b)),
        [c] => {
            c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'-' | b'+' | b'=' | b'@' | b':')
        }
        _ => false,
    }
}

/// Two sorted lists as one; the second is nearly always empty.
fn merge_sorted(a: Vec<usize>, b: &[usize]) -> Vec<usize> {
    if b.is_empty() {
        return a;
    }
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            merged.push(a[i]);
            i += 1;
        } else {
            merged.push(b[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    merged
}

/// Windows of lines around escapes that matter (at backslashes and numeric references), merged.
fn escape_windows(text: &[u8], triggers: Vec<usize>) -> Vec<Range<usize>> {
    let mut windows = Vec::new();
    for at in triggers {
        if windows
            .last()
            .is_some_and(|w: &Range<usize>| at < w.end.saturating_sub(64))
        {
            continue;
        }
        let Some((decoded, len)) = escape_at(text, at) else {
            continue;
        };
        if escape_matters(text, at, decoded.as_bytes(), len) {
            add_window(&mut windows, window_at(text, at..at + len));
        }
    }
    windows
}

/// The window with its escapes decoded, when any were.
fn unescape(text: &[u8], window: Range<usize>) -> Option<View> {
    let mut view = ViewBuilder::of(&window);
    let mut at = window.start;
    let mut literal_from = at;
    while at < window.end {
        let next = memchr::memchr2(b'\\', b'&', &text[at..window.end]).map(|i| at + i);
        let Some(i) = next else { break };
        match escape_at(&text[..window.end], i) {
            Some((decoded, len)) => {
                view.literal(text, literal_from..i);
                view.decoded(decoded.as_bytes(), i..i + len);
                at = i + len;
                literal_from = at;
            }
            None => {
                // `\\` that is not followed by a known escape stays as it is; skip both bytes so
                // an escaped backslash is not read as the start of another escape.
                at = i + if text[i] == b'\\' { 2 } else { 1 };
            }
        }
    }
    view.literal(text, literal_from..window.end);
    view.finish()
}

/// Whether the bytes before a percent-encoded value name a credential.
fn names_credential(before: &[u8]) -> bool {
    let lower = before.to_ascii_lowercase();
    ["pass", "secret", "token", "key", "auth", "cred", "pwd"]
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
}

fn is_url_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\')
}

/// Windows around URLs and values holding `%XX` in a credential context, merged.
fn percent_windows(text: &[u8], percents: Vec<usize>) -> Vec<Range<usize>> {
    let mut windows: Vec<Range<usize>> = Vec::new();
    let mut last_run_end = 0;
    for at in percents {
        if at < last_run_end
            || !text
                .get(at + 1..at + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        {
            continue;
        }
        let mut start = at;
        while start > 0 && at - start < 2048 && is_url_byte(text[start - 1]) {
            start -= 1;
        }
        let mut end = at;
        while end < text.len() && end - at < 2048 && is_url_byte(text[end]) {
            end += 1;
        }
        last_run_end = end;
        let run = &text[start..end];
        let with_user = memchr::memmem::find(run, b"://")
            .is_some_and(|i| memchr::memchr(b'@', &run[i..]).is_some());
        let line_start = memchr::memrchr(b'\n', &text[start.saturating_sub(128)..start])
            .map_or(start.saturating_sub(128), |i| {
                start.saturating_sub(128) + i + 1
            });
        if with_user || names_credential(&text[line_start..end]) {
            add_window(&mut windows, window_at(text, start..end));
        }
    }
    windows
}

/// A value with its `%XX` sequences decoded, when it holds any and the result is text (a
/// password a rule found in a URL, as the URL's user would type it).
pub fn percent_decoded(value: &[u8]) -> Option<String> {
    let view = percent_decode(value, 0..value.len())?;
    is_text(&view.text)
        .then(|| String::from_utf8(view.text).ok())
        .flatten()
}

/// The window with its `%XX` sequences decoded, when the result is UTF-8.
fn percent_decode(text: &[u8], window: Range<usize>) -> Option<View> {
    let mut view = ViewBuilder::of(&window);
    let mut literal_from = window.start;
    let mut at = window.start;
    while let Some(i) = memchr::memchr(b'%', &text[at..window.end]).map(|i| at + i) {
        let hex = text.get(i + 1..i + 3).filter(|_| i + 3 <= window.end);
        match hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
            Some(byte) => {
                view.literal(text, literal_from..i);
                view.decoded(&[byte], i..i + 3);
                at = i + 3;
                literal_from = at;
            }
            None => at = i + 1,
        }
    }
    view.literal(text, literal_from..window.end);
    view.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    /// Each decoded text with its layers, and where `needle` in it maps back to in the blob.
    fn decoded(bytes: &[u8]) -> Decodings {
        decode_all(
            bytes,
            Limits::for_blob(bytes.len(), DEFAULT_MAX_DEPTH),
            true,
        )
    }

    fn find(hay: &[u8], needle: &str) -> Range<usize> {
        let i = memchr::memmem::find(hay, needle.as_bytes()).expect("needle present");
        i..i + needle.len()
    }

    fn texts(d: &Decodings) -> Vec<String> {
        d.items
            .iter()
            .map(|i| String::from_utf8_lossy(&i.text).into_owned())
            .collect()
    }

    #[test]
    fn base64_values_in_value_positions_decode_and_map_to_the_encoded_run() {
        let secret = "dmo_Q7vR2mX9kL4pW8sZ and more text";
        let encoded = b64(secret);
        for line in [
            format!("  token: {encoded}\n"),
            format!("{{\"auth\": \"{encoded}\"}}"),
            format!("TOKEN={encoded}"),
            format!("Authorization: Basic {encoded}\r\n"),
            format!("key = '{}'", encoded.trim_end_matches('=')),
        ] {
            let d = decoded(line.as_bytes());
            assert_eq!(texts(&d), [secret], "{line}");
            let inner = find(&d.items[0].text, "Q7vR");
            let run = find(line.as_bytes(), encoded.trim_end_matches('='));
            let mapped = d.to_blob(0, inner);
            assert_eq!(mapped.start, run.start, "{line}");
            assert!(mapped.end >= run.end, "{line}");
            assert_eq!(d.layers(0), [Layer::Base64]);
        }
        // URL-safe without padding.
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("a?b>c~~~d?>>e~~?>");
        assert!(
            url_safe.contains('-') || url_safe.contains('_'),
            "{url_safe}"
        );
        assert_eq!(
            texts(&decoded(format!("x: {url_safe}").as_bytes())),
            ["a?b>c~~~d?>>e~~?>"]
        );
    }

    #[test]
    fn binary_hashes_uris_and_short_or_unplaced_runs_stay_encoded() {
        let png = base64::engine::general_purpose::STANDARD
            .encode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
        let text_b64 = b64("this is plain text, long enough");
        for line in [
            format!("src: \"data:image/png;base64,{png}\""),
            "integrity: sha512-2ZQ4mVbq8kR0x7Hf9lYtV3nW1uPa6CdEe5Gh8Jk0Lm4NoPq2RsTuVwXyZ01234567=="
                .to_string(),
            format!("key: {png}"),
            "id: 0123456789abcdef0123456789abcdef01234567".to_string(),
            format!("the words {text_b64} are not a value"),
            format!("x = {text_b64}.more"),
            "k: c2hvcnQ=".to_string(),
            "name: averyveryverylongidentifiername_thatis".to_string(),
        ] {
            assert!(
                decoded(line.as_bytes()).items.is_empty(),
                "{line}: {:?}",
                texts(&decoded(line.as_bytes()))
            );
        }
    }

    #[test]
    fn hex_is_decoded_only_when_it_is_text() {
        let hex: String = "password=hunter2!"
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            texts(&decoded(format!("v: {hex}").as_bytes())),
            ["password=hunter2!"]
        );
        assert_eq!(
            decoded(format!("v: {hex}").as_bytes()).items[0].layer,
            Layer::Hex
        );
    }

    #[test]
    fn escapes_that_matter_open_a_window_mapped_byte_for_byte() {
        let line = br#"{"token": "\u0067hp_abc", "other": "caf\u00e9"}"#;
        let d = decoded(line);
        assert_eq!(texts(&d), [r#"{"token": "ghp_abc", "other": "café"}"#]);
        let token = find(&d.items[0].text, "ghp_abc");
        assert_eq!(d.to_blob(0, token), find(line, r"\u0067hp_abc"));
        let abc = find(&d.items[0].text, "abc");
        assert_eq!(d.to_blob(0, abc), find(line, "abc"));

        let line = br#"msg = "line one\ndmo_Q7vR2mX9kL4pW8sZ""#;
        let d = decoded(line);
        assert_eq!(texts(&d), ["msg = \"line one\ndmo_Q7vR2mX9kL4pW8sZ\""]);
        let token = find(&d.items[0].text, "dmo_");
        assert_eq!(
            d.to_blob(0, token.start..token.start + 20),
            find(line, "dmo_Q7vR2mX9kL4pW8sZ")
        );

        for (escaped, plain) in [
            (r"a\x41\/b", "aA/b"),
            (r"&#103;&#x68;p &amp; q", "ghp & q"),
            (r"\u{1F600}x\u0041", "😀xA"),
            (r"\ud83d\ude00\u0041", "😀A"),
        ] {
            assert_eq!(texts(&decoded(escaped.as_bytes())), [plain], "{escaped}");
        }
        // Escapes that change nothing a rule sees open no window.
        for quiet in [
            r#"caf\u00e9 \n \"quoted\" C:\\path"#,
            "a &lt; b",
            r"\ud800x",
        ] {
            assert!(decoded(quiet.as_bytes()).items.is_empty(), "{quiet}");
        }
    }

    #[test]
    fn percent_encoding_is_decoded_in_credential_contexts_only() {
        let line = b"DATABASE_URL=postgres://app:p%40ss%2Fw0rd@db/app\n"; // credlint:allow postgres-connection-string
        let d = decoded(line);
        assert_eq!(texts(&d), ["DATABASE_URL=postgres://app:p@ss/w0rd@db/app"]);
        let pass = find(&d.items[0].text, "p@ss/w0rd");
        assert_eq!(d.to_blob(0, pass), find(line, "p%40ss%2Fw0rd"));
        assert_eq!(texts(&decoded(b"api_key=abc%2Bdef")), ["api_key=abc+def"]);
        assert_eq!(
            percent_decoded(b"p%40ss%2Fw0rd").as_deref(),
            Some("p@ss/w0rd")
        );
        assert_eq!(percent_decoded(b"plain-password"), None);
        assert!(decoded(b"see https://example.com/a%20b and 100%25")
            .items
            .is_empty());
        // Not UTF-8 after decoding: left alone.
        assert!(decoded(b"password=%ff%fe").items.is_empty());
    }

    #[test]
    fn decoding_is_recursive_to_the_depth_and_within_the_budget() {
        let inner = r#"{"token": "\u0067hp_abc"}"#;
        let once = b64(inner);
        let line = format!("data:\n  config.json: {once}\n");
        let d = decoded(line.as_bytes());
        assert_eq!(texts(&d), [inner, r#"{"token": "ghp_abc"}"#]);
        assert_eq!(d.layers(1), [Layer::Base64, Layer::Escapes]);
        let token = find(&d.items[1].text, "ghp_abc");
        assert_eq!(d.to_blob(1, token), find(line.as_bytes(), &once));

        // base64 of base64 of base64 of text, one layer per level.
        let mut value = "a secret for the test".to_string();
        for _ in 0..4 {
            value = format!("v: {}", b64(&value));
        }
        let layers = |depth: u8| {
            decode_all(value.as_bytes(), Limits::for_blob(value.len(), depth), true)
                .items
                .len()
        };
        assert_eq!(layers(0), 0);
        assert_eq!(layers(1), 1);
        assert_eq!(layers(3), 3);
        assert_eq!(layers(9), 4);

        let tight = decode_all(
            value.as_bytes(),
            Limits {
                max_depth: 9,
                max_bytes: 10,
            },
            true,
        );
        assert!(tight.items.is_empty() && tight.cut_short);
    }

    #[test]
    fn decoded_values_never_show_in_debug_output() {
        let value = DecodedValue {
            value: "dmo_Q7vR2mX9kL4pW8sZ".into(),
            layers: vec![Layer::Base64, Layer::Escapes],
        };
        assert!(!format!("{value:?}").contains("Q7vR"));
        assert_eq!(value.how(), "base64, then string escapes");
    }
}
