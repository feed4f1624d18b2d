//! HELO rules: what the entry hop's sender claimed to be, against what our server recorded
//! and what DNS says today. HELO001-HELO004 share [`entry_helo`]: the entry hop's HELO
//! word and the evidence they give.

pub mod entry_helo;
pub mod helo_bare_ip;
pub mod helo_claims_provider;
pub mod helo_claims_sender_domain;
pub mod helo_dns_mismatch;
pub mod helo_literal_mismatch;
pub mod helo_localhost;
pub mod helo_not_fqdn;
pub mod helo_rdns_mismatch;
pub mod helo_trace_syntax;
