//! DATE005: a time zone offset no place on earth uses.

use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// DATE005.
pub const RULE: Rule = Rule {
    id: "DATE005",
    name: "absurd-timezone",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Identity,
    group: "date",
    summary: "a date carries an offset outside -12:00..+14:00 or not a multiple of 15 minutes",
    docs: "## What it checks
The offsets written in the Date header and in each hop's date: real zones lie between
-12:00 and +14:00 and are whole quarter hours.

## Why it matters
Date-writing code in mail clients and MTAs takes the zone from the system. An offset like
+1900 or -0317 comes from a generator filling in numbers.

## Example
`Date: Mon, 1 Jan 2024 10:00:00 +1900`.

## False positives
None known among real software; historic local mean time offsets predate e-mail.

## References
RFC 5322 §3.3 (zone); the IANA time zone database.",
    source: file!(),
    check,
};

fn absurd(offset_minutes: i32) -> bool {
    !(-720..=840).contains(&offset_minutes) || offset_minutes % 15 != 0
}

/// Offset in minutes of an RFC 3339 local date (`...+05:30`).
fn offset_of(local: &str) -> Option<i32> {
    let tail = local.get(local.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i32 = tail.get(1..3)?.parse().ok()?;
    let m: i32 = tail.get(4..6)?.parse().ok()?;
    Some(sign * (h * 60 + m))
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let mut bad: Vec<serde_json::Value> = Vec::new();
    let mut hops = Vec::new();
    if let Some(d) = &ctx.headers.date
        && let Some((parsed, _)) = crate::date::parse_date(d.value.as_bytes())
        && parsed.zone_given
        && absurd(parsed.offset_minutes)
    {
        bad.push(
            json!({"where": "Date header", "date": d.raw, "offset_minutes": parsed.offset_minutes}),
        );
    }
    for h in ctx.hops {
        if let Some(off) = h.date_local.as_deref().and_then(offset_of)
            && absurd(off)
        {
            hops.push(h.index);
            bad.push(json!({"where": format!("hop {}", h.index), "date": h.date_local, "offset_minutes": off}));
        }
    }
    if bad.is_empty() {
        return;
    }
    out.add(
        &RULE,
        hops,
        format!(
            "{} date(s) carry a time zone offset no real zone uses.",
            bad.len()
        ),
        json!(bad),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::fired;

    #[test]
    fn offsets() {
        assert!(super::absurd(19 * 60));
        assert!(super::absurd(-197));
        assert!(!super::absurd(330));
        assert!(!super::absurd(-720));
        let m = "Received: from a.example.net (a.example.net [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\nDate: Mon, 1 Jan 2024 10:00:00 +1900\n\nx";
        assert!(fired(m, "DATE005"));
    }
}
