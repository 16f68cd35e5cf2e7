//! Credential files end to end: the real binary scans a copy of tests/fixtures/credential-files/
//! (one realistic file per format: .netrc, .pgpass, .pypirc, FileZilla, wp-config.php, shadow,
//! SQL dumps...) plus files this test generates (values with well-known prefixes, a private key,
//! binary keystores), and must report exactly the expected lines, by the expected rules, and
//! nothing in the templates and documents that hold no credential.
//!
//! The fixtures are copied to neutral paths in a temporary directory: under tests/ they would be
//! in the "test" file class, which these rules skip on purpose.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{fake, scan_json, write};
use tempfile::TempDir;

/// (file, line, a rule that must report that line). Every line a finding is reported on must be
/// listed here; where a generic rule reports the same value too, the specific one is listed.
const EXPECTED: &[(&str, u64, &str)] = &[
    ("app/fixtures/users.yml", 3, "sha-crypt-password-hash"),
    ("db/dump.sql", 14, "bcrypt-password-hash"),
    ("db/dump.sql", 14, "argon2-password-hash"),
    ("db/dump.sql", 15, "pbkdf2-password-hash"),
    ("deploy/.env.production", 1, "production-env-file"),
    ("deploy/push.p12", 1, "pkcs12-keystore-file"),
    ("deploy/release.jks", 1, "java-keystore-file"),
    ("deploy/gcp/credentials.json", 5, "gcp-service-account-key"),
    ("django/mysite/settings.py", 10, "django-secret-key"),
    ("django/mysite/settings.py", 21, "django-database-password"),
    ("etc/nginx/.htpasswd", 1, "md5-crypt-password-hash"),
    ("etc/nginx/.htpasswd", 2, "bcrypt-password-hash"),
    ("etc/nginx/.htpasswd", 3, "ldap-password-hash"),
    ("etc/proftpd/ftpd.passwd", 1, "md5-crypt-password-hash"),
    ("etc/shadow", 1, "sha-crypt-password-hash"),
    ("etc/shadow", 5, "yescrypt-password-hash"),
    ("etc/shadow", 6, "sha-crypt-password-hash"),
    (
        "home/.3T/robo-3t/1.4.4/robo3t.json",
        13,
        "generic-secret-json",
    ),
    ("home/.aws/config", 7, "aws-access-key-id"),
    ("home/.aws/config", 8, "aws-credentials-file"),
    ("home/.aws/config", 9, "aws-credentials-file"),
    ("home/.aws/credentials", 2, "aws-access-key-id"),
    ("home/.aws/credentials", 3, "aws-secret-access-key"),
    ("home/.aws/credentials", 6, "aws-access-key-id"),
    ("home/.aws/credentials", 7, "aws-credentials-file"),
    ("home/.boto", 2, "aws-credentials-file"),
    ("home/.boto", 3, "aws-credentials-file"),
    (
        "home/.config/doctl/config.yaml",
        1,
        "digitalocean-cli-config-token",
    ),
    (
        "home/.config/doctl/config.yaml",
        3,
        "digitalocean-cli-config-token",
    ),
    (
        "home/.config/filezilla/recentservers.xml",
        8,
        "filezilla-password",
    ),
    (
        "home/.config/filezilla/sitemanager.xml",
        10,
        "filezilla-password",
    ),
    (
        "home/.config/filezilla/sitemanager.xml",
        19,
        "filezilla-password",
    ),
    (
        "home/.dbeaver/credentials-config.json",
        1,
        "dbeaver-credentials-file",
    ),
    ("home/.dbeaver/data-sources.json", 15, "generic-secret-json"),
    ("home/.docker/config.json", 4, "docker-config-auth"),
    ("home/.dockercfg", 1, "dockercfg-auth"),
    ("home/.esmtprc", 4, "mail-client-config-password"),
    ("home/.fetchmailrc", 3, "mail-client-config-password"),
    ("home/.fetchmailrc", 4, "mail-client-config-password"),
    ("home/.git-credentials", 1, "url-embedded-password"),
    ("home/.git-credentials", 2, "url-embedded-password"),
    ("home/.git-credentials", 3, "github-pat"),
    ("home/.kube/config", 18, "kubeconfig-client-key"),
    ("home/.kube/config", 21, "kubeconfig-token"),
    (
        "home/.mozilla/firefox/q8v1xk2m.default-release/logins.json",
        1,
        "firefox-saved-login",
    ),
    ("home/.msmtprc", 12, "mail-client-config-password"),
    ("home/.my.cnf", 3, "generic-secret-config"),
    ("home/.netrc", 4, "netrc-password"),
    ("home/.netrc", 6, "netrc-password"),
    ("home/.netrc", 7, "netrc-password"),
    ("home/.npmrc", 2, "npmrc-password"),
    ("home/.npmrc", 7, "npm-access-token"),
    ("home/.pgpass", 2, "pgpass-password"),
    ("home/.pgpass", 3, "pgpass-password"),
    ("home/.pypirc", 9, "pypirc-password"),
    ("home/.s3cfg", 2, "s3cfg-secret-key"),
    ("home/.s3cfg", 3, "s3cfg-secret-key"),
    ("home/.ssh/id_ed25519", 1, "ssh-private-key-file"),
    ("home/.ssh/id_rsa", 1, "private-key"),
    ("home/.tugboat", 3, "digitalocean-cli-config-token"),
    ("home/.tugboat", 4, "digitalocean-cli-config-token"),
    ("infra/terraform.tfstate", 12, "terraform-state-secret"),
    ("infra/terraform.tfstate", 30, "terraform-state-secret"),
    ("infra/terraform.tfstate", 53, "aws-access-key-id"),
    ("infra/terraform.tfstate", 55, "terraform-state-secret"),
    ("laravel/.env", 3, "laravel-app-key"),
    ("laravel/.env", 14, "generic-secret-config"),
    ("php/config.php", 6, "php-config-password"),
    ("php/config.php", 12, "php-config-password"),
    ("project/.ftpconfig", 6, "ftp-client-config-password"),
    ("project/.idea/webServers.xml", 6, "generic-secret-xml"),
    ("project/.remote-sync.json", 8, "generic-secret-json"),
    ("project/.vscode/sftp.json", 7, "generic-secret-json"),
    ("project/server.ini", 6, "generic-secret-config"),
    ("project/server.ini", 7, "generic-secret-config"),
    ("project/sftp-config.json", 14, "generic-secret-json"),
    ("rails/config/master.key", 1, "rails-master-key"),
    ("rails/config/secrets.yml", 7, "rails-secret-key-base"),
    ("rails/config/secrets.yml", 11, "rails-secret-key-base"),
    ("rails/db/seeds.rb", 4, "bcrypt-password-hash"),
    (
        "spring/src/main/resources/application.properties",
        5,
        "generic-secret-config",
    ),
    (
        "spring/src/main/resources/application.yml",
        5,
        "generic-secret-config",
    ),
    ("wordpress/wp-config.php", 16, "wordpress-db-password"),
    ("wordpress/wp-config.php", 26, "wordpress-auth-key"),
    ("wordpress/wp-config.php", 27, "wordpress-auth-key"),
    ("wordpress/wp-config.php", 28, "wordpress-auth-key"),
    ("wordpress/wp-config.php", 29, "wordpress-auth-key"),
    ("wordpress/wp-config.php", 30, "wordpress-auth-key"),
    ("wordpress/wp-config.php", 31, "wordpress-auth-key"),
    ("wordpress/wp-config.php", 32, "wordpress-auth-key"),
    ("wordpress/wp-config.php", 33, "wordpress-auth-key"),
];

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Replaces every `marker` in a copied file with a fresh value from `make`.
fn fill(dir: &Path, rel: &str, marker: &str, make: impl Fn() -> String) {
    let path = dir.join(rel);
    let mut text = std::fs::read_to_string(&path).unwrap();
    while let Some(at) = text.find(marker) {
        text.replace_range(at..at + marker.len(), &make());
    }
    std::fs::write(&path, text).unwrap();
}

