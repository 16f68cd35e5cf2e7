//! Secrets inside encoded values: base64 in Kubernetes Secrets and Docker configs, string escapes
//! in JSON and code, percent-encoding in URLs, and encodings nested in each other. Each is
//! reported at the encoded text of the file, says how it was decoded, and is fingerprinted as the
//! decoded secret; base64 that is not an encoded secret (images, integrity hashes, source maps)
//! stays quiet. Real files, the real binary.

mod common;

use common::{fake, findings, scan_json, write};
use serde_json::Value;

fn b64(text: &str) -> String {
    fake::base64(text.as_bytes())
}

/// Scans a directory holding one file with `content` at `rel`; returns the findings.
fn scan_one(rel: &str, content: &str, extra: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), rel, content);
    let mut args = vec!["--show-secrets"];
    args.extend_from_slice(extra);
    let (_, report) = scan_json(dir.path(), &args);
    findings(&report)
}

/// The finding of `rule` whose value is `secret`.
fn finding_of<'a>(found: &'a [Value], rule: &str, secret: &str) -> &'a Value {
    found
        .iter()
        .find(|f| f["rule_id"] == rule && f["value"] == secret)
        .unwrap_or_else(|| panic!("no {rule} finding of the secret in {found:#?}"))
}

fn position(f: &Value) -> (u64, u64) {
    (
        f["start_line"].as_u64().unwrap(),
        f["start_column"].as_u64().unwrap(),
    )
}

/// The 1-based line and column of `needle` in `text`.
fn line_col(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (
        line as u64,
        (text[line_start..at].chars().count() + 1) as u64,
    )
}

fn message(f: &Value) -> &str {
    f["message"].as_str().unwrap()
}

#[test]
fn a_token_in_a_kubernetes_secret_is_found_at_its_base64_and_fingerprinted_as_the_token() {
    let token = fake::github_pat();
    let encoded = b64(&token);
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ntype: Opaque\ndata:\n  token: {encoded}\n"
    );
    let found = scan_one("deploy/secret.yaml", &manifest, &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = finding_of(&found, "github-pat", &token);
    let (line, column) = line_col(&manifest, &encoded);
    assert_eq!(position(f), (line, column));
    assert!(
        message(f).contains(&format!("decoded from base64 at {line}:{column}")),
        "{}",
        message(f)
    );

    // The same token raw, at the same path: the same fingerprint, so a baseline entry made
    // for one covers the other.
    let raw = scan_one("deploy/secret.yaml", &format!("token: {token}\n"), &[]);
    let raw = finding_of(&raw, "github-pat", &token);
    assert_eq!(f["fingerprint"], raw["fingerprint"]);

    // Redacted by default: neither the token nor its encoding is printed.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deploy/secret.yaml", &manifest);
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let text = report.to_string();
    assert!(!text.contains(&token) && !text.contains(&encoded), "{text}");
    assert!(findings(&report)[0]["value"]
        .as_str()
        .unwrap()
        .starts_with("ghp_"));
}

#[test]
fn a_token_in_a_docker_config_auth_is_found() {
    let token = fake::github_pat();
    let auth = b64(&format!("ci:{token}"));
    let config = format!(
        "{{\n  \"auths\": {{\n    \"ghcr.io\": {{\n      \"auth\": \"{auth}\"\n    }}\n  }}\n}}\n"
    );
    let found = scan_one(".docker/config.json", &config, &[]);
    let f = finding_of(&found, "github-pat", &token);
    assert_eq!(position(f), line_col(&config, &auth));
    assert!(message(f).contains("decoded from base64"), "{}", message(f));
}

