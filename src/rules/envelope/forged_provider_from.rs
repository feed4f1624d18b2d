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
    strength: crate::rules::Strength::Strong,
    concern: crate::rules::Concern::Identity,
    group: "provider-from",
    summary: "From is a big provider's address (gmail.com, outlook.com, ...) but no sender our servers recorded is that provider's",
    docs: "## What it checks
When the From address is at a big provider (gmail.com, yahoo.com, outlook.com, hotmail.com,
aol.com, icloud.com, proton.me, gmx.de, yandex.ru, mail.ru, ...), whether any sender our
servers recorded (the entry hop and the hops above it) was one of that provider's servers:
a reverse name the receiver recorded under the provider's domains, or an address in the
networks the provider publishes (its profile, `hopsleuth profiles`). Lines below the entry
hop are the sender's text and are not counted, and a HELO is a claim. A message re-sent by
a list or forwarder (sent to one of its addresses on the way, with the envelope sender in
its domain) is not asked: its From is a member's.

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
    if ctx.hops.is_empty() {
        return;
    }
    // Only the senders our servers recorded: the lines below the entry hop are the
    // sender's text, and one fake `from mail-wr1-f54.google.com` line there proves nothing.
    // A message a list or forwarder re-sent is not asked: it was addressed to an address of
    // the relay on its way (To, Cc, a `for`) and the envelope sender our server recorded is
    // in that relay's domain (the list's bounce address). Its From is a member's address,
    // and whether the provider handed it to the relay is beyond what our servers recorded.
    if relayed_by(ctx, provider).is_some() {
        return;
    }
    // On a mailbox the provider itself hosts, its internal hops above the entry are its
    // delivery to us, not its sending: only the entry's sender can show it sent.
    let ours = if ctx.trust.profile == Some(provider.id.as_str()) {
        ctx.outside()
            .last()
            .map(std::slice::from_ref)
            .unwrap_or(&[])
    } else {
        ctx.ours_and_entry()
    };
    if ours
        .iter()
        .any(|h| providers::sender_is_provider(h, provider).is_some())
    {
        return;
    }
    // A provider whose whole list of sending networks the profile lacks for the message's
    // time can be shown only by a reverse name; where our receiver records none (Exchange Online writes the HELO
    // alone), the entry's claim is all there is, and its absence is no evidence.
    if !provider.lists_senders_at(ctx.received_at().map(|(ts, _)| ts))
        && let Some(e) = ctx.entry()
        && e.from.rdns.is_none()
        && !e.from.rdns_unknown
        && e.helo_name()
            .is_some_and(|helo| providers::is_provider_host(helo, provider))
    {
        return;
    }
    let senders: Vec<String> = ours
        .iter()
        .map(|h| {
            let name = h
                .from
                .rdns
                .as_deref()
                .or(h.from.helo.as_deref())
                .unwrap_or("?");
            format!("{name} [{}]", h.from.ip_or("no address"))
        })
        .collect();
    let below = ctx.below_entry().len();
    let below_note = match below {
        0 => String::new(),
        1 => " (the line below the entry hop was written by the sender and proves nothing)".into(),
        n => format!(
            " (the {n} lines below the entry hop were written by the sender and prove nothing)"
        ),
    };
    out.add(
        &RULE,
        ctx.entry().map(|e| vec![e.index]).unwrap_or_default(),
        format!(
            "The message claims to be from {from_addr}, a {} address, but no sender our servers recorded is a {} server: by reverse name or by the networks {} publishes{below_note}.",
            provider.short, provider.short, provider.short
        ),
        json!({"from": from_addr, "provider": provider.short, "profile": provider.id, "provider_host_domains": provider.host_domains, "senders_recorded": senders, "hosts_seen": ctx.hops.iter().filter_map(|h| h.by.host.clone()).collect::<Vec<_>>()}),
    );
}

/// The list or forwarder address the message was re-sent from: it was sent to one on its
/// way, and the envelope sender our server recorded is in that address's domain (the
/// list's bounce address).
///
/// Not when the envelope sender is at the claimed provider itself: spam "from" a Hotmail
/// address sent to other Hotmail addresses is no list.
fn relayed_by<'a>(ctx: &'a Ctx<'_>, provider: &providers::Provider) -> Option<&'a str> {
    use crate::message::envelope::EnvelopeSource as S;
    let mail_from = ctx.envelope.mail_from.as_ref()?;
    // Only what our delivery wrote or the caller gave: not a sender's `envelope-from`.
    if !matches!(mail_from.source, S::Cli | S::ReturnPath | S::MboxFrom) {
        return None;
    }
    let d = crate::message::headers::domain_of(&mail_from.value)?;
    let d = crate::domain::registrable_public(&d).unwrap_or(d);
    if provider.names_host(&d) {
        return None;
    }
    super::explanations::relay_address(ctx, &d)
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
