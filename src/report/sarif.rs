//! SARIF 2.1.0 output, shaped for GitHub code scanning: one run; every loaded rule in
//! `tool.driver.rules` with descriptions, help (and a `helpUri` into docs/rules.md at this
//! version), a PascalCase name, tags and `security-severity`; each result with
//! `ruleId`/`ruleIndex`, level, message, a repository-relative URI, a full region, our
//! fingerprint under `partialFingerprints` and git provenance in `properties`; for git scans of
//! a repository with an `origin`, the run's `versionControlProvenance`.
//!
//! No secret goes in: messages are rule titles and validator notes (which never quote values),
//! and no region snippet is written. The test suite validates the output against the SARIF
//! 2.1.0 schema, and with Microsoft's SARIF multitool (GitHub's rules too) when it is there.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent, VersionControlDetails,
};

use super::{help_uri, Report};
use crate::finding::Finding;
use crate::rules::{Kind, Rule, Severity};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let sarif = build(report);
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

pub fn build(report: &Report) -> Sarif {
    let rules = report.rules.rules();
    let index_of: BTreeMap<&str, usize> =
        rules.iter().enumerate().map(|(i, r)| (r.id(), i)).collect();
    let descriptors = rules.iter().map(descriptor).collect::<Vec<_>>();
    let results = report
        .findings
        .iter()
        .map(|f| result(f, index_of.get(f.rule_id.as_str()).copied()))
        .collect::<Vec<_>>();

    let summary = report.summary;
    let notifications: Vec<Notification> = summary
        .warnings
        .iter()
        .map(|w| {
            let text = match &w.path {
                Some(path) => format!("{path}: {}", w.message),
                None => w.message.clone(),
            };
            match &w.path {
                Some(path) => Notification::builder()
                    .level(json!("warning"))
                    .message(text_message(text))
                    .locations(vec![file_location(path, None)])
                    .build(),
                None => Notification::builder()
                    .level(json!("warning"))
                    .message(text_message(text))
                    .build(),
            }
        })
        .collect();
    let invocation = if notifications.is_empty() {
        Invocation::builder()
            .execution_successful(summary.unreadable() == 0)
            .build()
    } else {
        Invocation::builder()
            .execution_successful(summary.unreadable() == 0)
            .tool_execution_notifications(notifications)
            .build()
    };
    let run_properties = property_bag(
        None,
        [(
            "credlint".to_string(),
            json!({
                "mode": summary.mode.as_str(),
                "filesScanned": summary.files_scanned,
                "bytesScanned": summary.bytes_scanned,
                "skipped": summary.skipped.iter().map(|(r, n)| (r.as_str().to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
                "elapsedMs": summary.elapsed.as_millis() as u64,
                "notes": summary.notes,
            }),
        )],
    );
    let driver = ToolComponent::builder()
        .name("credlint")
        .information_uri(INFORMATION_URI)
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .version(env!("CARGO_PKG_VERSION"))
        .rules(descriptors)
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .properties(run_properties)
        .build();
    if let Some(vcs) = &summary.version_control {
        // %SRCROOT%, the base of every result's URI, is the repository's root.
        let mut details = VersionControlDetails::builder()
            .repository_uri(vcs.repository_uri.clone())
            .revision_id(vcs.revision.clone())
            .mapped_to(ArtifactLocation {
                uri_base_id: Some("%SRCROOT%".into()),
                ..Default::default()
            })
            .build();
        details.branch = vcs.branch.clone();
        run.version_control_provenance = Some(vec![details]);
    }
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// A location in a file, with a region when there is one.
fn file_location(rel_path: &str, region: Option<Region>) -> Location {
    let physical = match region {
        Some(region) => PhysicalLocation::builder()
            .artifact_location(artifact(rel_path))
            .region(region)
            .build(),
        None => PhysicalLocation::builder()
            .artifact_location(artifact(rel_path))
            .build(),
    };
    Location::builder().physical_location(physical).build()
}

fn text_message(text: String) -> Message {
    Message {
        text: Some(text),
        ..Default::default()
    }
}

fn property_bag(
    tags: Option<Vec<String>>,
    extra: impl IntoIterator<Item = (String, Value)>,
) -> PropertyBag {
    PropertyBag {
        tags,
        additional_properties: extra.into_iter().collect(),
    }
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's scale: 9.0+ critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.1",
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let def = &rule.def;
    let words = rule.text();
    let description = if words.description.trim().is_empty() {
        words.checklist.trim()
    } else {
        words.description.trim()
    };
    let mut help_text = format!(
        "{}\n\nChecklist: {}\n\nFix: {}",
        description,
        words.checklist.trim(),
        words.remediation.trim()
    );
    let mut help_markdown = format!(
        "{}\n\n**Checklist:** {}\n\n**Fix:** {}",
        description,
        words.checklist.trim(),
        words.remediation.trim()
    );
    if !words.references.is_empty() {
        help_text.push_str("\n\nReferences:");
        help_markdown.push_str("\n\n**References:**\n");
        for reference in &words.references {
            help_text.push_str(&format!("\n- {reference}"));
            help_markdown.push_str(&format!("\n- {reference}"));
        }
    }
    let mut tags = vec!["security".to_string(), def.kind.as_str().to_string()];
    if def.kind == Kind::Secret {
        tags.push("external/cwe/cwe-798".to_string());
    }
    let text = |text: String, markdown: Option<String>| match markdown {
        Some(markdown) => MultiformatMessageString::builder()
            .text(text)
            .markdown(markdown)
            .build(),
        None => MultiformatMessageString::builder().text(text).build(),
    };
    let problem_severity = match level(def.severity) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "recommendation",
    };
    let mut descriptor = ReportingDescriptor::builder()
        .id(def.id.clone())
        .name(rule_name(rule))
        .short_description(text(words.title.clone(), None))
        .full_description(text(description.to_string(), None))
        .help(text(help_text, Some(help_markdown)))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(def.severity).to_string()))
                .build(),
        )
        .properties(property_bag(
            Some(tags),
            [
                (
                    "security-severity".to_string(),
                    json!(security_severity(def.severity)),
                ),
                ("precision".to_string(), json!("high")),
                ("problem.severity".to_string(), json!(problem_severity)),
                ("category".to_string(), json!(rule.category)),
            ],
        ))
        .build();
    descriptor.help_uri = help_uri(rule);
    descriptor
}

