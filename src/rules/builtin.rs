//! The built-in rule files, compiled into the binary. Add a file here when you add one to
//! `rules/`; the test `every_rule_file_is_built_in` fails if you forget.

/// Lists the built-in rule files once, for their text and for the JSON `build.rs` made of them.
macro_rules! builtin_rule_files {
    ($($name:literal),* $(,)?) => {
        pub const BUILTIN_RULE_FILES: &[(&str, &str)] =
            &[$(($name, include_str!(concat!("../../rules/", $name)))),*];

        /// Each file's rules in the four parts `build.rs` splits them into.
        pub(crate) const BUILTIN_RULES_JSON: &[BuiltinJson] = &[$(BuiltinJson {
            name: $name,
            rules: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".json")),
            regexes: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".regex.txt")),
            text: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".text.json")),
            examples: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".examples.json")),
        }),*];
    };
}

/// One built-in rule file as JSON; each part lists its rules in the same order. Text, not bytes:
/// `serde_json::from_str` trusts it to be UTF-8, where `from_slice` validated every string
/// again (13% of parsing the rule set, on every run).
pub(crate) struct BuiltinJson {
    pub name: &'static str,
    /// `[{"line": N, "def": {...}}]`: what a scan loads, the definitions without the parts below.
    pub rules: &'static str,
    /// Each rule's regex followed by a NUL, in rule order (the `regex` in `rules` is empty).
    pub regexes: &'static str,
    /// `[{"title": ..., "description": ..., "remediation": ..., "checklist": ..., "references":
    /// [...]}]`: what reports and docs show (see [`super::RuleText`]).
    pub text: &'static str,
    /// `[{"examples": [...], "negative_examples": [...]}]`: what rule checks and docs add.
    pub examples: &'static str,
}

builtin_rule_files![
    "seeds.toml",
    "generic.toml",
    "cloud.toml",
    "source-hosting.toml",
    "private-keys.toml",
    "credential-files.toml",
    "password-hashes.toml",
    "client-exposure.toml",
    "chat.toml",
    "payments.toml",
    "ai.toml",
    "registries.toml",
    "databases.toml",
    "messaging.toml",
    "observability.toml",
    "saas.toml",
    "devops.toml",
    "security.toml",
    "social.toml",
    "crypto.toml",
];

#[cfg(test)]
mod tests {
    use crate::rules::RuleSet;

    /// `supersedes` names rules by id across files: a typo would silently leave duplicates.
    #[test]
    fn superseded_rules_exist_and_never_supersede_back() {
        let set = RuleSet::builtin().unwrap();
        for rule in set.rules() {
            for id in &rule.def.supersedes {
                let other = set
                    .get(id)
                    .unwrap_or_else(|| panic!("{} supersedes unknown rule {id:?}", rule.id()));
                assert!(
                    !other.def.supersedes.iter().any(|back| back == rule.id()),
                    "{} and {id} supersede each other",
                    rule.id()
                );
            }
        }
    }

    #[test]
    fn every_rule_file_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> = super::BUILTIN_RULE_FILES
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        built_in.sort();
        assert_eq!(on_disk, built_in);
    }
}
