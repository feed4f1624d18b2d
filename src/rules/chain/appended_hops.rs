//! CHAIN005: Received lines appended below the real ones by a forger.

use crate::chain::continuity::LinkVerdict;
use crate::domain;
use crate::netclass;
use crate::received::Kind;
use crate::report::Hop;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// CHAIN005.
pub const RULE: Rule = Rule {
    id: "CHAIN005",
    name: "appended-fake-hops",
    score: 5.0,
    summary: "Received lines below the entry hop were written by the sender, not by the hosts they name",
    docs: "## What it checks
Everything below the entry hop was written by whoever sent the message. This rule looks for
the marks a forger leaves when appending invented Received lines there, and reports the
hops it judges forger-written in one finding, with each reason:

* the sender lied about its name to our server (HELO `galangal.org`, reverse name
  `turmeric.com`) while a hop below claims to have been received `by` the name it gave;
* continuity breaks below the entry hop;
* hops dated after the entry hop, running backwards, or before the Date header;
* no recorded IP on a network hop in the format of an MTA that always records one
  (Postfix, Sendmail, Exim, qmail, Exchange);
* a line whose format does not match what its `by` host writes elsewhere in the chain, or
  a Postfix line without the `(TZ)` comment Postfix always writes after the date;
* a private-address hop received by a host that then relayed over the internet (weak);
* a host outside the configured relay path.

It fires when at least two different kinds of mark add up to a weight of 2 (the
false-name mark weighs 1.5, the others 1; the private-address mark only adds 0.5 and is
not one of the two kinds, and a loopback hand-off is never one: it is a machine talking to
itself). Without DNS the
false-name mark alone cannot tell a forger from an honest server on a line with a generic
reverse name, so no single kind of mark is enough. With DNS it can: when the HELO name
resolves to the sender's address the HELO was true and the mark is dropped; when neither
the name nor its registrable domain exists (NXDOMAIN for both, on a message younger than
`dns_fresh_days`) it was invented, and the mark (weight 2) decides alone. An internal name
of an existing domain is not enough: servers behind NAT greet with those.

## Why it matters
Forgers add fake lines at the bottom to make a message look as if it came from somewhere
else (RFC 5321 §4.4: receivers only ever prepend). The lines above the entry hop cannot be
faked; the ones below can, and rarely fit together.

## Example
    Received: from galangal.org () by mail.bieberdorf.edu (8.8.5)
    Received: from lemongrass.org by galangal.org (8.7.3)
    Received: from graprao.com by lemongrass.org (8.6.4)
Sendmail always records the peer's address; the two lower lines have none, and their
dates run backwards.

## False positives
Old or exotic MTAs with sparse formats; mailing lists and forwarders that re-inject mail
(their lines are genuine but look unusual); badly set clocks.

## References
RFC 5321 §4.4; the classic \"appended Received lines\" case of SMTP forensics texts.",
    check,
};

/// MTA families whose Received lines always carry the peer's address.
const ALWAYS_RECORD_IP: &[&str] = &["postfix", "sendmail", "exim", "qmail", "exchange"];

struct Signal {
    hop: usize,
    kind: &'static str,
    detail: String,
    weight: f64,
}

