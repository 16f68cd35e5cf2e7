//! Configuration loading (`.credlint.toml`: scan options, rule changes, allowlists with globs
//! and regexes, rules of one's own with their examples) on arbitrary text: errors must name a
//! line that exists; panics and hangs are bugs.
#![no_main]

use std::path::Path;

use credlint::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut rules = RuleSet::builtin().unwrap();
    if let Err(error) = credlint::config::load(".credlint.toml", Path::new("/repo"), &text, &mut rules) {
        let rendered = error.to_string();
        assert!(rendered.starts_with(".credlint.toml"), "{rendered}");
    }
});
