//! The rule model: parsing rule files (`rules/*.toml` and users' own), validating them, and
//! holding the compiled rule set the engine runs.
//!
//! Rules are data. Loading is cheap on purpose: a rule's regex is compiled on its first keyword
//! hit (see [`Rule::regex`]), so a pre-commit run that touches three files pays for three
//! regexes, not two hundred. Full validation (regexes compile, capture groups exist, every example
//! matches through the real engine and every negative example does not) runs in the test suite
//! for built-in rules and at load time for a user's rules. The example check needs the engine,
//! which is above this module: the caller hands it in ([`Validation::Full`], usually
//! [`crate::rulecheck::FULL`]), so rules never call the engine.

mod builtin;
mod globs;
mod selection;
mod validate;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use regex_automata::meta::Regex;
use regex_syntax::hir::{Hir, HirKind, Repetition};
use serde::{Deserialize, Serialize};

use crate::context::{ClassSet, FileClass};
use globs::PathGlobs;

pub use builtin::BUILTIN_RULE_FILES;
pub use selection::{Decision, Selection, Selector};
pub use validate::ExampleFailure;

/// The category of rules a user adds (in the configuration or a rule file of their own).
pub const CUSTOM_CATEGORY: &str = "custom";

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL_DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// The `--fail-on` threshold (and the config's `fail_on`): findings at or above the severity make
/// the exit code 1; `None` never fails on findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

impl FailOn {
    pub fn parse(text: &str) -> Result<FailOn, String> {
        if matches!(text.to_ascii_lowercase().as_str(), "none" | "never") {
            return Ok(FailOn(None));
        }
        Severity::parse(text)
            .map(|s| FailOn(Some(s)))
            .ok_or_else(|| {
                format!(
                    "unknown severity {text:?}; expected critical, high, medium, low, info or none"
                )
            })
    }
}

impl Default for FailOn {
    fn default() -> Self {
        FailOn(Some(Severity::Low))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `secret` rule finds a credential; a `lint` rule finds an insecure way of handling one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Secret,
    Lint,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Lint => "lint",
        }
    }
}

/// Checks that a regex cannot express, named in a rule's `validate` field. Each one looks at the
/// extracted secret only and says whether it is real enough to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// Three base64url segments whose header decodes to a JSON object with an `alg`.
    Jwt,
    /// A base64 `user:password` pair with a non-empty, non-placeholder credential.
    BasicAuth,
    /// GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm (`npm_`) tokens end in a CRC32
    /// checksum of their random part, base62-encoded: made-up tokens fail it.
    GithubChecksum,
    /// A PyPI token is `pypi-` and a base64url macaroon (version 2): it must parse as one, with
    /// an identifier and a 32-byte signature. Made-up look-alikes do not.
    PypiMacaroon,
    /// An AWS access key id encodes the number of the account it belongs to: decoded into a note
    /// ("account 123456789012") that says whose key it is.
    AwsKeyId,
}

/// An example in a rule file: either the text alone (some secret must be found in it) or the
/// text with the exact secret that must be extracted and, when the rule depends on file context,
/// the path the text is scanned as.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ExampleDef {
    Text(String),
    Detailed {
        #[serde(default)]
        text: String,
        #[serde(default)]
        secret: Option<String>,
        #[serde(default)]
        path: Option<String>,
        /// The example's bytes in hexadecimal, instead of `text`: a binary file for a presence
        /// rule (a keystore starting `FEEDFEED`).
        #[serde(default)]
        hex: Option<String>,
    },
}

impl ExampleDef {
    pub fn text(&self) -> &str {
        match self {
            ExampleDef::Text(text) | ExampleDef::Detailed { text, .. } => text,
        }
    }

    pub fn expected_secret(&self) -> Option<&str> {
        match self {
            ExampleDef::Text(_) => None,
            ExampleDef::Detailed { secret, .. } => secret.as_deref(),
        }
    }

    /// The example's hexadecimal bytes, when it is given as `hex` rather than `text`.
    pub fn hex(&self) -> Option<&str> {
        match self {
            ExampleDef::Detailed { hex: Some(hex), .. } => Some(hex),
            _ => None,
        }
    }

    /// The example's bytes: `hex` decoded (an invalid digit makes it empty, which validation
    /// reports), or the text.
    pub fn bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        match self.hex() {
            Some(hex) => std::borrow::Cow::Owned(decode_hex(hex).unwrap_or_default()),
            None => std::borrow::Cow::Borrowed(self.text().as_bytes()),
        }
    }

    /// The path an example is scanned as; rules that care about file context say it.
    pub fn path(&self) -> &str {
        match self {
            ExampleDef::Detailed {
                path: Some(path), ..
            } => path,
            _ => "example.txt",
        }
    }
}

