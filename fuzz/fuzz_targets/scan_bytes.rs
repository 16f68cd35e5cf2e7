//! The whole per-blob pipeline (engine, findings, inline allow) on arbitrary bytes, as three
//! kinds of file. Invariants: no panic, spans inside the blob, values equal to their bytes.
#![no_main]

use std::sync::{Arc, OnceLock};

use credlint::rules::RuleSet;
use credlint::scan::{ScanOptions, Scanner};
use credlint::source::ScanStats;
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(Arc::new(RuleSet::builtin().unwrap()), ScanOptions::default()))
}

fuzz_target!(|data: &[u8]| {
    let (selector, bytes) = match data.split_first() {
        Some((first, rest)) => (*first, rest),
        None => (0, data),
    };
    let path = ["src/app.py", "dist/app.min.js", "config/.env.development"][selector as usize % 3];
    let stats = ScanStats::default();
    let findings = scanner().scan_text(path, bytes, &stats);
    for f in &findings {
        assert!(f.byte_span.start < f.byte_span.end && f.byte_span.end <= bytes.len());
        assert_eq!(f.secret, String::from_utf8_lossy(&bytes[f.byte_span.clone()]));
        assert!(f.location.start_line >= 1 && f.location.start_line <= f.location.end_line);
    }
});
