//! Findings: what the engine's matches become once they have a place (line and column), a
//! redacted form, a fingerprint and, for git, a provenance. Everything downstream (filters,
//! reports) works on these.
//!
//! The raw secret stays in memory for `--show-secrets` and for filters; it is never serialised
//! by this module and never enters a fingerprint, a log or a panic message.

use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::engine::Match;
use crate::rules::{Kind, Rule, Severity};

pub use crate::source::GitOrigin;

/// 1-based lines and columns; columns count characters (Unicode code points, an invalid UTF-8
/// byte counting as one), and the end column is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The first line of a finding, for display: bounded in length on minified files, with the byte
/// range of the matched value inside it (on this line).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    pub text: String,
    pub highlight: Range<usize>,
    /// When other secrets were found on the shown part of the line: the same text with each of
    /// them replaced by its redacted form (two keys on one line must not show each other in
    /// full), and the value's range in it; the value itself is still raw here.
    pub masked: Option<(String, Range<usize>)>,
    /// Text was cut before / after the shown part of the line.
    pub cut_before: bool,
    pub cut_after: bool,
}

impl Snippet {
    /// The line as shown without `--show-secrets`: other secrets masked, and the value's range.
    pub fn masked(&self) -> (&str, Range<usize>) {
        match &self.masked {
            Some((text, highlight)) => (text, highlight.clone()),
            None => (&self.text, self.highlight.clone()),
        }
    }

    /// The masked line with the highlighted value replaced by `replacement` (the redacted
    /// form), and the replacement's byte range in the result.
    pub fn with_value(&self, replacement: &str) -> (String, Range<usize>) {
        let (text, highlight) = self.masked();
        let mut out = String::with_capacity(text.len());
        out.push_str(&text[..highlight.start]);
        let start = out.len();
        out.push_str(replacement);
        let end = out.len();
        out.push_str(&text[highlight.end..]);
        (out, start..end)
    }
}

/// A secret found in a blob, as other findings' lines must show it: its byte range and its
/// redacted form.
#[derive(Debug, Clone)]
pub struct HiddenValue {
    pub span: Range<usize>,
    pub redacted: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub kind: Kind,
    pub severity: Severity,
    /// One sentence for the report: the title plus what context or validation added.
    pub message: String,
    /// The path as the user sees it (relative to where they ran the scan when possible).
    pub path: String,
    /// The path relative to the repository or scan root, with forward slashes: used in
    /// fingerprints, SARIF URIs, baselines and globs.
    pub rel_path: String,
    pub location: Location,
    /// Byte range of the value in the blob (for filters that look at the bytes around it).
    pub byte_span: Range<usize>,
    /// The matched value. Never printed without `--show-secrets`.
    pub secret: String,
    /// Whether the value is a credential to hide (false for lint matches such as a URL).
    pub redact: bool,
    pub redacted: String,
    pub fingerprint: String,
    pub snippet: Snippet,
    pub notes: Vec<String>,
    pub git: Option<GitOrigin>,
    /// The source's origin of the place it was found at (which commit, in the source's own
    /// order): how the pipeline asks for `git` and picks a secret's first appearance.
    pub origin: u32,
    /// The git blob it was found in, when it came from git.
    pub object: Option<String>,
    /// When it was found inside an archive: the member's path inside the archive the source
    /// found (`inner.zip!conf.py`); `path` and `rel_path` then end in `!` and this
    /// (`nested.tar!inner.zip!conf.py`), and [`Finding::outer_rel_path`] is the archive's file.
    pub member: Option<String>,
}

impl Finding {
    /// The file a source found it in: `rel_path`, or for an archive member the archive's path
    /// (SARIF artifacts and GitHub annotations point at a file that exists).
    pub fn outer_rel_path(&self) -> &str {
        match &self.member {
            Some(member) => self
                .rel_path
                .strip_suffix(member.as_str())
                .and_then(|outer| outer.strip_suffix('!'))
                .unwrap_or(&self.rel_path),
            None => &self.rel_path,
        }
    }

    /// The value as reports may show it: redacted unless the user asked for secrets.
    pub fn shown_value(&self, show_secrets: bool) -> &str {
        if self.redact && !show_secrets {
            &self.redacted
        } else {
            &self.secret
        }
    }