/// One `[[rule]]` table as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    // The five words-for-people fields (here `title`, `description`, `remediation`,
    // `checklist`, `references`) are private: a loaded rule moves them into its [`RuleText`],
    // which is what everything outside this module reads ([`Rule::text`]). Built-in rules load
    // without them (`build.rs`), so they default here; validation says when one is missing.
    #[serde(default)]
    title: String,
    pub kind: Kind,
    pub severity: Severity,
    #[serde(default)]
    description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub regex: String,
    /// The capture group that is the secret (0: the whole match). When it did not take part in
    /// a match, the first later group that did is the secret, so alternatives can each capture
    /// the value: `(?:host.*(header)|(header).*host)`.
    #[serde(default)]
    pub secret_group: usize,
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// The least average surprise, in bits per character, of the secret under the word-likeness
    /// model ([`crate::engine::wordlike`]): names, words and paths score 2 to 4.5, random keys 5
    /// and up.
    #[serde(default)]
    pub min_randomness: Option<f64>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    /// The file must be of one of these classes.
    #[serde(default)]
    pub file_classes: Vec<FileClass>,
    /// The file must not be of any of these classes.
    #[serde(default)]
    pub exclude_file_classes: Vec<FileClass>,
    /// The file must also contain one of these literals (ASCII case-insensitive).
    #[serde(default)]
    pub file_contains: Vec<String>,
    /// The value may span lines (private key blocks): the regex window is not cut at line ends.
    #[serde(default)]
    pub multiline: bool,
    #[serde(default)]
    pub validate: Option<Validator>,
    /// Regexes on the extracted secret that mark it as not a secret (documented example keys).
    #[serde(default)]
    pub allow: Vec<String>,
    /// Whether the extracted value is a credential to hide. Defaults to true for `secret` rules
    /// and false for `lint` rules, whose match is usually a header name or a URL.
    #[serde(default)]
    pub redact: Option<bool>,
    /// A catch-all rule (any `Authorization: Bearer` value, any `password =` assignment): where
    /// a specific rule finds the same value, only the specific rule's finding is reported.
    #[serde(default)]
    pub generic: bool,
    /// Skip the placeholder check (`YOUR_TOKEN`, `${X}`...) for values where it cannot apply.
    #[serde(default)]
    pub skip_placeholder_check: bool,
    /// Ids of rules whose findings this rule's finding replaces where their matches overlap: a
    /// more telling rule (a Transcodes server token in `x-transcodes-token`) stands in for a
    /// broader one (any JWT) on the same text, so the developer reads one finding, not two.
    #[serde(default)]
    pub supersedes: Vec<String>,
    /// A file-level rule: the file itself is the finding, reported once, at line 1, when its
    /// path matches `paths`, it starts with one of `magic` (if given) and its bytes match
    /// `regex` (`^` for any content). Runs before the binary check (keystores are binary), and
    /// yields to content findings: a file where a content rule reports a secret gets no
    /// presence finding.
    #[serde(default)]
    pub presence: bool,
    /// For presence rules: byte prefixes in hexadecimal, one of which the file must start with
    /// (`FEEDFEED` for a Java keystore); a text file of the same name (a Git LFS pointer) is not
    /// the format.
    #[serde(default)]
    pub magic: Vec<String>,
    #[serde(default)]
    remediation: String,
    #[serde(default)]
    checklist: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    pub examples: Vec<ExampleDef>,
    #[serde(default)]
    pub negative_examples: Vec<ExampleDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<RuleDef>>,
}

/// What a rule says to the people reading its findings: what reports and `credlint rules`
/// show, nothing that matching reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleText {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub remediation: String,
    pub checklist: String,
    #[serde(default)]
    pub references: Vec<String>,
}

impl RuleText {
    fn take_from(def: &mut RuleDef) -> RuleText {
        RuleText {
            title: std::mem::take(&mut def.title),
            description: std::mem::take(&mut def.description),
            remediation: std::mem::take(&mut def.remediation),
            checklist: std::mem::take(&mut def.checklist),
            references: std::mem::take(&mut def.references),
        }
    }

    fn put_into(self, def: &mut RuleDef) {
        def.title = self.title;
        def.description = self.description;
        def.remediation = self.remediation;
        def.checklist = self.checklist;
        def.references = self.references;
    }
}

/// Where a loaded rule's [`RuleText`] is.
#[derive(Debug)]
enum TextSource {
    Loaded(Box<RuleText>),
    /// None given (a built-in rule's, until it is pointed at its file's).
    Empty,
    /// Rule `index` of built-in file `file` (in [`builtin::BUILTIN_RULES_JSON`]): the prose of
    /// six hundred rules was 40% of what a pre-commit run parsed at start-up, and a run reads
    /// the text of the few rules it reports.
    Builtin {
        file: usize,
        index: usize,
    },
}

/// A map keyed by names from rule files (rule ids, keywords): hashed with FNV-1a, not the
/// standard library's SipHash, which was a tenth of building the rule set. SipHash resists
/// keys chosen to collide; these keys come from the rule files, not from scanned content.
pub(crate) type NameMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<NameHasher>>;

#[derive(Default)]
pub(crate) struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = self.0 ^ 0xcbf2_9ce4_8422_2325;
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        // FNV's low bits, which pick the bucket, depend on few input bits: fold the high ones in.
        let folded = (self.0 ^ (self.0 >> 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        folded ^ (folded >> 29)
    }
}

/// What a rule without text shows.
static NO_TEXT: RuleText = RuleText {
    title: String::new(),
    description: String::new(),
    remediation: String::new(),
    checklist: String::new(),
    references: Vec::new(),
};

/// The text of each built-in file's rules, parsed the first time one of them is asked for.
static BUILTIN_TEXT: [OnceLock<Vec<RuleText>>; builtin::BUILTIN_RULES_JSON.len()] =
    [const { OnceLock::new() }; builtin::BUILTIN_RULES_JSON.len()];

