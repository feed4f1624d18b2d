//! Rules about the DNS lookups themselves: the per-message cap, and failed lookups. The
//! helpers every DNS-based rule shares are in [`crate::rules::dns_evidence`].

pub mod dns_lookup_cap;
pub mod dns_unknown;
