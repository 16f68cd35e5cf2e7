//! The per-file limit: how many findings one file may show, so that a generated file full of
//! keys gives a readable report. It is applied to what survived suppression (allowed,
//! allowlisted, baselined and unchanged lines never use it up), and it never hides a secret
//! silently:
//!
//! - the limit counts distinct values: repeats of a value already shown count once (and are
//!   shown while there is room; past it they add nothing new);
//! - a rule not yet shown in the file is always shown, however full the file is;
//! - what is still left out (new values of rules already shown) is counted, said in a warning,
//!   and weighs in the exit code.

use std::collections::HashSet;

/// Which of a file's surviving matches to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// One per match, in the order given.
    pub keep: Vec<bool>,
    /// New values left out.
    pub hidden_new: usize,
    /// Further occurrences of values that are shown, left out.
    pub hidden_repeats: usize,
}

impl Selection {
    /// The warning for a file where something was left out.
    pub fn message(&self, limit: usize) -> String {
        let values = if self.hidden_new == 1 {
            "1 more value".to_string()
        } else {
            format!("{} more values", self.hidden_new)
        };
        let repeats = match self.hidden_repeats {
            0 => String::new(),
            1 => " (and 1 more occurrence of a value shown)".to_string(),
            n => format!(" (and {n} more occurrences of values shown)"),
        };
        format!(
            "{values} found in this file{repeats} are not shown: the report shows {limit} distinct \
             values per file (raise --max-findings-per-file to see them all)"
        )
    }
}

/// Chooses what to show of `found` (each a rule and a value, in file order) under `limit`
/// distinct values.
pub fn select<R: Copy + Eq + std::hash::Hash>(found: &[(R, &[u8])], limit: usize) -> Selection {
    let limit = limit.max(1);
    let mut shown_values: HashSet<(R, &[u8])> = HashSet::new();
    let mut shown_rules: HashSet<R> = HashSet::new();
    let mut keep = Vec::with_capacity(found.len());
    let mut shown = 0usize;
    let (mut hidden_new, mut hidden_repeats) = (0, 0);
    for &(rule, value) in found {
        let show = if shown_values.contains(&(rule, value)) {
            let room = shown < limit;
            if !room {
                hidden_repeats += 1;
            }
            room
        } else if shown_values.len() < limit || !shown_rules.contains(&rule) {
            shown_values.insert((rule, value));
            shown_rules.insert(rule);
            true
        } else {
            hidden_new += 1;
            false
        };
        shown += usize::from(show);
        keep.push(show);
    }
    Selection {
        keep,
        hidden_new,
        hidden_repeats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_values_count_and_new_rules_always_show() {
        let found: Vec<(u8, &[u8])> = vec![
            (1, b"a"),
            (1, b"a"),
            (1, b"b"),
            (1, b"c"),
            (2, b"z"),
            (1, b"a"),
        ];
        let selection = select(&found, 2);
        assert_eq!(
            selection.keep,
            [true, true, true, false, true, false],
            "a repeat fits while there is room; c is a third value of a shown rule; rule 2 is new"
        );
        assert_eq!(selection.hidden_new, 1);
        assert_eq!(selection.hidden_repeats, 1);
        assert!(selection.message(2).starts_with("1 more value found"));
        assert_eq!(select(&found, 10).keep, [true; 6]);
    }
}
