//! The generic assignment rule in code, judged by how word-like a value is rather than by its
//! Shannon entropy: random secrets of many lengths and alphabets, assigned to password, API key,
//! secret and token names in JavaScript, Python, Go, Java, Ruby and PHP, must be found; values
//! that are names, i18n keys, paths, URLs, ids, lockfile hashes or placeholders, under the same
//! names, must stay quiet. The real binary scans real files.
//!
//! The secrets come from a seeded generator (the same set every run, so a failure can be
//! reproduced), and are redrawn only when they hold a word the rule treats as a tutorial or
//! fixture value (`test`, `dev`, `123`...), which is a separate, deliberate filter.
//!
//! `WORDLIKE_BIN=path` runs another credlint binary over the same files and
//! `WORDLIKE_REPORT_ONLY=1` prints the counts without asserting: how the before/after figures
//! of the change were measured.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use common::{credlint_bin, findings, write};

/// The generic rule's tutorial words (its `allow` list): a value holding one is quiet by design.
const FIXTURE_WORDS: &[&str] = &[
    "test",
    "demo",
    "mock",
    "dummy",
    "sample",
    "fixture",
    "stub",
    "hunter",
    "qwerty",
    "letmein",
    "welcome",
    "admin",
    "root",
    "secret",
    "passw",
    "pass",
    "pas",
    "pa55",
    "pwd",
    "changeit",
    "default",
    "local",
    "invalid",
    "wrong",
    "bogus",
    "foo",
    "bar",
    "baz",
    "qux",
    "abc",
    "123",
    "xyz",
    "lorem",
    "ipsum",
    "todo",
    "tbd",
    "null",
    "undefined",
    "true",
    "false",
    "none",
    "keyboard",
    "s3cr3t",
    "letme",
    "dev",
    "your",
    "here",
    "xxx",
    "fake",
    "insert",
    "replace",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick(&mut self, alphabet: &[u8], len: usize) -> String {
        loop {
            let value: String = (0..len)
                .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
                .collect();
            let lower = value.to_ascii_lowercase();
            if !FIXTURE_WORDS.iter().any(|w| lower.contains(w)) {
                return value;
            }
        }
    }
}

const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PASSWORD: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%^&*-_=+";

/// (alphabet name, alphabet, lengths): what password managers, key generators and services
/// hand out.
const SECRET_SHAPES: &[(&str, &[u8], &[usize])] = &[
    ("base62", BASE62, &[8, 10, 12, 14, 16, 20, 24, 32, 40]),
    ("lower+digits", LOWER_DIGITS, &[10, 12, 16, 20, 24, 32]),
    ("upper+digits", UPPER_DIGITS, &[10, 12, 16, 20]),
    ("hex", HEX, &[12, 16, 20, 32, 40, 64]),
    ("base64", BASE64, &[16, 24, 32, 40]),
    ("base64url", BASE64URL, &[16, 22, 32, 43]),
    ("password", PASSWORD, &[8, 10, 12, 14, 16, 20]),
];

/// (file, line template): the value goes where `{}` is.
const TEMPLATES: &[(&str, &str)] = &[
    ("src/config.js", "const apiKey = \"{}\";"),
    ("src/config.js", "  password: '{}',"),
    ("src/config.js", "export const CLIENT_SECRET = `{}`;"),
    ("src/config.js", "const authToken = \"{}\";"),
    ("app/settings.py", "API_KEY = \"{}\""),
    (
        "app/settings.py",
        "db = connect(host=\"db.internal\", user=\"etl\", password=\"{}\")",
    ),
    // Not settings.py: there the Django rule reports SECRET_KEY whatever it looks like.
    ("app/keys.py", "SECRET_KEY = '{}'"),
    ("app/settings.py", "access_token = \"{}\""),
    ("internal/config/config.go", "\tapiKey := \"{}\""),
    ("internal/config/config.go", "const webhookSecret = \"{}\""),
    ("internal/config/config.go", "\t\tPassword: \"{}\","),
    ("internal/config/config.go", "\ttoken := \"{}\""),
    (
        "src/main/java/net/acme/Client.java",
        "    private static final String API_KEY = \"{}\";",
    ),
    (
        "src/main/java/net/acme/Client.java",
        "        String password = \"{}\";",
    ),
    (
        "src/main/java/net/acme/Client.java",
        "    private String clientSecret = \"{}\";",
    ),
    (
        "src/main/java/net/acme/Client.java",
        "    static final String AUTH_TOKEN = \"{}\";",
    ),
    ("config/initializers/acme.rb", "  config.api_key = '{}'"),
    ("config/initializers/acme.rb", "  :password => \"{}\","),
    ("config/initializers/acme.rb", "  secret_key: '{}',"),
    ("config/initializers/acme.rb", "  config.token = \"{}\""),
    // Code, not a PHP configuration file (where any literal password is reported).
    ("src/Service/Mailer.php", "$password = '{}';"),
    ("src/Service/Mailer.php", "    'api_key' => '{}',"),
    ("src/Service/Mailer.php", "$secret = \"{}\";"),
    ("src/Service/Mailer.php", "    'token' => '{}',"),
];

