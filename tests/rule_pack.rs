//! The provider rule pack end to end: a realistic multi-language project with one generated
//! credential of each kind planted on a known line, scanned by the real binary. Every planted
//! credential must be reported by its provider's rule on its line, and nothing else may be
//! reported; a file of placeholders, documentation samples and look-alikes must yield nothing.
//!
//! Tokens are generated at run time (and their prefixes split) so this file holds none.

mod common;

use std::collections::BTreeSet;

use common::{fake, findings, scan_json, write};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn digits(len: usize) -> String {
    format!(
        "{}{}",
        fake::from(b"123456789", 1),
        fake::from(b"0123456789", len - 1)
    )
}

fn uuid() -> String {
    let h = fake::from(HEX, 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..]
    )
}

/// Joins pieces so that no prefix appears whole in this source file.
fn p(parts: &[&str]) -> String {
    parts.concat()
}

/// A file of the project: its lines, and which rule each planted line must trigger.
struct File {
    path: &'static str,
    lines: Vec<(String, Option<&'static str>)>,
}

impl File {
    fn new(path: &'static str) -> File {
        File {
            path,
            lines: Vec::new(),
        }
    }

    fn line(mut self, text: impl Into<String>) -> File {
        self.lines.push((text.into(), None));
        self
    }

    fn secret(mut self, rule: &'static str, text: impl Into<String>) -> File {
        self.lines.push((text.into(), Some(rule)));
        self
    }
}

fn project() -> Vec<File> {
    let pem_body: Vec<String> = (0..6).map(|_| fake::from(B64, 64)).collect();
    let pem = format!(
        "{}{}{}",
        p(&["-----BEGIN ", "PRIVATE KEY-----\\n"]),
        pem_body.join("\\n"),
        p(&["\\n-----END ", "PRIVATE KEY-----\\n"])
    );
    vec![
        // Cloud.
        File::new("infra/gcp/deployer-key.json")
            .line("{")
            .line("  \"type\": \"service_account\",")
            .line("  \"project_id\": \"billing-prod-4821\",")
            .line(format!("  \"private_key_id\": \"{}\",", fake::from(HEX, 40)))
            .secret(
                "gcp-service-account-key",
                format!("  \"private_key\": \"{pem}\","),
            )
            .line("  \"client_email\": \"deployer@billing-prod-4821.iam.gserviceaccount.com\"")
            .line("}"),
        File::new("services/geo/maps.py")
            .line("import googlemaps")
            .line("")
            .secret(
                "google-api-key",
                format!(
                    "gmaps = googlemaps.Client(key=\"{}\")",
                    p(&["AI", "za", &fake::from(ALNUM, 35)])
                ),
            ),
        File::new("services/billing/appsettings.json")
            .line("{")
            .secret(
                "azure-storage-account-key",
                format!(
                    "  \"Storage\": \"DefaultEndpointsProtocol=https;AccountName=invoices;AccountKey={}==;EndpointSuffix=core.windows.net\",",
                    fake::from(B64, 86)
                ),
            )
            .secret(
                "azure-ad-client-secret",
                format!(
                    "  \"ClientSecret\": \"{}8Q~{}\"",
                    fake::from(ALNUM, 3),
                    fake::from(ALNUM, 31)
                ),
            )
            .line("}"),
        File::new("infra/main.tf")
            .line("provider \"digitalocean\" {")
            .secret(
                "digitalocean-pat",
                format!("  token = \"{}\"", p(&["do", "p_v1_", &fake::from(HEX, 64)])),
            )
            .line("}"),
        File::new("scripts/bootstrap.sh")
            .line("#!/usr/bin/env bash")
            .line("set -euo pipefail")
            .secret(
                "vault-service-token",
                format!("export VAULT_TOKEN={}", p(&["hv", "s.", &fake::from(ALNUM, 24)])),
            )
            .secret(
                "pulumi-access-token",
                format!("export PULUMI_ACCESS_TOKEN={}", p(&["pu", "l-", &fake::from(HEX, 40)])),
            ),
        // Source hosting.
        File::new("tools/release.py")
            .line("import gitlab")
            .secret(
                "gitlab-pat",
                format!(
                    "gl = gitlab.Gitlab(\"https://gitlab.com\", private_token=\"{}\")",
                    p(&["gl", "pat-", &fake::from(URL, 20)])
                ),
            )
            .secret(
                "github-refresh-token",
                format!("REFRESH = \"{}\"", fake::checksummed(&p(&["gh", "r_"]))),
            )
            .secret(
                "atlassian-api-token",
                format!(
                    "JIRA_TOKEN = \"{}={}\"",
                    p(&["ATA", "TT3xFfGF0", &fake::from(URL, 170)]),
                    fake::from(b"0123456789ABCDEF", 8)
                ),
            ),
        // Chat.
        File::new("web/src/notify.js")
            .line("const { WebClient } = require('@slack/web-api');")
            .secret(
                "slack-bot-token",
                format!(
                    "const slack = new WebClient('{}');",
                    p(&["xo", "xb-", &digits(12), "-", &digits(13), "-", &fake::from(ALNUM, 24)])
                ),
            )
            .secret(
                "discord-webhook-url",
                format!(
                    "const DISCORD = '{}';",
                    p(&["https://discord.com/api/", "webhooks/", &digits(19), "/", &fake::from(URL, 68)])
                ),
            ),
        File::new("deploy/alerts.yaml")
            .line("alerting:")
            .secret(
                "slack-webhook-url",
                format!(
                    "  slack_url: {}",
                    p(&[
                        "https://hooks.",
                        "slack.com/services/T",
                        &fake::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10),
                        "/B",
                        &fake::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10),
                        "/",
                        &fake::from(ALNUM, 24)
                    ])
                ),
            ),
        File::new("bots/telegram_bot.py")
            .line("import telebot")
            .secret(
                "telegram-bot-token",
                format!(
                    "bot = telebot.TeleBot(\"{}\")",
                    p(&[&digits(10), ":A", "A", &fake::from(URL, 33)])
                ),
            ),
        // Payments.
        File::new("app/config/initializers/stripe.rb")
            .secret(
                "stripe-secret-key",
                format!("Stripe.api_key = \"{}\"", p(&["sk", "_live_", &fake::from(ALNUM, 99)])),
            )
            .secret(
                "stripe-webhook-secret",
                format!("WEBHOOK_SECRET = \"{}\"", p(&["wh", "sec_", &fake::from(ALNUM, 32)])),
            ),
        File::new("shop/sync.ts")
            .secret(
                "shopify-admin-token",
                format!(
                    "const headers = {{ 'X-Shopify-Access-Token': '{}' }};",
                    p(&["shp", "at_", &fake::from(HEX, 32)])
                ),
            )
            .secret(
                "square-access-token",
                format!(
                    "const square = new Client({{ accessToken: '{}' }});",
                    p(&["EA", "AA", &fake::from(URL, 60)])
                ),
            ),
        // AI APIs.
        File::new("api/.env.production")
            .secret(
                "openai-project-key",
                format!(
                    "OPENAI_API_KEY={}",
                    p(&["sk-", "proj-", &fake::from(URL, 74), "T3Blbk", "FJ", &fake::from(URL, 74)])
                ),
            )
            .secret(
                "groq-api-key",
                format!("GROQ_API_KEY={}", p(&["gs", "k_", &fake::from(ALNUM, 52)])),
            ),
        File::new("api/src/claude.ts")
            .line("import Anthropic from '@anthropic-ai/sdk';")
            .secret(
                "anthropic-api-key",
                format!(
                    "const client = new Anthropic({{ apiKey: '{}' }});",
                    p(&["sk-", "ant-api03-", &fake::from(URL, 93), "AA"])
                ),
            ),
        File::new("ml/train.py")
            .line("from huggingface_hub import login")
            .secret(
                "huggingface-token",
                format!("login(token=\"{}\")", p(&["h", "f_", &fake::from(LETTERS, 34)])),
            )
            .secret(
                "cohere-api-key",
                format!("COHERE_API_KEY = \"{}\"", fake::from(ALNUM, 40)),
            ),
        // Package registries.
        File::new(".npmrc").secret(
            "npm-access-token",
            format!(
                "//registry.npmjs.org/:_authToken={}",
                fake::checksummed(&p(&["np", "m_"]))
            ),
        ),
        File::new("python/.pypirc")
            .line("[pypi]")
            .line("  username = __token__")
            .secret(
                "pypi-token",
                format!(
                    "  password = {}",
                    fake::pypi_token()
                ),
            ),
        File::new(".github/workflows/publish.yml")
            .line("jobs:")
            .line("  publish:")
            .line("    steps:")
            .secret(
                "dockerhub-pat",
                format!(
                    "      - run: echo {} | docker login -u acmebuild --password-stdin",
                    p(&["dck", "r_pat_", &fake::from(URL, 27)])
                ),
            )
            .secret(
                "nuget-api-key",
                format!(
                    "      - run: dotnet nuget push out/*.nupkg --api-key {} --source nuget.org",
                    p(&["oy", "2", &fake::from(LOWER_ALNUM, 43)])
                ),
            ),
        File::new("crates/.cargo/credentials.toml")
            .line("[registry]")
            .secret(
                "crates-io-token",
                format!("token = \"{}\"", p(&["ci", "o", &fake::from(ALNUM, 32)])),
            ),
    ]
}

