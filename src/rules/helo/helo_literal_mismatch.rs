//! HELO001: the entry hop's HELO is an address literal that is not the connecting address.

use super::entry_helo::{entry_helo, evidence};
use crate::received::parse_written_ip;
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};

/// HELO001.
pub const RULE: Rule = Rule {
    id: "HELO001",
    name: "helo-literal-mismatch",
    score: 2.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "helo",
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
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((e, helo)) = entry_helo(ctx) else {
        return;
    };
    if !helo.starts_with('[') {
        return;
    }
    let (Some(claimed), Some(ip)) = (parse_written_ip(helo.as_bytes()), e.from.ip) else {
        return;
    };
    if ip == claimed.addr {
        return;
    }
    out.add(
        &RULE,
        vec![e.index],
        format!(
            "At {}, the sender gave its address as {helo} in HELO but connected from {ip}.",
            hop_label(e)
        ),
        evidence(e, helo),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{entry, fired};

    #[test]
    fn a_literal_that_is_not_the_connecting_address() {
        assert!(fired(
            &entry("[10.0.0.7] (host.isp-example.net [81.169.145.4])"),
            "HELO001"
        ));
        assert!(!fired(
            &entry("[81.169.145.4] (host.isp-example.net [81.169.145.4])"),
            "HELO001"
        ));
    }
}
