//! Shared helpers for the integration tests: running the real binary, writing files, and fake
//! secrets generated at run time (so the repository itself holds no token-shaped strings for
//! other scanners to trip on).
#![allow(dead_code)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

pub fn credlint_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_credlint"))
}

/// A `credlint` command with a clean environment for reports (no colour, no GitHub variables).
pub fn credlint() -> Command {
    let mut command = Command::new(credlint_bin());
    command
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// Runs credlint with the arguments in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    credlint()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("credlint runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs with `--format json` and parses stdout.
pub fn scan_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    let output = run_in(dir, &args);
    let text = stdout(&output);
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{text}\nstderr:\n{}",
            stderr(&output)
        )
    });
    (output.status.code().unwrap_or(-1), json)
}

/// Writes a file, creating parent directories.
pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// The findings array of a JSON report.
pub fn findings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

/// Rule ids of the findings, in report order.
/// The values of a report's findings (run with `--show-secrets`), sorted.
pub fn secrets_found(report: &serde_json::Value) -> Vec<String> {
    let mut values: Vec<String> = findings(report)
        .iter()
        .map(|f| f["value"].as_str().unwrap().to_string())
        .collect();
    values.sort();
    values
}

pub fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    findings(report)
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

/// Fake secrets in the documented formats, random for each run.
pub mod fake {
    use super::*;

    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
            nanos ^ ((std::process::id() as u64) << 32) | 1
        });
    }

    fn next() -> u64 {
        STATE.with(|s| {
            // xorshift64*
            let mut x = s.get();
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            s.set(x);
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        })
    }

    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// Random characters from `alphabet`, re-drawn until nothing the placeholder filter or the
    /// entropy checks could object to sneaks in by chance: a run of three, a three-character
    /// alphabet sequence (either way), too few distinct characters, a placeholder.
    pub fn from(alphabet: &[u8], len: usize) -> String {
        loop {
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize] as char)
                .collect();
            let b = s.as_bytes();
            let run = b.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
            let seq = b.windows(3).any(|w| {
                (w[1] == w[0].wrapping_add(1) && w[2] == w[1].wrapping_add(1))
                    || (w[1].wrapping_add(1) == w[0] && w[2].wrapping_add(1) == w[1])
            });
            let distinct = {
                let mut v = b.to_vec();
                v.sort_unstable();
                v.dedup();
                v.len()
            };
            // A short alphabet (hex) cannot have more distinct characters than it holds.
            let varied = distinct * 2 > len.min(40).min(alphabet.len());
            let placeholder = credlint::engine::placeholder::is_placeholder(b);
            if !run && !seq && varied && !placeholder {
                return s;
            }
        }
    }

    pub fn alnum(len: usize) -> String {
        from(ALNUM, len)
    }

    pub fn transcodely_live() -> String {
        format!("ak_{}_{}", "live", alnum(32))
    }

    pub fn transcodely_test() -> String {
        format!("ak_{}_{}", "test", alnum(32))
    }

    pub fn mediaconvert_live() -> String {
        format!("mc_{}_{}", "live", alnum(28))
    }

    pub fn aws_key_id() -> String {
        format!(
            "{}{}",
            "AKIA",
            from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        )
    }

    pub fn aws_secret() -> String {
        from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            40,
        )
    }

    pub fn bearer() -> String {
        alnum(40)
    }

    /// A classic GitHub token with a valid checksum.
    pub fn github_pat() -> String {
        checksummed(&("gh".to_string() + "p_"))
    }

    /// `prefix`, 30 random characters and their CRC32 in six base62 digits, as GitHub and npm
    /// tokens are built.
    pub fn checksummed(prefix: &str) -> String {
        checksummed_with(prefix, &alnum(30))
    }

    /// `prefix`, the given random part and its checksum.
    pub fn checksummed_with(prefix: &str, random: &str) -> String {
        format!("{prefix}{random}{}", base62(crc32(random.as_bytes())))
    }

    /// A JWT with a JSON header and payload and a random signature.
    pub fn jwt() -> String {
        let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload =
            b64url(format!(r#"{{"sub":"svc-{}","iat":1767225600}}"#, alnum(8)).as_bytes());
        format!(
            "{header}.{payload}.{}",
            from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                43
            )
        )
    }

    /// A PyPI token: `pypi-` and a version 2 macaroon for pypi.org (random identifier, caveat and
    /// signature), base64url without padding, as PyPI issues them.
    pub fn pypi_token() -> String {
        let mut bytes = vec![2u8, 1, 8];
        bytes.extend_from_slice(b"pypi.org");
        let id = alnum(36);
        bytes.extend_from_slice(&[2, id.len() as u8]);
        bytes.extend_from_slice(id.as_bytes());
        bytes.push(0);
        let caveat = format!(
            r#"{{"version": 1, "permissions": {{"projects": ["{}"]}}}}"#,
            alnum(8)
        );
        bytes.extend_from_slice(&[2, caveat.len() as u8]);
        bytes.extend_from_slice(caveat.as_bytes());
        bytes.extend_from_slice(&[0, 0, 6, 32]);
        bytes.extend((0..32).map(|_| (next() >> 24) as u8));
        let encoded = b64url(&bytes);
        format!("{}{}", "pypi-", encoded)
    }

    /// A PEM block with a random body (not a real key).
    pub fn private_key_pem() -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let body: Vec<String> = (0..6).map(|_| from(alphabet, 64)).collect();
        let label = ["RSA PRIVATE", "KEY"].join(" ");
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            body.join("\n")
        )
    }

    fn b64url(bytes: &[u8]) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = (chunk[0] as u32) << 16
                | (*chunk.get(1).unwrap_or(&0) as u32) << 8
                | *chunk.get(2).unwrap_or(&0) as u32;
            for i in 0..=chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn base64(bytes: &[u8]) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = (chunk[0] as u32) << 16
                | (*chunk.get(1).unwrap_or(&0) as u32) << 8
                | *chunk.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
            }
        }
        !crc
    }

    fn base62(mut n: u32) -> String {
        const D: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut out = vec![b'0'; 6];
        for slot in out.iter_mut().rev() {
            *slot = D[(n % 62) as usize];
            n /= 62;
        }
        String::from_utf8(out).unwrap()
    }
}

