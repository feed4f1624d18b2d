//! ENV001-ENV003: sender identities in different domains.

use super::header_domain;
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

## Why it matters
Forged From addresses are usually sent with the forger's own envelope sender, since bounces
must reach someone. On its own this is very weak: it is how legitimate bulk mail works.

## Example
`Return-Path: <bounce-1234@mailer.example-esp.com>` with `From: billing@bank.example`.

## False positives
Mailing lists, newsletters sent through an email service provider (SES, SendGrid,
Mailchimp), forwarders using SRS, calendar and ticketing systems. Hence the small score.

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

## Why it matters
Business e-mail compromise and advance-fee fraud forge a trusted From and collect the
replies elsewhere (`From: ceo@company.example`, `Reply-To: ceo.company@freemail.example`).

## Example
`From: payroll@bieberdorf.edu` with `Reply-To: payroll-office@gmail.com`.

## False positives
Mailing lists that set Reply-To to the list; help-desk and marketing systems replying to a
ticketing domain.

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

## Why it matters
The Message-ID is usually made by the software that wrote the message, on a host of the
sender's domain. A mismatch hints the message was composed elsewhere. It is weak evidence.

## Example
`From: alerts@bank.example` with `Message-ID: <1234.5678@vps-17.cheap-hosting.example>`.

## False positives
Most mail sent through webmail providers, ESPs and cloud mail systems (Message-IDs from
`mail.gmail.com`, `amazonses.com`, `outlook.com`).

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
    if let Some(m) = &ctx.envelope.mail_from
        && let Some(d) = domain_of(&m.value)
    {
        let rd = domain::registrable(&d).unwrap_or(d);
        if rd != fd {
            mismatches.push(json!({"field": "envelope sender", "source": m.source, "address": m.value, "domain": rd}));
        }
    }
    if let Some((addr, d)) = header_domain(ctx.headers.sender.as_ref())
        && d != fd
    {
        mismatches.push(json!({"field": "Sender", "address": addr, "domain": d}));
    }
    if mismatches.is_empty() {
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
    if rd == fd {
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
    if md == fd {
        return;
    }
    out.add(
        &MESSAGE_ID,
        Vec::new(),
        format!("The Message-ID was made in {md}, not in {fd}, the domain of the From address {from_addr}."),
        json!({"from": from_addr, "from_domain": fd, "message_id": mid.value, "message_id_domain": md}),
    );
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
}
