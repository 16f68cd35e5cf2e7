//! Admission: the one stage, shared by every source, that decides which bytes are matched and
//! in what form. A blob read from the disk, from standard input, from history, from a commit
//! range or from the staging area is judged here the same way:
//!
//! 1. **Content decides "binary", not the name.** A name on the always-binary list (`.png`,
//!    `.woff2`, `.so`...) skips a blob only when its magic bytes confirm the format
//!    ([`magic`]); a `settings.dat` or a `logo.png` holding text is scanned. Otherwise a NUL
//!    byte near the start (after decoding) makes it binary.
//! 2. **A byte-order mark is believed only when the decoded text is plausible** ([`text`]):
//!    UTF-16 and UTF-32 with a BOM are decoded to UTF-8 (lines and character columns are
//!    unchanged); a stray `FF FE` in front of ASCII is scanned as the bytes it is.
//!
//! 3. **Encoded values are decoded where they are plausible** ([`decode`]): base64 and hex
//!    values, percent-encoded URLs and values, string escapes; the pipeline matches the decoded
//!    texts too and reports what it finds there at the encoded span.
//!
//! What comes out is a [`Text`]: the bytes the engine matches. Decoders of encoded values and
//! containers plug in here, so that every source gets them at once.

pub mod container;
pub mod decode;
pub mod magic;
pub mod text;

use std::borrow::Cow;

use crate::source::SkipReason;

pub use text::Encoding;

/// How many bytes at the start of a blob are checked for a NUL to call it binary.
const BINARY_SNIFF_LEN: usize = 8192;

/// Bytes admitted for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<'a> {
    /// What the engine matches: the stored bytes, or their UTF-8 decoding.
    pub bytes: Cow<'a, [u8]>,
    /// How the stored bytes were encoded.
    pub encoding: Encoding,
}

/// The verdict on a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission<'a> {
    Text(Text<'a>),
    Skip(SkipReason),
}

/// Judges `bytes`, which live at `names` (paths or file names; any of them may carry an
/// always-binary extension).
pub fn admit<'a, 'n>(bytes: &'a [u8], names: impl IntoIterator<Item = &'n str>) -> Admission<'a> {
    if names
        .into_iter()
        .any(|name| magic::confirms_binary_name(name, bytes))
    {
        return Admission::Skip(SkipReason::Binary);
    }
    let text = text::decode(bytes);
    if looks_binary(&text.bytes) {
        return Admission::Skip(SkipReason::Binary);
    }
    Admission::Text(text)
}

/// Decodes `bytes` as [`admit`] would, without the binary test: for the older version a range
/// or staged change is compared with, which only needs the same lines the new version has.
pub fn as_text(bytes: &[u8]) -> Text<'_> {
    text::decode(bytes)
}

/// Whether content is binary: a NUL byte near the start.
pub fn looks_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_LEN)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    }

    fn admitted(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
        match admit(bytes, [name]) {
            Admission::Text(text) => Some(text.bytes.into_owned()),
            Admission::Skip(_) => None,
        }
    }

    #[test]
    fn the_name_alone_never_skips_text() {
        assert_eq!(
            admitted(b"token=abc\n", "settings.dat").as_deref(),
            Some(&b"token=abc\n"[..])
        );
        assert!(admitted(b"text in a png\n", "logo.png").is_some());
        assert!(admitted(b"\x89PNG\r\n\x1a\nIHDR", "logo.png").is_none());
        // A real image without a NUL in its first bytes is still skipped by its magic.
        assert!(admitted(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "doc.pdf").is_none());
        assert!(admitted(b"%PDF-1.7 as text", "notes.txt").is_some());
        assert!(admitted(b"abc\0def", "notes.txt").is_none());
    }

    #[test]
    fn utf16_is_decoded_when_plausible_and_scanned_raw_when_not() {
        assert_eq!(
            admitted(&utf16le("key=é\r\nx"), "a.ini").as_deref(),
            Some("key=é\r\nx".as_bytes())
        );
        let mut stray = vec![0xFF, 0xFE];
        stray.extend_from_slice(b"# settings\nTOKEN=abc\n");
        assert_eq!(admitted(&stray, ".env").as_deref(), Some(&stray[..]));
    }
}
