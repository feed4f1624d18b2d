//! HELO009: trace syntax inside a HELO: a client writing its own Received clauses.

use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;

/// HELO009.
pub const RULE: Rule = Rule {
    id: "HELO009",
    name: "helo-trace-syntax",
    score: 3.0,
    strength: Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "helo-injection",
    summary: "a client's HELO contains Received syntax (`by`, `with`, `[address]`, `;`): an attempt to plant a fake hop in our own line",
    docs: "## What it checks
The parser notes a HELO argument that contains trace syntax: words like `by`, `with` or
`id`, a bracketed address, a `;` before a date. No mail software greets that way; a client
that does wants a naive reader of our line to take its words for our server's record (a
planted peer address, a fake `by` host). On the entry hop, where our server wrote the line
around the client's words, it is strong; on a line below the entry, which the sender wrote
anyway, weak.

## Why it matters
A line our server wrote is the one piece of evidence the sender cannot choose, except for
what it says in HELO. Planting trace syntax there is forgery aimed at the reader.

## Example
`Received: from [185.26.156.44] (helo=mail.bank.example by mx.google.com with ESMTPS id x)
by mx1.ours.example with esmtp ...`

## False positives
None known from real mail software.

## References
RFC 5321 §4.1.1.1 (HELO takes a domain or an address literal).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    for h in ctx.outside() {
        if !h
            .notes
            .iter()
            .any(|n| n.starts_with(crate::received::HELO_TRACE_SYNTAX))
        {
            continue;
        }
        let at_entry = h.index == entry.index;
        let (strength, score) = if at_entry {
            (Strength::Strong, RULE.score)
        } else {
            (Strength::Weak, 1.0)
        };
        out.add_judged(
            &RULE,
            strength,
            score,
            vec![h.index],
            format!(
                "At {}, the client's HELO contains Received syntax ({:?}): it wrote words meant to be read as a receiver's record{}.",
                hop_label(h),
                h.from.helo.as_deref().unwrap_or("?"),
                if at_entry { ", inside the line our own server wrote" } else { "" }
            ),
            json!({"hop": h.index, "helo": h.from.helo, "entry": at_entry}),
        );
    }
}
