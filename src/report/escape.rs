//! Escaping of text that came from scanned content or file names, for each destination. A
//! scanned repository must not be able to drive the terminal (ANSI escapes), reorder what the
//! reader sees (bidirectional overrides), or inject workflow commands into a GitHub job log.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as is.
pub(crate) fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Text for a terminal: control characters, bidirectional overrides and line separators become
/// visible escapes (`\x1b`, `\u{202e}`, `\n`). Tabs are kept out of the way of alignment by
/// `for_line`; here they are escaped like any control.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_for_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe_for_terminal(c) && (c as u32) < 0x100 => {
            out.push_str(&format!("\\x{:02x}", c as u32))
        }
        c if is_unsafe_for_terminal(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

/// A source line for a terminal, with a byte range in it (the value to underline): tabs become
/// four spaces so the underline stays aligned, other unsafe characters are escaped. Returns the
/// text and the range's start and width in columns.
pub fn line_for_terminal(line: &str, range: std::ops::Range<usize>) -> (String, usize, usize) {
    let mut out = String::with_capacity(line.len());
    let mut columns = 0;
    let mut start_col = 0;
    let mut end_col = 0;
    for (i, c) in line.char_indices() {
        if i == range.start {
            start_col = columns;
        }
        if i == range.end {
            end_col = columns;
        }
        let before = out.len();
        if c == '\t' {
            out.push_str("    ");
        } else {
            push_escaped(&mut out, c);
        }
        columns += out[before..].chars().count();
    }
    if range.start >= line.len() {
        start_col = columns;
    }
    if range.end >= line.len() {
        end_col = columns;
    }
    (out, start_col, end_col.saturating_sub(start_col))
}

/// Message text in a GitHub workflow command (`::error ...::TEXT`). Beyond the runner's own
/// escapes (`%`, CR, LF), other control characters and bidirectional overrides are written as
/// `%XX` too: the runner leaves those literal, so they cannot colour or reorder the job log.
pub fn github_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_unsafe_for_terminal(c) => {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A property value in a GitHub workflow command (`file=VALUE,line=...`).
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Text content of an XML element: markup characters as entities, and characters XML 1.0 does
/// not allow (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) as visible escapes, so
/// that any file name or commit message makes a well-formed document.
pub fn xml_text(text: &str) -> String {
    xml(text, false)
}

/// An XML attribute value (in double quotes): as [`xml_text`], and tabs and line breaks as
/// character references, which a parser would otherwise turn into spaces.
pub fn xml_attribute(text: &str) -> String {
    xml(text, true)
}

fn xml(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => out.push_str(&format!("&#{};", c as u32)),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{fffe}' | '\u{ffff}' => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_controls_and_bidi() {
        assert_eq!(terminal("plain"), "plain");
        assert_eq!(terminal("a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(terminal("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(terminal("new\nline"), "new\\nline");
        assert_eq!(terminal("c1\u{9b}"), "c1\\x9b");
    }

    #[test]
    fn line_alignment_with_tabs_and_escapes() {
        let (text, start, width) = line_for_terminal("\tk=\x1bSECRET", 4..10);
        assert_eq!(text, "    k=\\x1bSECRET");
        assert_eq!(start, 10);
        assert_eq!(width, 6);
    }

    #[test]
    fn xml_escaping_makes_well_formed_text() {
        assert_eq!(xml_text("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(
            xml_text("two\nlines\x1b[0m\u{ffff}"),
            "two\nlines\\x1b[0m\\u{ffff}"
        );
        assert_eq!(xml_attribute("a\tb\nc"), "a&#9;b&#10;c");
    }

    #[test]
    fn github_escaping() {
        assert_eq!(github_data("50%\n::error::x"), "50%25%0A::error::x");
        assert_eq!(github_data("a\x1b[2J\u{202e}"), "a%1B[2J%E2%80%AE");
        assert_eq!(github_property("a,b:c\nd"), "a%2Cb%3Ac%0Ad");
    }
}
