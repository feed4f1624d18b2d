//! The report: one JSON document per message, schema `hopsleuth/report/v1`.
//!
//! Field names here are a contract with pipelines: add fields, never rename or remove them.
//! Absent values of the documented fields are `null` (not missing), so consumers can rely on
//! every key being present.

pub mod json;
pub mod spamassassin;
pub mod text;

use crate::message::envelope::Envelope;
use crate::message::headers::KeyHeaders;
use crate::received::{IpSource, Kind, RdnsSource, Status};
use serde::Serialize;

/// The schema identifier written in every report.
pub const SCHEMA: &str = "hopsleuth/report/v1";

/// The analysis of one message.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Where the message came from.
    pub source: Source,
    /// Facts about the message's layout.
    pub message: crate::message::MessageInfo,
    /// The envelope as far as the message (or the command line) shows it.
    pub envelope: Envelope,
    /// Key headers, decoded.
    pub headers: KeyHeaders,
    /// Received hops in chronological order: index 0 is the origin.
    pub hops: Vec<Hop>,
    /// Chain-wide figures.
    pub chain: ChainSummary,
    /// The trust boundary: which hops our own servers wrote, and how that was decided.
    pub trust: crate::chain::trust::TrustReport,
    /// Continuity of each pair of consecutive hops.
    pub links: Vec<crate::chain::continuity::Link>,
    /// What the checks found, ordered by hop then rule id.
    pub findings: Vec<Finding>,
    /// Sum of the findings' scores.
    pub score: f64,
    /// `clean`, `suspicious` or `forged`.
    pub verdict: Verdict,
    /// DNS: the mode (`live`, `replay`, `off`), the lookup cap and every answer used.
    pub dns: crate::dns::plan::DnsSection,
}

/// Where a message came from.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Source {
    /// The file path, or `-` for standard input.
    pub path: String,
    /// Index of the message inside a mailbox file (0 = first); `null` for a single message.
    pub index: Option<usize>,
    /// Byte offset of the message inside a mailbox file.
    pub offset: Option<u64>,
}

/// One Received hop.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// Position in chronological order (0 = origin).
    pub index: usize,
    /// Position of the header in the message (0 = topmost).
    pub header_index: usize,
    /// The header value exactly as written (folding kept), lossily decoded if not UTF-8.
    pub raw: String,
    /// True when `raw` was not valid UTF-8.
    pub raw_lossy: bool,
    /// `smtp`, `http` or `local`.
    pub kind: Kind,
    /// `full`, `partial` or `unparsed`.
    pub parsed: Status,
    /// `trusted` (written by our server from a sender of ours), `entry` (written by our
    /// server from an outside sender) or `untrusted` (written by the outside).
    pub trust: Option<crate::chain::trust::HopTrust>,
    /// Trusted and inside the organisation (internal networks; SpamAssassin's `intl`).
    pub internal: bool,
    /// The sender is a configured mail submission agent (SpamAssassin's `msa`).
    pub msa: bool,
    /// Why `parsed` is not `full`.
    pub reason: Option<String>,
    /// The MTA family whose format the line has, when recognisable.
    pub mta: Option<&'static str>,
    /// The sending side, as the receiver recorded it.
    pub from: HopFrom,
    /// The receiving side.
    pub by: HopBy,
    /// The `with` clause as written.
    pub with: Option<String>,
    /// The normalised protocol (ESMTPS, SMTP, HTTP, LOCAL, ...).
    pub protocol: Option<&'static str>,
    /// The `via` clause.
    pub via: Option<String>,
    /// TLS details, when stated or implied.
    pub tls: Option<HopTls>,
    /// Authentication, when stated or implied.
    pub auth: Option<HopAuth>,
    /// Queue id.
    pub id: Option<String>,
    /// Recipient from the `for` clause.
    #[serde(rename = "for")]
    pub for_addr: Option<String>,
    /// Envelope sender stated in the line.
    pub envelope_from: Option<String>,
    /// The date in RFC 3339 UTC.
    pub date: Option<String>,
    /// The date in RFC 3339 with the offset the MTA wrote.
    pub date_local: Option<String>,
    /// The date as Unix seconds.
    pub timestamp: Option<i64>,
    /// Seconds since the previous dated hop; signed (negative = time ran backwards).
    pub delay_s: Option<i64>,
    /// Parser remarks useful as evidence.
    pub notes: Vec<String>,
}

