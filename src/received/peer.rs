//! The `from` part: who connected. The receiver's TCP-info comment gives the address and
//! reverse name it recorded, the HELO is what the client claimed, and the MTA family says
//! which of the words after `from` is which.
//!
//! The rule that matters for forensics: a client can type anything into its HELO, trace
//! syntax included (`(a [6.6.6.6])`, `by`, an unclosed `(`), but only at the place its
//! receiver's format puts the HELO. Formats come in two shapes:
//!
//! * the HELO first, the receiver's record of the peer after it (Postfix, Sendmail, qmail,
//!   Exchange, ...): the receiver's record is the *last* address of the from part;
//! * the peer first, the HELO after it (Exim `name ([ip] helo=x)`, CommuniGate
//!   `[ip] (HELO x)`, obtuse `name(ip), claiming to be "x"`): the receiver's record is the
//!   *first*.
//!
//! When both places hold an address and they differ, only the format tells which the
//! receiver wrote, and only the receiver's own text (from its `by` on) can say the format:
//! then the family decides, and without it no address is read ([`choose_peer`]).

use super::Comment;
use super::bytes::{is_bracket_only, is_hostname};
use super::clauses::ByChoice;
use super::ip::{WrittenIp, parse_written_ip};
use super::lexer::{Token, comment_words};
use super::model::{IpSource, RdnsSource, Received};
use super::mta::Mta;
use super::tcp_info::{PeerInfo, read_comment};

/// The start of the note a hop carries when its HELO holds trace syntax: the judgement
/// reads it by this text.
pub const HELO_TRACE_SYNTAX: &str = "the client's HELO contains trace syntax";

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

/// Which end of the from part a family writes the peer at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeerAt {
    /// Right after `from` (Exim, CommuniGate, obtuse): the HELO follows it.
    First,
    /// After the HELO (everyone else): the last address of the from part.
    Last,
}

/// Families whose from name is the HELO (they never state it on its own): a `(HELO x)` in
/// their from part was typed by the client.
fn helo_is_the_name(family: Mta) -> bool {
    matches!(
        family,
        Mta::Postfix
            | Mta::Sendmail
            | Mta::Courier
            | Mta::Exchange
            | Mta::Smtpsvc
            | Mta::Google
            | Mta::Opensmtpd
            | Mta::Haraka
            | Mta::Stalwart
            | Mta::Nemesis
            | Mta::Mimecast
            | Mta::Proofpoint
            | Mta::Ses
            | Mta::Sendgrid
            | Mta::Mailgun
            | Mta::Mandrill
            | Mta::Yandex
            | Mta::Zoho
            | Mta::Coremail
            | Mta::Hmailserver
            | Mta::Barracuda
            | Mta::Sophos
            | Mta::Kerio
            | Mta::Qq
            | Mta::Mdaemon
    )
}

fn peer_at(family: Mta) -> PeerAt {
    match family {
        Mta::Exim | Mta::Communigate | Mta::Obtuse | Mta::Momentum => PeerAt::First,
        _ => PeerAt::Last,
    }
}

/// One comment of the from part, read once.
struct FromComment<'a> {
    /// Its place among the from part's tokens.
    at: usize,
    text: &'a [u8],
    words: Vec<&'a [u8]>,
    info: PeerInfo<'a>,
}

impl FromComment<'_> {
    /// `(HELO x)`, `(helo=x)`, `(EHLO x)`, `(port=N helo=x)`: the HELO stated on its own.
    fn states_helo(&self) -> bool {
        self.info.helo_present && self.info.ip.is_none()
    }
}

/// An address written in the from part, and where.
#[derive(Clone, Copy)]
struct Candidate<'a> {
    ip: WrittenIp<'a>,
    source: IpSource,
    /// The token it is in (`None`: the word after `from`).
    at: Option<usize>,
    /// The comment it is in, as an index into the comments.
    comment: Option<usize>,
}