fn helo_name(h: &Hop) -> Option<&str> {
    h.from
        .helo
        .as_deref()
        .and_then(|s| s.split_whitespace().next())
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    let below = ctx.below_entry();
    if below.is_empty() {
        return;
    }
    let tolerance = crate::rules::future_tolerance(ctx.settings);
    let mut signals: Vec<Signal> = Vec::new();
    // With DNS, a HELO name that does not exist was invented: that mark alone decides.
    let mut decisive = false;

    // The sender lied about its name, and lines below claim that name as their receiver.
    if let (Some(helo), Some(rdns)) = (helo_name(entry), entry.from.rdns.as_deref()) {
        let (hd, rd) = (domain::registrable(helo), domain::registrable(rdns));
        // What DNS says about the HELO name today, for the sender's address family.
        let ip = entry
            .from
            .ip
            .as_deref()
            .and_then(|s| s.parse::<std::net::IpAddr>().ok());
        let helo_dns = ctx
            .dns
            .zip(ip)
            .and_then(|(d, ip)| d.address(helo, ip.is_ipv6()).map(|a| (a, ip)))
            .filter(|(a, _)| !a.rcode.is_failure());
        // The name resolves to the sender: the HELO was true, whatever the reverse name.
        let honest = helo_dns.is_some_and(|(a, ip)| a.addresses().contains(&ip));
        // Invented: neither the name nor its whole domain exists (an internal name of a real
        // domain is not public, and that is no lie), and the message is fresh (a domain can
        // lapse in later years).
        let domain_missing = ctx.dns.is_some_and(|d| {
            crate::dns::plan::helo_domain_question(entry)
                .and_then(|q| d.get(&q))
                .is_some_and(|a| a.rcode == crate::dns::Rcode::NxDomain)
        });
        let invented = domain_missing
            && helo_dns.is_some_and(|(a, _)| {
                a.rcode == crate::dns::Rcode::NxDomain
                    && crate::rules::dns::age(ctx, a).weight == 1.0
            });
        let dns_note = match helo_dns {
            Some((a, ip)) if invented => format!(
                "; DNS says neither {} nor its domain exists ({ip} sent it)",
                a.name.trim_end_matches('.')
            ),
            Some((a, ip)) => format!(
                "; DNS says {} is {}, not {ip}",
                a.name.trim_end_matches('.'),
                if a.answers.is_empty() {
                    "no address".to_string()
                } else {
                    a.answers.join(", ")
                }
            ),
            None => String::new(),
        };
        if let (Some(hd), Some(rd)) = (hd, rd)
            && hd != rd
            && !honest
        {
            for h in below
                .iter()
                .filter(|h| h.by.host.as_deref().is_some_and(|b| domain::within(b, &hd)))
            {
                decisive |= invented;
                signals.push(Signal {
                        hop: h.index,
                        kind: "received-by-false-helo-name",
                        detail: format!(
                            "claims to be received by {}, the name the sender gave in HELO ({helo}) although our server recorded its address as {rdns}{dns_note}",
                            h.by.host.as_deref().unwrap_or("?")
                        ),
                        weight: if invented { 2.0 } else { 1.5 },
                    });
            }
        }
    }

    // Continuity breaks below the entry hop: the older hop's receiver never sent the newer.
    for l in ctx
        .links
        .iter()
        .filter(|l| l.to_hop <= entry.index && l.verdict == LinkVerdict::Mismatch)
    {
        signals.push(Signal {
            hop: l.from_hop,
            kind: "continuity-break",
            detail: format!(
                "received by {} but the next hop came from {}",
                l.receiver.as_deref().unwrap_or("?"),
                l.sender_rdns
                    .as_deref()
                    .or(l.sender_helo.as_deref())
                    .or(l.sender_ip.as_deref())
                    .unwrap_or("?")
            ),
            weight: 1.0,
        });
    }

    // Time: after the entry hop, backwards, or before the Date header.
    let date_header = ctx.headers.date.as_ref().and_then(|d| d.timestamp);
    for (i, h) in below.iter().enumerate() {
        let Some(ts) = h.timestamp else { continue };
        if let Some(ets) = entry.timestamp
            && ts - ets > tolerance
        {
            signals.push(Signal {
                hop: h.index,
                kind: "dated-after-entry",
                detail: format!("dated {}s after the entry hop", ts - ets),
                weight: 1.0,
            });
            continue;
        }
        if let Some(next_ts) = below.get(i + 1).and_then(|n| n.timestamp)
            && ts - next_ts > tolerance
        {
            signals.push(Signal {
                hop: h.index,
                kind: "time-backwards",
                detail: format!("dated {}s after the hop above it", ts - next_ts),
                weight: 1.0,
            });
            continue;
        }
        if let Some(dts) = date_header
            && dts - ts > tolerance
        {
            signals.push(Signal {
                hop: h.index,
                kind: "before-date-header",
                detail: format!("dated {}s before the message's Date", dts - ts),
                weight: 1.0,
            });
        }
    }

    for h in below {
        // No address where the MTA always records one.
        if h.kind == Kind::Smtp
            && h.from.ip.is_none()
            && h.from.name.is_some()
            && let Some(mta) = h.mta.filter(|m| ALWAYS_RECORD_IP.contains(m))
        {
            signals.push(Signal {
                hop: h.index,
                kind: "no-recorded-ip",
                detail: format!("{mta} format but no peer address recorded"),
                weight: 1.0,
            });
        }
        // A Postfix line without the (TZ) comment Postfix writes after every date.
        if h.mta == Some("postfix") && h.date.is_some() && !h.raw.trim_end().ends_with(')') {
            signals.push(Signal {
                hop: h.index,
                kind: "format-mismatch",
                detail: "Postfix format without the (TZ) comment Postfix writes after the date"
                    .into(),
                weight: 1.0,
            });
        }
        // The same `by` host writing two different formats, judged against a line we can
        // believe (at or above the entry). `localhost` and bare labels name many machines,
        // and fetchmail is a retrieval client, not the host's MTA.
        let comparable =
            |by: &str| by.contains('.') && !domain::normalize(by).starts_with("localhost");
        if let Some(by) = h.by.host.as_deref().filter(|b| comparable(b)) {
            let other = ctx.hops.iter().find(|o| {
                o.index >= entry.index
                    && o.mta.is_some_and(|m| m != "fetchmail")
                    && h.mta != Some("fetchmail")
                    && o.mta != h.mta
                    && o.by
                        .host
                        .as_deref()
                        .is_some_and(|ob| domain::same_host(ob, by))
            });
            if let Some(o) = other {
                signals.push(Signal {
                    hop: h.index,
                    kind: "format-mismatch",
                    detail: format!(
                        "{by} writes {} format in hop {} but this line is {}",
                        o.mta.unwrap_or("?"),
                        o.index,
                        h.mta.unwrap_or("unrecognised")
                    ),
                    weight: 1.0,
                });
            }
        }
        // A private address received by a host that then sent the message over the internet.
        // Loopback is the same machine handing mail to itself (a content filter): no relay.
        let private = h
            .from
            .ip
            .as_deref()
            .and_then(|s| s.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| netclass::is_internal_range(ip) && !ip.is_loopback());
        let relayed_out = h.by.host.as_deref().is_some_and(|by| {
            [entry.from.rdns.as_deref(), helo_name(entry)]
                .into_iter()
                .flatten()
                .any(|s| domain::same_host(s, by))
        });
        if private && relayed_out {
            signals.push(Signal {
                hop: h.index,
                kind: "private-then-internet",
                detail: format!("private address {} received by {}, which then sent the message over the internet", h.from.ip.as_deref().unwrap_or("?"), h.by.host.as_deref().unwrap_or("?")),
                weight: 0.5,
            });
        }
        // Outside the configured relay path.
        let path = &ctx.settings.relay_path;
        if !path.is_empty()
            && let Some(by) =
                h.by.host
                    .as_deref()
                    .filter(|by| !path.iter().any(|p| domain::same_host(p, by)))
        {
            signals.push(Signal {
                hop: h.index,
                kind: "outside-relay-path",
                detail: format!("received by {by}, which is not in the relay path"),
                weight: 1.0,
            });
        }
    }

    let weight: f64 = signals.iter().map(|s| s.weight).sum();
    // Weak marks add weight but are not one of the two kinds of evidence required.
    let mut kinds: Vec<&str> = signals
        .iter()
        .filter(|s| s.weight >= 1.0)
        .map(|s| s.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    if (kinds.len() < 2 && !decisive) || weight < 2.0 {
        return;
    }
    let deepest = signals.iter().map(|s| s.hop).max().unwrap_or(0);
    let forged: Vec<usize> = below
        .iter()
        .map(|h| h.index)
        .filter(|&i| i <= deepest)
        .collect();
    let reasons: Vec<String> = signals
        .iter()
        .map(|s| format!("hop {}: {}", s.hop, s.detail))
        .collect();
    out.add(
        &RULE,
        forged.clone(),
        format!(
            "Hops {} below our entry hop {} look written by the sender, not by the hosts they name: {}.",
            forged.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "),
            entry.index,
            reasons.join("; ")
        ),
        json!({
            "entry_hop": entry.index,
            "forged_hops": forged,
            "signals": signals.iter().map(|s| json!({"hop": s.hop, "signal": s.kind, "detail": s.detail})).collect::<Vec<_>>(),
        }),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fired, msg};

    #[test]
    fn hand_appended_sendmail_lines() {
        let m = msg(&[
            "from galangal.org (turmeric.com [104.128.23.115]) by mail.bieberdorf.edu (8.8.5/8.8.5) with SMTP id AA1 for <w@bieberdorf.edu>; Mon, 1 Jan 2024 10:00:00 +0000",
            "from lemongrass.org by galangal.org (8.7.3/8.7.3) id AA2; Mon, 1 Jan 2024 09:59:00 +0000",
            "from graprao.com by lemongrass.org (8.6.4/8.6.4) id AA3; Tue, 2 Jan 2024 09:58:00 +0000",
        ]);
        assert!(fired(&m, "CHAIN005"));
    }

    #[test]
    fn genuine_sender_side_hops_do_not_fire() {
        let m = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTPS id 1 for <x@b-corp.com>; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "from pc1.a-corp.com (pc1.a-corp.com [10.1.1.5]) by mail.a-corp.com (Postfix) with ESMTPSA id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
        ]);
        assert!(!fired(&m, "CHAIN005"));
    }
}

