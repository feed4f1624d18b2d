//! Reverse-DNS rules: what our server recorded for the entry hop, and what DNS says today
//! about the outside hops' addresses.

pub mod dynamic_rdns;
pub mod fcrdns;
pub mod no_ptr;
pub mod ptr_mismatch;
pub mod rdns_unknown;
