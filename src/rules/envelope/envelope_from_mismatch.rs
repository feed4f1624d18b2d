//! ENV001: the envelope sender or Sender is in another domain than From.

use super::explanations::{authenticated_from, from_domain, header_domain, relay_address};
use crate::domain;
use crate::message::headers::domain_of;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// ENV001.
pub const RULE: Rule = Rule {
    id: "ENV001",
    name: "envelope-from-mismatch",
    score: 0.3,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "envelope-from",
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
corpus (nearly all of it list mail; see `tests/integration/near_misses.rs`). What still fires:
newsletters of an email service provider that uses its own bounce domain when no
authentication verdict of ours is in the message (without DKIM or DMARC a forged From with
the forger's own bounce address looks the same: that is why the score stays 0.3); a
Sender who posts on someone's behalf; calendar and ticketing systems.

## References
RFC 5321 §4.4 (Return-Path); RFC 5322 §3.6.2 (From, Sender); DMARC alignment (RFC 7489).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some((from_addr, fd)) = from_domain(ctx) else {
        return;
    };
    let mut mismatches = Vec::new();
    // A domain the message was sent to on its way (a list, a forwarder) re-sent it.
    let relayed_by = |d: &str| relay_address(ctx, d).is_some();
    if let Some(m) = &ctx.envelope.mail_from
        && let Some(d) = domain_of(&m.value)
    {
        let rd = domain::registrable_public(&d).unwrap_or(d);
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
        &RULE,
        Vec::new(),
        format!(
            "The message says it is from {from_addr} ({fd}) but {} is in another domain.",
            names.join(" and ")
        ),
        json!({"from": from_addr, "from_domain": fd, "mismatches": mismatches}),
    );
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
        assert!(fired(&m, "ENV001"));
        let ok = matching();
        assert!(!fired(&ok, "ENV001"));
    }

    /// A list re-sends with its own bounce address and Sender, or rewrites From to itself.
    #[test]
    fn lists_explain_the_mismatch() {
        let list = format!(
            "{HOP}Return-Path: <cheese-bounces@lists.c-org.net>\nDelivered-To: y@b-corp.com\nSender: cheese-bounces@lists.c-org.net\nFrom: Kate <kate@a-corp.com>\nTo: cheese@lists.c-org.net\nMessage-ID: <1@mail.a-corp.com>\n\nx"
        );
        assert!(!fired(&list, "ENV001"));
        let munged = list_munged();
        assert!(!fired(&munged, "ENV001"));
    }

    /// The forger's own bounce address is not an address the message was sent to, and an
    /// Authentication-Results the sender wrote (below our entry hop) vouches for nothing.
    #[test]
    fn forgeries_are_not_excused() {
        let (ours, theirs) = signed_forgery();
        assert!(fired(&theirs, "ENV001"));
        // Our own server's verdict: the From domain signed it.
        assert!(!fired(&ours, "ENV001"));
        // Our own recipient in To does not make our domain a list.
        let to_us = format!(
            "{HOP}Return-Path: <x@b-corp.com>\nDelivered-To: y@b-corp.com\nFrom: Pay <pay@a-corp.com>\nTo: y@b-corp.com\n\nx"
        );
        assert!(fired(&to_us, "ENV001"));
    }
}
