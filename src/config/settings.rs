//! What a scanning command runs with, decided once, before anything is scanned: the rules with
//! the configuration's changes applied, the filters (inline allow, allowlists, baseline), and
//! the scan options, where a command-line flag wins over the configuration, which wins over the
//! default. Every scanning command builds its [`Settings`] here, so they all behave alike.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config};
use crate::filter::allowlist::Allowlist;
use crate::filter::baseline::Baseline;
use crate::rules::{FailOn, RuleSet, Selection};
use crate::scan::ScanOptions;
use crate::source::describe_io_error;
use crate::source::fs::scan_base;

pub use crate::message::{display_path, shell_word};

pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// Which configuration, rules and suppressions the user chose (`--config`, `--no-config`,
/// `--select`, `--ignore`, `--baseline`, `--no-baseline`, `--no-inline-allow`).
#[derive(Debug, Clone, Default)]
pub struct ConfigChoice {
    pub config: Option<PathBuf>,
    pub no_config: bool,
    /// Rule ids and categories to run instead of the configuration's `rules.select`.
    pub select: Vec<String>,
    /// Rule ids and categories not to run, on top of the configuration's `rules.disable`.
    pub ignore: Vec<String>,
    pub baseline: Option<PathBuf>,
    pub no_baseline: bool,
    pub no_inline_allow: bool,
    /// Layers of encoded values to decode (`--max-decode-depth`; 0: none).
    pub max_decode_depth: Option<u8>,
    /// Read the configuration, and the baseline it names, from this revision of this
    /// repository instead of the work tree (`--config-from-ref`): what a pull request's own
    /// commits say about how to scan them is not trusted.
    pub from_ref: Option<(PathBuf, String)>,
}

pub struct Settings {
    pub rules: Arc<RuleSet>,
    /// For [`crate::scan::Scanner::new`]: inline allow, allowlists, the baseline, the limit.
    pub scan: ScanOptions,
    pub max_file_size: u64,
    /// The configuration's excludes, then `--exclude`.
    pub excludes: Vec<String>,
    pub fail_on: FailOn,
    /// The baseline file named by `--baseline` or the configuration, loaded or not.
    pub baseline_path: Option<PathBuf>,
}

impl Settings {
    /// The baseline file as messages name it, when one filters the findings.
    pub fn baseline_shown(&self) -> Option<String> {
        self.scan
            .baseline
            .as_ref()
            .and(self.baseline_path.as_deref())
            .map(display_path)
    }
}

/// Command-line values that take precedence over the configuration.
#[derive(Debug, Default, Clone, Copy)]
pub struct Overrides<'a> {
    pub max_file_size: Option<u64>,
    pub max_findings_per_file: Option<u64>,
    pub max_archive_depth: Option<u32>,
    pub excludes: &'a [String],
    pub fail_on: Option<FailOn>,
}

/// Whether the command reports only what is not in the baseline (scans) or not (`credlint
/// baseline`, which records everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineUse {
    Filter,
    Ignore,
}

/// Loads the configuration (`--config`, else `.credlint.toml` in `root`, unless `--no-config`)
/// and the baseline, and merges them with the command line. `root` is where repository-relative
/// paths start: the repository's work tree for git commands, [`config_root`] for `scan`. It is
/// asked for once the built-in rules are loaded, so that finding it (opening a repository, in
/// `credlint staged`) can happen on another thread meanwhile.
pub fn load(
    args: &ConfigChoice,
    root: impl FnOnce() -> Option<PathBuf>,
    overrides: Overrides,
    baseline_use: BaselineUse,
) -> Result<Settings, String> {
    let mut rules = RuleSet::builtin_for_scan().map_err(|e| e.to_string())?;
    let root = root();
    let root = root.as_deref();
    let from_ref = args
        .from_ref
        .as_ref()
        .filter(|_| !args.no_config && args.config.is_none());
    let config_path = if args.no_config || from_ref.is_some() {
        None
    } else if let Some(path) = &args.config {
        Some(path.clone())
    } else {
        root.and_then(config::find_in)
    };
    let mut config = match (&config_path, from_ref) {
        (Some(path), _) => {
            config::read(path, &display_path(path), &mut rules).map_err(|e| e.to_string())?
        }
        (None, Some((repo, rev))) => config_at(repo, rev, &mut rules)?,
        (None, None) => Config::default(),
    };
    // The file is scanned like any other (a pull request must not be able to hide a key
    // there), except for the examples of the rules it adds, which are meant to look like keys.
    let own = match (&config_path, root) {
        (Some(path), Some(root)) => path_below(path, root),
        (None, _) if from_ref.is_some() => Some(config::FILE_NAME.to_string()),
        _ => None,
    };
    if let Some(own) = own {
        let examples = std::mem::take(&mut config.example_texts);
        if !examples.is_empty() {
            config
                .allowlists
                .push(Allowlist::for_examples_in(&own, examples));
        }
    }

    let selection = selection(args, &config, &rules)?;
    rules.apply(&selection);
    if rules.is_empty() {
        return Err(
            "the rule selection (--select, --ignore, rules.select, rules.disable) leaves no rule to run"
                .into(),
        );
    }

    let mut excludes = config.excludes.clone();
    excludes.extend(overrides.excludes.iter().cloned());
    let baseline_path = if args.no_baseline {
        None
    } else {
        args.baseline.clone().or_else(|| config.baseline.clone())
    };
    let baseline = match (&baseline_path, baseline_use) {
        // A baseline the revision's configuration names comes from the same revision.
        (Some(path), BaselineUse::Filter) if args.baseline.is_none() && from_ref.is_some() => {
            let (repo, rev) = from_ref.expect("checked");
            Some(Arc::new(baseline_at(repo, rev, path)?))
        }
        (Some(path), BaselineUse::Filter) => Some(Arc::new(read_baseline(path)?)),
        _ => None,
    };
    let max_file_size = overrides
        .max_file_size
        .or(config.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE);
    let archives = crate::admission::container::Limits {
        max_depth: overrides
            .max_archive_depth
            .or(config.max_archive_depth)
            .unwrap_or(crate::admission::container::DEFAULT_MAX_DEPTH),
        // A member is a file: the same size limit holds for it.
        max_member_bytes: max_file_size,
        ..Default::default()
    };
    Ok(Settings {
        rules: Arc::new(rules),
        scan: ScanOptions {
            inline_allow: !args.no_inline_allow,
            max_decode_depth: args
                .max_decode_depth
                .unwrap_or(crate::admission::decode::DEFAULT_MAX_DEPTH),
            allowlists: Arc::new(config.allowlists),
            baseline,
            max_findings_per_file: overrides
                .max_findings_per_file
                .or(config.max_findings_per_file)
                .map_or(crate::scan::DEFAULT_FINDINGS_PER_FILE, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                }),
            archives,
        },
        max_file_size,
        excludes,
        fail_on: overrides.fail_on.or(config.fail_on).unwrap_or_default(),
        baseline_path,
    })
}

