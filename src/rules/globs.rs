//! A rule's `paths` and `exclude_paths`, compiled for matching file paths.
//!
//! Every built-in glob is a plain wildcard: literal characters and `*` (which, as in globset
//! with its default options, matches any run of characters, slashes included), sometimes after a
//! leading `**/`. Building a globset costs about 200,000 instructions whatever it holds, and a
//! pre-commit run that meets the credential-file and whole-file rules built some fifty: a fifth
//! of the run. Plain wildcards are matched directly; any other glob (classes, `?`, braces,
//! escapes, `**` elsewhere) goes to globset, so the meaning is globset's either way.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// One rule field's globs: whether a path matches any of them.
#[derive(Debug)]
pub enum PathGlobs {
    Wildcards(Wildcards),
    Set(GlobSet),
}

/// Plain wildcards, sorted by how a path they match ends. A rule for credential and data files
/// lists some sixty globs (`*.sql`, `*.env`, `*/.htpasswd`, ...) and is asked about every file
/// its keywords turn up in; only the few ending with the path's last byte, and the few ending
/// in `*`, are worth comparing.
#[derive(Debug)]
pub struct Wildcards {
    /// The globs that end in `*`: a path may end with anything.
    open_ended: Vec<Wildcard>,
    /// The other globs, grouped by their last byte (the path's last byte, if they match).
    by_last_byte: Vec<Vec<Wildcard>>,
    /// Per byte, its group in `by_last_byte` plus one; 0 when no glob ends with it.
    group_of: Box<[u16; 256]>,
}

/// A glob of literal bytes and `*`.
#[derive(Debug)]
pub struct Wildcard {
    /// The glob began with `**/`: the rest may match the whole path or follow any `/` in it.
    in_any_directory: bool,
    pattern: Box<[u8]>,
    /// How many bytes of the pattern come before its first `*` and after its last one: text
    /// any match starts (unless `in_any_directory`) and ends with. Checking them first turns
    /// away nearly every path at once; a history scan asks each of its paths about some fifty
    /// whole-file rules, and the full match was 5% of its time.
    head: usize,
    tail: usize,
}

impl PathGlobs {
    /// Compiles the globs; `None` when there are none.
    pub fn new(patterns: &[String]) -> Result<Option<PathGlobs>, String> {
        if patterns.is_empty() {
            return Ok(None);
        }
        // Literal text and `*` are always a valid glob: only the others need globset's parse.
        if let Some(wildcards) = patterns.iter().map(|p| Wildcard::new(p)).collect() {
            return Ok(Some(PathGlobs::Wildcards(Wildcards::new(wildcards))));
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(Glob::new(pattern).map_err(|e| format!("bad glob {pattern:?}: {e}"))?);
        }
        builder
            .build()
            .map(|set| Some(PathGlobs::Set(set)))
            .map_err(|e| e.to_string())
    }

    pub fn is_match(&self, path: &str) -> bool {
        match self {
            PathGlobs::Wildcards(wildcards) => wildcards.is_match(path),
            PathGlobs::Set(set) => set.is_match(path),
        }
    }
}

impl Wildcards {
    fn new(wildcards: Vec<Wildcard>) -> Wildcards {
        let mut open_ended = Vec::new();
        let mut by_last_byte: Vec<Vec<Wildcard>> = Vec::new();
        let mut group_of = Box::new([0u16; 256]);
        for wildcard in wildcards {
            let Some(&last) = wildcard.pattern.last().filter(|_| wildcard.tail > 0) else {
                open_ended.push(wildcard);
                continue;
            };
            let slot = &mut group_of[usize::from(last)];
            if *slot == 0 {
                by_last_byte.push(Vec::new());
                // At most one group per byte value.
                *slot = by_last_byte.len() as u16;
            }
            by_last_byte[usize::from(*slot) - 1].push(wildcard);
        }
        Wildcards {
            open_ended,
            by_last_byte,
            group_of,
        }
    }