/// The sending side of a hop.
#[derive(Debug, Clone, Serialize, Default)]
pub struct HopFrom {
    /// The word after `from`, as written.
    pub name: Option<String>,
    /// The name or address literal the client claimed in HELO/EHLO.
    pub helo: Option<String>,
    /// True when the HELO was written explicitly (`helo=`, `(HELO x)`).
    pub helo_explicit: bool,
    /// Reverse-DNS name the receiver recorded.
    pub rdns: Option<String>,
    /// Where `rdns` was read (`comment` or `from-name`).
    pub rdns_source: Option<RdnsSource>,
    /// True when the receiver recorded the reverse name as unknown.
    pub rdns_unknown: bool,
    /// Connecting IP the receiver recorded.
    pub ip: Option<String>,
    /// Where `ip` was read (`comment`, `bracket`, `from-literal`).
    pub ip_source: Option<IpSource>,
    /// Client port, when written.
    pub port: Option<u16>,
    /// IPv6 zone, when written.
    pub scope: Option<String>,
    /// Ident (RFC 1413) or local user.
    pub ident: Option<String>,
}

/// The receiving side of a hop.
#[derive(Debug, Clone, Serialize, Default)]
pub struct HopBy {
    /// The receiving host.
    pub host: Option<String>,
    /// An address the receiver wrote for itself.
    pub ip: Option<String>,
    /// The comment after the host (software and version).
    pub comment: Option<String>,
}

/// TLS details.
#[derive(Debug, Clone, Serialize)]
pub struct HopTls {
    /// Version as written.
    pub version: Option<String>,
    /// Cipher as written.
    pub cipher: Option<String>,
    /// What said so (`using`, `version=`, `with-protocol`, ...).
    pub evidence: &'static str,
}

/// Authentication details.
#[derive(Debug, Clone, Serialize)]
pub struct HopAuth {
    /// The authenticated user, when written.
    pub user: Option<String>,
    /// What said so.
    pub evidence: &'static str,
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

/// One thing a check found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// Stable rule id (e.g. `LIMIT001`).
    pub rule: &'static str,
    /// The rule's name.
    pub name: &'static str,
    /// Score contributed.
    pub score: f64,
    /// Hop indexes (chronological) the finding concerns.
    pub hops: Vec<usize>,
    /// A sentence a person understands.
    pub message: String,
    /// The exact values compared.
    pub evidence: serde_json::Value,
}

/// The overall judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing, or only weak signals.
    Clean,
    /// Some evidence of forgery or misconfiguration.
    Suspicious,
    /// Strong evidence that the path was forged.
    Forged,
}

impl Verdict {
    /// The verdict as it is written in reports (`clean`, `suspicious`, `forged`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Forged => "forged",
        }
    }
}

impl Report {
    /// Ids of the rules that fired with a score above zero, sorted and unique.
    pub fn scored_rules(&self) -> Vec<&'static str> {
        let mut rules: Vec<&'static str> = self
            .findings
            .iter()
            .filter(|f| f.score > 0.0)
            .map(|f| f.rule)
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    /// The value of the `X-Hopsleuth` header for mail filters:
    /// `verdict=forged score=7.5 rules=CHAIN003,CHAIN005`. Built only from our own values
    /// (verdict, score, rule ids), never from header text, so it cannot carry a line break.
    pub fn filter_header_value(&self) -> String {
        let verdict = self.verdict.as_str();
        let rules = self.scored_rules();
        let rules = if rules.is_empty() {
            "none".to_string()
        } else {
            rules.join(",")
        };
        format!("verdict={verdict} score={:.1} rules={rules}", self.score)
    }

    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(16 * 1024);
        self.write_json(&mut out);
        // Every piece written is a `str` or ASCII, so this never replaces anything.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// The report as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
