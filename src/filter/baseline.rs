//! Baselines: a file of the findings a team has accepted for now, so that a scan reports only
//! what is new.
//!
//! The pipeline ([`crate::scan`]) looks each surviving match up here by fingerprint, before the
//! per-file limit, and lists the entries nothing matched.
//!
//! An entry is a finding's fingerprint (a hash of the rule id, the repository path and the
//! secret; see [`crate::finding::fingerprint`]) with the rule id and the path beside it for the
//! humans who read the file. No line numbers (a moved line stays suppressed), no commits (a
//! squash or a rebase keeps it suppressed), no timestamps (regenerating an unchanged baseline
//! changes nothing), and never the secret: a different secret on the same line has a different
//! fingerprint and is reported.
//!
//! The file is JSON written for version control: one entry a line, sorted by path, rule and
//! fingerprint, each line ending in a comma, and a fixed last line with the format version:
//!
//! ```text
//! {
//!   "3f0c…": {"path": "deploy/app.ini", "rule_id": "aws-access-key-id"},
//!   "9a41…": {"path": "src/client.py", "rule_id": "transcodely-live-key"},
//!   "credlint_baseline": 1
//! }
//! ```
//!
//! Adding or removing an entry touches that one line and no other, so two branches that each
//! accept a different finding merge without a conflict (unless both add a line at the same
//! place, which `merge=union` in `.gitattributes` resolves correctly for this layout).

use std::collections::HashSet;
use std::fmt;

use crate::finding::Finding;
use crate::source::Coverage;

/// The key whose value is the format version; its line is always the last entry of the file.
pub const VERSION_KEY: &str = "credlint_baseline";
pub const VERSION: u64 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    pub path: Box<str>,
    /// Shared between the entries of one rule: a baseline of a generated file has thousands.
    pub rule_id: std::sync::Arc<str>,
    pub fingerprint: Box<str>,
}

/// A parsed or freshly built baseline: entries sorted, one per fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: Vec<Entry>,
}

/// A baseline file that cannot be used, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineError {
    pub origin: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.origin, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for BaselineError {}

impl Baseline {
    /// The baseline that accepts exactly these findings.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline::from_entries(
            findings
                .iter()
                .map(|f| Entry {
                    path: f.rel_path.as_str().into(),
                    rule_id: f.rule_id.as_str().into(),
                    fingerprint: f.fingerprint.as_str().into(),
                })
                .collect(),
        )
    }

    pub fn from_entries(mut entries: Vec<Entry>) -> Baseline {
        // One per fingerprint, the first in sort order, without a second copy of every one.
        entries.sort();
        let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            first.entry(&e.fingerprint).or_insert(i);
        }
        let keep: Vec<bool> = (0..entries.len())
            .map(|i| first.get(&*entries[i].fingerprint) == Some(&i))
            .collect();
        drop(first);
        let mut index = 0;
        entries.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        Baseline { entries }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads a baseline file's text. `origin` names it in errors.
    pub fn parse(origin: &str, text: &str) -> Result<Baseline, BaselineError> {
        let error = |line: Option<usize>, message: String| BaselineError {
            origin: origin.to_string(),
            line,
            message,
        };
        // Entry by entry, so that a baseline of a million entries costs its entries and not a
        // JSON tree of them.
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let parsed = serde::Deserializer::deserialize_any(&mut deserializer, FileVisitor)
            .and_then(|parsed| deserializer.end().map(|_| parsed))
            .map_err(|e| error(Some(e.line()), format!("not valid JSON: {e}")))?;
        let Some(parsed) = parsed else {
            return Err(error(
                None,
                "not a credlint baseline (expected a JSON object; `credlint baseline` writes one)"
                    .into(),
            ));
        };
        match &parsed.version {
            None => {
                return Err(error(
                    None,
                    format!("not a credlint baseline: it has no \"{VERSION_KEY}\" key (`credlint baseline` writes one)"),
                ))
            }
            Some(v) if v.as_u64() == Some(VERSION) => {}
            Some(v) => {
                return Err(error(
                    key_line(text, VERSION_KEY),
                    format!("baseline format {v} is not supported; this credlint reads format {VERSION}"),
                ))
            }
        }
        if let Some((key, message)) = parsed.problem {
            return Err(error(key_line(text, &key), message));
        }
        Ok(Baseline::from_entries(parsed.entries))
    }

    /// The file's text: one entry a line, sorted, the version last (see the module comment).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        for entry in &self.entries {
            // serde_json escapes quotes, backslashes and control characters in paths.
            out.push_str(&format!(
                "  {}: {{\"path\": {}, \"rule_id\": {}}},\n",
                json_string(&entry.fingerprint),
                json_string(&entry.path),
                json_string(&entry.rule_id)
            ));
        }
        out.push_str(&format!("  \"{VERSION_KEY}\": {VERSION}\n}}\n"));
        out
    }

    /// This baseline without its stale entries, given every finding of a scan (before the
    /// baseline was applied): entries outside the scan's scope are kept, and no new finding is
    /// accepted.
    pub fn pruned(&self, findings: &[Finding], scope: &Coverage) -> Baseline {
        let current: HashSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
        Baseline {
            entries: self
                .entries
                .iter()
                .filter(|e| !scope.covers(&e.path) || current.contains(&*e.fingerprint))
                .cloned()
                .collect(),
        }
    }
}

