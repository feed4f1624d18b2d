//! CHAIN001 / CHAIN002: a hop's sender is not the host that received the hop below it.

use crate::chain::continuity::{Link, LinkVerdict};
use crate::chain::trust::HopTrust;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// CHAIN001: continuity broken at or below the entry hop.
pub const OUTSIDE: Rule = Rule {
    id: "CHAIN001",
    name: "continuity-break-outside",
    score: 1.0,
    summary: "a hop at or below the entry was not sent by the host that received the hop below it",
    docs: "## What it checks
For each pair of consecutive hops at or below the entry hop, whether the newer hop's sender
(the reverse name, HELO name or IP its receiver recorded) is the host that received the older
hop (its `by` host), or at least in the same registrable domain.

## Why it matters
Each MTA writes `by` itself and the next MTA writes `from`: in a genuine chain they meet
(RFC 5321 §4.4). A forger who types Received lines by hand rarely gets the handovers right,
so a gap below the boundary means some lines were not written by the hosts they name.

## Example
`Received: from mail.a.example (mail.a.example […]) by mx.ours.example` above
`Received: from pc1 by relay.elsewhere.example` — relay.elsewhere.example never handed the
message to mail.a.example.

## False positives
Hosts with several names (an internal name in `by`, a public one in DNS), relays that
write a short or internal host name, forwarders and mailing lists that re-inject mail, and
old mail whose naming changed. Score is low for that reason; the appended-hops rule
(CHAIN005) combines it with other evidence.

## References
RFC 5321 §4.4 (trace information); RFC 5322 §3.6.7.",
    check: check_outside,
};

/// CHAIN002: continuity broken between our own trusted hops.
pub const INSIDE: Rule = Rule {
    id: "CHAIN002",
    name: "continuity-break-inside",
    score: 0.0,
    summary: "two of our own trusted hops do not hand over to each other (misconfiguration)",
    docs: "## What it checks
The same continuity test as CHAIN001, between hops on our side of the trust boundary.

## Why it matters
Our own servers wrote these lines, so a gap is not forgery: it means a relay of ours names
itself differently from what the next one records (a misconfigured host name, a NAT or a
content filter re-injecting mail). It is reported so the configuration can be fixed, and
scores nothing.

## Example
`by mailstore.example.com` above `from filter.internal (filter.internal [10.0.0.9]) by mx.example.com`.

## False positives
Content filters (amavis, spamd) and fetchmail hand-offs routinely break naming; that is
why this rule scores 0.

## References
RFC 5321 §4.4.",
    check: check_inside,
};

fn broken(l: &Link) -> bool {
    l.verdict == LinkVerdict::Mismatch
}

fn evidence(links: &[&Link]) -> serde_json::Value {
    json!(links.iter().map(|l| json!({
        "from_hop": l.from_hop, "to_hop": l.to_hop, "receiver": l.receiver, "receiver_ip": l.receiver_ip,
        "sender_rdns": l.sender_rdns, "sender_helo": l.sender_helo, "sender_ip": l.sender_ip,
    })).collect::<Vec<_>>())
}

fn describe(l: &Link) -> String {
    let sender = l
        .sender_rdns
        .as_deref()
        .or(l.sender_helo.as_deref())
        .or(l.sender_ip.as_deref())
        .unwrap_or("?");
    format!(
        "hop {} was received by {} but hop {} came from {sender}",
        l.from_hop,
        l.receiver.as_deref().unwrap_or("?"),
        l.to_hop
    )
}

fn check_outside(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.trust.entry_hop else {
        return;
    };
    let bad: Vec<&Link> = ctx
        .links
        .iter()
        .filter(|l| l.to_hop <= entry && broken(l))
        .collect();
    if bad.is_empty() {
        return;
    }
    let hops = bad
        .iter()
        .flat_map(|l| [l.from_hop, l.to_hop])
        .collect::<std::collections::BTreeSet<_>>();
    let what: Vec<String> = bad.iter().map(|l| describe(l)).collect();
    out.add(
        &OUTSIDE,
        hops.into_iter().collect(),
        format!(
            "The chain breaks below the trust boundary: {}.",
            what.join("; ")
        ),
        evidence(&bad),
    );
}

fn check_inside(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let trusted = |i: usize| {
        ctx.hops
            .get(i)
            .is_some_and(|h| h.trust == Some(HopTrust::Trusted))
    };
    let bad: Vec<&Link> = ctx
        .links
        .iter()
        .filter(|l| trusted(l.from_hop) && trusted(l.to_hop) && broken(l))
        .collect();
    if bad.is_empty() {
        return;
    }
    let what: Vec<String> = bad.iter().map(|l| describe(l)).collect();
    out.add(
        &INSIDE,
        bad.iter().map(|l| l.to_hop).collect(),
        format!(
            "Our own relays do not hand over to each other: {} (check their host names).",
            what.join("; ")
        ),
        evidence(&bad),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fired, msg};

    #[test]
    fn fires_below_the_entry_only() {
        let m = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1 for <x@b-corp.com>; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "from pc1.a-corp.com ([10.1.1.5]) by relay.elsewhere.net (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
        ]);
        assert!(fired(&m, "CHAIN001"));
        let clean = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1 for <x@b-corp.com>; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "from pc1.a-corp.com ([10.1.1.5]) by mail.a-corp.com (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
        ]);
        assert!(!fired(&clean, "CHAIN001"));
    }

    #[test]
    fn a_gap_between_our_own_relays_is_informational() {
        let m = msg(&[
            "from filter.internal (filter.internal [10.0.0.9]) by store.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:12 +0000 (UTC)",
            "from gw.b-corp.com (gw.b-corp.com [10.0.0.2]) by mx.b-corp.com (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:11 +0000 (UTC)",
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by gw.b-corp.com (Postfix) with ESMTP id 3; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
        ]);
        let f = crate::rules::test_support::findings(&m);
        let inside = f.iter().find(|f| f.rule == "CHAIN002").expect("CHAIN002");
        assert_eq!(inside.score, 0.0);
        assert!(!f.iter().any(|f| f.rule == "CHAIN001"));
    }
}
