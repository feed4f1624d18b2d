//! HELO005: a HELO claiming a big provider's name from a host that is not the provider's.

use crate::rules::hops::hop_label;
use crate::rules::providers;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// HELO005.
pub const RULE: Rule = Rule {
    id: "HELO005",
    name: "helo-claims-provider",
    score: 3.0,
    strength: crate::rules::Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "helo-impersonation",
    summary: "the entry hop's HELO claims a big provider (gmail.com, outlook.com, ...) from a host that is not theirs",
    docs: "## What it checks
Whether the entry hop's HELO names a host of a big mail provider (Google, Yahoo, Microsoft,
AOL, Apple, Proton, GMX, Yandex, Mail.ru) while the reverse name our server recorded for
the connection is not in that provider's domains, or was recorded as unknown. Where the
receiver records no reverse name (Exchange Online writes the HELO alone), whether the
recorded address is in the networks the provider publishes as sending from (its profile,
`hopsleuth profiles`): only when the profile has the provider's whole list from within four
years of the message (a 2017 list says nothing of 2002); otherwise no evidence there.

## Why it matters
Big providers' servers have matching reverse names. A client claiming `mail.gmail.com`
from someone else's address is impersonating the provider to borrow its reputation.

## Example
`Received: from mail.gmail.com (smtp.galangal-foods.com [81.169.145.4]) by mx.ours.example`.

## False positives
Hardly any: providers' outbound servers resolve to their own domains. A provider that
starts sending from a new domain or network needs adding to its profile (`profiles/`).

## References
SpamAssassin FORGED_GMAIL_RCVD, FORGED_YAHOO_RCVD, FORGED_HOTMAIL_RCVD (generalised).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(e) = ctx.entry() else { return };
    let Some(helo) = e.helo_name() else { return };
    let Some(provider) = providers::provider_of_host(helo) else {
        return;
    };
    if providers::sender_is_provider(e, provider).is_some() {
        return;
    }
    let rdns = e.from.rdns.as_deref();
    let ip = e.from.ip_or("?");
    let message = if rdns.is_some() || e.from.rdns_unknown {
        format!(
            "At {}, the sender claimed to be {helo} ({}) but connected from {} [{ip}].",
            hop_label(e),
            provider.short,
            rdns.unwrap_or("a host with no reverse name"),
        )
    } else if provider.lists_senders_at(ctx.received_at().map(|(ts, _)| ts)) && e.from.ip.is_some()
    {
        // A receiver that records no reverse names (Exchange Online writes the HELO alone)
        // still recorded the address, and the provider publishes where it sends from.
        format!(
            "At {}, the sender claimed to be {helo} ({}) but connected from {ip}, outside the networks {} publishes as sending from (profile {}, checked {}).",
            hop_label(e),
            provider.short,
            provider.short,
            provider.id,
            provider.checked
        )
    } else {
        return;
    };
    out.add(
        &RULE,
        vec![e.index],
        message,
        json!({"hop": e.index, "helo": helo, "provider": provider.short, "profile": provider.id, "provider_domains": provider.host_domains, "rdns": rdns, "ip": e.from.ip}),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

    #[test]
    fn impersonation_and_the_real_thing() {
        let fake = msg(&[
            "from mail.gmail.com (smtp.galangal-foods.com [81.169.145.4]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
        ]);
        assert!(fired(&fake, "HELO005"));
        let real = msg(&[
            "from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54]) by mx.b-corp.com (Postfix) with ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
        ]);
        assert!(!fired(&real, "HELO005"));
    }
}