/// What the from part holds, token by token.
struct FromPart<'a> {
    comments: Vec<FromComment<'a>>,
    /// Addresses written as words after the name: `from host [1.2.3.4]` (MDaemon, Exim 3,
    /// GMX), with their token index.
    brackets: Vec<(usize, WrittenIp<'a>)>,
    /// Why the from part holds trace syntax: clause keywords, unclosed parentheses.
    trace: Vec<&'static str>,
    /// obtuse smtpd's `claiming to be "helo"`: the token index of the quoted HELO.
    claiming_at: Option<usize>,
    /// Words that start a HELO (`helo=x` outside a comment, when a parenthesis before it
    /// was never closed), by token index.
    helo_words: Vec<usize>,
    /// The word after `from` read as an address, when it is one.
    name_ip: Option<WrittenIp<'a>>,
    /// The address at the peer-first place ([`first_candidate`]), once computed.
    first: Option<Candidate<'a>>,
}

/// Reads the from part (`tokens`: what lies between `from` and the receiver's `by`) into
/// `r`; `family` is the MTA family the receiver's own text names (its `by` part), if any.
/// Returns the from part's comments the receiver wrote (TCP-info, TLS, authentication),
/// for the readers that follow; the ones the client typed into its HELO are left out.
pub(super) fn read_from_part<'a>(
    r: &mut Received<'a>,
    value: &'a [u8],
    tokens: &[Token<'a>],
    family: Option<Mta>,
    by_choice: ByChoice,
) -> Vec<Comment<'a>> {
    if r.from_name.is_some() || r.ip.is_some() {
        // A leading `(from host [ip])` named the peer already.
        return Vec::new();
    }
    let mut rest = tokens;
    match tokens.first() {
        Some(Token::Word(w)) if !is_bracket_only(w) => {
            r.from_name = Some(w);
            rest = &tokens[1..];
        }
        Some(Token::Angle(w)) => {
            // Mailgun's API writes `from <unknown>`: the name with its angles, as written.
            r.from_name = Some(with_angles(value, w));
            rest = &tokens[1..];
        }
        _ => {}
    }
    let offset = tokens.len() - rest.len();
    let mut part = scan(rest, offset);
    part.name_ip = r.from_name.and_then(parse_written_ip);
    part.first = first_candidate(&part);
    if by_choice == ByChoice::Last {
        r.notes.push(format!(
            "{HELO_TRACE_SYNTAX}: a `by` clause written before the receiver's own; the last `by` is the receiver's"
        ));
    }
    for why in &part.trace {
        r.notes.push(format!("{HELO_TRACE_SYNTAX}: {why}"));
    }
    let chosen = choose_peer(r, &part, family);
    // Without an address, the receiver's comment is the last naming a reverse name, an
    // ident or a socket (`(user@localhost)`, `(unknown)`, `(name [local])`).
    let receiver_comment = match chosen {
        Some(c) => c.comment,
        None if part.holds_no_address() => part.comments.iter().rposition(|c| {
            let p = &c.info;
            p.rdns.is_some() || p.rdns_unknown || p.local_socket
        }),
        None => None,
    };
    if let Some(c) = chosen {
        r.ip = Some(c.ip);
        r.ip_source = Some(c.source);
    }
    if let Some(i) = receiver_comment {
        take_receiver_comment(r, &part.comments[i].info);
    } else if chosen.is_some_and(|c| c.source == IpSource::FromLiteral)
        && let Some(c) = part.comments.first().filter(|c| c.states_helo())
    {
        // Exim `from [ip] (port=N helo=x ident=y)`, CommuniGate `from [ip] (HELO x)`: the
        // comment after the literal is the receiver's too.
        take_receiver_comment(r, &c.info);
    }
    read_helo(r, value, tokens, &part, chosen, family);
    if let Some(helo) = r.helo
        && holds_trace_syntax(helo)
        && !r.notes.iter().any(|n| n.starts_with(HELO_TRACE_SYNTAX))
    {
        r.notes.push(format!(
            "{HELO_TRACE_SYNTAX}: `(`, `)`, `[`, `]`, `\"`, `\\` or the word `by` / `from`; read as the client's text"
        ));
    }
    read_from_name(r, &part, receiver_comment, family);
    let (keep_from, keep_to) = receiver_comment_span(&part, chosen, family);
    part.comments
        .into_iter()
        .filter(|c| (keep_from..=keep_to).contains(&c.at))
        .map(|c| (c.text, c.words))
        .collect()
}

