//! CHAIN005's HELO link marks: the sender lied about its name to our server, and lines
//! below claim that name (or its domain) as their receiver.

use super::{Mark, Signal, ip_of};
use crate::chain::hop::Hop;
use crate::dns::Rcode;
use crate::domain;
use crate::netclass;
use crate::received::Kind;
use crate::rules::Ctx;
use crate::rules::dns_evidence::age;
use std::net::IpAddr;

/// What DNS says about the entry hop's HELO name.
#[derive(Default)]
struct HeloDns {
    /// The name resolves to the sender's address: the HELO was true.
    honest: bool,
    /// Neither the name nor its domain exists, on a fresh message: it was invented.
    invented: bool,
    /// The clause added to each mark's detail.
    note: String,
}

fn helo_dns(ctx: &Ctx<'_>, entry: &Hop, helo: &str) -> HeloDns {
    let (Some(dns), Some(ip)) = (ctx.dns, ip_of(entry)) else {
        return HeloDns::default();
    };
    let Some(a) = dns
        .address(helo, ip.is_ipv6())
        .filter(|a| !a.rcode.is_failure())
    else {
        return HeloDns::default();
    };
    // An internal name of a real domain is not public, and that is no lie; a domain can
    // lapse in later years, so only a fresh message counts.
    let domain_missing = crate::dns::plan::helo_domain_question(entry)
        .and_then(|q| dns.get(&q))
        .is_some_and(|d| d.rcode == Rcode::NxDomain);
    let invented = domain_missing && a.rcode == Rcode::NxDomain && age(ctx, a).weight == 1.0;
    let name = a.name.trim_end_matches('.');
    let note = if invented {
        format!("; DNS says neither {name} nor its domain exists ({ip} sent it)")
    } else if a.answers.is_empty() {
        format!("; DNS says {name} is no address, not {ip}")
    } else {
        format!("; DNS says {name} is {}, not {ip}", a.answers.join(", "))
    };
    HeloDns {
        honest: a.addresses().contains(&ip),
        invented,
        note,
    }
}

/// The hop says a host of `domain` received the message from another host of that domain
/// across the internet: a public address other than the entry sender's, recorded under a
/// name in the domain (the reverse name when the line has one, else the claimed name), or
/// no address at all on a network hop. Submissions (authenticated, private, loopback,
/// local) are what an honest server on a provider's address writes, and do not count.
fn claims_relay_within(h: &Hop, domain: &str, entry_ip: Option<IpAddr>) -> bool {
    if h.kind != Kind::Smtp || h.auth.is_some() {
        return false;
    }
    let by = h.by.host.as_deref().unwrap_or("");
    let client = h
        .from
        .rdns
        .as_deref()
        .or(h.helo_name())
        .or(h.from.name.as_deref());
    if !client.is_some_and(|c| domain::within(c, domain) && !domain::same_host(c, by)) {
        return false;
    }
    match (h.from.ip, ip_of(h)) {
        (None, _) => true,
        (Some(_), Some(ip)) => {
            !netclass::is_non_public(ip)
                && entry_ip.is_none_or(|e| e.to_canonical() != ip.to_canonical())
        }
        (Some(_), None) => false,
    }
}

/// The sender lied about its name to our server, and lines below claim that name (or its
/// domain) as their receiver.
pub(super) fn marks(ctx: &Ctx<'_>, entry: &Hop, below: &[Hop], out: &mut Vec<Signal>) {
    let (Some(helo), Some(rdns)) = (entry.helo_name(), entry.from.rdns.as_deref()) else {
        return;
    };
    let (Some(hd), Some(rd)) = (domain::registrable(helo), domain::registrable(rdns)) else {
        return;
    };
    // An internal name (under a suffix that is not a public one) names no other internet
    // host: no contradiction (see HELO006).
    if hd == rd
        || entry.from.rdns_unknown
        || domain::fallback_note(&hd).is_some()
        || domain::fallback_note(&rd).is_some()
    {
        return;
    }
    let dns = helo_dns(ctx, entry, helo);
    if dns.honest {
        return;
    }
    // Only a reverse name our server trusted contradicts the link.
    let recorded = !entry.from.rdns_may_be_forged;
    let entry_ip = ip_of(entry);
    let ip = entry.from.ip_or("?");
    for h in below
        .iter()
        .filter(|h| h.by.host.as_deref().is_some_and(|b| domain::within(b, &hd)))
    {
        let by = h.by.host.as_deref().unwrap_or("?");
        let received = format!("claims to be received by {by}");
        let (mark, claim) = if dns.invented {
            (Mark::InventedName, received)
        } else if recorded && claims_relay_within(h, &hd, entry_ip) {
            let client = h.from.rdns.as_deref().or(h.from.name.as_deref());
            let at = h.from.ip_or("no recorded address");
            (
                Mark::ContradictedLink,
                format!(
                    "claims {by} relayed the message from {} ({at}) across the internet",
                    client.unwrap_or("?")
                ),
            )
        } else {
            (Mark::FalseHeloName, received)
        };
        let detail = format!(
            "{claim}, in the domain of the name the sender gave in HELO ({helo}), although our server recorded the sender {ip} as {rdns}{}",
            dns.note
        );
        out.push(Signal::new(h.index, mark, detail));
    }
}
