//! The generic password/secret rules and the provider rule pack (databases, messaging,
//! observability, SaaS, private keys) on a realistic project: Django settings, docker-compose,
//! .env, Spring properties, a JS config, a README with documentation examples, an i18n file and
//! a login form. The real binary must find exactly the planted secrets, with the right rule ids
//! and positions, and nothing in the decoys around them. Secrets are generated at run time.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{fake, findings, scan_json, write};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PASSWORD: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!*-_.";

/// Words that the generic rules treat as test or tutorial values: a random password must not
/// contain one by chance, or the test would flake.
const FIXTURE_WORDS: &[&str] = &[
    "test", "demo", "mock", "dummy", "sample", "fixture", "stub", "admin", "root", "secret",
    "pass", "p@ss", "pa55", "pwd", "default", "local", "foo", "bar", "baz", "qux", "abc", "123",
    "xyz", "todo", "tbd", "null", "none", "true", "dev", "bogus", "wrong", "key", "here", "your",
    "xxx",
];

/// A password-like value: letters, digits and symbols, with a digit guaranteed, and no word the
/// generic rules read as a fixture. It ends in a symbol and a digit so that it can never read as
/// a camelCase name or a property path (`cMgwmuEdYkojiMpm67`, `gY8.TnexvAZx`), which the
/// generic rules skip on purpose.
fn password(len: usize) -> String {
    let digit = fake::from(b"23456789", 1);
    let symbol = ["!", "*", "-"][usize::from(digit.as_bytes()[0]) % 3];
    format!("{}{symbol}{digit}", word_free(PASSWORD, len - 2))
}

/// Random characters from `alphabet` with no fixture word in them.
fn word_free(alphabet: &[u8], len: usize) -> String {
    loop {
        let value = fake::from(alphabet, len);
        let lower = value.to_ascii_lowercase();
        let has_digit = value.bytes().any(|b| b.is_ascii_digit());
        let needs_digit = alphabet.iter().any(|b| b.is_ascii_digit());
        if !FIXTURE_WORDS.iter().any(|w| lower.contains(w)) && (has_digit || !needs_digit) {
            return value;
        }
    }
}

/// 1-based line and column (in characters) of `needle` in `text`.
fn position(text: &str, needle: &str) -> (u64, u64) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the fixture"));
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() as u64 + 1;
    (line, column)
}

struct Expected {
    path: &'static str,
    rule: &'static str,
    line: u64,
    column: u64,
    len: u64,
}

/// A planted secret: where it is, which rule must report it.
fn expect(dir: &Path, path: &'static str, rule: &'static str, secret: &str) -> Expected {
    let text = std::fs::read_to_string(dir.join(path)).unwrap();
    let (line, column) = position(&text, secret);
    Expected {
        path,
        rule,
        line,
        column,
        len: secret.chars().count() as u64,
    }
}

#[test]
fn generic_and_provider_rules_find_the_planted_secrets_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    // --- Planted secrets, generated for this run. ---------------------------------------------
    let db_password = password(18);
    let django_secret = word_free(b"abcdefghijklmnopqrstuvwxyz0123456789!@#^&*(-_=+)", 50);
    let compose_pg_password = word_free(ALNUM, 20);
    let compose_postgres_password = password(16);
    let env_db_password = password(20);
    let sendgrid = format!(
        "{}.{}.{}",
        "SG",
        fake::from(B64URL, 22),
        fake::from(B64URL, 43)
    );
    let redis_password = word_free(ALNUM, 32);
    let spring_password = password(16);
    let jdbc_password = word_free(ALNUM, 18);
    let js_api_key = word_free(ALNUM, 32);
    let datadog = fake::from(HEX, 32);
    let twilio_sid = format!("{}{}", "AC", fake::from(HEX, 32));
    let twilio_token = fake::from(HEX, 32);
    let putty_private = fake::from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        64,
    );
    let age_key = format!(
        "{}{}",
        ["AGE", "SECRET", "KEY", "1"].join("-"),
        fake::from(b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)
    );

    // --- The project. -------------------------------------------------------------------------
    write(
        root,
        "shop/settings.py",
        format!(
            r#"import os

SECRET_KEY = '{django_secret}'
DEBUG = False

DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": "{db_password}",
        "HOST": "db.internal",
    }}
}}

EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
AUTH_PASSWORD_VALIDATORS = [
    {{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
PASSWORD_RESET_TIMEOUT = 259200
"#
        ),
    );
    write(
        root,
        "docker-compose.yml",
        format!(
            r#"services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: {compose_postgres_password}
  dev-db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
  mongo:
    image: mongo:7
    environment:
      MONGO_INITDB_ROOT_PASSWORD: ${{MONGO_PASSWORD}}
  web:
    build: .
    environment:
      DATABASE_URL: postgres://shop:{compose_pg_password}@db:5432/shop
      TEST_DATABASE_URL: postgres://postgres:postgres@localhost:5432/shop_test
      REDIS_URL: redis://redis:6379/0
      SECRET_KEY: ${{SECRET_KEY}}
"#
        ),
    );
    write(
        root,
        ".env",
        format!(
            "DB_PASSWORD={env_db_password}\n\
             SENDGRID_API_KEY={sendgrid}\n\
             REDIS_URL=rediss://:{redis_password}@cache.acme.net:6380/0\n\
             SESSION_SECRET=\n\
             API_KEY=${{API_KEY}}\n\
             MAIL_PASSWORD=changeme\n"
        ),
    );
    write(
        root,
        "src/main/resources/application.properties",
        format!(
            "spring.datasource.url=jdbc:postgresql://db.internal:5432/shop?user=shop&password={jdbc_password}\n\
             spring.datasource.username=shop\n\
             spring.datasource.password={spring_password}\n\
             app.jwt.secret=${{JWT_SECRET}}\n\
             management.endpoint.password.enabled=false\n\
             spring.security.user.password=${{ADMIN_PASSWORD:}}\n"
        ),
    );
    write(
        root,
        "config/services.js",
        format!(
            r#"module.exports = {{
  search: {{ apiKey: "{js_api_key}", index: "products" }},
  monitoring: {{ DD_API_KEY: '{datadog}' }},
  twilio: {{
    accountSid: '{twilio_sid}',
    authToken: '{twilio_token}',
  }},
  db: {{ user: 'shop', password: process.env.DB_PASSWORD }},
  geo: {{ apiKey: config.get('geo.apiKey') }},
  session: {{ secret: 'keyboard cat', resave: false }},
  admin: {{ password: 'Passw0rd!' }},
}};
"#
        ),
    );
    write(
        root,
        "README.md",
        "# Shop\n\n\
         Copy `.env.example` to `.env` and set:\n\n\
         ```\n\
         DATABASE_URL=postgres://user:password@localhost:5432/shop\n\
         MONGODB_URI=mongodb+srv://<username>:<password>@cluster0.mongodb.net/shop\n\
         DB_PASSWORD=Xk82mQp7Lr4vZt\n\
         ```\n\n\
         In code: `password = \"Xk82mQp7Lr4vZt\"` is what *not* to do.\n",
    );
    write(
        root,
        "locales/en.json",
        r#"{
  "password": "Password",
  "passwordPlaceholder": "Enter your password",
  "passwordHint": "At least 8 characters, including 1 number",
  "forgotPassword": "Forgot password?",
  "secret": "Secret",
  "apiKey": "API key",
  "confirm_password": "Confirm password",
  "errors": { "password": "Wrong password, 3 attempts left" }
}
"#,
    );
    write(
        root,
        "src/components/LoginForm.tsx",
        r#"import { useState } from "react";

export function LoginForm({ onSubmit }: { onSubmit: (u: string, p: string) => void }) {
  const [password, setPassword] = useState("");
  const [showPassword, setShowPassword] = useState(false);
  const passwordType = showPassword ? "text" : "password";
  return (
    <form onSubmit={() => onSubmit(user, password)}>
      <label htmlFor="password">Password</label>
      <input id="password" type={passwordType} name="password" autoComplete="current-password"
        placeholder="••••••••" value={password} onChange={(e) => setPassword(e.target.value)} />
      {password.length < 8 && <p>Password must be at least 8 characters</p>}
    </form>
  );
}
"#,
    );
    write(
        root,
        "tests/test_login.py",
        format!(
            "def test_login(client):\n    password = \"{}\"\n    assert client.login(username=\"alice\", password=password)\n",
            password(16)
        ),
    );
    write(
        root,
        "keys/deploy.ppk",
        format!(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\n\
             Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{}\n{}\nPrivate-Lines: 1\n{putty_private}\n\
             Private-MAC: {}\n",
            fake::alnum(39),
            fake::alnum(8),
            fake::from(HEX, 64)
        ),
    );
    write(
        root,
        "secrets/age.txt",
        format!("# created: 2026-01-04T10:12:00Z\n{age_key}\n"),
    );

    // --- What must be found. ------------------------------------------------------------------
    let expected = vec![
        expect(
            root,
            "shop/settings.py",
            "django-secret-key",
            &django_secret,
        ),
        expect(
            root,
            "shop/settings.py",
            "django-database-password",
            &db_password,
        ),
        expect(
            root,
            "docker-compose.yml",
            "generic-secret-config",
            &compose_postgres_password,
        ),
        expect(
            root,
            "docker-compose.yml",
            "postgres-connection-string",
            &compose_pg_password,
        ),
        expect(root, ".env", "generic-secret-config", &env_db_password),
        expect(root, ".env", "sendgrid-api-key", &sendgrid),
        expect(root, ".env", "redis-connection-string", &redis_password),
        expect(
            root,
            "src/main/resources/application.properties",
            "jdbc-url-password",
            &jdbc_password,
        ),
        expect(
            root,
            "src/main/resources/application.properties",
            "generic-secret-config",
            &spring_password,
        ),
        expect(
            root,
            "config/services.js",
            "generic-secret-assignment",
            &js_api_key,
        ),
        expect(root, "config/services.js", "datadog-api-key", &datadog),
        expect(
            root,
            "config/services.js",
            "twilio-account-sid",
            &twilio_sid,
        ),
        expect(
            root,
            "config/services.js",
            "twilio-auth-token",
            &twilio_token,
        ),
        expect(root, "keys/deploy.ppk", "putty-private-key", &putty_private),
        expect(root, "secrets/age.txt", "age-secret-key", &age_key),
    ];

    let (code, report) = scan_json(root, &[]);
    assert_eq!(code, 1, "{report:#}");
    let found: BTreeSet<(String, String, u64, u64, u64)> = findings(&report)
        .iter()
        .map(|f| {
            let start = f["start_column"].as_u64().unwrap();
            let end = f["end_column"].as_u64().unwrap();
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
                start,
                end - start,
            )
        })
        .collect();
    let wanted: BTreeSet<(String, String, u64, u64, u64)> = expected
        .iter()
        .map(|e| {
            (
                e.path.to_string(),
                e.rule.to_string(),
                e.line,
                e.column,
                e.len,
            )
        })
        .collect();
    let missing: Vec<_> = wanted.difference(&found).collect();
    let unexpected: Vec<_> = found.difference(&wanted).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:#?}\nunexpected (decoys reported, or the wrong rule): {unexpected:#?}"
    );

    // The planted values never appear in the report.
    let text = report.to_string();
    for secret in [&db_password, &sendgrid, &twilio_token, &age_key] {
        assert!(
            !text.contains(secret.as_str()),
            "a secret of {} characters leaked into JSON",
            secret.len()
        );
    }
}

