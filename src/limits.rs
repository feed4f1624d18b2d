//! Hard bounds on what one message may make the analyzer do.
//!
//! Everything the analyzer reads may have been written by an attacker, so every loop over
//! input-derived data is bounded by one of these numbers. Exceeding a bound is reported (an
//! error for the whole message, or a finding for the part that was cut), never a panic.

use serde::{Deserialize, Serialize};

/// Bounds applied while parsing one message.
///
/// Any value is accepted, and none can make the analysis panic or wrap around: 0 is
/// obeyed (no header block fits in 0 bytes, no hop is parsed under `max_hops = 0`, no
/// lookup is made under `max_dns_lookups = 0`), and `usize::MAX` is no limit at all
/// (`tests/integration/extremes.rs` runs real messages under both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest header block accepted, in bytes. A larger one is an error: no real MTA
    /// writes megabytes of headers, and everything after it would be body.
    pub max_header_bytes: usize,
    /// Most header fields accepted in one message; more is an error.
    pub max_headers: usize,
    /// Most Received headers parsed into hops. The topmost ones are kept (they were written
    /// by the servers closest to the recipient); the rest are counted in a finding.
    pub max_hops: usize,
    /// Longest single Received header parsed field by field, in bytes. A longer one stays in
    /// the chain as `unparsed` with the reason.
    pub max_received_bytes: usize,
    /// Deepest comment nesting followed inside a Received header; deeper text is kept as
    /// part of the enclosing comment but not interpreted.
    pub max_comment_depth: usize,
    /// Most DNS lookups one message may cause.
    pub max_dns_lookups: usize,
    /// Most bytes read of one message, header and body (mailbox files are unbounded, each
    /// of their messages is not). Reading stops with an error there: an endless input
    /// (`/dev/zero`, a stuck pipe) ends instead of running forever.
    pub max_message_bytes: u64,
    /// Most bytes of a body kept for DKIM (only while verifying): a signature over a
    /// longer body is `unknown (body over cap)`.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 4 * 1024 * 1024,
            max_headers: 20_000,
            max_hops: 512,
            max_received_bytes: 16 * 1024,
            max_comment_depth: 32,
            max_dns_lookups: 32,
            max_message_bytes: 1 << 30,
            max_body_bytes: 1024 * 1024,
        }
    }
}
