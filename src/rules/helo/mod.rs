//! HELO rules: what the entry hop's sender claimed to be, against what our server recorded
//! and what DNS says today.

pub mod helo_dns;
pub mod helo_form;
pub mod helo_provider;
pub mod helo_rdns;

use crate::report::Hop;

/// The HELO name's first word (a HELO can carry text a client typed after it).
pub fn helo_word(h: &Hop) -> Option<&str> {
    h.from
        .helo
        .as_deref()
        .and_then(|s| s.split_whitespace().next())
        .filter(|s| !s.is_empty())
}
