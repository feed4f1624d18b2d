//! RDNS003: the rDNS the receiver recorded is not the address's PTR today.

use crate::dns::Rcode;
use crate::domain::same_host;
use crate::rules::dns_evidence::{age, age_json, answer_json};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// RDNS003.
pub const RULE: Rule = Rule {
    id: "RDNS003",
    name: "rdns-ptr-mismatch",
    score: 2.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "rdns",
    summary: "the reverse name a receiver recorded for a sender is not that address's PTR today",
    docs: "## What it checks
For the entry hop and every SMTP hop below it (not authenticated submissions): the receiver recorded the connecting address
and its reverse name (`from helo (rdns [ip])`). hopsleuth asks DNS for the address's PTR
today and compares. When no PTR name matches the recorded one, the finding scores 2;
when the recorded name still resolves to the address (a second name, a renamed host) it
scores 0.5, and so it does when that confirmation could not be looked up (a failure, or
over the cap): a broken server must not make the finding stronger (DNS002 lists the
failure). Hops older than `dns_fresh_days` (default 30) at the time of the lookup
count a quarter, and the message says so.

## Why it matters
A forger who writes Received lines below the real ones invents names and addresses that
look plausible; the address's real PTR contradicts them. On the entry hop our own server
recorded the name, so a mismatch on fresh mail means the PTR changed in between.

## Example
`Received: from mail.bank.example (mail.bank.example [93.184.216.21])` while the PTR of
93.184.216.21 is `other.example.test`.

## False positives
Addresses re-assigned since the message was sent (hence the age weighting); hosts with
several PTR records of which the receiver saw another; split-horizon DNS.

## References
RFC 5321 §4.4 (the receiver's TCP-info); RFC 1912 §2.1; SpamAssassin's Received.pm
(rdns as recorded by the receiver).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    for h in ctx.dns_hops {
        let (hop, ip) = (h.hop, h.ip);
        let (Some((recorded, forward)), Some(ptr)) = (h.rdns, h.ptr) else {
            continue;
        };
        if ptr.rcode != Rcode::NoError || ptr.answers.is_empty() {
            continue;
        }
        if ptr.answers.iter().any(|n| same_host(n, recorded)) {
            continue;
        }
        let still_resolves = forward.is_some_and(|a| a.addresses().contains(&ip));
        // Without an answer about the recorded name, whether it still resolves is unknown:
        // the weaker score, never the stronger one.
        let unconfirmed = forward.is_none_or(|a| a.rcode.is_failure());
        let base = if still_resolves || unconfirmed {
            0.5
        } else {
            RULE.score
        };
        let age = age(ctx, ptr);
        let detail = if still_resolves {
            format!(
                " {recorded} still resolves to {ip}, so this is likely a second or changed name."
            )
        } else if unconfirmed {
            format!(
                " Whether {recorded} still resolves to {ip} is unknown (no answer), so this counts as a possibly changed name."
            )
        } else {
            String::new()
        };
        out.add_scored(
            &RULE,
            base * age.weight,
            vec![hop.index],
            format!(
                "At {}, the receiver recorded the sender {ip} as {recorded}, but its PTR today is {}.{detail}{}",
                hop_label(hop),
                ptr.answers.join(", "),
                age.note
            ),
            json!({
                "hop": hop.index,
                "ip": ip.to_string(),
                "recorded_rdns": recorded,
                "ptr": answer_json(ptr),
                "recorded_rdns_forward": forward.map(answer_json),
                "age": age_json(&age),
            }),
        );
    }
}
