//! File-level findings: files whose presence in a repository is the leak (an SSH private key
//! file, a PKCS#12 or Java keystore, Terraform state, a production `.env`, an `.htpasswd`).
//! Rules with `presence = true` describe them as data: `paths`, optional `magic` byte prefixes,
//! and a `regex` the file's bytes must match (`^` for any content).
//!
//! This runs before admission, because the most telling of these files (keystores) are binary
//! and admission skips binary files. A presence finding is one per file, at line 1, and it
//! yields to content: when a content rule reports (or a filter suppresses) a secret in the same
//! file, the file gets no presence finding, so `id_rsa` holding a private key the private-key
//! rule finds is reported once, by that rule, with the key's own fingerprint.

use crate::context::classify;
use crate::engine::Match;
use crate::finding::FindingBuilder;
use crate::rules::{Rule, RuleSet};
use crate::source::{Blob, Place, ScanStats};

use super::{Collected, LineIndex, Scanner};

/// Whether a presence rule reports the file at `path` with these bytes.
pub fn file_matches(rule: &Rule, path: &str, bytes: &[u8]) -> bool {
    if !rule.def.presence || bytes.is_empty() || !rule.applies_to_path(path) {
        return false;
    }
    if !rule.def.magic.is_empty()
        && !rule.def.magic.iter().any(|magic| {
            crate::rules::decode_hex(magic).is_some_and(|prefix| bytes.starts_with(&prefix))
        })
    {
        return false;
    }
    if !rule.file_classes.is_empty() || !rule.exclude_file_classes.is_empty() {
        let classes = classify(path, bytes);
        if (!rule.file_classes.is_empty() && !classes.intersects(rule.file_classes))
            || classes.intersects(rule.exclude_file_classes)
        {
            return false;
        }
    }
    rule.regex().is_some_and(|regex| regex.is_match(bytes))
}

/// The indices of the presence rules in `rules`.
pub fn rule_indices(rules: &RuleSet) -> Vec<usize> {
    (rules.rules().iter().enumerate())
        .filter(|(_, rule)| rule.def.presence)
        .map(|(index, _)| index)
        .collect()
}

/// The presence rules among `presence_rules` ([`rule_indices`]) that report this blob: (rule
/// index, index of the first place it applies at). A glob match per presence rule.
pub fn candidates(
    rules: &RuleSet,
    presence_rules: &[usize],
    places: &[Place],
    bytes: &[u8],
) -> Vec<(usize, usize)> {
    let rules = rules.rules();
    presence_rules
        .iter()
        .filter_map(|&index| {
            let place = places
                .iter()
                .position(|place| file_matches(&rules[index], place.rel_path, bytes))?;
            Some((index, place))
        })
        .collect()
}

impl Scanner {
    /// Reports the presence findings of a blob, through the same filters as content findings
    /// (allowlists, baseline; an inline allow cannot be written into a binary file). The
    /// finding's value is the file's name, so its fingerprint is stable for the path.
    pub(super) fn report_presence(
        &self,
        found: &[(usize, usize)],
        blob: &Blob,
        stats: &ScanStats,
        out: &mut Collected,
    ) {
        let rules = self.rules().rules();
        for &(rule_index, place_index) in found {
            let rule: &Rule = &rules[rule_index];
            let place = &blob.places[place_index];
            let name = place
                .rel_path
                .rsplit('/')
                .next()
                .unwrap_or(place.rel_path)
                .as_bytes();
            let found = Match {
                rule: rule_index,
                span: 0..name.len(),
                secret: 0..name.len(),
                severity: rule.def.severity,
                notes: Vec::new(),
                decoded: None,
            };
            let lines = LineIndex::new(name);
            match self.judge(&found, place, name, None, &lines, stats, out) {
                Ok(fingerprint) => {
                    let mut builder = FindingBuilder::new(name, place.path, place.rel_path);
                    let mut finding = builder.build(rule, &found, &[], fingerprint);
                    finding.origin = place.origin;
                    finding.object = blob.object.map(str::to_string);
                    out.findings.push(finding);
                }
                Err(reason) => out.count_suppressed(reason),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> RuleSet {
        let mut set = RuleSet::default();
        set.add_file("t.toml", text, crate::rulecheck::FULL)
            .expect("rule loads");
        set
    }

    const KEYSTORE: &str = r#"
[[rule]]
id = "demo-keystore"
title = "Keystore"
kind = "secret"
severity = "high"
presence = true
paths = ["*.jks"]
magic = ["FEEDFEED"]
regex = '''^'''
remediation = "r"
checklist = "c"
examples = [{ hex = "FEEDFEED00000002", path = "app/release.jks" }]
negative_examples = [{ text = "version https://git-lfs.github.com/spec/v1", path = "app/release.jks" }]
"#;

    #[test]
    fn magic_and_path_both_decide() {
        let set = rules(KEYSTORE);
        let rule = &set.rules()[0];
        assert!(file_matches(
            rule,
            "app/release.jks",
            b"\xFE\xED\xFE\xED\0\0\0\x02"
        ));
        assert!(!file_matches(
            rule,
            "app/release.bin",
            b"\xFE\xED\xFE\xED\0\0\0\x02"
        ));
        assert!(!file_matches(
            rule,
            "app/release.jks",
            b"version https://git-lfs"
        ));
        assert!(!file_matches(rule, "app/release.jks", b""));
        let places = [Place {
            path: "x/app/release.jks",
            rel_path: "app/release.jks",
            origin: 0,
        }];
        assert_eq!(
            candidates(&set, &rule_indices(&set), &places, b"\xFE\xED\xFE\xED\0"),
            vec![(0, 0)]
        );
    }

    #[test]
    fn a_presence_rule_needs_paths() {
        let text = KEYSTORE.replace("paths = [\"*.jks\"]\n", "");
        let err = RuleSet::default()
            .add_file("t.toml", &text, crate::rulecheck::FULL)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("paths"));
    }

    #[test]
    fn bad_magic_is_an_error() {
        let text = KEYSTORE.replace("FEEDFEED\"]", "FEEDFEE\"]");
        let err = RuleSet::default()
            .add_file("t.toml", &text, crate::rulecheck::FULL)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("magic"));
    }
}
