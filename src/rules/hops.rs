//! How the rules name hops: helpers every family shares (the HELO's name is
//! [`Hop::helo_name`]).

use crate::chain::hop::Hop;

/// `hop 3 (mx.example.com)`: how findings name hops.
pub fn hop_label(h: &Hop) -> String {
    match h.by.host.as_deref() {
        Some(by) => format!("hop {} (by {by})", h.index),
        None => format!("hop {}", h.index),
    }
}
