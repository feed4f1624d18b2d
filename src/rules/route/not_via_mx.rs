//! ROUTE001: no hop on our side of the trust boundary was received by one of the recipient
//! domain's MX hosts.

use crate::chain::trust::HopTrust;
use crate::dns::Answer;
use crate::dns::plan::{MAX_MX_HOSTS, mx_host_questions, mx_hosts, recipient_domains};

use crate::chain::hop::Hop;
use crate::domain::{registrable, same_host};
use crate::rules::dns_evidence::{age, age_json, answer_json};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;
use std::net::IpAddr;

/// ROUTE001.
pub const RULE: Rule = Rule {
    id: "ROUTE001",
    name: "not-via-mx",
    score: 1.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "route",
    summary: "the message did not enter the recipient's domain through one of its MX hosts",
    docs: "## What it checks
For each recipient domain known from a trustworthy place (Delivered-To and its kin above the
trace, the topmost `for`, `--rcpt-to`): its MX hosts (or the domain itself when it has no
MX, RFC 5321 §5.1) and their addresses. One hop written on our side of the trust boundary
must have been received by one of them: its `by` host is an MX host, or an address our
servers recorded is one of theirs, or, when the MX hosts belong to a provider's domain (not
the recipient's), its `by` host is in that provider's domain. Otherwise the entry hop is
reported, with the MX answers. Old hops count a quarter. Nothing is asked of the sender's
domain: RFC 5321 requires nothing of it.

## Why it matters
Mail for a domain arrives through its MX hosts. A message that entered anywhere else was
injected past them (straight into a mail store or a secondary host without filtering), or
its trusted Received lines are not what they seem.

## Example
MX of example.test is mx.example.test, but the entry hop says `by backdoor.example.test`.

## False positives
MX records changed since delivery; forwarding and aliases delivering to another domain's
mailbox; backup MX hosts not listed any more; internal names of a self-hosted MX that do
not match its public name or address.

## References
RFC 5321 §5.1 (locating the target host); RFC 7505 (null MX).",
    source: file!(),
    check,
};

