//! ENV002: Reply-To sends answers to another domain than From.

use super::explanations::{from_domain, from_is_the_list, header_domain, is_relay_address};
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// ENV002.
pub const RULE: Rule = Rule {
    id: "ENV002",
    name: "reply-to-other-domain",
    score: 0.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "reply-to",
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
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
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
        &RULE,
        Vec::new(),
        format!(
            "Replies to this message from {from_addr} go to {reply}, in another domain ({rd})."
        ),
        json!({"from": from_addr, "from_domain": fd, "reply_to": reply, "reply_to_domain": rd}),
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
        assert!(fired(&m, "ENV002"));
        let ok = matching();
        assert!(!fired(&ok, "ENV002"));
    }

    /// A list that rewrites From to its own address puts the author in Reply-To.
    #[test]
    fn lists_explain_the_mismatch() {
        let munged = list_munged();
        assert!(!fired(&munged, "ENV002"));
    }

    /// The forger's collecting address is not an address the message was sent to.
    #[test]
    fn forgeries_are_not_excused() {
        let (ours, theirs) = signed_forgery();
        assert!(fired(&theirs, "ENV002"));
        assert!(
            fired(&ours, "ENV002"),
            "a signed message can still collect replies elsewhere"
        );
        // Spam "from" its victim: From copied into To, replies collected elsewhere.
        let self_addressed = format!(
            "{HOP}Return-Path: <pay@a-corp.com>\nFrom: pay@a-corp.com\nTo: pay@a-corp.com\nReply-To: loans402@freemail-example.com\n\nx"
        );
        assert!(fired(&self_addressed, "ENV002"));
    }
}
