//! Matching decoded values: the step of the pipeline between admission's decoders
//! ([`crate::admission::decode`]) and the filters. The decoded texts of a blob are matched by
//! the engine in one pass (joined by blank lines, so no window or match crosses from one into the
//! next), and each match becomes a match of the blob: at the encoded span it came from (so its
//! line and column, the inline allow comments and the added-lines test are the outer file's),
//! carrying the decoded value (which the finding redacts and fingerprints, so a baseline entry
//! survives re-encoding) and the layers it was decoded through (which its message names).
//!
//! A value found both in the raw text and in a decoded view (a token on a line whose other
//! characters were escaped) is reported once, as the raw match.

use crate::admission::decode::{self, DecodedValue, Limits};
use std::ops::Range;

use crate::engine::{overlaps_any, Engine, Match, Scratch};
use crate::rules::Kind;

/// Adds to `per_place` (the raw matches of `bytes` at each of `paths`) the matches in its
/// decoded values, decoding to `max_depth` layers.
pub(crate) fn add_matches(
    engine: &Engine,
    paths: &[&str],
    bytes: &[u8],
    max_depth: u8,
    added_lines: Option<&[Range<usize>]>,
    per_place: &mut [Vec<Match>],
    scratch: &mut Scratch,
) {
    if max_depth == 0 || !paths.iter().any(|p| decode::applies_to(p)) {
        return;
    }
    percent_decode_url_values(bytes, per_place);
    let values = paths.iter().any(|p| decode::holds_values(p));
    let limits = Limits::for_blob(bytes.len(), max_depth);
    // The engine's keyword pass over these bytes found some of what the decoders look for.
    let mut decodings = match scratch.decoder_hints() {
        Some(hints) => decode::decode_all_hinted(bytes, limits, values, hints),
        None => decode::decode_all(bytes, limits, values),
    };
    if decodings.items.is_empty() {
        return;
    }
    // One text for the engine: each decoded text followed by two line breaks. The texts move
    // into it (decoded text can be twice the blob: a copy would be a third blob's worth of
    // memory). A text decoded from lines a change did not add holds nothing the change added:
    // it is left out, its length zero.
    let mut joined = Vec::new();
    let mut starts = Vec::with_capacity(decodings.items.len());
    let mut lengths = Vec::with_capacity(decodings.items.len());
    for index in 0..decodings.items.len() {
        starts.push(joined.len());
        let text = std::mem::take(&mut decodings.items[index].text);
        let from = decodings.to_blob(index, 0..text.len());
        if added_lines.is_none_or(|added| overlaps_any(added, from)) {
            joined.extend_from_slice(&text);
            lengths.push(text.len());
        } else {
            lengths.push(0);
        }
        joined.extend_from_slice(b"\n\n");
    }
    let truncated = scratch.truncated;
    let found = engine.scan_at(paths, &joined, scratch);
    scratch.truncated |= truncated;
    let rules = engine.rules().rules();
    for ((matches, path), decoded_matches) in per_place.iter_mut().zip(paths).zip(found) {
        if decoded_matches.is_empty() || !decode::applies_to(path) {
            continue;
        }
        let mut added: Vec<Match> = Vec::new();
        for found in decoded_matches {
            // Decoding looks for secrets hidden by an encoding; lints judge code as it is written
            // (an entity-escaped http:// address in a page is not a plain-HTTP call).
            if rules[found.rule].def.kind != Kind::Secret {
                continue;
            }
            let item = starts.partition_point(|&s| s <= found.secret.start) - 1;
            let text_len = lengths[item];
            let base = starts[item];
            // A multi-line rule's match must not reach into the next decoded text.
            if found.span.start < base || found.span.end > base + text_len {
                continue;
            }
            let secret = found.secret.start - base..found.secret.end - base;
            let span = found.span.start - base..found.span.end - base;
            let value = String::from_utf8_lossy(&joined[base + secret.start..base + secret.end])
                .into_owned();
            let outer = decodings.to_blob(item, secret);
            let outer_span = decodings.to_blob(item, span);
            if outer.is_empty() {
                continue;
            }
            // Found raw at the same place by the same rule, or already found through another
            // decoding: one finding.
            let same = |m: &Match| {
                m.rule == found.rule && m.secret.start < outer.end && outer.start < m.secret.end
            };
            if matches.iter().any(same) || added.iter().any(same) {
                continue;
            }
            // A raw match that stands in for this rule (`supersedes`), as on raw text: a
            // service-account key file's escaped PEM is the service-account key.
            if matches.iter().any(|m| {
                engine.superseded_by(m.rule).contains(&found.rule)
                    && m.span.start < outer.end
                    && outer.start < m.span.end
            }) {
                continue;
            }
            // A generic rule's decoded match where a specific rule matched the raw text.
            let generic = rules[found.rule].def.generic;
            if generic
                && matches.iter().any(|m| {
                    !rules[m.rule].def.generic
                        && m.secret.start < outer.end
                        && outer.start < m.secret.end
                })
            {
                continue;
            }
            added.push(Match {
                rule: found.rule,
                span: outer_span.start.min(outer.start)..outer_span.end.max(outer.end),
                secret: outer,
                severity: found.severity,
                notes: found.notes,
                decoded: Some(Box::new(DecodedValue {
                    value,
                    layers: decodings.layers(item),
                })),
            });
        }
        if added.is_empty() {
            continue;
        }
        // A specific rule's decoded finding stands in for a generic rule's raw one on the same
        // encoded text (a Docker "auth" value holding a GitHub token), as on raw text.
        let is_specific =
            |m: &Match| rules[m.rule].def.kind == Kind::Secret && !rules[m.rule].def.generic;
        let specific: Vec<std::ops::Range<usize>> = added
            .iter()
            .filter(|m| is_specific(m))
            .map(|m| m.secret.clone())
            .collect();
        matches.retain(|m| {
            !(rules[m.rule].def.generic
                && specific
                    .iter()
                    .any(|s| s.start < m.secret.end && m.secret.start < s.end))
        });
        matches.extend(added);
        matches.sort_by_key(|m| (m.secret.start, m.rule));
    }
}

/// A value a rule found in a URL (a connection string's password) holding `%XX` is the decoded
/// value to the service: report, redact and fingerprint that, at the same span.
fn percent_decode_url_values(bytes: &[u8], per_place: &mut [Vec<Match>]) {
    for found in per_place.iter_mut().flatten() {
        let value = &bytes[found.secret.clone()];
        if found.decoded.is_some()
            || memchr::memchr(b'%', value).is_none()
            || memchr::memmem::find(&bytes[found.span.clone()], b"://").is_none()
        {
            continue;
        }
        if let Some(value) = decode::percent_decoded(value) {
            found.decoded = Some(Box::new(DecodedValue {
                value,
                layers: vec![decode::Layer::Percent],
            }));
        }
    }
}