/// Random bytes that start with `magic`, like a binary keystore.
fn binary(magic: &[u8], len: usize) -> Vec<u8> {
    let mut bytes = magic.to_vec();
    let noise = fake::from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        len,
    );
    bytes.extend(noise.bytes().enumerate().map(|(i, b)| b ^ (i as u8)));
    bytes.extend_from_slice(&[0, 0, 0, 1]);
    bytes
}

/// The fixture tree, completed with what is generated at run time.
fn project() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("workspace");
    std::fs::create_dir_all(&root).unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/credential-files"),
        &root,
    );
    fill(
        &root,
        "home/.aws/credentials",
        "AKIA_GENERATED_IN_TEST",
        fake::aws_key_id,
    );
    fill(
        &root,
        "home/.aws/config",
        "ASIA_GENERATED_IN_TEST",
        fake::aws_key_id,
    );
    fill(
        &root,
        "infra/terraform.tfstate",
        "AKIA_GENERATED_IN_TEST",
        fake::aws_key_id,
    );
    let mut credentials = std::fs::read_to_string(root.join("home/.git-credentials")).unwrap();
    credentials.push_str(&format!(
        "https://ci-bot:{}@github.com\n",
        fake::github_pat()
    ));
    write(&root, "home/.git-credentials", credentials);
    let mut npmrc = std::fs::read_to_string(root.join("home/.npmrc")).unwrap();
    npmrc.push_str(&format!(
        "//registry.npmjs.org/:_authToken={}\n",
        fake::checksummed(&("np".to_string() + "m_"))
    ));
    write(&root, "home/.npmrc", npmrc);
    // A whole key (the private-key rule reports it; the file yields) and a truncated copy that
    // no content rule reads (the file is the finding).
    write(&root, "home/.ssh/id_rsa", fake::private_key_pem());
    let begin = ["-----BEGIN OPENSSH", "PRIVATE KEY-----"].join(" ");
    write(
        &root,
        "home/.ssh/id_ed25519",
        format!("{begin}\n(copied from the old laptop, cut off here)\n"),
    );
    write(
        &root,
        "home/.ssh/id_ed25519.pub",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx2Yb0dWq7 ops@northwind\n",
    );
    write(
        &root,
        "deploy/release.jks",
        binary(b"\xFE\xED\xFE\xED\0\0\0\x02", 600),
    );
    write(
        &root,
        "deploy/push.p12",
        binary(b"\x30\x82\x09\xe1\x02\x01\x03", 600),
    );
    write(
        &root,
        "home/.dbeaver/credentials-config.json",
        binary(b"\x8d\x2f\x5a\xe4\0", 96),
    );
    let pem = fake::private_key_pem()
        .replace("RSA PRIVATE", "PRIVATE")
        .replace('\n', "\\n");
    write(
        &root,
        "deploy/gcp/credentials.json",
        format!(
            "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"northwind-prod-4821\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{pem}\",\n  \"client_email\": \"deployer@northwind-prod-4821.iam.gserviceaccount.com\"\n}}\n",
            fake::from(b"0123456789abcdef", 40)
        ),
    );
    dir
}