/// Values under the same names that are not credentials: names and identifiers (camelCase,
/// snake_case, kebab-case, with version digits), i18n keys, paths, URLs, ids, and placeholders.
const NEGATIVES: &[&str] = &[
    // Identifiers and names with digits.
    "getCurrentUserToken2",
    "resetTokenField2",
    "PasswordResetForm1",
    "credentialStore_v2",
    "auth0ClientName",
    "oauth2ClientId",
    "s3BucketName01",
    "userProfileCache_v3",
    "login-form-field-2",
    "mongodb-connection-4",
    "RedisClusterNode7",
    "session_cookie_name2",
    "HMAC_SHA256_SIGNATURE",
    "encryptionKeyVersion3",
    "webhook-signing-v2",
    "STRIPE_LIVE_KEY_V2",
    "x-api-key-header-2",
    "nextPageCursor_v2",
    "thisIsNotTheRealOne2",
    "correct-horse-battery-staple-1",
    "internationalization2",
    "HttpServerConfig2",
    "base64EncodedValue",
    "utf8mb4_unicode_ci",
    // i18n keys.
    "auth.errors.tooShort",
    "errors.required_field_1",
    "login:form-label",
    "settings.account.change2",
    // Paths and URLs.
    "/etc/acme/signing.key",
    "./config/credentials.json",
    "~/.ssh/id_ed25519",
    "config/master.key",
    "keys/prod-signing-key.pem",
    "https://vault.acme.net/v1/kv/data/app",
    "s3://acme-config/prod/env.json",
    // Ids: the nil UUID.
    "00000000-0000-0000-0000-000000000000",
    // Placeholders and references.
    "${API_TOKEN}",
    "<api-token>",
    "{{ token }}",
    "xxxxxxxx-xxxx-xxxx",
    "REPLACE_WITH_KEY_1",
    "process.env.API_KEY",
    "%(token)s",
    "********",
    "env:ACME_TOKEN",
];

/// Lines that hold hashes and ids next to secret-sounding names, and are not credentials.
const LOCKFILES: &[(&str, &str)] = &[
    (
        "package-lock.json",
        "{\n  \"packages\": {\n    \"node_modules/api-key-guard\": {\n      \"version\": \"1.4.2\",\n      \"resolved\": \"https://registry.npmjs.org/api-key-guard/-/api-key-guard-1.4.2.tgz\",\n      \"integrity\": \"sha512-Zx81aq9LmP0vT4wQk8Qw2PzR5tLm9XcVhR7xK2mQ9a3f9c2e1KqPzRtLmVcWbNwpQmzkrtvbnxhsQ==\"\n    },\n    \"node_modules/secret-stream\": {\n      \"version\": \"2.0.1\",\n      \"integrity\": \"sha1-3FbW9x1mQzR7k2LpV5cT8yN0sA4=\"\n    }\n  }\n}\n",
    ),
    (
        "yarn.lock",
        "\"token-bucket@^2.1.0\":\n  version \"2.1.0\"\n  resolved \"https://registry.yarnpkg.com/token-bucket/-/token-bucket-2.1.0.tgz#9f86d081884c7d659a2feaa0c55ad015a3bf4f1b\"\n  integrity sha512-Lm9XcVhR7xK2mQ9a3f9c2e1KqPzRtLmVcWbNwpQmzkrtvbnxhsZx81aq9LmP0vT4wQk8Qw2PzR5t==\n",
    ),
    (
        "Cargo.lock",
        "[[package]]\nname = \"secret-service\"\nversion = \"3.0.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"b5438f8a3b7e6c9d1f0a2e4c6b8d0f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d\"\n",
    ),
    (
        "go.sum",
        "github.com/acme/secrets v1.2.0 h1:k8Qw2PzR5tLm9XcVhR7xK2mQ9a3f9c2e1KqPzRtLm=\ngithub.com/acme/apikey v0.4.1/go.mod h1:Zx81aq9LmP0vT4wQk8Qw2PzR5tLm9XcVhR7xK2m=\n",
    ),
    (
        "poetry.lock",
        "[[package]]\nname = \"python-secrets\"\nversion = \"0.9.2\"\nfiles = [\n    {file = \"python_secrets-0.9.2-py3-none-any.whl\", hash = \"sha256:4e1a9c7b3d5f2e8a6c0b4d9f1e3a7c5b2d8f6e0a4c9b1d3f7e5a2c8b6d0f4e1a\"},\n]\n",
    ),
];

/// Word-like values the model still finds unusual: a digit inside a snake_case word.
const KNOWN_NOISE: &[&str] = &["utf8mb4_unicode_ci"];

/// Random values the rule skips by design, whatever the model says: no digit or symbol (a
/// letters-only value could be a word in any language), at most two letters (numbers, dates,
/// phone numbers), or a leading slash (a path).
fn skipped_by_design(value: &str) -> bool {
    let letters = value.bytes().filter(u8::is_ascii_alphabetic).count();
    let digit_or_symbol = value
        .bytes()
        .any(|b| b.is_ascii_digit() || b"!@#%^&*+=~?".contains(&b));
    !digit_or_symbol || letters <= 2 || value.starts_with('/')
}

