//! Which rules run, chosen the way ruff chooses lints: `--select` and `--ignore` on the command
//! line, `rules.select` and `rules.disable` in the configuration, each naming a rule id or a
//! category (a built-in rule file's name without `.toml`, or `custom` for a user's rules).
//!
//! With no selector every rule is selected. A rule runs when it is selected and not ignored,
//! where the more specific selector wins: `--select cloud --ignore aws-access-key-id` runs every
//! cloud rule but that one, and `--select aws-access-key-id --ignore cloud` runs that one. When
//! both name the rule equally specifically, ignoring wins.

use super::{Rule, RuleSet, CUSTOM_CATEGORY};

/// A rule id or a category, as checked against a rule set by [`RuleSet::selector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Rule(String),
    Category(String),
}

impl Selector {
    pub fn as_str(&self) -> &str {
        match self {
            Selector::Rule(text) | Selector::Category(text) => text,
        }
    }

    /// How specifically this names `rule`: 2 by id, 1 by category, `None` not at all.
    fn specificity(&self, rule: &Rule) -> Option<u8> {
        match self {
            Selector::Rule(id) => (rule.id() == id).then_some(2),
            Selector::Category(category) => (rule.category == *category).then_some(1),
        }
    }
}

/// The selectors of a command: what is selected (all rules when empty) and what is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
}

/// What a [`Selection`] does to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Run,
    /// Something is selected, and this rule is not.
    NotSelected,
    /// Named by an ignore at least as specific as what selects it.
    Ignored,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.select.is_empty() && self.ignore.is_empty()
    }

    pub fn decide(&self, rule: &Rule) -> Decision {
        let most_specific =
            |selectors: &[Selector]| selectors.iter().filter_map(|s| s.specificity(rule)).max();
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            most_specific(&self.select)
        };
        let Some(selected) = selected else {
            return Decision::NotSelected;
        };
        match most_specific(&self.ignore) {
            Some(ignored) if ignored >= selected => Decision::Ignored,
            _ => Decision::Run,
        }
    }
}

impl RuleSet {
    /// The categories of the set's rules, in the order their rules were loaded.
    pub fn categories(&self) -> Vec<&str> {
        let mut categories: Vec<&str> = Vec::new();
        for rule in &self.rules {
            if !categories.contains(&rule.category) {
                categories.push(rule.category);
            }
        }
        categories
    }

    /// Reads a selector: a rule id of this set (an id wins over a category of the same name) or
    /// one of its categories, ignoring case. The error says what was meant when it can tell.
    pub fn selector(&self, text: &str) -> Result<Selector, String> {
        let text = text.trim().to_ascii_lowercase();
        if self.knows(&text) {
            return Ok(Selector::Rule(text));
        }
        let categories = self.categories();
        if categories.contains(&text.as_str()) || text == CUSTOM_CATEGORY {
            return Ok(Selector::Category(text));
        }
        let candidates = categories
            .iter()
            .copied()
            .chain(self.rules.iter().map(Rule::id))
            .chain(self.disabled.iter().map(String::as_str));
        let hint = match crate::message::did_you_mean(&text, candidates).as_slice() {
            [] => String::new(),
            [one] => format!("; did you mean {one:?}?"),
            several => format!(
                "; did you mean one of {}?",
                several
                    .iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(format!(
            "no rule or category {text:?}{hint} (`credlint rules` lists the rules and their categories)"
        ))
    }

    /// Turns off every rule `selection` does not run; their ids stay known (an inline
    /// `credlint:allow ID` naming one stays rule-scoped). Returns how many were turned off.
    pub fn apply(&mut self, selection: &Selection) -> usize {
        if selection.is_empty() {
            return 0;
        }
        let mut off = Vec::new();
        self.retain(|rule| {
            let run = selection.decide(rule) == Decision::Run;
            if !run {
                off.push(rule.def.id.clone());
            }
            run
        });
        let count = off.len();
        self.disabled.extend(off);
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(selection: &Selection) -> Vec<String> {
        let mut set = RuleSet::builtin().unwrap();
        set.apply(selection);
        set.rules().iter().map(|r| r.id().to_string()).collect()
    }

    fn parse(set: &RuleSet, texts: &[&str]) -> Vec<Selector> {
        texts.iter().map(|t| set.selector(t).unwrap()).collect()
    }

    #[test]
    fn categories_are_the_rule_files() {
        let set = RuleSet::builtin().unwrap();
        let categories = set.categories();
        for expected in ["seeds", "cloud", "ai", "private-keys"] {
            assert!(categories.contains(&expected), "{categories:?}");
        }
        assert_eq!(set.get("jwt").unwrap().category, "generic");
        // A category that is also a rule id could never be selected as a category.
        for category in categories {
            assert!(set.get(category).is_none(), "{category} is a rule id too");
        }
    }

    #[test]
    fn the_more_specific_selector_wins_and_ignore_wins_ties() {
        let set = RuleSet::builtin().unwrap();
        let cloud: Vec<String> = set
            .rules()
            .iter()
            .filter(|r| r.category == "cloud")
            .map(|r| r.id().to_string())
            .collect();
        assert!(cloud.contains(&"aws-access-key-id".to_string()));

        let only_cloud = Selection {
            select: parse(&set, &["cloud"]),
            ignore: vec![],
        };
        assert_eq!(running(&only_cloud), cloud);

        let cloud_but_one = Selection {
            select: parse(&set, &["cloud"]),
            ignore: parse(&set, &["aws-access-key-id"]),
        };
        let ran = running(&cloud_but_one);
        assert_eq!(ran.len(), cloud.len() - 1);
        assert!(!ran.contains(&"aws-access-key-id".to_string()));

        let one_of_ignored = Selection {
            select: parse(&set, &["aws-access-key-id", "jwt"]),
            ignore: parse(&set, &["cloud", "jwt"]),
        };
        assert_eq!(running(&one_of_ignored), vec!["aws-access-key-id"]);

        let all_but_ai = Selection {
            select: vec![],
            ignore: parse(&set, &["ai"]),
        };
        let ran = running(&all_but_ai);
        assert!(ran.contains(&"jwt".to_string()) && !ran.iter().any(|id| id == "openai-api-key"));
    }

    #[test]
    fn turned_off_rules_stay_known() {
        let mut set = RuleSet::builtin().unwrap();
        let selection = Selection {
            select: parse(&set, &["JWT"]),
            ignore: vec![],
        };
        let off = set.apply(&selection);
        assert_eq!(set.len(), 1);
        assert!(off > 100);
        assert!(set.knows("aws-access-key-id") && set.get("aws-access-key-id").is_none());
    }

    #[test]
    fn unknown_selectors_are_rejected_with_a_suggestion() {
        let set = RuleSet::builtin().unwrap();
        let message = set.selector("clod").unwrap_err();
        assert!(message.contains("did you mean \"cloud\"?"), "{message}");
        let message = set.selector("aws-acess-key-id").unwrap_err();
        assert!(
            message.contains("did you mean \"aws-access-key-id\"?"),
            "{message}"
        );
        let message = set.selector("zzzzzzzzzz").unwrap_err();
        assert!(!message.contains("did you mean"), "{message}");
        assert_eq!(
            set.selector("custom"),
            Ok(Selector::Category("custom".into()))
        );
    }
}
