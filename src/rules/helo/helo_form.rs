//! HELO001-HELO004: the form of the entry hop's HELO argument.

use super::helo_word;
use crate::received::parse_written_ip;
use crate::rules::{Ctx, Findings, Rule, hop_label};
use serde_json::json;

/// HELO001.
pub const LITERAL_MISMATCH: Rule = Rule {
    id: "HELO001",
    name: "helo-literal-mismatch",
    score: 2.0,
    summary: "the entry hop's HELO is an address literal that is not the connecting address",
    docs: "## What it checks
The entry hop's HELO argument, when it is an address literal (`[192.0.2.1]`), against the
address our server recorded for the connection.

## Why it matters
RFC 5321 §4.1.3 lets a client without a name give its own address in brackets: its own,
the one it connects from. A different address is a lie, and a common bot habit (the
address of a machine behind NAT, or one copied from elsewhere).

## Example
`Received: from [10.0.0.7] (dsl-1-2-3-4.isp.example [81.169.145.4]) by mx.ours.example`.

## False positives
Clients behind NAT that announce their private address (mobile mail apps, some home
routers): genuine, but not an RFC-conforming client.

## References
RFC 5321 §4.1.3, §4.1.4; SpamAssassin HELO_MISMATCH_IP.",
    check: check_literal,
};

/// HELO002.
pub const LOCALHOST: Rule = Rule {
    id: "HELO002",
    name: "helo-localhost",
    score: 1.5,
    summary: "the entry hop's sender called itself localhost from a non-loopback address",
    docs: "## What it checks
Whether the entry hop's HELO is `localhost` or `localhost.localdomain` while the connection
came from an address that is not loopback.

## Why it matters
A mail server on the internet has a name; `localhost` from outside is a misconfigured
script or a bot.

## Example
`Received: from localhost (host81-169-145-4.isp.example [81.169.145.4]) by mx.ours.example`.

## False positives
Badly configured small servers and appliances (printers, NAS boxes) sending directly.

## References
RFC 5321 §4.1.1.1 (the argument is the client's FQDN); SpamAssassin HELO_LOCALHOST.",
    check: check_localhost,
};

/// HELO003.
pub const BARE_IP: Rule = Rule {
    id: "HELO003",
    name: "helo-bare-ip",
    score: 1.0,
    summary: "the entry hop's HELO is an IP address without brackets",
    docs: "## What it checks
Whether the entry hop's HELO is an IP address written without the brackets RFC 5321
requires for an address literal.

## Why it matters
Conforming clients send a name or `[address]`; a bare address is typical of bots and
spam software.

## Example
`Received: from 81.169.145.4 (host.isp.example [81.169.145.4]) by mx.ours.example`.

## False positives
Some old or embedded mail clients.

## References
RFC 5321 §4.1.3; SpamAssassin HELO_NO_DOMAIN / RCVD_NUMERIC_HELO.",
    check: check_bare_ip,
};

/// HELO004.
pub const NOT_FQDN: Rule = Rule {
    id: "HELO004",
    name: "helo-not-fqdn",
    score: 0.5,
    summary: "the entry hop's HELO is a single label, not a fully qualified name",
    docs: "## What it checks
Whether the entry hop's HELO is a name without a dot (`DESKTOP-4G7`, `mailserver`).

## Why it matters
RFC 5321 asks for the client's fully qualified domain name. Servers on the internet send
one; desktop machines and bots send their bare machine names.

## Example
`Received: from DESKTOP-4G7K2 (host.isp.example [81.169.145.4]) by mx.ours.example`.

## False positives
Small office servers with lazy configuration; clients submitting through an ISP relay
directly to us.

## References
RFC 5321 §4.1.1.1, §2.3.5; SpamAssassin HELO_NO_DOMAIN.",
    check: check_not_fqdn,
};

fn entry_helo<'a>(ctx: &Ctx<'a>) -> Option<(&'a crate::report::Hop, &'a str)> {
    let e = ctx.entry()?;
    if e.kind != crate::received::Kind::Smtp {
        return None;
    }
    Some((e, helo_word(e)?))
}

fn evidence(e: &crate::report::Hop, helo: &str) -> serde_json::Value {
    json!({"hop": e.index, "helo": helo, "ip": e.from.ip, "rdns": e.from.rdns})
}

fn check_literal(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((e, helo)) = entry_helo(ctx) else {
        return;
    };
    if !helo.starts_with('[') {
        return;
    }
    let (Some(claimed), Some(ip)) = (parse_written_ip(helo.as_bytes()), e.from.ip.as_deref())
    else {
        return;
    };
    if ip.parse::<std::net::IpAddr>().ok() == Some(claimed.addr) {
        return;
    }
    out.add(
        &LITERAL_MISMATCH,
        vec![e.index],
        format!(
            "At {}, the sender gave its address as {helo} in HELO but connected from {ip}.",
            hop_label(e)
        ),
        evidence(e, helo),
    );
}

fn check_localhost(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((e, helo)) = entry_helo(ctx) else {
        return;
    };
    let h = helo.to_ascii_lowercase();
    if h != "localhost" && h != "localhost.localdomain" {
        return;
    }
    let loopback = e
        .from
        .ip
        .as_deref()
        .and_then(|s| s.parse::<std::net::IpAddr>().ok())
        .is_some_and(|ip| ip.is_loopback());
    if loopback || e.from.ip.is_none() {
        return;
    }
    out.add(
        &LOCALHOST,
        vec![e.index],
        format!(
            "At {}, a sender at {} called itself {helo}.",
            hop_label(e),
            e.from.ip.as_deref().unwrap_or("?")
        ),
        evidence(e, helo),
    );
}

fn check_bare_ip(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((e, helo)) = entry_helo(ctx) else {
        return;
    };
    if helo.starts_with('[') || helo.parse::<std::net::IpAddr>().is_err() {
        return;
    }
    out.add(
        &BARE_IP,
        vec![e.index],
        format!(
            "At {}, the sender's HELO was the bare address {helo}, not a name or [literal].",
            hop_label(e)
        ),
        evidence(e, helo),
    );
}

fn check_not_fqdn(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((e, helo)) = entry_helo(ctx) else {
        return;
    };
    let lower = helo.to_ascii_lowercase();
    if helo.contains('.')
        || helo.starts_with('[')
        || helo.contains(':')
        || lower == "localhost"
        || helo.parse::<std::net::IpAddr>().is_ok()
    {
        return;
    }
    out.add(
        &NOT_FQDN,
        vec![e.index],
        format!(
            "At {}, the sender's HELO {helo:?} is not a fully qualified domain name.",
            hop_label(e)
        ),
        evidence(e, helo),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fired, msg};

    fn entry(from: &str) -> String {
        msg(&[&format!(
            "from {from} by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
        )])
    }

    #[test]
    fn forms() {
        assert!(fired(
            &entry("[10.0.0.7] (host.isp-example.net [81.169.145.4])"),
            "HELO001"
        ));
        assert!(!fired(
            &entry("[81.169.145.4] (host.isp-example.net [81.169.145.4])"),
            "HELO001"
        ));
        assert!(fired(
            &entry("localhost (host.isp-example.net [81.169.145.4])"),
            "HELO002"
        ));
        assert!(fired(
            &entry("81.169.145.4 (host.isp-example.net [81.169.145.4])"),
            "HELO003"
        ));
        assert!(fired(
            &entry("DESKTOP-4G7 (host.isp-example.net [81.169.145.4])"),
            "HELO004"
        ));
        assert!(!fired(
            &entry("mail.a-corp.com (mail.a-corp.com [81.169.145.4])"),
            "HELO004"
        ));
    }
}
