//! CHAIN003: time runs backwards between consecutive hops.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// CHAIN003.
pub const RULE: Rule = Rule {
    id: "CHAIN003",
    name: "time-reversal",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "time",
    summary: "a hop is dated earlier than the hop below it, beyond the clock-skew tolerance",
    docs: "## What it checks
The signed delay between consecutive dated hops (`delay_s`): a hop dated more than the
clock-skew tolerance (default 600 s, `[checks] clock_skew_s`) before the hop below it.
Reversals of at most 30 minutes are `info`: one server's clock 10-20 minutes off is the
commonest honest reversal (96.4% of the 2,415 reversals in the legitimate corpora are within
30 minutes; the judgement suite prints the distribution). Larger ones are `weak`: times
alone never make a path forged (a replayed chain is CHAIN009's).

## Why it matters
A message cannot leave a server before it arrived there. Forgers who write Received lines by
hand pick dates carelessly; genuine servers disagree by seconds, not minutes.

## Example
Hop 1 dated 10:00:00, hop 2 dated 09:41:12: a delay of -1128 s.

## False positives
Servers with wrong clocks or wrong time zones (a +0000 written for local time), and mail
held in a queue by a server whose clock was later corrected. Inside our own trusted hops
the finding scores half.

## References
RFC 5321 §4.4 (the time stamp is when the receiver accepted the message).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let tolerance = ctx.settings.clock_skew();
    let mut backwards = Vec::new();
    let mut previous: Option<&crate::chain::hop::Hop> = None;
    for h in ctx.hops {
        let Some(ts) = h.timestamp else { continue };
        if let Some(p) = previous
            && let Some(pts) = p.timestamp
            && ts - pts < -tolerance
        {
            backwards.push((p, h, ts - pts));
        }
        previous = Some(h);
    }
    if backwards.is_empty() {
        return;
    }
    let all_trusted = backwards
        .iter()
        .all(|(p, h, _)| ctx.is_trusted(p) && ctx.is_trusted(h));
    let score = if all_trusted {
        RULE.score / 2.0
    } else {
        RULE.score
    };
    let what: Vec<String> = backwards
        .iter()
        .map(|(p, h, d)| format!("hop {} is dated {}s before hop {}", h.index, -d, p.index))
        .collect();
    // One server's clock a few minutes off is the commonest honest reversal: information,
    // not a mark (see `tolerance::ONE_SERVER_SKEW_S`).
    let largest = backwards.iter().map(|(_, _, d)| -d).max().unwrap_or(0);
    let strength = if largest <= super::tolerance::ONE_SERVER_SKEW_S {
        crate::rules::Strength::Info
    } else {
        crate::rules::Strength::Weak
    };
    out.add_judged(
        &RULE,
        strength,
        score,
        backwards.iter().map(|(_, h, _)| h.index).collect(),
        format!("Time runs backwards: {} (tolerance {tolerance}s).", what.join("; ")),
        json!({
            "tolerance_s": tolerance,
            "reversals": backwards.iter().map(|(p, h, d)| json!({
                "earlier_hop": p.index, "earlier_date": p.date, "later_hop": h.index, "later_date": h.date, "delay_s": d
            })).collect::<Vec<_>>(),
        }),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

    #[test]
    fn backwards_beyond_tolerance() {
        let m = msg(&[
            "from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 09:40:00 +0000 (UTC)",
            "from c.example.net (c.example.net [81.169.145.11]) by a.example.net (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
        ]);
        assert!(fired(&m, "CHAIN003"));
        let ok = msg(&[
            "from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 09:59:00 +0000 (UTC)",
            "from c.example.net (c.example.net [81.169.145.11]) by a.example.net (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
        ]);
        assert!(!fired(&ok, "CHAIN003"));
    }
}