/// The token indexes (inclusive) between which the from part's comments are the
/// receiver's: in a HELO-first format, those from its record of the peer on (Postfix's
/// `(using TLS...)`, `(Authenticated sender: x)`); in a peer-first one, those up to the one
/// stating the HELO, where the client's text ends; without any address, all (nothing to
/// tell them by); with addresses but no peer read, none.
fn receiver_comment_span(
    part: &FromPart<'_>,
    chosen: Option<Candidate<'_>>,
    family: Option<Mta>,
) -> (usize, usize) {
    match chosen {
        None if part.holds_no_address() => (0, usize::MAX),
        None => (usize::MAX, 0),
        Some(c) if peer_first(family, part, c) => {
            let peer_at = c.at.unwrap_or(0);
            let helo_at = part
                .comments
                .iter()
                .find(|h| h.info.helo_present && h.at >= peer_at)
                .map_or(usize::MAX, |h| h.at);
            (0, helo_at)
        }
        Some(c) => (c.at.unwrap_or(0), usize::MAX),
    }
}

/// `w` (the inside of `<...>`) with its angles, when they are there in `value`.
fn with_angles<'a>(value: &'a [u8], w: &'a [u8]) -> &'a [u8] {
    let start = w.as_ptr() as usize - value.as_ptr() as usize;
    match (start.checked_sub(1), value.get(start + w.len())) {
        (Some(open), Some(b'>')) if value[open] == b'<' => &value[open..start + w.len() + 1],
        _ => w,
    }
}

impl FromPart<'_> {
    /// No comment or bracketed word of the from part holds an address.
    fn holds_no_address(&self) -> bool {
        self.comments.iter().all(|c| c.info.ip.is_none()) && self.brackets.is_empty()
    }
}

/// Reads the from part's tokens after the name.
fn scan<'a>(rest: &[Token<'a>], offset: usize) -> FromPart<'a> {
    let mut part = FromPart {
        comments: Vec::new(),
        brackets: Vec::new(),
        trace: Vec::new(),
        claiming_at: None,
        helo_words: Vec::new(),
        name_ip: None,
        first: None,
    };
    let mut i = 0;
    while i < rest.len() {
        let at = offset + i;
        match rest[i] {
            Token::Comment(c) => {
                let words = comment_words(c);
                let info = read_comment(c, &words);
                part.comments.push(FromComment {
                    at,
                    text: c,
                    words,
                    info,
                });
            }
            Token::Word(w) if w.eq_ignore_ascii_case(b"claiming") && claiming_to_be(rest, i) => {
                // obtuse smtpd: `name(ip), claiming to be "helo" via SMTP`.
                part.claiming_at = Some(at + 3);
                i += 3;
            }
            Token::Word(w) | Token::Angle(w) => {
                if w.len() >= 5 && w[..5].eq_ignore_ascii_case(b"helo=") {
                    part.helo_words.push(at);
                }
                if let Some(ip) = parse_written_ip(w) {
                    part.brackets.push((at, ip));
                } else if is_keyword(w) && part.claiming_at.is_none() {
                    part.trace.push("a clause keyword inside the from part");
                }
            }
            Token::Unclosed => part.trace.push("an unclosed parenthesis"),
            Token::Semi => {}
        }
        i += 1;
    }
    part.trace.dedup();
    part
}

/// A HELO holding what trace text is made of: parentheses, brackets (other than one
/// address literal), quotes, a backslash, or the words `by` / `from`.
fn holds_trace_syntax(helo: &[u8]) -> bool {
    if parse_written_ip(helo).is_some() {
        return false;
    }
    helo.iter()
        .any(|b| matches!(b, b'(' | b')' | b'[' | b']' | b'"' | b'\\'))
        || helo
            .split(|b| b.is_ascii_whitespace())
            .any(|w| w.eq_ignore_ascii_case(b"by") || w.eq_ignore_ascii_case(b"from"))
}

