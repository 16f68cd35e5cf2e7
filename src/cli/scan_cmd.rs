//! `credlint scan PATH...` and `credlint scan -`.

use std::path::PathBuf;
use std::time::Instant;

use super::args::{ConfigArgs, ScanArgs, WalkArgs};
use super::output;
use crate::config::settings::{self, BaselineUse, Overrides, Settings};
use crate::rules::FailOn;
use crate::source::fs::{FsOptions, FsSource};
use crate::source::stdin::StdinSource;
use crate::source::Source;

pub fn run(args: ScanArgs) -> Result<i32, String> {
    let started = Instant::now();
    let settings = load_settings(
        &args.paths,
        &args.config,
        &args.walk,
        args.output.fail_on,
        BaselineUse::Filter,
    )?;
    let mut source = source(&args.paths, &args.walk, &settings)?;
    let threads = args.output.threads.unwrap_or_else(default_threads);
    output::scan_and_report(
        &args.output,
        &settings,
        &output::scanner(&settings),
        source.as_mut(),
        threads,
        started,
        None,
    )
}

/// Settings for a scan of `paths` on disk: the configuration is looked for at their root.
pub(super) fn load_settings(
    paths: &[PathBuf],
    config: &ConfigArgs,
    walk: &WalkArgs,
    fail_on: Option<FailOn>,
    baseline_use: BaselineUse,
) -> Result<Settings, String> {
    let root = match settings::config_root(paths) {
        Ok(root) => root,
        // Which project's configuration applies only matters when one is looked for.
        Err(_) if config.config.is_some() || config.no_config => None,
        Err(e) => return Err(e),
    };
    settings::load(
        &config.choice(),
        || root,
        Overrides {
            max_file_size: walk.max_file_size,
            max_findings_per_file: walk.max_findings_per_file,
            max_archive_depth: walk.max_archive_depth,
            excludes: &walk.exclude,
            fail_on,
        },
        baseline_use,
    )
}

/// The source for `paths`: standard input for `-`, else the files and directories.
pub(super) fn source(
    paths: &[PathBuf],
    walk: &WalkArgs,
    settings: &Settings,
) -> Result<Box<dyn Source>, String> {
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && paths.len() > 1 {
        return Err("`-` (standard input) cannot be combined with other paths".into());
    }
    if stdin {
        return Ok(Box::new(StdinSource::new(settings.max_file_size)));
    }
    Ok(Box::new(FsSource::new(FsOptions {
        roots: paths.to_vec(),
        no_ignore: walk.no_ignore,
        follow_symlinks: walk.follow_symlinks,
        max_file_size: settings.max_file_size,
        excludes: settings.excludes.clone(),
        threads: 1,
    })))
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
