//! Turning parsed Received headers (newest first, as written) into the chronological chain,
//! and judging it: trust boundary and continuity.

pub mod continuity;
pub mod hop;
pub mod netset;
pub mod trust;

use crate::received::{Received, Status};
use hop::Hop;
use serde::Serialize;

/// Builds hops in chronological order (origin first) from headers in header order
/// (topmost first), with signed delays between consecutive dated hops.
pub fn build(
    received: &[(usize, &[u8], Received<'_>)],
    skipped: usize,
) -> (Vec<Hop>, ChainSummary) {
    let mut hops: Vec<Hop> = received
        .iter()
        .rev()
        .enumerate()
        .map(|(index, (header_index, raw, r))| Hop::from_received(index, *header_index, raw, r))
        .collect();

    let mut previous: Option<i64> = None;
    for h in &mut hops {
        if let Some(ts) = h.timestamp {
            h.delay_s = previous.map(|p| ts - p);
            previous = Some(ts);
        }
    }
    let dated: Vec<i64> = hops.iter().filter_map(|h| h.timestamp).collect();
    let transit_s = match (dated.first(), dated.last()) {
        (Some(first), Some(last)) if dated.len() > 1 => Some(last - first),
        _ => None,
    };
    let summary = ChainSummary {
        hops: hops.len(),
        parsed_hops: hops.iter().filter(|h| h.parsed != Status::Unparsed).count(),
        transit_s,
        skipped_hops: skipped,
    };
    (hops, summary)
}

/// Chain-wide figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChainSummary {
    /// Number of hops.
    pub hops: usize,
    /// Hops whose header could be read field by field (`full` or `partial`).
    pub parsed_hops: usize,
    /// Seconds from the oldest to the newest dated hop; signed.
    pub transit_s: Option<i64>,
    /// Received headers beyond `max_hops` that were not parsed.
    pub skipped_hops: usize,
}