/// `claiming to be "x"` at `rest[i..]`.
fn claiming_to_be(rest: &[Token<'_>], i: usize) -> bool {
    matches!(
        rest.get(i + 1..i + 4),
        Some([Token::Word(to), Token::Word(be), Token::Word(_)])
            if to.eq_ignore_ascii_case(b"to") && be.eq_ignore_ascii_case(b"be")
    )
}

fn is_keyword(w: &[u8]) -> bool {
    [&b"from"[..], b"by", b"with", b"id", b"for", b"via"]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
}

/// Whether the line is read as peer-first: the family says so, or (unknown family) the
/// chosen address is at the peer-first place and no HELO is stated before it.
fn peer_first(family: Option<Mta>, part: &FromPart<'_>, c: Candidate<'_>) -> bool {
    match family.map(peer_at) {
        Some(at) => at == PeerAt::First,
        None => {
            let helo_before = part
                .comments
                .iter()
                .any(|h| h.states_helo() && c.at.is_some_and(|at| h.at < at));
            !helo_before && part.first.is_some_and(|f| f.at == c.at)
        }
    }
}

/// The address at the peer-first place, when the line has that shape: the earliest address
/// of the from part (the word after `from`, a bracketed word, or a comment that starts with
/// it), followed by the HELO stated on its own (`(HELO x)`, `helo=` in the same comment or
/// right after it, `verified`), by obtuse's claim, or by no other address.
fn first_candidate<'a>(part: &FromPart<'a>) -> Option<Candidate<'a>> {
    let literal = part.name_ip.map(|ip| Candidate {
        ip,
        source: IpSource::FromLiteral,
        at: None,
        comment: None,
    });
    let bracket = part.brackets.first().map(|&(at, ip)| Candidate {
        ip,
        source: IpSource::Bracket,
        at: Some(at),
        comment: None,
    });
    let comment = part
        .comments
        .iter()
        .enumerate()
        .find(|(_, c)| c.info.ip.is_some())
        .and_then(|(i, c)| {
            let ip = c.words.first().and_then(|w| parse_written_ip(w))?;
            Some(Candidate {
                ip,
                source: IpSource::Comment,
                at: Some(c.at),
                comment: Some(i),
            })
        });
    // The earliest of them (the name comes before every token after it).
    let candidate = [literal, bracket, comment]
        .into_iter()
        .flatten()
        .min_by_key(|c| c.at.map_or(0, |a| a + 1))?;
    if let Some(i) = candidate.comment {
        let c = &part.comments[i];
        let helo_here = c.info.helo_present
            || c.info.exim_style
            || c.words.iter().any(|w| w.eq_ignore_ascii_case(b"verified"));
        if helo_here {
            return Some(candidate);
        }
    }
    let next = candidate.at.map_or(1, |a| a + 1);
    let helo_follows = part
        .comments
        .iter()
        .any(|c| c.at == next && (c.states_helo() || c.info.exim_style))
        || part.helo_words.contains(&next);
    // No other address, or only the same one again (ecelerity `from [ip] ([ip]:port)`).
    let nothing_follows = part
        .name_ip
        .into_iter()
        .chain(part.brackets.iter().map(|&(_, ip)| ip))
        .chain(part.comments.iter().filter_map(|c| c.info.ip))
        .all(|ip| ip.addr == candidate.ip.addr);
    (part.claiming_at.is_some() || helo_follows || nothing_follows).then_some(candidate)
}

/// How many addresses the from part writes: the name, bracketed words, comments.
fn address_count(part: &FromPart<'_>) -> usize {
    usize::from(part.name_ip.is_some())
        + part.brackets.len()
        + part.comments.iter().filter(|c| c.info.ip.is_some()).count()
}

