//! The built-in rule files, compiled into the binary. Add a file here when you add one to
//! `rules/`; the test `every_rule_file_is_built_in` fails if you forget.

pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    ("seeds.toml", include_str!("../../rules/seeds.toml")),
    ("generic.toml", include_str!("../../rules/generic.toml")),
    ("cloud.toml", include_str!("../../rules/cloud.toml")),
    (
        "source-hosting.toml",
        include_str!("../../rules/source-hosting.toml"),
    ),
    (
        "private-keys.toml",
        include_str!("../../rules/private-keys.toml"),
    ),
    (
        "client-exposure.toml",
        include_str!("../../rules/client-exposure.toml"),
    ),
    ("chat.toml", include_str!("../../rules/chat.toml")),
    ("payments.toml", include_str!("../../rules/payments.toml")),
    ("ai.toml", include_str!("../../rules/ai.toml")),
    (
        "registries.toml",
        include_str!("../../rules/registries.toml"),
    ),
    ("databases.toml", include_str!("../../rules/databases.toml")),
    ("messaging.toml", include_str!("../../rules/messaging.toml")),
    (
        "observability.toml",
        include_str!("../../rules/observability.toml"),
    ),
    ("saas.toml", include_str!("../../rules/saas.toml")),
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
