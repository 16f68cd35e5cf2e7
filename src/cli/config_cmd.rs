//! `credlint config --check [PATH]` validates a configuration file without scanning (for CI);
//! `credlint config --schema` prints the file's JSON schema (for editors).

use std::path::PathBuf;

use super::args::ConfigCommandArgs;
use super::EXIT_CLEAN;
use crate::config::settings::{config_root, display_path, read_baseline};
use crate::config::{self, FILE_NAME, SCHEMA};
use crate::rules::RuleSet;

pub fn run(args: ConfigCommandArgs) -> Result<i32, String> {
    if args.schema {
        super::say::out(SCHEMA)?;
        return Ok(EXIT_CLEAN);
    }
    let path = match args.path {
        Some(path) => path,
        None => {
            let root = config_root(&[PathBuf::from(".")])?.unwrap_or_else(|| PathBuf::from("."));
            config::find_in(&root).ok_or_else(|| {
                format!(
                    "no {FILE_NAME} in {}; name the file to check",
                    display_path(&root)
                )
            })?
        }
    };
    let mut rules = RuleSet::builtin().map_err(|e| e.to_string())?;
    let config =
        config::read(&path, &display_path(&path), &mut rules).map_err(|e| e.to_string())?;
    if let Some(baseline) = &config.baseline {
        read_baseline(baseline).map_err(|e| format!("{}: scan.baseline: {e}", config.origin))?;
    }
    // What a scan with this file turns off: disabled, or outside rules.select.
    let disabled = rules.apply(&config.selection);
    let shown = display_path(&path);
    super::say::out(&format!(
        "{shown}: OK: {} rule(s) added (every example passes), {} disabled, {} severity change(s), {} allowlist(s).\n",
        config.rules_added,
        disabled,
        config.severities_changed,
        config.allowlists.len()
    ))?;
    Ok(EXIT_CLEAN)
}
