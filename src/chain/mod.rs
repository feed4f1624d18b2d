//! Turning parsed Received headers (newest first, as written) into the chronological chain,
//! and judging it: trust boundary and continuity.

pub mod continuity;
pub mod netset;
pub mod trust;

use crate::received::{Kind, Received, Status};
use crate::report::{ChainSummary, Hop, HopAuth, HopBy, HopFrom, HopTls};
use crate::text;

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
        .map(|(index, (header_index, raw, r))| hop(index, *header_index, raw, r))
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

fn opt(b: Option<&[u8]>) -> Option<String> {
    b.map(text::field)
}

fn hop(index: usize, header_index: usize, raw: &[u8], r: &Received<'_>) -> Hop {
    let (raw_text, raw_lossy) = match std::str::from_utf8(raw) {
        Ok(s) => (s.trim().to_string(), false),
        Err(_) => (String::from_utf8_lossy(raw).trim().to_string(), true),
    };
    Hop {
        index,
        header_index,
        raw: raw_text,
        raw_lossy,
        kind: r.kind.unwrap_or(Kind::Smtp),
        parsed: r.status.unwrap_or(Status::Unparsed),
        trust: None,
        internal: false,
        msa: false,
        reason: r.reason.clone(),
        mta: r.mta.map(|m| m.name()),
        from: HopFrom {
            name: opt(r.from_name),
            helo: opt(r.helo),
            helo_explicit: r.helo_explicit,
            rdns: opt(r.rdns),
            rdns_source: r.rdns_source,
            rdns_unknown: r.rdns_unknown,
            ip: r.ip.map(|ip| text::ip_string(ip.addr)),
            ip_source: r.ip_source,
            port: r.ip.and_then(|ip| ip.port),
            scope: r.ip.and_then(|ip| ip.scope).map(text::field),
            ident: opt(r.ident),
        },
        by: HopBy {
            host: opt(r.by_host),
            ip: r.by_ip.map(text::ip_string),
            comment: opt(r.by_comment),
        },
        with: opt(r.with),
        protocol: r.protocol,
        via: opt(r.via),
        tls: r.tls.as_ref().map(|t| HopTls {
            version: opt(t.version),
            cipher: opt(t.cipher),
            evidence: t.evidence,
        }),
        auth: r.auth.as_ref().map(|a| HopAuth {
            user: opt(a.user),
            evidence: a.evidence,
        }),
        id: opt(r.id),
        for_addr: opt(r.for_addr),
        envelope_from: opt(r.envelope_from),
        date: r.date.map(|d| d.utc_rfc3339()),
        date_local: r.date.map(|d| d.local_rfc3339()),
        timestamp: r.date.map(|d| d.timestamp),
        delay_s: None,
        notes: r.notes.clone(),
    }
}