#[test]
fn every_credential_line_is_found_and_nothing_else() {
    let dir = project();
    let root = dir.path().join("workspace");
    let (code, report) = scan_json(&root, &[]);
    assert_eq!(code, 1, "{report:#}");
    let mut found: BTreeMap<(String, u64), BTreeSet<String>> = BTreeMap::new();
    for finding in report["findings"].as_array().unwrap() {
        let path = finding["repo_path"].as_str().unwrap().to_string();
        let line = finding["start_line"].as_u64().unwrap();
        let rule = finding["rule_id"].as_str().unwrap().to_string();
        found.entry((path, line)).or_default().insert(rule);
    }
    let mut missing = Vec::new();
    for (path, line, rule) in EXPECTED {
        let at = found.get(&(path.to_string(), *line));
        if !at.is_some_and(|rules| rules.contains(*rule)) {
            missing.push(format!("{path}:{line} {rule} (found there: {at:?})"));
        }
    }
    let expected_lines: BTreeSet<(String, u64)> = EXPECTED
        .iter()
        .map(|(path, line, _)| (path.to_string(), *line))
        .collect();
    let extra: Vec<String> = found
        .iter()
        .filter(|(at, _)| !expected_lines.contains(at))
        .map(|((path, line), rules)| format!("{path}:{line} {rules:?}"))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing:\n{}\nnot expected:\n{}",
        missing.join("\n"),
        extra.join("\n")
    );
}

#[test]
fn templates_and_documents_without_credentials_stay_quiet() {
    let dir = project();
    let root = dir.path().join("workspace");
    for quiet in ["templates", "docs"] {
        let (code, report) = scan_json(&root.join(quiet), &[]);
        assert_eq!(code, 0, "{quiet}: {report:#}");
    }
    // A Git LFS pointer is text where a keystore should be: not the format, not a finding.
    assert!(std::fs::read_to_string(root.join("templates/release.jks"))
        .unwrap()
        .starts_with("version https://git-lfs"));
}

#[test]
fn a_presence_finding_is_reported_once_at_line_one_and_says_what_to_do() {
    let dir = project();
    let root = dir.path().join("workspace");
    let (_, report) = scan_json(&root.join("deploy"), &["--show-secrets"]);
    let keystores: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "java-keystore-file")
        .collect();
    assert_eq!(keystores.len(), 1, "{report:#}");
    assert_eq!(keystores[0]["start_line"], 1);
    assert_eq!(keystores[0]["value"], "release.jks");
    // The same keystore with a text name is not a keystore by magic alone, and a text file
    // with the keystore's name is not one by name alone.
    let other = TempDir::new().unwrap();
    write(
        other.path(),
        "keys/release.bin",
        binary(b"\xFE\xED\xFE\xED", 64),
    );
    write(other.path(), "keys/release.jks", "not a keystore\n");
    let (code, report) = scan_json(other.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    // A baseline accepts a presence finding like any other.
    let deploy = root.join("deploy");
    let baseline = dir.path().join("deploy-baseline.json");
    let output = common::run_in(
        &deploy,
        &["baseline", "--output", baseline.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let (code, report) = scan_json(&deploy, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
}
