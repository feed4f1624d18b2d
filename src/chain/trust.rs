//! The trust boundary: which hops were written by the recipient's own servers.
//!
//! Only those can be believed (RFC 5321 §4.4): walking down from the topmost header, a hop
//! is trusted while its *sender* is one of ours, because then the next header down was
//! written by a server of ours too. The first hop whose sender is not ours is the entry hop:
//! its fields were recorded by our server, but everything below it was written by whoever
//! sent the message.
//!
//! Configured trust follows SpamAssassin's `trusted_networks` / `internal_networks` /
//! `msa_networks` semantics, plus `trusted_hosts` names. Without configuration the boundary
//! is inferred (private and loopback senders, authenticated submission, senders whose
//! recorded reverse name is in a recipient's domain or the authserv-id's), and the report
//! says how.

use super::netset::NetSet;
use crate::chain::hop::Hop;
use crate::domain;
use crate::message::Field;
use crate::message::envelope::Envelope;
use crate::netclass;
use crate::received::Kind;
use serde::Serialize;
use std::net::IpAddr;

/// The trust configuration. `None` networks were not configured.
#[derive(Debug, Clone, Default)]
pub struct TrustConfig {
    /// Senders in these networks are ours (`--trusted-networks`).
    pub trusted_networks: Option<NetSet>,
    /// Senders in these networks are ours and inside the organisation (`--internal-networks`).
    pub internal_networks: Option<NetSet>,
    /// Mail submission agents: the hop from one makes every older hop inherit its trust.
    pub msa_networks: Option<NetSet>,
    /// Host names (or domains) of our own servers (`--trusted-hosts`).
    pub trusted_hosts: Vec<String>,
}

impl TrustConfig {
    /// True when anything was configured (otherwise the boundary is inferred).
    pub fn is_configured(&self) -> bool {
        self.trusted_networks.is_some()
            || self.internal_networks.is_some()
            || !self.trusted_hosts.is_empty()
    }
}

/// A hop's side of the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopTrust {
    /// Written by our server, from a sender of ours.
    Trusted,
    /// Written by our server, from a sender outside: the boundary.
    Entry,
    /// Written by the outside.
    Untrusted,
}

impl HopTrust {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            HopTrust::Trusted => "trusted",
            HopTrust::Entry => "entry",
            HopTrust::Untrusted => "untrusted",
        }
    }
}

/// Per-hop trust details beyond the side (SpamAssassin's `intl` and `msa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HopTrustDetail {
    /// The side.
    pub trust: HopTrust,
    /// Inside the organisation (internal networks).
    pub internal: bool,
    /// The sender is a configured mail submission agent.
    pub msa: bool,
}

/// The boundary as reported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrustReport {
    /// `configured` or `inferred`.
    pub method: &'static str,
    /// Index of the entry hop (chronological), `null` when every hop is trusted.
    pub entry_hop: Option<usize>,
    /// The host of ours that received the message from outside.
    pub boundary_host: Option<String>,
    /// Domains taken to be ours (inferred method).
    pub our_domains: Vec<String>,
    /// Why each decision was taken, hop by hop.
    pub basis: Vec<String>,
    /// Configuration entries that were ignored, with the reason.
    pub warnings: Vec<String>,
    /// The X-Originating-IP header's address and its side, when present.
    pub originating: Option<OriginatingTrust>,
}

/// One relay as the walk sees it: a hop, or the X-Originating-IP pseudo-relay (`hop: None`).
struct Relay<'a> {
    hop: Option<usize>,
    ip: Option<IpAddr>,
    auth: Option<&'static str>,
    rdns: Option<&'a str>,
    /// The claimed name, used only for hops that recorded no address.
    helo: Option<&'a str>,
    /// The sender is the receiving host itself (`from mailstore by mailstore with LMTP`).
    same_host: bool,
    peerless: bool,
}

