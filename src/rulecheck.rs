//! Checking a rule by its own examples: every example must produce a finding (with the stated
//! secret, when one is given) and no negative example may, through the engine's own matching
//! code. It sits above both the rule model and the engine, so that rules never call the engine:
//! loading a rule file fully takes this check as [`FULL`].

use crate::engine::single_rule_matches;
use crate::rules::{ExampleDef, ExampleFailure, Rule, Validation};

/// Full validation of a rule file: fields, regexes, globs, and [`check_examples`].
pub const FULL: Validation = Validation::Full(check_examples);

/// Every problem of a loaded rule, as (field, message): [`crate::rules::full_check`] with the
/// examples run through the engine.
pub fn full_check(rule: &Rule) -> Vec<(&'static str, String)> {
    crate::rules::full_check(rule, check_examples)
}

/// An example is tried alone, as a line ending in a newline, and between other lines (with CRLF
/// line ends), because that is how it meets the engine in real files.
fn contexts(text: &str) -> [(&'static str, String); 3] {
    [
        ("on its own", text.to_string()),
        ("followed by a newline", format!("{text}\n")),
        (
            "between other lines",
            format!("first line\r\n{text}\r\nlast line\r\n"),
        ),
    ]
}

/// Runs every example (must produce a finding, with the stated secret if one is given) and
/// every negative example (must produce none).
pub fn check_examples(rule: &Rule) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let failure = |negative, index, example: &ExampleDef, problem: String| ExampleFailure {
        negative,
        index,
        text: example.text().to_string(),
        problem,
    };
    if rule.regex().is_none() {
        return vec![ExampleFailure {
            negative: false,
            index: 0,
            text: rule.def.regex.clone(),
            problem: "the regex does not compile".into(),
        }];
    }
    if rule.def.presence {
        return check_presence_examples(rule);
    }
    for (index, example) in rule.def.examples.iter().enumerate() {
        for (context, text) in contexts(example.text()) {
            let text = text.as_bytes();
            let found = single_rule_matches(rule, example.path(), text);
            let secrets: Vec<String> = found
                .iter()
                .map(|m| String::from_utf8_lossy(&text[m.secret.clone()]).into_owned())
                .collect();
            let problem = match example.expected_secret() {
                _ if found.is_empty() => Some(format!(
                    "is not matched {context} (check the keywords, the regex, min_entropy, min_randomness and the placeholder filter)"
                )),
                Some(expected) if !secrets.iter().any(|s| s == expected) => Some(format!(
                    "extracts {secrets:?} {context}, not the expected secret {expected:?}"
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                failures.push(failure(false, index, example, problem));
                break;
            }
        }
    }
    for (index, example) in rule.def.negative_examples.iter().enumerate() {
        for (context, text) in contexts(example.text()) {
            let text = text.as_bytes();
            let found = single_rule_matches(rule, example.path(), text);
            if let Some(first) = found.first() {
                let secret = String::from_utf8_lossy(&text[first.secret.clone()]).into_owned();
                failures.push(failure(
                    true,
                    index,
                    example,
                    format!("is matched {context} (extracts {secret:?})"),
                ));
                break;
            }
        }
    }
    failures
}

/// A presence rule's examples are whole files (`text` or `hex`, at `path`): each example must be
/// reported as a file and no negative example may be.
fn check_presence_examples(rule: &Rule) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let examples = rule.def.examples.iter().map(|e| (false, e));
    let negatives = rule.def.negative_examples.iter().map(|e| (true, e));
    let mut index = [0usize; 2];
    for (negative, example) in examples.chain(negatives) {
        let at = &mut index[usize::from(negative)];
        let reported = crate::scan::presence::file_matches(rule, example.path(), &example.bytes());
        if reported == negative {
            failures.push(ExampleFailure {
                negative,
                index: *at,
                text: example.hex().unwrap_or(example.text()).to_string(),
                problem: if negative {
                    format!("is reported as a file at {}", example.path())
                } else {
                    format!(
                        "is not reported as a file at {} (check paths, magic, regex and file classes)",
                        example.path()
                    )
                },
            });
        }
        *at += 1;
    }
    failures
}
