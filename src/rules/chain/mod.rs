//! Chain rules: continuity, time order, relay path, appended hops.

pub mod appended_hops;
pub mod continuity;
pub mod hop_after_delivery;
pub mod relay_path;
pub mod time_reversal;
pub mod unparsed_hop;
