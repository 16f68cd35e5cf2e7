//! Checks a regex cannot express, named by a rule's `validate` field. Each looks at the extracted
//! value only. Notes they return go into the finding's message, so they must never quote the
//! secret.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{general_purpose, DecodePaddingMode};
use base64::Engine as _;

use super::placeholder::is_placeholder;
use crate::rules::Validator;

#[derive(Debug)]
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
        Validator::PypiMacaroon => check_pypi_macaroon(value),
        Validator::AwsKeyId => describe_aws_key_id(value),
    }
}

/// `pypi-` + base64url of a version 2 macaroon: packets of (field type, LEB128 length, data),
/// a header section ended by a zero byte (location, identifier), caveat sections each ended the
/// same way, a zero byte, then the 32-byte signature packet (field 6).
fn check_pypi_macaroon(value: &[u8]) -> Verdict {
    let Some(body) = value.strip_prefix(b"pypi-") else {
        return Verdict::Reject;
    };
    let Ok(bytes) = URL_SAFE_LENIENT.decode(body) else {
        return Verdict::Reject;
    };
    if bytes.first() != Some(&2) {
        return Verdict::Reject;
    }
    let mut at = 1;
    // One packet: its field type and data, or None where the bytes stop making sense.
    let packet = |at: &mut usize| -> Option<(u8, &[u8])> {
        let field = *bytes.get(*at)?;
        *at += 1;
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let byte = *bytes.get(*at)?;
            *at += 1;
            len |= usize::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 28 {
                return None;
            }
        }
        let data = bytes.get(*at..at.checked_add(len)?)?;
        *at += len;
        Some((field, data))
    };
    // Sections: the header, then the caveats; each ends with a zero byte.
    let mut sections = 0;
    let mut identified = false;
    loop {
        match bytes.get(at) {
            Some(0) if sections > 0 => {
                at += 1;
                break;
            }
            Some(_) => {}
            None => return Verdict::Reject,
        }
        loop {
            match bytes.get(at) {
                Some(0) => {
                    at += 1;
                    break;
                }
                Some(_) => match packet(&mut at) {
                    Some((2, id)) if !id.is_empty() => identified |= sections == 0,
                    Some((1 | 2 | 4, _)) => {}
                    _ => return Verdict::Reject,
                },
                None => return Verdict::Reject,
            }
        }
        sections += 1;
    }
    match packet(&mut at) {
        Some((6, signature)) if identified && signature.len() == 32 && at == bytes.len() => {
            Verdict::Accept(None)
        }
        _ => Verdict::Reject,
    }
}

/// An AWS access key id (`AKIA` and 16 base32 characters) carries its account number: the bits
/// after the first, in the first six bytes of the decoded rest, shifted right by seven.
fn describe_aws_key_id(value: &[u8]) -> Verdict {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let Some(rest) = value.get(4..) else {
        return Verdict::Accept(None);
    };
    let mut bits: u128 = 0;
    let mut count = 0;
    for &c in rest.iter().take(10) {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            return Verdict::Accept(None);
        };
        bits = bits << 5 | v as u128;
        count += 5;
    }
    if count < 48 {
        return Verdict::Accept(None);
    }
    // The first 48 bits of the decoded bytes.
    let first_six = (bits >> (count - 48)) as u64;
    let account = (first_six & 0x7fff_ffff_ff80) >> 7;
    if account == 0 || account > 999_999_999_999 {
        return Verdict::Accept(None);
    }
    Verdict::Accept(Some(format!(
        "the key id belongs to AWS account {account:012}"
    )))
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

    /// A version 2 macaroon for pypi.org, as PyPI issues them, with a fixed identifier and
    /// signature.
    fn macaroon(location: &[u8]) -> String {
        let mut bytes = vec![2u8, 1, location.len() as u8];
        bytes.extend_from_slice(location);
        let id = b"3f2b9c1e-8d4a-4e7b-a1c2-59d0e6f7a8b3";
        bytes.extend_from_slice(&[2, id.len() as u8]);
        bytes.extend_from_slice(id);
        bytes.push(0);
        let caveat = br#"{"version": 1, "permissions": {"projects": ["demo"]}}"#;
        bytes.extend_from_slice(&[2, caveat.len() as u8]);
        bytes.extend_from_slice(caveat);
        bytes.extend_from_slice(&[0, 0, 6, 32]);
        bytes.extend((0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(11)));
        format!(
            "pypi-{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
        )
    }

    #[test]
    fn pypi_tokens_must_parse_as_macaroons() {
        let token = macaroon(b"pypi.org");
        assert!(token.starts_with("pypi-AgEIcHlwaS5vcmc"));
        assert!(accepted(Validator::PypiMacaroon, &token));
        assert!(accepted(
            Validator::PypiMacaroon,
            &macaroon(b"test.pypi.org")
        ));
        // The documented prefix and random characters after it: not a macaroon.
        let made_up = format!(
            "pypi-AgEIcHlwaS5vcmc{}",
            "Ig5tzpGsGI5V04tpKanCtHUUdrwinJcYd1-Q6cT5zxWnPPEY1LTj"
        );
        assert!(!accepted(Validator::PypiMacaroon, &made_up));
        let cut = &token[..token.len() - 4];
        assert!(!accepted(Validator::PypiMacaroon, cut));
    }

    #[test]
    fn aws_key_ids_name_their_account() {
        // The account number is in the bits after the first of the decoded key id.
        let encode = |account: u64| {
            const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            let first_six = (account << 7) | 0x55;
            let bits: u128 = (first_six as u128) << 32 | 0x1234_5678;
            let chars: String = (0..16)
                .map(|i| ALPHABET[((bits << 48 >> (128 - 5 * (i + 1))) & 31) as usize] as char)
                .collect();
            format!("AKIA{chars}")
        };
        let key = encode(123_456_789_012);
        match validators_check(&key) {
            Verdict::Accept(Some(note)) => {
                assert!(note.ends_with("account 123456789012"), "{note}")
            }
            other => panic!("{other:?}"),
        }
    }

    fn validators_check(value: &str) -> Verdict {
        check(Validator::AwsKeyId, value.as_bytes())
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
