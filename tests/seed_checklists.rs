//! Every checklist item of the vendor seed documents (../shared/seeds/), end to end: the real
//! binary scans realistic files in the languages the documents use (shell and curl, Python,
//! JavaScript and TypeScript, Ruby, Go, `.http` files, `.env`, YAML) and reports each breach
//! once, with the rule that says the most, while the documents' own placeholders and the
//! correct patterns they teach stay silent. docs/seed-checklists.md maps items to these rules.
//!
//! Secrets are generated at run time (tests/common::fake).

mod common;

use common::{fake, scan_json, write};
use serde_json::Value;
use tempfile::TempDir;

/// One finding, as the JSON report gives it with `--show-secrets`.
#[derive(Debug, Clone)]
struct Found {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    value: String,
    message: String,
}

/// Writes the files into a fresh directory and scans it.
fn scan(files: &[(&str, String)]) -> Vec<Found> {
    let dir = TempDir::new().unwrap();
    for (path, content) in files {
        write(dir.path(), path, content);
    }
    scan_dir(&dir)
}

fn scan_dir(dir: &TempDir) -> Vec<Found> {
    let (code, report) = scan_json(dir.path(), &["--show-secrets"]);
    assert!(code == 0 || code == 1, "scan failed ({code}): {report:#}");
    let found: Vec<Found> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f: &Value| Found {
            rule: f["rule_id"].as_str().unwrap().into(),
            severity: f["severity"].as_str().unwrap().into(),
            path: f["repo_path"].as_str().unwrap().into(),
            line: f["start_line"].as_u64().unwrap(),
            value: f["value"].as_str().unwrap().into(),
            message: f["message"].as_str().unwrap().into(),
        })
        .collect();
    assert_eq!(
        code,
        if found.is_empty() { 0 } else { 1 },
        "exit code and findings disagree: {found:#?}"
    );
    found
}

/// The findings in one file, as (rule, line).
fn in_file(found: &[Found], path: &str) -> Vec<(String, u64)> {
    found
        .iter()
        .filter(|f| f.path == path)
        .map(|f| (f.rule.clone(), f.line))
        .collect()
}

fn only<'a>(found: &'a [Found], path: &str) -> &'a Found {
    let here: Vec<&Found> = found.iter().filter(|f| f.path == path).collect();
    assert_eq!(here.len(), 1, "expected one finding in {path}: {found:#?}");
    here[0]
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected.iter().map(|(r, l)| (r.to_string(), *l)).collect()
}

/// A Transcodes-Console-shaped server token: a signed JWT with organization and project claims.
fn transcodes_jwt() -> String {
    fake::jwt()
}

/// api.video API keys: long random letters and digits.
fn apivideo_key() -> String {
    fake::alnum(43)
}

fn mediaconvert_test() -> String {
    format!("mc_{}_{}", "test", fake::alnum(28))
}

// --- Transcodes (seed 000) --------------------------------------------------------------------

#[test]
fn transcodes_server_token_written_in_code_is_one_critical_finding_in_every_language() {
    let token = transcodes_jwt();
    let files = [
        (
            "server/stepUp.ts",
            format!(
                "const res = await fetch(\n  'https://api.transcodesapis.com/v1/auth/temp-session/step-up/' + sid,\n  {{ headers: {{ 'x-transcodes-token': '{token}', 'Content-Type': 'application/json' }} }},\n);\n"
            ),
        ),
        (
            "app/transcodes.py",
            format!("import requests\n\nHEADERS = {{\"x-transcodes-token\": \"{token}\"}}\n"),
        ),
        (
            "internal/transcodes/client.go",
            format!("package transcodes\n\nfunc auth(req *http.Request) {{\n\treq.Header.Set(\"x-transcodes-token\", \"{token}\")\n}}\n"),
        ),
        (
            "lib/transcodes_client.rb",
            format!("request = Net::HTTP::Get.new(uri)\nrequest['x-transcodes-token'] = '{token}'\n"),
        ),
        (
            "scripts/step_up.sh",
            format!("curl -sS -X GET \\\n  'https://api.transcodesapis.com/v1/members' \\\n  -H 'x-transcodes-token: {token}' \\\n  -H 'Content-Type: application/json'\n"),
        ),
        (
            "requests/members.http",
            format!("GET https://api.transcodesapis.com/v1/members\nx-transcodes-token: {token}\n"),
        ),
    ];
    let found = scan(&files);
    for (path, _) in &files {
        let f = only(&found, path);
        assert_eq!(f.rule, "transcodes-server-token", "{path}: {f:#?}");
        assert_eq!(f.severity, "critical");
        assert_eq!(f.value, token, "{path}: the JWT is the secret");
    }
    // The generic JWT rule stands down: one finding per token, the one that names Transcodes.
    assert!(found.iter().all(|f| f.rule != "jwt"), "{found:#?}");
}

