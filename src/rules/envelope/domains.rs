//! ENV001-ENV003: sender identities in different domains.

use super::{authenticated_from, from_is_the_list, header_domain, is_relay_address, relay_address};
use crate::domain;
use crate::message::headers::domain_of;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// ENV001.
pub const ENVELOPE_FROM: Rule = Rule {
    id: "ENV001",
    name: "envelope-from-mismatch",
    score: 0.3,
    summary: "the envelope sender (Return-Path) or Sender is in another domain than From",
    docs: "## What it checks
The registrable domain of the envelope sender (Return-Path, or the other envelope sources)
and of the Sender header, against the From address's.

Two honest reasons are recognised and do not fire:

* a mailing list or forwarder re-sent the message: the mismatching domain is the domain of
  an address the message was sent to on its way (To, Cc, or the `for` clause of a hop;
  not the final recipients, nor the domain of the server that delivered it). Lists replace the envelope
  sender with their bounce address (RFC 5321 §3.9) and Mailman, Sympa and Google Groups
  set Sender to the list;
* the From domain vouched for the message: an Authentication-Results field above the
  entry hop's Received line (so written by our side, after our server took the message)
  says `dkim=pass` or `dmarc=pass` for the From domain. That is how an email service
  provider's newsletter looks when the customer signs it (SES, SendGrid, Mailchimp with
  their own bounce domain).

## Why it matters
Forged From addresses are usually sent with the forger's own envelope sender, since bounces
must reach someone. On its own this is very weak: it is how legitimate bulk mail works.

## Example
`Return-Path: <bounce-1234@mailer.example-esp.com>` with `From: billing@bank.example`.

## False positives
Before the two reasons above were recognised this rule fired on 84% of the modern ham
corpus (nearly all of it list mail; see `tests/near_misses.rs`). What still fires:
newsletters of an email service provider that uses its own bounce domain when no
authentication verdict of ours is in the message (without DKIM or DMARC a forged From with
the forger's own bounce address looks the same: that is why the score stays 0.3); a
Sender who posts on someone's behalf; calendar and ticketing systems.

## References
RFC 5321 §4.4 (Return-Path); RFC 5322 §3.6.2 (From, Sender); DMARC alignment (RFC 7489).",
    check: check_envelope_from,
};

/// ENV002.
pub const REPLY_TO: Rule = Rule {
    id: "ENV002",
    name: "reply-to-other-domain",
    score: 0.5,
    summary: "Reply-To sends answers to another domain than From",
    docs: "## What it checks
Whether the Reply-To address is in a different registrable domain from the From address.

Mailing lists do not fire it: when Reply-To is an address the message was sent to on its
way (a list that sets Reply-To to itself, in To, Cc or the `for` clause of a hop), or when
From is such an address and the envelope sender or Sender is the list's bounce address in
the same domain (a list that rewrites From to its own address for DMARC and puts the
author in Reply-To, as Mailman and Google Groups do; spam that copies its From into To has
no such bounce address).

## Why it matters
Business e-mail compromise and advance-fee fraud forge a trusted From and collect the
replies elsewhere (`From: ceo@company.example`, `Reply-To: ceo.company@freemail.example`).

## Example
`From: payroll@bieberdorf.edu` with `Reply-To: payroll-office@gmail.com`.

## False positives
Help-desk and marketing systems replying to a ticketing domain. Before the list cases
were recognised it fired on 16% of the modern ham corpus.

## References
RFC 5322 §3.6.2; FBI IC3 guidance on business e-mail compromise.",
    check: check_reply_to,
};

/// ENV003.
pub const MESSAGE_ID: Rule = Rule {
    id: "ENV003",
    name: "message-id-domain-mismatch",
    score: 0.2,
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
    check: check_message_id,
};

fn from_domain(ctx: &Ctx<'_>) -> Option<(String, String)> {
    header_domain(ctx.headers.from.as_ref())
}

fn check_envelope_from(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((from_addr, fd)) = from_domain(ctx) else {
        return;
    };
    let mut mismatches = Vec::new();
    // A domain the message was sent to on its way (a list, a forwarder) re-sent it.
    let relayed_by = |d: &str| relay_address(ctx, d).is_some();
    if let Some(m) = &ctx.envelope.mail_from
        && let Some(d) = domain_of(&m.value)
    {
        let rd = domain::registrable(&d).unwrap_or(d);
        if rd != fd && !relayed_by(&rd) {
            mismatches.push(json!({"field": "envelope sender", "source": m.source, "address": m.value, "domain": rd}));
        }
    }
    if let Some((addr, d)) = header_domain(ctx.headers.sender.as_ref())
        && d != fd
        && !relayed_by(&d)
    {
        mismatches.push(json!({"field": "Sender", "address": addr, "domain": d}));
    }
    if mismatches.is_empty() || authenticated_from(ctx, &fd).is_some() {
        return;
    }
    let names: Vec<String> = mismatches
        .iter()
        .map(|m| {
            format!(
                "{} <{}>",
                m["field"].as_str().unwrap_or("?"),
                m["address"].as_str().unwrap_or("?")
            )
        })
        .collect();
    out.add(
        &ENVELOPE_FROM,
        Vec::new(),
        format!(
            "The message says it is from {from_addr} ({fd}) but {} is in another domain.",
            names.join(" and ")
        ),
        json!({"from": from_addr, "from_domain": fd, "mismatches": mismatches}),
    );
}

