//! How word-like a string is: the average surprise, in bits per character, of a small character
//! model of code identifiers and English words. Identifiers, words, paths and i18n keys
//! (`getUserPasswordHash`, `my-secret-name`, `PasswordResetForm1`) score low; random keys
//! (`k8Qw2PzR5tLm9XcV`) score high. It owns the model (the table in `model.txt`), its scoring
//! and, in tests, the generator that trains it.
//!
//! Shannon entropy only counts distinct characters, so it cannot tell `resetPasswordToken2`
//! (many distinct letters) from a key, and it penalises short random values (8 characters have
//! at most 3 bits of entropy). The model instead asks how predictable each character is from the
//! ones before it, the way identifiers are written:
//!
//! - the character's class (lowercase, uppercase, digit, separator, other symbol) given the two
//!   classes before it: camel humps and a digit at the end are cheap, case flips and digits
//!   scattered through a value are expensive;
//! - a letter, case-folded, given the two letters before it in the same word (a word starts
//!   after a non-letter and at each camel hump): `pas` → `s` is cheap, `qzx` is not;
//! - a digit given the digit before it; a separator (`_-./:` and space) or another symbol by how
//!   often it occurs.
//!
//! Each part is a trigram (or bigram) table smoothed by Witten-Bell interpolation, stored as the
//! finished cost of every cell in sixteenths of a bit, so scoring is table lookups only. It runs
//! on extracted candidate values, never on whole files.

#[cfg(test)]
mod train;

use std::sync::OnceLock;

/// Letter contexts: 26 letters plus the start of a word.
const WORD_START: usize = 26;
const LETTER_CTX: usize = 27;
const LETTERS: usize = 26;
/// Character classes, plus the start of the string as a context.
const CLASSES: usize = 5;
const CLASS_CTX: usize = CLASSES + 1;
const STRING_START: usize = CLASSES;
/// Digit contexts: the previous digit, or "not after a digit".
const DIGIT_CTX: usize = 11;
/// Separators: what joins the words of identifiers, paths and keys.
const SEPARATORS: &[u8; 6] = b"_-./: ";
/// Other symbols: the rest of ASCII punctuation, plus one bucket for anything else (control
/// characters, non-ASCII bytes).
const OTHERS: usize = 28;
/// Costs are stored in sixteenths of a bit.
const SCALE: f64 = 16.0;

const LOWER: usize = 0;
const UPPER: usize = 1;
const DIGIT: usize = 2;
const SEPARATOR: usize = 3;
const OTHER: usize = 4;

/// One prediction the model makes while reading a string. Training counts them; scoring adds
/// up their costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// The class of a character given the classes of the two before it (`ctx` = c2 * 6 + c1).
    Class {
        ctx: usize,
        class: usize,
    },
    /// A case-folded letter given the two before it in its word (`ctx` = l2 * 27 + l1).
    Letter {
        ctx: usize,
        letter: usize,
    },
    Digit {
        ctx: usize,
        digit: usize,
    },
    Separator {
        index: usize,
    },
    Other {
        index: usize,
    },
}

fn class_of(b: u8) -> usize {
    match b {
        b'a'..=b'z' => LOWER,
        b'A'..=b'Z' => UPPER,
        b'0'..=b'9' => DIGIT,
        _ if SEPARATORS.contains(&b) => SEPARATOR,
        _ => OTHER,
    }
}

/// Index of a byte among the other symbols: printable ASCII punctuation that is not a
/// separator, in byte order, then one bucket for everything else.
fn other_index(b: u8) -> usize {
    let mut index = 0;
    for p in 0x21u8..=0x7e {
        if p.is_ascii_alphanumeric() || SEPARATORS.contains(&p) {
            continue;
        }
        if p == b {
            return index;
        }
        index += 1;
    }
    OTHERS - 1
}

