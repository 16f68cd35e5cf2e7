//! The configuration file, `.credlint.toml`: what a team decides once and commits beside its
//! code. It turns rules off, changes their severity, adds rules of its own (in the format of
//! `rules/*.toml`, checked with every example), declares allowlists, and sets scan options
//! (size limit, excludes, fail-on threshold, baseline file).
//!
//! Loading checks everything before a single file is scanned: unknown keys, wrong types, bad
//! globs and regexes, unknown rule ids and rules whose examples fail are all reported together,
//! each with the file, the line and the key. The file's JSON schema (for editors) is
//! [`SCHEMA`]; a test keeps it in step with the types here.

pub mod settings;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::filter::allowlist::{Allowlist, Allowlists};
use crate::rules::{
    compile_regex, line_of_offset, Decision, FailOn, RuleDef, RuleSet, Selection, Selector,
    Severity,
};

/// The name looked for at the root of what is scanned.
pub const FILE_NAME: &str = ".credlint.toml";

/// The JSON schema of the configuration file (draft-07), as shipped in `schema/`.
pub const SCHEMA: &str = include_str!("../../schema/credlint.schema.json");

/// A loaded configuration: what is left once its rule changes have been applied to a rule set.
#[derive(Debug, Default)]
pub struct Config {
    /// The file, as named in messages.
    pub origin: String,
    pub max_file_size: Option<u64>,
    /// Findings kept per file before the scan of it stops.
    pub max_findings_per_file: Option<u64>,
    /// Nesting levels of archives opened (0: none).
    pub max_archive_depth: Option<u32>,
    /// Gitignore-style patterns of paths not to scan, added to `--exclude`.
    pub excludes: Vec<String>,
    pub fail_on: Option<FailOn>,
    /// The baseline file, resolved against the configuration file's directory.
    pub baseline: Option<PathBuf>,
    pub allowlists: Allowlists,
    /// `rules.select` and `rules.disable`, checked; the command line's `--select` replaces the
    /// former and `--ignore` adds to the latter (see [`crate::rules::Selection`]).
    pub selection: Selection,
    pub rules_added: usize,
    pub severities_changed: usize,
    /// The texts of the examples and negative examples of the rules the file adds: the only
    /// part of the file that a scan of it does not report (they are meant to look like keys).
    pub example_texts: Vec<String>,
}

/// One mistake in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    /// The key, as a dotted path (`scan.exclude`, `allowlist.secrets`), when known.
    pub key: Option<String>,
    pub message: String,
}

/// Everything wrong with a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub origin: String,
    pub problems: Vec<Problem>,
}