#[cfg(test)]
mod dns_tests {
    use crate::dns::{QType, Rcode};
    use crate::rules::test_support::{findings_with_dns, msg};

    /// The sender greets as galangal.org, our server sees turmeric.com, and one line below
    /// claims to be received by galangal.org's server: a single kind of mark.
    fn message() -> String {
        "Delivered-To: y@b-corp.com\n".to_string()
            + &msg(&[
                "from galangal.org (mail.turmeric.com [81.169.145.66]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
                "from pc7.galangal.org (pc7.galangal.org [81.169.145.7]) by mail.galangal.org (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:01 +0000 (UTC)",
            ])
    }

    fn fired(helo_answer: (Rcode, &[&str])) -> bool {
        fired_with(helo_answer, Rcode::NxDomain)
    }

    fn fired_with(helo_answer: (Rcode, &[&str]), domain: Rcode) -> bool {
        findings_with_dns(
            &message(),
            &[
                ("galangal.org", QType::A, helo_answer.0, helo_answer.1),
                ("galangal.org", QType::Mx, domain, &[]),
            ],
        )
        .iter()
        .any(|f| f.rule == "CHAIN005")
    }

    #[test]
    fn dns_decides_the_false_helo_name_mark() {
        assert!(
            !crate::rules::test_support::fired(&message(), "CHAIN005"),
            "without DNS one kind of mark is not enough"
        );
        assert!(fired((Rcode::NxDomain, &[])), "an invented name decides");
        assert!(
            !fired((Rcode::NoError, &["81.169.145.66"])),
            "the name is the sender's: no mark"
        );
        assert!(
            !fired((Rcode::NoError, &["81.169.145.200"])),
            "elsewhere: still one kind only"
        );
        assert!(!fired((Rcode::ServFail, &[])), "a failure says nothing");
        assert!(
            !fired_with((Rcode::NxDomain, &[]), Rcode::NoError),
            "an unpublished name in an existing domain is not invented"
        );
        assert!(
            !fired_with((Rcode::NxDomain, &[]), Rcode::ServFail),
            "nor when the domain's existence is unknown"
        );
    }
}