/// Walks a string and reports each prediction, in order. Shared by training and scoring so the
/// two can never read a string differently.
fn walk(value: &[u8], mut event: impl FnMut(Event)) {
    let (mut c2, mut c1) = (STRING_START, STRING_START);
    let (mut l2, mut l1) = (WORD_START, WORD_START);
    let mut previous_digit = 10;
    for &b in value {
        let class = class_of(b);
        event(Event::Class {
            ctx: c2 * CLASS_CTX + c1,
            class,
        });
        match class {
            LOWER | UPPER => {
                // A word starts after a non-letter and at a camel hump (lower then upper); an
                // uppercase run (an acronym, SCREAMING_CASE) continues its word.
                if !(c1 == LOWER || c1 == UPPER) || (c1 == LOWER && class == UPPER) {
                    (l2, l1) = (WORD_START, WORD_START);
                }
                let letter = (b.to_ascii_lowercase() - b'a') as usize;
                event(Event::Letter {
                    ctx: l2 * LETTER_CTX + l1,
                    letter,
                });
                (l2, l1) = (l1, letter);
            }
            DIGIT => {
                let digit = (b - b'0') as usize;
                event(Event::Digit {
                    ctx: previous_digit,
                    digit,
                });
                previous_digit = digit;
            }
            SEPARATOR => event(Event::Separator {
                index: SEPARATORS.iter().position(|&s| s == b).unwrap_or(0),
            }),
            _ => event(Event::Other {
                index: other_index(b),
            }),
        }
        if class != DIGIT {
            previous_digit = 10;
        }
        (c2, c1) = (c1, class);
    }
}

/// The model's tables: the cost of each prediction, in sixteenths of a bit.
struct Model {
    letters: Vec<u8>,
    classes: Vec<u8>,
    digits: Vec<u8>,
    separators: Vec<u8>,
    others: Vec<u8>,
}

/// The tables' names and shapes, in the order the data file holds them.
const SECTIONS: [(&str, usize, usize); 5] = [
    ("letters", LETTER_CTX * LETTER_CTX, LETTERS),
    ("classes", CLASS_CTX * CLASS_CTX, CLASSES),
    ("digits", DIGIT_CTX, 10),
    ("separators", 1, SEPARATORS.len()),
    ("others", 1, OTHERS),
];

const MODEL_TEXT: &str = include_str!("model.txt");

impl Model {
    fn cost(&self, event: Event) -> u8 {
        match event {
            Event::Class { ctx, class } => self.classes[ctx * CLASSES + class],
            Event::Letter { ctx, letter } => self.letters[ctx * LETTERS + letter],
            Event::Digit { ctx, digit } => self.digits[ctx * 10 + digit],
            Event::Separator { index } => self.separators[index],
            Event::Other { index } => self.others[index],
        }
    }

    /// Parses the data file: `#` comments, then for each section a `name rows columns` line and
    /// `rows` lines of `columns` two-digit hex costs.
    fn parse(text: &str) -> Result<Model, String> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let mut tables = Vec::new();
        for (name, rows, columns) in SECTIONS {
            let header = lines.next().ok_or(format!("missing section {name}"))?;
            let expected = format!("{name} {rows} {columns}");
            if header != expected {
                return Err(format!("expected {expected:?}, found {header:?}"));
            }
            let mut table = Vec::with_capacity(rows * columns);
            for row in 0..rows {
                let line = lines.next().ok_or(format!("{name}: row {row} missing"))?;
                if line.len() != columns * 2 || !line.is_ascii() {
                    return Err(format!("{name}: row {row} is not {columns} hex bytes"));
                }
                for i in 0..columns {
                    let byte = u8::from_str_radix(&line[i * 2..i * 2 + 2], 16)
                        .map_err(|e| format!("{name}: row {row}: {e}"))?;
                    table.push(byte);
                }
            }
            tables.push(table);
        }
        if let Some(extra) = lines.next() {
            return Err(format!("unexpected line after the last section: {extra:?}"));
        }
        let mut tables = tables.into_iter();
        let mut next = || tables.next().unwrap_or_default();
        Ok(Model {
            letters: next(),
            classes: next(),
            digits: next(),
            separators: next(),
            others: next(),
        })
    }
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    // The file is compiled in and checked by a unit test, so a parse failure is a build defect.
    MODEL.get_or_init(|| Model::parse(MODEL_TEXT).expect("src/engine/wordlike/model.txt parses"))
}