/// The rule's name for people: its id in PascalCase (`AwsAccessKeyId`). SARIF wants it to differ
/// from the id, which a one-word id (`jwt`) does only in case, so such a rule is named after
/// its title (`JsonWebToken`), then its kind.
fn rule_name(rule: &Rule) -> String {
    let id = rule.id();
    let mut name = pascal_case(id);
    if name.eq_ignore_ascii_case(id) {
        name = pascal_case(&rule.text().title);
    }
    if name.is_empty() || name.eq_ignore_ascii_case(id) {
        name = pascal_case(&format!("{id} {}", rule.def.kind.as_str()));
    }
    name
}

/// `aws-access-key-id` → `AwsAccessKeyId`, `JSON Web Token` → `JsonWebToken`: words split at
/// anything but letters and digits, each capitalised and the rest lower-cased. A one-letter word
/// joins the next (`x-api-key` → `XapiKey`), since two capitals in a row are not PascalCase.
fn pascal_case(text: &str) -> String {
    let mut out = String::new();
    let mut pending = String::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        pending.push_str(word);
        if pending.len() == 1 {
            continue;
        }
        let mut chars = pending.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(&chars.as_str().to_ascii_lowercase());
        }
        pending.clear();
    }
    out.push_str(&pending.to_ascii_uppercase());
    out
}

fn artifact(rel_path: &str) -> ArtifactLocation {
    ArtifactLocation {
        uri: Some(uri_path(rel_path)),
        uri_base_id: Some("%SRCROOT%".into()),
        ..Default::default()
    }
}

/// A relative URI reference for a repository path: forward slashes kept, everything outside
/// RFC 3986's unreserved set and `/` percent-encoded (spaces, `#`, `?`, `%`, non-ASCII).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn result(f: &Finding, rule_index: Option<usize>) -> SarifResult {
    let loc = &f.location;
    let region = Region {
        start_line: Some(loc.start_line as i64),
        start_column: Some(loc.start_column as i64),
        end_line: Some(loc.end_line as i64),
        end_column: Some(loc.end_column as i64),
        ..Default::default()
    };
    let mut extra: Vec<(String, Value)> = vec![
        ("severity".to_string(), json!(f.severity.as_str())),
        ("kind".to_string(), json!(f.kind.as_str())),
    ];
    if let Some(git) = &f.git {
        extra.push((
            "git".to_string(),
            json!({
                "commit": git.commit,
                "author": git.author,
                "date": git.date,
                "summary": git.summary,
                "inHead": git.in_head,
            }),
        ));
    }
    // A member of an archive: the artifact is the archive (the file in the repository), the
    // region is in the member, and the message and properties name the member.
    let mut message = f.message.clone();
    if let Some(member) = &f.member {
        extra.push(("member".to_string(), json!(member)));
        message.push_str(&format!(
            " (in {member}, inside the archive {}; the line and column are in {member})",
            f.outer_rel_path()
        ));
    }
    let location = file_location(f.outer_rel_path(), Some(region));
    let fingerprints = BTreeMap::from([("credlint/v1".to_string(), f.fingerprint.clone())]);
    let builder = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .level(level(f.severity))
        .message(text_message(message))
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(property_bag(None, extra));
    match rule_index {
        Some(index) => {
            let mut result = builder.build();
            result.rule_index = Some(index as i64);
            result
        }
        None => builder.build(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_relative_paths() {
        assert_eq!(uri_path("src/app config/#1.js"), "src/app%20config/%231.js");
        assert_eq!(uri_path("ü.txt"), "%C3%BC.txt");
    }

    #[test]
    fn rule_names_are_pascal_case_and_differ_from_the_id() {
        assert_eq!(pascal_case("aws-access-key"), "AwsAccessKey");
        assert_eq!(pascal_case("JSON Web Token"), "JsonWebToken");
        assert_eq!(pascal_case("transcodes-x-api-key"), "TranscodesXapiKey");
        assert_eq!(pascal_case("key-x"), "KeyX");
        let rules = crate::rules::RuleSet::builtin().unwrap();
        assert_eq!(rule_name(rules.get("jwt").unwrap()), "JsonWebToken");
        for rule in rules.rules() {
            let name = rule_name(rule);
            assert!(!name.eq_ignore_ascii_case(rule.id()), "{name}");
            // The multitool's idea of PascalCase: no two capitals in a row.
            let bytes = name.as_bytes();
            assert!(
                bytes[0].is_ascii_uppercase()
                    && name.chars().all(|c| c.is_ascii_alphanumeric())
                    && !bytes
                        .windows(2)
                        .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase()),
                "{name}"
            );
        }
    }

    #[test]
    fn built_in_rules_link_their_section_of_the_rules_document() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let uri = super::help_uri(rules.get("aws-access-key-id").unwrap()).unwrap();
        assert_eq!(
            uri,
            format!(
                "https://github.com/credlint/credlint/blob/v{}/docs/rules.md#aws-access-key-id",
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}
