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

/// What a link rests on: who recorded the fact that joins the two hops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Witness {
    /// The upper hop's receiver recorded the lower hop's `by` host as its sender: by
    /// address, by reverse name (or one of its organisation), or DNS says so.
    Verified,
    /// Only the client's word joins them: its HELO names the lower hop's `by` host, and
    /// nothing the receiver recorded says so (or against it).
    Claimed,
    /// The receiver's record, DNS or a provider's published networks say the sender was
    /// another host than the one the lower line names as its receiver.
    Contradicted,
    /// Not enough to tell: a name missing, or names that differ with no record of the
    /// addresses behind them (one machine has many names).
    Unknown,
}

impl Witness {
    /// The name written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Witness::Verified => "verified",
            Witness::Claimed => "claimed",
            Witness::Contradicted => "contradicted",
            Witness::Unknown => "unknown",
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
    /// What joins the two hops: `verified`, `claimed`, `contradicted` or `unknown`.
    pub witness: Witness,
    /// Who recorded the newer hop's sender: `ours` (our server: evidence) or `outside` (a
    /// line below the entry: the sender's text). `null` before the trust walk.
    pub recorded_by: Option<&'static str>,
    /// What witnessed it: `address`, `reverse-name`, `organisation`, `loopback`,
    /// `provider-alias` or `dns` (verified), `helo` (claimed), `provider-networks` or `dns`
    /// (contradicted).
    pub witness_source: Option<&'static str>,
    /// The sentence saying what a `claimed` or `contradicted` link rests on, or what DNS
    /// said (`null` for a link the receiver's record verified: `witness_source` says how).
    pub witness_note: Option<String>,
}

/// The links of a chain in chronological order (`hops.len() - 1` of them).
pub fn links(hops: &[Hop]) -> Vec<Link> {
    hops.windows(2)
        .map(|pair| {
            let mut l = link(&pair[0], &pair[1]);
            let (witness, source, note) = witness(&pair[0], &pair[1], &l);
            l.witness = witness;
            l.witness_source = source;
            l.witness_note = note;
            l.recorded_by = recorded_by(&pair[1]);
            l
        })
        .collect()
}

/// Who recorded `newer`'s sender, once the trust walk has run.
fn recorded_by(newer: &Hop) -> Option<&'static str> {
    use crate::chain::trust::HopTrust;
    match newer.trust? {
        HopTrust::Trusted | HopTrust::Entry => Some("ours"),
        HopTrust::Untrusted => Some("outside"),
    }
}

/// Sets who recorded each link's sender again, after the trust boundary moved (the DNS
/// re-walk).
pub fn refresh_recorded_by(links: &mut [Link], hops: &[Hop]) {
    for l in links {
        if let Some(newer) = hops.get(l.to_hop) {
            l.recorded_by = recorded_by(newer);
        }
    }
}

/// What joins `older` to `newer`, given the names compared in `l`.
fn witness(older: &Hop, newer: &Hop, l: &Link) -> (Witness, Option<&'static str>, Option<String>) {
    let Some(by) = l.receiver.as_deref().and_then(usable) else {
        return (Witness::Unknown, None, None);
    };
    let rdns = newer.confirmed_rdns().and_then(usable);
    // One machine wrote both lines: a hand-off to itself over loopback (a content filter,
    // a list manager re-injecting), or with no peer at all.
    let same_machine = (newer
        .from
        .ip
        .is_some_and(|ip| ip.to_canonical().is_loopback())
        || (newer.from.ip.is_none() && newer.kind != crate::received::Kind::Smtp))
        && newer
            .by
            .host
            .as_deref()
            .is_some_and(|b| crate::domain::same_host(b, &by));
    if same_machine {
        return (Witness::Verified, Some("loopback"), None);
    }
    match (l.verdict, l.matched_on) {
        (LinkVerdict::Match, Some("ip")) => {
            return (Witness::Verified, Some("address"), None);
        }
        (LinkVerdict::Match, Some("rdns")) => {
            return (Witness::Verified, Some("reverse-name"), None);
        }
        (LinkVerdict::Match, Some("loopback")) => {
            return (Witness::Verified, Some("loopback"), None);
        }
        (LinkVerdict::Match, Some("provider-alias"))
            if rdns
                .as_deref()
                .is_some_and(|r| crate::profiles::same_provider_host(r, &by)) =>
        {
            return (Witness::Verified, Some("provider-alias"), None);
        }
        (LinkVerdict::SameDomain, _)
            if rdns
                .as_deref()
                .is_some_and(|r| crate::domain::same_registrable(r, &by)) =>
        {
            return (Witness::Verified, Some("organisation"), None);
        }
        _ => {}
    }
    if let Some(note) = contradiction(older, newer, &by) {
        return (Witness::Contradicted, Some("provider-networks"), Some(note));
    }
    let claims_by = l.sender_helo.as_deref().is_some_and(|h| {
        crate::domain::same_host(h, &by) || crate::domain::same_registrable(h, &by)
    });
    if claims_by {
        let other = match rdns.as_deref() {
            Some(r) => format!(
                "; the receiver recorded the reverse name {r}, which names another host (not proof: one machine has many names)"
            ),
            None => "; the receiver recorded no reverse name".to_string(),
        };
        return (
            Witness::Claimed,
            Some("helo"),
            Some(format!(
                "only the client's HELO {} joins hop {} to hop {}'s `by {by}`{other}",
                l.sender_helo.as_deref().unwrap_or("?"),
                newer.index,
                older.index
            )),
        );
    }
    (Witness::Unknown, None, None)
}

/// A witness that the host that sent `newer` was not `older`'s `by` host: the provider
/// that host belongs to publishes all its sending networks, and the recorded address is in
/// none of them. (A `by` host's own address written in its line is no such witness: servers
/// behind NAT and Exchange's 6to4 addresses write addresses their clients never see.)
fn contradiction(older: &Hop, newer: &Hop, by: &str) -> Option<String> {
    let ip = newer
        .from
        .ip
        .filter(|ip| !crate::netclass::is_non_public(*ip))?;
    if let Some(p) = crate::profiles::of_server(by)
        && p.lists_senders_at(newer.timestamp.or(older.timestamp))
        && p.sending_network(ip).is_none()
        && p.internal_network(ip).is_none()
        && !newer.confirmed_rdns().is_some_and(|r| p.names_host(r))
    {
        return Some(format!(
            "hop {} says {} server {by} received the message, but hop {}'s receiver recorded the next sender as {}, outside every network {} publishes as its own",
            older.index,
            p.name,
            newer.index,
            crate::text::ip_string(ip),
            p.name
        ));
    }
    None
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
        witness: Witness::Unknown,
        recorded_by: None,
        witness_source: None,
        witness_note: None,
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
