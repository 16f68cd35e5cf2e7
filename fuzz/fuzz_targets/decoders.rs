//! Everything that decodes or rewrites scanned bytes on its own: the validators (JWT, Basic auth,
//! GitHub checksums), admission (magic bytes, BOM plausibility, UTF-16/32 decoding, the decoders
//! of encoded values and their maps back to the blob), placeholder detection, redaction and
//! output escaping.
#![no_main]

use credlint::admission::decode;
use credlint::engine::{placeholder, validators};
use credlint::report::escape;
use credlint::rules::Validator;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for validator in [Validator::Jwt, Validator::BasicAuth, Validator::GithubChecksum] {
        if let validators::Verdict::Accept(Some(note)) = validators::check(validator, data) {
            // Notes go into reports: they must never quote the value.
            if data.len() >= 8 {
                assert!(!note.as_bytes().windows(data.len()).any(|w| w == data));
            }
        }
    }
    let _ = credlint::admission::admit(data, ["a.txt", "b.png"]);
    // Decoding stays within its budget, yields text, and maps every decoded range back inside
    // the blob.
    for values in [true, false] {
        let limits = decode::Limits::for_blob(data.len(), decode::DEFAULT_MAX_DEPTH);
        let decodings = decode::decode_all(data, limits, values);
        let total: usize = decodings.items.iter().map(|i| i.text.len()).sum();
        assert!(total <= limits.max_bytes);
        for (index, item) in decodings.items.iter().enumerate() {
            assert!(std::str::from_utf8(&item.text).is_ok());
            assert!(item.depth >= 1 && item.depth <= decode::DEFAULT_MAX_DEPTH);
            for start in [0, item.text.len() / 2] {
                let end = (start + 7).min(item.text.len());
                if start < end {
                    let outer = decodings.to_blob(index, start..end);
                    assert!(outer.start <= outer.end && outer.end <= data.len());
                }
            }
        }
    }
    let _ = placeholder::is_placeholder(data);
    let text = String::from_utf8_lossy(data);
    let redacted = credlint::finding::redact(&text, &["ak_live_".to_string()]);
    assert!(redacted.ends_with('…'));
    let escaped = escape::terminal(&text);
    assert!(!escaped.contains('\x1b'));
    let github = escape::github_data(&text);
    assert!(!github.contains('\n') && !github.contains('\r'));
    let (line, start, width) = escape::line_for_terminal(&text, 0..text.len().min(3));
    assert!(start + width <= line.chars().count());
});
