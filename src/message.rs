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
