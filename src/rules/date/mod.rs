//! Date header rules.

pub mod date_header;
pub mod timezone;
