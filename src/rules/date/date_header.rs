//! DATE001-DATE004: the Date header missing, invalid, or far from when the message arrived.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// DATE001.
pub const MISSING: Rule = Rule {
    id: "DATE001",
    name: "date-missing",
    score: 1.0,
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
    check: check_missing,
};

/// DATE002.
pub const INVALID: Rule = Rule {
    id: "DATE002",
    name: "date-invalid",
    score: 1.0,
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
    check: check_invalid,
};

/// DATE003.
pub const PAST: Rule = Rule {
    id: "DATE003",
    name: "date-in-past",
    score: 2.0,
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
    check: |ctx, out| check_band(ctx, out, Direction::Past),
};

/// DATE004.
pub const FUTURE: Rule = Rule {
    id: "DATE004",
    name: "date-in-future",
    score: 2.5,
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
    check: |ctx, out| check_band(ctx, out, Direction::Future),
};

fn check_missing(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    if ctx.headers.date.is_none() {
        out.add(
            &MISSING,
            Vec::new(),
            "The message has no Date header.".into(),
            json!({"date": null}),
        );
    }
}

fn check_invalid(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    if let Some(d) = &ctx.headers.date
        && d.timestamp.is_none()
    {
        out.add(
            &INVALID,
            Vec::new(),
            format!("The Date header does not parse: {:?}.", d.value),
            json!({"date": d.raw}),
        );
    }
}

const HOUR: i64 = 3600;

#[derive(PartialEq)]
enum Direction {
    Past,
    Future,
}

fn check_band(ctx: &Ctx<'_>, out: &mut Findings<'_>, direction: Direction) {
    let Some(date) = ctx.headers.date.as_ref() else {
        return;
    };
    let Some(written) = date.timestamp else {
        return;
    };
    let Some((received, hop)) = ctx.received_at() else {
        return;
    };
    let diff = received - written; // positive: written before it was received
    let hours = diff as f64 / HOUR as f64;
    // Built only when the band is left (most messages stay inside it).
    let evidence = || json!({"date": date.raw, "date_utc": date.utc, "received_hop": hop, "received_utc": crate::date::rfc3339_utc(received), "difference_s": diff});
    if direction == Direction::Past && diff > 3 * HOUR {
        let score = match diff {
            d if d <= 6 * HOUR => 0.5,
            d if d <= 12 * HOUR => 0.8,
            d if d <= 24 * HOUR => 1.0,
            d if d <= 96 * HOUR => 1.5,
            _ => 2.0,
        };
        out.add_scored(&PAST, score, vec![hop], format!("The Date header is {hours:.1} hours before our server received the message (hop {hop})."), evidence());
    } else if direction == Direction::Future && -diff > 3 * HOUR {
        let score = match -diff {
            d if d <= 6 * HOUR => 1.0,
            d if d <= 12 * HOUR => 1.5,
            d if d <= 24 * HOUR => 2.0,
            _ => 2.5,
        };
        out.add_scored(
            &FUTURE,
            score,
            vec![hop],
            format!(
                "The Date header is {:.1} hours after our server received the message (hop {hop}).",
                -hours
            ),
            evidence(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, fired};

    const HOP: &str = "Received: from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\n";

    #[test]
    fn missing_invalid_and_bands() {
        let none = format!("{HOP}From: a@b-corp.com\n\nx");
        assert!(fired(&none, "DATE001"));
        let bad = format!("{HOP}Date: the twelfth\n\nx");
        assert!(fired(&bad, "DATE002"));
        let past = format!("{HOP}Date: Sat, 30 Dec 2023 10:00:00 +0000\n\nx");
        let f = findings(&past);
        let p = f.iter().find(|f| f.rule == "DATE003").expect("DATE003");
        assert_eq!(p.score, 1.5);
        let future = format!("{HOP}Date: Mon, 1 Jan 2024 20:00:00 +0000\n\nx");
        assert!(fired(&future, "DATE004"));
        let fine = format!("{HOP}Date: Mon, 1 Jan 2024 09:59:58 +0000\n\nx");
        assert!(!fired(&fine, "DATE003") && !fired(&fine, "DATE004"));
    }
}
