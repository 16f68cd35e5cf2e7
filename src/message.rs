//! Helpers for writing messages: paths as the user typed them or relative to where they are, and
//! words quoted for the shell in the commands a message suggests.

use std::path::Path;

/// A path for messages: relative to the current directory when it is inside it.
pub fn display_path(path: &Path) -> String {
    if path.is_absolute() {
        if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) {
            if let Ok(inside) = path.strip_prefix(&cwd) {
                if inside.as_os_str().is_empty() {
                    return ".".to_string();
                }
                return inside.display().to_string();
            }
        }
    }
    path.display().to_string()
}

/// Quotes a path for a command suggested in a message, when it needs quoting.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+=:@%,".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// What the user probably meant by `word`: the candidates at the smallest edit distance, when
/// it is small for the word's length (a typo), else up to three that contain it (`aws` for the
/// `aws-...` rules). Empty when nothing is close.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let allowed = (word.chars().count() / 3).max(1);
    let mut best: Option<usize> = None;
    let mut closest: Vec<&str> = Vec::new();
    for &candidate in &candidates {
        let distance = edit_distance(word, candidate);
        if distance > allowed || best.is_some_and(|b| distance > b) {
            continue;
        }
        if best != Some(distance) {
            closest.clear();
            best = Some(distance);
        }
        if !closest.contains(&candidate) {
            closest.push(candidate);
        }
    }
    if closest.is_empty() && word.len() >= 3 {
        for &candidate in &candidates {
            if candidate.contains(word) && !closest.contains(&candidate) && closest.len() < 3 {
                closest.push(candidate);
            }
        }
    }
    closest.truncate(3);
    closest
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_or_contain_the_word() {
        let ids = [
            "cloud",
            "chat",
            "aws-access-key-id",
            "aws-secret-access-key",
            "jwt",
        ];
        assert_eq!(did_you_mean("clod", ids), vec!["cloud"]);
        assert_eq!(did_you_mean("jwtt", ids), vec!["jwt"]);
        assert_eq!(
            did_you_mean("aws", ids),
            vec!["aws-access-key-id", "aws-secret-access-key"]
        );
        assert!(did_you_mean("payments", ids).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
