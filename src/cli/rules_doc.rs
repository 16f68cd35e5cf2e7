//! What `credlint rules ID` prints and what `credlint rules --markdown` writes (docs/rules.md):
//! one rule's explanation, built from the rule file alone, for a developer with thirty seconds.
//!
//! Examples are shown the way a finding would show them: the secret in each example is found
//! with the rule itself and redacted. The Markdown goes one step further because it is
//! committed: the first character of every token prefix in an example is written as an HTML
//! entity (`&#103;hp_`), as the rule files write it as a TOML escape, so that the documentation
//! does not trip secret scanners or push protection.

use std::fmt::Write as _;

use crate::context::FileClass;
use crate::engine::single_rule_matches;
use crate::finding::redact;
use crate::rules::{ExampleDef, Kind, Rule, RuleSet, Severity};

/// The width explanations are wrapped to in a terminal.
const WIDTH: usize = 100;

/// Splits a description into what the rule finds (its first sentence) and why that matters
/// (the rest). Rule descriptions are written that way; one sentence yields no "why".
pub fn what_and_why(description: &str) -> (&str, &str) {
    let text = description.trim();
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b'.' if depth <= 0 => {
                // A sentence ends at ". X", outside parentheses and abbreviations.
                let next = bytes.get(i + 1).copied();
                let after = bytes.get(i + 2).copied();
                let abbreviation = text[..i].ends_with("e.g") || text[..i].ends_with("i.e");
                if next == Some(b' ')
                    && after.is_some_and(|c| c.is_ascii_uppercase())
                    && !abbreviation
                {
                    return (text[..=i].trim(), text[i + 1..].trim());
                }
            }
            _ => {}
        }
    }
    (text, "")
}

/// Why a finding matters: the description after its first sentence, or for a secret rule
/// described in one sentence, what holds for every committed credential.
fn why(rule: &Rule) -> String {
    let (_, why) = what_and_why(&rule.text().description);
    if why.is_empty() && rule.def.kind == Kind::Secret {
        return "Anyone who can read the repository, or its history, can use the credential until \
                it is revoked."
            .into();
    }
    why.to_string()
}

/// Where a rule looks, in words: its file classes, path globs and required literals.
fn scope(rule: &Rule) -> Vec<String> {
    let d = &rule.def;
    let names = |classes: &[FileClass]| {
        classes
            .iter()
            .map(|c| c.describe_short())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = Vec::new();
    if !d.file_classes.is_empty() {
        lines.push(format!("only in {}", names(&d.file_classes)));
    }
    if !d.exclude_file_classes.is_empty() {
        lines.push(format!("not in {}", names(&d.exclude_file_classes)));
    }
    if !d.paths.is_empty() {
        lines.push(format!("only in paths matching {}", d.paths.join(", ")));
    }
    if !d.exclude_paths.is_empty() {
        lines.push(format!(
            "not in paths matching {}",
            d.exclude_paths.join(", ")
        ));
    }
    if !d.file_contains.is_empty() {
        lines.push(format!(
            "only in files that also mention {}",
            d.file_contains.join(" or ")
        ));
    }
    lines
}

/// What the engine adds on top of the rule, so the explanation matches what a scan reports.
fn context_note(rule: &Rule) -> Option<&'static str> {
    (rule.def.kind == Kind::Secret).then_some(
        "found in a client bundle or browser source, it is reported as critical; found in a .env file, the finding also says how to fix the file.",
    )
}