fn builtin_text(file: usize) -> &'static [RuleText] {
    BUILTIN_TEXT[file].get_or_init(|| {
        // build.rs wrote this from rule files every test loads with their text: a failure here
        // is a build defect, not input to report.
        serde_json::from_str(builtin::BUILTIN_RULES_JSON[file].text)
            .expect("build.rs writes every built-in rule's text as RuleText")
    })
}

/// A built-in rule as `build.rs` converted it: the definition and the line it starts on.
#[derive(Deserialize)]
struct CompiledRule {
    line: usize,
    /// [`Rule::reach`], worked out by build.rs.
    reach: Option<usize>,
    def: RuleDef,
}

/// A loaded rule: the definition plus what the engine needs, with the regex compiled on demand.
#[derive(Debug)]
pub struct Rule {
    pub def: RuleDef,
    /// Where the rule came from, for error messages: `rules/aws.toml:12` or `.credlint.toml:40`.
    pub origin: String,
    /// What `--select` and `--ignore` call the rule's group: its built-in file's name without
    /// `.toml` (`cloud`, `ai`, `seeds`), or [`CUSTOM_CATEGORY`] for a user's rule.
    pub category: &'static str,
    pub redact: bool,
    text: TextSource,
    pub file_classes: ClassSet,
    pub exclude_file_classes: ClassSet,
    // Built on first use, like the regex: a pre-commit run touching three files should not pay
    // for compiling every rule's globs and allow patterns. Validation builds them up front.
    // Boxed, as most rules have none: a rule set is six hundred of these, and its size is page
    // faults in every pre-commit run.
    paths: OnceLock<Option<Box<PathGlobs>>>,
    exclude_paths: OnceLock<Option<Box<PathGlobs>>>,
    allow: OnceLock<Vec<Regex>>,
    regex: OnceLock<Option<Regex>>,
    screen: OnceLock<Option<Screen>>,
    reach: OnceLock<Option<usize>>,
}

impl Rule {
    /// The rule as loaded, nothing compiled or checked yet.
    fn unchecked(mut def: RuleDef, origin: String, category: &'static str) -> Rule {
        let text = RuleText::take_from(&mut def);
        Rule {
            text: match text == RuleText::default() {
                true => TextSource::Empty,
                false => TextSource::Loaded(Box::new(text)),
            },
            redact: def
                .redact
                .unwrap_or(def.kind == Kind::Secret && !def.presence),
            file_classes: ClassSet::from_slice(&def.file_classes),
            exclude_file_classes: ClassSet::from_slice(&def.exclude_file_classes),
            paths: OnceLock::new(),
            exclude_paths: OnceLock::new(),
            allow: OnceLock::new(),
            regex: OnceLock::new(),
            screen: OnceLock::new(),
            reach: OnceLock::new(),
            origin,
            category,
            def,
        }
    }

    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The rule's title, description, remediation, checklist and references.
    pub fn text(&self) -> &RuleText {
        match &self.text {
            TextSource::Loaded(text) => text,
            TextSource::Empty => &NO_TEXT,
            TextSource::Builtin { file, index } => &builtin_text(*file)[*index],
        }
    }

    /// The compiled regex, built on first use. `None` only if the pattern does not compile,
    /// which validation rules out for built-in and user rules alike.
    pub fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| compile_rule_regex(&self.def).ok())
            .as_ref()
    }

    /// A looser regex that matches wherever [`Rule::regex`] does, run first on each window so
    /// that the exact one runs (and is compiled) only where this one matches; `None` when the
    /// regex has nothing to loosen. See [`loosened`].
    pub fn screen(&self) -> Option<&Screen> {
        self.screen
            .get_or_init(|| compile_screen(&self.def))
            .as_ref()
    }

    /// The longest match the regex can make in bytes, when it is bounded: the engine looks for
    /// a rule's matches only this far around its keyword hits. Built-in rules have it from the
    /// build; a user's rule parses its regex for it on first use.
    pub fn reach(&self) -> Option<usize> {
        *self.reach.get_or_init(|| longest_match(&self.def.regex))
    }

    /// Whether the regex has been compiled yet (it is, after the rule's first keyword hit).
    pub fn regex_is_compiled(&self) -> bool {
        self.regex.get().is_some()
    }

    /// True when one of the rule's `allow` patterns matches the whole or part of the secret.
    pub fn allows(&self, secret: &[u8]) -> bool {
        if self.def.allow.is_empty() {
            return false;
        }
        self.allow
            .get_or_init(|| {
                self.def
                    .allow
                    .iter()
                    .filter_map(|p| compile_regex(p).ok())
                    .collect()
            })
            .iter()
            .any(|re| re.is_match(secret))
    }

    /// Whether the path passes the rule's include and exclude globs.
    pub fn applies_to_path(&self, path: &str) -> bool {
        if self.def.paths.is_empty() && self.def.exclude_paths.is_empty() {
            return true;
        }
        let include = self
            .paths
            .get_or_init(|| PathGlobs::new(&self.def.paths).ok().flatten().map(Box::new));
        if let Some(include) = include {
            if !include.is_match(path) {
                return false;
            }
        }
        let exclude = self.exclude_paths.get_or_init(|| {
            PathGlobs::new(&self.def.exclude_paths)
                .ok()
                .flatten()
                .map(Box::new)
        });
        if let Some(exclude) = exclude {
            if exclude.is_match(path) {
                return false;
            }
        }
        true
    }
}

/// The longest match of a rule's regex in bytes, if it is bounded (and it parses).
fn longest_match(pattern: &str) -> Option<usize> {
    regex_automata::util::syntax::parse_with(pattern, &syntax_config())
        .ok()?
        .properties()
        .maximum_len()
}

