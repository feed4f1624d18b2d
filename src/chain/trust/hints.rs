//! What the trust walk may use besides the hops: recipients, authserv-ids and
//! X-Originating-IP, each with where in the header it sits.
//!
//! A header counts only where our servers wrote it. Delivery agents prepend Delivered-To
//! and its kin and receivers prepend Authentication-Results, while whatever the sender
//! wrote lies below the trace our servers added. So each piece of header evidence keeps the
//! number of Received headers above it, and the walk uses it only once the Received header
//! below it is known to be ours. Otherwise a forger could add `Delivered-To:
//! x@evil.example` or `Authentication-Results: evil.example; ...` among his own headers and
//! have his relays taken for ours.

use crate::message::Field;
use crate::message::envelope::Envelope;
use crate::message::headers::AuthResults;
use std::net::IpAddr;

/// What the inference may use besides the hops.
#[derive(Debug, Clone, Default)]
pub struct TrustHints {
    /// Envelope recipient addresses from trustworthy sources: recipient headers above the
    /// whole trace, the topmost Received's `for`, the command line.
    pub recipients: Vec<String>,
    /// Recipient and Authentication-Results headers, with their positions.
    pub header_evidence: Vec<HeaderEvidence>,
    /// The X-Originating-IP a webmail provider recorded for its client: judged as the
    /// oldest relay, as SpamAssassin does.
    pub originating_ip: Option<IpAddr>,
}

/// One header that may name our domains.
#[derive(Debug, Clone, Default)]
pub struct HeaderEvidence {
    /// How many Received headers sit above it (0: above the whole trace).
    pub received_above: usize,
    /// The field's name.
    pub field: &'static str,
    /// The authserv-id of an Authentication-Results header.
    pub authserv_id: Option<String>,
    /// The addresses of a Delivered-To, X-Original-To or Envelope-To header.
    pub recipients: Vec<String>,
}

impl HeaderEvidence {
    /// Where the header sits, as the basis says it.
    pub(super) fn place(&self) -> String {
        if self.received_above == 0 {
            format!("the {} header above the trace", self.field)
        } else {
            format!(
                "the {} header below Received header {} (ours)",
                self.field,
                self.received_above - 1
            )
        }
    }
}

fn addresses(value: &[u8]) -> Vec<String> {
    crate::text::field(value)
        .split(',')
        .map(|v| v.trim().trim_matches(['<', '>']).to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Reads the hints from a message's header fields, its Authentication-Results (as the
/// message's key headers hold them, each with the Received fields above it) and envelope.
pub fn hints(
    fields: &[Field<'_>],
    authentication_results: &[AuthResults],
    envelope: &Envelope,
) -> TrustHints {
    use crate::message::envelope::EnvelopeSource as S;
    let mut recipients: Vec<String> = Vec::new();
    let mut header_evidence = Vec::new();
    let mut results = authentication_results.iter();
    let mut received_above = 0;
    for f in fields {
        if f.is("Received") {
            received_above += 1;
        } else if let Some(&field) = ["Delivered-To", "X-Original-To", "Envelope-To"]
            .iter()
            .find(|n| f.is(n))
        {
            let list = addresses(f.value);
            if received_above == 0 {
                recipients.extend(list.iter().cloned());
            }
            header_evidence.push(HeaderEvidence {
                received_above,
                field,
                authserv_id: None,
                recipients: list,
            });
        } else if f.is("Authentication-Results") {
            // The key headers read these fields in the same order: the next one is this.
            if let Some(id) = results.next().and_then(AuthResults::authserv_id) {
                header_evidence.push(HeaderEvidence {
                    received_above,
                    field: "Authentication-Results",
                    authserv_id: Some(id.to_string()),
                    recipients: Vec::new(),
                });
            }
        }
    }
    recipients.extend(
        envelope
            .rcpt_to
            .iter()
            .filter(|r| {
                r.source == S::Cli || (r.source == S::ReceivedFor && r.header_index == Some(0))
            })
            .map(|r| r.value.clone()),
    );
    recipients.retain(|r| !r.is_empty());
    let originating_ip = fields
        .iter()
        .find(|f| f.is("X-Originating-IP"))
        .and_then(|f| {
            crate::received::parse_written_ip(crate::text::field(f.value).trim().as_bytes())
                .map(|w| w.addr)
        });
    TrustHints {
        recipients,
        header_evidence,
        originating_ip,
    }
}