/// An example as a scan would show it: every secret that any rule of the set finds in it is
/// redacted, so neither a rule's own example nor a negative example that holds another rule's
/// secret (a live key in a production file, for the dev-config rule) is printed in full.
pub fn shown_example(rules: &RuleSet, example: &ExampleDef) -> String {
    if let Some(hex) = example.hex() {
        let shown: String = hex.chars().take(16).collect();
        return format!("{} (a binary file starting {shown})", example.path());
    }
    let text = example.text();
    let mut secrets: Vec<(std::ops::Range<usize>, &Rule)> = rules
        .rules()
        .iter()
        .filter(|r| r.redact)
        .flat_map(|r| {
            single_rule_matches(r, example.path(), text.as_bytes())
                .into_iter()
                .map(move |m| (m.secret, r))
        })
        .collect();
    secrets.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, rule) in secrets {
        if span.start < at || !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end)
        {
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(&redact(&text[span.clone()], &rule.def.keywords));
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The explanation printed by `credlint rules ID`; `rules` is the set the rule belongs to, whose
/// other rules redact what they would find in the examples.
pub fn explain_text(rule: &Rule, rules: &RuleSet) -> String {
    let d = &rule.def;
    let t = rule.text();
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", d.id, t.title);
    let _ = writeln!(
        out,
        "{} {} in category {}, from {}",
        d.severity,
        d.kind.as_str(),
        rule.category,
        origin_file(rule)
    );
    let (what, _) = what_and_why(&t.description);
    let why = why(rule);
    let mut field = |label: &str, text: &str| {
        if !text.trim().is_empty() {
            out.push('\n');
            out.push_str(label);
            out.push('\n');
            out.push_str(&wrap(text.trim(), "  ", WIDTH));
        }
    };
    field("What it finds", what);
    field("Why it matters", &why);
    field("Checklist", &t.checklist);
    field("What to do", &t.remediation);
    let scope = scope(rule);
    if !scope.is_empty() {
        field("Where it looks", &capitalise(&scope.join("; ")));
    }
    if let Some(note) = context_note(rule) {
        field("Context", &capitalise(note));
    }
    if !d.supersedes.is_empty() {
        field(
            "Stands in for",
            &format!(
                "{} (one finding, this one, where they match the same text)",
                d.supersedes.join(", ")
            ),
        );
    }
    if !t.references.is_empty() {
        out.push_str("\nReferences\n");
        for reference in &t.references {
            let _ = writeln!(out, "  - {reference}");
        }
    }
    if let Some(example) = d.examples.first() {
        out.push_str("\nExample (reported)\n");
        out.push_str(&indent_lines(&shown_example(rules, example), "  "));
    }
    if let Some(example) = d.negative_examples.first() {
        out.push_str("\nNot reported\n");
        out.push_str(&indent_lines(&shown_example(rules, example), "  "));
    }
    out
}

/// The whole of docs/rules.md for a rule set.
/// How many rules each category (rule file) has, by kind and severity, and how many of them check
/// more than a pattern (a checksum, a decoded structure, a keyword in the same assignment).
fn coverage_table(rules: &RuleSet, files: &[&str]) -> String {
    let mut out = String::from(
        "## Coverage by category\n\n\
         The category is a rule file's name: what `--select` and `--ignore` take. *Verified* rules \
         check a token's structure beyond its shape (a checksum, a decoded JWT header or \
         macaroon, a decoded `user:password`).\n\n\
         | Category | Rules | Secrets | Lints | Critical | High | Medium | Low | Info | Verified |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut totals = [0usize; 9];
    for file in files {
        let in_file: Vec<&Rule> = rules
            .rules()
            .iter()
            .filter(|r| origin_file(r) == *file)
            .collect();
        let count = |keep: &dyn Fn(&Rule) -> bool| in_file.iter().filter(|r| keep(r)).count();
        let row = [
            in_file.len(),
            count(&|r| r.def.kind == Kind::Secret),
            count(&|r| r.def.kind == Kind::Lint),
            count(&|r| r.def.severity == Severity::Critical),
            count(&|r| r.def.severity == Severity::High),
            count(&|r| r.def.severity == Severity::Medium),
            count(&|r| r.def.severity == Severity::Low),
            count(&|r| r.def.severity == Severity::Info),
            count(&|r| r.def.validate.is_some()),
        ];
        for (total, n) in totals.iter_mut().zip(row) {
            *total += n;
        }
        let cells: Vec<String> = row.iter().map(usize::to_string).collect();
        let name = file.rsplit('/').next().unwrap_or(file);
        let category = name.strip_suffix(".toml").unwrap_or(name);
        let _ = writeln!(
            out,
            "| [{category}](#{}) | {} |",
            anchor(file),
            cells.join(" | ")
        );
    }
    let cells: Vec<String> = totals.iter().map(usize::to_string).collect();
    let _ = writeln!(out, "| **all** | {} |\n", cells.join(" | "));
    out
}

/// The anchor GitHub gives a `## heading`: lower case, punctuation other than `-` dropped.
fn anchor(heading: &str) -> String {
    heading
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

pub fn markdown(rules: &RuleSet) -> String {
    let all = rules.rules();
    let secrets = all.iter().filter(|r| r.def.kind == Kind::Secret).count();
    let mut files: Vec<&str> = Vec::new();
    for rule in all {
        let file = origin_file(rule);
        if !files.contains(&file) {
            files.push(file);
        }
    }
    let escaper = ExampleEscaper::new(rules);
    let mut out = String::new();
    out.push_str("# credlint rules\n\n");
    out.push_str(
        "<!-- Generated from the rule files by `credlint rules --markdown`; do not edit.\n     \
         Regenerate with: cargo run -q -- rules --markdown > docs/rules.md -->\n\n",
    );
    let _ = writeln!(
        out,
        "{} rules: {} that find secrets (credentials) and {} lints that find insecure ways of \
         handling them. `credlint rules ID` prints the same explanation in a terminal. The items \
         of the vendor checklists that credlint enforces, and those it cannot check from source, \
         are listed in [seed-checklists.md](seed-checklists.md).\n",
        all.len(),
        secrets,
        all.len() - secrets
    );
    out.push_str(
        "Examples are shown with their secret redacted, as a scan reports them. A secret found in \
         a client bundle or browser source is always reported as critical.\n\n",
    );
    out.push_str(&coverage_table(rules, &files));
    for file in &files {
        let _ = writeln!(out, "## {file}\n");
        out.push_str("| Rule | Kind | Severity | Title |\n|---|---|---|---|\n");
        let in_file = || all.iter().filter(|r| origin_file(r) == *file);
        for rule in in_file() {
            let d = &rule.def;
            let t = rule.text();
            let _ = writeln!(
                out,
                "| [`{}`](#{}) | {} | {} | {} |",
                d.id,
                d.id,
                d.kind.as_str(),
                d.severity,
                markdown_text(&t.title).replace('|', "\\|")
            );
        }
        out.push('\n');
        for rule in in_file() {
            out.push_str(&explain_markdown(rule, rules, &escaper));
        }
    }
    out
}

fn explain_markdown(rule: &Rule, rules: &RuleSet, escaper: &ExampleEscaper) -> String {
    let d = &rule.def;
    let t = rule.text();
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", d.id);
    let _ = writeln!(
        out,
        "**{}** · {} · {} · `{}`\n",
        markdown_text(&t.title),
        d.kind.as_str(),
        d.severity,
        origin_file(rule)
    );
    let (what, _) = what_and_why(&t.description);
    let why = why(rule);
    let mut field = |label: &str, text: &str| {
        if !text.trim().is_empty() {
            let _ = writeln!(out, "- **{label}:** {}", markdown_text(text.trim()));
        }
    };
    field("What it finds", what);
    field("Why it matters", &why);
    field("Checklist", &t.checklist);
    field("What to do", &t.remediation);
    let scope = scope(rule);
    if !scope.is_empty() {
        field("Where it looks", &capitalise(&scope.join("; ")));
    }
    if let Some(note) = context_note(rule) {
        field("Context", &capitalise(note));
    }
    if !d.supersedes.is_empty() {
        let links: Vec<String> = d
            .supersedes
            .iter()
            .map(|id| format!("[`{id}`](#{id})"))
            .collect();
        let _ = writeln!(
            out,
            "- **Stands in for:** {} (one finding, this one, where they match the same text)",
            links.join(", ")
        );
    }
    if !t.references.is_empty() {
        let refs: Vec<String> = t.references.iter().map(|r| markdown_reference(r)).collect();
        let _ = writeln!(out, "- **References:** {}", refs.join("; "));
    }
    if let Some(example) = d.examples.first() {
        let _ = writeln!(
            out,
            "\nReported:\n\n<pre><code>{}</code></pre>",
            escaper.escape(&shown_example(rules, example), rule)
        );
    }
    if let Some(example) = d.negative_examples.first() {
        let _ = writeln!(
            out,
            "\nNot reported:\n\n<pre><code>{}</code></pre>",
            escaper.escape(&shown_example(rules, example), rule)
        );
    }
    out.push('\n');
    out
}

/// `rules/seeds.toml` from an origin such as `rules/seeds.toml:12`.
fn origin_file(rule: &Rule) -> &str {
    rule.origin
        .rsplit_once(':')
        .map_or(rule.origin.as_str(), |(file, _)| file)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Word-wraps `text` to `width` columns, each line starting with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.chars().count() > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

fn indent_lines(text: &str, indent: &str) -> String {
    text.lines().map(|l| format!("{indent}{l}\n")).collect()
}

/// Prose for Markdown: code spans (`...`) are kept as written; outside them, characters that
/// Markdown or HTML would interpret are escaped.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        for c in part.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                // Not `_`: GitHub Markdown never reads underscores inside words as emphasis,
                // and names such as TRANSCODES_AUTH_API_TOKEN stay readable in the source.
                '*' | '[' | ']' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

/// A reference as a link when it is a URL, as text otherwise (seed documents, RFCs).
fn markdown_reference(reference: &str) -> String {
    if reference.starts_with("https://") && !reference.contains(char::is_whitespace) {
        format!("<{reference}>")
    } else {
        markdown_text(reference)
    }
}

/// HTML-escapes examples for `<pre><code>` and writes the first character of every token prefix
/// as a numeric entity, so the committed Markdown holds no token-shaped string (browsers show
/// the same text).
struct ExampleEscaper {
    /// Every rule keyword, lowercased.
    keywords: Vec<String>,
}

impl ExampleEscaper {
    fn new(rules: &RuleSet) -> ExampleEscaper {
        let mut keywords: Vec<String> = rules
            .rules()
            .iter()
            .flat_map(|r| r.def.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        keywords.sort();
        keywords.dedup();
        ExampleEscaper { keywords }
    }

    /// Whether the keyword occurrence at `at` starts something a scanner would take for a
    /// token: a keyword that runs on into letters or digits (`AKIA…`, `eyJ…`), a prefix that
    /// ends in a separator (`ghp_`, `ak_live_`, `xoxb-`), or a phrase such as `PRIVATE KEY`.
    /// Keywords without letters or digits (`://`) start nothing.
    /// The example's own rule's keywords are always escaped, so that the documentation of a
    /// rule never triggers that rule (a plain-HTTP MediaConvert.io address on the plain-HTTP rule's
    /// page).
    fn starts_token(&self, text: &str, at: usize, rule: &Rule) -> bool {
        let rest = text.as_bytes()[at..].to_ascii_lowercase();
        let own = rule.def.keywords.iter().any(|k| {
            rest.starts_with(k.to_ascii_lowercase().as_bytes())
                && k.bytes().any(|b| b.is_ascii_alphanumeric())
        });
        own || self.keywords.iter().any(|k| {
            let k = k.as_bytes();
            rest.starts_with(k)
                && k.iter().any(u8::is_ascii_alphanumeric)
                && (rest.get(k.len()).is_some_and(u8::is_ascii_alphanumeric)
                    || matches!(k.last(), Some(b'_' | b'-'))
                    || k.windows(3).any(|w| {
                        w[1] == b' ' && w[0].is_ascii_alphanumeric() && w[2].is_ascii_alphanumeric()
                    }))
        })
    }

    fn escape(&self, text: &str, rule: &Rule) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        for (at, c) in text.char_indices() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                _ if c.is_ascii() && self.starts_token(text, at, rule) => {
                    let _ = write!(out, "&#{};", c as u32);
                }
                _ => out.push(c),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_split_into_what_and_why() {
        assert_eq!(
            what_and_why("A key (ak_live_...). It is billed. Rotate it."),
            ("A key (ak_live_...).", "It is billed. Rotate it.")
        );
        assert_eq!(
            what_and_why("Only one sentence."),
            ("Only one sentence.", "")
        );
        assert_eq!(
            what_and_why("Keys (e.g. Foo. Bar) stay. Because."),
            ("Keys (e.g. Foo. Bar) stay.", "Because.")
        );
        assert_eq!(
            what_and_why("Names, e.g. Foo are fine. Why."),
            ("Names, e.g. Foo are fine.", "Why.")
        );
    }

    #[test]
    fn wraps_at_word_boundaries_with_an_indent() {
        let text = "one two three four five six seven";
        assert_eq!(
            wrap(text, "  ", 16),
            "  one two three\n  four five six\n  seven\n"
        );
    }

    #[test]
    fn markdown_prose_escapes_outside_code_spans_only() {
        assert_eq!(
            markdown_text("Bearer <token> and `<kept>` *x*"),
            "Bearer &lt;token&gt; and `<kept>` \\*x\\*"
        );
    }

    const DEMO: &str = r#"
[[rule]]
id = "demo-token"
title = "Demo token"
kind = "secret"
severity = "high"
description = "A demo token. It opens the demo."
keywords = ["dmo_"]
regex = '''\b(dmo_[A-Za-z0-9]{16})\b'''
secret_group = 1
file_contains = ["demo.example"]
remediation = "Revoke it."
checklist = "Keep it secret."
references = ["https://demo.example/tokens"]
examples = ["curl demo.example -H 'x: dmo_Q7vR2mX9kL4pW8sZ'"]
negative_examples = ["dmo_xxxxxxxxxxxxxxxx demo.example"]
"#;

    fn demo() -> RuleSet {
        let mut set = RuleSet::default();
        set.add_file("rules/demo.toml", DEMO, crate::rulecheck::FULL)
            .unwrap();
        set
    }

    #[test]
    fn explanation_has_every_part_and_redacts_the_example() {
        let set = demo();
        let text = explain_text(&set.rules()[0], &set);
        for part in [
            "demo-token: Demo token",
            "high secret in category custom, from rules/demo.toml",
            "What it finds\n  A demo token.",
            "Why it matters\n  It opens the demo.",
            "Checklist\n  Keep it secret.",
            "What to do\n  Revoke it.",
            "Where it looks\n  Only in files that also mention demo.example",
            "Context\n  Found in a client bundle",
            "References\n  - https://demo.example/tokens",
            "Example (reported)\n  curl demo.example -H 'x: dmo_Q7…'",
            "Not reported\n  dmo_xxxxxxxxxxxxxxxx demo.example",
        ] {
            assert!(text.contains(part), "missing {part:?} in:\n{text}");
        }
        assert!(!text.contains("Q7vR2mX9"), "the example secret leaked");
    }

    #[test]
    fn a_secret_rule_described_in_one_sentence_still_says_why_it_matters() {
        let one_sentence = DEMO.replace("A demo token. It opens the demo.", "A demo token (dmo_).");
        let mut set = RuleSet::default();
        set.add_file("rules/demo.toml", &one_sentence, crate::rulecheck::FULL)
            .unwrap();
        let text = explain_text(&set.rules()[0], &set);
        assert!(
            text.contains("Why it matters\n  Anyone who can read the repository"),
            "{text}"
        );
        let lint = one_sentence.replace("kind = \"secret\"", "kind = \"lint\"");
        let mut set = RuleSet::default();
        set.add_file("rules/demo.toml", &lint, crate::rulecheck::FULL)
            .unwrap();
        assert!(!explain_text(&set.rules()[0], &set).contains("Why it matters"));
    }

    #[test]
    fn markdown_escapes_token_prefixes_in_examples() {
        let set = demo();
        let md = markdown(&set);
        assert!(md.contains("| [`demo-token`](#demo-token) | secret | high | Demo token |"));
        assert!(md.contains("### demo-token"));
        // The redacted example and the negative example, with the prefix's first character
        // written as an entity.
        assert!(md.contains("-H 'x: &#100;mo_Q7…'"), "{md}");
        assert!(
            md.contains("&#100;mo_xxxxxxxxxxxxxxxx demo.example"),
            "{md}"
        );
        assert!(!md.contains("dmo_"), "{md}");
    }
}
