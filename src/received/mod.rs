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

mod ip;
pub mod lexer;
mod mta;

pub use ip::{WrittenIp, parse_written_ip};
pub use mta::Mta;

use crate::date::{ParsedDate, find_date, parse_date};
use crate::limits::Limits;
use lexer::{Lexer, Token, comment_words};
use std::net::IpAddr;

/// How a hop handed the message on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A network transfer (SMTP, ESMTP, LMTP, ...): a peer connected to the receiver.
    Smtp,
    /// A webmail or HTTP API submission: the peer is a browser or API client.
    Http,
    /// No network peer: local pickup, `with local`, qmail `invoked by uid`, fetchmail.
    Local,
}

impl Kind {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Smtp => "smtp",
            Kind::Http => "http",
            Kind::Local => "local",
        }
    }
}

/// How much of a header could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `by` host and date found.
    Full,
    /// Readable, but something expected is missing (see the reason).
    Partial,
    /// Nothing usable, or no `by` host on a network hop (see the reason).
    Unparsed,
}

impl Status {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Full => "full",
            Status::Partial => "partial",
            Status::Unparsed => "unparsed",
        }
    }
}

/// Where the recorded reverse-DNS name was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdnsSource {
    /// The name inside the receiver's TCP-info comment (Postfix, Sendmail, Courier, ...).
    Comment,
    /// The name after `from`, which Exim and qmail fill with the verified reverse name.
    FromName,
}

impl RdnsSource {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            RdnsSource::Comment => "comment",
            RdnsSource::FromName => "from-name",
        }
    }
}

/// Where the connecting IP was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpSource {
    /// A comment written by the receiver.
    Comment,
    /// A bracketed address after the `from` name (`from host [1.2.3.4]`, MDaemon, fetchmail).
    Bracket,
    /// The `from` value of a webmail hand-off, which names the HTTP client's address.
    FromLiteral,
}

impl IpSource {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            IpSource::Comment => "comment",
            IpSource::Bracket => "bracket",
            IpSource::FromLiteral => "from-literal",
        }
    }
}

/// TLS details stated or implied by a hop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tls<'a> {
    /// Protocol version as written (`TLSv1.3`, `TLS1_2`).
    pub version: Option<&'a [u8]>,
    /// Cipher as written.
    pub cipher: Option<&'a [u8]>,
    /// What told us: `using`, `with ESMTPS`, `version=`, `Exim tls`, ...
    pub evidence: &'static str,
}

/// Authenticated submission details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auth<'a> {
    /// The authenticated user, when written (`Authenticated sender: x`, `AUTH: LOGIN x`).
    pub user: Option<&'a [u8]>,
    /// What told us (`ESMTPA`, `Authenticated sender`, `authenticated bits=0`, ...).
    pub evidence: &'static str,
}

impl Received<'_> {
    /// Checks that every byte field is a slice of `input`, the value this was parsed from
    /// (the parser reads, never rewrites: evidence points at what was written). For the
    /// fuzz targets and property tests; `Err` names the first field that is not.
    pub fn check_borrowed(&self, input: &[u8]) -> Result<(), String> {
        let inside = |s: &[u8]| {
            let (start, end) = (input.as_ptr() as usize, input.as_ptr() as usize + input.len());
            let p = s.as_ptr() as usize;
            // An empty slice may point anywhere; it holds no bytes of its own.
            s.is_empty() || (p >= start && p + s.len() <= end)
        };
        let fields = [
            ("from_name", self.from_name),
            ("helo", self.helo),
            ("rdns", self.rdns),
            ("ident", self.ident),
            ("by_host", self.by_host),
            ("by_comment", self.by_comment),
            ("with", self.with),
            ("via", self.via),
            ("id", self.id),
            ("for_addr", self.for_addr),
            ("envelope_from", self.envelope_from),
            ("date_text", self.date_text),
            ("ip.scope", self.ip.as_ref().and_then(|i| i.scope)),
            ("tls.version", self.tls.as_ref().and_then(|t| t.version)),
            ("tls.cipher", self.tls.as_ref().and_then(|t| t.cipher)),
            ("auth.user", self.auth.as_ref().and_then(|a| a.user)),
        ];
        match fields.iter().find(|(_, f)| f.is_some_and(|f| !inside(f))) {
            Some((name, _)) => Err(format!("{name} is not a slice of the input")),
            None => Ok(()),
        }
    }
}

