//! CHAIN001: continuity broken at or below the entry hop: a hop's sender is not the host that
//! received the hop below it.

use super::broken_links::{broken, describe, evidence};
use crate::chain::continuity::Link;
use crate::rules::{Ctx, Findings, Rule};

/// CHAIN001: continuity broken at or below the entry hop.
pub const RULE: Rule = Rule {
    id: "CHAIN001",
    name: "continuity-break-outside",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "continuity",
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
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
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
        &RULE,
        hops.into_iter().collect(),
        format!(
            "The chain breaks below the trust boundary: {}.",
            what.join("; ")
        ),
        evidence(&bad),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

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
}