/// What a baseline file holds, read entry by entry.
struct ParsedFile {
    entries: Vec<Entry>,
    /// Each rule id once.
    rule_ids: Vec<std::sync::Arc<str>>,
    version: Option<serde_json::Value>,
    /// The first entry that is not one, and why.
    problem: Option<(String, String)>,
}

/// Reads the top-level object; anything else is `None` (not a baseline).
struct FileVisitor;

impl<'de> serde::de::Visitor<'de> for FileVisitor {
    type Value = Option<ParsedFile>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parsed = ParsedFile {
            entries: Vec::new(),
            rule_ids: Vec::new(),
            version: None,
            problem: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            let value: serde_json::Value = map.next_value()?;
            if key == VERSION_KEY {
                parsed.version = Some(value);
                continue;
            }
            if parsed.problem.is_some() {
                continue;
            }
            if !is_fingerprint(&key) {
                let message = format!("{key:?} is not a fingerprint (32 lowercase hex digits)");
                parsed.problem = Some((key, message));
                continue;
            }
            let field = |name: &str| value.get(name).and_then(|v| v.as_str());
            let (Some(path), Some(rule_id)) = (field("path"), field("rule_id")) else {
                let message = format!(
                    "entry {key:?} must be an object with string fields \"path\" and \"rule_id\""
                );
                parsed.problem = Some((key, message));
                continue;
            };
            let rule_id = match parsed.rule_ids.iter().find(|r| &***r == rule_id) {
                Some(shared) => shared.clone(),
                None => {
                    let shared: std::sync::Arc<str> = rule_id.into();
                    parsed.rule_ids.push(shared.clone());
                    shared
                }
            };
            parsed.entries.push(Entry {
                path: path.into(),
                rule_id,
                fingerprint: key.into_boxed_str(),
            });
        }
        Ok(Some(parsed))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

/// A fingerprint as a number, for sets of hundreds of thousands of them.
pub fn fingerprint_number(text: &str) -> Option<u128> {
    if !is_fingerprint(text) {
        return None;
    }
    u128::from_str_radix(text, 16).ok()
}

fn is_fingerprint(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The line where `"key"` first appears, for pointing at a bad entry.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let quoted = json_string(key);
    text.find(&quoted)
        .map(|at| crate::rules::line_of_offset(text, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, rule: &str, fp: &str) -> Entry {
        Entry {
            path: path.into(),
            rule_id: rule.into(),
            fingerprint: fp.into(),
        }
    }

    const FP1: &str = "0123456789abcdef0123456789abcdef";
    const FP2: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn round_trips_sorted_one_entry_a_line_version_last() {
        let baseline = Baseline::from_entries(vec![
            entry("z.py", "r", FP1),
            entry("a \"q\".py", "r", FP2),
            entry("z.py", "r", FP1),
        ]);
        let text = baseline.to_json();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(lines[1].contains(FP2) && lines[1].ends_with("},"));
        assert!(lines[2].contains(FP1) && lines[2].ends_with("},"));
        assert_eq!(lines[3], "  \"credlint_baseline\": 1");
        assert_eq!(Baseline::parse("b.json", &text).unwrap(), baseline);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = Baseline::parse("b.json", "{\n  \"x\": 1,\n").unwrap_err();
        assert_eq!(err.origin, "b.json");
        assert!(err.message.starts_with("not valid JSON"), "{err}");
        let err = Baseline::parse("b.json", "[]").unwrap_err();
        assert!(err.to_string().contains("not a credlint baseline"), "{err}");
        let err = Baseline::parse("b.json", "{\"a\": 1}").unwrap_err();
        assert!(
            err.to_string().contains("no \"credlint_baseline\" key"),
            "{err}"
        );
        let text = format!(
            "{{\n  \"{FP1}\": {{\"path\": \"a\", \"rule_id\": \"r\"}},\n  \"nothex\": {{\"path\": \"a\", \"rule_id\": \"r\"}},\n  \"credlint_baseline\": 1\n}}\n"
        );
        let err = Baseline::parse("b.json", &text).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        let text = format!("{{\n  \"{FP1}\": {{\"path\": 5}},\n  \"credlint_baseline\": 1\n}}\n");
        let err = Baseline::parse("b.json", &text).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        let err = Baseline::parse("b.json", "{\"credlint_baseline\": 9}").unwrap_err();
        assert!(err.message.contains("format 9"), "{err}");
    }

    #[test]
    fn a_union_merge_that_repeats_a_line_still_parses() {
        let line = format!("  \"{FP1}\": {{\"path\": \"a\", \"rule_id\": \"r\"}},\n");
        let text = format!("{{\n{line}{line}  \"credlint_baseline\": 1\n}}\n");
        assert_eq!(Baseline::parse("b.json", &text).unwrap().len(), 1);
    }
}
