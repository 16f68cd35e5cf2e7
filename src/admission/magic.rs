//! Formats that are always binary, by extension, each with the magic bytes that confirm it.
//!
//! A name is a hint, never a verdict: a blob is skipped by its extension only when its first
//! bytes are that format's signature. Extensions without a signature (`.bin`, `.dat`) are listed
//! so that the reason is documented, and never skip anything by name: their content decides.

/// Where a format's signature sits and what it is.
enum Signature {
    /// These bytes at this offset.
    At(usize, &'static [u8]),
    /// Any of several signatures.
    Any(&'static [Signature]),
    /// No signature: only the content test (a NUL byte near the start) decides.
    None,
}

use Signature::{Any, At};

const ZIP: Signature = Any(&[
    At(0, b"PK\x03\x04"),
    At(0, b"PK\x05\x06"),
    At(0, b"PK\x07\x08"),
]);
/// ISO base media files (MP4, QuickTime, HEIF, AVIF) start with a box whose type is `ftyp`.
const ISO_MEDIA: Signature = Any(&[
    At(4, b"ftyp"),
    At(4, b"moov"),
    At(4, b"mdat"),
    At(4, b"wide"),
    At(4, b"free"),
]);
const ELF: Signature = At(0, b"\x7fELF");
const MACH_O: Signature = Any(&[
    At(0, b"\xfe\xed\xfa\xce"),
    At(0, b"\xfe\xed\xfa\xcf"),
    At(0, b"\xce\xfa\xed\xfe"),
    At(0, b"\xcf\xfa\xed\xfe"),
    At(0, b"\xca\xfe\xba\xbe"),
]);

/// Extension (lower case) to signature.
const FORMATS: &[(&str, Signature)] = &[
    ("png", At(0, b"\x89PNG\r\n\x1a\n")),
    ("jpg", At(0, b"\xff\xd8\xff")),
    ("jpeg", At(0, b"\xff\xd8\xff")),
    ("gif", Any(&[At(0, b"GIF87a"), At(0, b"GIF89a")])),
    ("bmp", At(0, b"BM")),
    ("ico", At(0, b"\0\0\x01\0")),
    ("icns", At(0, b"icns")),
    ("webp", At(8, b"WEBP")),
    ("tif", Any(&[At(0, b"II*\0"), At(0, b"MM\0*")])),
    ("tiff", Any(&[At(0, b"II*\0"), At(0, b"MM\0*")])),
    ("psd", At(0, b"8BPS")),
    ("heic", ISO_MEDIA),
    ("avif", ISO_MEDIA),
    ("woff", At(0, b"wOFF")),
    ("woff2", At(0, b"wOF2")),
    ("ttf", Any(&[At(0, b"\0\x01\0\0"), At(0, b"true")])),
    ("otf", At(0, b"OTTO")),
    ("eot", At(34, b"LP")),
    (
        "mp3",
        Any(&[
            At(0, b"ID3"),
            At(0, b"\xff\xfb"),
            At(0, b"\xff\xf3"),
            At(0, b"\xff\xf2"),
        ]),
    ),
    ("mp4", ISO_MEDIA),
    ("m4a", ISO_MEDIA),
    ("m4v", ISO_MEDIA),
    ("mov", ISO_MEDIA),
    ("avi", At(8, b"AVI ")),
    ("mkv", At(0, b"\x1a\x45\xdf\xa3")),
    ("webm", At(0, b"\x1a\x45\xdf\xa3")),
    ("wav", At(8, b"WAVE")),
    ("flac", At(0, b"fLaC")),
    ("ogg", At(0, b"OggS")),
    ("oga", At(0, b"OggS")),
    ("zip", ZIP),
    ("jar", ZIP),
    ("war", ZIP),
    ("ear", ZIP),
    ("gz", At(0, b"\x1f\x8b")),
    ("tgz", At(0, b"\x1f\x8b")),
    ("bz2", At(0, b"BZh")),
    ("xz", At(0, b"\xfd7zXZ\0")),
    ("zst", At(0, b"\x28\xb5\x2f\xfd")),
    ("7z", At(0, b"7z\xbc\xaf\x27\x1c")),
    ("rar", At(0, b"Rar!\x1a\x07")),
    ("class", At(0, b"\xca\xfe\xba\xbe")),
    ("so", ELF),
    ("o", Any(&[ELF, MACH_O])),
    ("node", Any(&[ELF, MACH_O, At(0, b"MZ")])),
    ("dylib", MACH_O),
    ("dll", At(0, b"MZ")),
    ("exe", At(0, b"MZ")),
    ("a", At(0, b"!<arch>\n")),
    ("lib", At(0, b"!<arch>\n")),
    (
        "obj",
        Any(&[At(0, b"\x4c\x01"), At(0, b"\x64\x86"), At(0, b"\x64\xaa")]),
    ),
    // Python bytecode: a version-specific number, then CR LF.
    ("pyc", At(2, b"\r\n")),
    ("pyo", At(2, b"\r\n")),
    ("wasm", At(0, b"\0asm")),
    ("db", At(0, b"SQLite format 3\0")),
    ("sqlite", At(0, b"SQLite format 3\0")),
    ("sqlite3", At(0, b"SQLite format 3\0")),
    ("parquet", At(0, b"PAR1")),
    ("avro", At(0, b"Obj\x01")),
    ("npy", At(0, b"\x93NUMPY")),
    ("pdf", At(0, b"%PDF-")),
    ("xcf", At(0, b"gimp xcf")),
    // Generic names for data of any shape: content decides.
    ("bin", Signature::None),
    ("dat", Signature::None),
];

impl Signature {
    fn matches(&self, bytes: &[u8]) -> bool {
        match self {
            At(offset, magic) => bytes
                .get(*offset..offset + magic.len())
                .is_some_and(|found| found == *magic),
            Any(options) => options.iter().any(|s| s.matches(bytes)),
            Signature::None => false,
        }
    }
}

/// Whether `name` has an always-binary extension and `bytes` start with that format's signature.
pub fn confirms_binary_name(name: &str, bytes: &[u8]) -> bool {
    let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let Some((_, ext)) = file_name.rsplit_once('.') else {
        return false;
    };
    FORMATS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(ext))
        .is_some_and(|(_, signature)| signature.matches(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_confirm_their_extension_only() {
        assert!(confirms_binary_name(
            "assets/Logo.PNG",
            b"\x89PNG\r\n\x1a\n\0\0"
        ));
        assert!(!confirms_binary_name("assets/logo.png", b"TOKEN=abc"));
        assert!(!confirms_binary_name("logo.jpg", b"\x89PNG\r\n\x1a\n"));
        assert!(confirms_binary_name("clip.mp4", b"\0\0\0\x18ftypmp42"));
        assert!(confirms_binary_name("lib.jar", b"PK\x03\x04\x14\0"));
        assert!(!confirms_binary_name("settings.dat", b"\0\0\0"));
        assert!(!confirms_binary_name("png", b"\x89PNG\r\n\x1a\n"));
        assert!(!confirms_binary_name("x.webp", b"RIFF"));
    }
}
