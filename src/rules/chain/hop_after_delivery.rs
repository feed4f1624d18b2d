//! CHAIN004: a hop dated after the topmost (delivering) hop.

use super::tolerance::future_tolerance;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// CHAIN004.
pub const RULE: Rule = Rule {
    id: "CHAIN004",
    name: "hop-after-delivery",
    score: 1.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "time",
    summary: "a hop is dated after the topmost hop, which our own server wrote at delivery",
    docs: "## What it checks
Every hop other than the topmost one is compared with the topmost hop's date (written by the
recipient's own server when it took the message): a hop dated more than the clock-skew
tolerance plus one hour later is reported (a whole hour is the commonest honest clock
error: daylight saving time written with the wrong offset).

## Why it matters
Nothing can have handled the message after our server delivered it. A hop dated in that
future was written by someone who did not know when the message would arrive: a forger
preparing lines in advance, or a sender with a badly wrong clock.

## Example
Topmost hop dated 2024-01-01 10:00, a hop below it dated 2024-01-02 09:00.

## False positives
A sending server whose clock or time zone is wrong by hours; mail re-sent from an archive.

## References
RFC 5321 §4.4.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(top) = ctx.top() else { return };
    let Some(top_ts) = top.timestamp else { return };
    let tolerance = future_tolerance(ctx.settings);
    let later: Vec<&crate::chain::hop::Hop> = ctx
        .hops
        .iter()
        .filter(|h| h.index != top.index && h.timestamp.is_some_and(|t| t - top_ts > tolerance))
        .collect();
    if later.is_empty() {
        return;
    }
    let what: Vec<String> = later
        .iter()
        .map(|h| {
            format!(
                "hop {} is dated {}s after delivery",
                h.index,
                h.timestamp.unwrap_or(top_ts) - top_ts
            )
        })
        .collect();
    out.add(
        &RULE,
        later.iter().map(|h| h.index).collect(),
        format!("Hops are dated after the message was delivered (hop {} at {}): {}.", top.index, top.date.as_deref().unwrap_or("?"), what.join("; ")),
        json!({
            "delivery_hop": top.index, "delivery_date": top.date, "tolerance_s": tolerance,
            "later": later.iter().map(|h| json!({"hop": h.index, "date": h.date, "after_s": h.timestamp.unwrap_or(top_ts) - top_ts})).collect::<Vec<_>>(),
        }),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

    #[test]
    fn a_hop_from_the_future() {
        let m = msg(&[
            "from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
            "from c.example.net (c.example.net [81.169.145.11]) by a.example.net (Postfix) with ESMTP id 2; Tue, 2 Jan 2024 09:00:00 +0000 (UTC)",
        ]);
        assert!(fired(&m, "CHAIN004"));
    }
}
