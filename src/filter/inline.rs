//! Inline allow comments. A comment containing `credlint:allow` on a finding's line suppresses
//! it; `credlint:allow RULE-ID[,RULE-ID]` suppresses only those rules. For a value that spans
//! lines (a private key block), the line before the value works too. The markers of other tools
//! are honoured so a team can switch without editing code: `gitleaks:allow`,
//! `pragma: allowlist secret`, and `pragma: allowlist nextline secret` on the line before.

use std::ops::Range;

const MARKER: &[u8] = b"credlint:allow";
const ALIASES: [&[u8]; 2] = [b"gitleaks:allow", b"pragma: allowlist secret"];
const NEXT_LINE_ALIAS: &[u8] = b"pragma: allowlist nextline secret";

/// Whether an inline comment allows a finding of `rule_id` whose value spans `value` in `bytes`.
/// `is_rule_id` tells a rule id after the marker from a free-text reason.
pub fn is_allowed(
    bytes: &[u8],
    value: Range<usize>,
    rule_id: &str,
    is_rule_id: &dyn Fn(&str) -> bool,
) -> bool {
    let start_line = line_around(bytes, value.start);
    if line_allows(&bytes[start_line.clone()], rule_id, is_rule_id) {
        return true;
    }
    let end_line = line_around(bytes, value.end.saturating_sub(1).max(value.start));
    let multi_line = end_line.start != start_line.start;
    if multi_line && line_allows(&bytes[end_line], rule_id, is_rule_id) {
        return true;
    }
    if start_line.start == 0 {
        return false;
    }
    let previous = &bytes[line_around(bytes, start_line.start - 1)];
    (multi_line && line_allows(previous, rule_id, is_rule_id))
        || memchr::memmem::find(previous, NEXT_LINE_ALIAS).is_some()
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
    if !ids.iter().any(|id| is_rule_id(id)) {
        return true;
    }
    ids.contains(&rule_id)
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
