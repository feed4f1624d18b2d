//! Chain continuity: each hop's sender should be the host that received the hop below it.
//!
//! For every pair of consecutive hops (older A, newer B) the newer hop's sender, as its
//! receiver recorded it (reverse name, HELO, IP), is compared with A's `by` host.

use crate::chain::hop::Hop;
use crate::domain;
use serde::Serialize;

/// The verdict on one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkVerdict {
    /// The sender is the host that received the hop below (by name or address).
    Match,
    /// Different hosts of the same registrable domain (internal naming, load balancers).
    SameDomain,
    /// Names on both sides, and they disagree.
    Mismatch,
    /// Not enough data to compare (no `by` host, or a hop with no peer recorded).
    Unknown,
}

impl LinkVerdict {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkVerdict::Match => "match",
            LinkVerdict::SameDomain => "same-domain",
            LinkVerdict::Mismatch => "mismatch",
            LinkVerdict::Unknown => "unknown",
        }
    }
}

/// One link between consecutive hops, with the values compared.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// The older hop (its `by` host is the receiver compared).
    pub from_hop: usize,
    /// The newer hop (its sender is compared).
    pub to_hop: usize,
    /// The verdict.
    pub verdict: LinkVerdict,
    /// Which of the sender's values matched (`rdns`, `helo`, `ip`, `loopback`, or
    /// `provider-alias`: two names a provider profile gives one host).
    pub matched_on: Option<&'static str>,
    /// The older hop's `by` host.
    pub receiver: Option<String>,
    /// The older hop's `by` address, when written.
    pub receiver_ip: Option<std::net::IpAddr>,
    /// The newer hop's recorded reverse name.
    pub sender_rdns: Option<String>,
    /// The newer hop's claimed HELO.
    pub sender_helo: Option<String>,
    /// The newer hop's recorded IP.
    pub sender_ip: Option<std::net::IpAddr>,
}

/// The links of a chain in chronological order (`hops.len() - 1` of them).
pub fn links(hops: &[Hop]) -> Vec<Link> {
    hops.windows(2)
        .map(|pair| link(&pair[0], &pair[1]))
        .collect()
}

/// A name usable for comparison: qmail's `unknown` placeholder is none, and a
/// `host/SpoolDir`-style suffix some gateways add is dropped.
fn usable(name: &str) -> Option<String> {
    let n = name.split('/').next().unwrap_or(name).trim();
    (!n.is_empty() && !n.eq_ignore_ascii_case("unknown")).then(|| n.to_string())
}

/// The HELO's name, when usable for comparison.
fn helo_name(h: &Hop) -> Option<String> {
    h.helo_name().and_then(usable)
}

fn link(older: &Hop, newer: &Hop) -> Link {
    let receiver = older.by.host.clone();
    let sender_helo = helo_name(newer);
    let mut l = Link {
        from_hop: older.index,
        to_hop: newer.index,
        verdict: LinkVerdict::Unknown,
        matched_on: None,
        receiver: receiver.clone(),
        receiver_ip: older.by.ip,
        sender_rdns: newer.from.rdns.clone(),
        sender_helo: sender_helo.clone(),
        sender_ip: newer.from.ip,
    };
    let Some(receiver) = receiver else { return l };
    let sender_ip = newer.from.ip;
    let receiver_as_ip: Option<std::net::IpAddr> = older
        .by
        .ip
        .or_else(|| receiver.trim_matches(['[', ']']).parse().ok());

    if let (Some(a), Some(b)) = (sender_ip, receiver_as_ip)
        && a.to_canonical() == b.to_canonical()
    {
        l.verdict = LinkVerdict::Match;
        l.matched_on = Some("ip");
        return l;
    }
    // A reverse name the receiver marked `may be forged` is the address owner's word,
    // unconfirmed: it names nothing (the sender chose it).
    let rdns = newer.confirmed_rdns().and_then(usable);
    let names = [("rdns", rdns), ("helo", sender_helo)];
    for (which, name) in &names {
        if let Some(n) = name
            && domain::same_host(n, &receiver)
        {
            l.verdict = LinkVerdict::Match;
            l.matched_on = Some(which);
            return l;
        }
    }
    // One host under the two names a provider gives it (`X.outlook.office365.com` and
    // `X.SWEP280.PROD.OUTLOOK.COM`; the provider profiles list them).
    for (_, name) in &names {
        if let Some(n) = name
            && crate::profiles::same_provider_host(n, &receiver)
        {
            l.verdict = LinkVerdict::Match;
            l.matched_on = Some("provider-alias");
            return l;
        }
    }
    // `by localhost` followed by a hop from a loopback address: the same machine.
    if domain::normalize(&receiver).starts_with("localhost")
        && sender_ip.is_some_and(|ip| ip.is_loopback())
    {
        l.verdict = LinkVerdict::Match;
        l.matched_on = Some("loopback");
        return l;
    }
    for (_, name) in &names {
        if let Some(n) = name
            && domain::same_registrable(n, &receiver)
        {
            l.verdict = LinkVerdict::SameDomain;
            return l;
        }
    }
    let sender_has_name = names
        .iter()
        .any(|(_, n)| n.as_deref().is_some_and(|n| !n.is_empty()));
    if newer.kind == crate::received::Kind::Local && newer.from.ip.is_none() {
        return l; // a hand-off with no peer: nothing to compare
    }
    if sender_ip.is_some_and(|ip| ip.to_canonical().is_loopback()) {
        return l; // a machine handing mail to itself (a content filter): names prove nothing
    }
    if sender_has_name || sender_ip.is_some() {
        l.verdict = LinkVerdict::Mismatch;
    }
    l
}
