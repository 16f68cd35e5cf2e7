//! `credlint git [REPO]` (the whole history) and `credlint git --range BASE..HEAD` (what a pull
//! request adds).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::args::{BlobArgs, ConfigArgs, GitArgs, OutputArgs};
use super::output;
use super::scan_cmd::default_threads;
use crate::config::settings::{self, BaselineUse, Overrides, Settings};
use crate::source::git::history::{HistoryOptions, HistorySource};
use crate::source::git::range::{self, RangeSource};
use crate::source::git::{self, vcs, GitOptions};
use crate::source::Source;

pub fn run(args: GitArgs) -> Result<i32, String> {
    let started = Instant::now();
    let since = args
        .since
        .as_deref()
        .map(git::parse_date)
        .transpose()
        .map_err(|e| e.to_string())?;
    let settings = load_settings_from(
        &args.repo,
        &args.config,
        args.config_from_ref.as_deref(),
        &args.blobs,
        &args.output,
    )?;
    let options = git_options(&settings);
    let mut source: Box<dyn Source> = match &args.range {
        Some(spec) => {
            Box::new(RangeSource::open(&args.repo, spec, options).map_err(|e| e.to_string())?)
        }
        None => Box::new(
            HistorySource::open(
                &args.repo,
                HistoryOptions {
                    git: options,
                    revisions: args.branch.clone(),
                    since,
                },
            )
            .map_err(|e| e.to_string())?,
        ),
    };
    // The revision the scan reads up to: a range's head, the one branch asked for, else HEAD.
    let revision = match (&args.range, args.branch.as_slice()) {
        (Some(spec), _) => range::sides(spec).1,
        (None, [branch]) => branch.as_str(),
        (None, _) => "HEAD",
    };
    let version_control = vcs::describe(&args.repo, revision);
    let threads = args.output.threads.unwrap_or_else(default_threads);
    output::scan_and_report(
        &args.output,
        &settings,
        &output::scanner(&settings),
        source.as_mut(),
        threads,
        started,
        version_control,
    )
}

/// Settings for a git command: the configuration is looked for in the repository's work tree
/// (a bare repository has none, so only `--config` applies there), or read from a revision
/// when `from_ref` names one.
pub(super) fn load_settings_from(
    repo: &Path,
    config: &ConfigArgs,
    from_ref: Option<&str>,
    blobs: &BlobArgs,
    output: &OutputArgs,
) -> Result<Settings, String> {
    // A missing or broken repository is reported by the scan, in its own words.
    let work_tree = || git::work_tree(repo).unwrap_or_default();
    load_settings_in(work_tree, repo, config, from_ref, blobs, output)
}

/// [`load_settings_from`], with the repository's work tree found by `work_tree` (`None` for a
/// bare or unreadable repository).
pub(super) fn load_settings_in(
    work_tree: impl FnOnce() -> Option<PathBuf>,
    repo: &Path,
    config: &ConfigArgs,
    from_ref: Option<&str>,
    blobs: &BlobArgs,
    output: &OutputArgs,
) -> Result<Settings, String> {
    let mut choice = config.choice();
    choice.from_ref = from_ref.map(|rev| (repo.to_path_buf(), rev.to_string()));
    settings::load(
        &choice,
        work_tree,
        Overrides {
            max_file_size: blobs.max_file_size,
            max_findings_per_file: blobs.max_findings_per_file,
            max_archive_depth: blobs.max_archive_depth,
            excludes: &blobs.exclude,
            fail_on: output.fail_on,
        },
        BaselineUse::Filter,
    )
}

pub(super) fn git_options(settings: &Settings) -> GitOptions {
    GitOptions {
        max_file_size: settings.max_file_size,
        excludes: settings.excludes.clone(),
    }
}
