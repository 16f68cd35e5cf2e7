//! The summary of a scan: what was read, skipped, suppressed and noticed. Every report format
//! renders the same one, and the exit code is decided from it and the findings.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use super::Outcome;
use crate::filter::baseline::Entry;
use crate::filter::Suppressed;
use crate::finding::Finding;
use crate::rules::{FailOn, Severity};
use crate::source::{ScanMode, ScanStats, SkipReason, VersionControl, Warning};

/// Everything about a scan except its findings; the same in every format.
#[derive(Debug, Clone)]
pub struct Summary {
    pub mode: ScanMode,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    pub elapsed: Duration,
    /// When the scan ended (it started `elapsed` before), for formats that carry times.
    pub finished_at: SystemTime,
    /// The repository and revision a git history or range scan read, when the repository says
    /// (SARIF's `versionControlProvenance`); set by the command, which knows what it scanned.
    pub version_control: Option<VersionControl>,
    pub suppressed: Suppressed,
    /// Baseline entries that matched nothing although the scan covered their path.
    pub stale_baseline: Vec<Entry>,
    /// Files scanned only in part (a generated file with more matches than the engine keeps).
    pub incomplete: u64,
    /// Findings the per-file limit left out, and the most severe of them.
    pub hidden: u64,
    pub hidden_severity: Option<Severity>,
    pub warnings: Vec<Warning>,
    /// Facts about the scan as a whole ("history is truncated: shallow clone").
    pub notes: Vec<String>,
}

/// The exit codes every command shares: 0 clean, 1 findings at or above `--fail-on`, 2 error.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

impl Summary {
    /// The summary of a finished scan, taking the counters' warnings and notes. `baseline`
    /// names the baseline file in the note about stale entries.
    pub fn new(
        stats: &ScanStats,
        mode: ScanMode,
        started: Instant,
        outcome: &Outcome,
        baseline: Option<&str>,
    ) -> Summary {
        let mut notes = stats.take_notes();
        if !outcome.stale_baseline.is_empty() {
            notes.push(stale_note(
                baseline.unwrap_or("the baseline"),
                &outcome.stale_baseline,
            ));
        }
        Summary {
            mode,
            files_scanned: stats.files(),
            bytes_scanned: stats.bytes(),
            skipped: stats.skipped_counts(),
            elapsed: started.elapsed(),
            finished_at: SystemTime::now(),
            version_control: None,
            suppressed: outcome.suppressed,
            stale_baseline: outcome.stale_baseline.clone(),
            incomplete: stats.incomplete_count(),
            hidden: outcome.hidden,
            hidden_severity: outcome.hidden_severity,
            warnings: stats.take_warnings(),
            notes,
        }
    }

    /// Seconds since the Unix epoch at which the scan started and ended.
    pub fn times(&self) -> (i64, i64) {
        let end = self
            .finished_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let start = end.saturating_sub(self.elapsed);
        (start.as_secs() as i64, end.as_secs() as i64)
    }

    pub fn unreadable(&self) -> u64 {
        self.skipped
            .get(&SkipReason::Unreadable)
            .copied()
            .unwrap_or(0)
    }

    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// What was not fully scanned, in words, when something was not: a clean exit would claim
    /// more than the scan checked.
    pub fn gap(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.unreadable() > 0 {
            parts.push(format!(
                "{} file(s) or object(s) could not be read",
                self.unreadable()
            ));
        }
        if self.incomplete > 0 {
            parts.push(format!(
                "{} file(s) were scanned only in part",
                self.incomplete
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" and "))
    }

    /// The exit code: 1 when a finding (shown or left out by the per-file limit) is at or above
    /// `fail_on`; otherwise 2 when the scan is incomplete and `allow_incomplete` is not set.
    pub fn exit_code(&self, findings: &[Finding], fail_on: FailOn, allow_incomplete: bool) -> i32 {
        let failing = fail_on.0.is_some_and(|threshold| {
            findings.iter().any(|f| f.severity >= threshold)
                || self.hidden_severity.is_some_and(|s| s >= threshold)
        });
        if failing {
            EXIT_FINDINGS
        } else if self.gap().is_some() && !allow_incomplete {
            EXIT_ERROR
        } else {
            EXIT_CLEAN
        }
    }
}

/// The message about stale baseline entries: which, and the command that drops them.
fn stale_note(baseline: &str, stale: &[Entry]) -> String {
    const SHOWN: usize = 5;
    let mut listed: Vec<String> = stale
        .iter()
        .take(SHOWN)
        .map(|e| format!("{} ({})", e.path, e.rule_id))
        .collect();
    if stale.len() > SHOWN {
        listed.push(format!("and {} more", stale.len() - SHOWN));
    }
    let (count, verb) = if stale.len() == 1 {
        ("1 entry".to_string(), "matches")
    } else {
        (format!("{} entries", stale.len()), "match")
    };
    format!(
        "baseline {baseline}: {count} {verb} no finding any more: {}. The secret was removed or its file renamed; `credlint baseline --prune --output {}` drops stale entries.",
        listed.join(", "),
        crate::message::shell_word(baseline)
    )
}