impl ConfigError {
    fn single(origin: &str, line: Option<usize>, key: Option<String>, message: String) -> Self {
        ConfigError {
            origin: origin.to_string(),
            problems: vec![Problem { line, key, message }],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&self.origin)?;
            if let Some(line) = problem.line {
                write!(f, ":{line}")?;
            }
            f.write_str(": ")?;
            if let Some(key) = &problem.key {
                write!(f, "{key}: ")?;
            }
            f.write_str(&problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    scan: ScanTable,
    #[serde(default)]
    rules: RulesTable,
    #[serde(default)]
    allowlist: Vec<Spanned<AllowlistTable>>,
    #[serde(default)]
    rule: Vec<Spanned<RuleDef>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanTable {
    #[serde(default)]
    max_file_size: Option<Spanned<SizeValue>>,
    #[serde(default)]
    max_findings_per_file: Option<Spanned<i64>>,
    #[serde(default)]
    max_archive_depth: Option<Spanned<i64>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    baseline: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SizeValue {
    Bytes(i64),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesTable {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<Severity>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowlistTable {
    #[serde(default)]
    #[allow(dead_code)] // for the humans reading the file
    description: Option<String>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    secrets: Vec<Spanned<String>>,
    #[serde(default)]
    lines: Vec<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<Spanned<String>>,
}

/// Looks for [`FILE_NAME`] in `dir`.
pub fn find_in(dir: &Path) -> Option<PathBuf> {
    let path = dir.join(FILE_NAME);
    path.is_file().then_some(path)
}

/// Reads and loads a configuration file (see [`load`]); `origin` names it in messages.
pub fn read(path: &Path, origin: &str, rules: &mut RuleSet) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::single(
            origin,
            None,
            None,
            format!(
                "cannot read the configuration: {}",
                crate::source::describe_io_error(&e)
            ),
        )
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    load(origin, base, &text, rules)
}

/// Parses a configuration's text and applies its rule changes to `rules`. `origin` names the
/// file in errors; `base_dir` is what relative paths in it (the baseline) are relative to. On
/// error `rules` may be partly changed and should be dropped.
pub fn load(
    origin: &str,
    base_dir: &Path,
    text: &str,
    rules: &mut RuleSet,
) -> Result<Config, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| s.start);
        ConfigError::single(
            origin,
            at.map(|at| line_of_offset(text, at)),
            at.and_then(|at| key_path_at(text, at)),
            plain_toml_message(e.message()),
        )
    })?;
    let mut problems = Vec::new();
    let mut config = Config {
        origin: origin.to_string(),
        ..Config::default()
    };

    for def in file.rule {
        config.example_texts.extend(
            def.get_ref()
                .examples
                .iter()
                .chain(&def.get_ref().negative_examples)
                .map(|e| e.text().to_string()),
        );
        let line = line_of_offset(text, def.span().start);
        match rules.add_spanned(origin, text, vec![def], crate::rulecheck::FULL) {
            Ok(()) => config.rules_added += 1,
            Err(e) => {
                let mut key = String::from("rule");
                if let Some(id) = &e.rule_id {
                    key.push_str(&format!(" \"{id}\""));
                }
                if let Some(field) = &e.field {
                    key.push_str(&format!(": field \"{field}\""));
                }
                problems.push(Problem {
                    line: e.line.or(Some(line)),
                    key: Some(key),
                    message: e.message,
                });
            }
        }
    }
    let mut problem_at = |span: std::ops::Range<usize>, key: &str, message: String| {
        problems.push(Problem {
            line: Some(line_of_offset(text, span.start)),
            key: Some(key.to_string()),
            message,
        });
    };

    let unknown_rule = |id: &str| {
        format!("no rule {id:?} (`credlint rules` lists the built-in rules; [[rule]] adds one)")
    };
    for (key, texts, out) in [
        (
            "rules.select",
            &file.rules.select,
            &mut config.selection.select,
        ),
        (
            "rules.disable",
            &file.rules.disable,
            &mut config.selection.ignore,
        ),
    ] {
        for text in texts {
            match rules.selector(text.get_ref()) {
                Ok(selector) => out.push(selector),
                Err(message) => problem_at(text.span(), key, message),
            }
        }
    }
    for (id, severity) in &file.rules.severity {
        let key = format!("rules.severity.{id}");
        match rules.get_mut(id) {
            Some(rule) if config.selection.decide(rule) == Decision::Ignored => {
                let by_id = config
                    .selection
                    .ignore
                    .contains(&Selector::Rule(id.clone()));
                let message = if by_id {
                    format!("rule {id:?} is disabled in rules.disable")
                } else {
                    format!(
                        "rule {id:?} is disabled in rules.disable (by its category {:?})",
                        rule.category
                    )
                };
                problem_at(severity.span(), &key, message);
            }
            Some(rule) => {
                rule.def.severity = *severity.get_ref();
                config.severities_changed += 1;
            }
            None => problem_at(severity.span(), &key, unknown_rule(id)),
        }
    }

    let scan = &file.scan;
    if let Some(size) = &scan.max_file_size {
        let parsed = match size.get_ref() {
            SizeValue::Bytes(n) if *n >= 0 => parse_size(&n.to_string()),
            SizeValue::Bytes(n) => Err(format!("{n} is not a size")),
            SizeValue::Text(text) => parse_size(text),
        };
        match parsed {
            Ok(n) => config.max_file_size = Some(n),
            Err(message) => problem_at(size.span(), "scan.max_file_size", message),
        }
    }
    if let Some(limit) = &scan.max_findings_per_file {
        match u64::try_from(*limit.get_ref()) {
            Ok(n) if n >= 1 => config.max_findings_per_file = Some(n),
            _ => problem_at(
                limit.span(),
                "scan.max_findings_per_file",
                format!("{} is not a positive number of findings", limit.get_ref()),
            ),
        }
    }
    if let Some(depth) = &scan.max_archive_depth {
        match u32::try_from(*depth.get_ref()) {
            Ok(n) => config.max_archive_depth = Some(n),
            _ => problem_at(
                depth.span(),
                "scan.max_archive_depth",
                format!(
                    "{} is not a number of nesting levels (0 turns archives off)",
                    depth.get_ref()
                ),
            ),
        }
    }
    let mut excludes = ignore::gitignore::GitignoreBuilder::new("");
    for pattern in &scan.exclude {
        match excludes.add_line(None, pattern.get_ref()) {
            Ok(_) => config.excludes.push(pattern.get_ref().clone()),
            Err(e) => problem_at(
                pattern.span(),
                "scan.exclude",
                format!("bad pattern {:?}: {e}", pattern.get_ref()),
            ),
        }
    }
    if let Some(fail_on) = &scan.fail_on {
        match FailOn::parse(fail_on.get_ref()) {
            Ok(value) => config.fail_on = Some(value),
            Err(message) => problem_at(fail_on.span(), "scan.fail_on", message),
        }
    }
    if let Some(baseline) = &scan.baseline {
        if baseline.get_ref().trim().is_empty() {
            problem_at(baseline.span(), "scan.baseline", "must not be empty".into());
        } else {
            config.baseline = Some(base_dir.join(baseline.get_ref()));
        }
    }

    let mut lists = Vec::new();
    for table in &file.allowlist {
        let def = table.get_ref();
        let mut list = Allowlist::default();
        for id in &def.rules {
            if rules.knows(id.get_ref()) {
                list.rules.push(id.get_ref().clone());
            } else {
                problem_at(id.span(), "allowlist.rules", unknown_rule(id.get_ref()));
            }
        }
        if !def.paths.is_empty() {
            let mut builder = GlobSetBuilder::new();
            for pattern in &def.paths {
                match Glob::new(pattern.get_ref()) {
                    Ok(glob) => {
                        builder.add(glob);
                    }
                    Err(e) => problem_at(
                        pattern.span(),
                        "allowlist.paths",
                        format!("bad glob {:?}: {}", pattern.get_ref(), glob_reason(&e)),
                    ),
                }
            }
            match builder.build() {
                Ok(set) => list.paths = Some(set),
                Err(e) => problem_at(table.span(), "allowlist.paths", e.to_string()),
            }
        }
        for (key, patterns, out) in [
            ("allowlist.secrets", &def.secrets, &mut list.secrets),
            ("allowlist.lines", &def.lines, &mut list.lines),
        ] {
            for pattern in patterns {
                match compile_regex(pattern.get_ref()) {
                    Ok(regex) => out.push(regex),
                    Err(e) => problem_at(
                        pattern.span(),
                        key,
                        format!("bad regex {:?}: {e}", pattern.get_ref()),
                    ),
                }
            }
        }
        for word in &def.stopwords {
            let w = word.get_ref();
            if w.len() < 3 || !w.is_ascii() {
                problem_at(
                    word.span(),
                    "allowlist.stopwords",
                    format!("{w:?}: stopwords must be ASCII and at least 3 characters long"),
                );
            } else {
                list.stopwords.push(w.to_ascii_lowercase().into_bytes());
            }
        }
        if def.paths.is_empty()
            && def.secrets.is_empty()
            && def.lines.is_empty()
            && def.stopwords.is_empty()
        {
            problem_at(
                table.span(),
                "allowlist",
                "an allowlist needs at least one of paths, secrets, lines or stopwords (to turn a rule off everywhere, use rules.disable)".into(),
            );
        }
        lists.push(list);
    }
    config.allowlists = Allowlists::new(lists);

    problems.sort_by_key(|p| p.line);
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError {
            origin: origin.to_string(),
            problems,
        })
    }
}

