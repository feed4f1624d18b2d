//! The `from` part: who connected. The receiver's TCP-info comment gives the address and
//! reverse name it recorded, the HELO is what the client claimed, and the MTA family says
//! which of the words after `from` is which.
//!
//! The rule that matters for forensics lives in [`receiver_comment`]: a sender can write
//! anything into its HELO argument, comments included, but only *before* the receiver's
//! own comment, so the receiver's comment is Exim's (holding `helo=`) or the last one that
//! holds an address.

use super::Comment;
use super::bytes::{is_bracket_only, is_hostname};
use super::clauses::Sorted;
use super::ip::{WrittenIp, parse_written_ip};
use super::lexer::{Token, comment_words};
use super::model::{IpSource, RdnsSource, Received};
use super::mta::Mta;
use super::tcp_info::{PeerInfo, read_comment};

/// Sorts the `from` clause's tokens: the first word is the name, comments go to the peer
/// readers, later words (`[1.2.3.4]`) are kept as extra words. Only the first `from`
/// counts.
pub(super) fn read_from_clause<'a>(
    r: &mut Received<'a>,
    words: &[Token<'a>],
    sorted: &mut Sorted<'a>,
) {
    if r.from_name.is_some() || r.ip.is_some() {
        return;
    }
    let mut first = true;
    for t in words {
        match *t {
            Token::Word(w) if first && !is_bracket_only(w) => {
                r.from_name = Some(w);
                first = false;
            }
            Token::Word(w) | Token::Angle(w) => {
                first = false;
                sorted.from_extra_words.push(w);
            }
            Token::Comment(c) => {
                first = false;
                sorted.from_comments.push(c);
            }
            Token::Semi => {}
        }
    }
}

/// `(from user@host)` (Sendmail submit: a local user, no peer) or `(from host [1.2.3.4])`
/// written before `by`.
pub(super) fn read_leading_from<'a>(words: &[&'a [u8]], r: &mut Received<'a>) {
    let Some(&name) = words.first() else { return };
    for w in &words[1..] {
        if let Some(ip) = parse_written_ip(w) {
            r.ip = Some(ip);
            r.ip_source = Some(IpSource::Comment);
        }
    }
    if r.ip.is_some() {
        r.from_name = Some(name);
        r.helo = Some(name);
    } else {
        // Sendmail writes `user@localhost`: the user is the ident.
        let at = name.iter().position(|&b| b == b'@').unwrap_or(name.len());
        r.ident = Some(&name[..at]);
        r.notes
            .push("local submission: `(from user)` names the submitting user".into());
    }
}

