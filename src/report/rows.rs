//! Flat rows for SQL engines (`scan --emit findings`, `scan --emit hops`): one NDJSON row
//! per finding or per hop, each carrying its message's source and verdict, so DuckDB and
//! ClickHouse read them as tables without unnesting arrays. `schema/duckdb.sql` and
//! `schema/clickhouse.sql` define the tables; the README's schema section the fields.

use super::{Report, view};
use serde::Serialize;

/// One finding of one message.
#[derive(Debug, Serialize)]
pub struct FindingRow<'a> {
    /// The message's file (`-` for standard input).
    pub source: &'a str,
    /// The message's index in its mailbox, `null` for a single message.
    pub message_index: Option<usize>,
    /// The message's path verdict.
    pub verdict: &'static str,
    /// The rule's id.
    pub rule: &'static str,
    /// The rule's name.
    pub name: &'static str,
    /// `proof`, `strong`, `weak` or `info`.
    pub strength: &'static str,
    /// `path` or `identity`.
    pub concern: &'static str,
    /// The score the finding contributed.
    pub score: f64,
    /// The first (oldest) hop it concerns, `null` when it names none.
    pub hop: Option<usize>,
    /// Every hop it concerns.
    pub hops: &'a [usize],
    /// The sentence.
    pub message: &'a str,
}

/// One hop of one message.
#[derive(Debug, Serialize)]
pub struct HopRow<'a> {
    /// The message's file.
    pub source: &'a str,
    /// The message's index in its mailbox.
    pub message_index: Option<usize>,
    /// The message's path verdict.
    pub verdict: &'static str,
    /// The message's path score.
    pub score: f64,
    /// The hop, chronological (0 = the oldest).
    pub hop: usize,
    /// `ours`, `entry` or `outside`.
    pub trust: &'static str,
    /// The HELO the client claimed.
    pub helo: Option<&'a str>,
    /// The reverse name the receiver recorded.
    pub rdns: Option<&'a str>,
    /// The client's address the receiver recorded.
    pub ip: Option<String>,
    /// The receiving host.
    pub by: Option<&'a str>,
    /// The protocol (`ESMTPS`, ...), as normalised, else as written.
    pub protocol: Option<String>,
    /// TLS was stated or implied.
    pub tls: bool,
    /// SMTP authentication was stated.
    pub auth: bool,
    /// The time, RFC 3339 UTC.
    pub date: Option<&'a str>,
    /// Unix seconds.
    pub timestamp: Option<i64>,
    /// Seconds since the hop before.
    pub delay_s: Option<i64>,
    /// Rule ids of the findings on this hop, sorted and unique.
    pub rules: Vec<&'static str>,
}

/// Writes one NDJSON row per finding.
pub fn write_findings(report: &Report, out: &mut Vec<u8>) {
    for f in &report.findings {
        let row = FindingRow {
            source: &report.source.path,
            message_index: report.source.index,
            verdict: report.verdict.as_str(),
            rule: f.rule,
            name: f.name,
            strength: f.strength.as_str(),
            concern: f.concern.as_str(),
            score: f.score,
            hop: f.hops.iter().min().copied(),
            hops: &f.hops,
            message: &f.message,
        };
        line(&row, out);
    }
}

/// Writes one NDJSON row per hop.
pub fn write_hops(report: &Report, out: &mut Vec<u8>) {
    for h in &report.hops {
        let s = view::sender(h);
        let mut rules: Vec<&'static str> = report
            .findings
            .iter()
            .filter(|f| f.hops.contains(&h.index))
            .map(|f| f.rule)
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let row = HopRow {
            source: &report.source.path,
            message_index: report.source.index,
            verdict: report.verdict.as_str(),
            score: report.score,
            hop: h.index,
            trust: view::trust_name(h),
            helo: s.helo,
            rdns: s.rdns,
            ip: s.ip,
            by: h.by.host.as_deref(),
            protocol: view::protocol(h),
            tls: h.tls.is_some(),
            auth: h.auth.is_some(),
            date: h.date.as_deref(),
            timestamp: h.timestamp,
            delay_s: h.delay_s,
            rules,
        };
        line(&row, out);
    }
}

fn line(row: &impl Serialize, out: &mut Vec<u8>) {
    // A row of strings and numbers: serialising into memory cannot fail.
    if serde_json::to_writer(&mut *out, row).is_ok() {
        out.push(b'\n');
    }
}
