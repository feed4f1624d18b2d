//! HELO008: the entry's client claims a host of the sender's own domain, and a witness of
//! ours says that domain does not send from there.

use crate::domain;
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;

/// HELO008.
pub const RULE: Rule = Rule {
    id: "HELO008",
    name: "helo-claims-sender-domain",
    score: 3.0,
    strength: Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "helo-impersonation",
    summary: "the entry's client greets as a host of the From or envelope sender's domain, and our server's SPF check or DNS says that domain does not send from its address",
    docs: "## What it checks
The entry hop's HELO names a host in the registrable domain of the From address or of the
envelope sender (a provider's domains are HELO005's). What the client claims is weighed
against witnesses of ours:

* **strong**: our server's own SPF check (an Authentication-Results written above the
  entry hop's line, or our own verification with DNS) says that domain does not let the recorded address send (`fail` or
  `softfail`, for `smtp.mailfrom` or `smtp.helo` in the domain): the client says it is the
  domain's host, the domain says it is not;
* **strong**, with DNS: the HELO name resolves (fresh) to other addresses, none in the
  sender's /24 or /48, and the address's reverse name is outside the domain;
* nothing when our server only recorded a reverse name outside the domain (the same fact
  Sendmail's `X-Authentication-Warning: ... claimed to be ...` states, and HELO006's): people
  run their domain's mail server on a DSL line (29 messages of easy-ham-1 greet with their
  own domain from `adsl-...` or `CPE-...` names); that alone proves nothing.

An SPF `pass` for the domain, or DNS putting the HELO name at the address, clears it.

## Why it matters
Phishing greets as the brand it imitates (`llpzgjkuphj.instagram.com` with an
`instagram.com` envelope sender from a cloud address) so that a reader of the line sees the
brand's name where the sender's host belongs.

## Example
    Authentication-Results: spf=fail (sender IP is 13.73.34.175) smtp.mailfrom=instagram.com; ...
    Received: from llpzgjkuphj.instagram.com (13.73.34.175) by SA2PEPF00003AE9.mail.protection.outlook.com ...

## False positives
A domain whose SPF record forgets one of its own servers; forwarding breaks SPF, but a
forwarder greets with its own name, not the original sender's.

## References
RFC 5321 §4.1.4 (HELO), RFC 7208 §2.3 (SPF of the HELO identity), SpamAssassin
HELO_DYNAMIC / FORGED_*_RCVD family (generalised).",
    source: file!(),
    check,
};

/// Our server's verdict on `domain` for this message, when it wrote one above the entry:
/// a `fail` or `softfail` of SPF for the domain (as `smtp.mailfrom` or `smtp.helo`) or of
/// DMARC for it (`header.from`), the worst one found whatever the order; else `pass` when
/// SPF passed for it; else nothing.
fn our_verdict(ctx: &Ctx<'_>, domain: &str) -> Option<String> {
    // A property is an address (`smtp.mailfrom`) or a bare domain (`header.from`).
    let in_domain = |v: &str| {
        domain::registrable(v.rsplit_once('@').map_or(v, |(_, d)| d)).is_some_and(|d| d == domain)
    };
    let mut pass = None;
    for r in ctx.our_checks() {
        let about = match r.method.as_str() {
            "spf" => ["smtp.mailfrom", "smtp.helo"]
                .iter()
                .any(|k| r.property(k).is_some_and(in_domain)),
            "dmarc" => r.property("header.from").is_some_and(in_domain),
            _ => false,
        };
        if !about {
            continue;
        }
        if r.result == "fail" || r.result == "softfail" {
            return Some(format!("{}={}", r.method, r.result));
        }
        if r.result == "pass" && r.method == "spf" {
            pass = Some("spf=pass".to_string());
        }
    }
    pass
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    let Some(helo) = entry.helo_name() else {
        return;
    };
    if helo.parse::<std::net::IpAddr>().is_ok() || crate::rules::our_names::is_submission(entry) {
        return;
    }
    let Some(claimed) = domain::registrable(helo) else {
        return;
    };
    if crate::rules::providers::provider_of_host(helo).is_some() {
        return; // HELO005's
    }
    if !ctx.sender_domains().contains(&claimed) {
        return;
    }
    let Some(ip) = entry
        .from
        .ip
        .filter(|ip| !crate::netclass::is_non_public(*ip))
    else {
        return;
    };
    let shown = crate::text::ip_string(ip);
    let spf = our_verdict(ctx, &claimed);
    if spf.as_deref() == Some("spf=pass") {
        return;
    }
    // A line below that claims the HELO's host is CHAIN005's to weigh against DNS: one fact.
    let below_claims_helo = ctx.below_entry().iter().any(|h| {
        h.by.host
            .as_deref()
            .is_some_and(|b| domain::same_host(b, helo))
    });
    let dns = ctx.dns.and_then(|d| d.address(helo, ip.is_ipv6()));
    if dns.is_some_and(|a| a.addresses().contains(&ip)) {
        return;
    }
    let rdns = entry.confirmed_rdns();
    let (strength, score, why): (Strength, f64, String) = if let Some(result) = spf.as_deref() {
        (
            Strength::Strong,
            RULE.score,
            format!("our server's check says {claimed} does not let {shown} send ({result})"),
        )
    } else if let Some(a) = dns.filter(|a| {
        let addresses = a.addresses();
        !addresses.is_empty()
            && crate::rules::dns_evidence::age(ctx, a).weight == 1.0
            && !addresses
                .iter()
                .any(|x| crate::netclass::same_block(*x, ip))
            && !rdns.is_some_and(|r| domain::same_registrable(r, &claimed))
            && !below_claims_helo
    }) {
        (
            Strength::Strong,
            RULE.score,
            format!("DNS says {helo} is {}, not {shown}", a.answers.join(", ")),
        )
    } else {
        return;
    };
    out.add_judged(
        &RULE,
        strength,
        score,
        vec![entry.index],
        format!(
            "At {}, the client greeted as {helo}, a host of the sender's own domain {claimed}, from {shown}; {why}.",
            hop_label(entry)
        ),
        json!({"hop": entry.index, "helo": helo, "claimed_domain": claimed, "ip": ip, "spf": spf, "rdns": rdns}),
    );
}
