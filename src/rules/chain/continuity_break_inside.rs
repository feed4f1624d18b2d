//! CHAIN002: continuity broken between our own trusted hops (a misconfiguration, not forgery).

use super::broken_links::{broken, describe, evidence};
use crate::chain::continuity::Link;
use crate::chain::trust::HopTrust;
use crate::rules::{Ctx, Findings, Rule};

/// CHAIN002: continuity broken between our own trusted hops.
pub const RULE: Rule = Rule {
    id: "CHAIN002",
    name: "continuity-break-inside",
    score: 0.0,
    strength: crate::rules::Strength::Info,
    concern: crate::rules::Concern::Path,
    group: "continuity-inside",
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
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
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
        &RULE,
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
    use crate::test_support::msg;

    #[test]
    fn a_gap_between_our_own_relays_is_informational() {
        let m = msg(&[
            "from filter.internal (filter.internal [10.0.0.9]) by store.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:12 +0000 (UTC)",
            "from gw.b-corp.com (gw.b-corp.com [10.0.0.2]) by mx.b-corp.com (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:11 +0000 (UTC)",
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by gw.b-corp.com (Postfix) with ESMTP id 3; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
        ]);
        let f = crate::test_support::findings(&m);
        let inside = f.iter().find(|f| f.rule == "CHAIN002").expect("CHAIN002");
        assert_eq!(inside.score, 0.0);
        assert!(!f.iter().any(|f| f.rule == "CHAIN001"));
    }
}
