//! Which walked paths `.gitignore` and `.ignore` files hide, and the rule that makes it safe:
//! a file git tracks is never hidden.
//!
//! Git ignores only untracked files: a file added with `git add -f`, or one committed before a
//! `.gitignore` line was written, is part of the repository and can hold a secret like any
//! other. And a pull request that adds a `.ignore` must not be able to take files out of the
//! scan. So a path is hidden when an ignore file matches it *and* it is not in the index (for a
//! directory: no tracked file below it).
//!
//! The matching follows git and the `ignore` crate's walker: the deepest directory's files
//! first (`.ignore`, then `.gitignore`), then each parent's up to the work tree's top (also
//! above the scanned directory), then `.git/info/exclude`, then the global excludes file; the
//! first that matches decides, a `!pattern` re-includes, and a path inside an ignored directory
//! is ignored. The walker itself cannot do this: it drops ignored entries before anyone sees
//! them, tracked or not, and without counting them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::source::{git, Warning};

/// The ignore rules of every base (work tree, or scanned directory outside one) of a scan.
pub struct IgnoreRules {
    bases: Vec<BaseRules>,
    global: Gitignore,
    warnings: Mutex<Vec<Warning>>,
}

struct BaseRules {
    base: PathBuf,
    /// What git tracks, when the base is a work tree.
    tracked: Option<Tracked>,
    /// `.git/info/exclude`.
    exclude: Gitignore,
    /// Per directory (by path relative to the base), the ignore files that judge what it holds,
    /// read on first use.
    dirs: RwLock<HashMap<String, Arc<DirChain>>>,
}

#[derive(Default)]
struct DirRules {
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
}

/// The directories from one directory up to the base that have ignore files, deepest first,
/// each with the length of its relative path. An entry is judged by one map lookup for its
/// directory, not one for each directory above it (the npm corpus, without a single ignore
/// file, has 31,000 files five or six directories deep).
#[derive(Default)]
struct DirChain {
    with_rules: Vec<(usize, Arc<DirRules>)>,
}

/// Tracked files, and the directories that hold them, relative to the work tree.
struct Tracked {
    files: HashSet<String>,
    dirs: HashSet<String>,
}

impl IgnoreRules {
    /// `bases` are the scan roots' bases, with the roots' paths inside them.
    pub fn new(bases: &[(PathBuf, String)]) -> IgnoreRules {
        let mut warnings = Vec::new();
        let mut rules: Vec<BaseRules> = Vec::new();
        for (base, _) in bases {
            if rules.iter().any(|r| r.base == *base) {
                continue;
            }
            let index = git::work_tree_index(base);
            let exclude = index
                .as_ref()
                .and_then(|i| i.exclude_file.as_deref())
                .and_then(|path| build(path, &mut warnings).flatten())
                .unwrap_or_else(Gitignore::empty);
            let tracked = index.map(|index| {
                let mut dirs = HashSet::new();
                for path in &index.tracked {
                    let mut at = path.len();
                    while let Some(slash) = path[..at].rfind('/') {
                        if !dirs.insert(path[..slash].to_string()) {
                            break;
                        }
                        at = slash;
                    }
                }
                Tracked {
                    files: index.tracked.into_iter().collect(),
                    dirs,
                }
            });
            rules.push(BaseRules {
                base: base.clone(),
                tracked,
                exclude,
                dirs: RwLock::new(HashMap::new()),
            });
        }
        let (global, error) = GitignoreBuilder::new("").build_global();
        if let Some(error) = error {
            warnings.push(Warning {
                path: None,
                message: format!("the global git excludes file could not be read fully: {error}"),
            });
        }
        IgnoreRules {
            bases: rules,
            global,
            warnings: Mutex::new(warnings),
        }
    }

    /// Whether the path `rel` (relative to `base`, forward slashes) is hidden: matched by an
    /// ignore file and not tracked.
    pub fn ignores(&self, base: &Path, rel: &str, is_dir: bool) -> bool {
        // The bases are the roots' own, so their bytes compare as well as their components.
        let Some(rules) = self
            .bases
            .iter()
            .find(|r| r.base.as_os_str() == base.as_os_str())
        else {
            return false;
        };
        if !self.matched(rules, rel, is_dir).is_ignore() {
            return false;
        }
        match &rules.tracked {
            Some(tracked) if is_dir => !tracked.dirs.contains(rel),
            Some(tracked) => !tracked.files.contains(rel),
            None => true,
        }
    }

