//! Everything that decodes or rewrites scanned bytes on its own: the validators (JWT, Basic auth,
//! GitHub checksums), admission (magic bytes, BOM plausibility, UTF-16/32 decoding), placeholder detection, redaction and output escaping.
#![no_main]

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
