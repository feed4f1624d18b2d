//! ENV005: a recipient the headers do not show (blind copy). Informational.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// ENV005.
pub const RULE: Rule = Rule {
    id: "ENV005",
    name: "bcc-recipient",
    score: 0.0,
    summary: "an envelope recipient is in neither To nor Cc (a blind copy; informational)",
    docs: "## What it checks
Each envelope recipient (Delivered-To, X-Original-To, Envelope-To, Received `for`, or
`--rcpt-to`) against the To and Cc addresses.

## Why it matters
It tells the analyst this copy was delivered as a blind copy, or through a list or alias:
who else may have received the message, and why this mailbox got it. It is not evidence of
forgery and scores nothing.

## Example
`Delivered-To: alice@ours.example` with `To: team@partner.example`.

## False positives
Not applicable (informational): mailing lists, aliases and forwarding all produce it.

## References
RFC 5322 §3.6.3 (Bcc).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let visible: Vec<String> = [&ctx.headers.to, &ctx.headers.cc]
        .into_iter()
        .flatten()
        .flat_map(|h| h.addresses.iter().map(|a| a.to_ascii_lowercase()))
        .collect();
    let hidden: Vec<&crate::message::envelope::EnvelopeValue> = ctx
        .envelope
        .rcpt_to
        .iter()
        .filter(|r| r.value.contains('@') && !visible.contains(&r.value.to_ascii_lowercase()))
        .collect();
    if hidden.is_empty() {
        return;
    }
    out.add(
        &RULE,
        Vec::new(),
        format!(
            "Delivered to {} although the To and Cc headers do not name {}: a blind copy, list or alias.",
            hidden.iter().map(|r| r.value.as_str()).collect::<Vec<_>>().join(", "),
            if hidden.len() == 1 { "it" } else { "them" }
        ),
        json!({"hidden": hidden, "to_and_cc": visible}),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::fired;

    #[test]
    fn blind_copy() {
        let m = "Delivered-To: alice@b-corp.com\nTo: team@a-corp.com\nFrom: x@a-corp.com\n\nx";
        assert!(fired(m, "ENV005"));
        let direct =
            "Delivered-To: alice@b-corp.com\nTo: Alice <alice@b-corp.com>\nFrom: x@a-corp.com\n\nx";
        assert!(!fired(direct, "ENV005"));
    }
}
