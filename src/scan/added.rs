//! Which lines a range or staged change adds: the new version's lines that are new relative to
//! every version it replaces (one per parent; a merge must be new relative to all of them).
//!
//! Both sides are compared as admission reads them (a UTF-16 file is compared as its decoded
//! text, so line numbers are those of the text the engine matches), and always as text: whether
//! the old version was binary, or what a `.gitattributes` says about the path, cannot make a text
//! file's new lines go unscanned. An old version that is not text simply shares no line with the
//! new one.

use crate::admission;
use crate::source::LineSet;

/// The lines of `new` (admitted text) that no version in `replaces` has; `None` when every line
/// counts (no version replaced, as for a new file).
pub fn lines(new: &[u8], replaces: &[Option<&[u8]>]) -> Option<LineSet> {
    let mut result: Option<LineSet> = None;
    for old in replaces.iter().flatten() {
        let old = admission::as_text(old);
        let added = diff(&old.bytes, new);
        result = Some(match result {
            Some(so_far) => so_far.intersection(&added),
            None => added,
        });
    }
    result
}

/// Stands for "to the end of the file" in a line set.
const EVERY_LINE: usize = u32::MAX as usize;

/// The new side's lines of a line diff with no context: exactly what the change adds.
fn diff(old: &[u8], new: &[u8]) -> LineSet {
    let mut options = git2::DiffOptions::new();
    options
        .context_lines(0)
        .interhunk_lines(0)
        .force_text(true)
        .max_size(-1);
    let mut lines = LineSet::default();
    let patch = match git2::Patch::from_buffers(old, None, new, None, Some(&mut options)) {
        Ok(patch) => patch,
        Err(_) => {
            // A diff that cannot be made must not hide anything: every line counts.
            lines.push_range(1, EVERY_LINE);
            return lines;
        }
    };
    for index in 0..patch.num_hunks() {
        let Ok((hunk, _)) = patch.hunk(index) else {
            lines.push_range(1, EVERY_LINE);
            return lines;
        };
        if hunk.new_lines() > 0 {
            let first = hunk.new_start() as usize;
            lines.push_range(first, first + hunk.new_lines() as usize - 1);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ranges: &[(usize, usize)]) -> LineSet {
        let mut lines = LineSet::default();
        for &(a, b) in ranges {
            lines.push_range(a, b);
        }
        lines
    }

    #[test]
    fn only_new_lines_count_relative_to_every_parent() {
        let old = b"one\ntwo\nthree\n";
        let new = b"one\nnew\ntwo\nthree\nlast\n";
        assert_eq!(lines(new, &[Some(old)]), Some(set(&[(2, 2), (5, 5)])));
        assert_eq!(lines(new, &[None]), None, "a new file: every line");
        let other = b"one\nnew\ntwo\nthree\n";
        assert_eq!(lines(new, &[Some(old), Some(other)]), Some(set(&[(5, 5)])));
        assert_eq!(lines(old, &[Some(old)]), Some(LineSet::default()));
    }

    #[test]
    fn a_binary_old_version_shares_no_line() {
        let old = b"\0\x01binary\0";
        let new = b"# settings\nTOKEN=x\n";
        assert_eq!(lines(new, &[Some(old)]), Some(set(&[(1, 2)])));
    }
}
