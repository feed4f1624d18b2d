//! What DATE003 and DATE004 share: how far the Date header is from the time our side
//! received the message.

use crate::message::headers::HeaderValue;
use crate::rules::Ctx;
use serde_json::json;

/// One hour in seconds.
pub const HOUR: i64 = 3600;

/// The Date header against the time our side received the message.
pub struct Gap<'a> {
    /// Seconds between the two; positive when the message was written before it was
    /// received.
    pub diff: i64,
    /// The hop whose date is the time of receipt.
    pub hop: usize,
    date: &'a HeaderValue,
    received: i64,
}

impl Gap<'_> {
    /// The difference in hours.
    pub fn hours(&self) -> f64 {
        self.diff as f64 / HOUR as f64
    }

    /// The evidence of a finding (built only when a rule fires: most messages stay inside
    /// the bands).
    pub fn evidence(&self) -> serde_json::Value {
        json!({"date": self.date.raw, "date_utc": self.date.utc, "received_hop": self.hop, "received_utc": crate::date::rfc3339_utc(self.received), "difference_s": self.diff})
    }
}

/// The gap, when the Date header parses and some hop of ours is dated.
pub fn gap<'a>(ctx: &Ctx<'a>) -> Option<Gap<'a>> {
    let date = ctx.headers.date.as_ref()?;
    let written = date.timestamp?;
    let (received, hop) = ctx.received_at()?;
    Some(Gap {
        diff: received - written,
        hop,
        date,
        received,
    })
}