/// The last address of the from part: where HELO-first formats write their record.
fn last_candidate<'a>(part: &FromPart<'a>) -> Option<Candidate<'a>> {
    let comment = part.comments.iter().enumerate().rev().find_map(|(i, c)| {
        c.info.ip.map(|ip| Candidate {
            ip,
            source: IpSource::Comment,
            at: Some(c.at),
            comment: Some(i),
        })
    });
    let bracket = part.brackets.last().map(|&(at, ip)| Candidate {
        ip,
        source: IpSource::Bracket,
        at: Some(at),
        comment: None,
    });
    match (comment, bracket) {
        (Some(c), Some(b)) => Some(if b.at > c.at { b } else { c }),
        (c, b) => c.or(b),
    }
}

/// Picks the receiver's record of the peer (see the module's notes). A literal after
/// `from` with no other address after it is the peer the receiver wrote (Exim without a
/// reverse name or HELO, CommuniGate, InterMail, Yahoo and web.de webmail, Mandrill's API,
/// MessageWall): an MTA that records the peer at all writes it there when it writes
/// nothing else; only in a family that always writes its TCP-info (Postfix, Sendmail, ...)
/// is such a literal the client's HELO.
fn choose_peer<'a>(
    r: &mut Received<'a>,
    part: &FromPart<'a>,
    family: Option<Mta>,
) -> Option<Candidate<'a>> {
    let first = part.first;
    let last = last_candidate(part);
    let first = first.filter(|f| {
        f.source != IpSource::FromLiteral
            || last.is_some()
            || part.comments.first().is_some_and(FromComment::states_helo)
            || part.claiming_at.is_some()
            || !family.or(r.mta).is_some_and(helo_is_the_name)
    });
    match (first, last) {
        (None, None) => None,
        (Some(f), None) => Some(f),
        // A peer-first format whose first place holds no address: its record is not
        // where the format writes it, so an address elsewhere is the client's.
        (None, Some(l))
            if family.map(peer_at) == Some(PeerAt::First) && address_count(part) > 1 =>
        {
            r.notes.push(format!(
                "{HELO_TRACE_SYNTAX}: the format writes the peer first, and no address is there; {} is not taken",
                l.ip.addr
            ));
            None
        }
        (None, Some(l)) => Some(l),
        // Both places say the same: the receiver's TCP-info (the last) is the record.
        (Some(f), Some(l)) if f.ip.addr == l.ip.addr => Some(l),
        (Some(f), Some(l)) => match family.map(peer_at) {
            Some(PeerAt::First) => Some(f),
            Some(PeerAt::Last) => Some(l),
            None => {
                r.notes.push(format!(
                    "{HELO_TRACE_SYNTAX}: the from part holds {} and {} where the receiver may have written the peer, and its format does not say which; no peer address read",
                    f.ip.addr, l.ip.addr
                ));
                None
            }
        },
    }
}

/// Takes what the receiver's comment recorded: its reverse name, ident, HELO and marks.
fn take_receiver_comment<'a>(r: &mut Received<'a>, p: &PeerInfo<'a>) {
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
        r.rdns_may_be_forged = true;
        r.notes
            .push("receiver marked the reverse name `may be forged`".into());
    }
    if let Some(port) = p.port
        && let Some(ip) = r.ip.as_mut()
    {
        ip.port.get_or_insert(port);
    }
    if p.unverified {
        r.notes.push("receiver marked the peer `unverified`".into());
    }
}