#[test]
fn transcodes_token_in_browser_code_or_a_bundle_is_critical_and_says_why() {
    let token = transcodes_jwt();
    let bundle_line = format!(
        "!function(e){{var t={{}};function n(r){{return fetch(r,{{headers:{{\"x-transcodes-token\":\"{token}\"}}}})}}e.stepUp=n}}(window);"
    );
    let found = scan(&[
        (
            "src/components/StepUp.tsx",
            format!("export function StepUp() {{\n  const headers = {{ 'x-transcodes-token': '{token}' }};\n  return null;\n}}\n"),
        ),
        ("dist/assets/index-BfG3k2aX.js", bundle_line.repeat(3)),
    ]);
    let component = only(&found, "src/components/StepUp.tsx");
    assert_eq!(component.rule, "transcodes-server-token");
    assert_eq!(component.severity, "critical");
    assert!(
        component.message.contains("browser source code"),
        "{component:#?}"
    );
    let bundle = only(&found, "dist/assets/index-BfG3k2aX.js");
    assert_eq!(bundle.rule, "transcodes-server-token");
    assert!(bundle.message.contains("client bundle"), "{bundle:#?}");
}

#[test]
fn transcodes_header_in_browser_code_is_reported_even_when_the_value_comes_from_env() {
    let browser = "const res = await fetch(url, {\n  headers: { 'x-transcodes-token': import.meta.env.VITE_TRANSCODES_AUTH_API_TOKEN },\n});\n";
    let server = "const AUTH_API_TOKEN = process.env.TRANSCODES_AUTH_API_TOKEN!;\nconst res = await fetch(url, {\n  headers: { 'x-transcodes-token': AUTH_API_TOKEN },\n});\n";
    let found = scan(&[
        ("src/components/StepUp.tsx", browser.to_string()),
        ("src/server/stepUp.ts", server.to_string()),
        ("pages/api/step-up.ts", server.to_string()),
        ("app/api/step-up/route.ts", server.to_string()),
    ]);
    // One finding on the browser line: the Transcodes rule stands in for the public-env one.
    assert_eq!(
        in_file(&found, "src/components/StepUp.tsx"),
        pairs(&[("transcodes-token-in-browser", 2)])
    );
    assert_eq!(found[0].severity, "critical");
    assert_eq!(
        found.len(),
        1,
        "server code is where the token belongs: {found:#?}"
    );
}

#[test]
fn transcodes_requests_with_x_api_key_or_bearer_are_lint_findings() {
    let found = scan(&[
        (
            "src/transcodes.js",
            "export async function members() {\n  return fetch('https://api.transcodesapis.com/v1/members', {\n    headers: { 'x-api-key': process.env.TRANSCODES_AUTH_API_TOKEN },\n  });\n}\n".into(),
        ),
        (
            "app/members.py",
            "import os, requests\n\nTOKEN = os.environ[\"TRANSCODES_AUTH_API_TOKEN\"]\nresp = requests.get(\n    \"https://api.transcodesapis.com/v1/members\",\n    headers={\"Authorization\": f\"Bearer {TOKEN}\"},\n)\n".into(),
        ),
        (
            "scripts/members.sh",
            "curl -sS https://api.transcodesapis.com/v1/members \\\n  -H \"Authorization: Bearer $TRANSCODES_AUTH_API_TOKEN\"\n".into(),
        ),
        (
            "internal/members.go",
            "req, _ := http.NewRequest(\"GET\", \"https://api.transcodesapis.com/v1/members\", nil)\nreq.Header.Set(\"X-Api-Key\", os.Getenv(\"TRANSCODES_AUTH_API_TOKEN\"))\n".into(),
        ),
        (
            // The header before the URL.
            "scripts/members_key.sh",
            "set -eu\ncurl -sS -H \"X-API-Key: $TRANSCODES_KEY\" \\\n  https://api.transcodesapis.com/v1/members\n".into(),
        ),
    ]);
    assert_eq!(
        in_file(&found, "src/transcodes.js"),
        pairs(&[("transcodes-x-api-key", 3)])
    );
    assert_eq!(
        in_file(&found, "app/members.py"),
        pairs(&[("transcodes-bearer-auth", 6)])
    );
    assert_eq!(
        in_file(&found, "scripts/members.sh"),
        pairs(&[("transcodes-bearer-auth", 2)])
    );
    assert_eq!(
        in_file(&found, "internal/members.go"),
        pairs(&[("transcodes-x-api-key", 2)])
    );
    assert_eq!(
        in_file(&found, "scripts/members_key.sh"),
        pairs(&[("transcodes-x-api-key", 2)])
    );
    let header_first = only(&found, "scripts/members_key.sh");
    assert_eq!(
        header_first.value, "X-API-Key",
        "the header is what is shown"
    );
    assert!(found.iter().all(|f| f.severity == "medium"), "{found:#?}");
}

