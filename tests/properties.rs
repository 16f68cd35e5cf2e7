//! Property tests: for any bytes, with secrets, keywords, multi-byte characters and line endings
//! mixed in, every finding's span lies inside the blob, its value is the bytes at that span, and
//! its line and column agree with the bytes.

use std::sync::{Arc, OnceLock};

use credlint::rules::RuleSet;
use credlint::scan::{ScanOptions, Scanner};
use credlint::source::ScanStats;
use proptest::prelude::*;

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..24),
        "[a-z =\"':]{0,12}".prop_map(String::into_bytes),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just("é中😀".as_bytes().to_vec()),
        "[A-Za-z0-9]{32}".prop_map(|s| format!("ak_live_{s}").into_bytes()),
        "[A-Z2-7]{16}".prop_map(|s| format!("AKIA{s}").into_bytes()),
        "[A-Za-z0-9]{40}".prop_map(|s| format!("Authorization: Bearer {s}").into_bytes()),
        "[A-Za-z0-9/+]{40}".prop_map(|s| format!("aws_secret_access_key = {s}").into_bytes()),
        Just(b"password secret token api_key eyJ PRIVATE KEY -----BEGIN".to_vec()),
    ]
}

fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// Line and column of a byte offset, computed the slow, obvious way.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, char_count(&bytes[line_start..offset]) + 1)
}

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        Scanner::new(
            Arc::new(RuleSet::builtin().unwrap()),
            ScanOptions::default(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn findings_agree_with_the_bytes(pieces in prop::collection::vec(piece(), 0..40)) {
        let bytes: Vec<u8> = pieces.concat();
        let scanner = scanner();
        let stats = ScanStats::default();
        let findings = scanner.scan_text("p.txt", &bytes, &stats);
        for f in &findings {
            let span = f.byte_span.clone();
            prop_assert!(span.start < span.end && span.end <= bytes.len(), "span {span:?} outside {} bytes", bytes.len());
            prop_assert_eq!(&f.secret, &String::from_utf8_lossy(&bytes[span.clone()]).into_owned());
            let (line, column) = position(&bytes, span.start);
            prop_assert_eq!((f.location.start_line, f.location.start_column), (line, column));
            let (end_line, end_column) = position(&bytes, span.end);
            prop_assert_eq!((f.location.end_line, f.location.end_column), (end_line, end_column));
            prop_assert!(!f.redacted.contains(&f.secret) || f.secret.chars().count() <= 4);
        }
    }
}