struct Case {
    value: String,
    path: String,
    line: usize,
    label: String,
    positive: bool,
}

fn build_fixtures(dir: &std::path::Path) -> Vec<Case> {
    let mut rng = Rng(0x005e_ed0f_c0de_2026);
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    let mut cases = Vec::new();
    let add = |files: &mut Vec<(String, Vec<String>)>, path: &str, line: String| {
        let at = match files.iter().position(|(p, _)| p == path) {
            Some(at) => at,
            None => {
                files.push((path.to_string(), Vec::new()));
                files.len() - 1
            }
        };
        files[at].1.push(line);
        files[at].1.len()
    };
    let mut template = 0;
    for &(shape, alphabet, lengths) in SECRET_SHAPES {
        for &len in lengths {
            // Each shape and length under four names in four languages.
            for _ in 0..4 {
                let (path, text) = TEMPLATES[template % TEMPLATES.len()];
                template += 7;
                let value = rng.pick(alphabet, len);
                let line = add(&mut files, path, text.replace("{}", &value));
                cases.push(Case {
                    value: value.clone(),
                    path: path.to_string(),
                    line,
                    label: format!("{shape} {len} in {path}"),
                    positive: true,
                });
            }
        }
    }
    for (i, value) in NEGATIVES.iter().enumerate() {
        // Every negative under two different names and languages.
        for k in 0..2 {
            let (path, text) = TEMPLATES[(i * 5 + k * 11) % TEMPLATES.len()];
            let line = add(&mut files, path, text.replace("{}", value));
            cases.push(Case {
                value: value.to_string(),
                path: path.to_string(),
                line,
                label: format!("{value:?} in {path}"),
                positive: false,
            });
        }
    }
    for (path, text) in LOCKFILES {
        for (i, _) in text.lines().enumerate() {
            cases.push(Case {
                value: String::new(),
                path: path.to_string(),
                line: i + 1,
                label: format!("{path}:{}", i + 1),
                positive: false,
            });
        }
        write(dir, path, text);
    }
    for (path, lines) in &files {
        write(dir, path, lines.join("\n") + "\n");
    }
    cases
}

#[test]
fn random_values_are_found_and_word_like_ones_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let cases = build_fixtures(dir.path());
    if let Some(keep) = std::env::var_os("WORDLIKE_KEEP") {
        build_fixtures(std::path::Path::new(&keep));
    }
    let bin = std::env::var_os("WORDLIKE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(credlint_bin);
    let output = Command::new(bin)
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--no-config"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let found: BTreeSet<(String, usize)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                f["start_line"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let hit = |c: &Case| found.contains(&(c.path.clone(), c.line));
    for f in findings(&report) {
        let at = (
            f["path"].as_str().unwrap().to_string(),
            f["start_line"].as_u64().unwrap() as usize,
        );
        if cases
            .iter()
            .any(|c| !c.positive && (c.path.clone(), c.line) == at)
        {
            println!("noise: {}:{} {}", at.0, at.1, f["rule_id"]);
        }
    }

    let positives: Vec<&Case> = cases.iter().filter(|c| c.positive).collect();
    let missed: Vec<&str> = positives
        .iter()
        .filter(|c| !hit(c))
        .map(|c| c.label.as_str())
        .collect();
    let noisy: Vec<&str> = cases
        .iter()
        .filter(|c| !c.positive && hit(c))
        .map(|c| c.label.as_str())
        .collect();
    let negatives = cases.len() - positives.len();
    println!(
        "found {} of {} random secrets; {} of {} non-secret lines reported",
        positives.len() - missed.len(),
        positives.len(),
        noisy.len(),
        negatives
    );
    for (shape, _, _) in SECRET_SHAPES {
        let of_shape: Vec<&&Case> = positives
            .iter()
            .filter(|c| c.label.starts_with(&format!("{shape} ")))
            .collect();
        let shape_found = of_shape.iter().filter(|c| hit(c)).count();
        println!("  {shape}: {shape_found} of {}", of_shape.len());
    }
    println!("missed: {missed:#?}\nreported: {noisy:#?}");
    if std::env::var_os("WORDLIKE_REPORT_ONLY").is_some() {
        return;
    }
    let missed_unexpectedly: Vec<&str> = positives
        .iter()
        .filter(|c| hit(c) == skipped_by_design(&c.value))
        .map(|c| c.label.as_str())
        .collect();
    assert!(
        missed_unexpectedly.is_empty(),
        "found or missed against expectation: {missed_unexpectedly:#?}"
    );
    // The skipped ones are a few: the alphabets make them rare.
    assert!(missed.len() * 20 < positives.len(), "{missed:#?}");
    let unexpected_noise: Vec<&str> = cases
        .iter()
        .filter(|c| !c.positive && hit(c) != KNOWN_NOISE.contains(&c.value.as_str()))
        .map(|c| c.label.as_str())
        .collect();
    assert!(
        unexpected_noise.is_empty(),
        "non-secrets reported, or known noise gone: {unexpected_noise:#?}"
    );
}
