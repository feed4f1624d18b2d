//! The model of one Received line: what the parser read, kept borrowed from the raw value.
//!
//! Every reader in this module fills a [`Received`]; the chain, the rules and the report
//! read it. Receiver-recorded facts (`ip`, `rdns`) and sender claims (`helo`) are separate
//! fields so that no consumer can mix them up.

use super::ip::WrittenIp;
use super::mta::Mta;
use crate::date::ParsedDate;
use std::net::IpAddr;

/// How a hop handed the message on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A network transfer (SMTP, ESMTP, LMTP, ...): a peer connected to the receiver.
    Smtp,
    /// A webmail or HTTP API submission: the peer is a browser or API client.
    Http,
    /// No network peer: local pickup, `with local`, qmail `invoked by uid`, fetchmail.
    Local,
}

impl Kind {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Smtp => "smtp",
            Kind::Http => "http",
            Kind::Local => "local",
        }
    }
}

/// How much of a header could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `by` host and date found.
    Full,
    /// Readable, but something expected is missing (see the reason).
    Partial,
    /// Nothing usable, or no `by` host on a network hop (see the reason).
    Unparsed,
}

impl Status {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Full => "full",
            Status::Partial => "partial",
            Status::Unparsed => "unparsed",
        }
    }
}

/// Where the recorded reverse-DNS name was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdnsSource {
    /// The name inside the receiver's TCP-info comment (Postfix, Sendmail, Courier, ...).
    Comment,
    /// The name after `from`, which Exim and qmail fill with the verified reverse name.
    FromName,
}

impl RdnsSource {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            RdnsSource::Comment => "comment",
            RdnsSource::FromName => "from-name",
        }
    }
}

/// Where the connecting IP was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpSource {
    /// A comment written by the receiver.
    Comment,
    /// A bracketed address after the `from` name (`from host [1.2.3.4]`, MDaemon, fetchmail).
    Bracket,
    /// The `from` value of a webmail hand-off, which names the HTTP client's address.
    FromLiteral,
}

impl IpSource {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            IpSource::Comment => "comment",
            IpSource::Bracket => "bracket",
            IpSource::FromLiteral => "from-literal",
        }
    }
}

/// TLS details stated or implied by a hop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tls<'a> {
    /// Protocol version as written (`TLSv1.3`, `TLS1_2`).
    pub version: Option<&'a [u8]>,
    /// Cipher as written.
    pub cipher: Option<&'a [u8]>,
    /// What told us: `using`, `with ESMTPS`, `version=`, `Exim tls`, ...
    pub evidence: &'static str,
}

/// Authenticated submission details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auth<'a> {
    /// The authenticated user, when written (`Authenticated sender: x`, `AUTH: LOGIN x`).
    pub user: Option<&'a [u8]>,
    /// What told us (`ESMTPA`, `Authenticated sender`, `authenticated bits=0`, ...).
    pub evidence: &'static str,
}

/// One parsed Received header. Byte fields borrow the raw value.
#[derive(Debug, Clone, Default)]
pub struct Received<'a> {
    /// The word after `from`, exactly as written.
    pub from_name: Option<&'a [u8]>,
    /// The name or address literal the sender claimed in HELO/EHLO/LHLO.
    pub helo: Option<&'a [u8]>,
    /// True when the HELO was written explicitly (`helo=`, `(HELO x)`), not inferred.
    pub helo_explicit: bool,
    /// Reverse-DNS name the receiver recorded.
    pub rdns: Option<&'a [u8]>,
    /// Where `rdns` came from.
    pub rdns_source: Option<RdnsSource>,
    /// The receiver wrote `unknown` (or similar) for the reverse name: it looked and found none.
    pub rdns_unknown: bool,
    /// The receiver marked the reverse name `(may be forged)`: it did not forward-confirm it.
    pub rdns_may_be_forged: bool,
    /// Connecting IP recorded by the receiver.
    pub ip: Option<WrittenIp<'a>>,
    /// Where `ip` came from.
    pub ip_source: Option<IpSource>,
    /// RFC 1413 ident or the local user named beside the address.
    pub ident: Option<&'a [u8]>,
    /// The receiving host after `by`.
    pub by_host: Option<&'a [u8]>,
    /// An address the receiver wrote for itself (`by host (10.1.1.2)`).
    pub by_ip: Option<IpAddr>,
    /// The comment after the `by` host (software and version, usually).
    pub by_comment: Option<&'a [u8]>,
    /// The `with` clause as written (may be several words).
    pub with: Option<&'a [u8]>,
    /// The protocol from the IANA mail transmission types (plus HTTP, IMAP, POP3, LOCAL).
    pub protocol: Option<&'static str>,
    /// The `via` clause.
    pub via: Option<&'a [u8]>,
    /// TLS, when stated or implied.
    pub tls: Option<Tls<'a>>,
    /// Authentication, when stated or implied.
    pub auth: Option<Auth<'a>>,
    /// Queue id.
    pub id: Option<&'a [u8]>,
    /// Recipient from the `for` clause.
    pub for_addr: Option<&'a [u8]>,
    /// Envelope sender stated in the header (`envelope-from <x>`).
    pub envelope_from: Option<&'a [u8]>,
    /// The date.
    pub date: Option<ParsedDate>,
    /// The date text as written (up to the end of the parsed date).
    pub date_text: Option<&'a [u8]>,
    /// The MTA family the line's format points to.
    pub mta: Option<Mta>,
    /// Network, HTTP or local hand-off.
    pub kind: Option<Kind>,
    /// How much was read.
    pub status: Option<Status>,
    /// Why the status is not `Full`.
    pub reason: Option<String>,
    /// Things a reader of the evidence should know (`may be forged`, ignored text, ...).
    pub notes: Vec<String>,
}

impl Received<'_> {
    /// Checks that every byte field is a slice of `input`, the value this was parsed from
    /// (the parser reads, never rewrites: evidence points at what was written). For the
    /// fuzz targets and property tests; `Err` names the first field that is not.
    pub fn check_borrowed(&self, input: &[u8]) -> Result<(), String> {
        let inside = |s: &[u8]| {
            let (start, end) = (
                input.as_ptr() as usize,
                input.as_ptr() as usize + input.len(),
            );
            let p = s.as_ptr() as usize;
            // An empty slice may point anywhere; it holds no bytes of its own.
            s.is_empty() || (p >= start && p + s.len() <= end)
        };
        let fields = [
            ("from_name", self.from_name),
            ("helo", self.helo),
            ("rdns", self.rdns),
            ("ident", self.ident),
            ("by_host", self.by_host),
            ("by_comment", self.by_comment),
            ("with", self.with),
            ("via", self.via),
            ("id", self.id),
            ("for_addr", self.for_addr),
            ("envelope_from", self.envelope_from),
            ("date_text", self.date_text),
            ("ip.scope", self.ip.as_ref().and_then(|i| i.scope)),
            ("tls.version", self.tls.as_ref().and_then(|t| t.version)),
            ("tls.cipher", self.tls.as_ref().and_then(|t| t.cipher)),
            ("auth.user", self.auth.as_ref().and_then(|a| a.user)),
        ];
        match fields.iter().find(|(_, f)| f.is_some_and(|f| !inside(f))) {
            Some((name, _)) => Err(format!("{name} is not a slice of the input")),
            None => Ok(()),
        }
    }
}