/// The HELO: stated on its own (`(HELO x)`, `helo=`, `claiming to be "x"`), or else the
/// text from the `from` name up to the receiver's record, kept whole when the client put
/// comments or addresses into it.
fn read_helo<'a>(
    r: &mut Received<'a>,
    value: &'a [u8],
    tokens: &[Token<'a>],
    part: &FromPart<'a>,
    chosen: Option<Candidate<'a>>,
    family: Option<Mta>,
) {
    if let Some(at) = part.claiming_at {
        read_claimed_helo(r, value, tokens, at);
        return;
    }
    let receiver_at = chosen.and_then(|c| c.at);
    // Exim 3's `from name (helo) [ip]`: the one word in parentheses, right before the
    // bracketed peer, is the HELO (the name is the reverse name).
    if let (Some(c), Some(first)) = (chosen, part.comments.first())
        && c.source == IpSource::Bracket
        && c.at == Some(first.at + 1)
        && first.at <= 1
        && first.words.len() == 1
        && first.info.ip.is_none()
        && matches!(family, None | Some(Mta::Exim))
    {
        r.helo = Some(first.words[0]);
        r.helo_explicit = true;
        if family.is_none() {
            r.mta = Some(Mta::Exim);
        }
        return;
    }
    if !r.helo_explicit && !family.is_some_and(helo_is_the_name) {
        // An explicit HELO in its own comment: qmail `(HELO x)`, CommuniGate
        // `(account u HELO x)`. The first one is the receiver's: a later one sits inside
        // the client's text.
        if let Some(c) = part.comments.iter().find(|c| c.info.helo_present) {
            r.helo = c.info.helo;
            r.helo_explicit = true;
            return;
        }
    }
    if r.helo_explicit {
        return;
    }
    let Some(name) = r.from_name else { return };
    // Everything between the name and the receiver's record is the client's HELO.
    let Some(receiver_at) =
        receiver_at.filter(|&a| a > 1 && family.map(peer_at) != Some(PeerAt::First))
    else {
        return;
    };
    let between = &tokens[1..receiver_at];
    let typed_syntax = between.iter().any(|t| match *t {
        Token::Comment(_) | Token::Unclosed => true,
        Token::Word(w) => parse_written_ip(w).is_some(),
        _ => false,
    });
    let Some(end) = between
        .iter()
        .rev()
        .find_map(|t| token_end(value, t))
        .filter(|_| typed_syntax)
    else {
        return;
    };
    let start = name.as_ptr() as usize - value.as_ptr() as usize;
    if end > start + name.len() {
        r.helo = value.get(start..end);
        r.notes.push(format!(
            "{HELO_TRACE_SYNTAX}: comments or addresses before the receiver's record; kept whole as the client's HELO"
        ));
    }
}

/// The end (byte offset in `value`) of a token that has text.
fn token_end(value: &[u8], t: &Token<'_>) -> Option<usize> {
    let base = value.as_ptr() as usize;
    match *t {
        // A comment's text lies inside its parentheses: its end is one past the `)`.
        Token::Comment(c) => Some(c.as_ptr() as usize - base + c.len() + 1),
        Token::Word(w) | Token::Angle(w) => Some(w.as_ptr() as usize - base + w.len()),
        _ => None,
    }
    .map(|e| e.min(value.len()))
}

/// obtuse smtpd's HELO: the text between the quotes after `claiming to be`, up to `via`
/// (or the end); quotes that do not pair make it the client's text as written, with a note.
fn read_claimed_helo<'a>(r: &mut Received<'a>, value: &'a [u8], tokens: &[Token<'a>], at: usize) {
    let Some(Token::Word(first)) = tokens.get(at) else {
        return;
    };
    let base = value.as_ptr() as usize;
    let start = first.as_ptr() as usize - base;
    let end = tokens[at..]
        .iter()
        .take_while(|t| !matches!(t, Token::Word(w) if w.eq_ignore_ascii_case(b"via")))
        .filter_map(|t| token_end(value, t))
        .last()
        .unwrap_or(start + first.len());
    let text = &value[start..end];
    let quotes = text.iter().filter(|&&b| b == b'"').count();
    r.helo_explicit = true;
    if quotes == 2 && text.first() == Some(&b'"') && text.last() == Some(&b'"') {
        r.helo = Some(&text[1..text.len() - 1]);
    } else {
        r.helo = Some(text);
        r.notes.push(format!(
            "{HELO_TRACE_SYNTAX}: its quotes do not pair; kept as written"
        ));
    }
}

