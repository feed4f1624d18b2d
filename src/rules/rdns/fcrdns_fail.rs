//! RDNS005: no PTR name of the sender's address resolves back to it (FCrDNS fails).

use crate::dns::plan::MAX_PTR_NAMES;
use crate::dns::{Answer, Rcode};
use crate::rules::dns_evidence::{age, age_json, answer_json};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// RDNS005.
pub const RULE: Rule = Rule {
    id: "RDNS005",
    name: "fcrdns-fail",
    score: 1.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "rdns",
    summary: "forward-confirmed reverse DNS fails: no PTR name of the sender resolves back to its address",
    docs: "## What it checks
For the entry hop and every SMTP hop below it (not authenticated submissions): the PTR names of the connecting address are
looked up forward (A for IPv4, AAAA for IPv6). The reverse DNS is confirmed when one of
them resolves back to the address. It fails when every name answers (NXDOMAIN or other
addresses); when a lookup failed the check is unknown (DNS002). Old hops count a quarter.

## Why it matters
Anyone who controls an address's reverse zone can make its PTR say `mail.bank.example`;
only the owner of `bank.example` can make that name resolve back. A name that does not
confirm is not evidence of who sent the message.

## Example
PTR of 93.184.216.21 is `other.example.test`, whose A record is 93.184.216.99.

## False positives
Hosting providers with stale forward records; load balancers whose PTR names point at
other members of the pool.

## References
RFC 8601 §2.7.3 (iprev); M3AAWG reverse DNS best practices; Postfix
reject_unknown_client_hostname.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    for h in ctx.dns_hops {
        let (hop, ip) = (h.hop, h.ip);
        let Some(ptr) = h.ptr else { continue };
        if ptr.rcode != Rcode::NoError || ptr.answers.is_empty() {
            continue;
        }
        let forward: Vec<Option<&Answer>> = h.ptr_names.iter().map(|(_, a)| *a).collect();
        let confirmed = forward
            .iter()
            .flatten()
            .any(|a| a.addresses().contains(&ip));
        let unknown = forward
            .iter()
            .any(|a| a.is_none_or(|a| a.rcode.is_failure()));
        // Names beyond the few looked up might confirm: then the check is unknown.
        let unchecked = ptr.answers.len() > MAX_PTR_NAMES;
        if confirmed || unknown || unchecked {
            continue;
        }
        let age = age(ctx, ptr);
        let seen: Vec<String> = forward
            .iter()
            .flatten()
            .map(|a| {
                let got = if a.answers.is_empty() {
                    a.rcode.as_str().to_string()
                } else {
                    a.answers.join(", ")
                };
                format!("{} -> {got}", a.name.trim_end_matches('.'))
            })
            .collect();
        out.add_scored(
            &RULE,
            RULE.score * age.weight,
            vec![hop.index],
            format!(
                "At {}, the PTR of the sender {ip} does not resolve back to it ({}).{}",
                hop_label(hop),
                seen.join("; "),
                age.note
            ),
            json!({
                "hop": hop.index,
                "ip": ip.to_string(),
                "ptr": answer_json(ptr),
                "forward": forward.iter().flatten().map(|a| answer_json(a)).collect::<Vec<_>>(),
                "age": age_json(&age),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::dns::{QType, Rcode};
    use crate::test_support::{findings_with_dns, msg};

    fn fcrdns(ptr: &[&str], forward: &[(&str, Rcode, &[&str])]) -> bool {
        let m = "Delivered-To: y@b-corp.com\n".to_string()
            + &msg(&[
                "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
            ]);
        let mut records: Vec<(&str, QType, Rcode, &[&str])> = vec![(
            "10.145.169.81.in-addr.arpa",
            QType::Ptr,
            Rcode::NoError,
            ptr,
        )];
        for (name, rcode, addrs) in forward {
            records.push((name, QType::A, *rcode, addrs));
        }
        findings_with_dns(&m, &records)
            .iter()
            .any(|f| f.rule == "RDNS005")
    }

    #[test]
    fn confirmation_by_any_checked_name() {
        let ptr = ["a.a-corp.com", "mail.a-corp.com"];
        assert!(!fcrdns(
            &ptr,
            &[
                ("a.a-corp.com", Rcode::NxDomain, &[]),
                ("mail.a-corp.com", Rcode::NoError, &["81.169.145.10"])
            ]
        ));
        assert!(fcrdns(
            &ptr,
            &[
                ("a.a-corp.com", Rcode::NxDomain, &[]),
                ("mail.a-corp.com", Rcode::NoError, &["81.169.145.99"])
            ]
        ));
        assert!(
            !fcrdns(
                &ptr,
                &[
                    ("a.a-corp.com", Rcode::NxDomain, &[]),
                    ("mail.a-corp.com", Rcode::Timeout, &[])
                ]
            ),
            "unknown"
        );
    }

    #[test]
    fn names_beyond_the_checked_ones_leave_it_unknown() {
        // Four PTR names; only three are looked up, and none of them confirms.
        let ptr = [
            "a.a-corp.com",
            "b.a-corp.com",
            "c.a-corp.com",
            "d.a-corp.com",
        ];
        let nx: &[&str] = &[];
        assert!(!fcrdns(
            &ptr,
            &[
                ("a.a-corp.com", Rcode::NxDomain, nx),
                ("b.a-corp.com", Rcode::NxDomain, nx),
                ("c.a-corp.com", Rcode::NxDomain, nx)
            ]
        ));
    }
}
