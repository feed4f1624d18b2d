//! What HELO001-HELO004 share: the entry hop's HELO word, and the evidence they give.

use crate::chain::hop::Hop;
use crate::rules::Ctx;
use serde_json::json;

/// The entry hop and the first word of its sender's HELO, when the entry hop is an SMTP
/// hop with one.
pub fn entry_helo<'a>(ctx: &Ctx<'a>) -> Option<(&'a Hop, &'a str)> {
    let e = ctx.entry()?;
    if e.kind != crate::received::Kind::Smtp {
        return None;
    }
    Some((e, e.helo_name()?))
}

/// The evidence of a finding about the entry hop's HELO.
pub fn evidence(e: &Hop, helo: &str) -> serde_json::Value {
    json!({"hop": e.index, "helo": helo, "ip": e.from.ip, "rdns": e.from.rdns})
}
