//! Chain rules: continuity, time order, relay path, appended hops. CHAIN001 and CHAIN002
//! share [`broken_links`]; CHAIN004 and CHAIN005 share the time [`tolerance`].

pub mod appended_fake_hops;
pub mod broken_links;
pub mod continuity_break_inside;
pub mod continuity_break_outside;
pub mod hop_after_delivery;
pub mod our_name_below_entry;
pub mod relay_path_violation;
pub mod replayed_chain;
pub mod time_reversal;
pub mod tolerance;
pub mod unparsed_hop;