    /// The line as reports may show it, and the byte range of the value within it.
    pub fn shown_line(&self, show_secrets: bool) -> (String, Range<usize>) {
        if self.snippet.highlight.is_empty() && self.snippet.text.is_empty() {
            return (String::new(), 0..0);
        }
        if show_secrets {
            (self.snippet.text.clone(), self.snippet.highlight.clone())
        } else if self.redact {
            self.snippet.with_value(&self.redacted)
        } else {
            let (text, highlight) = self.snippet.masked();
            (text.to_string(), highlight)
        }
    }
}

/// Builds findings from one blob's matches. Keeps a running line count so a blob with many
/// findings is walked once.
pub struct FindingBuilder<'a> {
    bytes: &'a [u8],
    path: &'a str,
    rel_path: &'a str,
    line: usize,
    line_start: usize,
    scanned_to: usize,
}

impl<'a> FindingBuilder<'a> {
    pub fn new(bytes: &'a [u8], path: &'a str, rel_path: &'a str) -> Self {
        FindingBuilder {
            bytes,
            path,
            rel_path,
            line: 1,
            line_start: 0,
            scanned_to: 0,
        }
    }

    /// Line number and line start of `offset`. Offsets must come in increasing order for the
    /// walk to be linear; an earlier offset restarts from the top.
    fn position(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.scanned_to {
            self.line = 1;
            self.line_start = 0;
            self.scanned_to = 0;
        }
        for i in memchr::memchr_iter(b'\n', &self.bytes[self.scanned_to..offset]) {
            self.line += 1;
            self.line_start = self.scanned_to + i + 1;
        }
        self.scanned_to = offset;
        (self.line, self.line_start)
    }

    /// The finding for `found`, whose fingerprint the filters already computed. `hidden` lists
    /// every secret found in the blob (in any order), so that the line shown for this finding
    /// hides the others.
    pub fn build(
        &mut self,
        rule: &Rule,
        found: &Match,
        hidden: &[HiddenValue],
        fingerprint: String,
    ) -> Finding {
        let bytes = self.bytes;
        let span = found.secret.clone();
        let (start_line, start_line_at) = self.position(span.start);
        let start_column = char_count(&bytes[start_line_at..span.start]) + 1;
        let (end_line, end_line_at) = {
            // The end can be on a later line (private key blocks); walk a copy so the running
            // position stays at the start for the next match.
            let mut line = start_line;
            let mut at = start_line_at;
            for i in memchr::memchr_iter(b'\n', &bytes[span.start..span.end]) {
                line += 1;
                at = span.start + i + 1;
            }
            (line, at)
        };
        let end_column = char_count(&bytes[end_line_at..span.end]) + 1;
        let secret = String::from_utf8_lossy(found.value(bytes)).into_owned();
        let redacted = redact(&secret, &rule.def.keywords);
        let mut notes = found.notes.clone();
        if let Some(decoded) = &found.decoded {
            // The line and column are those of the encoded text in the file.
            notes.insert(
                0,
                format!(
                    "decoded from {} at {start_line}:{start_column}",
                    decoded.how()
                ),
            );
        }
        let mut message = rule.text().title.clone();
        for note in &notes {
            message.push_str("; ");
            message.push_str(note);
        }
        Finding {
            rule_id: rule.def.id.clone(),
            title: rule.text().title.clone(),
            kind: rule.def.kind,
            severity: found.severity,
            message,
            path: self.path.to_string(),
            rel_path: self.rel_path.to_string(),
            location: Location {
                start_line,
                start_column,
                end_line,
                end_column,
            },
            byte_span: span.clone(),
            fingerprint,
            snippet: snippet(bytes, start_line_at, span, hidden),
            secret,
            redact: rule.redact,
            redacted,
            notes,
            git: None,
            origin: 0,
            object: None,
            member: None,
        }
    }
}

/// Characters in a byte slice: every byte that does not continue a UTF-8 sequence.
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// Context kept around the value on very long (minified) lines, in bytes on each side.
const SNIPPET_CONTEXT: usize = 120;

