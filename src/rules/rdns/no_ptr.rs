//! RDNS004: the sender's address has no PTR record today.

use crate::dns::Rcode;
use crate::rules::dns_evidence::{age, age_json, answer_json};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// RDNS004.
pub const RULE: Rule = Rule {
    id: "RDNS004",
    name: "no-ptr",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "rdns",
    summary: "a sender's address has no PTR record today (NXDOMAIN or no data)",
    docs: "## What it checks
For the entry hop and every SMTP hop below it (not authenticated submissions), whether the connecting address has a PTR record
today. NXDOMAIN and an empty answer both count; failures (timeout, SERVFAIL) do not (see
DNS002). Old hops count a quarter.

## Why it matters
Internet mail servers have reverse DNS; most receivers refuse mail without it. An address
without a PTR is usually a home connection or a throw-away host. When the receiver recorded
a name back then, the record has since disappeared, which is also worth knowing.

## Example
`Received: from mail.a.example (unknown [93.184.216.99]) by mx.ours.example` and no PTR
for 93.184.216.99.

## False positives
Small senders whose provider never set a PTR; addresses returned to a pool since.

## References
RFC 1912 §2.1; M3AAWG Best Practices for Managing SMTP Reverse DNS; SpamAssassin RDNS_NONE.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    for h in ctx.dns_hops {
        let (hop, ip) = (h.hop, h.ip);
        let Some(ptr) = h.ptr else { continue };
        let absent =
            ptr.rcode == Rcode::NxDomain || (ptr.rcode == Rcode::NoError && ptr.answers.is_empty());
        if !absent {
            continue;
        }
        let age = age(ctx, ptr);
        let recorded = h.rdns.map(|(name, _)| name);
        let then = match recorded {
            Some(r) => format!(" The receiver recorded it as {r} back then."),
            None => String::new(),
        };
        out.add_scored(
            &RULE,
            RULE.score * age.weight,
            vec![hop.index],
            format!(
                "At {}, the sender {ip} has no PTR record today ({}).{then}{}",
                hop_label(hop),
                if ptr.rcode == Rcode::NxDomain {
                    "NXDOMAIN"
                } else {
                    "no data"
                },
                age.note
            ),
            json!({
                "hop": hop.index,
                "ip": ip.to_string(),
                "recorded_rdns": recorded,
                "ptr": answer_json(ptr),
                "age": age_json(&age),
            }),
        );
    }
}
