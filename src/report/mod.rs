//! The report: one JSON document per message, schema `hopsleuth/report/v1`.
//!
//! Field names here are a contract with pipelines: add fields, never rename or remove them.
//! Absent values of the documented fields are `null` (not missing), so consumers can rely on
//! every key being present.

pub mod html;
pub mod json;
pub mod markdown;
pub mod rows;
pub mod spamassassin;
pub mod text;
pub mod view;

use crate::chain::ChainSummary;
use crate::chain::hop::Hop;
use crate::message::envelope::Envelope;
use crate::message::headers::KeyHeaders;
use crate::rules::Finding;
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
    /// Sum of the path findings' scores (identity findings are scored in `identity`).
    pub score: f64,
    /// The path's verdict: `clean`, `suspicious` or `forged`.
    pub verdict: Verdict,
    /// Why the path got its verdict, in a sentence: the findings that decided it.
    pub verdict_basis: String,
    /// The sender's identity, judged apart from the path.
    pub identity: Identity,
    /// Authentication: every Authentication-Results field with who wrote it (`trusted` or
    /// `claimed`), and our own verification of DKIM, ARC, SPF and DMARC.
    pub authentication: crate::auth::section::Authentication,
    /// DNS: the mode (`live`, `replay`, `off`), the lookup cap and every answer used.
    pub dns: crate::dns::plan::DnsSection,
    /// The header block and SHA-256 of the message, kept only when
    /// [`crate::Options::keep_original`] asks (the HTML and Markdown reports show them). Not
    /// part of the JSON report.
    #[serde(skip)]
    pub original: Option<crate::message::original::Original>,
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

/// The overall judgement, made by the rules' verdict calculus.
pub use crate::rules::judgement::Verdict;

/// The sender's identity judged apart from the path: From against the envelope, Reply-To,
/// Message-ID, the Date header, a provider From that no provider hop carried. It never
/// changes the path's `verdict`.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    /// `clean`, `suspicious` or `forged`, by the same calculus as the path's.
    pub verdict: Verdict,
    /// Sum of the identity findings' scores.
    pub score: f64,
    /// Why, in a sentence.
    pub basis: String,
    /// Ids of the identity rules that fired, sorted and unique.
    pub rules: Vec<&'static str>,
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
