//! Every built-in rule's examples match (extracting the stated secret) and its negative examples
//! do not, through the engine's own matching code. One failure list for all rules, so a rule
//! author sees every problem at once.

use credlint::rulecheck::full_check;
use credlint::rules::{RuleSet, Validation, BUILTIN_RULE_FILES};

#[test]
fn every_builtin_rule_passes_its_examples() {
    let mut problems = Vec::new();
    let mut count = 0;
    for (name, text) in BUILTIN_RULE_FILES {
        let mut set = RuleSet::default();
        if let Err(e) = set.add_file(&format!("rules/{name}"), text, Validation::ParseOnly) {
            problems.push(e.to_string());
            continue;
        }
        for rule in set.rules() {
            count += 1;
            for (field, message) in full_check(rule) {
                problems.push(format!(
                    "{} ({}): field \"{field}\": {message}",
                    rule.id(),
                    rule.origin
                ));
            }
        }
    }
    assert!(count > 0, "no built-in rules were loaded");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn builtin_rule_ids_are_unique_across_files() {
    RuleSet::builtin().expect("built-in rules load without duplicate ids");
}
