//! hopsleuth: email header forensics.
//!
//! Give it a message, get back a [`Report`]: the envelope, the key headers and the Received
//! chain rebuilt hop by hop in chronological order, with the findings of the checks, a score
//! and a verdict. The library never prints and never touches the network.
//!
//! ```
//! let msg = b"Received: from a.example (a.example [192.0.2.1]) by mx.b.example (Postfix) \
//! with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000 (UTC)\nFrom: x@a.example\n\nhi\n";
//! let report = hopsleuth::analyze(msg, &hopsleuth::Options::default()).unwrap();
//! assert_eq!(report.hops[0].from.ip.as_deref(), Some("192.0.2.1"));
//! assert_eq!(report.hops[0].by.host.as_deref(), Some("mx.b.example"));
//! ```
#![deny(missing_docs)]

pub mod chain;
pub mod cli;
pub mod config;
pub mod date;
pub mod limits;
pub mod mbox;
pub mod message;
pub mod received;
pub mod report;
pub mod text;

pub use limits::Limits;
pub use message::envelope::EnvelopeOverride;
pub use report::{Finding, Report, Source, Verdict};

use report::{MessageInfo, SCHEMA};
use serde_json::json;

/// What the analysis is allowed to do and told in advance.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Bounds on parsing.
    pub limits: Limits,
    /// Envelope values given by the caller (they win over the message's own).
    pub envelope: EnvelopeOverride,
}

/// Why a message could not be analysed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalyzeError {
    /// The input is not a mail message, or is over the limits.
    #[error(transparent)]
    NotMail(#[from] message::SplitError),
}

/// Analyses one message. The source in the report is `-`; set it with [`Report::source`].
pub fn analyze(input: &[u8], options: &Options) -> Result<Report, AnalyzeError> {
    let limits = &options.limits;
    let split = message::split(input, limits)?;
    let received_fields: Vec<&message::Field<'_>> =
        split.fields.iter().filter(|f| f.is("Received")).collect();
    let skipped = received_fields.len().saturating_sub(limits.max_hops);
    let parsed: Vec<(usize, &[u8], received::Received<'_>)> = received_fields
        .iter()
        .take(limits.max_hops)
        .enumerate()
        .map(|(i, f)| (i, f.value, received::parse(f.value, limits)))
        .collect();
    let in_header_order: Vec<received::Received<'_>> =
        parsed.iter().map(|(_, _, r)| r.clone()).collect();
    let envelope = message::envelope::envelope(
        &split.fields,
        &in_header_order,
        split.mbox_from,
        &options.envelope,
    );
    let headers = message::headers::key_headers(&split.fields);
    let (hops, summary) = chain::build(&parsed, skipped);

    let mut findings = Vec::new();
    if skipped > 0 {
        findings.push(Finding {
            rule: "LIMIT001",
            name: "too-many-received-headers",
            score: 1.0,
            hops: Vec::new(),
            message: format!(
                "The message has {} Received headers; only the topmost {} were parsed and the \
                 {skipped} below them were not (limit max_hops).",
                received_fields.len(),
                limits.max_hops
            ),
            evidence: json!({"received_headers": received_fields.len(), "max_hops": limits.max_hops, "skipped": skipped}),
        });
    }
    let lossy = split
        .fields
        .iter()
        .any(|f| std::str::from_utf8(f.raw).is_err());
    let score = findings.iter().fold(0.0, |total, f| total + f.score);
    Ok(Report {
        schema: SCHEMA,
        source: Source {
            path: "-".into(),
            index: None,
            offset: None,
        },
        message: MessageInfo {
            header_bytes: split.header_bytes,
            header_count: split.fields.len(),
            received_count: received_fields.len(),
            body_offset: split.body_offset,
            body_length: split.body_len,
            line_endings: split.line_endings,
            no_separator: split.no_separator,
            lossy,
        },
        envelope,
        headers,
        hops,
        chain: summary,
        findings,
        score,
        verdict: verdict_for(score),
    })
}

/// Default verdict bands: below 3 clean, below 6 suspicious, otherwise forged.
pub fn verdict_for(score: f64) -> Verdict {
    if score >= 6.0 {
        Verdict::Forged
    } else if score >= 3.0 {
        Verdict::Suspicious
    } else {
        Verdict::Clean
    }
}