/// The generic rule stays quiet on a file of nothing but near misses, in each language it reads.
#[test]
fn generic_rules_stay_quiet_on_code_that_only_talks_about_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "src/auth.py",
        r#"from passlib.hash import bcrypt

password = request.form["password"]
password_hash = "5f4dcc3b5aa765d61d8327deb882cf99"
stored_password = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
api_key = os.getenv("API_KEY")
secret = settings.SECRET
client_secret = "<client-secret>"
PASSWORD_MIN_LENGTH = 12
error = "Password must contain 1 digit and 1 letter"
"#,
    );
    write(
        root,
        "src/auth.ts",
        r#"export interface Credentials { username: string; password: string }
const password: string = form.get("password");
const apiKey = process.env.API_KEY ?? "";
const secret = `${prefix}-${suffix}`;
const passwordRegex = /^(?=.*[0-9])(?=.*[a-z]).{8,}$/;
user.password = await hash(user.password, 10);
const msg = { password: "Please enter your password" };
"#,
    );
    write(
        root,
        "src/main/java/Auth.java",
        r#"public class Auth {
    private String password;
    public String getPassword() { return password; }
    private static final String PASSWORD_PARAM = "password";
    String apiKey = System.getenv("API_KEY");
}
"#,
    );
    write(
        root,
        "config/app.yml",
        "db:\n  password: ${DB_PASSWORD}\n  password_min_length: 12\nsecret:\n  name: app-secrets\n",
    );
    write(
        root,
        ".env.example",
        "DB_PASSWORD=\nAPI_KEY=your-api-key\nJWT_SECRET=changeme\n",
    );
    let (code, report) = scan_json(root, &[]);
    assert_eq!(
        findings(&report),
        Vec::<serde_json::Value>::new(),
        "{report:#}"
    );
    assert_eq!(code, 0);
}
