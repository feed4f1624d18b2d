//! DATE002: the Date header does not parse as a date.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// DATE002.
pub const RULE: Rule = Rule {
    id: "DATE002",
    name: "date-invalid",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "date",
    summary: "the Date header does not parse as a date",
    docs: "## What it checks
Whether the Date header parses (RFC 5322 syntax, leniently: obsolete zones, two-digit
years and missing seconds are accepted).

## Why it matters
Mail clients write valid dates. Garbage there comes from spam tools and hand-made messages.

## Example
`Date: Tuesday the 12th` or `Date: 32 Jan 2024 25:00:00 +0000`.

## False positives
Very old clients with local date formats.

## References
RFC 5322 §3.3; SpamAssassin INVALID_DATE.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    if let Some(d) = &ctx.headers.date
        && d.timestamp.is_none()
    {
        out.add(
            &RULE,
            Vec::new(),
            format!("The Date header does not parse: {:?}.", d.value),
            json!({"date": d.raw}),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::fired;

    const HOP: &str = "Received: from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\n";

    #[test]
    fn a_date_that_does_not_parse() {
        let bad = format!("{HOP}Date: the twelfth\n\nx");
        assert!(fired(&bad, "DATE002"));
    }
}
