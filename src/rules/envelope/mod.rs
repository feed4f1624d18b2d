//! Envelope versus header rules.

pub mod bcc;
pub mod domains;
pub mod forged_provider;

use crate::message::headers::{HeaderValue, domain_of};

/// The registrable domain of the first address of a header.
pub fn header_domain(h: Option<&HeaderValue>) -> Option<(String, String)> {
    let addr = h?.addresses.first()?.clone();
    let d = domain_of(&addr)?;
    Some((addr, crate::domain::registrable(&d).unwrap_or(d)))
}