#[test]
fn escaped_tokens_in_json_and_after_a_line_break_escape_are_found_where_they_are() {
    let token = fake::github_pat();
    let escaped = format!("\\u0067{}", &token[1..]);
    let json = format!("{{\"token\": \"{escaped}\"}}\n");
    let found = scan_one("settings.json", &json, &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = finding_of(&found, "github-pat", &token);
    assert_eq!(position(f), line_col(&json, &escaped));
    assert!(message(f).contains("string escapes"), "{}", message(f));

    let code = format!("msg = \"line one\\n{token}\"\n");
    let found = scan_one("app.py", &code, &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = finding_of(&found, "github-pat", &token);
    assert_eq!(position(f), line_col(&code, &token));

    // Both fingerprinted as the token itself.
    let raw = scan_one("app.py", &format!("msg = \"{token}\"\n"), &[]);
    assert_eq!(
        f["fingerprint"],
        finding_of(&raw, "github-pat", &token)["fingerprint"]
    );
}

#[test]
fn a_token_found_raw_is_not_reported_again_from_the_escaped_view() {
    let token = fake::github_pat();
    let code = format!("label = \"\\u0041 {token}\\nnext\"\n");
    let found = scan_one("app.js", &code, &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = finding_of(&found, "github-pat", &token);
    assert!(!message(f).contains("decoded"), "{}", message(f));
}

#[test]
fn a_percent_encoded_password_in_a_connection_url_is_not_lost() {
    let password = format!("p%40ss{}", fake::alnum(12));
    let env = format!("DATABASE_URL=postgres://app:{password}@db/app\n");
    let found = scan_one("deploy/app.conf", &env, &[]);
    let f = found
        .iter()
        .find(|f| f["rule_id"] == "postgres-connection-string")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(position(f), line_col(&env, &password));
    // Reported, redacted and fingerprinted as the password the database sees.
    assert_eq!(f["value"], password.replace("%40", "@"));
    assert!(
        message(f).contains("decoded from percent-encoding"),
        "{}",
        message(f)
    );
}

#[test]
fn an_allow_comment_on_the_outer_line_suppresses_a_decoded_finding() {
    let token = fake::github_pat();
    let manifest = format!("data:\n  token: {}  # credlint:allow\n", b64(&token));
    assert!(scan_one("secret.yaml", &manifest, &[]).is_empty());
    let json = format!(
        "{{\"token\": \"\\u0067{}\"}} // credlint:allow\n",
        &token[1..]
    );
    assert!(scan_one("app.js", &json, &[]).is_empty());
}

#[test]
fn nested_encodings_are_decoded_to_the_depth_and_no_further() {
    let token = fake::github_pat();
    let inner = format!("{{\"token\": \"\\u0067{}\"}}", &token[1..]);
    let encoded = b64(&inner);
    let manifest = format!("data:\n  config.json: {encoded}\n");
    let found = scan_one("secret.yaml", &manifest, &[]);
    let f = finding_of(&found, "github-pat", &token);
    assert_eq!(position(f), line_col(&manifest, &encoded));
    assert!(
        message(f).contains("decoded from base64, then string escapes at"),
        "{}",
        message(f)
    );
    // One layer allowed: the escapes inside the base64 are not decoded.
    let found = scan_one("secret.yaml", &manifest, &["--max-decode-depth", "1"]);
    assert!(found.is_empty(), "{found:#?}");
    // Decoding off.
    let plain = format!("data:\n  token: {}\n", b64(&token));
    let decoded = scan_one("secret.yaml", &plain, &[]);
    assert_eq!(decoded.len(), 1, "{decoded:#?}");
    finding_of(&decoded, "github-pat", &token);
    // Without decoding, at most a generic rule sees a random-looking value; the token is not
    // found.
    let raw = scan_one("secret.yaml", &plain, &["--max-decode-depth", "0"]);
    assert!(raw.iter().all(|f| f["rule_id"] != "github-pat"), "{raw:#?}");
}

#[test]
fn images_integrity_hashes_and_source_maps_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let token = fake::github_pat();
    // An image as a data URI in CSS and in JSON.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x20\0\0\0\x20\x08\x06\0\0\0".to_vec();
    png.extend((0..200u32).map(|i| (i * 37 % 251) as u8));
    let png = fake::base64(&png);
    write(
        dir.path(),
        "web/style.css",
        format!(".logo {{ background: url(data:image/png;base64,{png}); }}\n"),
    );
    write(
        dir.path(),
        "web/icons.json",
        format!("{{\"logo\": \"data:image/png;base64,{png}\", \"raw\": \"{png}\"}}\n"),
    );
    // Lockfile integrity hashes.
    let digest = fake::base64(&(0..64u8).map(|i| i.wrapping_mul(97)).collect::<Vec<_>>());
    write(
        dir.path(),
        "package-lock.json",
        format!(
            "{{\"packages\": {{\"node_modules/a\": {{\"integrity\": \"sha512-{digest}\"}}}}}}\n"
        ),
    );
    // A source map: base64 mappings, and escaped copies of sources (scanned as the sources).
    write(
        dir.path(),
        "dist/app.js.map",
        format!(
            "{{\"version\":3,\"mappings\":\"AAAA,SAASA,IAAI;AACb\",\"sourcesContent\":[\"const a = 1;\\n{token}\"],\"x\":\"{}\"}}\n",
            b64("some text that a source map holds")
        ),
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert!(findings(&report).is_empty(), "{report:#}");
    assert_eq!(code, 0);
}