/// How a hop matched an MX host.
fn matches(
    hop: &Hop,
    by_sender: bool,
    hosts: &[String],
    addrs: &[IpAddr],
    provider: Option<&str>,
) -> Option<String> {
    if let Some(by) = hop.by.host.as_deref() {
        if let Some(h) = hosts.iter().find(|h| same_host(h, by)) {
            return Some(format!("received by MX host {h}"));
        }
        if let Some(p) = provider
            && registrable(by).as_deref() == Some(p)
        {
            return Some(format!("received by {by}, in the MX provider's domain {p}"));
        }
    }
    let by_ip = hop.by.ip;
    if let Some(ip) = by_ip.filter(|ip| addrs.contains(ip)) {
        return Some(format!("received at {ip}, an MX address"));
    }
    // An internal hop whose sender is an MX host: the message passed that MX.
    let from_ip = hop.from.ip;
    if by_sender && let Some(ip) = from_ip.filter(|ip| addrs.contains(ip)) {
        return Some(format!("relayed from {ip}, an MX address"));
    }
    None
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(dns) = ctx.dns else { return };
    // Only hops our own servers wrote: anything below the boundary can claim any `by`.
    let first_ours = match ctx.trust.entry_hop {
        Some(e) => e,
        None => match ctx
            .hops
            .iter()
            .position(|h| h.trust == Some(HopTrust::Trusted))
        {
            Some(i) => i,
            None => return,
        },
    };
    let ours = ctx.hops.get(first_ours..).unwrap_or_default();
    let Some(report_hop) = ours.first() else {
        return;
    };
    for domain in recipient_domains(ctx.recipients) {
        let Some(mx) = dns.mx(&domain) else { continue };
        let Some((hosts, implicit)) = mx_hosts(mx, &domain) else {
            continue;
        };
        // A null MX (`0 .`) says the domain takes no mail at all; nothing to compare.
        if hosts.iter().all(|h| h.is_empty()) {
            continue;
        }
        // Names are compared against every MX host; addresses were looked up for the
        // first few only.
        let host_lookups: Vec<Option<&Answer>> = mx_host_questions(&hosts)
            .map(|q| q.and_then(|q| dns.get(&q)))
            .collect();
        let host_answers: Vec<&Answer> = host_lookups.iter().flatten().copied().collect();
        let addrs: Vec<IpAddr> = host_answers.iter().flat_map(|a| a.addresses()).collect();
        let recipient_site = registrable(&domain);
        let provider = hosts
            .iter()
            .find_map(|h| registrable(h))
            .filter(|p| recipient_site.as_deref() != Some(p.as_str()));
        let matched = ours.iter().enumerate().find_map(|(i, h)| {
            matches(h, i > 0, &hosts, &addrs, provider.as_deref()).map(|how| (h.index, how))
        });
        if matched.is_some() {
            continue;
        }
        // Without every MX address the check is unknown, not failed: a lookup was not made
        // (the cap, DNS001), failed (DNS002), or some MX hosts were not looked up at all.
        let complete = hosts.len() <= MAX_MX_HOSTS
            && host_lookups
                .iter()
                .all(|a| a.is_some_and(|a| !a.rcode.is_failure()));
        if !complete {
            continue;
        }
        let age = age(ctx, mx);
        let bys: Vec<&str> = ours.iter().filter_map(|h| h.by.host.as_deref()).collect();
        out.add_scored(
            &RULE,
            RULE.score * age.weight,
            vec![report_hop.index],
            format!(
                "Mail for {domain} must enter through {} ({}), but {} received it from outside and no hop of ours passed an MX host (ours: {}).{}",
                if implicit { "the domain's own host" } else { "its MX hosts" },
                hosts.join(", "),
                hop_label(report_hop),
                if bys.is_empty() { "no by hosts".to_string() } else { bys.join(", ") },
                age.note
            ),
            json!({
                "domain": domain,
                "implicit_mx": implicit,
                "mx": answer_json(mx),
                "mx_addresses": host_answers.iter().map(|a| answer_json(a)).collect::<Vec<_>>(),
                "by_hosts": bys,
                "age": age_json(&age),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::dns::{QType, Rcode};
    use crate::test_support::{findings_with_dns, msg};

    fn route(by: &str, mx: &[&str], mx_hosts: &[(&str, &str)]) -> bool {
        // The recipient counts only from above the trace, where our delivery agent wrote it.
        let m = "Delivered-To: y@b-corp.com\n".to_string()
            + &msg(&[&format!(
                "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by {by} (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
            )]);
        let mut records: Vec<(&str, QType, Rcode, &[&str])> =
            vec![("b-corp.com", QType::Mx, Rcode::NoError, mx)];
        for (host, addr) in mx_hosts {
            records.push((host, QType::A, Rcode::NoError, std::slice::from_ref(addr)));
            records.push((host, QType::Aaaa, Rcode::NoError, &[]));
        }
        findings_with_dns(&m, &records)
            .iter()
            .any(|f| f.rule == "ROUTE001")
    }

    #[test]
    fn a_providers_internal_names_count_for_a_hosted_domain() {
        // Google hosts the domain; its Received lines say `by mx.google.com`.
        assert!(!route("mx.google.com", &["1 aspmx.l.google.com"], &[]));
        // A self-hosted domain's own other host is not its MX.
        assert!(route(
            "mail2.b-corp.com",
            &["10 mx.b-corp.com"],
            &[("mx.b-corp.com", "81.169.145.200")]
        ));
        assert!(!route(
            "mx.b-corp.com",
            &["10 mx.b-corp.com"],
            &[("mx.b-corp.com", "81.169.145.200")]
        ));
    }

    #[test]
    fn a_failed_or_missing_mx_lookup_is_not_a_finding() {
        let m = "Delivered-To: y@b-corp.com\n".to_string()
            + &msg(&[
                "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mail2.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
            ]);
        let f = findings_with_dns(&m, &[("b-corp.com", QType::Mx, Rcode::ServFail, &[])]);
        assert!(!f.iter().any(|f| f.rule == "ROUTE001"));
        assert!(f.iter().any(|f| f.rule == "DNS002" && f.score == 0.0));
        let f = findings_with_dns(&m, &[("b-corp.com", QType::Mx, Rcode::NxDomain, &[])]);
        assert!(!f.iter().any(|f| f.rule == "ROUTE001"));
        // The MX host's addresses failed: the check is unknown, not failed.
        let f = findings_with_dns(
            &m,
            &[
                (
                    "b-corp.com",
                    QType::Mx,
                    Rcode::NoError,
                    &["10 mx.b-corp.com"],
                ),
                ("mx.b-corp.com", QType::A, Rcode::ServFail, &[]),
                ("mx.b-corp.com", QType::Aaaa, Rcode::NoError, &[]),
            ],
        );
        assert!(!f.iter().any(|f| f.rule == "ROUTE001"), "{f:?}");
    }

    #[test]
    fn names_are_compared_against_every_exchange() {
        // Six MX hosts; mail entered through the sixth (a backup MX).
        let mx = [
            "10 mx1.b-corp.com",
            "20 mx2.b-corp.com",
            "30 mx3.b-corp.com",
            "40 mx4.b-corp.com",
            "50 mx5.b-corp.com",
            "60 mx6.b-corp.com",
        ];
        assert!(!route("mx6.b-corp.com", &mx, &[]));
        // Not through any of them, and the sixth's addresses were never looked up: unknown.
        assert!(!route("mail2.b-corp.com", &mx, &[]));
    }
}
