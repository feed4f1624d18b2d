//! DATE004: the Date header is hours after the message reached our server.

use super::arrival::{HOUR, gap};
use crate::rules::{Ctx, Findings, Rule};

/// DATE004.
pub const RULE: Rule = Rule {
    id: "DATE004",
    name: "date-in-future",
    score: 2.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "date",
    summary: "the Date header is hours after the message reached our server",
    docs: "## What it checks
The Date header against the time our entry hop received the message. Bands: 3-6 h later
1.0, 6-12 h 1.5, 12-24 h 2.0, over 24 h 2.5 (the default score is the top band).

## Why it matters
A message cannot be written after it arrived. Future dates keep spam at the top of
date-sorted mailboxes; forgers get time zones wrong.

## Example
Date `Tue, 2 Jan 2024 20:00:00 +0000`, entry hop at 2024-01-02T09:00:00Z: 11 hours later.

## False positives
A sender whose clock or time zone is wrong (a local time written with +0000).

## References
SpamAssassin DATE_IN_FUTURE_03_06 ... DATE_IN_FUTURE_96_XX.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(gap) = gap(ctx) else { return };
    if -gap.diff <= 3 * HOUR {
        return;
    }
    let score = match -gap.diff {
        d if d <= 6 * HOUR => 1.0,
        d if d <= 12 * HOUR => 1.5,
        d if d <= 24 * HOUR => 2.0,
        _ => 2.5,
    };
    let hop = gap.hop;
    out.add_scored(
        &RULE,
        score,
        vec![hop],
        format!(
            "The Date header is {:.1} hours after our server received the message (hop {hop}).",
            -gap.hours()
        ),
        gap.evidence(),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::fired;

    const HOP: &str = "Received: from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\n";

    #[test]
    fn hours_after_arrival() {
        let future = format!("{HOP}Date: Mon, 1 Jan 2024 20:00:00 +0000\n\nx");
        assert!(fired(&future, "DATE004"));
        let fine = format!("{HOP}Date: Mon, 1 Jan 2024 09:59:58 +0000\n\nx");
        assert!(!fired(&fine, "DATE004"));
    }
}