/// One parsed Received header. Byte fields borrow the raw value.
#[derive(Debug, Clone, Default)]
pub struct Received<'a> {
    /// The word after `from`, exactly as written.
    pub from_name: Option<&'a [u8]>,
    /// The name or address literal the sender claimed in HELO/EHLO/LHLO.
    pub helo: Option<&'a [u8]>,
    /// True when the HELO was written explicitly (`helo=`, `(HELO x)`), not inferred.
    pub helo_explicit: bool,
    /// Reverse-DNS name the receiver recorded.
    pub rdns: Option<&'a [u8]>,
    /// Where `rdns` came from.
    pub rdns_source: Option<RdnsSource>,
    /// The receiver wrote `unknown` (or similar) for the reverse name: it looked and found none.
    pub rdns_unknown: bool,
    /// Connecting IP recorded by the receiver.
    pub ip: Option<WrittenIp<'a>>,
    /// Where `ip` came from.
    pub ip_source: Option<IpSource>,
    /// RFC 1413 ident or the local user named beside the address.
    pub ident: Option<&'a [u8]>,
    /// The receiving host after `by`.
    pub by_host: Option<&'a [u8]>,
    /// An address the receiver wrote for itself (`by host (10.1.1.2)`).
    pub by_ip: Option<IpAddr>,
    /// The comment after the `by` host (software and version, usually).
    pub by_comment: Option<&'a [u8]>,
    /// The `with` clause as written (may be several words).
    pub with: Option<&'a [u8]>,
    /// The protocol from the IANA mail transmission types (plus HTTP, IMAP, POP3, LOCAL).
    pub protocol: Option<&'static str>,
    /// The `via` clause.
    pub via: Option<&'a [u8]>,
    /// TLS, when stated or implied.
    pub tls: Option<Tls<'a>>,
    /// Authentication, when stated or implied.
    pub auth: Option<Auth<'a>>,
    /// Queue id.
    pub id: Option<&'a [u8]>,
    /// Recipient from the `for` clause.
    pub for_addr: Option<&'a [u8]>,
    /// Envelope sender stated in the header (`envelope-from <x>`).
    pub envelope_from: Option<&'a [u8]>,
    /// The date.
    pub date: Option<ParsedDate>,
    /// The date text as written (up to the end of the parsed date).
    pub date_text: Option<&'a [u8]>,
    /// The MTA family the line's format points to.
    pub mta: Option<Mta>,
    /// Network, HTTP or local hand-off.
    pub kind: Option<Kind>,
    /// How much was read.
    pub status: Option<Status>,
    /// Why the status is not `Full`.
    pub reason: Option<String>,
    /// Things a reader of the evidence should know (`may be forged`, ignored text, ...).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    From,
    By,
    Via,
    With,
    Id,
    For,
    EnvelopeFrom,
}

fn keyword(word: &[u8]) -> Option<Clause> {
    let k = match word.len() {
        2 if word.eq_ignore_ascii_case(b"by") => Clause::By,
        2 if word.eq_ignore_ascii_case(b"id") => Clause::Id,
        3 if word.eq_ignore_ascii_case(b"via") => Clause::Via,
        3 if word.eq_ignore_ascii_case(b"for") => Clause::For,
        4 if word.eq_ignore_ascii_case(b"from") => Clause::From,
        4 if word.eq_ignore_ascii_case(b"with") => Clause::With,
        13 if word.eq_ignore_ascii_case(b"envelope-from") => Clause::EnvelopeFrom,
        _ => return None,
    };
    Some(k)
}

/// Tokens of one clause: its keyword's values and the comments that followed them.
#[derive(Default)]
struct ClauseTokens<'t, 'a> {
    /// The clause's tokens: a run of the line's tokens (borrowed), or gathered from after
    /// the date, where comments are taken out.
    words: std::borrow::Cow<'t, [Token<'a>]>,
    /// (start, end) of the span covering all words, for multi-word `with` values.
    span: Option<(usize, usize)>,
}

/// Gives the last clause opened its run of tokens.
fn close_run<'t, 'a>(
    groups: &mut [(Clause, ClauseTokens<'t, 'a>)],
    run: &'t [Token<'a>],
    base: usize,
) {
    if let Some((_, g)) = groups.last_mut() {
        g.span = span_of(run, base);
        g.words = std::borrow::Cow::Borrowed(run);
    }
}

