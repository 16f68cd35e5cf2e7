//! Inline allow comments. A comment containing `credlint:allow` on a finding's line (within a
//! few hundred bytes of it, on a long minified line) suppresses it; `credlint:allow RULE-ID[,RULE-ID]` suppresses only those rules. For a value that spans
//! lines (a private key block), the line before the value works too. The markers of other tools
//! are honoured so a team can switch without editing code: `gitleaks:allow`,
//! `pragma: allowlist secret`, and `pragma: allowlist nextline secret` on the line before.

use std::ops::Range;

const MARKER: &[u8] = b"credlint:allow";
const ALIASES: [&[u8]; 2] = [b"gitleaks:allow", b"pragma: allowlist secret"];
const NEXT_LINE_ALIAS: &[u8] = b"pragma: allowlist nextline secret";

/// What the comments around a finding say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    NotAllowed,
    /// A marker names what look like rule ids, none of them known (a typo): it allows nothing,
    /// and the user is told.
    UnknownIds(Vec<String>),
}

/// Whether an inline comment allows a finding of `rule_id` whose value spans `value` in `bytes`.
/// `is_rule_id` tells a rule id after the marker from a free-text reason.
pub fn verdict(
    bytes: &[u8],
    value: Range<usize>,
    rule_id: &str,
    is_rule_id: &dyn Fn(&str) -> bool,
) -> Verdict {
    let unknown = std::cell::RefCell::new(Vec::new());
    let check = |id: &str| {
        let known = is_rule_id(id);
        if !known && looks_like_rule_id(id) {
            unknown.borrow_mut().push(id.to_string());
        }
        known
    };
    if is_allowed(bytes, value, rule_id, &check) {
        return Verdict::Allowed;
    }
    let mut unknown = unknown.into_inner();
    unknown.sort();
    unknown.dedup();
    if unknown.is_empty() {
        Verdict::NotAllowed
    } else {
        Verdict::UnknownIds(unknown)
    }
}