impl Relay<'_> {
    /// The relay as the basis names it. Built only for the relays the walk explains (up to
    /// the boundary), not for every hop.
    fn describe(&self) -> String {
        // Pieces pushed one by one: the formatting machinery costs several times more, and
        // this runs for most hops of every message.
        let mut out = String::with_capacity(64);
        match self.hop {
            Some(i) => {
                out.push_str("hop ");
                out.push_str(itoa::Buffer::new().format(i));
                out.push_str(": sender ");
                out.push_str(self.rdns.or(self.helo).unwrap_or("?"));
                if let Some(ip) = self.ip {
                    out.push_str(" [");
                    out.push_str(&crate::text::ip_string(ip));
                    out.push(']');
                }
            }
            None => {
                out.push_str("X-Originating-IP");
                if let Some(ip) = self.ip {
                    out.push(' ');
                    out.push_str(&crate::text::ip_string(ip));
                }
            }
        }
        out
    }

    /// `describe`, then `tail`.
    fn describe_with(&self, tail: &str) -> String {
        let mut out = self.describe();
        out.push_str(tail);
        out
    }
}

fn relays(hops: &[Hop], originating: Option<IpAddr>) -> Vec<Relay<'_>> {
    let mut out: Vec<Relay> = (0..hops.len())
        .rev()
        .map(|i| {
            let h = &hops[i];
            let names = [h.from.rdns.as_deref(), h.from.helo.as_deref()];
            let same_host = h.by.host.as_deref().is_some_and(|by| {
                names
                    .into_iter()
                    .flatten()
                    .any(|n| domain::same_host(n, by))
            });
            Relay {
                hop: Some(i),
                ip: ip_of(h),
                auth: h.auth.as_ref().map(|a| a.evidence),
                rdns: h.from.rdns.as_deref(),
                helo: h.from.helo.as_deref(),
                same_host,
                peerless: is_peerless(h),
            }
        })
        .collect();
    if let Some(ip) = originating {
        out.push(Relay {
            hop: None,
            ip: Some(ip),
            auth: None,
            rdns: None,
            helo: None,
            same_host: false,
            peerless: false,
        });
    }
    out
}

/// What the inference may use besides the hops.
#[derive(Debug, Clone, Default)]
pub struct TrustHints {
    /// Envelope recipient addresses from trustworthy sources.
    pub recipients: Vec<String>,
    /// The authserv-id of the topmost Authentication-Results header.
    pub authserv_id: Option<String>,
    /// The X-Originating-IP a webmail provider recorded for its client: judged as the
    /// oldest relay, as SpamAssassin does.
    pub originating_ip: Option<IpAddr>,
}

/// The side of the X-Originating-IP address.
#[derive(Debug, Clone, Serialize)]
pub struct OriginatingTrust {
    /// The address.
    pub ip: String,
    /// `trusted` or `untrusted`.
    pub trust: HopTrust,
    /// Inside the organisation.
    pub internal: bool,
}

/// Walks the chain (hops in chronological order) and decides each hop's side.
pub fn walk(
    hops: &[Hop],
    config: &TrustConfig,
    hints: &TrustHints,
) -> (Vec<HopTrustDetail>, TrustReport) {
    if config.is_configured() {
        walk_configured(hops, config, hints.originating_ip)
    } else {
        let (details, mut report) = walk_inferred(hops, hints);
        if config.msa_networks.is_some() {
            // As in SpamAssassin: submission agents only mean something inside a trust path.
            report.warnings.push("msa_networks is ignored without trusted_networks, internal_networks or trusted_hosts".into());
        }
        (details, report)
    }
}

fn ip_of(h: &Hop) -> Option<IpAddr> {
    h.from.ip
}

/// A hop that hands over without a network peer keeps the state it finds.
fn is_peerless(h: &Hop) -> bool {
    h.kind == Kind::Local && h.from.ip.is_none()
}

struct Walker {
    details: Vec<HopTrustDetail>,
    report: TrustReport,
    in_trusted: bool,
    in_internal: bool,
    frozen: bool,
}

impl Walker {
    fn new(n: usize, method: &'static str) -> Walker {
        Walker {
            details: vec![
                HopTrustDetail {
                    trust: HopTrust::Untrusted,
                    internal: false,
                    msa: false
                };
                n
            ],
            report: TrustReport {
                method,
                ..TrustReport::default()
            },
            in_trusted: true,
            in_internal: true,
            frozen: false,
        }
    }

    fn assign(&mut self, r: &Relay, msa: bool) {
        let trust = if self.in_trusted {
            HopTrust::Trusted
        } else {
            HopTrust::Untrusted
        };
        let internal = self.in_internal && self.in_trusted;
        match r.hop {
            Some(i) => {
                self.details[i] = HopTrustDetail {
                    trust,
                    internal,
                    msa,
                }
            }
            None => {
                let ip = r.ip.map(|ip| ip.to_string()).unwrap_or_default();
                self.report.originating = Some(OriginatingTrust {
                    ip,
                    trust,
                    internal,
                });
            }
        }
    }