/// The byte span (in the value starting at `base`) from the first word or angle address of
/// `tokens` to the end of the last.
fn span_of(tokens: &[Token<'_>], base: usize) -> Option<(usize, usize)> {
    let mut span: Option<(usize, usize)> = None;
    for tok in tokens {
        if let Token::Word(w) | Token::Angle(w) = *tok {
            let start = w.as_ptr() as usize - base;
            let end = start + w.len();
            span = Some(span.map_or((start, end), |(s, _)| (s, end)));
        }
    }
    span
}

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
    if comment_depth_exceeds(value, limits.max_comment_depth) {
        r.notes.push(format!(
            "comments nest deeper than {}; the deep part was kept but not interpreted",
            limits.max_comment_depth
        ));
    }

    let (clause_end, date_part, clause_tokens) = split_date(value, &mut r);
    let clauses_bytes = &value[..clause_end];
    // The clause tokens were read while looking for the `;`; lex again only when the
    // clauses end elsewhere.
    let clause_tokens =
        clause_tokens.unwrap_or_else(|| Lexer::new(clauses_bytes).collect::<Vec<_>>());
    let base = value.as_ptr() as usize;

    // Group tokens by clause; tokens before the first keyword are "leading". A clause's
    // tokens are the run between its keyword and the next one: borrowed, not copied.
    let mut groups: Vec<(Clause, ClauseTokens<'_, 'a>)> = Vec::with_capacity(8);
    let mut seen_by = false;
    let mut run_start = 0;
    let mut leading: &[Token<'a>] = &clause_tokens;
    for (i, tok) in clause_tokens.iter().enumerate() {
        if let Token::Word(w) = *tok
            && let Some(k) = keyword(w)
        {
            // `from` after `by` is XMail's envelope sender (`from <x>`), not the peer.
            let k = if k == Clause::From && seen_by {
                Clause::EnvelopeFrom
            } else {
                k
            };
            seen_by |= k == Clause::By;
            if groups.is_empty() {
                leading = &clause_tokens[..i];
            }
            close_run(&mut groups, &clause_tokens[run_start..i], base);
            groups.push((k, ClauseTokens::default()));
            run_start = i + 1;
        }
    }
    close_run(&mut groups, &clause_tokens[run_start..], base);
    // After the date some MTAs go on (`; date for <x>`, `(envelope-from x)`).
    let mut trailer: Vec<(Clause, ClauseTokens<'_, 'a>)> = Vec::new();
    let mut trailer_comments: Vec<&'a [u8]> = Vec::new();
    if let Some(rest) = date_part {
        for tok in Lexer::new(rest) {
            match tok {
                Token::Word(w) if keyword(w).is_some() => {
                    trailer.push((keyword(w).unwrap_or(Clause::Id), ClauseTokens::default()))
                }
                Token::Comment(c) => trailer_comments.push(c),
                t => {
                    if let Some((_, g)) = trailer.last_mut() {
                        g.words.to_mut().push(t);
                    }
                }
            }
        }
    }

    r.mta = mta::detect(value);
    let mut from_comments: Vec<&'a [u8]> = Vec::new();
    let mut from_extra_words: Vec<&'a [u8]> = Vec::new();
    let mut other_comments: Vec<&'a [u8]> = Vec::new();
    let mut by_seen = false;
    let mut via_comments: Vec<&'a [u8]> = Vec::new();

    // A leading comment `(from user@localhost)` (Sendmail submit) or `(qmail N invoked ...)`.
    for tok in leading {
        match *tok {
            Token::Comment(c) => {
                let words = comment_words(c);
                if words
                    .first()
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"from"))
                {
                    read_leading_from(&words[1..], &mut r);
                } else {
                    other_comments.push(c);
                }
            }
            Token::Word(w) => r.notes.push(format!(
                "ignored text before the first clause: {}",
                String::from_utf8_lossy(w)
            )),
            _ => {}
        }
    }

    for (clause, g) in groups.iter().chain(trailer.iter()) {
        let first_value = g.words.iter().find_map(|t| match *t {
            Token::Word(w) | Token::Angle(w) => Some(w),
            _ => None,
        });
        let comments = g.words.iter().filter_map(|t| match *t {
            Token::Comment(c) => Some(c),
            _ => None,
        });
        match clause {
            Clause::From => {
                if r.from_name.is_some() || r.ip.is_some() {
                    continue;
                }
                let mut first = true;
                for t in g.words.iter() {
                    match *t {
                        Token::Word(w) if first && !is_bracket_only(w) => {
                            r.from_name = Some(w);
                            first = false;
                        }
                        Token::Word(w) | Token::Angle(w) => {
                            first = false;
                            from_extra_words.push(w);
                        }
                        Token::Comment(c) => {
                            first = false;
                            from_comments.push(c);
                        }
                        Token::Semi => {}
                    }
                }
            }
            Clause::By => {
                // Only the first `by` names the receiver; later ones are prose
                // (`with gg login by AOL 6.0`), even when the first value was unusable.
                if by_seen {
                    other_comments.extend(comments);
                    continue;
                }
                by_seen = true;
                if let Some(w) = first_value {
                    let host = trim_angle(w);
                    if host.contains(&b'@') {
                        r.notes.push(format!(
                            "`by` value is not a host name: {}",
                            String::from_utf8_lossy(w)
                        ));
                    } else if !host.is_empty() {
                        r.by_host = Some(host);
                    }
                }
                let mut comments = comments;
                if let Some(c) = comments.next() {
                    r.by_comment = Some(c);
                    if let Some(ip) = comment_words(c).iter().find_map(|w| parse_written_ip(w)) {
                        r.by_ip = Some(ip.addr);
                    }
                    other_comments.push(c);
                }
                other_comments.extend(comments);
            }
            Clause::With => {
                if r.with.is_none() {
                    // The value is every word up to the first comment or keyword.
                    let mut end = None;
                    let mut start = None;
                    for t in g.words.iter() {
                        match *t {
                            Token::Word(w) | Token::Angle(w) => {
                                let s = w.as_ptr() as usize - base;
                                start.get_or_insert(s);
                                end = Some(s + w.len());
                            }
                            _ => break,
                        }
                    }
                    if let (Some(s), Some(e)) = (start, end) {
                        r.with = value.get(s..e);
                    }
                    // Exim 4.9x: `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`.
                    let mut version = None;
                    for pair in g.words.windows(2) {
                        match pair {
                            [Token::Comment(c), _]
                                if c.len() > 3 && c[..3].eq_ignore_ascii_case(b"tls") =>
                            {
                                version.get_or_insert(*c);
                            }
                            [Token::Word(k), Token::Word(cipher)]
                                if k.eq_ignore_ascii_case(b"tls") =>
                            {
                                r.tls = Some(Tls {
                                    version,
                                    cipher: Some(cipher),
                                    evidence: "exim",
                                });
                            }
                            _ => {}
                        }
                    }
                }
                other_comments.extend(comments);
            }
            Clause::Via => {
                if r.via.is_none() {
                    r.via = first_value;
                    via_comments.extend(comments.clone());
                }
                other_comments.extend(comments);
            }
            Clause::Id => {
                if r.id.is_none() {
                    r.id = first_value.map(trim_angle).filter(|v| !v.is_empty());
                }
                other_comments.extend(comments);
            }
            Clause::For => {
                if r.for_addr.is_none() {
                    r.for_addr = first_value.map(trim_angle).filter(|v| v.contains(&b'@'));
                }
                other_comments.extend(comments);
            }
            Clause::EnvelopeFrom => {
                if r.envelope_from.is_none() {
                    r.envelope_from = first_value.map(trim_angle);
                }
                other_comments.extend(comments);
            }
        }
    }
    other_comments.extend(trailer_comments);

    r.protocol = r.with.and_then(protocol_of);
    if r.protocol.is_none() {
        r.protocol = r.via.and_then(protocol_of);
    }
    // Each comment is split into words once, for every reader below.
    let comments: Vec<(&'a [u8], Vec<&'a [u8]>)> = from_comments
        .iter()
        .chain(other_comments.iter())
        .map(|&c| (c, comment_words(c)))
        .collect();
    read_peer(
        &mut r,
        value,
        &comments[..from_comments.len()],
        &from_extra_words,
    );
    if matches!(r.protocol, Some("HTTP" | "HTTPS")) {
        read_webmail_peer(&mut r, &via_comments);
    }
    read_tls_and_auth(&mut r, &comments, value);
    read_envelope_comments(&mut r, &comments);
    r.kind = Some(classify_kind(&r, value));
    finish_status(&mut r);
    r
}

