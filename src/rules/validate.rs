//! Rule validation: field checks that need no regex, and the type of an example that failed.
//! Running the examples needs the engine, which sits above the rule model: that check lives in
//! [`crate::rulecheck`], and loading takes it as a [`super::Validation`].

use std::fmt;

use super::RuleDef;

/// Checks the fields of a definition; the error names the field.
pub(super) fn check_fields(def: &RuleDef) -> Result<(), (&'static str, String)> {
    let id_ok = !def.id.is_empty()
        && def
            .id
            .starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && def
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err((
            "id",
            "must be non-empty lowercase letters, digits and dashes (e.g. \"acme-api-key\")".into(),
        ));
    }
    for (field, value) in [
        ("title", &def.title),
        ("regex", &def.regex),
        ("remediation", &def.remediation),
        ("checklist", &def.checklist),
    ] {
        if value.trim().is_empty() {
            return Err((field, "is required and must not be empty".into()));
        }
    }
    if def.presence && def.paths.is_empty() {
        return Err((
            "paths",
            "a presence rule names the files it is about in `paths`".into(),
        ));
    }
    if def.keywords.is_empty() && def.paths.is_empty() {
        return Err((
            "keywords",
            "at least one keyword is required: the engine runs a rule only where one occurs \
             (a rule for particular files may instead name them in `paths`, and then runs over \
             the whole of each)"
                .into(),
        ));
    }
    for keyword in &def.keywords {
        if keyword.len() < 3 || !keyword.is_ascii() {
            return Err((
                "keywords",
                format!("{keyword:?}: keywords must be ASCII and at least 3 characters long"),
            ));
        }
    }
    for literal in &def.file_contains {
        if literal.len() < 3 || !literal.is_ascii() {
            return Err((
                "file_contains",
                format!("{literal:?}: literals must be ASCII and at least 3 characters long"),
            ));
        }
    }
    if !def.magic.is_empty() && !def.presence {
        return Err((
            "magic",
            "only presence rules (`presence = true`) have magic bytes".into(),
        ));
    }
    for magic in &def.magic {
        if magic.len() < 2 || super::decode_hex(magic).is_none() {
            return Err((
                "magic",
                format!("{magic:?}: magic bytes are an even number of hexadecimal digits"),
            ));
        }
    }
    for example in def.examples.iter().chain(&def.negative_examples) {
        if let Some(hex) = example.hex() {
            if super::decode_hex(hex).is_none() {
                return Err((
                    "examples",
                    format!("{hex:?}: hex examples are an even number of hexadecimal digits"),
                ));
            }
        }
    }
    for id in &def.supersedes {
        if *id == def.id {
            return Err(("supersedes", "a rule cannot supersede itself".into()));
        }
    }
    if let Some(min) = def.min_entropy {
        if !(0.0..=8.0).contains(&min) {
            return Err((
                "min_entropy",
                format!("{min} is outside 0.0..=8.0 bits per byte"),
            ));
        }
    }
    if let Some(min) = def.min_randomness {
        if !(0.0..=16.0).contains(&min) {
            return Err((
                "min_randomness",
                format!("{min} is outside 0.0..=16.0 bits per character"),
            ));
        }
    }
    if def.examples.is_empty() {
        return Err((
            "examples",
            "at least one example that the rule must match is required".into(),
        ));
    }
    if def.negative_examples.is_empty() {
        return Err((
            "negative_examples",
            "at least one negative example that the rule must not match is required".into(),
        ));
    }
    Ok(())
}

/// An example that does not behave as the rule says it should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub negative: bool,
    pub index: usize,
    pub text: String,
    pub problem: String,
}

impl ExampleFailure {
    pub fn field(&self) -> &'static str {
        if self.negative {
            "negative_examples"
        } else {
            "examples"
        }
    }
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown: String = self.text.chars().take(80).collect();
        if shown.len() < self.text.len() {
            shown.push('…');
        }
        write!(
            f,
            "{} {} ({:?}) {}",
            if self.negative {
                "negative example"
            } else {
                "example"
            },
            self.index + 1,
            shown,
            self.problem
        )
    }
}
