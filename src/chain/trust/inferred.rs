//! Inferred trust, without configuration.
//!
//! A sender is ours when the provider hosting the mailbox says so (`hosted.rs`), when its
//! address is private or loopback, when the receiver recorded an authenticated submission,
//! when its recorded reverse name is in one of our domains, or when the hop is a hand-off
//! with no peer address. Our domains are the recipients' and the authserv-id's, read only
//! from headers our servers wrote: above the whole trace, or above the Received header of a
//! hop the walk found ours (a header there was added after our server received the
//! message). So the walk runs again when such a header names a domain not yet ours; each
//! run only ever trusts more of the top, never anything below its entry.
//!
//! A reverse name the receiver marked `may be forged` is not evidence, nor is a provider's
//! domain (a recipient at gmail.com does not make every Google server ours: the profile
//! says which of them are).

use super::hints::TrustHints;
use super::hosted::Hosting;
use super::{HopTrust, HopTrustDetail, ProviderSays, TrustReport, Walker, relays};
use crate::chain::hop::Hop;
use crate::domain;
use crate::netclass;
use crate::small_map::SmallMap;

/// Our domains, each with the header that made it ours.
#[derive(Default)]
struct OurDomains {
    list: Vec<(String, String)>,
    /// The domains already in `list`, hashed: a list of 270,000 recipient domains is one
    /// pass, not a search of `list` per recipient.
    seen: SmallMap<String, usize>,
}

impl OurDomains {
    /// Adds the registrable domain of `host`, when it has one and is not a provider's.
    fn add(&mut self, host: &str, why: impl FnOnce() -> String) -> bool {
        let Some(d) = domain::registrable(host) else {
            return false;
        };
        if self.seen.contains_key(&d) || crate::profiles::of_host(&d).is_some() {
            return false;
        }
        self.seen.insert_new(d.clone(), self.list.len());
        self.list.push((d, why()));
        true
    }

    fn of(&self, host: &str) -> Option<&(String, String)> {
        let d = domain::registrable(host)?;
        self.seen.get(&d).and_then(|&i| self.list.get(i))
    }
}

/// True when a host name numbers a machine of a hosting company or an access network
/// (`static.88-198-1-2.clients.your-server.de`, `vmi123456.contaboserver.net`): five
/// digits or more before its registrable domain. Such a name's domain is the hosting
/// company's, shared with every customer, not ours.
fn numbered_machine(host: &str) -> bool {
    let Some(d) = domain::registrable(host) else {
        return false;
    };
    let host_part = host.len().saturating_sub(d.len());
    host.as_bytes()[..host_part]
        .iter()
        .filter(|b| b.is_ascii_digit())
        .count()
        >= 5
}

pub(super) fn walk(
    hops: &[Hop],
    hints: &TrustHints,
    hosting: Option<&Hosting>,
    unconfirmed: &[usize],
) -> (Vec<HopTrustDetail>, TrustReport) {
    let mut ours = OurDomains::default();
    for r in &hints.recipients {
        if let Some(d) = crate::message::headers::domain_of(r) {
            ours.add(&d, || format!("recipient {r}"));
        }
    }
    // Header evidence is used once its position is shown to be ours: first what sits above
    // the whole trace, then what sits above the Received header of a hop found ours or the
    // entry (our server received the message before anything above its line was added).
    let mut used = vec![false; hints.header_evidence.len()];
    let mut take = |limit: usize, ours: &mut OurDomains| {
        let mut added = false;
        for (e, u) in hints.header_evidence.iter().zip(used.iter_mut()) {
            if !*u && e.received_above <= limit {
                *u = true;
                added |= e.add_to(ours);
            }
        }
        added
    };
    take(0, &mut ours);
    let mut limit = 0;
    loop {
        let (details, report) = walk_once(hops, hints, hosting, &ours, unconfirmed);
        let deepest = report
            .entry_hop
            .map_or(hops.len(), |i| hops[i].header_index);
        // Each run reaches deeper or stops: at most one run per hop.
        if deepest <= limit || !take(deepest, &mut ours) {
            return (details, report);
        }
        limit = deepest;
    }
}

