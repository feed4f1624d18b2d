//! DATE003: the Date header is hours or days before the message reached our server.

use super::arrival::{HOUR, gap};
use crate::rules::{Ctx, Findings, Rule};

/// DATE003.
pub const RULE: Rule = Rule {
    id: "DATE003",
    name: "date-in-past",
    score: 2.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "date",
    summary: "the Date header is hours or days before the message reached our server",
    docs: "## What it checks
The Date header against the time our entry hop received the message (the topmost dated hop
when there is no entry hop). Bands: 3-6 h earlier 0.5, 6-12 h 0.8, 12-24 h 1.0,
24-96 h 1.5, over 96 h 2.0 (the default score is the top band).

## Why it matters
A message is written moments before it is sent. Spam runs reuse old templates with stale
dates; forgers copy headers from old mail.

## Example
Date `Mon, 1 Jan 2024 08:00:00 +0000`, entry hop at 2024-01-03T09:00:00Z: 49 hours.

## False positives
Messages queued for long on a laptop that was offline, delayed bounces, retries after a
long outage, and mail re-sent or imported from archives.

## References
SpamAssassin DATE_IN_PAST_03_06 ... DATE_IN_PAST_96_XX.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(gap) = gap(ctx) else { return };
    if gap.diff <= 3 * HOUR {
        return;
    }
    let score = match gap.diff {
        d if d <= 6 * HOUR => 0.5,
        d if d <= 12 * HOUR => 0.8,
        d if d <= 24 * HOUR => 1.0,
        d if d <= 96 * HOUR => 1.5,
        _ => 2.0,
    };
    let (hours, hop) = (gap.hours(), gap.hop);
    out.add_scored(
        &RULE,
        score,
        vec![hop],
        format!("The Date header is {hours:.1} hours before our server received the message (hop {hop})."),
        gap.evidence(),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{findings, fired};

    const HOP: &str = "Received: from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\n";

    #[test]
    fn bands() {
        let past = format!("{HOP}Date: Sat, 30 Dec 2023 10:00:00 +0000\n\nx");
        let f = findings(&past);
        let p = f.iter().find(|f| f.rule == "DATE003").expect("DATE003");
        assert_eq!(p.score, 1.5);
        let fine = format!("{HOP}Date: Mon, 1 Jan 2024 09:59:58 +0000\n\nx");
        assert!(!fired(&fine, "DATE003"));
    }
}
