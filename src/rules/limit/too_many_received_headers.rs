//! LIMIT001: more Received headers than the analyzer parses.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// LIMIT001.
pub const RULE: Rule = Rule {
    id: "LIMIT001",
    name: "too-many-received-headers",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "limit",
    summary: "more Received headers than max_hops: the bottom ones were not parsed",
    docs: "## What it checks
Whether the message has more Received headers than the `max_hops` limit (default 512).
The topmost ones (written by the servers closest to the recipient) are parsed; the rest
are counted here.

## Why it matters
Real mail crosses a handful of hops; RFC 5321 §6.3 suggests rejecting mail with more than
100. Thousands of Received lines are an attack on parsers or a mail loop.

## Example
A message with 10,000 `Received:` lines.

It fires only above the limit: a message with exactly `max_hops` Received headers has
every one parsed and nothing skipped.

## False positives
A mail loop between misconfigured servers (the message is broken, not forged).

## References
RFC 5321 §6.3 (loop detection).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let skipped = ctx.chain.skipped_hops;
    if skipped == 0 {
        return;
    }
    let total = skipped + ctx.hops.len();
    out.add(
        &RULE,
        Vec::new(),
        format!(
            "The message has {total} Received headers; only the topmost {} were parsed and the {skipped} below them were not (limit max_hops).",
            ctx.limits.max_hops
        ),
        json!({"received_headers": total, "max_hops": ctx.limits.max_hops, "skipped": skipped}),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::fired;

    fn with_hops(n: usize) -> String {
        let mut m = String::new();
        for i in 0..n {
            m.push_str(&format!(
                "Received: from r{i}.a-corp.com (r{i}.a-corp.com [81.169.145.10]) by r{}.a-corp.com (Postfix) with ESMTP id {i}; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\n",
                i + 1
            ));
        }
        m.push_str("From: x@a-corp.com\n\nbody\n");
        m
    }

    #[test]
    fn fires_only_above_the_limit() {
        let max = crate::Limits::default().max_hops;
        assert!(!fired(&with_hops(max), "LIMIT001"), "exactly max_hops");
        assert!(fired(&with_hops(max + 1), "LIMIT001"));
    }
}
