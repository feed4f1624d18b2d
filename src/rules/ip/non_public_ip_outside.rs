//! IP001: an address that cannot appear on the internet, on a hop that crossed it.

use crate::chain::hop::Hop;
use crate::domain;
use crate::netclass;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// IP001.
pub const RULE: Rule = Rule {
    id: "IP001",
    name: "non-public-ip-outside",
    score: 2.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "non-public",
    summary: "a hop that crossed the internet records a private, reserved or documentation address",
    docs: "## What it checks
Hops at or below the entry hop that crossed the public internet: the entry hop itself, and
hops whose recorded reverse name and receiver are in different registrable domains. Their recorded address
must be a public one; private (RFC 1918, unique-local), loopback, link-local, carrier-grade
NAT, documentation (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32), multicast and
reserved addresses are reported.

Below the entry hop two kinds of hand-off are not counted, because they never crossed the
internet whatever the names say: loopback (one machine handing mail to itself: a content
filter, Proofpoint's `pps.filterd` hand-off between `ppops.net` and `pphosted.com`
names), and internal-range addresses (private, link-local, CGNAT, unique-local) where the
sender greeted with a name in the receiver's domain, or the two domains are one name
under two suffixes (`github.net` to `smtp.github.com`): organisations name their internal
hosts in a zone of their own. Documentation, benchmarking, multicast and reserved
addresses still count on any such hop.

## Why it matters
Those addresses are not routed on the internet, so no server can have received a
connection from one across it. Forgers fill invented lines with made-up or example
addresses; a misconfigured relay of ours can also hide the real sender behind NAT.

## Example
`Received: from mail.a-corp.com (mail.a-corp.com [192.168.4.20]) by mx.b-corp.com`.

## False positives
A load balancer or proxy in front of our own MX that hides the client's address (configure
it as trusted so that the boundary moves past it); inter-company links over a VPN; an
organisation whose internal hosts live in an unrelated domain and greet with their own
names (`fe-mbx2054.de.bosch.com` to `rbesz01.com`). Before loopback and same-organisation
hand-offs were left out this rule fired on 6.4% of the modern ham corpus, mostly on
Proofpoint's loopback hand-off (`tests/integration/near_misses.rs`).

## References
RFC 1918, RFC 5737, RFC 3849, RFC 6598, RFC 6890 (special-purpose registries).",
    source: file!(),
    check,
};

/// The entry hop crossed the internet to reach us. Below it, a hop crossed it when the
/// reverse name its receiver recorded (not the name the sender claimed) and the receiver are
/// in different real domains; shared hosting networks relay between customers' domains over
/// private addresses, and a claimed name proves nothing.
fn crossed_internet(h: &Hop, entry: usize) -> bool {
    if h.index == entry {
        return true;
    }
    // Public domains only: a host named under a private suffix (`mailout.west.internal`) is
    // inside some organisation's network, not across the internet from anyone.
    let sender = h.from.rdns.as_deref().and_then(domain::registrable_public);
    let receiver = h.by.host.as_deref().and_then(domain::registrable_public);
    matches!((sender, receiver), (Some(s), Some(r)) if s != r)
}

/// Below the entry hop, an address of an internal range (private, link-local, CGNAT,
/// unique-local) names two organisations only when neither the recorded reverse name nor
/// the name the sender greeted with is in the receiver's domain, and the two domains are
/// not one name under two suffixes (`github.net` and `github.com`): organisations name
/// their internal hosts in a zone of their own. Loopback never does: it is one machine
/// handing mail to itself (Proofpoint's `pps.filterd (m0046660.ppops.net [127.0.0.1]) by
/// mx07-00178001.pphosted.com`).
fn between_organisations(h: &Hop, class: &str) -> bool {
    if class == "loopback" {
        return false;
    }
    if !matches!(class, "private" | "link-local" | "cgnat" | "unique-local") {
        return true;
    }
    let Some(receiver) = h.by.host.as_deref().and_then(domain::registrable_public) else {
        return true;
    };
    let helo = h.helo_name().and_then(domain::registrable_public);
    if helo.as_deref() == Some(receiver.as_str()) {
        return false;
    }
    let name = |d: &str| d.split('.').next().map(str::to_string);
    let sender = h.from.rdns.as_deref().and_then(domain::registrable_public);
    sender.is_none_or(|s| name(&s) != name(&receiver))
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.trust.entry_hop else {
        return;
    };
    let bad: Vec<(&Hop, &'static str)> = ctx
        .outside()
        .iter()
        .filter(|h| crossed_internet(h, entry))
        .filter_map(|h| {
            let ip: std::net::IpAddr = h.from.ip?;
            netclass::special_class(ip).map(|c| (h, c))
        })
        .filter(|(h, c)| h.index == entry || between_organisations(h, c))
        .collect();
    if bad.is_empty() {
        return;
    }
    let what: Vec<String> = bad
        .iter()
        .map(|(h, c)| {
            format!(
                "hop {} from {} ({c} address) to {}",
                h.index,
                h.from.ip_or("?"),
                h.by.host.as_deref().unwrap_or("?")
            )
        })
        .collect();
    out.add(
        &RULE,
        bad.iter().map(|(h, _)| h.index).collect(),
        format!("Hops that crossed the internet record addresses that are not routed on it: {}.", what.join("; ")),
        json!(bad.iter().map(|(h, c)| json!({"hop": h.index, "ip": h.from.ip, "class": c, "sender": h.from.rdns.as_deref().or(h.from.helo.as_deref()), "receiver": h.by.host})).collect::<Vec<_>>()),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

    #[test]
    fn documentation_address_on_an_inter_company_hop() {
        let m = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "from relay.c-corp.com (relay.c-corp.com [198.51.100.7]) by mail.a-corp.com (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
        ]);
        assert!(fired(&m, "IP001"));
        let internal = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "from pc1.a-corp.com (pc1.a-corp.com [10.1.1.5]) by mail.a-corp.com (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
        ]);
        assert!(!fired(&internal, "IP001"));
    }

    #[test]
    fn hand_offs_inside_one_organisation() {
        let top = "from mx0b-0031c501.pphosted.com (mx0b-0031c501.pphosted.com [148.163.153.150]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)";
        let loopback = msg(&[
            top,
            "from pps.filterd (m0101744.ppops.net [127.0.0.1]) by mx0a-0031c501.pphosted.com (8.18.1.11/8.18.1.11) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000",
        ]);
        assert!(!fired(&loopback, "IP001"));
        let helo_in_receiver = msg(&[
            "from out-21.smtp.github.com (out-21.smtp.github.com [192.30.252.204]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "from github.com (hubbernetes-node-d588c94.ash1-iad.github.net [10.56.113.18]) by smtp.github.com (Postfix) with ESMTPA id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
        ]);
        assert!(!fired(&helo_in_receiver, "IP001"));
        // A documentation address is nobody's internal network.
        let documentation = msg(&[
            top,
            "from pps.filterd (m0101744.ppops.net [192.0.2.7]) by mx0a-0031c501.pphosted.com (8.18.1.11/8.18.1.11) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000",
        ]);
        assert!(fired(&documentation, "IP001"));
        // Two organisations over a private address still count (a VPN, or invented).
        let two = msg(&[
            top,
            "from mail.a-corp.com (mail.a-corp.com [10.8.0.5]) by mx0a-0031c501.pphosted.com (PPS) with ESMTPS id 2; Mon, 1 Jan 2024 10:00:05 +0000",
        ]);
        assert!(fired(&two, "IP001"));
    }
}