/// The configuration committed at `rev` (none when that revision has no `.credlint.toml`).
fn config_at(repo: &Path, rev: &str, rules: &mut RuleSet) -> Result<Config, String> {
    let origin = format!("{rev}:{}", config::FILE_NAME);
    let Some(bytes) =
        crate::source::git::file_at(repo, rev, config::FILE_NAME).map_err(|e| e.to_string())?
    else {
        return Ok(Config::default());
    };
    let text = String::from_utf8(bytes).map_err(|_| format!("{origin}: not UTF-8 text"))?;
    // Paths in it are repository paths.
    config::load(&origin, Path::new(""), &text, rules).map_err(|e| e.to_string())
}

/// The baseline committed at `rev`, at the path its configuration names.
fn baseline_at(repo: &Path, rev: &str, path: &Path) -> Result<Baseline, String> {
    let rel = path.to_string_lossy().replace('\\', "/");
    let origin = format!("{rev}:{rel}");
    let bytes = crate::source::git::file_at(repo, rev, &rel)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("cannot read the baseline {origin}: {rel} is not in {rev}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{origin}: not UTF-8 text"))?;
    Baseline::parse(&origin, &text).map_err(|e| e.to_string())
}

/// The rules a command runs: `--select` replaces the configuration's `rules.select`, and
/// `--ignore` adds to its `rules.disable` (a team's "never" stays in force).
fn selection(args: &ConfigChoice, config: &Config, rules: &RuleSet) -> Result<Selection, String> {
    let mut problems = Vec::new();
    let mut parse = |flag: &str, texts: &[String]| {
        texts
            .iter()
            .filter_map(|text| match rules.selector(text) {
                Ok(selector) => Some(selector),
                Err(message) => {
                    problems.push(format!("{flag} {text}: {message}"));
                    None
                }
            })
            .collect::<Vec<_>>()
    };
    let select = parse("--select", &args.select);
    let ignore = parse("--ignore", &args.ignore);
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let mut selection = config.selection.clone();
    if !args.select.is_empty() {
        selection.select = select;
    }
    selection.ignore.extend(ignore);
    Ok(selection)
}

/// `path` relative to `root`, forward slashes, when it is inside it.
fn path_below(path: &Path, root: &Path) -> Option<String> {
    let path = path.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    let inside = path.strip_prefix(root).ok()?;
    Some(
        inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Reads and parses a baseline file; the error says how to make one when it is missing.
pub fn read_baseline(path: &Path) -> Result<Baseline, String> {
    let shown = display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "; create it with `credlint baseline --output {}`",
                shell_word(&shown)
            )
        } else {
            String::new()
        };
        format!(
            "cannot read the baseline {shown}: {}{hint}",
            describe_io_error(&e)
        )
    })?;
    Baseline::parse(&shown, &text).map_err(|e| e.to_string())
}

/// The directory whose `.credlint.toml` applies to a scan of `paths`: their repository's work
/// tree (or, outside a repository, the scanned directory). Paths from different places only get
/// a configuration if none of those places has one, to avoid applying one project's settings to
/// another; `--config` settles it. Paths that do not exist are left for the scan to report.
pub fn config_root(paths: &[PathBuf]) -> Result<Option<PathBuf>, String> {
    let mut bases: Vec<PathBuf> = Vec::new();
    for path in paths {
        let path = if path.as_os_str() == "-" {
            Path::new(".")
        } else {
            path.as_path()
        };
        if let Ok(found) = scan_base(path) {
            if !bases.contains(&found.base) {
                bases.push(found.base);
            }
        }
    }
    match bases.len() {
        0 => Ok(None),
        1 => Ok(bases.pop()),
        _ => {
            let with_config: Vec<String> = bases
                .iter()
                .filter_map(|b| config::find_in(b))
                .map(|p| display_path(&p))
                .collect();
            if with_config.is_empty() {
                Ok(None)
            } else {
                Err(format!(
                    "the paths are in different projects and {} applies to only some of them; scan them separately, or choose with --config FILE or --no-config",
                    with_config.join(", ")
                ))
            }
        }
    }
}
