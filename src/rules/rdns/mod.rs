//! Reverse-DNS rules: what our server recorded for the entry hop, and what DNS says today
//! about the outside hops' addresses.

pub mod dynamic_rdns;
pub mod fcrdns_fail;
pub mod no_ptr;
pub mod rdns_ptr_mismatch;
pub mod rdns_unknown;
