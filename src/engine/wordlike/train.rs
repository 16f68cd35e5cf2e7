//! The generator of `model.txt`: counts the model's predictions over identifiers from real
//! JavaScript packages and over English words, smooths them and writes the cost tables. It is an
//! ignored test because it needs the corpus on disk; regenerate with
//!
//! ```text
//! cargo test --release -q --lib engine::wordlike::train -- --ignored
//! ```
//!
//! (`CREDLINT_WORDLIKE_CORPUS` names the packages directory, default `/tmp/npm-corpus/pkgs`;
//! `CREDLINT_WORDLIKE_WORDS` the word list, default `/usr/share/dict/words` from Debian's
//! `wamerican`, SCOWL). The output depends only on the inputs: directories are read in sorted
//! order and every identifier counts once.
//!
//! What is learned from where:
//! - identifiers: tokens of `[A-Za-z0-9_$@./:-]` in the sources (`.js`, `.mjs`, `.cjs`, `.ts`)
//!   of every other package (the even-numbered ones in sorted order, so the odd half is unseen
//!   text for checking the model), skipping minified lines and files. A token counts only if it
//!   occurs in two packages or more: names are shared across code, while random data (base64
//!   blobs, hashes, keys) is not, so the model never learns a secret as "word-like". They train
//!   every table.
//! - English words: the letter table only (the word list says nothing about how code joins
//!   words).

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::*;

struct Counts {
    letters: Vec<u64>,
    classes: Vec<u64>,
    digits: Vec<u64>,
    separators: Vec<u64>,
    others: Vec<u64>,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            letters: vec![0; LETTER_CTX * LETTER_CTX * LETTERS],
            classes: vec![0; CLASS_CTX * CLASS_CTX * CLASSES],
            digits: vec![0; DIGIT_CTX * 10],
            separators: vec![0; SEPARATORS.len()],
            others: vec![0; OTHERS],
        }
    }

    fn add(&mut self, value: &[u8], weight: u64, letters_only: bool) {
        walk(value, |event| match event {
            Event::Letter { ctx, letter } => self.letters[ctx * LETTERS + letter] += weight,
            _ if letters_only => {}
            Event::Class { ctx, class } => self.classes[ctx * CLASSES + class] += weight,
            Event::Digit { ctx, digit } => self.digits[ctx * 10 + digit] += weight,
            Event::Separator { index } => self.separators[index] += weight,
            Event::Other { index } => self.others[index] += weight,
        });
    }
}

/// Add-one unigram probabilities.
fn unigram(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    let n = counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 + 1.0) / (total as f64 + n))
        .collect()
}

/// Witten-Bell interpolation of one context's counts with a lower-order distribution: the more
/// distinct followers a context has seen, the more weight the lower order keeps.
fn witten_bell(counts: &[u64], lower: &[f64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return lower.to_vec();
    }
    let types = counts.iter().filter(|&&c| c > 0).count() as f64;
    let total = total as f64;
    counts
        .iter()
        .zip(lower)
        .map(|(&c, &p)| (c as f64 + types * p) / (total + types))
        .collect()
}

/// Smoothed probabilities of a trigram table (`ctx` = c2 * width + c1) through its bigram and
/// unigram marginals.
fn trigram_table(counts: &[u64], width: usize, symbols: usize) -> Vec<f64> {
    let mut unigram_counts = vec![0u64; symbols];
    let mut bigram_counts = vec![0u64; width * symbols];
    for (i, &c) in counts.iter().enumerate() {
        let (ctx, x) = (i / symbols, i % symbols);
        let c1 = ctx % width;
        unigram_counts[x] += c;
        bigram_counts[c1 * symbols + x] += c;
    }
    let uni = unigram(&unigram_counts);
    let bigram: Vec<Vec<f64>> = bigram_counts
        .chunks(symbols)
        .map(|row| witten_bell(row, &uni))
        .collect();
    counts
        .chunks(symbols)
        .enumerate()
        .flat_map(|(ctx, row)| witten_bell(row, &bigram[ctx % width]))
        .collect()
}

fn bigram_table(counts: &[u64], symbols: usize) -> Vec<f64> {
    let mut unigram_counts = vec![0u64; symbols];
    for (i, &c) in counts.iter().enumerate() {
        unigram_counts[i % symbols] += c;
    }
    let uni = unigram(&unigram_counts);
    counts
        .chunks(symbols)
        .flat_map(|row| witten_bell(row, &uni))
        .collect()
}

fn costs(probabilities: &[f64]) -> Vec<u8> {
    probabilities
        .iter()
        .map(|p| (-p.log2() * SCALE).round().clamp(0.0, 255.0) as u8)
        .collect()
}

/// The packages of the corpus in sorted order: top-level directories, and the directories
/// inside `@scope` directories.
fn packages(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in sorted_dir(root) {
        let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
        if !entry.is_dir() {
            continue;
        }
        if name.is_some_and(|n| n.starts_with('@')) {
            found.extend(sorted_dir(&entry).into_iter().filter(|p| p.is_dir()));
        } else {
            found.push(entry);
        }
    }
    found
}

