//! DNS001: the message wanted more lookups than its cap allows.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// DNS001.
pub const RULE: Rule = Rule {
    id: "DNS001",
    name: "dns-lookup-cap",
    score: 0.0,
    strength: crate::rules::Strength::Info,
    concern: crate::rules::Concern::Path,
    group: "dns",
    summary: "the message wanted more DNS lookups than the per-message cap; some DNS checks are unknown",
    docs: "## What it checks
Whether the DNS checks of this message wanted more questions than `--max-dns-lookups`
(`[limits] max_dns_lookups`, default 32). Questions are taken in order of weight (the
entry hop first, then the recipient's MX, then older hops) and the rest are not asked.

## Why it matters
A crafted message with thousands of hops must not make the analyzer send thousands of
queries. Hitting the cap is reported so that an analyst knows which checks did not run;
it is not evidence of forgery by itself (score 0).

## Example
A message with forty outside hops, each naming a different HELO, rDNS and address.

## False positives
Long honest chains (mailing lists relayed through many outside hosts) can reach the cap;
raise it when that matters.

## References
RFC 5321 §4.4 (trace fields); the hostile-input limits in the README.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(dns) = ctx.dns else { return };
    if dns.over_cap == 0 {
        return;
    }
    let sample: Vec<String> = dns
        .skipped
        .iter()
        .take(16)
        .map(|q| format!("{} {}", q.qtype.as_str(), q.name))
        .collect();
    out.add(
        &RULE,
        Vec::new(),
        format!(
            "{} DNS questions were not asked: the per-message cap of {} lookups was reached, \
             so the DNS checks they fed are unknown.",
            dns.over_cap, dns.cap
        ),
        json!({"cap": dns.cap, "asked": dns.asked.len(), "not_asked": dns.over_cap, "sample": sample}),
    );
}
