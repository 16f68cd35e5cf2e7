//! Rule-file loading with full validation (TOML parsing, globs, regex compilation, examples run
//! through the engine) on arbitrary text: errors are fine, panics and hangs are not.
#![no_main]

use credlint::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut set = RuleSet::default();
    if let Err(error) = set.add_file("fuzz.toml", &text, credlint::rulecheck::FULL) {
        // Errors must render; their line must exist in the input.
        let _ = error.to_string();
        if let Some(line) = error.line {
            assert!(line >= 1 && line <= text.lines().count().max(1) + 1);
        }
    }
});
