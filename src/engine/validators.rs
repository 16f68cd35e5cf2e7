//! Checks a regex cannot express, named by a rule's `validate` field. Each looks at the extracted
//! value only. Notes they return go into the finding's message, so they must never quote the
//! secret.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{general_purpose, DecodePaddingMode};
use base64::Engine as _;

use super::placeholder::is_placeholder;
use crate::rules::Validator;

pub enum Verdict {
    Reject,
    Accept(Option<String>),
}

/// Base64url that accepts the value with or without padding, as JWTs are written both ways.
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Whether an accepted value is proven by a checksum (rather than only well-formed).
pub fn is_checksum(validator: Validator) -> bool {
    matches!(validator, Validator::GithubChecksum)
}

pub fn check(validator: Validator, value: &[u8]) -> Verdict {
    match validator {
        Validator::Jwt => check_jwt(value),
        Validator::BasicAuth => check_basic_auth(value),
        Validator::GithubChecksum => check_github_checksum(value),
    }
}

/// `PREFIX_` + 30 random base62 characters + 6 characters of base62(CRC32(random part)),
/// left-padded with `0`, digits then upper then lower case.
fn check_github_checksum(value: &[u8]) -> Verdict {
    let Some(underscore) = value.iter().rposition(|b| *b == b'_') else {
        return Verdict::Reject;
    };
    let body = &value[underscore + 1..];
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return Verdict::Reject;
    }
    let (random, checksum) = body.split_at(30);
    if base62_padded(crc32(random), 6).as_bytes() == checksum {
        Verdict::Accept(None)
    } else {
        Verdict::Reject
    }
}

fn base62_padded(mut n: u32, width: usize) -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::with_capacity(width);
    while n > 0 {
        out.push(DIGITS[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("base62 digits are ASCII")
}

/// CRC-32 (IEEE 802.3, reflected, as zlib computes it).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= byte as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A JWT is `header.payload.signature`; the header is base64url JSON with an `alg`.
fn check_jwt(value: &[u8]) -> Verdict {
    let mut parts = value.split(|b| *b == b'.');
    let Some(header) = parts.next() else {
        return Verdict::Reject;
    };
    let Ok(decoded) = URL_SAFE_LENIENT.decode(header) else {
        return Verdict::Reject;
    };
    let looks_like_header =
        decoded.first() == Some(&b'{') && memchr::memmem::find(&decoded, b"\"alg\"").is_some();
    if !looks_like_header {
        return Verdict::Reject;
    }
    if is_documentation_sample(parts.next().unwrap_or_default()) {
        return Verdict::Reject;
    }
    if memchr::memmem::find(&decoded, b"\"none\"").is_some() {
        return Verdict::Accept(Some(
            "an unsigned JWT (alg \"none\"): anyone can forge one".into(),
        ));
    }
    Verdict::Accept(None)
}

/// The sample token of JWT tutorials and jwt.io (subject `1234567890`, name `John Doe`), which
/// fills documentation and tests and grants nothing.
fn is_documentation_sample(payload: &[u8]) -> bool {
    let Ok(claims) = URL_SAFE_LENIENT.decode(payload) else {
        return false;
    };
    memchr::memmem::find(&claims, b"\"John Doe\"").is_some()
        || memchr::memmem::find(&claims, b"\"sub\":\"1234567890\"").is_some()
}

/// `Authorization: Basic` carries base64 of `user:password`. Decoding it tells whether a real
/// credential is inside, and what kind: a password, or an API key sent as the user name with an
/// empty password (api.video's documented scheme).
fn check_basic_auth(value: &[u8]) -> Verdict {
    let Ok(decoded) = general_purpose::STANDARD.decode(value) else {
        return Verdict::Reject;
    };
    let Ok(text) = std::str::from_utf8(&decoded) else {
        return Verdict::Reject;
    };
    if text.chars().any(|c| c.is_control()) {
        return Verdict::Reject;
    }
    let Some((user, password)) = text.split_once(':') else {
        return Verdict::Reject;
    };
    if password.is_empty() {
        if user.len() < 8 || is_placeholder(user.as_bytes()) {
            return Verdict::Reject;
        }
        return Verdict::Accept(Some(
            "decodes to an API key sent as the Basic auth user name with an empty password".into(),
        ));
    }
    if is_placeholder(password.as_bytes()) || is_placeholder(user.as_bytes()) && password.len() < 6
    {
        return Verdict::Reject;
    }
    Verdict::Accept(Some(format!(
        "decodes to a user name ({} characters) and a password ({} characters)",
        user.chars().count(),
        password.chars().count()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(v: Validator, value: &str) -> bool {
        matches!(check(v, value.as_bytes()), Verdict::Accept(_))
    }

    #[test]
    fn jwt_needs_a_json_header_with_alg() {
        let header = URL_SAFE_LENIENT.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        assert!(accepted(
            Validator::Jwt,
            &format!("{header}.eyJzdWIiOiIxIn0.c2ln")
        ));
        assert!(!accepted(
            Validator::Jwt,
            "eyJub3RoaW5nIjoxfQ.eyJzdWIiOiIxIn0.c2ln"
        ));
        assert!(!accepted(Validator::Jwt, "not-base64!.x.y"));
    }

    #[test]
    fn jwt_tutorial_sample_is_not_a_secret() {
        let header = URL_SAFE_LENIENT.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload =
            URL_SAFE_LENIENT.encode(br#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#);
        assert!(!accepted(
            Validator::Jwt,
            &format!("{header}.{payload}.c2lnbmF0dXJl")
        ));
    }

    #[test]
    fn github_checksums() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // A token built the documented way passes; changing one character breaks it.
        let random = "ptgUzEjfebzJ6sZWdoHIxrXl0gqn87";
        let token = format!("ghp_{random}{}", base62_padded(crc32(random.as_bytes()), 6));
        assert!(accepted(Validator::GithubChecksum, &token));
        let mut broken = token.clone().into_bytes();
        broken[6] = if broken[6] == b'a' { b'b' } else { b'a' };
        assert!(!accepted(
            Validator::GithubChecksum,
            std::str::from_utf8(&broken).unwrap()
        ));
        assert!(!accepted(Validator::GithubChecksum, "ghp_short"));
    }

    #[test]
    fn basic_auth_decodes_and_describes_without_quoting() {
        let pair = general_purpose::STANDARD.encode("deploy:Qz7!vR2mX9kL");
        match check(Validator::BasicAuth, pair.as_bytes()) {
            Verdict::Accept(Some(note)) => {
                assert!(note.contains("password (12 characters)"));
                assert!(!note.contains("Qz7"));
            }
            _ => panic!("should accept"),
        }
        let key_as_user = general_purpose::STANDARD.encode("Zk4Jw9Qm2Lr7Tx5Vb8Nc3Hd6:");
        assert!(matches!(
            check(Validator::BasicAuth, key_as_user.as_bytes()),
            Verdict::Accept(Some(note)) if note.contains("API key")
        ));
        let placeholder = general_purpose::STANDARD.encode("user:YOUR_PASSWORD");
        assert!(!accepted(Validator::BasicAuth, &placeholder));
        assert!(!accepted(Validator::BasicAuth, "not base64"));
    }
}
