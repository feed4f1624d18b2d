//! Reverse-DNS rules on what our server recorded for the entry hop.

pub mod dynamic_rdns;
pub mod rdns_unknown;
