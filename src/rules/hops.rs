//! How the rules read and name hops: helpers every family shares.

use crate::report::Hop;

/// `hop 3 (mx.example.com)`: how findings name hops.
pub fn hop_label(h: &Hop) -> String {
    match h.by.host.as_deref() {
        Some(by) => format!("hop {} (by {by})", h.index),
        None => format!("hop {}", h.index),
    }
}

/// The HELO name's first word (a HELO can carry text a client typed after it).
pub fn helo_word(h: &Hop) -> Option<&str> {
    h.from
        .helo
        .as_deref()
        .and_then(|s| s.split_whitespace().next())
        .filter(|s| !s.is_empty())
}
