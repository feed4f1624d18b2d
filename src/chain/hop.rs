//! One hop of the chain, as the report shows it: what the receiver recorded of the sender
//! (reverse name, address), what the sender claimed (HELO), the receiving side, and the
//! clauses; made from a parsed Received header. Its `trust` is set by the trust walk.

use super::trust::HopTrust;
use crate::received::{IpSource, Kind, RdnsSource, Received, Status};
use crate::text;
use serde::Serialize;
use std::net::IpAddr;

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
    pub trust: Option<HopTrust>,
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
    /// The receiver marked the reverse name `(may be forged)`. Not written in reports (the
    /// hop's notes say it); the trust walk reads it.
    #[serde(skip)]
    pub rdns_may_be_forged: bool,
    /// Connecting IP the receiver recorded.
    pub ip: Option<IpAddr>,
    /// Where `ip` was read (`comment`, `bracket`, `from-literal`).
    pub ip_source: Option<IpSource>,
    /// Client port, when written.
    pub port: Option<u16>,
    /// IPv6 zone, when written.
    pub scope: Option<String>,
    /// Ident (RFC 1413) or local user.
    pub ident: Option<String>,
}

impl HopFrom {
    /// The recorded address as text, or `absent` when none was recorded (for messages).
    pub fn ip_or(&self, absent: &str) -> String {
        self.ip.map_or_else(|| absent.to_string(), text::ip_string)
    }
}

/// The receiving side of a hop.
#[derive(Debug, Clone, Serialize, Default)]
pub struct HopBy {
    /// The receiving host.
    pub host: Option<String>,
    /// An address the receiver wrote for itself.
    pub ip: Option<IpAddr>,
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

impl Hop {
    /// True for a final delivery into a mailbox: LMTP, or the HTTPS hand-off a provider's
    /// store writes (Exchange Online's `by <mailbox server> with HTTPS`). Nothing but the
    /// provider's own forwarding sends a message on from there.
    pub fn is_mailbox_delivery(&self) -> bool {
        let with = self.with.as_deref().unwrap_or("").to_ascii_uppercase();
        with.starts_with("LMTP")
            || (with == "HTTPS"
                && self
                    .by
                    .host
                    .as_deref()
                    .is_some_and(|b| crate::profiles::receiver_of(b).is_some()))
    }

    /// The reverse name the receiver recorded, unless it marked it `may be forged` (it
    /// did not forward-confirm it: the address owner's word, which names nobody).
    pub fn confirmed_rdns(&self) -> Option<&str> {
        self.from
            .rdns
            .as_deref()
            .filter(|_| !self.from.rdns_may_be_forged)
    }

    /// The name the client gave in HELO/EHLO: its first word (a HELO can carry more, and
    /// every check that compares names wants the name alone).
    pub fn helo_name(&self) -> Option<&str> {
        self.from
            .helo
            .as_deref()
            .and_then(|s| s.split_whitespace().next())
    }

    /// The hop a parsed Received header describes: `index` in chronological order,
    /// `header_index` its position in the message, `raw` the value as written. Its trust is
    /// set later, by the trust walk.
    pub fn from_received(index: usize, header_index: usize, raw: &[u8], r: &Received<'_>) -> Hop {
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
                rdns_may_be_forged: r.rdns_may_be_forged,
                ip: r.ip.map(|ip| ip.addr),
                ip_source: r.ip_source,
                port: r.ip.and_then(|ip| ip.port),
                scope: r.ip.and_then(|ip| ip.scope).map(text::field),
                ident: opt(r.ident),
            },
            by: HopBy {
                host: opt(r.by_host),
                ip: r.by_ip,
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
}

fn opt(b: Option<&[u8]>) -> Option<String> {
    b.map(text::field)
}
