//! The trust boundary: which hops were written by the recipient's own servers.
//!
//! Only those can be believed (RFC 5321 §4.4): walking down from the topmost header, a hop
//! is trusted while its *sender* is one of ours, because then the next header down was
//! written by a server of ours too. The first hop whose sender is not ours is the entry hop:
//! its fields were recorded by our server, but everything below it was written by whoever
//! sent the message. So nothing below the entry can move the boundary: the walk never
//! reads it.
//!
//! Three sources say which senders are ours, in this order for each hop:
//! - a provider profile (`hosted.rs`), when the mailbox is hosted by a provider whose
//!   servers wrote the top of the trace (Microsoft 365, Gmail, ...): the provider's internal
//!   senders are ours and its frontend's client is the entry;
//! - the configuration (`configured.rs`), SpamAssassin's `trusted_networks` /
//!   `internal_networks` / `msa_networks` semantics plus `trusted_hosts` names;
//! - without configuration, inference (`inferred.rs`): private and loopback senders,
//!   authenticated submission as the receiver recorded it, senders whose recorded reverse
//!   name is in a recipient's domain or the authserv-id's (never one the receiver marked
//!   `may be forged`), read from headers that our servers wrote (`hints.rs`).
//!
//! In every method a hop our server wrote with no peer address (LMTP from itself, local
//! delivery, a provider's internal `by`-only line) is a hand-off inside our servers.

mod configured;
mod hints;
mod hosted;
mod inferred;

pub use hints::{HeaderEvidence, TrustHints, hints};
pub use hosted::Hosting;

use super::netset::NetSet;
use crate::chain::hop::Hop;
use crate::domain;
use crate::received::{Kind, Status};
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
    /// The authserv-ids our servers write in Authentication-Results (`[trust]
    /// authserv_ids`): when set, a result above the boundary is ours only with one of them.
    pub authserv_ids: Vec<String>,
    /// ARC sealers whose ARC-Authentication-Results are believed when the chain verifies
    /// (`[trust] arc_trusted_sealers`, as SpamAssassin's `arc_trusted_sealers`).
    pub arc_trusted_sealers: Vec<String>,
}

impl TrustConfig {
    /// True when anything was configured (otherwise the boundary is inferred).
    pub fn is_configured(&self) -> bool {
        self.trusted_networks.is_some()
            || self.internal_networks.is_some()
            || !self.trusted_hosts.is_empty()
    }