fn snippet(
    bytes: &[u8],
    line_start: usize,
    value: Range<usize>,
    hidden: &[HiddenValue],
) -> Snippet {
    let line_end =
        memchr::memchr(b'\n', &bytes[value.start..]).map_or(bytes.len(), |i| value.start + i);
    let value_end = value.end.min(line_end);
    let mut from = line_start.max(value.start.saturating_sub(SNIPPET_CONTEXT));
    let mut to = line_end.min(value_end + SNIPPET_CONTEXT);
    // Do not cut a UTF-8 sequence in half.
    while from > line_start && (bytes[from] & 0xC0) == 0x80 {
        from -= 1;
    }
    while to < line_end && (bytes[to] & 0xC0) == 0x80 {
        to += 1;
    }
    let value = value.start..value_end;
    let (text, highlight) = render(bytes, from..to, value.clone(), &[]);
    // Besides the secrets found, anything on the shown part that looks like a credential is
    // masked: a lint finding flags a header name or a URL, and the key beside it is not always
    // one a rule knows.
    let looks_secret: Vec<HiddenValue> = credential_like(bytes, line_start..line_end, from..to)
        .into_iter()
        .filter(|span| span.end <= value.start || span.start >= value.end)
        .filter(|span| {
            !hidden
                .iter()
                .any(|h| h.span.start < span.end && span.start < h.span.end)
        })
        .map(|span| HiddenValue {
            redacted: redact(&String::from_utf8_lossy(&bytes[span.clone()]), &[]),
            span,
        })
        .collect();
    let hidden: Vec<HiddenValue> = hidden.iter().cloned().chain(looks_secret).collect();
    let others_shown = hidden.iter().any(|h| masks(h, &(from..to), &value));
    Snippet {
        text,
        highlight,
        masked: others_shown.then(|| render(bytes, from..to, value, &hidden)),
        cut_before: from > line_start,
        cut_after: to < line_end,
    }
}

/// Spans on `shown` (a part of `line`) that look like credentials although no rule reported
/// them: the value of an assignment, header or query parameter whose name says password,
/// secret, token, key, auth or credential, and long random-looking words (letters and digits
/// mixed, high entropy). Each span is a whole word of the line, even where `shown` cuts it.
fn credential_like(bytes: &[u8], line: Range<usize>, shown: Range<usize>) -> Vec<Range<usize>> {
    let is_word =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-');
    let mut spans = Vec::new();
    let mut at = shown.start;
    // Start at the beginning of a word the shown part cuts.
    while at > line.start && is_word(bytes[at - 1]) {
        at -= 1;
    }
    while at < shown.end {
        if !is_word(bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < line.end && is_word(bytes[at]) {
            at += 1;
        }
        // A word may hold `name=value` (a query parameter, an .env line): judge the value.
        let word = start..at;
        let (name, value) = match memchr::memchr(b'=', &bytes[word.clone()]) {
            Some(i) if i > 0 && start + i + 1 < at => (start..start + i, start + i + 1..at),
            _ => (start..start, word.clone()),
        };
        let named = !name.is_empty() && secret_name(&bytes[name.clone()])
            || (name.is_empty() && named_before(bytes, line.start, start));
        let value_bytes = &bytes[value.clone()];
        let value_bytes_trimmed = value_bytes.trim_ascii();
        if (named && value_bytes_trimmed.len() >= 4) || random_looking(value_bytes) {
            spans.push(value);
        }
    }
    spans
}

/// Whether a name says it holds a credential.
fn secret_name(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    ["pass", "secret", "token", "key", "auth", "cred", "pwd"]
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
}

/// Whether the word at `start` follows `NAME:` or `NAME = ` (a header, YAML, an assignment) whose
/// name says it holds a credential.
fn named_before(bytes: &[u8], line_start: usize, start: usize) -> bool {
    let mut i = start;
    // Quotes and spaces, then the separator.
    while i > line_start && matches!(bytes[i - 1], b' ' | b'\t' | b'"' | b'\'') {
        i -= 1;
    }
    if i == line_start || !matches!(bytes[i - 1], b':' | b'=') {
        return false;
    }
    i -= 1;
    while i > line_start && matches!(bytes[i - 1], b' ' | b'\t' | b'"' | b'\'') {
        i -= 1;
    }
    let end = i;
    while i > line_start
        && (bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'_' | b'-' | b'.'))
    {
        i -= 1;
    }
    i < end && secret_name(&bytes[i..end])
}

/// A long word that mixes letters and digits with the variety of random output.
fn random_looking(word: &[u8]) -> bool {
    word.len() >= 16
        && word.iter().any(u8::is_ascii_digit)
        && word.iter().any(u8::is_ascii_alphabetic)
        && crate::engine::entropy::shannon(word) >= 3.0
}

/// Whether `hidden` is masked in a line showing `shown` for the finding of `value`: it is on the
/// shown part and lies apart from the value.
fn masks(hidden: &HiddenValue, shown: &Range<usize>, value: &Range<usize>) -> bool {
    let on_shown = hidden.span.start < shown.end && hidden.span.end > shown.start;
    let apart = hidden.span.end <= value.start || hidden.span.start >= value.end;
    on_shown && apart
}

