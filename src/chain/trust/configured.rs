//! Configured trust: SpamAssassin's `trusted_networks` / `internal_networks` /
//! `msa_networks` semantics, plus `trusted_hosts` names.
//!
//! A sender is ours when its address is in the trusted networks, its recorded reverse name
//! is a trusted host (never one the receiver marked `may be forged`), the receiver recorded
//! an authenticated submission, or the hop is a hand-off inside our servers with no peer
//! address (LMTP, local delivery, no sender at all, the host handing to itself). When the
//! mailbox is hosted by a provider, the provider's internal hops are ours too.

use super::hosted::Hosting;
use super::{HopTrustDetail, ProviderSays, TrustConfig, TrustReport, Walker, relays};
use crate::chain::hop::Hop;
use crate::chain::netset::NetSet;
use std::net::IpAddr;

pub(super) fn walk(
    hops: &[Hop],
    config: &TrustConfig,
    originating: Option<IpAddr>,
    hosting: Option<&Hosting>,
    unconfirmed: &[usize],
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
    if let Some(h) = hosting {
        w.report.basis.push(h.evidence.clone());
    }

    // The hop above came from one of the provider's internal senders.
    let mut below_provider = false;
    for r in relays(hops, originating, unconfirmed) {
        if r.peerless {
            w.assign(&r, false);
            continue;
        }
        let mut is_msa = false;
        if w.in_trusted && !w.frozen {
            let below = std::mem::take(&mut below_provider);
            let by_net = r.ip.is_some_and(|ip| trusted.contains(ip));
            let named = r.rdns.is_some_and(|rdns| config.names_host(rdns));
            let by_host = r
                .evidence_rdns()
                .is_some_and(|rdns| config.names_host(rdns));
            // A hand-off of our servers: its protocol or shape says so (LMTP, local
            // delivery, no sender at all, the host handing to itself). A receiver named in
            // trusted_hosts is not enough alone: our MX records every client's address, and
            // one it recorded in a way we could not read is no hand-off.
            let handoff = if r.ip.is_none() {
                r.handoff(false)
            } else {
                None
            };
            let reason = if by_net {
                Some(r.describe_with(" is in trusted_networks"))
            } else if by_host {
                if let Some(h) = r.hop {
                    w.report.rdns_trusted.push(h.index);
                }
                Some(r.describe_with(" is in trusted_hosts"))
            } else if let Some(a) = r.auth {
                Some(r.describe_with(&[" is authenticated (", a, ")"].concat()))
            } else if let Some(why) = handoff.clone() {
                Some(why)
            } else {
                match w.ask_provider(hosting, &r, below, &mut below_provider) {
                    ProviderSays::Ours(why) => Some(why),
                    ProviderSays::Entered => continue,
                    ProviderSays::Silent => None,
                }
            };
            let Some(reason) = reason else {
                let why = if named && r.rdns_unconfirmed {
                    r.describe_with(" has a reverse name in trusted_hosts that DNS does not resolve back to its address: outside")
                } else if named {
                    r.describe_with(" has a reverse name in trusted_hosts that the receiver marked `may be forged`: outside")
                } else {
                    r.describe_with(" is not in trusted_networks or trusted_hosts: outside")
                };
                w.enter(&r, why);
                continue;
            };
            w.report.basis.push(reason);
            // Inside the organisation while every sender is: an internal network, an
            // authenticated user, or a hand-off inside the same servers.
            let keeps_internal = r.auth.is_some()
                || r.ip.is_some_and(|ip| internal.contains(ip))
                || handoff.is_some();
            if w.in_internal && !keeps_internal {
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
