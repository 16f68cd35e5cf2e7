//! Configured allowlists: findings that a team has decided are not secrets, described by where
//! they are (path globs), what they look like (regexes on the secret, stopwords in it) or the
//! line they are on (regexes on the line). Each allowlist applies to every rule or only to the
//! rules it names.
//!
//! Within one allowlist the kinds of criteria combine with AND (a path glob *and* a secret
//! regex, when both are given) and the entries of one kind with OR (any of the path globs), so
//! "this test key, in tests only" is one allowlist and "anything in tests, or this key anywhere"
//! is two. A finding is allowed when any allowlist allows it.
//!
//! Building these from the configuration file (and reporting mistakes in it with their line)
//! is the `config` module's job; this module only matches.

use std::ops::Range;

use globset::GlobSet;
use regex_automata::meta::Regex;

/// What an allowlist looks at: a match of a rule at a place in a blob.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub rule_id: &'a str,
    /// The repository-relative path of the place.
    pub rel_path: &'a str,
    /// Byte range of the value in the blob (for a decoded value, of its encoded form).
    pub span: Range<usize>,
    /// The value when it is not the bytes at `span`: a value decoded from them.
    pub value: Option<&'a [u8]>,
}

/// One `[[allowlist]]` table, compiled.
#[derive(Debug, Default)]
pub struct Allowlist {
    /// Rule ids it applies to; empty means every rule.
    pub rules: Vec<String>,
    /// Globs on the repository-relative path (forward slashes).
    pub paths: Option<GlobSet>,
    /// Regexes on the secret (a match anywhere in it counts; anchor with `^…$` for the whole).
    pub secrets: Vec<Regex>,
    /// Regexes on the line(s) the finding is on, in full.
    pub lines: Vec<Regex>,
    /// Words that mark a value as not a secret when they occur in it, ASCII case-insensitive;
    /// stored lowercase.
    pub stopwords: Vec<Vec<u8>>,
    /// Texts the secret must be part of (the examples of a configuration's own rules).
    pub within: Vec<String>,
}

impl Allowlist {
    /// Allows, in the file at this repository path exactly, the secrets that are part of one of
    /// these texts: the rule examples of a configuration file, in that file.
    pub fn for_examples_in(path: &str, texts: Vec<String>) -> Allowlist {
        Allowlist {
            within: texts,
            ..Allowlist::for_exact_path(path)
        }
    }

    /// Allows everything in the file at this repository path, exactly.
    pub fn for_exact_path(path: &str) -> Allowlist {
        let glob = globset::GlobBuilder::new(&globset::escape(path))
            .literal_separator(true)
            .build()
            .expect("an escaped path is a valid glob");
        let mut set = globset::GlobSetBuilder::new();
        set.add(glob);
        Allowlist {
            paths: set.build().ok(),
            ..Allowlist::default()
        }
    }

    /// Whether this allowlist has any criterion at all (one without would allow everything of
    /// its rules, which the configuration refuses).
    pub fn has_criteria(&self) -> bool {
        self.paths.is_some()
            || !self.secrets.is_empty()
            || !self.lines.is_empty()
            || !self.stopwords.is_empty()
    }

    /// Whether this allowlist allows `candidate`, whose value is at `candidate.span` in `blob`.
    pub fn allows(&self, candidate: &Candidate, blob: &[u8]) -> bool {
        if !self.has_criteria() {
            return false;
        }
        if !self.rules.is_empty() && !self.rules.iter().any(|r| r == candidate.rule_id) {
            return false;
        }
        if let Some(paths) = &self.paths {
            if !paths.is_match(candidate.rel_path) {
                return false;
            }
        }
        let span = clamp(candidate.span.clone(), blob.len());
        let secret = candidate.value.unwrap_or(&blob[span.clone()]);
        if !self.secrets.is_empty() && !self.secrets.iter().any(|re| re.is_match(secret)) {
            return false;
        }
        if !self.stopwords.is_empty() && !self.stopwords.iter().any(|w| contains_word(secret, w)) {
            return false;
        }
        if !self.within.is_empty()
            && !self
                .within
                .iter()
                .any(|text| memchr::memmem::find(text.as_bytes(), secret).is_some())
        {
            return false;
        }
        if !self.lines.is_empty() {
            let lines = &blob[lines_around(blob, span)];
            if !self.lines.iter().any(|re| re.is_match(lines)) {
                return false;
            }
        }
        true
    }
}

