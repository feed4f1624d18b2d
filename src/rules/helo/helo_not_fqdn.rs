//! HELO004: the entry hop's HELO is a single label, not a fully qualified name.

use super::entry_helo::{entry_helo, evidence};
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};

/// HELO004.
pub const RULE: Rule = Rule {
    id: "HELO004",
    name: "helo-not-fqdn",
    score: 0.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "helo",
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
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
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
        &RULE,
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
    use crate::test_support::{entry, fired};

    #[test]
    fn a_bare_machine_name() {
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