/// True when comments nest deeper than `max` anywhere in `value`.
fn comment_depth_exceeds(value: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    // Only parentheses matter: jump between them.
    for at in memchr::memchr2_iter(b'(', b')', value) {
        if value[at] == b'(' {
            depth += 1;
            if depth > max {
                return true;
            }
        } else {
            depth = depth.saturating_sub(1);
        }
    }
    false
}

/// The tokens before the first top-level `;`, when the clauses end there.
type ClauseTokensBeforeSemi<'a> = Option<Vec<Token<'a>>>;

/// Finds where the clauses end and the date begins. Returns the clause length, the bytes
/// after the date (for trailing clauses) and, when the clauses end at the first `;`, their
/// tokens; fills `r.date`.
fn split_date<'a>(
    value: &'a [u8],
    r: &mut Received<'a>,
) -> (usize, Option<&'a [u8]>, ClauseTokensBeforeSemi<'a>) {
    // The first top-level `;` normally starts the date.
    let mut lexer = Lexer::new(value);
    let mut semi_at = None;
    // Room for the clauses of a usual line (about 20 tokens) without regrowing.
    let mut before: Vec<Token<'a>> = Vec::with_capacity(32);
    while let Some(tok) = lexer.next() {
        if tok == Token::Semi {
            semi_at = Some(lexer.position() - 1);
            break;
        }
        before.push(tok);
    }
    if let Some(semi) = semi_at {
        // Try the text after each `;` in turn: `with;ESMTP id x; date` has junk first.
        let mut at = semi;
        let mut attempts = 0;
        loop {
            let after = &value[at + 1..];
            if let Some((d, used)) = parse_date(after) {
                r.date = Some(d);
                r.date_text = Some(trim_space(&after[..used]));
                if at != semi {
                    r.notes
                        .push("text between the first `;` and the date was ignored".into());
                }
                return (semi, Some(&after[used..]), Some(before));
            }
            attempts += 1;
            match after.iter().position(|&b| b == b';') {
                Some(next) if attempts < 16 => at = at + 1 + next,
                _ => break,
            }
        }
        // No date after any `;`: maybe one without its `;`, or none at all.
        if let Some((start, d, used)) = find_date(&value[semi + 1..]) {
            let s = semi + 1 + start;
            r.date = Some(d);
            r.date_text = Some(&value[s..s + used]);
            return (semi, Some(&value[s + used..]), Some(before));
        }
        r.notes.push("no date after `;`".into());
        return (semi, None, Some(before));
    }
    // No `;`: look for a date after the last clause keyword's value.
    if let Some((start, d, used)) = find_date(value) {
        r.date = Some(d);
        r.date_text = Some(&value[start..start + used]);
        r.notes.push("no `;` before the date".into());
        return (start, Some(&value[start + used..]), None);
    }
    (value.len(), None, Some(before))
}

fn trim_space(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&b| !lexer::is_space(b))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !lexer::is_space(b))
        .map_or(start, |i| i + 1);
    &s[start..end]
}

fn trim_angle(w: &[u8]) -> &[u8] {
    let w = w.strip_prefix(b"<").unwrap_or(w);
    let w = w.strip_suffix(b">").unwrap_or(w);

    (w.strip_suffix(b",").unwrap_or(w)) as _
}