    fn is_match(&self, path: &str) -> bool {
        if self.open_ended.iter().any(|w| w.is_match(path)) {
            return true;
        }
        let Some(&last) = path.as_bytes().last() else {
            return false;
        };
        match self.group_of[usize::from(last)] {
            0 => false,
            slot => self.by_last_byte[usize::from(slot) - 1]
                .iter()
                .any(|w| w.is_match(path)),
        }
    }
}

impl Wildcard {
    /// The glob as a plain wildcard, or `None` when it is anything more.
    fn new(glob: &str) -> Option<Wildcard> {
        let (in_any_directory, rest) = match glob.strip_prefix("**/") {
            Some(rest) => (true, rest),
            None => (false, glob),
        };
        let plain = !rest.contains("**")
            && !rest
                .bytes()
                .any(|b| matches!(b, b'?' | b'[' | b']' | b'{' | b'}' | b'\\'));
        let head = rest.find('*').unwrap_or(rest.len());
        let tail = rest.len() - rest.rfind('*').map_or(0, |star| star + 1);
        plain.then(|| Wildcard {
            in_any_directory,
            pattern: rest.as_bytes().into(),
            head,
            tail,
        })
    }

    fn is_match(&self, path: &str) -> bool {
        let path = path.as_bytes();
        let pattern = &self.pattern[..];
        if !path.ends_with(&pattern[pattern.len() - self.tail..])
            || !(self.in_any_directory || path.starts_with(&pattern[..self.head]))
        {
            return false;
        }
        if wildcard_match(&self.pattern, path) {
            return true;
        }
        self.in_any_directory
            && memchr::memchr_iter(b'/', path)
                .any(|slash| wildcard_match(&self.pattern, &path[slash + 1..]))
    }
}

