//! What a read line amounts to: the kind of hand-off (network, HTTP, local) and how much
//! of it could be read. Decided last, from the fields every other reader filled.

use super::bytes::contains_ci;
use super::model::{Kind, Received, Status};
use super::mta::Mta;

/// The kind of hand-off: HTTP and local protocols, local `with` values, fetchmail, queue
/// injection and submission marks; a network hop otherwise.
pub(super) fn classify_kind(r: &Received<'_>, value: &[u8]) -> Kind {
    match r.protocol {
        Some("HTTP" | "HTTPS") => return Kind::Http,
        Some("LOCAL" | "IMAP" | "POP3") => return Kind::Local,
        _ => {}
    }
    let with = r.with.unwrap_or_default();
    if contains_ci(with, b"local") || with.eq_ignore_ascii_case(b"mapi") {
        return Kind::Local;
    }
    if r.mta == Some(Mta::Fetchmail) {
        return Kind::Local;
    }
    // qmail `(qmail 123 invoked by uid 89)` / `invoked from network`: queue injection lines.
    if r.from_name.is_none() && r.ip.is_none() && contains_ci(value, b"invoked") {
        return Kind::Local;
    }
    // Sendmail `(from user@localhost) by host (8.x/8.x/Submit) id X`; Postfix `(Postfix, from userid N)`.
    if r.by_comment
        .is_some_and(|c| contains_ci(c, b"from userid") || contains_ci(c, b"/Submit"))
    {
        return Kind::Local;
    }
    if r.from_name.is_none() && r.ip.is_none() && r.ident.is_some() {
        return Kind::Local;
    }
    // Exchange's `from mail pickup service by host with Microsoft SMTPSVC`: the from part
    // is those words and no address. Not the words anywhere in the line: a client can type
    // them into its HELO.
    if (r.ip.is_none() && from_part_is_mail_pickup(value))
        || r.notes.iter().any(|n| n.contains("local socket"))
    {
        return Kind::Local;
    }
    Kind::Smtp
}

/// True when the line starts `from mail pickup service` followed by the receiver's `by`.
fn from_part_is_mail_pickup(value: &[u8]) -> bool {
    const WORDS: [&[u8]; 5] = [b"from", b"mail", b"pickup", b"service", b"by"];
    let mut words = value
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    WORDS
        .iter()
        .all(|want| words.next().is_some_and(|w| w.eq_ignore_ascii_case(want)))
}

/// Decides how much of the line was read, and the reason when not all of it.
pub(super) fn finish_status(r: &mut Received<'_>) {
    // `from alice by host with local`: on a local hand-off the `from` word is a login.
    if r.kind == Some(Kind::Local) && r.ip.is_none() && r.ident.is_none() {
        r.ident = r
            .from_name
            .filter(|n| !n.contains(&b'.') && !n.starts_with(b"[") && !n.contains(&b'@'));
    }
    let kind = r.kind.unwrap_or(Kind::Smtp);
    let anything = r.from_name.is_some()
        || r.ip.is_some()
        || r.by_host.is_some()
        || r.with.is_some()
        || r.id.is_some();
    let (status, reason) = if r.by_host.is_none() && kind != Kind::Local {
        let why = if anything {
            "no `by` host"
        } else {
            "no from/by/with/id clause found"
        };
        (Status::Unparsed, Some(why.to_string()))
    } else if r.date.is_none() {
        (Status::Partial, Some("no valid date".to_string()))
    } else {
        (Status::Full, None)
    };
    r.status = Some(status);
    if r.reason.is_none() {
        r.reason = reason;
    }
}
