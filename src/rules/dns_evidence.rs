//! What every DNS-based rule shares (DNS001-002, HELO007, RDNS003-005, ROUTE001, CHAIN005):
//! how a hop's age weakens DNS evidence, and how answers appear in evidence. Which hops are
//! checked is the lookup plan's (`crate::dns::plan`).

use crate::dns::Answer;
use crate::rules::Ctx;
use serde_json::{Value, json};

/// Weight of DNS evidence about a hop older than the freshness threshold: records change
/// over the years, so today's DNS says less about an old hop.
pub const OLD_HOP_WEIGHT: f64 = 0.25;

/// How much a finding about `hop` built on `answer` counts, and the sentence saying why.
pub struct Age {
    /// Days between the hop's date and the lookup, when the hop is dated.
    pub days: Option<i64>,
    /// 1.0 for a fresh (or undated) hop, [`OLD_HOP_WEIGHT`] for an old one.
    pub weight: f64,
    /// The clause added to the message for an old hop (empty otherwise).
    pub note: String,
}

/// The age weighting of DNS evidence looked up in `answer`. The message's age is measured
/// from when our own side received it (the entry hop's date, written by our server), never
/// from an outside hop's date: a forger could backdate his own lines to weaken the evidence.
pub fn age(ctx: &Ctx<'_>, answer: &Answer) -> Age {
    let fresh_days = ctx.settings.dns_fresh_days;
    let days = ctx
        .received_at()
        .map(|(ts, _)| answer.asked_ts.saturating_sub(ts) / 86_400);
    match days {
        Some(d) if d > fresh_days => Age {
            days,
            weight: OLD_HOP_WEIGHT,
            note: format!(
                " The message is {d} days older than the lookup (over the {fresh_days}-day threshold): \
                 DNS records change over time, so this counts {OLD_HOP_WEIGHT} of its score."
            ),
        },
        _ => Age {
            days,
            weight: 1.0,
            note: String::new(),
        },
    }
}

/// An answer as evidence: name, type, response code, records, TTL and time asked.
pub fn answer_json(a: &Answer) -> Value {
    serde_json::to_value(a).unwrap_or(Value::Null)
}

/// The age fields of evidence.
pub fn age_json(a: &Age) -> Value {
    json!({"days": a.days, "weight": a.weight})
}