/// `bytes[shown]` as text (carriage returns before line ends dropped) with every hidden value
/// that [`masks`] selects replaced by its redacted form (one cut by the edge of the shown part
/// is replaced whole), and the byte range of `value` in the result. A hidden value that overlaps
/// `value` (a key inside a URL finding, or the other way round) is left to the value's own
/// redaction: masking it would hide the value, and what it does not cover is never the whole
/// of it.
fn render(
    bytes: &[u8],
    shown: Range<usize>,
    value: Range<usize>,
    hidden: &[HiddenValue],
) -> (String, Range<usize>) {
    // The value and the others masked around it, in line order: the value first when one
    // starts where it ends. Two hidden values may overlap each other, never the value.
    let mut pieces: Vec<(Range<usize>, Option<&str>)> = hidden
        .iter()
        .filter(|h| masks(h, &shown, &value))
        .map(|h| (h.span.clone(), Some(h.redacted.as_str())))
        .chain(std::iter::once((value.clone(), None)))
        .collect();
    pieces.sort_by_key(|(span, replacement)| (span.start, replacement.is_some()));
    let raw = |range: Range<usize>| {
        String::from_utf8_lossy(&bytes[range])
            .trim_end_matches('\r')
            .to_string()
    };
    let mut out = String::new();
    let mut at = shown.start;
    let mut highlight = 0..0;
    for (span, replacement) in pieces {
        if replacement.is_some() && span.end <= at {
            continue; // inside one already masked
        }
        out.push_str(&raw(at..span.start.max(at)));
        match replacement {
            Some(redacted) => out.push_str(redacted),
            None => {
                let start = out.len();
                out.push_str(&raw(span.clone()));
                highlight = start..out.len();
            }
        }
        at = span.end.min(shown.end);
    }
    out.push_str(&raw(at..shown.end));
    (out, highlight)
}

/// Hides secrets in the commit summaries that provenance attached: a finding's own value, and
/// every value found in a commit or tag message (whose first line is a summary), replaced by
/// its redacted form. A report shows the summary beside the finding, in every format.
pub fn mask_summaries(findings: &mut [Finding]) {
    let in_messages: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f.redact && f.object.is_none() && f.rel_path.starts_with('<'))
        .map(|f| (f.secret.clone(), f.redacted.clone()))
        .collect();
    for finding in findings.iter_mut() {
        let Some(git) = &mut finding.git else {
            continue;
        };
        let own = finding
            .redact
            .then_some((finding.secret.as_str(), finding.redacted.as_str()));
        for (secret, redacted) in own
            .into_iter()
            .chain(in_messages.iter().map(|(s, r)| (s.as_str(), r.as_str())))
        {
            if !secret.is_empty() && git.summary.contains(secret) {
                git.summary = git.summary.replace(secret, redacted);
            }
        }
    }
}

/// The redacted form of a secret: a known public prefix (`ak_live_`, `ghp_`, a PEM header) and a
/// few characters, then `…`. The number of characters shown grows with the secret's length and
/// never exceeds four, so a short password shows at most one.
pub fn redact(secret: &str, keywords: &[String]) -> String {
    if let Some(rest) = secret.strip_prefix("-----BEGIN") {
        // The header ends at its closing dashes, not at a line end: a key inside JSON (a cloud
        // service account file) is one line with `\n` escapes, and must not be shown whole.
        let header_end = rest.find("-----").map_or(0, |i| i + 5);
        return format!("-----BEGIN{}…", &rest[..header_end]);
    }
    let prefix_len = keywords
        .iter()
        .filter(|k| {
            secret.len() >= k.len()
                && secret.as_bytes()[..k.len()].eq_ignore_ascii_case(k.as_bytes())
        })
        .map(|k| k.len())
        .max()
        .unwrap_or(0);
    let (prefix, rest) = secret.split_at(prefix_len);
    let rest_chars = rest.chars().count();
    let shown = (rest_chars / 8).min(4);
    let visible: String = rest.chars().take(shown).collect();
    format!("{prefix}{visible}…")
}

