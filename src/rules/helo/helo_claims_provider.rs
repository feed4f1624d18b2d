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
    summary: "the entry hop's HELO claims a big provider (gmail.com, outlook.com, ...) from a host that is not theirs",
    docs: "## What it checks
Whether the entry hop's HELO names a host of a big mail provider (Google, Yahoo, Microsoft,
AOL, Apple, Proton, GMX, Yandex, Mail.ru) while the reverse name our server recorded for
the connection is not in that provider's domains, or was recorded as unknown. Formats that
never record a reverse name (Exchange) give no evidence either way.

## Why it matters
Big providers' servers have matching reverse names. A client claiming `mail.gmail.com`
from someone else's address is impersonating the provider to borrow its reputation.

## Example
`Received: from mail.gmail.com (smtp.galangal-foods.com [81.169.145.4]) by mx.ours.example`.

## False positives
Hardly any: providers' outbound servers resolve to their own domains. A provider that
starts sending from a new domain needs adding to the table.

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
    let rdns = e.from.rdns.as_deref();
    // Only a receiver that records reverse names can show the mismatch: Exchange and
    // others never write one, and a missing name there is no evidence.
    if rdns.is_none() && !e.from.rdns_unknown {
        return;
    }
    if rdns.is_some_and(|r| providers::is_provider_host(r, provider)) {
        return;
    }
    out.add(
        &RULE,
        vec![e.index],
        format!(
            "At {}, the sender claimed to be {helo} ({}) but connected from {} [{}].",
            hop_label(e),
            provider.name,
            rdns.unwrap_or("a host with no reverse name"),
            e.from.ip_or("?")
        ),
        json!({"hop": e.index, "helo": helo, "provider": provider.name, "provider_domains": provider.host_domains, "rdns": rdns, "ip": e.from.ip}),
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