/// `[` or `]` alone, as in MDaemon's `[(1.2.3.4)]`.
fn is_bracket_only(w: &[u8]) -> bool {
    w.iter().all(|&b| b == b'[' || b == b']')
}

/// True for a word that can be a host name (letters, digits, `-`, `_`, `.`).
pub fn is_hostname(w: &[u8]) -> bool {
    !w.is_empty()
        && w.len() <= 255
        && w.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | 0))
        && w.iter().any(|b| b.is_ascii_alphanumeric())
}

/// `(from user@host)` (Sendmail submit: a local user, no peer) or `(from host [1.2.3.4])`
/// written before `by`.
fn read_leading_from<'a>(words: &[&'a [u8]], r: &mut Received<'a>) {
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

/// What one TCP-info comment says about the peer.
#[derive(Default)]
struct PeerInfo<'a> {
    ip: Option<WrittenIp<'a>>,
    rdns: Option<&'a [u8]>,
    rdns_unknown: bool,
    helo: Option<&'a [u8]>,
    helo_present: bool,
    ident: Option<&'a [u8]>,
    exim_style: bool,
    local_socket: bool,
    client_supplied: bool,
    port: Option<u16>,
    may_be_forged: bool,
    unverified: bool,
    /// Names seen that were not the rdns (to report in notes).
    word_count: usize,
}

fn read_comment<'a>(words: &[&'a [u8]]) -> PeerInfo<'a> {
    let mut p = PeerInfo {
        word_count: words.len(),
        ..PeerInfo::default()
    };
    if words
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case(b"proxying"))
    {
        // SquirrelMail `(proxying for X)`: X comes from the client's X-Forwarded-For.
        p.client_supplied = true;
        return p;
    }
    let mut i = 0;
    let mut pending_name: Option<&[u8]> = None;
    while i < words.len() {
        let w = trim_quotes(words[i]);
        i += 1;
        if w.starts_with(b"rhost-flags") {
            // ZMailer writes the verified reverse name first, like Exim.
            p.exim_style = true;
            continue;
        }
        if let Some(v) = strip_prefix_ci(w, b"port=") {
            // Exim 4.9x without a reverse name: `from [ip] (port=N helo=x)`.
            p.port = std::str::from_utf8(v).ok().and_then(|v| v.parse().ok());
            p.exim_style = true;
            continue;
        }
        if let Some(nested) = w.strip_prefix(b"(") {
            // A nested comment may be unclosed at the end: `(` alone, or `(text`.
            let inner = nested.strip_suffix(b")").unwrap_or(nested);
            if contains_ci(inner, b"may be forged") {
                p.may_be_forged = true;
            }
            continue;
        }
        let lower_is = |s: &[u8]| w.eq_ignore_ascii_case(s);
        if let Some(v) = strip_prefix_ci(w, b"helo=") {
            p.helo = Some(v);
            p.helo_present = true;
            p.exim_style = true;
            continue;
        }
        if let Some(v) = strip_prefix_ci(w, b"ident=") {
            p.ident = Some(trim_brackets(v));
            p.exim_style = true;
            continue;
        }
        if lower_is(b"helo") || lower_is(b"ehlo") || lower_is(b"lhlo") || lower_is(b"hello") {
            p.helo_present = true;
            if let Some(next) = words.get(i).filter(|n| n.first() != Some(&b'(')) {
                p.helo = Some(trim_quotes(next));
                i += 1;
            }
            continue;
        }
        if lower_is(b"account") {
            // CommuniGate `(account user HELO x)`: the next word is a login, not a host.
            i += 1;
            continue;
        }
        if lower_is(b"[local]") || strip_prefix_ci(w, b"[unix").is_some() || w.starts_with(b"[[") {
            // OpenSMTPD `(name [local])`, Sendmail `[UNIX: localhost]`: a local socket.
            p.local_socket = true;
            if let Some(name) = pending_name.take() {
                p.rdns.get_or_insert(name);
            }
            continue;
        }
        if lower_is(b"unknown") || lower_is(b"softdnserr") {
            p.rdns_unknown = true;
            continue;
        }
        if lower_is(b"unverified") {
            p.unverified = true;
            continue;
        }
        if let Some(ip) = parse_written_ip(w) {
            if p.ip.is_none() {
                p.ip = Some(ip);
                if let Some(name) = pending_name.take() {
                    p.rdns.get_or_insert(name);
                }
            }
            continue;
        }
        // `user@[1.2.3.4]`, `user@1.2.3.4`, `user@host`, `IDENT:user@host`.
        if let Some(at) = w.iter().rposition(|&b| b == b'@') {
            let user = strip_prefix_ci(&w[..at], b"IDENT:").unwrap_or(&w[..at]);
            let host = &w[at + 1..];
            p.ident.get_or_insert(user);
            if let Some(ip) = parse_written_ip(host) {
                p.ip.get_or_insert(ip);
            } else if is_hostname(host) {
                pending_name = Some(host);
            }
            continue;
        }
        let name = trim_angle(w);
        if is_hostname(name) && p.rdns.is_none() && pending_name.is_none() && p.ip.is_none() {
            pending_name = Some(name);
        }
    }
    // A lone host name, `(mail.example.com)`, is a reverse name too.
    if p.rdns.is_none()
        && let Some(name) = pending_name
        && (p.ip.is_some() || (p.word_count == 1 && name.contains(&b'.')) || p.ident.is_some())
    {
        p.rdns = Some(name);
    }
    if p.ip.is_some()
        && p.helo_present
        && p.rdns.is_none()
        && words.first().is_some_and(|w| w.first() == Some(&b'['))
    {
        p.exim_style = true;
    }
    p
}

