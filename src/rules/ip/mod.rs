//! Address rules.

pub mod forged_originating_ip;
pub mod non_public_ip_outside;