fn sorted_dir(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for path in sorted_dir(dir) {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            source_files(&path, out);
        } else if meta.is_file() && meta.len() < 2 << 20 {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let source = [".js", ".mjs", ".cjs", ".ts"]
                .iter()
                .any(|ext| name.ends_with(ext));
            if source && !name.contains(".min.") {
                out.push(path);
            }
        }
    }
}

fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_$@./:-".contains(&b)
}

/// The distinct tokens of one package's sources.
fn package_tokens(package: &Path) -> HashSet<Vec<u8>> {
    let mut files = Vec::new();
    source_files(package, &mut files);
    let mut tokens = HashSet::new();
    for file in files {
        let Ok(bytes) = fs::read(&file) else {
            continue;
        };
        for line in bytes.split(|&b| b == b'\n') {
            // Minified and generated lines are not how people name things.
            if line.len() > 1000 {
                continue;
            }
            for token in line.split(|&b| !token_byte(b)) {
                let start = token
                    .iter()
                    .position(|b| !b":-@".contains(b))
                    .unwrap_or(token.len());
                let token = &token[start..];
                let token = token.strip_prefix(b"//").unwrap_or(token);
                let end = token
                    .iter()
                    .rposition(|b| !b".:-/@".contains(b))
                    .map_or(0, |i| i + 1);
                let token = &token[..end];
                if (2..=64).contains(&token.len()) && token.iter().any(u8::is_ascii_alphabetic) {
                    tokens.insert(token.to_vec());
                }
            }
        }
    }
    tokens
}

fn hex_row(row: &[u8]) -> String {
    row.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
#[ignore = "regenerates src/engine/wordlike/model.txt from the corpus on disk"]
fn generate_model() {
    let corpus =
        std::env::var("CREDLINT_WORDLIKE_CORPUS").unwrap_or_else(|_| "/tmp/npm-corpus/pkgs".into());
    let words_path =
        std::env::var("CREDLINT_WORDLIKE_WORDS").unwrap_or_else(|_| "/usr/share/dict/words".into());
    let all = packages(Path::new(&corpus));
    assert!(all.len() > 20, "{corpus}: too few packages");
    let training: Vec<&PathBuf> = all.iter().step_by(2).collect();

    let mut document_frequency: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    for package in &training {
        for token in package_tokens(package) {
            *document_frequency.entry(token).or_default() += 1;
        }
    }
    let identifiers: Vec<(&Vec<u8>, u32)> = document_frequency
        .iter()
        .filter(|(_, &df)| df >= 2)
        .map(|(t, &df)| (t, df))
        .collect();

    let words_text = fs::read_to_string(&words_path).expect("the word list is readable");
    let words: std::collections::BTreeSet<String> = words_text
        .lines()
        .map(|w| w.strip_suffix("'s").unwrap_or(w).to_ascii_lowercase())
        .filter(|w| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_lowercase()))
        .collect();

    let mut counts = Counts::new();
    for &(token, df) in &identifiers {
        counts.add(token, u64::from(df), false);
    }
    for word in &words {
        counts.add(word.as_bytes(), 1, true);
    }

    let tables = [
        costs(&trigram_table(&counts.letters, LETTER_CTX, LETTERS)),
        costs(&trigram_table(&counts.classes, CLASS_CTX, CLASSES)),
        costs(&bigram_table(&counts.digits, 10)),
        costs(&unigram(&counts.separators)),
        costs(&unigram(&counts.others)),
    ];
    let mut out = String::new();
    out.push_str(
        "# credlint word-likeness model (src/engine/wordlike): the cost of each prediction in\n\
         # sixteenths of a bit, two hex digits per cell. Generated by\n\
         #   cargo test --release -q --lib engine::wordlike::train -- --ignored\n\
         # Do not edit by hand.\n",
    );
    out.push_str(&format!(
        "# Trained on {} distinct identifiers (tokens found in 2+ of {} npm packages, the\n\
         # even-numbered half of a {}-package corpus of public npm packages) and {} English\n\
         # words from the SCOWL word list (Debian wamerican, Copyright 2000-2011 Kevin Atkinson;\n\
         # permission to use, copy, modify, distribute and sell granted without fee).\n",
        identifiers.len(),
        training.len(),
        all.len(),
        words.len()
    ));
    for ((name, rows, columns), table) in SECTIONS.iter().zip(&tables) {
        assert_eq!(table.len(), rows * columns, "{name}");
        out.push_str(&format!("{name} {rows} {columns}\n"));
        for row in table.chunks(*columns) {
            out.push_str(&hex_row(row));
            out.push('\n');
        }
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/wordlike/model.txt");
    fs::write(&target, &out).expect("model.txt is writable");
    // What was written must be what the scorer reads.
    Model::parse(&out).expect("the generated model parses");
}