fn check_reply_to(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((from_addr, fd)) = from_domain(ctx) else {
        return;
    };
    let Some((reply, rd)) = header_domain(ctx.headers.reply_to.as_ref()) else {
        return;
    };
    // A list: replies go to the list the message was sent to, or the list rewrote From to
    // its own address and put the author in Reply-To.
    if rd == fd || is_relay_address(ctx, &reply) || from_is_the_list(ctx, &from_addr, &fd) {
        return;
    }
    out.add(
        &REPLY_TO,
        Vec::new(),
        format!(
            "Replies to this message from {from_addr} go to {reply}, in another domain ({rd})."
        ),
        json!({"from": from_addr, "from_domain": fd, "reply_to": reply, "reply_to_domain": rd}),
    );
}

fn check_message_id(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((from_addr, fd)) = from_domain(ctx) else {
        return;
    };
    let Some(mid) = &ctx.headers.message_id else {
        return;
    };
    let value = mid.value.trim().trim_matches(['<', '>']);
    let Some(d) = domain_of(value) else { return };
    let Some(md) = domain::registrable(&d) else {
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
        &MESSAGE_ID,
        Vec::new(),
        format!("The Message-ID was made in {md}, not in {fd}, the domain of the From address {from_addr}."),
        json!({"from": from_addr, "from_domain": fd, "message_id": mid.value, "message_id_domain": md}),
    );
}

/// Sending platforms that write Message-IDs in their own domain for their customers' mail,
/// with the host domains their servers send from. The big providers of
/// [`domain::PROVIDERS`] are the rest.
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
    if let Some(provider) = domain::PROVIDERS.iter().find(|p| {
        p.address_domains
            .iter()
            .chain(p.host_domains)
            .any(|d| *d == md)
    }) {
        let theirs = |h: &str| domain::is_provider_host(h, provider);
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
    use crate::rules::test_support::fired;

    const HOP: &str = "Received: from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\nDate: Mon, 1 Jan 2024 09:59:58 +0000\n";

    #[test]
    fn identities() {
        let m = format!(
            "{HOP}Return-Path: <bounce@esp-mailer.net>\nFrom: Pay <pay@a-corp.com>\nReply-To: pay.office@freemail-example.com\nMessage-ID: <1@vps.cheap-hosting.net>\n\nx"
        );
        assert!(fired(&m, "ENV001"));
        assert!(fired(&m, "ENV002"));
        assert!(fired(&m, "ENV003"));
        let ok = format!(
            "{HOP}Return-Path: <pay@a-corp.com>\nFrom: Pay <pay@a-corp.com>\nReply-To: billing@a-corp.com\nMessage-ID: <1@mail.a-corp.com>\n\nx"
        );
        assert!(!fired(&ok, "ENV001") && !fired(&ok, "ENV002") && !fired(&ok, "ENV003"));
    }

    /// A list re-sends with its own bounce address and Sender; a list that rewrites From
    /// puts the author in Reply-To.
    #[test]
    fn lists_explain_the_mismatch() {
        let list = format!(
            "{HOP}Return-Path: <cheese-bounces@lists.c-org.net>\nDelivered-To: y@b-corp.com\nSender: cheese-bounces@lists.c-org.net\nFrom: Kate <kate@a-corp.com>\nTo: cheese@lists.c-org.net\nMessage-ID: <1@mail.a-corp.com>\n\nx"
        );
        assert!(!fired(&list, "ENV001"));
        let munged = format!(
            "{HOP}Return-Path: <cheese-bounces@lists.c-org.net>\nDelivered-To: y@b-corp.com\nFrom: Kate via Cheese <cheese@lists.c-org.net>\nReply-To: kate@a-corp.com\nTo: cheese@lists.c-org.net\nMessage-ID: <1@mail.a-corp.com>\n\nx"
        );
        assert!(!fired(&munged, "ENV001"));
        assert!(!fired(&munged, "ENV002"));
        assert!(!fired(&munged, "ENV003"));
    }

    /// The forged cases keep firing: the forger's own bounce address and collecting address
    /// are not addresses the message was sent to, and an Authentication-Results the sender
    /// wrote (below our entry hop) vouches for nothing.
    #[test]
    fn forgeries_are_not_excused() {
        let forged = format!(
            "Authentication-Results: mx.evil-mailer.net; dkim=pass header.d=a-corp.com; dmarc=pass header.from=a-corp.com\n{HOP}Return-Path: <bounce@evil-mailer.net>\nDelivered-To: y@b-corp.com\nFrom: Pay <pay@a-corp.com>\nReply-To: pay.office@freemail-example.com\nTo: y@b-corp.com\nMessage-ID: <1@vps.cheap-hosting.net>\n\nx"
        );
        // Written above our (only) Received line: ours. Move it below: the sender's.
        let (ar, rest) = forged.split_once('\n').unwrap();
        let (hop, tail) = rest.split_once('\n').unwrap();
        let below = format!("{hop}\n{ar}\n{tail}");
        assert!(fired(&below, "ENV001"));
        assert!(fired(&below, "ENV002"));
        assert!(fired(&below, "ENV003"));
        // Our own server's verdict: the From domain signed it.
        assert!(!fired(&forged, "ENV001"));
        assert!(!fired(&forged, "ENV003"));
        assert!(
            fired(&forged, "ENV002"),
            "a signed message can still collect replies elsewhere"
        );
        // Our own recipient in To does not make our domain a list.
        let ours = format!(
            "{HOP}Return-Path: <x@b-corp.com>\nDelivered-To: y@b-corp.com\nFrom: Pay <pay@a-corp.com>\nTo: y@b-corp.com\n\nx"
        );
        assert!(fired(&ours, "ENV001"));
        // Spam "from" its victim: From copied into To, replies collected elsewhere.
        let self_addressed = format!(
            "{HOP}Return-Path: <pay@a-corp.com>\nFrom: pay@a-corp.com\nTo: pay@a-corp.com\nReply-To: loans402@freemail-example.com\n\nx"
        );
        assert!(fired(&self_addressed, "ENV002"));
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