/// A word after the marker that is meant as a rule id (`aws-access-key-id`), as opposed to a
/// word of a reason: lowercase letters, digits and dashes, with a dash.
fn looks_like_rule_id(word: &str) -> bool {
    word.contains('-')
        && !word.starts_with('-')
        && !word.ends_with('-')
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether an inline comment allows a finding of `rule_id` whose value spans `value` in `bytes`.
/// `is_rule_id` tells a rule id after the marker from a free-text reason.
pub fn is_allowed(
    bytes: &[u8],
    value: Range<usize>,
    rule_id: &str,
    is_rule_id: &dyn Fn(&str) -> bool,
) -> bool {
    let start_line = line_around(bytes, value.start);
    let near_start = near(&start_line, value.start, value.end);
    if line_allows(&bytes[near_start], rule_id, is_rule_id) {
        return true;
    }
    let last = value.end.saturating_sub(1).max(value.start);
    let end_line = line_around(bytes, last);
    let multi_line = end_line.start != start_line.start;
    if multi_line && line_allows(&bytes[near(&end_line, last, last)], rule_id, is_rule_id) {
        return true;
    }
    if start_line.start == 0 {
        return false;
    }
    // The end of the line before: where a comment about the next line goes.
    let previous_line = line_around(bytes, start_line.start - 1);
    let previous = &bytes[previous_line
        .end
        .saturating_sub(REACH)
        .max(previous_line.start)..previous_line.end];
    (multi_line && line_allows(previous, rule_id, is_rule_id))
        || memchr::memmem::find(previous, NEXT_LINE_ALIAS).is_some()
}

/// How far from a finding (in bytes, each way) its allow comment may be on a long line: the
/// same statement on a minified line, not anywhere in megabytes of it.
const REACH: usize = 512;

/// The part of `line` within [`REACH`] of `from..to`.
fn near(line: &Range<usize>, from: usize, to: usize) -> Range<usize> {
    from.saturating_sub(REACH).max(line.start)..to.saturating_add(REACH).min(line.end)
}

fn line_around(bytes: &[u8], offset: usize) -> Range<usize> {
    let offset = offset.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
    start..end
}

fn line_allows(line: &[u8], rule_id: &str, is_rule_id: &dyn Fn(&str) -> bool) -> bool {
    // Cheap literal test first: nearly every line has no marker at all.
    if memchr::memmem::find(line, b":allow").is_none()
        && memchr::memmem::find(line, b"allowlist").is_none()
    {
        return false;
    }
    if ALIASES
        .iter()
        .any(|a| memchr::memmem::find(line, a).is_some())
    {
        return true;
    }
    let mut rest = line;
    while let Some(at) = memchr::memmem::find(rest, MARKER) {
        let after = &rest[at + MARKER.len()..];
        if marker_allows(after, rule_id, is_rule_id) {
            return true;
        }
        rest = after;
    }
    false
}

/// Reads what follows a marker: nothing or free text allows every rule; a list of rule ids
/// (`aws-access-key-id`, `a,b`, `a, b`) allows only those. Text after the list is a reason.
fn marker_allows(after: &[u8], rule_id: &str, is_rule_id: &dyn Fn(&str) -> bool) -> bool {
    if !after
        .first()
        .is_some_and(|b| *b == b' ' || *b == b'\t' || *b == b'=' || *b == b':')
    {
        // `credlint:allow` directly followed by the end of the comment or punctuation.
        return !after
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    }
    let ids = leading_id_list(&after[1..]);
    // Every id is looked up (so that each unknown one is reported), then the verdict: a list
    // with a known id allows those rules; one where an id-shaped word names no rule allows
    // nothing (`credlint:allow transcodely-liv-key` must not allow everything); otherwise the
    // words are a reason and every rule is allowed.
    let known: Vec<bool> = ids.iter().map(|id| is_rule_id(id)).collect();
    if known.iter().any(|k| *k) {
        return ids.contains(&rule_id);
    }
    !ids.iter().any(|id| looks_like_rule_id(id))
}

/// The comma-separated words at the start of `text`: `a, b,c reason` gives `[a, b, c]`.
fn leading_id_list(text: &[u8]) -> Vec<&str> {
    let is_id_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let mut ids = Vec::new();
    let mut at = 0;
    loop {
        while text.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
            at += 1;
        }
        let start = at;
        while text.get(at).is_some_and(|b| is_id_byte(*b)) {
            at += 1;
        }
        if at == start {
            break;
        }
        // Only ASCII bytes were taken, so this is valid UTF-8.
        ids.push(std::str::from_utf8(&text[start..at]).unwrap_or_default());
        let mut next = at;
        while text.get(next).is_some_and(|b| *b == b' ' || *b == b'\t') {
            next += 1;
        }
        if text.get(next) != Some(&b',') {
            break;
        }
        at = next + 1;
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str) -> bool {
        matches!(id, "aws-access-key" | "github-pat")
    }

    fn allowed(text: &str, needle: &str, rule: &str) -> bool {
        let start = text.find(needle).unwrap();
        is_allowed(text.as_bytes(), start..start + needle.len(), rule, &known)
    }

    #[test]
    fn marker_on_the_line() {
        assert!(allowed(
            "key = 'SECRET' # credlint:allow\n",
            "SECRET",
            "aws-access-key"
        ));
        assert!(allowed(
            "key = 'SECRET' // credlint:allow test fixture\n",
            "SECRET",
            "aws-access-key"
        ));
        assert!(!allowed(
            "key = 'SECRET'\n# credlint:allow\n",
            "SECRET",
            "aws-access-key"
        ));
        assert!(!allowed(
            "key = 'SECRET' # credlint:allowed\n",
            "SECRET",
            "aws-access-key"
        ));
    }

    #[test]
    fn rule_scoped_marker() {
        assert!(allowed(
            "k = 'SECRET' # credlint:allow aws-access-key\n",
            "SECRET",
            "aws-access-key"
        ));
        assert!(!allowed(
            "k = 'SECRET' # credlint:allow github-pat\n",
            "SECRET",
            "aws-access-key"
        ));
        assert!(allowed(
            "k = 'SECRET' # credlint:allow github-pat,aws-access-key\n",
            "SECRET",
            "aws-access-key"
        ));
    }

    #[test]
    fn a_misspelt_rule_id_allows_nothing_and_is_named() {
        let text = "k = 'SECRET' # credlint:allow aws-acess-key\n";
        let start = text.find("SECRET").unwrap();
        assert_eq!(
            verdict(text.as_bytes(), start..start + 6, "aws-access-key", &known),
            Verdict::UnknownIds(vec!["aws-acess-key".into()])
        );
        let reason = "k = 'SECRET' # credlint:allow sandbox key\n";
        assert_eq!(
            verdict(
                reason.as_bytes(),
                start..start + 6,
                "aws-access-key",
                &known
            ),
            Verdict::Allowed
        );
    }

    #[test]
    fn aliases_of_other_tools() {
        assert!(allowed("k = 'SECRET' # gitleaks:allow\n", "SECRET", "x"));
        assert!(allowed(
            "k = 'SECRET' # pragma: allowlist secret\n",
            "SECRET",
            "x"
        ));
        assert!(allowed(
            "# pragma: allowlist nextline secret\nk = 'SECRET'\n",
            "SECRET",
            "x"
        ));
    }

    #[test]
    fn line_before_counts_for_multi_line_values_only() {
        let block = "# credlint:allow\n-----BEGIN\nAAAA\n-----END\n";
        let start = block.find("-----BEGIN").unwrap();
        let end = block.find("-----END").unwrap() + 8;
        assert!(is_allowed(block.as_bytes(), start..end, "x", &known));
        assert!(!allowed("# credlint:allow\nk = 'SECRET'\n", "SECRET", "x"));
    }
}