/// What the word after `from` is: the peer's verified reverse name (Exim, qmail, the
/// formats that state the HELO on its own) or, elsewhere, the HELO name.
fn read_from_name<'a>(
    r: &mut Received<'a>,
    part: &FromPart<'a>,
    receiver_comment: Option<usize>,
    family: Option<Mta>,
) {
    let Some(name) = r.from_name else { return };
    let mta = family.or(r.mta);
    let chosen_info = receiver_comment.map(|i| &part.comments[i].info);
    let chosen_is_exim = chosen_info.is_some_and(|p| p.exim_style);
    let exim = mta == Some(Mta::Exim) || chosen_is_exim;
    let name_is_literal = part.name_ip.is_some();
    let verified = chosen_info.is_some()
        && receiver_comment.is_some_and(|i| {
            part.comments[i]
                .words
                .iter()
                .any(|w| w.eq_ignore_ascii_case(b"verified"))
        });
    // Formats that state the HELO on its own and record the peer apart (qmail, IronPort,
    // GMX `name (EHLO x) [ip]`, Yahoo) write the reverse name as the name.
    let qmail_style = !exim
        && mta != Some(Mta::Exchange)
        && r.helo_explicit
        && r.ip_source != Some(IpSource::FromLiteral)
        && chosen_info.is_none_or(|p| p.rdns.is_none() && !p.exim_style)
        || (mta == Some(Mta::Qmail) && chosen_info.is_none_or(|p| p.rdns.is_none()))
        || mta == Some(Mta::Obtuse);
    // Exim writes the verified reverse name first (`name ([ip] helo=x)`), qmail its
    // TCPREMOTEHOST (`name (HELO x) (ip)`), CommuniGate a name it `verified`.
    if (exim || qmail_style || verified) && r.rdns.is_none() && !name_is_literal && r.ip.is_some() {
        if name.eq_ignore_ascii_case(b"unknown") {
            r.rdns_unknown = true;
        } else {
            r.rdns = Some(name);
            r.rdns_source = Some(RdnsSource::FromName);
        }
    }
    // The name is the receiver's record of the peer, not a HELO, when it is the literal
    // taken as the peer, or the same address a peer-first format (ecelerity
    // `from [ip] ([ip]:port)`) wrote again.
    let name_is_peer = r.ip_source == Some(IpSource::FromLiteral)
        || (name_is_literal
            && mta.map(peer_at) == Some(PeerAt::First)
            && part.name_ip.map(|n| n.addr) == r.ip.map(|i| i.addr));
    // obtuse smtpd's name is the reverse name (`UNKNOWN` when none) and ecelerity's the
    // peer's name: their HELO is only ever stated (`claiming to be`, `helo=`).
    let helo_only_stated = matches!(mta, Some(Mta::Obtuse | Mta::Momentum));
    if !r.helo_explicit && r.helo.is_none() && !name_is_peer && !helo_only_stated {
        // Exim omits helo= when it equals the reverse name; elsewhere the name is the HELO.
        r.helo = Some(name);
    }
}

/// Webmail hand-offs: the `from` value is the HTTP client (SquirrelMail writes its address,
/// Roundcube its reverse name with the address in brackets), and Roundcube behind a proxy
/// writes the real peer after `via` (the `from` part then came from X-Forwarded-For).
pub(super) fn read_webmail_peer<'a>(r: &mut Received<'a>, via_comments: &[&'a [u8]]) {
    // `via proxy ([ip])`, or without names `via [ip]`.
    let in_comment = via_comments
        .iter()
        .find_map(|c| comment_words(c).into_iter().find_map(parse_written_ip))
        .map(|ip| (ip, r.via.filter(|v| is_hostname(v))));
    let via = in_comment.or_else(|| r.via.and_then(parse_written_ip).map(|ip| (ip, None)));
    if let Some((via_ip, via_name)) = via {
        if let Some(ip) = r.ip {
            r.notes.push(format!(
                "client-supplied address {} (X-Forwarded-For); the peer is after `via`",
                ip.addr
            ));
        }
        r.ip = Some(via_ip);
        r.ip_source = Some(IpSource::Comment);
        r.rdns = via_name;
        r.rdns_source = via_name.map(|_| RdnsSource::FromName);
        if !r.helo_explicit {
            r.helo = None;
        }
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
