//! DATE001: the message has no Date header.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// DATE001.
pub const RULE: Rule = Rule {
    id: "DATE001",
    name: "date-missing",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "date",
    summary: "the message has no Date header",
    docs: "## What it checks
Whether the message has a Date header.

## Why it matters
RFC 5322 §3.6 requires one; every real mail client writes it. Bulk senders and hand-made
messages leave it out.

## Example
A message whose headers are only Received, From, To and Subject.

## False positives
Some automated notices from badly written scripts; messages mangled by a broken gateway.

## References
RFC 5322 §3.6 (Date is required); SpamAssassin MISSING_DATE.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    if ctx.headers.date.is_none() {
        out.add(
            &RULE,
            Vec::new(),
            "The message has no Date header.".into(),
            json!({"date": null}),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::fired;

    const HOP: &str = "Received: from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\n";

    #[test]
    fn no_date_header() {
        let none = format!("{HOP}From: a@b-corp.com\n\nx");
        assert!(fired(&none, "DATE001"));
    }
}