/// Runs a command as an unprivileged user when the tests run as root (root reads any file, so
/// permission tests need someone who cannot).
pub fn unprivileged(mut command: Command) -> Command {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if uid.ok().as_deref() == Some("0") {
        let mut wrapped = Command::new("setpriv");
        wrapped.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        wrapped.arg(command.get_program());
        wrapped.args(command.get_args());
        if let Some(dir) = command.get_current_dir() {
            wrapped.current_dir(dir);
        }
        for (key, value) in command.get_envs() {
            match value {
                Some(v) => wrapped.env(key, v),
                None => wrapped.env_remove(key),
            };
        }
        wrapped.stdin(Stdio::null());
        return wrapped;
    }
    command.stdin(Stdio::null());
    command
}

/// The SARIF 2.1.0 schema, as published by OASIS (tests/schemas), compiled for validation.
///
/// The published file's `language` patterns end in a stray `]` that strict regex checkers reject
/// when they check the schema itself; they constrain a field credlint never writes, so the
/// patterns are escaped here rather than editing the published file.
pub fn sarif_validator() -> jsonschema::Validator {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn fix(value: &mut serde_json::Value, fixed: &mut usize) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if key == "pattern" && child == STRAY {
                        *child = serde_json::Value::from(STRAY.replace("]?$", "\\]?$"));
                        *fixed += 1;
                    } else {
                        fix(child, fixed);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| fix(v, fixed)),
            _ => {}
        }
    }
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/sarif-schema-2.1.0.json"))
            .expect("schema is JSON");
    let mut fixed = 0;
    fix(&mut schema, &mut fixed);
    assert!(fixed > 0, "the schema file changed; review this workaround");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

/// Validation errors of a SARIF document, one line each (empty when valid).
pub fn sarif_errors(sarif: &serde_json::Value) -> Vec<String> {
    sarif_validator()
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Whether the tests run in CI (`CI=true`), where a missing external consumer is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// An external program a test needs: the path in `env_var` (set by .ci/run), else the first of
/// `names` on PATH for which `works` is true. Missing: a failure under CI, else `None` with a
/// note, and the test skips.
pub fn external_tool(
    env_var: &str,
    names: &[&str],
    what: &str,
    works: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file() && works(&path),
            "{env_var}={} is not a usable {what}",
            path.display()
        );
        return Some(path);
    }
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|p| p.is_file() && works(p));
    if found.is_none() {
        assert!(
            !in_ci(),
            "CI=true but {what} is missing: set {env_var} (.ci/run installs it)"
        );
        eprintln!("note: {what} is not installed ({env_var} unset, not on PATH): skipping");
    }
    found
}

/// A Python 3 that can import `module` (`csv`, `junitparser`): `CREDLINT_PYTHON` (.ci/run's
/// virtual environment, which has junitparser), else `python3` on PATH.
pub fn python_with(module: &str) -> Option<PathBuf> {
    external_tool(
        "CREDLINT_PYTHON",
        &["python3"],
        &format!("a Python with {module}"),
        |python| {
            Command::new(python)
                .args(["-c", &format!("import {module}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        },
    )
}

/// Runs a Python script with arguments and parses what it prints as JSON.
pub fn python_json(python: &Path, script: &str, args: &[&Path]) -> serde_json::Value {
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "the Python consumer failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the Python consumer printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}