    fn matched(&self, rules: &BaseRules, rel: &str, is_dir: bool) -> Match<()> {
        let dir = rel.rfind('/').map_or("", |end| &rel[..end]);
        for (dir_len, here) in &self.dir_chain(rules, dir).with_rules {
            let inside = match dir_len {
                0 => rel,
                _ => &rel[dir_len + 1..],
            };
            for matcher in [&here.ignore, &here.gitignore].into_iter().flatten() {
                match matcher.matched_path_or_any_parents(inside, is_dir) {
                    Match::None => {}
                    Match::Ignore(_) => return Match::Ignore(()),
                    Match::Whitelist(_) => return Match::Whitelist(()),
                }
            }
        }
        for matcher in [&rules.exclude, &self.global] {
            match matcher.matched_path_or_any_parents(rel, is_dir) {
                Match::None => {}
                Match::Ignore(_) => return Match::Ignore(()),
                Match::Whitelist(_) => return Match::Whitelist(()),
            }
        }
        Match::None
    }

    /// The ignore files that judge the entries of `dir`: its own, then its parents'.
    fn dir_chain(&self, rules: &BaseRules, dir: &str) -> Arc<DirChain> {
        if let Some(found) = rules
            .dirs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
        {
            return Arc::clone(found);
        }
        let parents = match dir {
            "" => Arc::new(DirChain::default()),
            _ => self.dir_chain(rules, dir.rfind('/').map_or("", |end| &dir[..end])),
        };
        let path = if dir.is_empty() {
            rules.base.clone()
        } else {
            rules.base.join(dir)
        };
        let mut warnings = Vec::new();
        let here = DirRules {
            ignore: build(&path.join(".ignore"), &mut warnings).flatten(),
            gitignore: build(&path.join(".gitignore"), &mut warnings).flatten(),
        };
        if !warnings.is_empty() {
            self.warnings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(warnings);
        }
        let chain = match here.ignore.is_some() || here.gitignore.is_some() {
            true => {
                let mut with_rules = vec![(dir.len(), Arc::new(here))];
                with_rules.extend(parents.with_rules.iter().cloned());
                Arc::new(DirChain { with_rules })
            }
            false => parents,
        };
        let mut dirs = rules.dirs.write().unwrap_or_else(|e| e.into_inner());
        Arc::clone(dirs.entry(dir.to_string()).or_insert(chain))
    }

    pub fn take_warnings(&self) -> Vec<Warning> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The matcher of one ignore file, relative to its directory: `None` when there is no such
/// file, `Some(None)` when it holds no pattern. A pattern that does not parse is warned about
/// and skipped, as git does.
fn build(path: &Path, warnings: &mut Vec<Warning>) -> Option<Option<Gitignore>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => return None,
    };
    let mut builder = GitignoreBuilder::new("");
    for line in text.lines() {
        if let Err(e) = builder.add_line(Some(path.to_path_buf()), line) {
            warnings.push(Warning {
                path: Some(path.display().to_string()),
                message: format!("ignore pattern skipped: {e}"),
            });
        }
    }
    match builder.build() {
        Ok(built) if built.is_empty() => Some(None),
        Ok(built) => Some(Some(built)),
        Err(e) => {
            warnings.push(Warning {
                path: Some(path.display().to_string()),
                message: format!("ignore file skipped: {e}"),
            });
            Some(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn deeper_files_decide_first_and_directories_hide_what_they_hold() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().to_path_buf();
        write(&base, ".gitignore", "*.log\nbuild/\n");
        write(&base, "keep/.gitignore", "!important.log\n");
        write(&base, "src/.ignore", "generated.py\n");
        let rules = IgnoreRules::new(&[(base.clone(), String::new())]);
        assert!(rules.ignores(&base, "debug.log", false));
        assert!(rules.ignores(&base, "a/b/debug.log", false));
        assert!(!rules.ignores(&base, "keep/important.log", false));
        assert!(rules.ignores(&base, "keep/other.log", false));
        assert!(rules.ignores(&base, "build", true));
        assert!(rules.ignores(&base, "build/x.py", false));
        assert!(
            !rules.ignores(&base, "build", false),
            "build/ names directories only"
        );
        assert!(rules.ignores(&base, "src/generated.py", false));
        // Below a directory with ignore files, through one without.
        assert!(rules.ignores(&base, "src/deep/generated.py", false));
        assert!(!rules.ignores(&base, "keep/deep/important.log", false));
        assert!(rules.ignores(&base, "keep/deep/other.log", false));
        assert!(!rules.ignores(&base, "generated.py", false));
        assert!(!rules.ignores(&base, "src/app.py", false));
    }
}