#[test]
fn transcodes_correct_usage_and_other_apis_in_the_same_file_stay_silent() {
    let found = scan(&[
        (
            // The seed document's own examples.
            "docs/transcodes-example.sh",
            "curl -sS -X GET \\\n'https://api.transcodesapis.com/v1/auth/temp-session/step-up/YOUR_STEP_UP_SID' \\\n-H 'x-transcodes-token: YOUR_SERVER_JWT_FROM_CONSOLE' \\\n-H 'Content-Type: application/json'\n".into(),
        ),
        (
            "server/transcodes.ts",
            "const AUTH_API_TOKEN = process.env.TRANSCODES_AUTH_API_TOKEN!;\nconst res = await fetch(\n'https://api.transcodesapis.com/v1/example-endpoint',\n{\nheaders: {\n'x-transcodes-token': AUTH_API_TOKEN,\n'Content-Type': 'application/json',\n},\n},\n);\n".into(),
        ),
        (
            // A script that calls Transcodes correctly and another API with Bearer and x-api-key.
            "scripts/sync.sh",
            "curl -sS https://api.transcodesapis.com/v1/members -H \"x-transcodes-token: $TRANSCODES_AUTH_API_TOKEN\" > members.json\ncurl -X POST https://api.transcodely.com/transcodely.v1.JobService/List -H \"Authorization: Bearer $TRANSCODELY_API_KEY\"\ncurl https://api.other.example/v1/upload -H \"x-api-key: $OTHER_KEY\"\n".into(),
        ),
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn transcodes_token_in_env_files_and_mcp_configuration() {
    let token = transcodes_jwt();
    let found = scan(&[
        (".env", format!("TRANSCODES_AUTH_API_TOKEN={token}\nPORT=3000\n")),
        (
            ".cursor/mcp.json",
            format!("{{\n  \"mcpServers\": {{\n    \"transcodes\": {{\n      \"env\": {{ \"TRANSCODES_TOKEN\": \"{token}\" }}\n    }}\n  }}\n}}\n"),
        ),
        (".env.example", "TRANSCODES_AUTH_API_TOKEN=\n".into()),
    ]);
    let env = only(&found, ".env");
    assert_eq!(env.rule, "transcodes-server-token");
    assert!(env.message.contains(".gitignore"), "{env:#?}");
    assert_eq!(
        only(&found, ".cursor/mcp.json").rule,
        "transcodes-server-token"
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}

// --- Transcodely (seed 001) -------------------------------------------------------------------

#[test]
fn transcodely_keys_in_code_and_committed_configuration() {
    let live = fake::transcodely_live();
    let test = fake::transcodely_test();
    let files = [
        (
            "worker/jobs.py",
            format!("from transcodely import Transcodely\n\nclient = Transcodely(api_key=\"{live}\")\n"),
            "transcodely-live-key",
            "critical",
        ),
        (
            "server/jobs.ts",
            format!("import {{ Transcodely }} from \"transcodely\";\nconst client = new Transcodely({{ apiKey: \"{live}\" }});\n"),
            "transcodely-live-key",
            "critical",
        ),
        (
            "cmd/jobs/main.go",
            format!("client, err := transcodely.New(\"{live}\")\n"),
            "transcodely-live-key",
            "critical",
        ),
        (
            "config/transcodely.yml",
            format!("production:\n  api_key: {live}\n"),
            "transcodely-live-key",
            "critical",
        ),
        (
            "scripts/list_jobs.sh",
            format!("curl -X POST https://api.transcodely.com/transcodely.v1.JobService/List \\\n  -H \"Authorization: Bearer {test}\" \\\n  -d '{{}}'\n"),
            "transcodely-test-key",
            "medium",
        ),
    ];
    let found = scan(
        &files
            .iter()
            .map(|(p, c, _, _)| (*p, c.clone()))
            .collect::<Vec<_>>(),
    );
    for (path, _, rule, severity) in &files {
        let f = only(&found, path);
        assert_eq!(
            (f.rule.as_str(), f.severity.as_str()),
            (*rule, *severity),
            "{path}"
        );
    }
    // The Bearer header holds a Transcodely key: the generic Bearer rule stands down.
    assert!(found
        .iter()
        .all(|f| f.rule != "authorization-bearer-literal"));
}

#[test]
fn transcodely_live_key_in_development_or_test_configuration_says_use_test_keys() {
    let live = fake::transcodely_live();
    let test = fake::transcodely_test();
    let found = scan(&[
        (".env.development", format!("TRANSCODELY_API_KEY={live}\n")),
        (
            "config/test.yml",
            format!("transcodely:\n  api_key: \"{live}\"\n"),
        ),
        (
            "tests/test_jobs.py",
            format!("def test_list_jobs():\n    client = Transcodely(api_key=\"{live}\")\n"),
        ),
        (
            "spec/jobs_spec.rb",
            format!("let(:client) {{ Transcodely::Client.new(api_key: '{live}') }}\n"),
        ),
        (".env.production", format!("TRANSCODELY_API_KEY={live}\n")),
        ("config/development.yml", format!("api_key: {test}\n")),
    ]);
    for path in [
        ".env.development",
        "config/test.yml",
        "tests/test_jobs.py",
        "spec/jobs_spec.rb",
    ] {
        let f = only(&found, path);
        assert_eq!(f.rule, "transcodely-live-key-in-dev-config", "{path}");
        assert_eq!(f.value, live);
    }
    assert_eq!(only(&found, ".env.production").rule, "transcodely-live-key");
    // A test key in development configuration is what the checklist asks for; it is still a
    // committed credential, reported at its own (lower) severity.
    let dev = only(&found, "config/development.yml");
    assert_eq!(
        (dev.rule.as_str(), dev.severity.as_str()),
        ("transcodely-test-key", "medium")
    );
}

#[test]
fn transcodely_malformed_keys_are_low_and_key_ids_and_prefixes_are_never_reported() {
    let live = fake::transcodely_live();
    let truncated = &live[..8 + 24];
    let found = scan(&[
        ("deploy/worker.env", format!("TRANSCODELY_API_KEY={truncated}\n")),
        (
            // The seed document's Create response, revoke calls and placeholders.
            "docs/api-keys.py",
            "created = client.api_keys.create(name=\"Production API Key\", environment=\"live\")\nprint(created.api_key.id, created.secret)\napi_key = client.api_keys.revoke(\"ak_r4s5t6u7v8w9x0y1\")\n".into(),
        ),
        (
            "fixtures/create_key_response.json",
            "{\n  \"api_key\": {\n    \"id\": \"ak_r4s5t6u7v8w9x0y1\",\n    \"key_prefix\": \"ak_live_\",\n    \"key_hint\": \"StUv\",\n    \"environment\": \"live\"\n  },\n  \"secret\": \"ak_live_AbCdEf1234567890GhIjKlMnOpQrStUv\"\n}\n".into(),
        ),
        (
            "src/validate.ts",
            "export const isKey = (k: string) => k.startsWith(\"ak_live_\") || k.startsWith(\"ak_test_\");\n".into(),
        ),
    ]);
    let f = only(&found, "deploy/worker.env");
    assert_eq!(
        (f.rule.as_str(), f.severity.as_str()),
        ("transcodely-malformed-key", "low")
    );
    assert_eq!(f.value, truncated);
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn transcodely_in_browser_code_is_reported_and_a_literal_key_there_is_critical() {
    let test = fake::transcodely_test();
    let found = scan(&[
        (
            "src/components/Upload.tsx",
            "import { Transcodely } from \"transcodely\";\n\nconst client = new Transcodely({ apiKey: import.meta.env.VITE_TRANSCODELY_API_KEY });\n".into(),
        ),
        (
            "src/App.jsx",
            format!("const client = new Transcodely({{ apiKey: \"{test}\" }});\n"),
        ),
        (
            "server/jobs.ts",
            "import { Transcodely } from \"transcodely\";\nconst client = new Transcodely({ apiKey: process.env.TRANSCODELY_API_KEY! });\n".into(),
        ),
    ]);
    assert_eq!(
        in_file(&found, "src/components/Upload.tsx"),
        pairs(&[
            ("transcodely-api-in-browser", 1),
            ("transcodely-api-in-browser", 3)
        ])
    );
    // The sandbox key is raised to critical, and the lint on the same line stands down.
    let app = only(&found, "src/App.jsx");
    assert_eq!(
        (app.rule.as_str(), app.severity.as_str()),
        ("transcodely-test-key", "critical")
    );
    assert!(app.message.contains("raised to critical"), "{app:#?}");
    assert!(in_file(&found, "server/jobs.ts").is_empty());
}

// --- MediaConvert.io (seed 002) ---------------------------------------------------------------

#[test]
fn mediaconvert_hardcoded_bearer_values_in_code_scripts_http_files_and_curl() {
    let token = fake::bearer();
    let live = fake::mediaconvert_live();
    let files = [
        (
            "scripts/me.sh",
            format!("curl -H \"Authorization: Bearer {token}\" \\\nhttps://mediaconvert.io/api/v1/me\n"),
        ),
        (
            "lib/media_convert_client.rb",
            format!("request = Net::HTTP::Post.new(uri)\nrequest['Authorization'] = \"Bearer {token}\"\n"),
        ),
        (
            "src/mediaconvert.js",
            format!("const response = await fetch(`${{this.baseURL}}/conversion_jobs`, {{\n  headers: {{ 'Authorization': 'Bearer {token}' }},\n}});\n"),
        ),
        (
            "mediaconvert/client.py",
            format!("self.session.headers.update({{\n    'Authorization': 'Bearer {token}',\n}})\n"),
        ),
        (
            "api/jobs.http",
            format!("GET /v1/conversion_jobs HTTP/1.1\nHost: api.mediaconvert.io\nAuthorization: Bearer {token}\n"),
        ),
    ];
    let mut all: Vec<(&str, String)> = files.iter().map(|(p, c)| (*p, c.clone())).collect();
    all.push((
        "scripts/live.sh",
        format!("curl -H \"Authorization: Bearer {live}\" https://mediaconvert.io/api/v1/me\n"),
    ));
    let found = scan(&all);
    for (path, _) in &files {
        let f = only(&found, path);
        assert_eq!(f.rule, "authorization-bearer-literal", "{path}");
        assert_eq!(f.value, token);
    }
    // A MediaConvert token in the header is named as one, once.
    let f = only(&found, "scripts/live.sh");
    assert_eq!(
        (f.rule.as_str(), f.value.as_str()),
        ("mediaconvert-live-token", live.as_str())
    );
}

#[test]
fn mediaconvert_calls_over_plain_http_are_reported_https_is_not() {
    let found = scan(&[
        (
            "lib/media_convert_client.rb",
            "def initialize(api_token)\n  @api_token = api_token\n  @base_uri = URI('http://mediaconvert.io/api/v1')\nend\n".into(),
        ),
        (
            "api/jobs.http",
            "GET http://api.mediaconvert.io/v1/conversion_jobs HTTP/1.1\nAuthorization: Bearer {{token}}\n".into(),
        ),
        (
            "config/services.yml",
            "mediaconvert:\n  base_url: http://mediaconvert.io/api/v1\n".into(),
        ),
        (
            "src/mediaconvert.js",
            "this.baseURL = 'https://mediaconvert.io/api/v1';\nconst local = 'http://localhost:3000/api/v1';\n".into(),
        ),
    ]);
    assert_eq!(
        in_file(&found, "lib/media_convert_client.rb"),
        pairs(&[("api-call-over-http", 3)])
    );
    assert_eq!(
        in_file(&found, "api/jobs.http"),
        pairs(&[("api-call-over-http", 1)])
    );
    assert_eq!(
        in_file(&found, "config/services.yml"),
        pairs(&[("api-call-over-http", 2)])
    );
    assert!(
        in_file(&found, "src/mediaconvert.js").is_empty(),
        "{found:#?}"
    );
    let f = only(&found, "lib/media_convert_client.rb");
    assert_eq!(
        f.value, "http://mediaconvert.io",
        "lint values are shown in full"
    );
}

#[test]
fn mediaconvert_tokens_committed_in_env_files() {
    let live = fake::mediaconvert_live();
    let test = mediaconvert_test();
    let found = scan(&[
        (".env", format!("MEDIACONVERT_API_TOKEN={live}\n")),
        (".env.local", format!("MEDIACONVERT_API_TOKEN={live}\n")),
        (".env.staging", format!("MEDIACONVERT_STAGING_TOKEN=\"{test}\"\n")),
        (".env.example", format!("MEDIACONVERT_API_TOKEN={live}\n")),
        (
            // The seed document's own placeholders.
            ".env.sample",
            "MEDIACONVERT_DEV_TOKEN=\"mc_test_dev123...\"\nMEDIACONVERT_STAGING_TOKEN=\"mc_test_staging456...\"\nMEDIACONVERT_PROD_TOKEN=\"mc_live_prod789...\"\n".into(),
        ),
    ]);
    let env = only(&found, ".env");
    assert_eq!(
        (env.rule.as_str(), env.severity.as_str()),
        ("mediaconvert-live-token", "critical")
    );
    assert!(env.message.contains("found in a .env file"), "{env:#?}");
    assert_eq!(
        only(&found, ".env.local").rule,
        "mediaconvert-live-token-in-dev-config"
    );
    assert_eq!(only(&found, ".env.staging").rule, "mediaconvert-test-token");
    let template = only(&found, ".env.example");
    assert!(template.message.contains(".env template"), "{template:#?}");
    assert!(in_file(&found, ".env.sample").is_empty());
}

#[test]
fn mediaconvert_seed_examples_stay_silent() {
    let found = scan(&[
        (
            "docs/auth.sh",
            "# GOOD: Store tokens in environment variables\nexport MEDIACONVERT_API_TOKEN=\"mc_live_abc123...\"\ncurl -H \"Authorization: Bearer $MEDIACONVERT_API_TOKEN\" \\\nhttps://mediaconvert.io/api/v1/me\n# BAD: Never hardcode tokens in source code\ncurl -H \"Authorization: Bearer mc_live_abc123...\" \\\nhttps://mediaconvert.io/api/v1/me\n".into(),
        ),
        (
            "api/jobs.http",
            "GET /v1/conversion_jobs HTTP/1.1\nHost: api.mediaconvert.io\nAuthorization: Bearer YOUR_API_TOKEN\nContent-Type: application/json\n".into(),
        ),
        (
            "lib/media_convert_client.rb",
            "request['Authorization'] = \"Bearer #{@api_token}\"\nclient = MediaConvertClient.new(ENV['MEDIACONVERT_API_TOKEN'])\n".into(),
        ),
        (
            "src/api.js",
            "const defaultHeaders = {\n'Authorization': `Bearer ${process.env.MEDIACONVERT_API_TOKEN}`,\n};\n".into(),
        ),
        (
            "mediaconvert/client.py",
            "self.session.headers.update({\n'Authorization': f'Bearer {api_token}',\n})\nclient = MediaConvertClient(os.environ['MEDIACONVERT_API_TOKEN'])\n".into(),
        ),
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

// --- api.video (seeds 003 and 004) ------------------------------------------------------------

#[test]
fn apivideo_key_as_basic_auth_user_in_curl_urls_and_headers() {
    let key = apivideo_key();
    let basic = fake::base64(format!("{key}:").as_bytes());
    let found = scan(&[
        (
            "scripts/list_videos.sh",
            format!("#!/bin/sh\ncurl -u {key}: https://sandbox.api.video/videos\n"),
        ),
        (
            "tools/upload.py",
            format!("API = \"https://{key}:@ws.api.video\"\nrequests.get(API + \"/videos\")\n"),
        ),
        (
            "src/videos.js",
            format!("const res = await fetch('https://ws.api.video/videos', {{\n  headers: {{ Authorization: 'Basic {basic}' }},\n}});\n"),
        ),
        (
            "cmd/videos/main.go",
            format!("client := apivideosdk.ClientBuilder(\"{key}\").Build()\n"),
        ),
    ]);
    let curl = only(&found, "scripts/list_videos.sh");
    assert_eq!(
        (curl.rule.as_str(), curl.value.as_str()),
        ("basic-auth-api-key-user", key.as_str())
    );
    let url = only(&found, "tools/upload.py");
    assert_eq!(
        (url.rule.as_str(), url.value.as_str()),
        ("basic-auth-api-key-user", key.as_str())
    );
    // The Basic header is decoded and what it holds is said, without quoting it.
    let header = only(&found, "src/videos.js");
    assert_eq!(header.rule, "authorization-basic-literal");
    assert!(
        header
            .message
            .contains("API key sent as the Basic auth user name"),
        "{header:#?}"
    );
    assert!(!header.message.contains(&key));
    assert_eq!(only(&found, "cmd/videos/main.go").rule, "apivideo-api-key");
}

#[test]
fn apivideo_hardcoded_access_and_refresh_tokens() {
    let access = fake::jwt();
    let refresh = fake::jwt();
    let opaque_access = fake::alnum(40);
    let opaque_refresh = fake::alnum(40);
    let found = scan(&[
        (
            "test/fixtures/auth_response.json",
            format!("{{\n  \"token_type\": \"Bearer\",\n  \"expires_in\": 3600,\n  \"access_token\": \"{access}\",\n  \"refresh_token\": \"{refresh}\"\n}}\n"),
        ),
        (
            "scripts/videos.sh",
            format!("curl --location 'https://sandbox.api.video/videos' \\\n--header 'Authorization: {access}'\n"),
        ),
        (
            "scripts/refresh.sh",
            format!("curl --request POST \\\n     --url https://sandbox.api.video/auth/refresh \\\n     --data '{{\"refreshToken\": \"{opaque_refresh}\"}}'\n"),
        ),
        (
            // Opaque tokens too, short enough for any catch-all assignment rule to see: still
            // one finding each, named for what the value is.
            "lib/apivideo.rb",
            format!("ACCESS_TOKEN = '{opaque_access}'\n"),
        ),
        (
            "app/videos.py",
            format!("client = VideosClient(access_token=\"{opaque_access}\")\n"),
        ),
    ]);
    assert_eq!(
        in_file(&found, "test/fixtures/auth_response.json"),
        pairs(&[
            ("hardcoded-access-token", 4),
            ("hardcoded-refresh-token", 5)
        ])
    );
    assert_eq!(
        in_file(&found, "scripts/videos.sh"),
        pairs(&[("authorization-header-token", 2)])
    );
    assert_eq!(
        in_file(&found, "scripts/refresh.sh"),
        pairs(&[("hardcoded-refresh-token", 3)])
    );
    assert_eq!(
        in_file(&found, "lib/apivideo.rb"),
        pairs(&[("hardcoded-access-token", 1)])
    );
    assert_eq!(
        in_file(&found, "app/videos.py"),
        pairs(&[("hardcoded-access-token", 1)])
    );
    assert_eq!(only(&found, "scripts/refresh.sh").value, opaque_refresh);
    // Each token is named by what it is, not reported a second time as a bare JWT.
    assert!(found.iter().all(|f| f.rule != "jwt"), "{found:#?}");
}

#[test]
fn apivideo_seed_examples_stay_silent() {
    let found = scan(&[
        (
            "docs/auth.sh",
            "$ curl -u apikey: https://sandbox.api.video/\ncurl -X POST \\\nhttps://sandbox.api.video/auth/api-key \\\n-H 'Content-Type: application/json' \\\n-d '{\"apiKey\": \"your API key here\"}'\ncurl --location 'https://sandbox.api.video/videos' \\\n--header 'Authorization: xxXXX.Yyyyyy'\ncurl --request POST \\\n     --url https://sandbox.api.video/auth/refresh \\\n     --data '{\"refreshToken\": \"jwt_bearer_token\"}'\n".into(),
        ),
        (
            "fixtures/token.json",
            "{\n  \"token_type\": \"Bearer\",\n  \"expires_in\": 3600,\n  \"access_token\": \"xxXXX.Yyyyyy\",\n  \"refresh_token\": \"yyyYYY.XxxXXXxx\"\n}\n".into(),
        ),
        (
            "main.go",
            "package main\n\nimport (\n    \"context\"\n    apivideosdk \"github.com/apivideo/api.video-go-client\"\n)\n\nfunc main() {\n    client := apivideosdk.ClientBuilder(\"YOUR_API_TOKEN\").Build()\n    // client := apivideosdk.SandboxClientBuilder(\"YOU_SANDBOX_API_TOKEN\").Build()\n    authenticatePayload := *apivideosdk.NewAuthenticatePayload(\"ApiKey_example\")\n    res, err := client.Authentication.Authenticate(authenticatePayload)\n}\n".into(),
        ),
        (
            "src/auth.ts",
            "const accessToken = response.data.access_token;\nconst refreshToken = session.refreshToken;\nheaders.Authorization = accessToken;\n".into(),
        ),
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

// --- Across all: secrets exposed to the browser through public env prefixes -------------------

#[test]
fn secrets_in_public_env_variables_are_reported_wherever_they_are_named() {
    let found = scan(&[
        (
            ".env.local",
            "NEXT_PUBLIC_SITE_URL=https://example.com\nNEXT_PUBLIC_TRANSCODES_AUTH_API_TOKEN=\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=\n".into(),
        ),
        (
            "src/lib/ai.ts",
            "export const openai = new OpenAI({ apiKey: process.env.NEXT_PUBLIC_OPENAI_API_KEY });\n".into(),
        ),
        (
            ".github/workflows/deploy.yml",
            "jobs:\n  build:\n    steps:\n      - run: npm run build\n        env:\n          VITE_MEDIACONVERT_API_TOKEN: ${{ secrets.VITE_MEDIACONVERT_API_TOKEN }}\n          VITE_FIREBASE_API_KEY: ${{ secrets.FIREBASE_API_KEY }}\n".into(),
        ),
        ("app/.env", "EXPO_PUBLIC_SUPABASE_SERVICE_ROLE_KEY=\n".into()),
        ("web/.env.production", "VITE_WEATHER_API_KEY=\n".into()),
        (
            "README.md",
            "Never name a secret `NEXT_PUBLIC_API_SECRET`: Next.js ships it to the browser.\n".into(),
        ),
    ]);
    assert_eq!(
        in_file(&found, ".env.local"),
        pairs(&[("public-env-secret", 2)])
    );
    assert_eq!(
        in_file(&found, "src/lib/ai.ts"),
        pairs(&[("public-env-secret", 1)])
    );
    // One finding for the line, though the name appears twice on it.
    assert_eq!(
        in_file(&found, ".github/workflows/deploy.yml"),
        pairs(&[("public-env-secret", 6)])
    );
    assert_eq!(
        in_file(&found, "app/.env"),
        pairs(&[("public-env-secret", 1)])
    );
    let weather = only(&found, "web/.env.production");
    assert_eq!(
        (
            weather.rule.as_str(),
            weather.severity.as_str(),
            weather.value.as_str()
        ),
        ("public-env-api-key", "low", "VITE_WEATHER_API_KEY")
    );
    assert!(in_file(&found, "README.md").is_empty());
    let secret = only(&found, "src/lib/ai.ts");
    assert_eq!(
        (secret.severity.as_str(), secret.value.as_str()),
        ("high", "NEXT_PUBLIC_OPENAI_API_KEY")
    );
}

#[test]
fn a_secret_in_a_public_env_variable_is_both_a_leak_and_an_exposure() {
    let live = fake::transcodely_live();
    let found = scan(&[(
        ".env.production",
        format!("VITE_TRANSCODELY_API_KEY={live}\n"),
    )]);
    let mut rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    rules.sort();
    // Two different problems: the key is committed (revoke it), and the variable ships to the
    // browser (rename it and move the call to a server).
    assert_eq!(rules, ["public-env-secret", "transcodely-live-key"]);
}
