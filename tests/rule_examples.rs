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

/// Rule ids are stable: every id that ever shipped (tests/rule_ids.txt) still names a rule, and
/// a new rule is added to the list on purpose.
#[test]
fn rule_ids_are_stable() {
    let set = RuleSet::builtin().unwrap();
    let listed: Vec<&str> = include_str!("rule_ids.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    let gone: Vec<&&str> = listed.iter().filter(|id| set.get(id).is_none()).collect();
    assert!(
        gone.is_empty(),
        "rule ids that shipped no longer exist (ids are forever: keep the id, or disable the rule but keep it known): {gone:?}"
    );
    let unlisted: Vec<&str> = set
        .rules()
        .iter()
        .map(|r| r.id())
        .filter(|id| !listed.contains(id))
        .collect();
    assert!(
        unlisted.is_empty(),
        "new rule ids: add them to tests/rule_ids.txt: {unlisted:?}"
    );
}
