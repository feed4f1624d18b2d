//! Our own parser for Received header values (RFC 5321 §4.4 trace lines, as really written).
//!
//! The parser borrows the raw, still-folded value and never fails: what it cannot read is
//! reported as a [`Status`] with a reason, so no hop is ever dropped. The fields keep two
//! kinds of value apart, because forensics depends on it:
//!
//! * what the *receiving* MTA recorded about its peer (`ip`, `rdns`): written by the server
//!   that added the line, trustworthy exactly as far as that server is;
//! * what the *sending* client claimed (`helo`): whatever the sender chose to say.
//!
//! An address the sender typed into its HELO (`from x (a [6.6.6.6]) (real [1.2.3.4])`) must
//! never become `ip`: the receiver's own comment is the last one before `by` (Postfix,
//! Sendmail, qmail) or the one holding `helo=` (Exim, where the helo name sits inside it).
//!
//! The work follows the line's own structure, one module per part: [`lexer`] splits it
//! into tokens, `clauses` into `from` / `by` / `via` / `with` / `id` / `for` and the date,
//! `peer` and `tcp_info` read the `from` part, `protocol` the `with` part with TLS and
//! authentication, and `classify` decides the hop's kind and status. [`parse`] runs them
//! in that order; the order is part of the behaviour (later readers see earlier fields).

mod bytes;
mod classify;
mod clauses;
mod ip;
pub mod lexer;
mod model;
mod mta;
mod peer;
mod protocol;
mod tcp_info;

pub(crate) use bytes::contains_ci;
pub use bytes::is_hostname;
pub use ip::{WrittenIp, parse_written_ip};
pub use model::{Auth, IpSource, Kind, RdnsSource, Received, Status, Tls};
pub use mta::Mta;
pub use peer::HELO_TRACE_SYNTAX;
pub use protocol::protocol_of;

use crate::limits::Limits;
use lexer::{Lexer, comment_words};

/// A comment and its words, split once for every reader.
type Comment<'a> = (&'a [u8], Vec<&'a [u8]>);

/// Parses one Received value (the bytes after `Received:`).
pub fn parse<'a>(value: &'a [u8], limits: &Limits) -> Received<'a> {
    let mut r = Received::default();
    if value.len() > limits.max_received_bytes {
        r.status = Some(Status::Unparsed);
        r.reason = Some(format!(
            "header is {} bytes, over the limit of {} (max_received_bytes)",
            value.len(),
            limits.max_received_bytes
        ));
        return r;
    }
    if bytes::comment_depth_exceeds(value, limits.max_comment_depth) {
        r.notes.push(format!(
            "comments nest deeper than {}; the deep part was kept but not interpreted",
            limits.max_comment_depth
        ));
    }

    let (clause_end, date_part, clause_tokens) = clauses::split_date(value, &mut r);
    // The clause tokens were read while looking for the `;`; lex again only when the
    // clauses end elsewhere.
    let clause_tokens =
        clause_tokens.unwrap_or_else(|| Lexer::new(&value[..clause_end]).collect::<Vec<_>>());
    let split = clauses::split(value, &clause_tokens, date_part);
    // The family the receiver's own text names (from its `by` on) decides where its format
    // writes the peer; marks in the from part, which the client can type, only fill in.
    let (receiver_family, family) = mta::detect_split(value, split.by_at);
    r.mta = family;
    let sorted = clauses::read(&mut r, value, &split);

    r.protocol = r.with.and_then(protocol_of);
    let mut comments: Vec<Comment<'a>> = match split.from {
        Some(tokens) => {
            peer::read_from_part(&mut r, value, tokens, receiver_family, split.by_chosen)
        }
        None => Vec::new(),
    };
    if r.protocol.is_none() {
        r.protocol = r.via.and_then(protocol_of);
    }
    comments.extend(sorted.other_comments.iter().map(|&c| (c, comment_words(c))));
    if r.protocol.is_none() {
        r.protocol = protocol::implied_http(&r, &comments);
    }
    if matches!(r.protocol, Some("HTTP" | "HTTPS")) {
        peer::read_webmail_peer(&mut r, &sorted.via_comments);
    }
    protocol::read_tls_and_auth(&mut r, &comments, value);
    clauses::read_envelope_comments(&mut r, &comments);
    // `mail.example.org.` and `mail.example.org` are one name: the root's dot is dropped,
    // so names compare as names (the raw line keeps it).
    r.rdns = r
        .rdns
        .map(|n| n.strip_suffix(b".").filter(|n| !n.is_empty()).unwrap_or(n));
    r.kind = Some(classify::classify_kind(&r, value));
    classify::finish_status(&mut r);
    count_repeats(&mut r.notes);
    r
}

/// Notes said more than once are said once with their count (`... (x41)`), in the order
/// they were first said: a hostile header repeats what draws a note, and the report must
/// not grow by one note per repeat.
fn count_repeats(notes: &mut Vec<String>) {
    if notes.len() < 2 {
        return;
    }
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for n in notes.iter() {
        *counts.entry(n.as_str()).or_default() += 1;
    }
    if counts.len() == notes.len() {
        return;
    }
    let mut counted: Vec<String> = Vec::with_capacity(counts.len());
    for n in notes.iter() {
        match counts.remove(n.as_str()) {
            Some(1) => counted.push(n.clone()),
            Some(times) => counted.push(format!("{n} (x{times})")),
            None => {}
        }
    }
    *notes = counted;
}

#[cfg(test)]
mod tests;