    /// The first relay whose sender is not ours: the entry hop (or, for the
    /// X-Originating-IP pseudo-relay, simply untrusted).
    fn enter(&mut self, r: &Relay, hops: &[Hop], why: String) {
        self.in_trusted = false;
        self.in_internal = false;
        self.report.basis.push(why);
        match r.hop {
            Some(i) => {
                self.details[i] = HopTrustDetail {
                    trust: HopTrust::Entry,
                    internal: false,
                    msa: false,
                };
                self.report.entry_hop = Some(i);
                self.report.boundary_host = hops[i].by.host.clone();
            }
            None => self.assign(r, false),
        }
    }
}

fn walk_configured(
    hops: &[Hop],
    config: &TrustConfig,
    originating: Option<IpAddr>,
) -> (Vec<HopTrustDetail>, TrustReport) {
    let mut w = Walker::new(hops.len(), "configured");
    // Loopback is always ours; a list configured alone stands for the other.
    let mut trusted = NetSet::loopback();
    let mut internal = NetSet::loopback();
    match (&config.trusted_networks, &config.internal_networks) {
        (Some(t), Some(i)) => {
            trusted.extend(t);
            internal.extend(i);
        }
        (Some(t), None) => {
            trusted.extend(t);
            internal.extend(t);
        }
        (None, Some(i)) => {
            trusted.extend(i);
            internal.extend(i);
        }
        (None, None) => {}
    }
    let mut msa = config.msa_networks.clone().unwrap_or_default();
    if config.trusted_networks.is_some() && config.internal_networks.is_some() {
        for net in internal.retain_within(&trusted) {
            w.report.warnings.push(format!(
                "internal network {net} is not within trusted_networks; ignored"
            ));
        }
    }
    if config.msa_networks.is_some()
        && (config.trusted_networks.is_some() || config.internal_networks.is_some())
    {
        for net in msa.retain_within(&trusted) {
            w.report.warnings.push(format!(
                "msa network {net} is not within trusted_networks; ignored"
            ));
        }
    }
    for list in [
        &config.trusted_networks,
        &config.internal_networks,
        &config.msa_networks,
    ]
    .into_iter()
    .flatten()
    {
        for s in &list.shadowed {
            w.report.warnings.push(format!(
                "network entry {s} is covered by an earlier entry and can never match"
            ));
        }
    }

    for r in relays(hops, originating) {
        if r.peerless {
            w.assign(&r, false);
            continue;
        }
        let mut is_msa = false;
        if w.in_trusted && !w.frozen {
            let by_net = r.ip.is_some_and(|ip| trusted.contains(ip));
            let by_host = r.rdns.is_some_and(|rdns| {
                config
                    .trusted_hosts
                    .iter()
                    .any(|t| domain::same_host(rdns, t) || domain::within(rdns, t))
            });
            if !(r.auth.is_some() || by_net || by_host) {
                let why = r.describe_with(" is not in trusted_networks or trusted_hosts: outside");
                w.enter(&r, hops, why);
                continue;
            }
            let reason = if by_net {
                "in trusted_networks"
            } else if by_host {
                "in trusted_hosts"
            } else {
                "authenticated"
            };
            w.report
                .basis
                .push(r.describe_with(&[" is ", reason].concat()));
            if w.in_internal && r.auth.is_none() && !r.ip.is_some_and(|ip| internal.contains(ip)) {
                w.in_internal = false;
            }
            if r.ip.is_some_and(|ip| msa.contains(ip)) {
                is_msa = true;
                w.frozen = true;
                w.report.basis.push(
                    r.describe_with(" is a mail submission agent: older relays keep its trust"),
                );
            }
        }
        w.assign(&r, is_msa);
    }
    (w.details, w.report)
}