/// Sizes as bytes or with a binary unit: `1048576`, `500K`, `64M`, `64MiB`, `1G`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 500K, 64M, 1G)"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (use K, M or G)")),
    };
    let size = number
        .checked_mul(multiplier)
        .filter(|&size| size <= MAX_SIZE)
        .ok_or_else(|| format!("{text:?} is too large (at most 1024G)"))?;
    if size == 0 {
        return Err(format!("{text:?}: a size limit of 0 would skip everything"));
    }
    Ok(size)
}

/// The largest size limit taken: files are read whole, so a limit beyond memory means nothing
/// (and a larger one would wrap around where the limit is compared).
const MAX_SIZE: u64 = 1 << 40;

/// TOML's message in the words of this file: keys, not fields; tables, not the types that hold
/// them here.
fn plain_toml_message(message: &str) -> String {
    let mut text = message.trim().replace("unknown field", "unknown key");
    while let Some(at) = text.find("expected struct ") {
        let name_start = at + "expected struct ".len();
        let name_end = text[name_start..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(text.len(), |i| name_start + i);
        text.replace_range(at..name_end, "expected a table");
    }
    text
}

/// globset's error text repeats the pattern; keep only the reason.
fn glob_reason(error: &globset::Error) -> String {
    error.kind().to_string()
}

/// The dotted key at `offset` (`scan.exclude`), from the line's `key =` and the table header
/// above it; for an error TOML reports at a position rather than a key.
fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim();
    let header = |line: &str| -> Option<String> {
        let inner = line.strip_prefix('[')?;
        let end = inner.find(']')?;
        Some(
            inner[..end]
                .trim_matches(|c| c == '[' || c == ' ')
                .to_string(),
        )
    };
    if line.starts_with('[') {
        return header(line);
    }
    let key = line.split_once('=')?.0.trim().trim_matches('"').to_string();
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(header);
    Some(match table {
        Some(table) => format!("{table}.{key}"),
        None => key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<(Config, RuleSet), ConfigError> {
        let mut rules = RuleSet::builtin().unwrap();
        let config = load("c.toml", Path::new("/repo"), text, &mut rules)?;
        Ok((config, rules))
    }

    fn first_problem(text: &str) -> Problem {
        load_text(text).unwrap_err().problems[0].clone()
    }

    #[test]
    fn an_empty_file_changes_nothing() {
        let (config, rules) = load_text("").unwrap();
        assert_eq!(rules.len(), RuleSet::builtin().unwrap().len());
        assert!(config.allowlists.is_empty());
        assert_eq!(config.fail_on, None);
    }

    #[test]
    fn rules_are_disabled_and_re_rated() {
        let (config, mut rules) = load_text(
            "[rules]\ndisable = [\"aws-access-key-id\"]\n[rules.severity]\ngithub-pat = \"low\"\n",
        )
        .unwrap();
        assert_eq!(
            config.selection.ignore,
            vec![Selector::Rule("aws-access-key-id".into())]
        );
        assert_eq!(rules.get("github-pat").unwrap().def.severity, Severity::Low);
        assert_eq!(config.severities_changed, 1);
        assert_eq!(rules.apply(&config.selection), 1);
        assert!(rules.get("aws-access-key-id").is_none());
        assert!(rules.knows("aws-access-key-id"));
    }

    #[test]
    fn rules_are_selected_and_disabled_by_category() {
        let (config, _) =
            load_text("[rules]\nselect = [\"cloud\", \"jwt\"]\ndisable = [\"ai\"]\n").unwrap();
        assert_eq!(
            config.selection,
            Selection {
                select: vec![
                    Selector::Category("cloud".into()),
                    Selector::Rule("jwt".into())
                ],
                ignore: vec![Selector::Category("ai".into())],
            }
        );
        let p = first_problem("[rules]\nselect = [\"clod\"]\n");
        assert_eq!((p.line, p.key.as_deref()), (Some(2), Some("rules.select")));
        assert!(p.message.contains("did you mean \"cloud\"?"), "{p:?}");
        // A rule outside the selection can be re-rated (the command line may select it); one
        // the configuration turns off cannot.
        assert!(load_text("[rules]\nselect = [\"ai\"]\n[rules.severity]\njwt = \"low\"\n").is_ok());
        let p =
            first_problem("[rules]\ndisable = [\"generic\"]\n[rules.severity]\njwt = \"low\"\n");
        assert!(
            p.message
                .contains("disabled in rules.disable (by its category \"generic\")"),
            "{p:?}"
        );
    }

    #[test]
    fn scan_options_and_paths_relative_to_the_file() {
        let (config, _) = load_text(
            "[scan]\nmax_file_size = \"2M\"\nexclude = [\"vendor/\"]\nfail_on = \"high\"\nbaseline = \"b.json\"\n",
        )
        .unwrap();
        assert_eq!(config.max_file_size, Some(2 << 20));
        assert_eq!(config.excludes, vec!["vendor/"]);
        assert_eq!(config.fail_on, Some(FailOn(Some(Severity::High))));
        assert_eq!(config.baseline, Some(PathBuf::from("/repo/b.json")));
        let (config, _) = load_text("[scan]\nmax_file_size = 1000\nfail_on = \"none\"\n").unwrap();
        assert_eq!(config.max_file_size, Some(1000));
        assert_eq!(config.fail_on, Some(FailOn(None)));
        let (config, _) = load_text("[scan]\nmax_archive_depth = 1\n").unwrap();
        assert_eq!(config.max_archive_depth, Some(1));
        assert!(load_text("[scan]\nmax_archive_depth = -1\n").is_err());
        let (config, _) = load_text("[scan]\nmax_findings_per_file = 20\n").unwrap();
        assert_eq!(config.max_findings_per_file, Some(20));
        assert!(load_text("[scan]\nmax_findings_per_file = 0\n").is_err());
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let p = first_problem("[scan]\nfail_on = \"high\"\nexclud = [\"x\"]\n");
        assert_eq!(p.line, Some(3));
        assert_eq!(p.key.as_deref(), Some("scan.exclud"));
        assert!(p.message.starts_with("unknown key `exclud`"), "{p:?}");
        let p = first_problem("colour = true\n");
        assert_eq!((p.line, p.key.as_deref()), (Some(1), Some("colour")));
        let p = first_problem("[scna]\n");
        assert_eq!(p.key.as_deref(), Some("scna"));
    }

    #[test]
    fn every_semantic_problem_is_reported_at_once() {
        let err = load_text(
            "[rules]\ndisable = [\"no-such-rule\"]\n\n[[allowlist]]\npaths = [\"a/[\"]\nsecrets = [\"(\"]\n",
        )
        .unwrap_err();
        let keys: Vec<_> = err
            .problems
            .iter()
            .map(|p| (p.line.unwrap(), p.key.clone().unwrap()))
            .collect();
        assert_eq!(
            keys,
            vec![
                (2, "rules.disable".to_string()),
                (5, "allowlist.paths".to_string()),
                (6, "allowlist.secrets".to_string()),
            ]
        );
        let text = err.to_string();
        assert!(
            text.contains("c.toml:5: allowlist.paths: bad glob \"a/[\""),
            "{text}"
        );
    }

    /// The keys serde accepts for `T`, read from its "unknown field" error.
    fn keys_of<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let err = toml::from_str::<T>("zz_unknown = 1").unwrap_err();
        let message = err.message();
        let expected = &message[message.find("expected").expect(message)..];
        let mut keys: Vec<String> = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        keys.sort();
        keys
    }

    fn schema_keys(schema: &serde_json::Value, pointer: &str) -> Vec<String> {
        let mut keys: Vec<String> = schema
            .pointer(pointer)
            .and_then(|v| v.as_object())
            .unwrap_or_else(|| panic!("no {pointer} in the schema"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_json_schema_has_exactly_the_keys_the_loader_accepts() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(keys_of::<ConfigFile>(), schema_keys(&schema, "/properties"));
        assert_eq!(
            keys_of::<ScanTable>(),
            schema_keys(&schema, "/properties/scan/properties")
        );
        assert_eq!(
            keys_of::<RulesTable>(),
            schema_keys(&schema, "/properties/rules/properties")
        );
        assert_eq!(
            keys_of::<AllowlistTable>(),
            schema_keys(&schema, "/properties/allowlist/items/properties")
        );
        assert_eq!(
            keys_of::<RuleDef>(),
            schema_keys(&schema, "/definitions/rule/properties")
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("500K"), Ok(500 * 1024));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("18446744073709551615").is_err());
        assert_eq!(parse_size("1024G"), Ok(1 << 40));
    }
}