/// How rule regexes are read: bytes, not Unicode text (`\w` is ASCII, `.` any byte), `^`/`$` at
/// line ends, `\r\n` as one line end. build.rs reads them the same way for [`Rule::reach`].
fn syntax_config() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .crlf(true)
}

/// Compiles a rule regex the way the engine runs it: over bytes (blobs need not be UTF-8), with
/// ASCII-only classes and word boundaries (`\w`, `\b`, `\s`), which keeps the fast DFA engines
/// usable on any input and matches how token formats are specified. `^` and `$` match at line
/// boundaries (also before `\r\n`): the engine runs regexes on windows inside a blob, where the
/// end of the window is not the end of the text.
pub fn compile_regex(pattern: &str) -> Result<Regex, String> {
    compile_with_prefilter(pattern, false)
}

/// [`compile_regex`] for a rule's own regex. A `multiline` rule's window runs from its keyword
/// to the block's `-----END` line, and at least 64 KiB on (a key in a JavaScript library's
/// source has its END far away, or none): there the prefilter of the regex's literals (its
/// `-----BEGIN`) skips nearly all of it.
fn compile_rule_regex(def: &RuleDef) -> Result<Regex, String> {
    compile_with_prefilter(&def.regex, def.multiline)
}

fn compile_with_prefilter(pattern: &str, prefilter: bool) -> Result<Regex, String> {
    Regex::builder()
        .syntax(syntax_config())
        .configure(regex_config(prefilter))
        .build(pattern)
        .map_err(|e| describe_regex_error(&e))
}

/// The lazy DFA's cache, per regex and thread. Windows are a line or a few KiB: the lazy DFA
/// needs few states for them, and five hundred rules' caches at the default 2 MiB each per
/// thread would dominate the scan's memory.
const HYBRID_CACHE: usize = 256 << 10;

fn regex_config(prefilter: bool) -> regex_automata::meta::Config {
    Regex::config()
        .utf8_empty(false)
        .hybrid_cache_capacity(HYBRID_CACHE)
        // The engine runs a regex only in a window around its keyword, so a prefilter of the
        // regex's own literals finds little to skip; extracting those literals and building the
        // one-pass DFA were 40% of compiling a regex, which a pre-commit run pays for every rule
        // with a hit. Measured on the npm corpus: no slower without them (callgrind, 10.80 G
        // instructions before, 10.76 G after).
        .auto_prefilter(prefilter)
        .onepass(false)
        // Nor the full DFA the meta regex determinizes up front for a small regex (forward and
        // reverse): the lazy DFA builds only the states a window visits. Compiling every
        // built-in rule took 115 ms with it and 86 ms without; the npm scan is as fast.
        .dfa(false)
        .nfa_size_limit(Some(NFA_LIMIT))
}

/// The screen of a rule's regex ([`Rule::screen`]): its [`loosened`] form, compiled, when that
/// differs from the regex.
fn compile_screen(def: &RuleDef) -> Option<Screen> {
    let hir = regex_automata::util::syntax::parse_with(&def.regex, &syntax_config()).ok()?;
    let mut changed = false;
    let loose = loosened(&hir, &mut changed);
    if !changed {
        return None;
    }
    Screen::new(&loose, def.multiline)
}

/// A rule's loosened regex as a forward lazy DFA alone: a screen only asks whether a window
/// may hold a match, so it needs neither the reverse automaton that finds where a match
/// starts nor the engines that resolve capture groups, which a meta regex builds too. Built
/// for every rule with a keyword hit (182 on the npm corpus), the meta regexes took 22-24 ms
/// of the scan's CPU to compile.
#[derive(Debug)]
pub struct Screen {
    // Boxed: the DFA is kilobytes inline, and every rule of the set has room for a screen
    // (603 rules; a pre-commit run faults their pages in).
    dfa: Box<regex_automata::hybrid::dfa::DFA>,
}

/// A thread's search state for one [`Screen`].
pub type ScreenCache = regex_automata::hybrid::dfa::Cache;

impl Screen {
    fn new(hir: &Hir, prefilter: bool) -> Option<Screen> {
        use regex_automata::nfa::thompson;
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(thompson::WhichCaptures::None)
                    .nfa_size_limit(Some(NFA_LIMIT)),
            )
            .build_from_hir(hir)
            .ok()?;
        // As the meta regex does: a lazy DFA that keeps clearing its cache gives up (and
        // the window is handed to the exact regex) rather than crawl.
        let mut config = regex_automata::hybrid::dfa::Config::new()
            .cache_capacity(HYBRID_CACHE)
            .minimum_cache_clear_count(Some(3))
            .minimum_bytes_per_state(Some(10));
        if prefilter {
            // A multiline rule's window is 64 KiB or more; see `compile_rule_regex`.
            config = config.prefilter(regex_automata::util::prefilter::Prefilter::from_hir_prefix(
                regex_automata::MatchKind::LeftmostFirst,
                hir,
            ));
        }
        let dfa = regex_automata::hybrid::dfa::DFA::builder()
            .configure(config)
            .build_from_nfa(nfa)
            .ok()?;
        Some(Screen { dfa: Box::new(dfa) })
    }

    pub fn create_cache(&self) -> ScreenCache {
        self.dfa.create_cache()
    }

    /// Whether the screen matches in `input`'s span (which sees the bytes around it for
    /// `^`, `$` and `\b`). A search the lazy DFA gives up on counts as a match.
    pub fn may_match(&self, cache: &mut ScreenCache, input: &regex_automata::Input<'_>) -> bool {
        self.dfa
            .try_search_fwd(cache, &input.clone().earliest(true))
            .map_or(true, |found| found.is_some())
    }
}

