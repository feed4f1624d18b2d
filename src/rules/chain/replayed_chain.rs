//! CHAIN009: lines copied from an older message, joined to an entry from elsewhere.

use crate::chain::continuity::Witness;
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// CHAIN009.
pub const RULE: Rule = Rule {
    id: "CHAIN009",
    name: "replayed-chain",
    score: 4.0,
    strength: crate::rules::Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "replay",
    summary: "lines below the entry are dated a day or more before the hop above them, and nothing joins the two",
    docs: "## What it checks
Below the entry hop (and at it), each pair of consecutive hops whose older one is dated
more than a day (plus the clock-skew tolerance) before the newer, where the link between
them is `unknown` or `contradicted`: the newer hop's sender is not, by any name or address,
the host the older line names as its receiver, and the two lines are not one organisation's.
The older lines are reported as replayed, **strong**. The Date header is the sender's and
never lowers it (the evidence says whether it was written after the old lines). A gap the
sender's own lines join (`verified` by a line of the outside) is not seen: the sender can
write such a line, and the rule reads only the links it cannot.

## Why it matters
Forgers copy the Received lines of real provider mail (a Gmail or Exchange Online trace,
a Yahoo web submission) under their own entry to borrow its look. The copied lines keep
their own dates, days or weeks before the forger's server sent the message on.

## Example
    Received: from vps-77-91-3-14.cheaphost.example ([77.91.3.14]) by mx1.ours.example ...; 14 May 2025
    Received: by 2002:a05:6a10:8e0b:b0:5c2:... with SMTP id ...; Wed, 7 May 2025 02:11:09 -0700 (PDT)

## False positives
A message held for days in a queue (a retry, a moderated list) is joined to the next hop:
the host that held it is the one that sent it on (a `verified` or `claimed` link), so it is
not flagged. A message re-sent by a user keeps its old trace under `Resent-*` fields, and
is not flagged either, when its Resent-Date is after the old lines and near our receipt (a
`Resent-` field alone is no such sign).

## References
RFC 5321 §4.4; RFC 5322 §3.6.6 (resent fields).",
    source: file!(),
    check,
};

/// Both hops written by one host or one organisation (one provider's machines, one
/// domain's): a queue inside one system (a moderated list, Google Groups), not a replay.
fn same_receiver(ctx: &Ctx<'_>, older: usize, newer: usize) -> bool {
    let (Some(a), Some(b)) = (
        ctx.hops.get(older).and_then(|h| h.by.host.as_deref()),
        ctx.hops.get(newer).and_then(|h| h.by.host.as_deref()),
    ) else {
        return false;
    };
    let provider = |h: &str| crate::profiles::of_server(h).map(|p| p.id.as_str());
    crate::domain::same_host(a, b)
        || crate::domain::same_registrable(a, b)
        || provider(a).is_some_and(|p| provider(b) == Some(p))
}

/// A gap longer than this between two hops is not a queue a normal path shows (a day).
const REPLAY_GAP_S: i64 = 86_400;

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    let gap_allowed = REPLAY_GAP_S + ctx.settings.clock_skew();
    // A re-send by a user (Resent-Date after the old lines, near our receipt) keeps its old
    // trace honestly; a Resent- field alone, or one dated with the old lines, is no such
    // sign.
    let resent = |old: i64| {
        ctx.headers.trace.resent_at.is_some_and(|r| {
            r - old > gap_allowed && entry.timestamp.is_none_or(|e| (e - r).abs() <= gap_allowed)
        })
    };
    let found = ctx.links.iter().find(|l| {
        l.to_hop <= entry.index
            && matches!(l.witness, Witness::Unknown | Witness::Contradicted)
            && match (
                ctx.hops.get(l.from_hop).and_then(|h| h.timestamp),
                ctx.hops.get(l.to_hop).and_then(|h| h.timestamp),
            ) {
                (Some(old), Some(new)) => new.saturating_sub(old) > gap_allowed,
                _ => false,
            }
            // One system holding the message (a list's queue) is no replay, unless a witness
            // contradicts the link.
            && (l.witness == Witness::Contradicted || !same_receiver(ctx, l.from_hop, l.to_hop))
    });
    let Some(l) = found else { return };
    let (Some(old), Some(newer)) = (ctx.hops.get(l.from_hop), ctx.hops.get(l.to_hop)) else {
        return;
    };
    if old.timestamp.is_some_and(resent) {
        return;
    }
    let days = (newer.timestamp.unwrap_or(0) - old.timestamp.unwrap_or(0)) as f64 / 86_400.0;
    // The Date header is the sender's: it says something in the sentence, never in the
    // strength (a forger dates his message with the old lines as easily as without).
    let date = ctx.headers.date.as_ref().and_then(|d| d.timestamp);
    let fresh_date = date.is_some_and(|d| d - old.timestamp.unwrap_or(d) > gap_allowed);
    let (strength, score) = (crate::rules::Strength::Strong, RULE.score);
    let replayed: Vec<usize> = (0..=old.index).collect();
    out.add_judged(
        &RULE,
        strength,
        score,
        replayed.clone(),
        format!(
            "{} dated {days:.1} days before {}, and nothing joins them: {} names {} as its receiver, while {}'s sender was {}. The older lines look copied from another message.",
            hop_label(old),
            hop_label(newer),
            hop_label(old),
            old.by.host.as_deref().unwrap_or("no host"),
            hop_label(newer),
            newer
                .confirmed_rdns()
                .or(newer.helo_name())
                .map(str::to_string)
                .or(newer.from.ip.map(crate::text::ip_string))
                .unwrap_or_else(|| "unrecorded".into())
        ),
        json!({"replayed_hops": replayed, "older_hop": old.index, "newer_hop": newer.index, "gap_days": days, "witness": l.witness.as_str(), "date_header_after_old_lines": fresh_date}),
    );
}
