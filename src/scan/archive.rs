//! The pipeline's side of containers: a blob that admission recognises as an archive or a
//! compressed stream ([`crate::admission::container`]) is not matched itself; each of its
//! members goes through the whole pipeline instead (admission again, so a binary member is
//! skipped and a nested archive is opened, then matching and the filters), as a blob at
//! `outer.zip!inner/path`, for every place the archive lives.
//!
//! Inside an archive every line counts: a range or staged scan of a changed archive scans all of
//! its members in full (a diff of compressed bytes says nothing about lines). What the limits
//! cut short is counted as incomplete, so an archive bomb is never a silent clean result.

use crate::admission::container::{self, Budget, Members};
use crate::engine::Scratch;
use crate::source::{Blob, Place, ScanStats};

use super::{Collected, Scanner};

/// Where a blob being scanned sits inside an archive found by a source.
pub(super) struct Within<'b> {
    /// 1 for a member of an archive found by a source, 2 for a member of an archive in it...
    depth: u32,
    budget: &'b Budget,
}

/// Scans the members of `blob` when it is a container that may be opened at its depth: true
/// when it was (and the blob itself must not be matched), false to admit it as usual.
pub(super) fn scan_members(
    scanner: &Scanner,
    blob: &Blob,
    within: Option<&Within>,
    scratch: &mut Scratch,
    stats: &ScanStats,
    out: &mut Collected,
) -> bool {
    let Some(format) = container::detect(blob.bytes) else {
        return false;
    };
    let Some(first) = blob.places.first() else {
        return false;
    };
    let limits = &scanner.options.archives;
    let depth = within.map_or(0, |w| w.depth);
    if depth >= limits.max_depth {
        if depth > 0 {
            stats.warn(
                Some(first.path),
                format!(
                    "a {} inside an archive, nested deeper than --max-archive-depth {}: not \
                     opened",
                    format.name(),
                    limits.max_depth
                ),
            );
        }
        return false;
    }
    let own;
    let budget = match within {
        Some(within) => within.budget,
        None => {
            own = Budget::new(limits, blob.bytes.len());
            &own
        }
    };
    if within.is_none() {
        stats.scanned(blob.bytes.len());
    }
    let name = first
        .rel_path
        .rsplit(['/', '!'])
        .next()
        .unwrap_or(first.rel_path);
    let mut visitor = MemberScan {
        scanner,
        blob,
        within: Within {
            depth: depth + 1,
            budget,
        },
        scratch,
        stats,
        out,
    };
    let opened = container::open(format, blob.bytes, name, limits, budget, &mut visitor);
    for damage in opened.damaged {
        stats.warn(
            Some(first.path),
            format!(
                "damaged {}: {damage}; what could be read was scanned",
                format.name()
            ),
        );
    }
    // The budget is shared with the archives nested in this one: the one found by the source
    // reports it, once.
    if within.is_none() {
        if let Some(stopped) = opened.stopped {
            stats.incomplete(
                first.path,
                format!("{} only in part: {stopped}", format.name()),
            );
        }
    }
    true
}

/// Hands each member of one container to the pipeline.
struct MemberScan<'a, 'b> {
    scanner: &'a Scanner,
    blob: &'a Blob<'a>,
    within: Within<'b>,
    scratch: &'a mut Scratch,
    stats: &'a ScanStats,
    out: &'a mut Collected,
}

impl Members for MemberScan<'_, '_> {
    fn member(&mut self, name: &str, bytes: &[u8], complete: bool) {
        let paths: Vec<(String, String)> = self
            .blob
            .places
            .iter()
            .map(|p| {
                (
                    format!("{}!{name}", p.path),
                    format!("{}!{name}", p.rel_path),
                )
            })
            .collect();
        let places: Vec<Place> = paths
            .iter()
            .zip(self.blob.places)
            .map(|((path, rel_path), outer)| Place {
                path,
                rel_path,
                origin: outer.origin,
            })
            .collect();
        if !complete {
            self.stats.incomplete(
                &paths[0].0,
                format!(
                    "an archive member over {} (--max-file-size) or past the archive's \
                     budget: only its first {} were scanned",
                    container::size(self.scanner.options.archives.max_member_bytes),
                    container::size(bytes.len() as u64)
                ),
            );
        }
        let member = Blob {
            bytes,
            places: &places,
            object: self.blob.object,
            replaces: None,
        };
        let before = self.out.findings.len();
        self.scanner.scan_blob(
            &member,
            Some(&self.within),
            self.scratch,
            self.stats,
            self.out,
        );
        // Findings name the member path inside the archive the source found (a nested
        // archive's findings already named theirs, relative to it: this replaces it).
        for finding in &mut self.out.findings[before..] {
            let outer = self.blob.places.iter().find(|p| {
                finding.rel_path.len() > p.rel_path.len()
                    && finding.rel_path.starts_with(p.rel_path)
                    && finding.rel_path.as_bytes()[p.rel_path.len()] == b'!'
            });
            if let Some(outer) = outer {
                finding.member = Some(finding.rel_path[outer.rel_path.len() + 1..].to_string());
            }
        }
    }
}