fn walk_inferred(hops: &[Hop], hints: &TrustHints) -> (Vec<HopTrustDetail>, TrustReport) {
    let mut w = Walker::new(hops.len(), "inferred");
    let mut ours: Vec<(String, String)> = Vec::new(); // (domain, why)
    // The domains already in `ours`, hashed: a list of 270,000 recipient domains is one
    // pass, not a search of `ours` per recipient.
    let mut seen: crate::small_map::SmallMap<String, usize> = crate::small_map::SmallMap::new();
    for r in &hints.recipients {
        if let Some(d) = crate::message::headers::domain_of(r).and_then(|d| domain::registrable(&d))
            && !seen.contains_key(&d)
        {
            seen.insert_new(d.clone(), ours.len());
            ours.push((d, format!("recipient {r}")));
        }
    }
    if let Some(id) = &hints.authserv_id
        && let Some(d) = domain::registrable(id)
        && !seen.contains_key(&d)
    {
        seen.insert_new(d.clone(), ours.len());
        ours.push((
            d,
            format!("authserv-id {id} of the topmost Authentication-Results"),
        ));
    }
    w.report.our_domains = ours.iter().map(|(d, _)| d.clone()).collect();
    let our_domain = |host: &str| -> Option<&(String, String)> {
        let d = domain::registrable(host)?;
        seen.get(&d).and_then(|&i| ours.get(i))
    };

    for r in relays(hops, hints.originating_ip) {
        if r.peerless || !w.in_trusted {
            w.assign(&r, false);
            continue;
        }
        let why = if let Some(ip) = r.ip.filter(|ip| netclass::is_internal_range(*ip)) {
            Some(
                r.describe_with(
                    &[
                        " is a ",
                        netclass::special_class(ip).unwrap_or("private"),
                        " address",
                    ]
                    .concat(),
                ),
            )
        } else if let Some(a) = r.auth {
            Some(format!(
                "{} submitted with authentication ({a})",
                r.describe()
            ))
        } else if let Some((d, source)) = r.rdns.and_then(our_domain) {
            Some(format!(
                "{} has its reverse name in {d}, the domain of {source}",
                r.describe()
            ))
        } else if r.ip.is_none() && r.same_host {
            Some(r.describe_with(" is the receiving host itself (an internal hand-off)"))
        } else if let Some((d, source)) =
            r.ip.is_none()
                .then_some(())
                .and(r.helo)
                .and_then(our_domain)
        {
            Some(format!(
                "{} recorded no address and names itself in {d}, the domain of {source}",
                r.describe()
            ))
        } else {
            None
        };
        match why {
            Some(why) => {
                w.report.basis.push(why);
                w.assign(&r, false);
            }
            None => {
                let why = r.describe_with(" is outside");
                w.enter(&r, hops, why);
            }
        }
    }
    if w.report.our_domains.is_empty() {
        w.report.basis.push("no recipient domain or authserv-id found: only private, loopback and authenticated senders were taken as ours".into());
    }
    (w.details, w.report)
}
/// What the trust inference may use: trustworthy recipients, the topmost
/// Authentication-Results' authserv-id, and X-Originating-IP.
///
/// A recipient header counts only when it sits above every Received line: delivery agents
/// prepend Delivered-To and its kin, while whatever the sender wrote lies below the trace
/// our servers added. Otherwise a forger could add `Delivered-To: x@evil.example` and have
/// his own relays taken for ours.
pub fn hints(fields: &[Field<'_>], envelope: &Envelope) -> TrustHints {
    use crate::message::envelope::EnvelopeSource as S;
    let first_received = fields
        .iter()
        .position(|f| f.is("Received"))
        .unwrap_or(fields.len());
    let mut recipients: Vec<String> = Vec::new();
    for f in &fields[..first_received] {
        if f.is("Delivered-To") || f.is("X-Original-To") || f.is("Envelope-To") {
            recipients.extend(
                crate::text::field(f.value)
                    .split(',')
                    .map(|v| v.trim().trim_matches(['<', '>']).to_string()),
            );
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
    let authserv_id = fields
        .iter()
        .find(|f| f.is("Authentication-Results"))
        .and_then(|f| {
            let v = crate::text::field(f.value);
            let id = v.split(';').next()?.split_whitespace().next()?.to_string();
            (!id.is_empty()).then_some(id)
        });
    let originating_ip = fields
        .iter()
        .find(|f| f.is("X-Originating-IP"))
        .and_then(|f| {
            crate::received::parse_written_ip(crate::text::field(f.value).trim().as_bytes())
                .map(|w| w.addr)
        });
    TrustHints {
        recipients,
        authserv_id,
        originating_ip,
    }
}
