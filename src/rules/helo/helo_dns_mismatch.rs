//! HELO007: the claimed HELO name does not resolve, or not to the connecting address.

use crate::dns::Rcode;
use crate::rules::dns_evidence::{age, age_json, answer_json};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// HELO007.
pub const RULE: Rule = Rule {
    id: "HELO007",
    name: "helo-dns-mismatch",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "helo",
    summary: "a sender's HELO name does not exist in DNS, or resolves to other addresses",
    docs: "## What it checks
For the entry hop and every SMTP hop below it (not authenticated submissions) whose HELO is a host name: its addresses of the
connecting address's family (A or AAAA). A name that does not exist (NXDOMAIN) scores 1;
a name without addresses of that family, or whose addresses do not include the
connecting one, scores 0.5. Failed lookups leave the check unknown (DNS002); old hops
count a quarter.

## Why it matters
RFC 5321 asks a client to greet with its own name. Spam software and forged hops greet
with invented names or with the names of big providers; a name that resolves elsewhere
is a claim nobody vouches for.

## Example
`Received: from mail.bank.example (unknown [93.184.216.99])` where mail.bank.example is
93.184.216.20.

## False positives
Servers behind NAT or with several outbound addresses that greet with a name pointing at
one of them; HELO names of internal hosts that are not in public DNS.

## References
RFC 5321 §4.1.1.1 and §4.1.4; SpamAssassin HELO_DYNAMIC and FSL_HELO rules; Postfix
reject_unknown_helo_hostname.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    for h in ctx.dns_hops {
        let (hop, ip) = (h.hop, h.ip);
        let Some((helo, Some(a))) = h.helo else {
            continue;
        };
        let addresses = a.addresses();
        let (base, what) = match a.rcode {
            Rcode::NxDomain => (RULE.score, "does not exist in DNS".to_string()),
            Rcode::NoError if addresses.is_empty() => {
                (0.5, format!("has no {} record", a.qtype.as_str()))
            }
            Rcode::NoError if !addresses.contains(&ip) => (
                0.5,
                format!("resolves to {}, not to {ip}", a.answers.join(", ")),
            ),
            _ => continue,
        };
        let age = age(ctx, a);
        out.add_scored(
            &RULE,
            base * age.weight,
            vec![hop.index],
            format!(
                "At {}, the sender {ip} greeted as {helo}, which {what}.{}",
                hop_label(hop),
                age.note
            ),
            json!({
                "hop": hop.index,
                "ip": ip.to_string(),
                "helo": helo,
                "address": answer_json(a),
                "age": age_json(&age),
            }),
        );
    }
}
