//! ENV005: a recipient the headers do not show (blind copy). Informational.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// ENV005.
pub const RULE: Rule = Rule {
    id: "ENV005",
    name: "bcc-recipient",
    score: 0.0,
    strength: crate::rules::Strength::Info,
    concern: crate::rules::Concern::Identity,
    group: "bcc",
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
    // Hashed: one look-up per recipient, not a search of To and Cc.
    let named: crate::small_map::SmallSet<&str> = visible.iter().map(String::as_str).collect();
    let hidden: Vec<&crate::message::envelope::EnvelopeValue> = ctx
        .envelope
        .rcpt_to
        .iter()
        .filter(|r| {
            r.value.contains('@') && !named.contains_key(r.value.to_ascii_lowercase().as_str())
        })
        .collect();
    if hidden.is_empty() {
        return;
    }
    let listed = &hidden[..hidden.len().min(LISTED)];
    let mut names = listed
        .iter()
        .map(|r| r.value.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if hidden.len() > LISTED {
        names.push_str(&format!(" and {} more", hidden.len() - LISTED));
    }
    let mut evidence = json!({
        "hidden": listed,
        "to_and_cc": &visible[..visible.len().min(LISTED)],
    });
    // Counts only when a list was cut, so an ordinary report keeps its shape.
    if hidden.len() > LISTED {
        evidence["hidden_count"] = json!(hidden.len());
    }
    if visible.len() > LISTED {
        evidence["to_and_cc_count"] = json!(visible.len());
    }
    out.add(
        &RULE,
        Vec::new(),
        format!(
            "Delivered to {names} although the To and Cc headers do not name {}: a blind copy, list or alias.",
            if hidden.len() == 1 { "it" } else { "them" }
        ),
        evidence,
    );
}

/// Addresses listed at most in the finding (the rest are counted): a header of 200,000
/// recipients must not make a finding as large.
const LISTED: usize = 1024;

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

    #[test]
    fn long_lists_are_cut_and_counted() {
        let many: Vec<String> = (0..1100).map(|i| format!("u{i}@b-corp.com")).collect();
        let m = format!(
            "Delivered-To: {}\nReceived: by mx.b-corp.com; Mon, 1 Jan 2024 00:00:00 +0000\nTo: {}\nFrom: x@a-corp.com\n\nx",
            many.join(", "),
            (0..1100)
                .map(|i| format!("t{i}@a-corp.com"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let f = crate::test_support::findings(&m);
        let bcc = f.iter().find(|f| f.rule == "ENV005").expect("ENV005");
        assert_eq!(
            bcc.evidence["hidden"].as_array().map(Vec::len),
            Some(super::LISTED)
        );
        assert_eq!(bcc.evidence["hidden_count"], 1100);
        assert_eq!(bcc.evidence["to_and_cc_count"], 1100);
        assert!(bcc.message.contains("and 76 more"), "{}", bcc.message);
    }
}
