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

/// The authserv-id of an Authentication-Results value (RFC 8601: `authserv-id [version];
/// results`), or `None` when the header starts with a result (`spf=pass ...`, as Microsoft
/// writes it) or is empty.
pub fn authserv_id(value: &str) -> Option<String> {
    let first = value.split(';').next()?.split_whitespace().next()?;
    (!first.contains('=') && !first.is_empty()).then(|| first.to_string())
}

fn addresses(value: &[u8]) -> Vec<String> {
    crate::text::field(value)
        .split(',')
        .map(|v| v.trim().trim_matches(['<', '>']).to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Reads the hints from a message's header fields and envelope.
pub fn hints(fields: &[Field<'_>], envelope: &Envelope) -> TrustHints {
    use crate::message::envelope::EnvelopeSource as S;
    let mut recipients: Vec<String> = Vec::new();
    let mut header_evidence = Vec::new();
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
        } else if f.is("Authentication-Results")
            && let Some(id) = authserv_id(&crate::text::field(f.value))
        {
            header_evidence.push(HeaderEvidence {
                received_above,
                field: "Authentication-Results",
                authserv_id: Some(id),
                recipients: Vec::new(),
            });
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

#[cfg(test)]
mod tests {
    use super::authserv_id;

    #[test]
    fn authserv_ids_as_rfc_8601_writes_them() {
        assert_eq!(
            authserv_id("mx.google.com;\r\n dkim=pass").as_deref(),
            Some("mx.google.com")
        );
        assert_eq!(
            authserv_id("mail.example.org 1; spf=pass").as_deref(),
            Some("mail.example.org")
        );
        // Microsoft writes no authserv-id.
        assert_eq!(authserv_id("spf=pass (sender IP is 192.0.2.1)"), None);
        assert_eq!(authserv_id(""), None);
    }
}