/// A stable identity for a finding: the same secret of the same rule in the same file has the
/// same fingerprint wherever the line moves, and a different secret has a different one.
///
/// The secret is hashed with the rule id and path as salt and iterated, so that a fingerprint
/// published in SARIF does not cheaply confirm a guess at a weak password.
pub fn fingerprint(rule_id: &str, rel_path: &str, secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"credlint/v1\0");
    hasher.update(rule_id.as_bytes());
    hasher.update(b"\0");
    hasher.update(rel_path.as_bytes());
    hasher.update(b"\0");
    hasher.update(secret.as_bytes());
    let mut digest = hasher.finalize();
    for _ in 0..FINGERPRINT_ROUNDS {
        let mut round = Sha256::new();
        round.update(digest);
        round.update(rule_id.as_bytes());
        digest = round.finalize();
    }
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Iterations of the fingerprint hash: about 0.2 ms a finding, which is nothing for a report
/// and a thousandfold cost for anyone testing password guesses against a fingerprint.
const FINGERPRINT_ROUNDS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_the_prefix_and_a_few_characters() {
        let keywords = vec!["ak_live_".to_string()];
        assert_eq!(
            redact(
                concat!("ak_", "live_Zk4Jw9Qm2Lr7Tx5Vb8Nc3Hd6Fg1Ys0Pa"),
                &keywords
            ),
            "ak_live_Zk4J…"
        );
        assert_eq!(redact("hunter2x", &[]), "h…");
        assert_eq!(redact("abc", &[]), "…");
        assert_eq!(
            redact(
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
                &[]
            ),
            "-----BEGIN RSA PRIVATE KEY-----…"
        );
        assert_eq!(
            redact(
                "-----BEGIN PRIVATE KEY-----\\nQUJDRA\\n-----END PRIVATE KEY-----\\n",
                &[]
            ),
            "-----BEGIN PRIVATE KEY-----…"
        );
    }

    #[test]
    fn fingerprint_is_stable_and_depends_on_rule_path_and_secret() {
        let a = fingerprint("r", "a.py", "s3cr3t");
        assert_eq!(a, fingerprint("r", "a.py", "s3cr3t"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, fingerprint("r", "a.py", "s3cr3u"));
        assert_ne!(a, fingerprint("r", "b.py", "s3cr3t"));
        assert_ne!(a, fingerprint("q", "a.py", "s3cr3t"));
        assert!(!a.contains("s3cr3t"));
    }

    #[test]
    fn snippet_is_bounded_on_long_lines_and_respects_utf8() {
        let mut line = "é".repeat(500);
        let start = line.len();
        line.push_str("SECRET");
        line.push_str(&"ü".repeat(500));
        let s = snippet(line.as_bytes(), 0, start..start + 6, &[]);
        assert!(s.cut_before && s.cut_after);
        assert_eq!(&s.text[s.highlight.clone()], "SECRET");
        assert!(s.text.len() < 300);
    }

    #[test]
    fn other_secrets_on_the_line_are_masked_in_every_finding() {
        let line = b"sid: 'AC0123456789abcdef', token: 'tok_SECRETSECRET', key: 'ak_live_Q7vR2mX9'";
        let find = |needle: &str| {
            let start = line
                .windows(needle.len())
                .position(|w| w == needle.as_bytes())
                .unwrap();
            start..start + needle.len()
        };
        let hidden: Vec<HiddenValue> = [
            ("AC0123456789abcdef", "AC01…"),
            ("tok_SECRETSECRET", "tok_S…"),
            ("ak_live_Q7vR2mX9", "ak_live_Q…"),
        ]
        .iter()
        .map(|(value, redacted)| HiddenValue {
            span: find(value),
            redacted: redacted.to_string(),
        })
        .collect();
        for (i, own) in hidden.iter().enumerate() {
            let s = snippet(line, 0, own.span.clone(), &hidden);
            assert_eq!(
                s.text,
                String::from_utf8_lossy(line),
                "the raw line is for --show-secrets"
            );
            let (shown, range) = s.with_value(&own.redacted);
            assert_eq!(&shown[range], own.redacted);
            for (j, other) in hidden.iter().enumerate() {
                let raw = std::str::from_utf8(&line[other.span.clone()]).unwrap();
                assert!(
                    !shown.contains(raw),
                    "finding {i} shows secret {j}: {shown}"
                );
                assert!(shown.contains(&other.redacted), "{shown}");
            }
            // Unredacted (lint) findings still hide the others and highlight their own value.
            let (masked, highlight) = s.masked();
            assert_eq!(
                &masked[highlight],
                std::str::from_utf8(&line[own.span.clone()]).unwrap()
            );
        }
        // A value inside the finding's own value is left to the own redaction.
        let url = find("tok_SECRETSECRET', key");
        let s = snippet(line, 0, url.clone(), &hidden);
        let (masked, highlight) = s.masked();
        assert_eq!(&masked[highlight], "tok_SECRETSECRET', key");
        assert!(!masked.contains("AC0123456789abcdef"));
    }
}