/// Counted repetitions up to this many are kept as they are by [`loosened`]: they cost the lazy
/// DFA a handful of states.
const LOOSEN_OVER: u32 = 4;

/// `hir` with every long counted repetition made open-ended (`x{0,80}?` becomes `x*?`, `x{25}`
/// and `x{90,}` become `x+`) and its capture groups dropped. It matches wherever `hir` matches,
/// and more. A lazy DFA tracks every count of a counted gap at once, combined with the progress
/// of everything after it, so a gap rule such as `twitter[^\n]{0,80}?api_key...` builds
/// thousands of states on a few hundred bytes of text; the loosened regex builds a few dozen.
/// Sets `changed` when a repetition was loosened.
fn loosened(hir: &Hir, changed: &mut bool) -> Hir {
    match hir.kind() {
        HirKind::Repetition(repetition) => {
            let sub = Box::new(loosened(&repetition.sub, changed));
            let long =
                repetition.min > LOOSEN_OVER || repetition.max.is_some_and(|max| max > LOOSEN_OVER);
            let (min, max) = if long {
                *changed = true;
                (repetition.min.min(1), None)
            } else {
                (repetition.min, repetition.max)
            };
            Hir::repetition(Repetition {
                min,
                max,
                greedy: repetition.greedy,
                sub,
            })
        }
        HirKind::Capture(capture) => loosened(&capture.sub, changed),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(|h| loosened(h, changed)).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(|h| loosened(h, changed)).collect())
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => hir.clone(),
    }
}

/// The most memory a rule's compiled regex may take. Matching time grows with the size of the
/// automaton (a nested counted repetition such as `(?:[a-h]{1,20}){1,200}` compiles to thousands
/// of states and scans at kilobytes a second), so a regex over this is refused when its rule
/// loads, naming the rule. The largest built-in regex takes about half of it.
const NFA_LIMIT: usize = 160 << 10;

/// A regex error in one line: the syntax error's own words ("unclosed group") rather than the
/// builder's "error parsing pattern 0", which says nothing, or the multi-line caret drawing.
fn describe_regex_error(error: &regex_automata::meta::BuildError) -> String {
    let Some(syntax) = error.syntax_error() else {
        if error.size_limit().is_some() {
            return format!(
                "the regex is too large to scan fast (its automaton is over {} KiB): bound or \
                 simplify its repetitions, e.g. `{{1,20}}` inside `{{1,200}}`",
                NFA_LIMIT >> 10
            );
        }
        return error.to_string();
    };
    let text = syntax.to_string();
    text.lines()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .map_or_else(
            || text.split_whitespace().collect::<Vec<_>>().join(" "),
            str::to_string,
        )
}

