//! Placeholder detection: values that stand in for a secret rather than being one. Documentation,
//! templates and well-written code are full of them (`YOUR_API_TOKEN`, `{{API_KEY}}`, `${TOKEN}`,
//! `$TOKEN`, `process.env.X`, `<token>`, `xxxx`, `mc_live_abc123...`), and reporting them is the
//! noise that makes people turn a scanner off.
//!
//! Every check is on the extracted value only and is cheap; a value that fails any of them is
//! not reported.

/// Length of the longest rule keyword the value starts with (`ak_live_`, `ghp_`), so that the
/// checks look at the random part of a prefixed token.
pub fn known_prefix_len(value: &[u8], keywords: &[String]) -> usize {
    keywords
        .iter()
        .map(|k| k.as_bytes())
        .filter(|k| value.len() >= k.len() && value[..k.len()].eq_ignore_ascii_case(k))
        .map(|k| k.len())
        .max()
        .unwrap_or(0)
}

/// True when the value is a placeholder, a template, a variable reference or a documentation
/// example rather than a credential.
pub fn is_placeholder(value: &[u8]) -> bool {
    if value.is_empty() {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    let contains = |needle: &[u8]| memchr::memmem::find(&lower, needle).is_some();

    // Templates and interpolation: {{X}}, ${X}, #{x}, %(x)s, %s, <token>, [[x]].
    const TEMPLATE_MARKERS: [&[u8]; 9] =
        [b"{{", b"}}", b"${", b"#{", b"%(", b"%s", b"<", b">", b"[["];
    if TEMPLATE_MARKERS.iter().any(|m| contains(m)) {
        return true;
    }
    // Variable references: $TOKEN, $(cmd), %TOKEN%.
    if value[0] == b'$'
        && value.len() > 1
        && (value[1].is_ascii_alphabetic() || matches!(value[1], b'_' | b'(' | b'{'))
    {
        return true;
    }
    if value.len() > 2 && value[0] == b'%' && value[value.len() - 1] == b'%' {
        return true;
    }
    // Reads from the environment or a secret store, written where a literal would be.
    const ENV_READS: [&[u8]; 8] = [
        b"process.env",
        b"os.environ",
        b"getenv",
        b"import.meta.env",
        b"env[",
        b"environ[",
        b"secrets.",
        b"env.",
    ];
    if ENV_READS.iter().any(|m| contains(m)) {
        return true;
    }
    // Words that only placeholders and redacted samples contain.
    const WORDS: [&[u8]; 17] = [
        b"your",
        b"example",
        b"placeholder",
        b"changeme",
        b"change_me",
        b"change-me",
        b"dummy",
        b"redacted",
        b"replace",
        b"insert",
        b"sample",
        b"fake",
        b"here",
        b"xxxx",
        b"****",
        b"...",
        "\u{2026}".as_bytes(),
    ];
    if WORDS.iter().any(|w| contains(w)) {
        return true;
    }
    is_identifier_name(value) || has_long_run(value) || has_sequence(&lower)
}

/// `YOUR_API_TOKEN`, `TRANSCODES_AUTH_API_TOKEN`, `jwt_bearer_token`: the name of a variable,
/// not its value. Mostly letters, in one case, joined by underscores.
fn is_identifier_name(value: &[u8]) -> bool {
    if !value.contains(&b'_') || value.starts_with(b"_") && value.len() < 3 {
        return false;
    }
    let upper = value
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    let lower = value
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_');
    if !(upper || lower) {
        return false;
    }
    // Each word is a word: at most one digit in it (`V2`, `S3`), at least two letters, and no
    // longer than real words get (a random run of letters is not a word).
    value
        .split(|b| *b == b'_')
        .filter(|w| !w.is_empty())
        .all(|w| {
            let digits = w.iter().filter(|b| b.is_ascii_digit()).count();
            digits <= 1 && w.len() - digits >= 2 && w.len() <= 16
        })
}

/// Six or more of the same character in a row: `xxxxxx`, `000000`, `******`.
fn has_long_run(value: &[u8]) -> bool {
    let mut run = 1;
    for pair in value.windows(2) {
        if pair[0] == pair[1] {
            run += 1;
            if run >= 6 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    value.len() >= 2 && value.iter().all(|b| *b == value[0])
}

/// Six or more letters or digits in alphabet order, up or down (`abcdef`, `123456`, `AbCdEf`,
/// `fedcba`): the mark of a key made up for documentation, such as
/// `ak_live_AbCdEf1234567890GhIjKlMnOpQrStUv`. Random tokens essentially never contain one.
fn has_sequence(lower: &[u8]) -> bool {
    let mut up = 1;
    let mut down = 1;
    for pair in lower.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let same_class = a.is_ascii_alphanumeric() && (a.is_ascii_digit() == b.is_ascii_digit());
        up = if same_class && b == a.wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if same_class && b.wrapping_add(1) == a {
            down + 1
        } else {
            1
        };
        if up >= 6 || down >= 6 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_from_the_seed_documents() {
        for value in [
            "YOUR_API_TOKEN",
            "{{API_KEY}}",
            "${TOKEN}",
            "$TOKEN",
            "$MEDIACONVERT_API_TOKEN",
            "process.env.TRANSCODES_AUTH_API_TOKEN",
            "os.environ[\"TRANSCODELY_API_KEY\"]",
            "<token>",
            "xxxxxxxx",
            "YOUR_SERVER_JWT_FROM_CONSOLE",
            "YOU_SANDBOX_API_TOKEN",
            "jwt_bearer_token",
            "ApiKey_example",
            "abc123...",
            "your API key here",
            "AbCdEf1234567890GhIjKlMnOpQrStUv",
            "TRANSCODES_AUTH_API_TOKEN",
            "%API_KEY%",
            "",
        ] {
            assert!(
                is_placeholder(value.as_bytes()),
                "{value:?} should be a placeholder"
            );
        }
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        for value in [
            "Q7vR2mX9kL4pW8sZ",
            "Zk4Jw9Qm2Lr7Tx5Vb8Nc3Hd6Fg1Ys0Pa",
            "AKIA2ZQ7VJ4K8L3M5N6P",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ4vR8tN2s",
            "hunter2Q",
            // Lowercase tokens with an underscore are not variable names.
            "acme_k4qvvkueuhjffbnuc",
            "sandboxk4qvvkueuhjffbnuc_x9",
        ] {
            assert!(
                !is_placeholder(value.as_bytes()),
                "{value:?} should not be a placeholder"
            );
        }
    }

    #[test]
    fn prefix_length_uses_the_longest_keyword() {
        let keywords = vec!["ak_".to_string(), "ak_live_".to_string()];
        assert_eq!(known_prefix_len(b"ak_live_abc", &keywords), 8);
        assert_eq!(known_prefix_len(b"AK_LIVE_abc", &keywords), 8);
        assert_eq!(known_prefix_len(b"xyz", &keywords), 0);
    }
}