/// Whether `text` is `pattern`, each `*` standing for any run of bytes: the usual linear
/// algorithm that, on a mismatch, lets the last `*` take one more byte.
fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut retry: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                retry = Some((p, t));
                p += 1;
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match retry {
                Some((star, from)) => {
                    p = star + 1;
                    t = from + 1;
                    retry = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globset(patterns: &[&str]) -> GlobSet {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            builder.add(Glob::new(p).unwrap());
        }
        builder.build().unwrap()
    }

    /// The wildcard matcher agrees with globset on every built-in glob and on the globs users
    /// write, over paths made to hit their edges.
    #[test]
    fn plain_wildcards_match_as_globset_does() {
        let mut patterns: Vec<String> = crate::rules::RuleSet::builtin()
            .unwrap()
            .rules()
            .iter()
            .flat_map(|r| r.def.paths.iter().chain(&r.def.exclude_paths).cloned())
            .collect();
        patterns.extend(
            [
                "*",
                "**/x",
                "a*",
                "*a",
                "*a*",
                "a*b*c",
                "*.env",
                ".env.*",
                "*/.env.*",
                "*/config/*.php",
                "**/.npmrc",
                "*.tfstate.*.backup",
                "**/*",
                "a**",
                "x/**",
            ]
            .map(String::from),
        );
        let paths = [
            "",
            "a",
            "x",
            "b",
            ".env",
            ".env.local",
            "app/.env.local",
            "app/.envrc",
            "config.php",
            "src/config/db.php",
            "src/config/sub/db.php",
            "a/b/c",
            "abc",
            "aXbYc",
            "acb",
            "deploy/.npmrc",
            ".npmrc",
            "x/.npmrc/y",
            "prod.tfstate.1.backup",
            "prod.tfstate",
            "terraform.tfstate.backup",
            "x/",
            "x/y",
            "id_rsa",
            "home/u/.ssh/id_rsa",
            "key.pem",
            "a/.yarnrc.yml",
            ".yarnrc.yml",
            "settings.xml",
            "m2/settings.xml",
            "aa",
            "a/a",
        ];
        for pattern in &patterns {
            let set = globset(&[pattern.as_str()]);
            let ours = PathGlobs::new(std::slice::from_ref(pattern))
                .unwrap()
                .unwrap();
            for path in paths {
                assert_eq!(
                    ours.is_match(path),
                    set.is_match(path),
                    "glob {pattern:?} on {path:?}"
                );
            }
        }
    }

    /// Every wildcard of up to five bytes from `a`, `b`, `/` and `*` against every text of up
    /// to five bytes from `a`, `b` and `/`: the direct match agrees with globset where the
    /// literal pieces between stars overlap, repeat, or meet the text's first and last bytes.
    #[test]
    fn every_short_wildcard_matches_every_short_text_as_globset_does() {
        fn all(alphabet: &[u8], most: usize) -> Vec<String> {
            let mut out = vec![String::new()];
            let mut last = vec![String::new()];
            for _ in 0..most {
                last = last
                    .iter()
                    .flat_map(|s| alphabet.iter().map(move |&c| format!("{s}{}", c as char)))
                    .collect();
                out.extend(last.iter().cloned());
            }
            out
        }
        let texts = all(b"ab/", 5);
        let mut compared = 0;
        for pattern in all(b"ab/*", 5) {
            if pattern.is_empty() || pattern.contains("**") {
                continue;
            }
            let set = globset(&[&pattern]);
            let ours = PathGlobs::new(std::slice::from_ref(&pattern))
                .unwrap()
                .unwrap();
            for text in &texts {
                assert_eq!(
                    ours.is_match(text),
                    set.is_match(text),
                    "glob {pattern:?} on {text:?}"
                );
                compared += 1;
            }
        }
        assert!(compared > 100_000);
    }

    /// Each built-in rule's whole list of globs matches the paths its globset would, whatever
    /// byte they end with: the grouping by last byte loses no glob.
    #[test]
    fn built_in_glob_lists_match_as_their_globsets_do() {
        let lists: Vec<Vec<String>> = crate::rules::RuleSet::builtin()
            .unwrap()
            .rules()
            .iter()
            .flat_map(|r| [r.def.paths.clone(), r.def.exclude_paths.clone()])
            .filter(|list| !list.is_empty())
            .collect();
        assert!(lists.iter().any(|list| list.len() > 40));
        let mut paths: Vec<String> = lists
            .iter()
            .flatten()
            .flat_map(|glob| {
                // Each glob's own text with its stars filled in, at the top and deeper down,
                // and the same one byte short.
                let filled = glob.trim_start_matches("**/").replace('*', "x");
                let short = filled[..filled.len().saturating_sub(1)].to_string();
                [format!("a/b/{filled}"), short, filled]
            })
            .collect();
        paths.extend(["", "x", "src/index.js", "a/.env", "seeds.rb"].map(String::from));
        for list in &lists {
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            let set = globset(&refs);
            let ours = PathGlobs::new(list).unwrap().unwrap();
            assert!(matches!(ours, PathGlobs::Wildcards(_)), "{list:?}");
            for path in &paths {
                assert_eq!(
                    ours.is_match(path),
                    set.is_match(path),
                    "globs {list:?} on {path:?}"
                );
            }
        }
    }

    #[test]
    fn anything_more_than_a_wildcard_goes_to_globset() {
        for glob in ["*.{yml,yaml}", "file?.txt", "[ab].env", "a/**/b", "x\\*"] {
            let globs = PathGlobs::new(&[glob.to_string()]).unwrap().unwrap();
            assert!(matches!(globs, PathGlobs::Set(_)), "{glob}");
        }
        assert!(matches!(
            PathGlobs::new(&["**/.npmrc".to_string(), "*.pem".to_string()]).unwrap(),
            Some(PathGlobs::Wildcards(_))
        ));
        assert!(PathGlobs::new(&["a/[".to_string()]).is_err());
        assert!(PathGlobs::new(&[]).unwrap().is_none());
    }
}
