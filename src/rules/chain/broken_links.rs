//! What CHAIN001 and CHAIN002 share: a broken link between two hops, described and as
//! evidence.

use crate::chain::continuity::{Link, LinkVerdict};
use serde_json::json;

/// True when the link between two hops is broken: the newer hop's sender is not the
/// older hop's receiver.
pub fn broken(l: &Link) -> bool {
    l.verdict == LinkVerdict::Mismatch
}

/// The broken links as evidence.
pub fn evidence(links: &[&Link]) -> serde_json::Value {
    json!(links.iter().map(|l| json!({
        "from_hop": l.from_hop, "to_hop": l.to_hop, "receiver": l.receiver, "receiver_ip": l.receiver_ip,
        "sender_rdns": l.sender_rdns, "sender_helo": l.sender_helo, "sender_ip": l.sender_ip,
    })).collect::<Vec<_>>())
}

/// `hop 1 was received by A but hop 2 came from B`.
pub fn describe(l: &Link) -> String {
    let sender_ip = l.sender_ip.map(crate::text::ip_string);
    let sender = l
        .sender_rdns
        .as_deref()
        .or(l.sender_helo.as_deref())
        .or(sender_ip.as_deref())
        .unwrap_or("?");
    format!(
        "hop {} was received by {} but hop {} came from {sender}",
        l.from_hop,
        l.receiver.as_deref().unwrap_or("?"),
        l.to_hop
    )
}