/// A rule-loading error that says where: file, line, rule and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub origin: String,
    pub line: Option<usize>,
    pub rule_id: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(id) = &self.rule_id {
            write!(f, "rule \"{id}\": ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field \"{field}\": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

/// How much checking a load does. Built-in rules are checked fully by the test suite, so the
/// binary only parses them; users' rules are always checked fully.
#[derive(Debug, Clone, Copy)]
pub enum Validation {
    /// Nothing but a unique id: the built-in rules as a scan loads them, without the examples
    /// the field checks ask for.
    Trusted,
    ParseOnly,
    /// Everything, the examples through this check ([`crate::rulecheck::FULL`]).
    Full(ExampleCheck),
}

/// Runs a rule's examples and negative examples; returns what failed.
pub type ExampleCheck = fn(&Rule) -> Vec<ExampleFailure>;

/// The rules a scan runs, in a stable order (built-ins by file, then the user's).
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Rule id to its position in `rules`: a rule set of six hundred rules checked each new id
    /// against every earlier one, 180,000 string comparisons in every start-up.
    by_id: NameMap<String, usize>,
    /// Ids of rules a configuration turned off: still known (an inline
    /// `credlint:allow ID` naming one stays rule-scoped), never run.
    disabled: Vec<String>,
}

impl RuleSet {
    /// The rules compiled into the binary, with their examples (rule checks, `rules`, docs).
    pub fn builtin() -> Result<RuleSet, RuleError> {
        RuleSet::load_builtin(true)
    }

    /// The rules compiled into the binary without their examples, which a scan never reads:
    /// parsing them was a fifth of a pre-commit run's start-up. Their text is parsed when first
    /// asked for; the definitions are otherwise the same as [`RuleSet::builtin`]'s.
    pub fn builtin_for_scan() -> Result<RuleSet, RuleError> {
        RuleSet::load_builtin(false)
    }

    fn load_builtin(with_examples: bool) -> Result<RuleSet, RuleError> {
        #[derive(Deserialize)]
        struct Examples {
            #[serde(default)]
            examples: Vec<ExampleDef>,
            #[serde(default)]
            negative_examples: Vec<ExampleDef>,
        }
        fn parse<T: serde::de::DeserializeOwned>(origin: &str, json: &str) -> Result<T, RuleError> {
            serde_json::from_str(json).map_err(|e| RuleError {
                origin: origin.to_string(),
                line: None,
                rule_id: None,
                field: None,
                message: format!("the built-in rules did not convert: {e}"),
            })
        }
        let mut set = RuleSet::default();
        for (file, json) in builtin::BUILTIN_RULES_JSON.iter().enumerate() {
            let origin = format!("rules/{}", json.name);
            let rules: Vec<CompiledRule> = parse(&origin, json.rules)?;
            set.rules.reserve(rules.len());
            // Rule checks and docs validate the definitions whole, text and examples included;
            // a scan trusts them and leaves both unparsed.
            let (texts, examples): (Vec<RuleText>, Vec<Examples>) = match with_examples {
                true => (parse(&origin, json.text)?, parse(&origin, json.examples)?),
                false => (Vec::new(), Vec::new()),
            };
            let mut texts = texts.into_iter();
            let mut examples = examples.into_iter();
            let mut regexes = json.regexes.split('\0');
            let category = json.name.strip_suffix(".toml").unwrap_or(json.name);
            for (index, rule) in rules.into_iter().enumerate() {
                let mut def = rule.def;
                def.regex = regexes.next().unwrap_or_default().to_string();
                let origin = format!("{origin}:{}", rule.line);
                if let Some(text) = texts.next() {
                    text.put_into(&mut def);
                }
                if let Some(pair) = examples.next() {
                    def.examples = pair.examples;
                    def.negative_examples = pair.negative_examples;
                }
                let validation = match with_examples {
                    true => Validation::ParseOnly,
                    false => Validation::Trusted,
                };
                set.add_def(def, origin, category, validation)?;
                if let Some(added) = set.rules.last_mut() {
                    added.reach = OnceLock::from(rule.reach);
                    if !with_examples {
                        added.text = TextSource::Builtin { file, index };
                    }
                }
            }
        }
        Ok(set)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    /// Where the rule `id` is in [`RuleSet::rules`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Rule> {
        self.by_id.get(id).map(|&i| &mut self.rules[i])
    }

    /// Removes rules for which `keep` returns false.
    pub fn retain(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
        self.reindex();
    }

    fn reindex(&mut self) {
        self.by_id = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| (rule.def.id.clone(), i))
            .collect();
    }

    /// Whether `id` names a rule of this set, running or disabled.
    pub fn knows(&self, id: &str) -> bool {
        self.get(id).is_some() || self.disabled.iter().any(|d| d == id)
    }

    /// Every rule id this set knows, running or disabled.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .map(|r| r.def.id.as_str())
            .chain(self.disabled.iter().map(String::as_str))
    }

    /// Parses a rule file (`[[rule]]` tables) and adds its rules.
    pub fn add_file(
        &mut self,
        origin: &str,
        text: &str,
        validation: Validation,
    ) -> Result<(), RuleError> {
        let file: RuleFile = toml::from_str(text).map_err(|e| toml_error(origin, text, &e))?;
        self.add_spanned(origin, text, file.rule, validation)
    }

    /// Adds `[[rule]]` tables parsed from `text` (a rule file, or a configuration file that
    /// embeds rules); errors name the line of the offending field.
    pub fn add_spanned(
        &mut self,
        origin: &str,
        text: &str,
        defs: Vec<toml::Spanned<RuleDef>>,
        validation: Validation,
    ) -> Result<(), RuleError> {
        // Rules come in file order: count newlines from the previous rule, not from the start
        // (the built-in files are loaded on every run).
        let (mut counted_to, mut line) = (0, 1);
        for spanned in defs {
            let start = spanned.span().start.min(text.len());
            if start < counted_to {
                (counted_to, line) = (0, 1);
            }
            line += text.as_bytes()[counted_to..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted_to = start;
            let def = spanned.into_inner();
            let field_line = |field: &str| find_field_line(text, line, field).or(Some(line));
            self.add_def(def, format!("{origin}:{line}"), CUSTOM_CATEGORY, validation)
                .map_err(|mut e| {
                    e.origin = origin.to_string();
                    e.line = e.field.as_deref().and_then(field_line).or(Some(line));
                    e
                })?;
        }
        Ok(())
    }

    /// Adds one rule definition after checking it.
    pub fn add_def(
        &mut self,
        def: RuleDef,
        origin: String,
        category: &'static str,
        validation: Validation,
    ) -> Result<(), RuleError> {
        let err = |id: &str, field: &str, message: String| RuleError {
            origin: origin.clone(),
            line: None,
            rule_id: Some(id.to_string()),
            field: Some(field.to_string()),
            message,
        };
        if !matches!(validation, Validation::Trusted) {
            validate::check_fields(&def).map_err(|(field, msg)| err(&def.id, field, msg))?;
        }
        if self.get(&def.id).is_some() {
            return Err(err(&def.id, "id", "duplicate rule id".into()));
        }
        if let Validation::Full(examples) = validation {
            let rule = Rule::unchecked(def, String::new(), category);
            let (def, id) = (&rule.def, rule.def.id.as_str());
            let _ = rule.paths.set(
                PathGlobs::new(&def.paths)
                    .map_err(|m| err(id, "paths", m))?
                    .map(Box::new),
            );
            let _ = rule.exclude_paths.set(
                PathGlobs::new(&def.exclude_paths)
                    .map_err(|m| err(id, "exclude_paths", m))?
                    .map(Box::new),
            );
            let compiled = def
                .allow
                .iter()
                .map(|p| compile_regex(p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| err(id, "allow", m))?;
            let _ = rule.allow.set(compiled);
            if let Some((field, message)) = full_check(&rule, examples).into_iter().next() {
                return Err(err(id, field, message));
            }
            return self.push(Rule {
                origin,
                category,
                ..rule
            });
        }
        let rule = Rule::unchecked(def, origin, category);
        self.push(rule)
    }

    /// Adds a rule whose id is known to be new.
    fn push(&mut self, rule: Rule) -> Result<(), RuleError> {
        self.by_id.insert(rule.def.id.clone(), self.rules.len());
        self.rules.push(rule);
        Ok(())
    }
}

/// Everything that needs the compiled regex: it compiles, its `secret_group` exists, and
/// `examples` passes (every example matches, extracting the stated secret, and no negative
/// example does). Returns every problem as (field, message).
pub fn full_check(rule: &Rule, examples: ExampleCheck) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    for (field, globs) in [
        ("paths", &rule.def.paths),
        ("exclude_paths", &rule.def.exclude_paths),
    ] {
        if let Err(message) = PathGlobs::new(globs) {
            problems.push((field, message));
        }
    }
    for pattern in &rule.def.allow {
        if let Err(message) = compile_regex(pattern) {
            problems.push(("allow", message));
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    let compiled = match compile_rule_regex(&rule.def) {
        Ok(compiled) => compiled,
        Err(message) => return vec![("regex", message)],
    };
    let groups = compiled.captures_len();
    if rule.def.secret_group >= groups {
        return vec![(
            "secret_group",
            format!(
                "group {} does not exist (the regex has {} capture group{})",
                rule.def.secret_group,
                groups - 1,
                if groups == 2 { "" } else { "s" }
            ),
        )];
    }
    let _ = rule.regex.set(Some(compiled));
    examples(rule)
        .into_iter()
        .map(|failure| (failure.field(), failure.to_string()))
        .collect()
}

/// Decodes hexadecimal digits (`FEEDFEED`, case-insensitive, no separators).
pub fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let digits = hex.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

/// Turns a TOML error into one that names the file and line.
pub fn toml_error(origin: &str, text: &str, error: &toml::de::Error) -> RuleError {
    RuleError {
        origin: origin.to_string(),
        line: error.span().map(|s| line_of_offset(text, s.start)),
        rule_id: None,
        field: None,
        message: error.message().trim().to_string(),
    }
}

/// 1-based line number of a byte offset.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line, at or after `from_line`, where `field = ...` is written, so an error about a field
/// points at it rather than at the start of the rule.
fn find_field_line(text: &str, from_line: usize, field: &str) -> Option<usize> {
    for (index, line) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        let trimmed = line.trim_start();
        if index + 1 > from_line && trimmed.starts_with("[[") {
            return None;
        }
        if let Some(rest) = trimmed.strip_prefix(field) {
            if rest.trim_start().starts_with('=') {
                return Some(index + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_from_info_to_critical() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("urgent"), None);
    }

    #[test]
    fn builtin_rules_parse() {
        let set = RuleSet::builtin().expect("built-in rules load");
        assert!(!set.is_empty());
    }

    #[test]
    fn a_scan_loads_the_same_rules_without_their_examples_and_reads_their_text_later() {
        let full = RuleSet::builtin().unwrap();
        let scan = RuleSet::builtin_for_scan().unwrap();
        assert_eq!(full.len(), scan.len());
        for (with, without) in full.rules().iter().zip(scan.rules()) {
            assert!(!with.def.examples.is_empty() && !with.def.negative_examples.is_empty());
            assert!(without.def.examples.is_empty() && without.def.negative_examples.is_empty());
            let mut def = with.def.clone();
            def.examples.clear();
            def.negative_examples.clear();
            assert_eq!(format!("{def:?}"), format!("{:?}", without.def));
            assert_eq!(
                (&with.origin, &with.category, with.redact),
                (&without.origin, &without.category, without.redact)
            );
            assert!(std::ptr::eq(scan.get(with.id()).unwrap(), without));
            // A scan parses a rule's text when a report first asks: it must be the text that
            // `builtin` (which validates it) gives the same rule.
            assert!(!with.text().title.is_empty(), "{}", with.id());
            assert_eq!(with.text(), without.text(), "{}", with.id());
        }
    }

    #[test]
    fn loosening_opens_long_counts_and_drops_groups_and_nothing_else() {
        let parse = |p: &str| regex_automata::util::syntax::parse_with(p, &syntax_config()).ok();
        let mut changed = false;
        let loose = loosened(
            &parse(r"a{0,80}?-b{25}(c{2,3})\bd{90,}(?:e{5}f){1,200}").unwrap(),
            &mut changed,
        );
        assert!(changed);
        assert_eq!(loose, parse(r"a*?-b+(?:c{2,3})\bd+(?:e+f)+").unwrap());

        let mut changed = false;
        let short = parse(r#"["']{0,2}\s{0,3}x{4}(y)"#).unwrap();
        let loose = loosened(&short, &mut changed);
        assert!(!changed, "counts up to four are kept");
        assert_eq!(loose, parse(r#"["']{0,2}\s{0,3}x{4}(?:y)"#).unwrap());
    }

    #[test]
    fn the_reach_the_build_worked_out_is_what_parsing_the_regex_now_gives() {
        let set = RuleSet::builtin_for_scan().unwrap();
        for rule in set.rules() {
            assert_eq!(
                rule.reach(),
                longest_match(&rule.def.regex),
                "{}",
                rule.id()
            );
        }
        let bounded = set.rules().iter().filter(|r| r.reach().is_some()).count();
        assert!(bounded > set.len() / 2, "{bounded} of {}", set.len());
        let aws = set.get("aws-access-key-id").unwrap();
        assert_eq!(aws.reach(), Some(20), "four letters and sixteen more");
        assert_eq!(set.get("generic-secret-assignment").unwrap().reach(), None);
    }

    #[test]
    fn a_bad_field_is_reported_with_file_line_rule_and_field() {
        let text = r#"
[[rule]]
id = "demo"
title = "Demo"
kind = "secret"
severity = "high"
keywords = ["demo_"]
regex = '''(demo_[a-z]+'''
remediation = "r"
checklist = "c"
examples = ["demo_abc"]
negative_examples = ["nothing"]
"#;
        let err = RuleSet::default()
            .add_file("custom.toml", text, crate::rulecheck::FULL)
            .unwrap_err();
        assert_eq!(err.origin, "custom.toml");
        assert_eq!(err.line, Some(8));
        assert_eq!(err.rule_id.as_deref(), Some("demo"));
        assert_eq!(err.field.as_deref(), Some("regex"));
        assert!(err
            .to_string()
            .starts_with("custom.toml:8: rule \"demo\": field \"regex\""));
    }

    #[test]
    fn unknown_fields_are_errors_with_a_line() {
        let text = "[[rule]]\nid = \"x\"\ntitel = \"typo\"\n";
        let err = RuleSet::default()
            .add_file("custom.toml", text, crate::rulecheck::FULL)
            .unwrap_err();
        assert!(err.message.contains("titel"), "{err}");
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn min_randomness_is_checked_and_applied() {
        let rule = |min: &str, example: &str, negative: &str| {
            format!(
                "[[rule]]\nid = \"demo\"\ntitle = \"Demo\"\nkind = \"secret\"\n\
                 severity = \"high\"\nkeywords = [\"demo_key\"]\n\
                 regex = '''demo_key = \"([A-Za-z0-9_]+)\"'''\nsecret_group = 1\n\
                 min_randomness = {min}\nremediation = \"r\"\nchecklist = \"c\"\n\
                 examples = ['{example}']\nnegative_examples = ['{negative}']\n"
            )
        };
        let load = |text: String| {
            RuleSet::default().add_file("custom.toml", &text, crate::rulecheck::FULL)
        };
        let err = load(rule("17.0", "demo_key = \"k8Qw2PzR5tLm9XcV\"", "x")).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("min_randomness"), "{err}");
        // A random value passes; a name with as many distinct letters does not.
        let ok = rule(
            "5.0",
            "demo_key = \"k8Qw2PzR5tLm9XcV\"",
            "demo_key = \"user_profile_cache_v3\"",
        );
        load(ok).unwrap();
        let name_as_example = rule("5.0", "demo_key = \"user_profile_cache_v3\"", "x");
        let err = load(name_as_example).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("examples"), "{err}");
    }

    #[test]
    fn a_missing_secret_group_is_an_error() {
        let text = r#"
[[rule]]
id = "demo"
title = "Demo"
kind = "secret"
severity = "high"
keywords = ["demo_"]
regex = '''demo_[a-z]+'''
secret_group = 2
remediation = "r"
checklist = "c"
examples = ["demo_abcdefghijkl"]
negative_examples = ["nothing"]
"#;
        let err = RuleSet::default()
            .add_file("custom.toml", text, crate::rulecheck::FULL)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("secret_group"));
        assert_eq!(err.line, Some(9));
    }

    /// A screen's lazy DFA that gives up (its cache cleared again and again for a few bytes a
    /// state) must count as a match, so that the exact regex decides: a screen that said "no"
    /// there would drop findings. Sixteen `[ab]` in a row after an `a` are 65,536 DFA states,
    /// far more than the 256 KiB cache holds, and random `a`s and `b`s visit them.
    #[test]
    fn a_screen_whose_lazy_dfa_gives_up_counts_as_a_match() {
        let ab = "[ab]".repeat(16);
        let text = format!(
            "[[rule]]\nid = \"demo\"\ntitle = \"Demo\"\nkind = \"secret\"\n\
             severity = \"high\"\nkeywords = [\"acme\"]\n\
             regex = '''acme[^\\n]{{0,40}}?[ab]*a{ab}key = \"([A-Za-z0-9]{{24}})\"'''\n\
             secret_group = 1\nremediation = \"r\"\nchecklist = \"c\"\n\
             examples = ['acme aabababababababababkey = \"Q7vR2mX9kL4pW8sZa1b2c3d4\"']\n\
             negative_examples = ['acme key = \"short\"']\n"
        );
        let mut set = RuleSet::default();
        set.add_file("t.toml", &text, Validation::ParseOnly)
            .unwrap();
        let rule = &set.rules()[0];
        let screen = rule.screen().expect("the 40-byte gap is loosened");
        let mut cache = screen.create_cache();
        let search = |cache: &mut ScreenCache, text: &[u8]| {
            screen.may_match(cache, &regex_automata::Input::new(text))
        };
        // Neither text has `key`, so neither matches; the short one is searched to the end.
        assert!(!search(&mut cache, b"acme abab abba"));
        let mut random = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        let mut thrashing = b"acme ".to_vec();
        thrashing.extend(random.text(b"ab", 200_000));
        assert!(search(&mut cache, &thrashing), "the lazy DFA gave up");
    }
}