/// Fills ip, rdns, helo and ident from the `from` clause.
pub(super) fn read_peer<'a>(
    r: &mut Received<'a>,
    value: &'a [u8],
    comments: &[Comment<'a>],
    extra_words: &[&'a [u8]],
) {
    let infos: Vec<PeerInfo<'a>> = comments
        .iter()
        .map(|(_, words)| read_comment(words))
        .collect();
    let chosen = receiver_comment(&infos);
    let ips_in_comments = infos.iter().filter(|p| p.ip.is_some()).count();
    if ips_in_comments > 1 {
        let chosen_ip = chosen
            .and_then(|i| infos[i].ip)
            .map(|ip| ip.addr.to_string());
        r.notes.push(format!(
            "{ips_in_comments} comments in the from clause hold an address; used the receiver's ({})",
            chosen_ip.unwrap_or_default()
        ));
    }
    if let Some(i) = chosen {
        take_receiver_comment(r, value, comments, &infos, i);
    }
    // An explicit HELO in another comment: qmail `(HELO x)`, CommuniGate `(account u HELO x)`.
    if !r.helo_explicit
        && let Some(p) = infos.iter().find(|p| p.helo_present)
    {
        r.helo = p.helo;
        r.helo_explicit = true;
    }
    // `from host [1.2.3.4]` (MDaemon, fetchmail, QMQP): the receiver wrote the bracket.
    if r.ip.is_none()
        && let Some(ip) = extra_words.iter().find_map(|w| parse_written_ip(w))
    {
        r.ip = Some(ip);
        r.ip_source = Some(IpSource::Bracket);
    }
    read_from_name(r, &infos, chosen);
}

/// The index of the comment the receiver wrote: Exim's (it holds helo=) wins; otherwise
/// the last one with an address, since a sender can only put text *before* it, inside its
/// HELO argument; failing that, the last one naming a reverse name or a socket.
fn receiver_comment(infos: &[PeerInfo<'_>]) -> Option<usize> {
    infos
        .iter()
        .position(|p| p.exim_style && p.ip.is_some())
        .or_else(|| infos.iter().rposition(|p| p.ip.is_some()))
        .or_else(|| {
            infos
                .iter()
                .rposition(|p| p.rdns.is_some() || p.rdns_unknown || p.local_socket)
        })
}

/// Takes what the receiver's comment (`infos[i]`) recorded.
fn take_receiver_comment<'a>(
    r: &mut Received<'a>,
    value: &'a [u8],
    comments: &[Comment<'a>],
    infos: &[PeerInfo<'a>],
    i: usize,
) {
    let p = &infos[i];
    if r.ip.is_none()
        && let Some(ip) = p.ip
    {
        r.ip = Some(ip);
        r.ip_source = Some(IpSource::Comment);
    }
    if let Some(name) = p.rdns
        && !name.eq_ignore_ascii_case(b"unknown")
    {
        r.rdns = Some(name);
        r.rdns_source = Some(RdnsSource::Comment);
    }
    r.rdns_unknown |= p.rdns_unknown;
    if p.local_socket {
        r.notes.push("peer connected over a local socket".into());
    }
    if p.helo_present {
        r.helo = p.helo;
        r.helo_explicit = true;
    }
    if p.ident.is_some() {
        r.ident = p.ident;
    }
    if p.may_be_forged {
        r.notes
            .push("receiver marked the reverse name `may be forged`".into());
    }
    if i > 0 && !p.exim_style && !p.helo_present {
        keep_helo_whole(r, value, comments, infos, i);
    }
    if r.ip.is_none()
        && let Some(port) = p.port
    {
        r.ip = r.from_name.and_then(parse_written_ip).map(|ip| WrittenIp {
            port: Some(port),
            ..ip
        });
        r.ip_source = r.ip.map(|_| IpSource::FromLiteral);
    }
    if p.unverified {
        r.notes.push("receiver marked the peer `unverified`".into());
    }
}

/// Comments before the receiver's own one (`i`) are part of what the client sent as its
/// HELO (`from evil.example (a [6.6.6.6]) (real [1.2.3.4])`): keeps the HELO whole, from
/// the `from` name to the end of the comment just before the receiver's.
fn keep_helo_whole<'a>(
    r: &mut Received<'a>,
    value: &'a [u8],
    comments: &[Comment<'a>],
    infos: &[PeerInfo<'a>],
    i: usize,
) {
    let (Some(name), Some((earlier, _))) = (r.from_name, comments.get(i - 1)) else {
        return;
    };
    let base = value.as_ptr() as usize;
    let start = name.as_ptr() as usize - base;
    let end = earlier.as_ptr() as usize - base + earlier.len() + 1;
    if let Some(span) = value.get(start..end.min(value.len()))
        && start < end
        && !infos[..i].iter().any(|q| q.helo_present)
    {
        r.helo = Some(span);
        r.notes
            .push("the client's HELO contained comment text; kept whole".into());
    }
}

/// What the word after `from` is: the peer's address (Exim, CommuniGate), its verified
/// reverse name (Exim, qmail) or, elsewhere, the HELO name.
fn read_from_name<'a>(r: &mut Received<'a>, infos: &[PeerInfo<'a>], chosen: Option<usize>) {
    let Some(name) = r.from_name else { return };
    let chosen_is_exim = chosen.is_some_and(|i| infos[i].exim_style);
    let exim = r.mta == Some(Mta::Exim) || chosen_is_exim;
    let name_is_literal = parse_written_ip(name).is_some();
    // Exim without a reverse name and CommuniGate write the peer's address as the `from`
    // value itself (`from [203.0.113.70] (helo=x)`); there it is the receiver's record.
    let literal_is_peer = matches!(r.mta, Some(Mta::Exim | Mta::Communigate)) || chosen_is_exim;
    if r.ip.is_none() && name_is_literal && literal_is_peer {
        r.ip = parse_written_ip(name);
        r.ip_source = Some(IpSource::FromLiteral);
    }
    let qmail_style = !exim
        && r.mta != Some(Mta::Exchange)
        && r.helo_explicit
        && chosen.is_some_and(|i| infos[i].rdns.is_none() && !infos[i].exim_style)
        || (r.mta == Some(Mta::Qmail) && chosen.is_some_and(|i| infos[i].rdns.is_none()));
    // Exim writes the verified reverse name first (`name ([ip] helo=x)`), qmail writes its
    // TCPREMOTEHOST first (`name (HELO x) (ip)`): there the name is the rdns.
    if (exim || qmail_style) && r.rdns.is_none() && !name_is_literal && r.ip.is_some() {
        if name.eq_ignore_ascii_case(b"unknown") {
            r.rdns_unknown = true;
        } else {
            r.rdns = Some(name);
            r.rdns_source = Some(RdnsSource::FromName);
        }
    }
    if !r.helo_explicit && r.helo.is_none() {
        // Exim omits helo= when it equals the reverse name; elsewhere the name is the HELO.
        r.helo = Some(name);
    }
}

/// Webmail hand-offs: the `from` value is the HTTP client (SquirrelMail writes its address,
/// Roundcube its reverse name with the address in brackets), and Roundcube behind a proxy
/// writes the real peer after `via` (the `from` part then came from X-Forwarded-For).
pub(super) fn read_webmail_peer<'a>(r: &mut Received<'a>, via_comments: &[&'a [u8]]) {
    if let Some(via_ip) = via_comments
        .iter()
        .find_map(|c| comment_words(c).into_iter().find_map(parse_written_ip))
    {
        if let Some(ip) = r.ip {
            r.notes.push(format!(
                "client-supplied address {} (X-Forwarded-For); the peer is after `via`",
                ip.addr
            ));
        }
        r.ip = Some(via_ip);
        r.ip_source = Some(IpSource::Comment);
        r.rdns = r.via.filter(|v| is_hostname(v));
        r.rdns_source = r.rdns.map(|_| RdnsSource::FromName);
        return;
    }
    let Some(name) = r.from_name else { return };
    if r.ip.is_none() {
        if let Some(ip) = parse_written_ip(name) {
            r.ip = Some(ip);
            r.ip_source = Some(IpSource::FromLiteral);
        }
    } else if r.rdns.is_none() && is_hostname(name) && parse_written_ip(name).is_none() {
        r.rdns = Some(name);
        r.rdns_source = Some(RdnsSource::FromName);
    }
    // A browser sends no HELO.
    if !r.helo_explicit {
        r.helo = None;
    }
}
