//! HELO003: the entry hop's HELO is an IP address without brackets.

use super::entry_helo::{entry_helo, evidence};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};

/// HELO003.
pub const RULE: Rule = Rule {
    id: "HELO003",
    name: "helo-bare-ip",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "helo",
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
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((e, helo)) = entry_helo(ctx) else {
        return;
    };
    if helo.starts_with('[') || helo.parse::<std::net::IpAddr>().is_err() {
        return;
    }
    out.add(
        &RULE,
        vec![e.index],
        format!(
            "At {}, the sender's HELO was the bare address {helo}, not a name or [literal].",
            hop_label(e)
        ),
        evidence(e, helo),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{entry, fired};

    #[test]
    fn an_address_without_brackets() {
        assert!(fired(
            &entry("81.169.145.4 (host.isp-example.net [81.169.145.4])"),
            "HELO003"
        ));
    }
}
