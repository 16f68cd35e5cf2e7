//! Converts the built-in rule files (`rules/*.toml`) to JSON at build time.
//!
//! Every run loads the built-in rules, and parsing 330 KB of TOML took about 8 ms of CPU: most
//! of a pre-commit run. The same rules as JSON parse in well under a millisecond. The TOML files
//! stay the source of truth (and are compiled in as text for `rules` tests and error
//! messages); each rule keeps the line its `[[rule]]` table starts on, so a rule's origin still
//! reads `rules/cloud.toml:12`.
//!
//! Each file becomes four documents, in the same rule order: what a scan matches with
//! (`NAME.json`), the rules' regexes (`NAME.regex.txt`, below), the words reports show
//! (`NAME.text.json`: title, description, remediation, checklist, references; 70% of what is
//! left, parsed only when a report or the docs ask), and the examples (`NAME.examples.json`,
//! read by rule checks and docs only).
//!
//! The regexes are half of what a scan loads, and nearly every one is full of backslashes that
//! JSON escapes and its parser unescapes one by one. They are kept as plain text instead, each
//! followed by a NUL (which no rule's regex contains), and `NAME.json` has an empty `regex`.
//!
//! Each rule in `NAME.json` also carries its `reach`: the longest match its regex can make, when
//! that is bounded (the engine narrows the rule's windows to it). Parsing a regex for it costs
//! about 30 µs, which a pre-commit run would pay for every rule with a keyword hit.

use std::path::Path;

#[derive(serde::Deserialize)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<toml::Table>>,
}

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut names: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ is next to Cargo.toml")
        .map(|entry| entry.expect("rules/ is readable").file_name())
        .filter(|name| Path::new(name).extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    for name in names {
        let path = Path::new("rules").join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("rule files are UTF-8");
        let file: RuleFile = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a valid rule file: {e}", path.display()));
        let mut rules: Vec<serde_json::Value> = Vec::new();
        let mut words: Vec<serde_json::Value> = Vec::new();
        let mut examples: Vec<serde_json::Value> = Vec::new();
        let mut regexes = String::new();
        for spanned in file.rule {
            let line = 1 + text[..spanned.span().start].matches('\n').count();
            let mut def = spanned.into_inner();
            words.push(take_fields(&mut def, &RULE_TEXT_FIELDS));
            examples.push(take_fields(&mut def, &["examples", "negative_examples"]));
            let mut reach = None;
            if let Some(toml::Value::String(regex)) = def.get_mut("regex") {
                reach = longest_match(regex);
                assert!(
                    !regex.contains('\0'),
                    "{}: a regex holds a NUL, which separates them in NAME.regex.txt",
                    path.display()
                );
                regexes.push_str(&std::mem::take(regex));
            }
            regexes.push('\0');
            rules.push(serde_json::json!({ "line": line, "reach": reach, "def": def }));
        }
        for (suffix, value) in [
            (".json", rules),
            (".text.json", words),
            (".examples.json", examples),
        ] {
            let json = serde_json::to_vec(&value).expect("TOML values convert to JSON");
            let mut target = Path::new(&out_dir).join(&name).into_os_string();
            target.push(suffix);
            std::fs::write(&target, json).expect("OUT_DIR is writable");
        }
        let mut target = Path::new(&out_dir).join(&name).into_os_string();
        target.push(".regex.txt");
        std::fs::write(&target, regexes).expect("OUT_DIR is writable");
    }
}

/// The longest match of `regex` in bytes, if it has one, parsed as `rules::compile_regex` parses
/// it (`rules::syntax_config`; a test checks that both agree). `None` too for a regex that does
/// not parse: loading the rules reports that.
fn longest_match(regex: &str) -> Option<usize> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .crlf(true)
        .build()
        .parse(regex)
        .ok()?
        .properties()
        .maximum_len()
}

/// The fields of `rules::RuleText`.
const RULE_TEXT_FIELDS: [&str; 5] = [
    "title",
    "description",
    "remediation",
    "checklist",
    "references",
];

/// Moves `fields` (those present) out of a rule's table into a JSON object of their own.
fn take_fields(def: &mut toml::Table, fields: &[&str]) -> serde_json::Value {
    let mut taken = serde_json::Map::new();
    for field in fields {
        if let Some(value) = def.remove(*field) {
            let value = serde_json::to_value(value).expect("TOML values convert to JSON");
            taken.insert(field.to_string(), value);
        }
    }
    serde_json::Value::Object(taken)
}
