//! Address rules.

pub mod non_public_ip_outside;