fn trim_quotes(w: &[u8]) -> &[u8] {
    let w = w.strip_prefix(b"\"").unwrap_or(w);
    w.strip_suffix(b"\"").unwrap_or(w)
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.len() < needle.len() {
        return false;
    }
    // Compare only where the needle's rarest byte matches (found with memchr): most of a
    // header is never a candidate, and a common first letter (`o`, `a`) would make most
    // of its words one.
    // A plain loop: `min_by_key` over (index, byte) pairs compiles to stack round trips.
    let mut at = 0;
    let mut rarest = u8::MAX;
    for (i, &b) in needle.iter().enumerate() {
        let c = COMMONNESS[usize::from(b)];
        if c < rarest {
            rarest = c;
            at = i;
        }
    }
    let b = needle[at];
    let (lower, upper) = (b.to_ascii_lowercase(), b.to_ascii_uppercase());
    let last = hay.len() - needle.len() + at;
    memchr::memchr2_iter(lower, upper, &hay[at..=last])
        .any(|i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// How common a byte is in Received headers, roughly (English letters by frequency, then
/// space, digits and dots): higher is more common.
static COMMONNESS: [u8; 256] = {
    const LETTERS_BY_FREQUENCY: &[u8] = b"zqxjkvbpygfwmucldrhsnioate";
    let mut table = [0u8; 256];
    let mut rank = 0;
    while rank < LETTERS_BY_FREQUENCY.len() {
        let c = LETTERS_BY_FREQUENCY[rank];
        table[c as usize] = 10 + rank as u8;
        table[c.to_ascii_uppercase() as usize] = 10 + rank as u8;
        rank += 1;
    }
    table[b' ' as usize] = 40;
    table[b'.' as usize] = 40;
    let mut d = b'0';
    while d <= b'9' {
        table[d as usize] = 40;
        d += 1;
    }
    table
};

fn strip_prefix_ci<'a>(w: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    (w.len() >= prefix.len() && w[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &w[prefix.len()..])
}

fn trim_brackets(w: &[u8]) -> &[u8] {
    let w = w.strip_prefix(b"[").unwrap_or(w);
    w.strip_suffix(b"]").unwrap_or(w)
}

/// Fills ip, rdns, helo and ident from the `from` clause.
fn read_peer<'a>(
    r: &mut Received<'a>,
    value: &'a [u8],
    comments: &[(&'a [u8], Vec<&'a [u8]>)],
    extra_words: &[&'a [u8]],
) {
    let infos: Vec<PeerInfo<'a>> = comments
        .iter()
        .map(|(_, words)| read_comment(words))
        .collect();
    // The receiver's own comment: Exim's (it holds helo=) wins; otherwise the last one with
    // an address, since a sender can only put text *before* it, inside its HELO argument.
    let chosen = infos
        .iter()
        .position(|p| p.exim_style && p.ip.is_some())
        .or_else(|| infos.iter().rposition(|p| p.ip.is_some()))
        .or_else(|| {
            infos
                .iter()
                .rposition(|p| p.rdns.is_some() || p.rdns_unknown || p.local_socket)
        });
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
    let exim = r.mta == Some(Mta::Exim) || chosen.is_some_and(|i| infos[i].exim_style);

    if let Some(i) = chosen {
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
        // Comments before the receiver's own one are part of what the client sent as its
        // HELO (`from evil.example (a [6.6.6.6]) (real [1.2.3.4])`): keep the HELO whole.
        if i > 0
            && !p.exim_style
            && !p.helo_present
            && let (Some(name), Some((earlier, _))) = (r.from_name, comments.get(i - 1))
        {
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

    let Some(name) = r.from_name else { return };
    let name_is_literal = parse_written_ip(name).is_some();
    // Exim without a reverse name and CommuniGate write the peer's address as the `from`
    // value itself (`from [203.0.113.70] (helo=x)`); there it is the receiver's record.
    let literal_is_peer = matches!(r.mta, Some(Mta::Exim | Mta::Communigate))
        || chosen.is_some_and(|i| infos[i].exim_style);
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
fn read_webmail_peer<'a>(r: &mut Received<'a>, via_comments: &[&'a [u8]]) {
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

/// The protocol named by a `with` (or `via`) value, normalised.
pub fn protocol_of(with: &[u8]) -> Option<&'static str> {
    const KNOWN: [&str; 24] = [
        "ESMTPSA",
        "ESMTPS",
        "ESMTPA",
        "ESMTP",
        "SMTPS",
        "SMTP",
        "LMTPSA",
        "LMTPS",
        "LMTPA",
        "LMTP",
        "UTF8SMTPSA",
        "UTF8SMTPS",
        "UTF8SMTPA",
        "UTF8SMTP",
        "UTF8LMTPSA",
        "UTF8LMTPS",
        "UTF8LMTPA",
        "UTF8LMTP",
        "HTTPS",
        "HTTP",
        "IMAP",
        "POP3",
        "LOCAL",
        "QMQP",
    ];
    // Upper-cased on the stack when short (it nearly always is).
    let mut short = [0u8; 64];
    let text: std::borrow::Cow<'_, str> = match short.get_mut(..with.len()) {
        Some(buf) if with.is_ascii() => {
            buf.copy_from_slice(with);
            buf.make_ascii_uppercase();
            String::from_utf8_lossy(buf)
        }
        _ => String::from_utf8_lossy(with).to_ascii_uppercase().into(),
    };
    for raw in text.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '(' | '/')) {
        if raw.is_empty() {
            continue;
        }
        // Exim's local-esmtp / local-bsmtp, CommuniGate's ESMTP-TLS.
        let word = raw.strip_prefix("LOCAL-").unwrap_or(raw);
        let word = word.trim_end_matches([',', ';']);
        let mapped = match word {
            "ESMTP-TLS" => Some("ESMTPS"),
            "BSMTP" => Some("SMTP"),
            "HTTPREST" => Some("HTTP"),
            "POP" => Some("POP3"),
            "SMTPSVC" => Some("SMTP"),
            w if w.starts_with("SMTPSVC") => Some("SMTP"),
            w => KNOWN.iter().copied().find(|k| *k == w),
        };
        if let Some(p) = mapped {
            // `with local-esmtp` is a local SMTP session: report the protocol spoken.
            return Some(p);
        }
        if word == "MICROSOFT" && text.contains("SMTP") {
            return Some("SMTP");
        }
    }
    None
}

fn read_tls_and_auth<'a>(
    r: &mut Received<'a>,
    comments: &[(&'a [u8], Vec<&'a [u8]>)],
    value: &'a [u8],
) {
    for (c, words) in comments {
        let (c, words) = (*c, words.as_slice());
        let first = words.first().copied().unwrap_or_default();
        // Postfix: `(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...)`.
        if first.eq_ignore_ascii_case(b"using") {
            let version = words.get(1).copied();
            let cipher = words
                .iter()
                .position(|w| w.eq_ignore_ascii_case(b"cipher"))
                .and_then(|i| words.get(i + 1).copied());
            r.tls = Some(Tls {
                version,
                cipher,
                evidence: "using",
            });
            continue;
        }
        // Exchange / Gmail: `(version=TLS1_2, cipher=TLS_ECDHE_...)`.
        if let Some(v) = words.iter().find_map(|w| strip_prefix_ci(w, b"version=")) {
            let cipher = words.iter().find_map(|w| strip_prefix_ci(w, b"cipher="));
            r.tls = Some(Tls {
                version: Some(v),
                cipher,
                evidence: "version=",
            });
            continue;
        }
        // Courier `(TLS: TLSv1/SSLv3, 168bits, DES-CBC3-SHA)`, and within `(AUTH: ..., TLS: ...)`.
        if let Some(i) = words
            .iter()
            .position(|w| w.eq_ignore_ascii_case(b"TLS:") || w.eq_ignore_ascii_case(b"SSL:"))
        {
            let version = words.get(i + 1).copied();
            let cipher = words.get(i + 2..).and_then(|rest| {
                rest.iter()
                    .copied()
                    .find(|w| !w.ends_with(b"bits") && w.len() > 3)
            });
            r.tls = Some(Tls {
                version,
                cipher,
                evidence: "TLS:",
            });
        }
        // Exim `(TLSv1.3:TLS_AES_256_GCM_SHA384:256)`, `(Cipher TLSv1:DES-CBC3-SHA:168)`,
        // `(tls_cipher TLS-1.0:RSA_AES_256_CBC_SHA:32)`.
        let spec = if first.eq_ignore_ascii_case(b"cipher")
            || first.eq_ignore_ascii_case(b"tls_cipher")
        {
            words.get(1).copied()
        } else if words.len() == 1 && first.len() > 3 && first[..3].eq_ignore_ascii_case(b"tls") {
            Some(first)
        } else {
            None
        };
        if let Some(spec) = spec {
            let mut parts = spec.split(|&b| b == b':');
            let version = parts.next();
            let cipher = parts.next();
            if cipher.is_some() {
                r.tls = Some(Tls {
                    version,
                    cipher,
                    evidence: "exim",
                });
            }
        }
        if words
            .iter()
            .any(|w| w.eq_ignore_ascii_case(b"(Google") || w.eq_ignore_ascii_case(b"Google"))
            && contains_ci(c, b"Transport Security")
            && r.tls.is_none()
        {
            r.tls = Some(Tls {
                version: None,
                cipher: None,
                evidence: "Google Transport Security",
            });
        }
        // Authentication.
        if let Some(i) = words
            .iter()
            .position(|w| w.eq_ignore_ascii_case(b"sender:"))
            .filter(|&i| i > 0 && words[i - 1].eq_ignore_ascii_case(b"Authenticated"))
        {
            r.auth = Some(Auth {
                user: words.get(i + 1).copied(),
                evidence: "Authenticated sender",
            });
        } else if first.eq_ignore_ascii_case(b"authenticated") {
            r.auth.get_or_insert(Auth {
                user: None,
                evidence: "authenticated",
            });
        } else if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case(b"AUTH:")) {
            // Courier: `(AUTH: LOGIN user, TLS: ...)`.
            let user = words
                .get(i + 2)
                .copied()
                .filter(|w| !w.eq_ignore_ascii_case(b"TLS:"));
            r.auth = Some(Auth {
                user,
                evidence: "AUTH:",
            });
        } else if words.len() >= 2 && first.eq_ignore_ascii_case(b"account") {
            // CommuniGate: `(account user HELO x)`.
            r.auth = Some(Auth {
                user: words.get(1).copied(),
                evidence: "account",
            });
        } else if contains_ci(c, b"authenticated user") {
            // SquirrelMail: `(SquirrelMail authenticated user carol)`.
            let user = words
                .iter()
                .position(|w| w.eq_ignore_ascii_case(b"user"))
                .and_then(|i| words.get(i + 1).copied());
            r.auth = Some(Auth {
                user,
                evidence: "authenticated user",
            });
        } else if words.len() >= 3
            && words[words.len() - 2].eq_ignore_ascii_case(b"with")
            && (words[words.len() - 1].eq_ignore_ascii_case(b"plain")
                || words[words.len() - 1].eq_ignore_ascii_case(b"login"))
        {
            // qmail SMTP-AUTH patch: `(user@1.2.3.4 with plain)`.
            r.auth = Some(Auth {
                user: r.ident,
                evidence: "qmail smtp-auth",
            });
        }
    }
    if let Some(p) = r.protocol {
        let upper = p.trim_start_matches("UTF8");
        let (proto_tls, proto_auth) = match upper {
            "ESMTPSA" | "LMTPSA" => (true, true),
            "ESMTPS" | "LMTPS" | "SMTPS" | "HTTPS" => (true, false),
            "ESMTPA" | "LMTPA" => (false, true),
            _ => (false, false),
        };
        if proto_tls && r.tls.is_none() {
            r.tls = Some(Tls {
                version: None,
                cipher: None,
                evidence: "with-protocol",
            });
        }
        if proto_auth && r.auth.is_none() {
            r.auth = Some(Auth {
                user: None,
                evidence: "with-protocol",
            });
        }
    }
    // SMTPSVC `over TLS secured channel`; qmail-ldap `with AES128-SHA encrypted SMTP`.
    if r.tls.is_none() && contains_ci(value, b"over TLS secured channel") {
        r.tls = Some(Tls {
            version: None,
            cipher: None,
            evidence: "over TLS secured channel",
        });
    }
    if let Some(with) = r.with {
        let parts: Vec<&[u8]> = with
            .split(|&b| b == b'/' || lexer::is_space(b))
            .filter(|w| !w.is_empty())
            .collect();
        if r.tls.is_none() {
            if let Some(i) = parts
                .iter()
                .position(|w| w.eq_ignore_ascii_case(b"encrypted"))
            {
                r.tls = Some(Tls {
                    version: None,
                    cipher: i.checked_sub(1).map(|j| parts[j]),
                    evidence: "encrypted SMTP",
                });
            } else if let Some(i) = parts
                .iter()
                .skip(1)
                .position(|w| w.eq_ignore_ascii_case(b"TLS"))
            {
                // IronPort `with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384`.
                r.tls = Some(Tls {
                    version: None,
                    cipher: parts.get(i + 2).copied(),
                    evidence: "with-protocol",
                });
            }
        }
    }
    // Exim 4.9x: `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`.
    if let Some(with) = r.with
        && r.tls.as_ref().is_none_or(|t| t.cipher.is_none())
    {
        let words: Vec<&[u8]> = with
            .split(|b| lexer::is_space(*b))
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case(b"tls"))
            && let Some(c) = words.get(i + 1)
        {
            let version = r.tls.as_ref().and_then(|t| t.version);
            r.tls = Some(Tls {
                version,
                cipher: Some(c),
                evidence: "exim",
            });
        }
    }
}

/// `(envelope-from <x>)` (Exim, Postfix trailers), `(envelope-sender <x>)` (qmail-ldap).
fn read_envelope_comments<'a>(r: &mut Received<'a>, comments: &[(&'a [u8], Vec<&'a [u8]>)]) {
    if r.envelope_from.is_some() {
        return;
    }
    for (_, words) in comments {
        if let [k, v, ..] = words.as_slice()
            && (k.eq_ignore_ascii_case(b"envelope-from")
                || k.eq_ignore_ascii_case(b"envelope-sender"))
        {
            r.envelope_from = Some(trim_angle(v));
            return;
        }
    }
}

fn classify_kind(r: &Received<'_>, value: &[u8]) -> Kind {
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
    if contains_ci(value, b"pickup service") || r.notes.iter().any(|n| n.contains("local socket")) {
        return Kind::Local;
    }
    Kind::Smtp
}

fn finish_status(r: &mut Received<'_>) {
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

#[cfg(test)]
mod tests;
