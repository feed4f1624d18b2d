//! ENV003: the Message-ID was made in another domain than From's.

use super::explanations::{authenticated_from, from_domain, from_is_the_list};
use crate::domain;
use crate::message::headers::domain_of;
use crate::rules::providers;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// ENV003.
pub const RULE: Rule = Rule {
    id: "ENV003",
    name: "message-id-domain-mismatch",
    score: 0.2,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "message-id",
    summary: "the Message-ID was made in another domain than From's (weak)",
    docs: "## What it checks
Whether the domain on the right of the Message-ID's `@` is in a different registrable
domain from the From address.

Three honest reasons do not fire it:

* From is an address of a list the message was sent to, and the envelope sender or Sender
  is the list's bounce address (a list that rewrites From for DMARC keeps the author's
  Message-ID);
* the Message-ID was made by a big provider (Google, Microsoft, Yahoo, Apple, ...) or a
  sending platform (Amazon SES, Google Groups, QQ, Fastmail) whose servers handled the
  message before our entry hop, unless it also runs our side (Exchange Online and Gmail
  write a Message-ID into mail that arrives without one): a custom domain hosted there
  (`From: ...@paul-moore.com`, `Message-ID: <...@mail.gmail.com>`, sent by Google);
* an Authentication-Results field of ours says DKIM or DMARC passed for the From domain.

## Why it matters
The Message-ID is usually made by the software that wrote the message, on a host of the
sender's domain. A mismatch hints the message was composed elsewhere. It is weak evidence.

## Example
`From: alerts@bank.example` with `Message-ID: <1234.5678@vps-17.cheap-hosting.example>`.

## False positives
Mail composed on a personal machine or a CRM and sent through the company's server (the
Message-ID names the machine: `kroah.com` for a `linuxfoundation.org` address), and
organisations with several domains. Before the reasons above it fired on 23% of the modern
ham corpus.

## References
RFC 5322 §3.6.4.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((from_addr, fd)) = from_domain(ctx) else {
        return;
    };
    let Some(mid) = &ctx.headers.message_id else {
        return;
    };
    let value = mid.value.trim().trim_matches(['<', '>']);
    let Some(d) = domain_of(value) else { return };
    let Some(md) = domain::registrable_public(&d) else {
        return;
    };
    if md == fd
        || from_is_the_list(ctx, &from_addr, &fd)
        || made_by_a_platform_that_sent_it(ctx, &md)
        || authenticated_from(ctx, &fd).is_some()
    {
        return;
    }
    out.add(
        &RULE,
        Vec::new(),
        format!("The Message-ID was made in {md}, not in {fd}, the domain of the From address {from_addr}."),
        json!({"from": from_addr, "from_domain": fd, "message_id": mid.value, "message_id_domain": md}),
    );
}

/// Sending platforms that write Message-IDs in their own domain for their customers' mail,
/// with the host domains their servers send from. The big providers of
/// provider profiles (`crate::profiles`) are the rest.
const PLATFORMS: &[(&str, &[&str])] = &[
    ("googlegroups.com", &["google.com"]),
    ("amazonses.com", &["amazonses.com"]),
    ("qq.com", &["qq.com"]),
    ("fastmail.com", &["messagingengine.com", "fastmail.com"]),
];

/// True when the Message-ID's domain (`md`, registrable) belongs to a big provider or a
/// sending platform whose servers handled the message before us: a hop below our entry
/// was received by one, or one sent a hop at or below the entry as its receiver recorded.
/// Not when that provider also runs our side (our entry or topmost hop was received by
/// it): Exchange Online and Gmail write a Message-ID into mail that arrives without one, so
/// theirs proves nothing about the sender, and an inferred boundary may sit inside them.
fn made_by_a_platform_that_sent_it(ctx: &Ctx<'_>, md: &str) -> bool {
    let sender_side = || {
        let below = ctx
            .below_entry()
            .iter()
            .filter_map(|h| h.by.host.as_deref());
        let senders = ctx.outside().iter().filter_map(|h| h.from.rdns.as_deref());
        below.chain(senders)
    };
    let our_side = || {
        [ctx.entry(), ctx.top()]
            .into_iter()
            .flatten()
            .filter_map(|h| h.by.host.as_deref())
    };
    if let Some(provider) = crate::profiles::all().iter().find(|p| {
        p.address_domains
            .iter()
            .chain(&p.host_domains)
            .any(|d| d == md)
    }) {
        let theirs = |h: &str| providers::is_provider_host(h, provider);
        return sender_side().any(theirs) && !our_side().any(theirs);
    }
    PLATFORMS.iter().any(|(platform, host_domains)| {
        let theirs =
            |h: &str| domain::registrable(h).is_some_and(|r| host_domains.contains(&r.as_str()));
        *platform == md && sender_side().any(theirs) && !our_side().any(theirs)
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::envelope::fixtures::{
        HOP, list_munged, matching, mismatched, signed_forgery,
    };
    use crate::test_support::fired;

    #[test]
    fn identities() {
        let m = mismatched();
        assert!(fired(&m, "ENV003"));
        let ok = matching();
        assert!(!fired(&ok, "ENV003"));
    }

    /// A list that rewrites From for DMARC keeps the author's Message-ID.
    #[test]
    fn lists_explain_the_mismatch() {
        let munged = list_munged();
        assert!(!fired(&munged, "ENV003"));
    }

    /// An Authentication-Results the sender wrote (below our entry hop) vouches for nothing.
    #[test]
    fn forgeries_are_not_excused() {
        let (ours, theirs) = signed_forgery();
        assert!(fired(&theirs, "ENV003"));
        // Our own server's verdict: the From domain signed it.
        assert!(!fired(&ours, "ENV003"));
    }

    /// A Message-ID made by a provider counts only when that provider handled the message.
    #[test]
    fn provider_message_ids() {
        let google = "Received: from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54]) by mx.b-corp.com (Postfix) with ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\nFrom: p@a-corp.com\nMessage-ID: <CAF1@mail.gmail.com>\n\nx";
        assert!(!fired(google, "ENV003"));
        let elsewhere = format!("{HOP}From: p@a-corp.com\nMessage-ID: <CAF1@mail.gmail.com>\n\nx");
        assert!(fired(&elsewhere, "ENV003"));
    }
}