/// Placeholders, documentation samples, truncated values and look-alike identifiers, one per
/// line, in the places real projects put them.
fn lookalikes() -> Vec<String> {
    let npm = fake::checksummed(&p(&["np", "m_"]));
    let mut wrong_checksum = npm.clone();
    let last = wrong_checksum.pop().unwrap();
    wrong_checksum.push(if last == 'A' { 'B' } else { 'A' });
    vec![
        "GOOGLE_API_KEY=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX".into(),
        p(&["GOOGLE_CLIENT_SECRET=GOC", "SPX-your_client_secret_here"]),
        p(&[
            "AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=",
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/",
            "K1SZFPTOtr/KBHBeksoGMGw==",
        ]),
        "AZURE_CLIENT_SECRET=${AZURE_CLIENT_SECRET}".into(),
        p(&["DIGITALOCEAN_TOKEN=do", "p_v1_<your token>"]),
        "VAULT_TOKEN=$(vault print token)".into(),
        p(&["GITLAB_TOKEN=gl", "pat-xxxxxxxxxxxxxxxxxxxx"]),
        p(&["GITLAB_TOKEN=gl", "pat-", &fake::from(URL, 12)]),
        format!("NPM_TOKEN={wrong_checksum}"),
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}".into(),
        p(&["SLACK_BOT_TOKEN=xo", "xb-your-bot-token"]),
        p(&[
            "SLACK_WEBHOOK=https://hooks.",
            "slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        ]),
        "TELEGRAM_BOT_TOKEN=<bot_id>:AA<token>".into(),
        p(&["stripe.api_key = \"sk", "_test_4eC39HqLyjWDarjtT1zdp7dc\""]),
        p(&["STRIPE_SECRET_KEY=sk", "_live_..."]),
        p(&["OPENAI_API_KEY=sk-", "proj-..."]),
        p(&["ANTHROPIC_API_KEY=sk-", "ant-api03-your-key-here"]),
        "self.hf_modelConfigurationLoaderFactory = factory".into(),
        "COHERE_API_KEY=your-cohere-api-key".into(),
        "TWINE_PASSWORD=${{ secrets.PYPI_API_TOKEN }}".into(),
        "const precioUnitarioConDescuentoAplicadoMensual = 1;".into(),
        p(&["DOCKERHUB_TOKEN=dck", "r_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx"]),
        "HEROKU_API_KEY=00000000-0000-0000-0000-000000000000".into(),
        format!("heroku_app_id = \"{}\"", uuid()),
        format!(
            "  background: url(data:font/woff2;base64,d09GMgABAAAAAEAAA{}/{}+x);",
            fake::from(B64, 40),
            fake::from(ALNUM, 60)
        ),
    ]
}

#[test]
fn every_category_is_found_with_its_rule_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let files = project();
    let mut expected = BTreeSet::new();
    for file in &files {
        let text: Vec<&str> = file.lines.iter().map(|(l, _)| l.as_str()).collect();
        write(dir.path(), file.path, text.join("\n") + "\n");
        for (index, (_, rule)) in file.lines.iter().enumerate() {
            if let Some(rule) = rule {
                expected.insert((file.path.to_string(), index as u64 + 1, rule.to_string()));
            }
        }
    }
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let found: Vec<(String, u64, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let found_set: BTreeSet<_> = found.iter().cloned().collect();
    let missing: Vec<_> = expected.difference(&found_set).collect();
    let unexpected: Vec<_> = found_set.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:#?}\nunexpected: {unexpected:#?}"
    );
    assert_eq!(
        found.len(),
        expected.len(),
        "duplicate findings: {found:#?}"
    );
    // Every category of the pack is represented.
    for rule in [
        "gcp-service-account-key",
        "gitlab-pat",
        "slack-bot-token",
        "stripe-secret-key",
        "openai-project-key",
        "npm-access-token",
    ] {
        assert!(found_set.iter().any(|(_, _, r)| r == rule), "{rule}");
    }
}

#[test]
fn placeholders_and_lookalikes_yield_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lookalikes();
    write(
        dir.path(),
        "config/settings.env.example",
        lines.join("\n") + "\n",
    );
    write(dir.path(), "src/config.py", lines.join("\n") + "\n");
    let (code, report) = scan_json(dir.path(), &[]);
    assert!(findings(&report).is_empty(), "{report:#}");
    assert_eq!(code, 0);
}
