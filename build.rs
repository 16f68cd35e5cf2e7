//! Converts the built-in rule files (`rules/*.toml`) to JSON at build time.
//!
//! Every run loads the built-in rules, and parsing 330 KB of TOML took about 8 ms of CPU: most
//! of a pre-commit run. The same rules as JSON parse in well under a millisecond. The TOML files
//! stay the source of truth (and are compiled in as text for `rules` tests and error
//! messages); each rule keeps the line its `[[rule]]` table starts on, so a rule's origin still
//! reads `rules/cloud.toml:12`.

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
        let mut examples: Vec<serde_json::Value> = Vec::new();
        for spanned in file.rule {
            let line = 1 + text[..spanned.span().start].matches('\n').count();
            let mut def = spanned.into_inner();
            // Examples are 40% of the rules' bytes and only rule checks and docs read them: a
            // scan does not parse them (see RuleSet::builtin_for_scan).
            let mut pair = serde_json::Map::new();
            for field in ["examples", "negative_examples"] {
                if let Some(value) = def.remove(field) {
                    pair.insert(
                        field.into(),
                        serde_json::to_value(value).expect("TOML to JSON"),
                    );
                }
            }
            rules.push(serde_json::json!({ "line": line, "def": def }));
            examples.push(serde_json::Value::Object(pair));
        }
        for (suffix, value) in [(".json", rules), (".examples.json", examples)] {
            let json = serde_json::to_vec(&value).expect("TOML values convert to JSON");
            let mut target = Path::new(&out_dir).join(&name).into_os_string();
            target.push(suffix);
            std::fs::write(&target, json).expect("OUT_DIR is writable");
        }
    }
}
