//! HELO002: the entry hop's sender called itself localhost from a non-loopback address.

use super::entry_helo::{entry_helo, evidence};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};

/// HELO002.
pub const RULE: Rule = Rule {
    id: "HELO002",
    name: "helo-localhost",
    score: 1.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "helo",
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
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((e, helo)) = entry_helo(ctx) else {
        return;
    };
    let h = helo.to_ascii_lowercase();
    if h != "localhost" && h != "localhost.localdomain" {
        return;
    }
    let loopback = e.from.ip.is_some_and(|ip| ip.is_loopback());
    if loopback || e.from.ip.is_none() {
        return;
    }
    out.add(
        &RULE,
        vec![e.index],
        format!(
            "At {}, a sender at {} called itself {helo}.",
            hop_label(e),
            e.from.ip_or("?")
        ),
        evidence(e, helo),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{entry, fired};

    #[test]
    fn localhost_from_outside() {
        assert!(fired(
            &entry("localhost (host.isp-example.net [81.169.145.4])"),
            "HELO002"
        ));
    }
}
