//! IP002: an X-Originating-IP or X-Sender-IP that no hop of the path could have written.

use crate::rules::hops::hop_label;
use crate::rules::our_names::is_submission;
use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;
use std::net::IpAddr;

/// IP002.
pub const RULE: Rule = Rule {
    id: "IP002",
    name: "forged-originating-ip",
    score: 3.0,
    strength: Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "originating-ip",
    summary: "an X-Originating-IP or X-Sender-IP names a client no hop of the path took the message from",
    docs: "## What it checks
X-Originating-IP and X-Sender-IP record the client a webmail or submission server took the
message from. One below the entry hop's Received line arrived with the message. It is
forged when the path leaves no server that could have written it: nothing below the entry
(the entry's client is where the message started, and our server recorded it), the entry
is no submission (no authentication, HTTP or local hand-off), and the field names another
address than the one our server recorded, and our own side's authentication check found no
pass (SPF, DKIM or DMARC) for the sender: an authorised mail system can write the field
for its user without a line of its own. An honest webmail writes its own Received line for
the browser's submission, or sends from the address it names.

## Why it matters
Abuse desks read X-Originating-IP as the sender's true address. Planting one sends the
complaint to someone else.

## Example
    Received: from vps-77-91-3-14.cheaphost.example ([77.91.3.14]) by mx1.ours.example ...
    X-Originating-IP: [194.48.122.71]

## False positives
A server that writes the field for mail handed to it by a program on the same machine
(a web form) without a Received line of its own: the field then names the web visitor.
Those messages carry the field on every message from that server; `[scores] IP002 = 0`.

## References
The de-facto X-Originating-IP field (Hotmail, Exchange, webmail packages).",
    source: file!(),
    check,
};

/// The address a field names (`[203.0.113.5]`, or bare).
fn address(value: &str) -> Option<IpAddr> {
    let v = value.trim().trim_start_matches('[').trim_start();
    let v = v
        .strip_prefix("IPv6:")
        .or_else(|| v.strip_prefix("ipv6:"))
        .unwrap_or(v);
    v.split([']', ' ', ',']).next()?.parse().ok()
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    if !ctx.below_entry().is_empty() || is_submission(entry) {
        return;
    }
    let Some(recorded) = entry.from.ip else {
        return;
    };
    // Our side's own check found the sender's mail system authorised for the message's own
    // domains (From, envelope sender): a DMARC pass, or SPF or DKIM passing for one of them.
    // That system can have written the field for its user; a pass for any other domain
    // (the forger's own) says nothing about it.
    let own = ctx.sender_domains();
    let of_own = |v: &str| {
        crate::domain::registrable(v.rsplit_once('@').map_or(v, |(_, d)| d))
            .is_some_and(|d| own.contains(&d))
    };
    let authorised = ctx.our_auth_results().flat_map(|a| a.results()).any(|r| {
        r.result == "pass"
            && match r.method.as_str() {
                "dmarc" => true,
                "spf" => r.property("smtp.mailfrom").is_some_and(of_own),
                "dkim" => r
                    .property("header.d")
                    .or(r.property("header.i"))
                    .is_some_and(of_own),
                _ => false,
            }
    });
    if authorised {
        return;
    }
    let planted = ctx.headers.trace.originating_ips.iter().find_map(|f| {
        if f.received_above <= entry.header_index {
            return None; // written by our side
        }
        let ip = address(&f.value)?;
        (ip.to_canonical() != recorded.to_canonical()).then_some((f, ip))
    });
    let Some((field, ip)) = planted else { return };
    out.add(
        &RULE,
        vec![entry.index],
        format!(
            "The message arrived with {}: {}, but no server on its path took it from that client: {} received it straight from {}, which wrote no line of its own.",
            field.name,
            crate::text::ip_string(ip),
            hop_label(entry),
            crate::text::ip_string(recorded)
        ),
        json!({"field": field.name, "claimed_ip": ip, "entry_ip": recorded, "hop": entry.index}),
    );
}
