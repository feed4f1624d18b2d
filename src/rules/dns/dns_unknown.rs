//! DNS002: a lookup a check needed failed, so the check is unknown.

use crate::dns::plan;
use crate::dns::{Answer, Question};
use crate::rules::dns_evidence::answer_json;
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// DNS002.
pub const RULE: Rule = Rule {
    id: "DNS002",
    name: "dns-unknown",
    score: 0.0,
    strength: crate::rules::Strength::Info,
    concern: crate::rules::Concern::Path,
    group: "dns",
    summary: "a DNS lookup failed (timeout, SERVFAIL, REFUSED); the checks that needed it are unknown",
    docs: "## What it checks
Whether any lookup made for a hop (its PTR, the addresses of its HELO, recorded rDNS and
PTR names), for the recipients' MX routing, or for our verification of DKIM, ARC, SPF
and DMARC (keys, policies, the records SPF reads) ended without an answer about the name:
a timeout, SERVFAIL, REFUSED, another error, or (when replaying) no recorded answer. An
unassigned response code, a CNAME loop or a chain of more than 5 aliases, a truncated
answer without a TCP answer, a CNAME step over the lookup cap, a question left open by a
time budget, and answers not used because the resolver denied every name (the canary
included) are failures too.

## Why it matters
A failed lookup says nothing about the name. The checks that needed it are reported as
unknown, with the failed answers as evidence, and never count as forgery (score 0).
NXDOMAIN is an answer, not a failure: the name does not exist.

## Example
The sender's reverse zone is served by a broken name server that answers SERVFAIL.

## False positives
None: this finding carries no score.

## References
RFC 1035 §4.1.1 (RCODE); RFC 8499 (DNS terminology).",
    source: file!(),
    check,
};

fn failed(dns: &plan::MessageDns, q: Option<Question>) -> Option<&Answer> {
    dns.get(&q?).filter(|a| a.rcode.is_failure())
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(dns) = ctx.dns else { return };
    for h in ctx.dns_hops {
        let (hop, ip) = (h.hop, h.ip);
        // What was asked for this hop, PTR names right after the PTR.
        let asked = std::iter::once(h.ptr)
            .chain(h.ptr_names.iter().map(|(_, a)| *a))
            .chain([h.helo.and_then(|(_, a)| a), h.rdns.and_then(|(_, a)| a)]);
        let mut failures: Vec<&Answer> = asked.flatten().filter(|a| a.rcode.is_failure()).collect();
        failures.dedup_by(|a, b| a.name == b.name && a.qtype == b.qtype);
        if failures.is_empty() {
            continue;
        }
        out.add(
            &RULE,
            vec![hop.index],
            format!(
                "At {}, DNS gave no answer for {}: the DNS checks of this hop are unknown.",
                hop_label(hop),
                describe(&failures)
            ),
            json!({"hop": hop.index, "ip": ip.to_string(), "answers": failures.iter().map(|a| answer_json(a)).collect::<Vec<_>>()}),
        );
    }
    let mut mx_failures: Vec<&Answer> = Vec::new();
    for d in plan::recipient_domains(ctx.recipients) {
        let Some(mx) = dns.mx(&d) else { continue };
        if mx.rcode.is_failure() {
            mx_failures.push(mx);
            continue;
        }
        if let Some((hosts, _)) = plan::mx_hosts(mx, &d) {
            for q in plan::mx_host_questions(&hosts) {
                mx_failures.extend(failed(dns, q));
            }
        }
    }
    auth_failures(ctx, out);
    if !mx_failures.is_empty() {
        out.add(
            &RULE,
            ctx.entry().map(|h| h.index).into_iter().collect(),
            format!(
                "DNS gave no answer for {}: the MX routing check is unknown.",
                describe(&mx_failures)
            ),
            json!({"answers": mx_failures.iter().map(|a| answer_json(a)).collect::<Vec<_>>()}),
        );
    }
}

/// The lookups our DKIM, ARC, SPF and DMARC verification read that gave no answer.
fn auth_failures(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let failed: Vec<_> = ctx
        .authentication
        .verification
        .lookups
        .iter()
        .filter(|l| !matches!(l.rcode, "NOERROR" | "NXDOMAIN"))
        .collect();
    if failed.is_empty() {
        return;
    }
    let named = failed
        .iter()
        .map(|l| format!("{} {} ({})", l.qtype, l.name, l.rcode))
        .collect::<Vec<_>>()
        .join(", ");
    out.add(
        &RULE,
        ctx.entry().map(|h| h.index).into_iter().collect(),
        format!(
            "DNS gave no answer for {named}: the authentication checks that needed it are unknown."
        ),
        json!({"lookups": failed}),
    );
}

fn describe(answers: &[&Answer]) -> String {
    answers
        .iter()
        .map(|a| format!("{} {} ({})", a.qtype.as_str(), a.name, a.rcode.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
