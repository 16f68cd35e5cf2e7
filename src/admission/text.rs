//! Byte-order marks: UTF-16 and UTF-32 text is decoded to UTF-8 so rules see its characters,
//! but only when the decoding is plausible text. A BOM is two or four bytes anyone can put in
//! front of a file; believing it blindly turns `FF FE` + ASCII into a page of CJK characters and
//! hides every secret behind it.
//!
//! Decoding keeps lines and character columns: each code point becomes one character.

use std::borrow::Cow;

use super::Text;

/// How stored bytes were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, ASCII, or bytes taken as they are.
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// The bytes as text: decoded when they carry a UTF-16 or UTF-32 BOM and decode plausibly,
/// otherwise as they are.
pub fn decode(bytes: &[u8]) -> Text<'_> {
    let utf32 = match bytes {
        [0xFF, 0xFE, 0, 0, body @ ..] => Some((Encoding::Utf32Le, body)),
        [0, 0, 0xFE, 0xFF, body @ ..] => Some((Encoding::Utf32Be, body)),
        _ => None,
    };
    if let Some((encoding, body)) = utf32 {
        if let Some(text) = decode_utf32(body, encoding == Encoding::Utf32Le) {
            return decoded(text, encoding);
        }
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, body @ ..] => Some((Encoding::Utf16Le, body)),
        [0xFE, 0xFF, body @ ..] => Some((Encoding::Utf16Be, body)),
        _ => None,
    };
    if let Some((encoding, body)) = utf16 {
        if let Some(text) = decode_utf16(body, encoding == Encoding::Utf16Le) {
            return decoded(text, encoding);
        }
    }
    Text {
        bytes: Cow::Borrowed(bytes),
        encoding: Encoding::Utf8,
    }
}

fn decoded(text: String, encoding: Encoding) -> Text<'static> {
    Text {
        bytes: Cow::Owned(text.into_bytes()),
        encoding,
    }
}

/// At most this share of decoded characters may be control characters (other than tab, line
/// breaks and form feed) for the text to be believed.
const MAX_CONTROL_PER_MILLE: usize = 10;

fn decode_utf16(body: &[u8], little: bool) -> Option<String> {
    if !body.len().is_multiple_of(2) {
        return None;
    }
    // ASCII or UTF-8 text behind a stray BOM: every code unit would be two printable bytes, so
    // the body has no NUL byte and is itself valid UTF-8. Real UTF-16 text is almost never both
    // (any character below U+0100 has a zero byte).
    if memchr::memchr(0, body).is_none() && std::str::from_utf8(body).is_ok() {
        return None;
    }
    let units = body.chunks_exact(2).map(|pair| {
        if little {
            u16::from_le_bytes([pair[0], pair[1]])
        } else {
            u16::from_be_bytes([pair[0], pair[1]])
        }
    });
    // A lone surrogate (a file cut in the middle of a pair) becomes U+FFFD and counts against
    // plausibility like a control character.
    let mut text = String::with_capacity(body.len());
    let mut invalid = 0;
    for unit in char::decode_utf16(units) {
        text.push(unit.unwrap_or_else(|_| {
            invalid += 1;
            char::REPLACEMENT_CHARACTER
        }));
    }
    plausible(&text, invalid).then_some(text)
}

fn decode_utf32(body: &[u8], little: bool) -> Option<String> {
    if !body.len().is_multiple_of(4) {
        return None;
    }
    let mut text = String::with_capacity(body.len() / 2);
    for quad in body.chunks_exact(4) {
        let quad = [quad[0], quad[1], quad[2], quad[3]];
        let value = if little {
            u32::from_le_bytes(quad)
        } else {
            u32::from_be_bytes(quad)
        };
        text.push(char::from_u32(value)?);
    }
    plausible(&text, 0).then_some(text)
}

/// Few control characters: decoded binary or mis-decoded text is full of them.
fn plausible(text: &str, invalid: usize) -> bool {
    let mut chars = 0usize;
    let mut control = invalid;
    for c in text.chars() {
        chars += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c') {
            control += 1;
        }
    }
    control * 1000 <= chars * MAX_CONTROL_PER_MILLE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(text: &str, little: bool, wide: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        let bom = '\u{FEFF}';
        for c in std::iter::once(bom).chain(text.chars()) {
            if wide {
                let v = c as u32;
                bytes.extend_from_slice(&if little {
                    v.to_le_bytes()
                } else {
                    v.to_be_bytes()
                });
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    bytes.extend_from_slice(&if little {
                        unit.to_le_bytes()
                    } else {
                        unit.to_be_bytes()
                    });
                }
            }
        }
        bytes
    }

    #[test]
    fn every_bom_decodes_plausible_text() {
        let text = "[auth]\r\ntoken=ünïcode 𝄞\n";
        for (little, wide, encoding) in [
            (true, false, Encoding::Utf16Le),
            (false, false, Encoding::Utf16Be),
            (true, true, Encoding::Utf32Le),
            (false, true, Encoding::Utf32Be),
        ] {
            let bytes = encoded(text, little, wide);
            let decoded = decode(&bytes);
            assert_eq!(decoded.encoding, encoding);
            assert_eq!(decoded.bytes.as_ref(), text.as_bytes());
        }
        // Chinese text: no ASCII at all, still UTF-16.
        let chinese = encoded("密码设置", true, false);
        assert_eq!(decode(&chinese).encoding, Encoding::Utf16Le);
    }

    #[test]
    fn implausible_decodings_leave_the_bytes_as_they_are() {
        let mut stray = vec![0xFF, 0xFE];
        stray.extend_from_slice(b"# deploy\nGITHUB_TOKEN=abc\n");
        assert_eq!(decode(&stray).encoding, Encoding::Utf8);
        assert_eq!(decode(&stray).bytes.as_ref(), &stray[..]);
        // An odd length, lone surrogates, control characters: not UTF-16 text.
        assert_eq!(decode(b"\xff\xfea\0b").encoding, Encoding::Utf8);
        assert_eq!(decode(b"\xff\xfe\x00\xd8a\0").encoding, Encoding::Utf8);
        let mut cut = encoded(&"text line\n".repeat(20), true, false);
        cut.extend_from_slice(b"\x3d\xd8");
        assert_eq!(
            decode(&cut).encoding,
            Encoding::Utf16Le,
            "one lone surrogate at the end"
        );
        assert_eq!(
            decode(b"\xff\xfe\x01\0\x02\0\x03\0\x04\0").encoding,
            Encoding::Utf8
        );
        assert_eq!(decode(b"plain").encoding, Encoding::Utf8);
    }
}