impl super::hints::HeaderEvidence {
    fn add_to(&self, ours: &mut OurDomains) -> bool {
        let mut added = false;
        if let Some(id) = &self.authserv_id {
            added |= ours.add(id, || format!("authserv-id {id} of {}", self.place()));
        }
        for r in &self.recipients {
            if let Some(d) = crate::message::headers::domain_of(r) {
                added |= ours.add(&d, || format!("recipient {r} of {}", self.place()));
            }
        }
        added
    }
}

fn walk_once(
    hops: &[Hop],
    hints: &TrustHints,
    hosting: Option<&Hosting>,
    ours: &OurDomains,
    unconfirmed: &[usize],
) -> (Vec<HopTrustDetail>, TrustReport) {
    let mut w = Walker::new(hops.len(), "inferred");
    if let Some(h) = hosting {
        w.report.basis.push(h.evidence.clone());
    }
    // Every hop the walk reaches was written by a server of ours, so the name it gives
    // itself after `by` is one of ours: its domain is ours too (our receiving hosts'
    // domains, where the chain shows them, not guessed from names).
    let mut receivers = OurDomains::default();
    // The hop above came from one of the provider's internal senders.
    let mut below_provider = false;
    for r in relays(hops, hints.originating_ip, unconfirmed) {
        if r.peerless || !w.in_trusted {
            w.assign(&r, false);
            continue;
        }
        let below = std::mem::take(&mut below_provider);
        if let Some(h) = r.hop
            && let Some(by) = h.by.host.as_deref()
            && ours.of(by).is_none()
            && receivers.of(by).is_none()
            && !numbered_machine(by)
        {
            receivers.add(by, || format!("our receiving host {by} (hop {})", h.index));
        }
        let ours_of = |n: &str| ours.of(n).or_else(|| receivers.of(n));
        let why = match w.ask_provider(hosting, &r, below, &mut below_provider) {
            ProviderSays::Ours(why) => Some(why),
            ProviderSays::Entered => continue,
            ProviderSays::Silent => {
                if let Some(ip) = r.ip.filter(|ip| netclass::is_internal_range(*ip)) {
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
                } else if let Some((d, source)) = r.evidence_rdns().and_then(ours_of) {
                    if let Some(h) = r.hop {
                        w.report.rdns_trusted.push(h.index);
                    }
                    Some(format!(
                        "{} has its reverse name in {d}, the domain of {source}",
                        r.describe()
                    ))
                } else {
                    r.handoff(false)
                }
            }
        };
        match why {
            Some(why) => {
                w.report.basis.push(why);
                w.assign(&r, false);
            }
            None => {
                let in_ours = r.rdns.and_then(ours_of).is_some();
                let tail = if r.rdns_forged_mark() && in_ours {
                    " is outside (its reverse name is in our domain, but the receiver marked it `may be forged`)"
                } else if r.rdns_unconfirmed && in_ours {
                    " is outside (its reverse name is in our domain, but DNS does not resolve it back to the address)"
                } else {
                    " is outside"
                };
                let why = r.describe_with(tail);
                w.enter(&r, why);
            }
        }
    }
    w.report.our_domains = ours
        .list
        .iter()
        .chain(&receivers.list)
        .map(|(d, _)| d.clone())
        .collect();
    if ours.list.is_empty() && hosting.is_none() {
        w.report.basis.push("no recipient domain or authserv-id found: only private, loopback and authenticated senders were taken as ours".into());
    }
    debug_assert!(
        w.details
            .iter()
            .filter(|d| d.trust == HopTrust::Entry)
            .count()
            <= 1
    );
    (w.details, w.report)
}
