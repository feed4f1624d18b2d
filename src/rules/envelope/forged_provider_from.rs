//! ENV004: From claims a big provider, but the provider never handled the message.

use super::explanations::header_domain;
use crate::rules::providers;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// ENV004.
pub const RULE: Rule = Rule {
    id: "ENV004",
    name: "forged-provider-from",
    score: 2.5,
    summary: "From is a big provider's address (gmail.com, outlook.com, ...) but no hop passed that provider",
    docs: "## What it checks
When the From address is at a big provider (gmail.com, yahoo.com, outlook.com, hotmail.com,
aol.com, icloud.com, proton.me, gmx.de, yandex.ru, mail.ru, ...), whether any hop was
received by, or sent from, one of that provider's hosts.

## Why it matters
Mail from a freemail account leaves through the provider's own servers, which write their
Received lines. A gmail.com From without any Google hop was sent by someone else.

## Example
`From: someone@gmail.com` with a chain `from dsl-81-169-145-4.isp.example … by mx.ours.example`.

## False positives
Users sending through another provider's SMTP with their freemail address (rare now that
providers publish DMARC `p=reject`); forwarders that rewrite the whole chain.

## References
SpamAssassin FORGED_GMAIL_RCVD, FORGED_YAHOO_RCVD, FORGED_HOTMAIL_RCVD, FORGED_MUA_*.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((from_addr, _)) = header_domain(ctx.headers.from.as_ref()) else {
        return;
    };
    let Some(addr_domain) = crate::message::headers::domain_of(&from_addr) else {
        return;
    };
    let Some(provider) = providers::provider_of_address_domain(&addr_domain) else {
        return;
    };
    let handled = ctx.hops.iter().any(|h| {
        [h.by.host.as_deref(), h.from.rdns.as_deref()]
            .into_iter()
            .flatten()
            .any(|host| providers::is_provider_host(host, provider))
    });
    if handled || ctx.hops.is_empty() {
        return;
    }
    out.add(
        &RULE,
        Vec::new(),
        format!("The message claims to be from {from_addr}, a {} address, but none of its {} hops passed a {} server.", provider.name, ctx.hops.len(), provider.name),
        json!({"from": from_addr, "provider": provider.name, "provider_host_domains": provider.host_domains, "hosts_seen": ctx.hops.iter().filter_map(|h| h.by.host.clone()).collect::<Vec<_>>()}),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::fired;

    #[test]
    fn gmail_from_without_google() {
        let m = "Received: from pc (dsl.isp-example.net [81.169.145.4]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\nFrom: someone@gmail.com\n\nx";
        assert!(fired(m, "ENV004"));
        let real = "Received: from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54]) by mx.b-corp.com (Postfix) with ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\nFrom: someone@gmail.com\n\nx";
        assert!(!fired(real, "ENV004"));
    }

    /// AOL's mail leaves through Yahoo-named hosts, which AOL's provider entry lists.
    #[test]
    fn aol_mail_relayed_by_yahoo_hosts_is_not_forged() {
        let m = "Received: from sonic301-2.consmr.mail.bf2.yahoo.com (sonic301-2.consmr.mail.bf2.yahoo.com [74.6.129.41]) by mx.b-corp.com (Postfix) with ESMTPS id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)\n\
                 Delivered-To: y@b-corp.com\nFrom: someone@aol.com\nTo: y@b-corp.com\n\nx\n";
        assert!(!fired(m, "ENV004"));
    }
}