/// Every configured allowlist.
#[derive(Debug, Default)]
pub struct Allowlists {
    lists: Vec<Allowlist>,
}

impl Allowlists {
    pub fn new(lists: Vec<Allowlist>) -> Allowlists {
        Allowlists { lists }
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    pub fn push(&mut self, list: Allowlist) {
        self.lists.push(list);
    }

    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether any allowlist allows `candidate` (found in `blob`).
    pub fn allows(&self, candidate: &Candidate, blob: &[u8]) -> bool {
        self.lists.iter().any(|list| list.allows(candidate, blob))
    }
}

fn clamp(span: Range<usize>, len: usize) -> Range<usize> {
    span.start.min(len)..span.end.min(len)
}

/// The whole lines a value spans, without the final line break.
fn lines_around(bytes: &[u8], value: Range<usize>) -> Range<usize> {
    let start = memchr::memrchr(b'\n', &bytes[..value.start]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[value.end..]).map_or(bytes.len(), |i| value.end + i);
    let end = if end > start && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    start..end
}

fn contains_word(haystack: &[u8], lowercase_word: &[u8]) -> bool {
    !lowercase_word.is_empty()
        && haystack
            .windows(lowercase_word.len())
            .any(|w| w.eq_ignore_ascii_case(lowercase_word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compile_regex;
    use globset::{Glob, GlobSetBuilder};

    fn finding<'a>(rule: &'a str, path: &'a str, blob: &str, secret: &str) -> Candidate<'a> {
        let start = blob.find(secret).unwrap();
        Candidate {
            rule_id: rule,
            rel_path: path,
            span: start..start + secret.len(),
            value: None,
        }
    }

    fn globs(patterns: &[&str]) -> Option<GlobSet> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            b.add(Glob::new(p).unwrap());
        }
        Some(b.build().unwrap())
    }

    #[test]
    fn criteria_combine_with_and_entries_with_or() {
        let list = Allowlist {
            paths: globs(&["tests/**", "fixtures/**"]),
            secrets: vec![compile_regex("^FAKE").unwrap()],
            ..Allowlist::default()
        };
        let blob = "k = FAKE123 and REAL456\n";
        assert!(list.allows(
            &finding("r", "tests/a.py", blob, "FAKE123"),
            blob.as_bytes()
        ));
        assert!(list.allows(
            &finding("r", "fixtures/b", blob, "FAKE123"),
            blob.as_bytes()
        ));
        assert!(!list.allows(&finding("r", "src/a.py", blob, "FAKE123"), blob.as_bytes()));
        assert!(!list.allows(
            &finding("r", "tests/a.py", blob, "REAL456"),
            blob.as_bytes()
        ));
    }

    #[test]
    fn rule_scope_stopwords_and_whole_lines() {
        let blob = "x\r\nconst demo = 'SAMPLEkey99'; // docs\r\ny\n";
        let scoped = Allowlist {
            rules: vec!["a".into()],
            stopwords: vec![b"sample".to_vec()],
            ..Allowlist::default()
        };
        assert!(scoped.allows(&finding("a", "f", blob, "SAMPLEkey99"), blob.as_bytes()));
        assert!(!scoped.allows(&finding("b", "f", blob, "SAMPLEkey99"), blob.as_bytes()));
        let by_line = Allowlist {
            lines: vec![compile_regex(r"^const demo = .*// docs$").unwrap()],
            ..Allowlist::default()
        };
        assert!(by_line.allows(&finding("a", "f", blob, "SAMPLEkey99"), blob.as_bytes()));
        assert!(!by_line.allows(&finding("a", "f", blob, "x"), blob.as_bytes()));
    }

    #[test]
    fn an_allowlist_without_criteria_allows_nothing() {
        let empty = Allowlist {
            rules: vec!["a".into()],
            ..Allowlist::default()
        };
        assert!(!empty.allows(&finding("a", "f", "s", "s"), b"s"));
    }
}