/// The average surprise of the value under the model, in bits per byte: about 2 to 4.5 for
/// identifiers, words and paths, 5 to 12 for random keys (hex, with its six letters, is the
/// least surprising of them). An empty value scores 0.
pub fn surprise(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let model = model();
    let mut total = 0u32;
    walk(value, |event| total += u32::from(model.cost(event)));
    f64::from(total) / SCALE / value.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(s: &str) -> f64 {
        surprise(s.as_bytes())
    }

    #[test]
    fn the_shipped_model_parses() {
        let model = Model::parse(MODEL_TEXT).unwrap();
        assert_eq!(model.letters.len(), LETTER_CTX * LETTER_CTX * LETTERS);
        assert_eq!(model.others.len(), OTHERS);
        // A common trigram is cheaper than a rare one.
        let cost = |a: u8, b: u8, c: u8| {
            let (a, b, c) = (
                (a - b'a') as usize,
                (b - b'a') as usize,
                (c - b'a') as usize,
            );
            model.letters[(a * LETTER_CTX + b) * LETTERS + c]
        };
        assert!(cost(b't', b'h', b'e') < cost(b'q', b'x', b'z'));
    }

    #[test]
    fn the_parser_rejects_a_damaged_file() {
        assert!(Model::parse("").is_err());
        let cut: String = MODEL_TEXT.lines().take(40).collect::<Vec<_>>().join("\n");
        assert!(Model::parse(&cut).is_err());
        let bad = MODEL_TEXT.replacen("classes 36 5", "classes 36 6", 1);
        assert!(Model::parse(&bad).is_err());
    }

    #[test]
    fn other_symbols_have_distinct_indexes() {
        let mut seen = std::collections::HashSet::new();
        for b in 0x21u8..=0x7e {
            if class_of(b) == OTHER {
                assert!(seen.insert(other_index(b)), "{}", b as char);
            }
        }
        assert_eq!(seen.len(), OTHERS - 1);
        assert_eq!(other_index(0xc3), OTHERS - 1);
        assert_eq!(other_index(b'\t'), OTHERS - 1);
    }

    #[test]
    fn words_start_at_humps_and_after_non_letters() {
        let mut starts = Vec::new();
        walk(b"getUSER_id2x", |e| {
            if let Event::Letter { ctx, .. } = e {
                starts.push(ctx == WORD_START * LETTER_CTX + WORD_START);
            }
        });
        // g e t U S E R i d x
        assert_eq!(
            starts,
            [true, false, false, true, false, false, false, true, false, true]
        );
    }

    const WORDLIKE: [&str; 16] = [
        "getUserPasswordHash",
        "my-secret-name",
        "resetPasswordToken",
        "PasswordResetForm1",
        "ThisIsMyPassword",
        "user_password_v2",
        "auth.errors.passwordTooShort",
        "src/config/secrets.yml",
        "DATABASE_PASSWORD",
        "application/json",
        "internationalization",
        "thisisaverylongsentencewithoutspaces",
        "onPasswordChangeHandler",
        "HTTPServerConfig",
        "redis-cache-01",
        "passwordConfirmation",
    ];

    const RANDOM: [&str; 10] = [
        "k8Qw2PzR5tLm9XcV",
        "Zx81_aq9LmP0vT4w",
        "Fz3n7E!D!EVYW4y6se",
        "0K0srcrCnvo7meJkW5FsIQYStPZ8GXKK",
        "hR7xK2mQ9",
        "x7kp2lq9vz4m",
        "9f86d081884c7d659a2feaa0c55ad015",
        "Q3-iscCVGRdVl_xqM5czFxOUzICRS81YzfFTO_sw",
        "*S.HxM7M.aP4igs9",
        "atltQhcGYca5BnYlotnwbtWn6b0S3hiO",
    ];

    #[test]
    fn identifiers_and_words_score_low_and_random_keys_high() {
        for s in WORDLIKE {
            assert!(score(s) < 4.7, "{s}: {:.2}", score(s));
        }
        for s in RANDOM {
            assert!(score(s) > 5.5, "{s}: {:.2}", score(s));
        }
        let highest_word = WORDLIKE.iter().map(|s| score(s)).fold(0.0, f64::max);
        let lowest_random = RANDOM.iter().map(|s| score(s)).fold(f64::MAX, f64::min);
        assert!(highest_word + 1.0 < lowest_random);
    }

    #[test]
    fn surprise_is_per_character_and_zero_for_nothing() {
        assert_eq!(score(""), 0.0);
        // Repeating a word does not make it random.
        assert!(score("passwordpasswordpassword") < score("k8Qw2PzR"));
        // Case flips in the middle of a word are surprising; camel humps are not.
        assert!(score("pAsSwOrDrEsEt") > score("passwordReset") + 1.0);
    }
}