    /// True when `host` is named by `trusted_hosts` (the host itself or a domain above it).
    fn names_host(&self, host: &str) -> bool {
        self.trusted_hosts
            .iter()
            .any(|t| domain::same_host(host, t) || domain::within(host, t))
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
    /// The provider profile whose servers wrote the top of the trace (`microsoft365`), when
    /// the mailbox is hosted by one; `basis` says what showed it.
    pub profile: Option<&'static str>,
    /// Hops taken as ours because of their recorded reverse name (in our domain, or a
    /// trusted host): with DNS, the name must resolve back to the address
    /// (`lib::Prepared::finish` walks again without those it does not). Not in reports.
    #[serde(skip)]
    pub rdns_trusted: Vec<usize>,
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

/// One relay as the walk sees it: a hop, or the X-Originating-IP pseudo-relay (`hop: None`).
struct Relay<'a> {
    hop: Option<&'a Hop>,
    ip: Option<IpAddr>,
    auth: Option<&'static str>,
    rdns: Option<&'a str>,
    /// The claimed name, used only to describe hops that recorded no address.
    helo: Option<&'a str>,
    /// The sender is the receiving host itself (`from mailstore by mailstore with LMTP`).
    same_host: bool,
    /// A local hand-off with no network peer: keeps the state it finds.
    peerless: bool,
    /// DNS does not resolve the recorded reverse name back to the address: the name is the
    /// address owner's word and makes nobody ours.
    rdns_unconfirmed: bool,
}

impl Relay<'_> {
    /// The relay as the basis names it. Built only for the relays the walk explains (up to
    /// the boundary), not for every hop.
    fn describe(&self) -> String {
        // Pieces pushed one by one: the formatting machinery costs several times more, and
        // this runs for most hops of every message.
        let mut out = String::with_capacity(64);
        match self.hop {
            Some(h) => {
                out.push_str("hop ");
                out.push_str(itoa::Buffer::new().format(h.index));
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

    /// The receiver marked the recorded reverse name `may be forged`.
    fn rdns_forged_mark(&self) -> bool {
        self.hop.is_some_and(|h| h.from.rdns_may_be_forged)
    }

    /// The recorded reverse name, when it can make a sender ours: confirmed by the
    /// receiver ([`Hop::confirmed_rdns`]), and not one DNS does not resolve back to the
    /// address.
    fn evidence_rdns(&self) -> Option<&str> {
        self.hop
            .and_then(Hop::confirmed_rdns)
            .filter(|_| !self.rdns_unconfirmed)
    }

    /// The receiving host, as written.
    fn by_host(&self) -> Option<&str> {
        self.hop.and_then(|h| h.by.host.as_deref())
    }

    /// Why a hop our server wrote without recording a peer address is a hand-off inside
    /// our servers, or `None` when it may have come from the network.
    ///
    /// Our receivers record the client's address whenever one connected, so a line of ours
    /// without one is a hand-off: LMTP or local delivery, a line with no `from` at all (a
    /// provider's internal `by`-only line), the host handing to itself. A line that could
    /// not be read is not: its address may be there, unread. `trusted_receiver` says the
    /// receiving host is one that writes its internal hand-offs with a sender name and no
    /// address (a provider's server other than its frontends), so any such line of it is one.
    fn handoff(&self, trusted_receiver: bool) -> Option<String> {
        let h = self.hop?;
        // A line whose client wrote trace syntax into its HELO may have lost its address to
        // the parser's refusal to guess (`from.ip` null when the line cannot tell): that
        // is the sender's doing, never a hand-off.
        if self.ip.is_some() || h.parsed == Status::Unparsed || trace_syntax(h) {
            return None;
        }
        let no_from = h.from.name.is_none() && h.from.helo.is_none() && h.from.rdns.is_none();
        let delivery = matches!(h.protocol, Some("LMTP" | "LOCAL")) || h.kind == Kind::Local;
        let by = self.by_host().unwrap_or("?");
        let why = if no_from {
            "names no sender"
        } else if delivery {
            "is a local delivery hand-off"
        } else if self.same_host {
            "is the receiving host itself"
        } else if trusted_receiver {
            "was received by a trusted host"
        } else {
            return None;
        };
        Some(
            [
                &self.describe(),
                " recorded no peer address and ",
                why,
                ": a hand-off inside ",
                by,
            ]
            .concat(),
        )
    }
}

/// True when the parser found trace syntax in the hop's HELO: the client wrote part of the
/// line's shape, so no shape of it (no address, a local hand-off) is evidence.
fn trace_syntax(h: &Hop) -> bool {
    h.notes
        .iter()
        .any(|n| n.starts_with(crate::received::HELO_TRACE_SYNTAX))
}

fn relays<'a>(
    hops: &'a [Hop],
    originating: Option<IpAddr>,
    unconfirmed: &[usize],
) -> Vec<Relay<'a>> {
    let mut out: Vec<Relay> = hops
        .iter()
        .rev()
        .map(|h| {
            let names = [h.from.rdns.as_deref(), h.from.helo.as_deref()];
            let same_host = h.by.host.as_deref().is_some_and(|by| {
                names
                    .into_iter()
                    .flatten()
                    .any(|n| domain::same_host(n, by))
            });
            Relay {
                hop: Some(h),
                ip: h.from.ip,
                auth: h.auth.as_ref().map(|a| a.evidence),
                rdns: h.from.rdns.as_deref(),
                helo: h.from.helo.as_deref(),
                same_host,
                peerless: h.kind == Kind::Local && h.from.ip.is_none() && !trace_syntax(h),
                rdns_unconfirmed: unconfirmed.contains(&h.index),
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
            rdns_unconfirmed: false,
        });
    }
    out
}

/// Writes each hop's side, as a walk decided it, into the hop.
pub fn apply(hops: &mut [Hop], details: &[HopTrustDetail]) {
    for (hop, d) in hops.iter_mut().zip(details) {
        hop.trust = Some(d.trust);
        hop.internal = d.internal;
        hop.msa = d.msa;
    }
}

/// Walks the chain (hops in chronological order) and decides each hop's side.
pub fn walk(
    hops: &[Hop],
    config: &TrustConfig,
    hints: &TrustHints,
) -> (Vec<HopTrustDetail>, TrustReport) {
    walk_confirmed(hops, config, hints, &[])
}

/// [`walk`], knowing that DNS does not resolve the recorded reverse names of the hops
/// `unconfirmed` back to their addresses: those names make no sender ours.
pub fn walk_confirmed(
    hops: &[Hop],
    config: &TrustConfig,
    hints: &TrustHints,
    unconfirmed: &[usize],
) -> (Vec<HopTrustDetail>, TrustReport) {
    let hosting = hosted::detect(hops, hints);
    let (details, mut report) = if config.is_configured() {
        configured::walk(
            hops,
            config,
            hints.originating_ip,
            hosting.as_ref(),
            unconfirmed,
        )
    } else {
        let (details, mut report) = inferred::walk(hops, hints, hosting.as_ref(), unconfirmed);
        if config.msa_networks.is_some() {
            // As in SpamAssassin: submission agents only mean something inside a trust path.
            report.warnings.push("msa_networks is ignored without trusted_networks, internal_networks or trusted_hosts".into());
        }
        (details, report)
    };
    report.profile = hosting.map(|h| h.profile.id.as_str());
    (details, report)
}

/// What the hosting provider's profile said of a relay, once the walker has acted on it.
enum ProviderSays {
    /// The provider wrote the hop and its sender is the provider's own: why.
    Ours(String),
    /// The provider wrote the hop and its sender is outside: the walker entered.
    Entered,
    /// The provider did not write the hop (or no provider hosts the mailbox).
    Silent,
}

impl Walker {
    /// Asks the hosting provider's profile about `r` (`below`: the hop above came from one
    /// of its internal senders) and enters when it says the sender is outside.
    /// `below_provider` is set when the sender is the provider's: the next hop down is its.
    fn ask_provider(
        &mut self,
        hosting: Option<&Hosting>,
        r: &Relay,
        below: bool,
        below_provider: &mut bool,
    ) -> ProviderSays {
        match hosting.and_then(|h| hosted::judge(h, r, below)) {
            Some(Ok(why)) => {
                *below_provider = true;
                ProviderSays::Ours(why)
            }
            Some(Err(why)) => {
                self.enter(r, why);
                ProviderSays::Entered
            }
            None => ProviderSays::Silent,
        }
    }
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
            Some(h) => {
                self.details[h.index] = HopTrustDetail {
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
    fn enter(&mut self, r: &Relay, why: String) {
        self.in_trusted = false;
        self.in_internal = false;
        self.report.basis.push(why);
        match r.hop {
            Some(h) => {
                self.details[h.index] = HopTrustDetail {
                    trust: HopTrust::Entry,
                    internal: false,
                    msa: false,
                };
                self.report.entry_hop = Some(h.index);
                self.report.boundary_host = h.by.host.clone();
            }
            None => self.assign(r, false),
        }
    }
}
