//! Splitting a Received value into its clauses (RFC 5321 §4.4): `from`, `by`, `via`,
//! `with`, `id`, `for`, the `envelope-from` some MTAs add, and the date after the `;`.
//!
//! A clause is the run of tokens between its keyword and the next one, borrowed from the
//! line's tokens. The one-value clauses (`by`, `via`, `id`, `for`, `envelope-from`) are
//! read here; `from` belongs to [`super::peer`] and `with` to [`super::protocol`]. Every
//! comment is sorted by the clause it followed, because who wrote a comment decides what
//! it can be trusted for.

use super::bytes::{contains_ci, trim_angle, trim_space};
use super::lexer::{Lexer, Token, comment_words};
use super::model::Received;
use super::{Comment, parse_written_ip, peer, protocol};
use crate::date::{ParsedDate, find_date, parse_trace_date};
use std::borrow::Cow;

/// A clause keyword.
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

/// One clause: its keyword and the tokens that followed it.
struct Group<'t, 'a> {
    clause: Clause,
    /// The clause's tokens: a run of the line's tokens (borrowed), or gathered from after
    /// the date, where comments are taken out.
    words: Cow<'t, [Token<'a>]>,
}

/// The clauses of one line, in the order written.
pub(super) struct Clauses<'t, 'a> {
    /// Tokens before the first keyword: a leading comment, or junk.
    leading: &'t [Token<'a>],
    /// The tokens between `from` and the receiver's `by` (or the next keyword).
    pub(super) from: Option<&'t [Token<'a>]>,
    /// The byte offset of the receiver's `by`: from there on, the line is the receiver's.
    pub(super) by_at: Option<usize>,
    /// Which `by` that was, of several.
    pub(super) by_chosen: ByChoice,
    /// The clauses before the date, then those after it (`; date for <x>`).
    groups: Vec<Group<'t, 'a>>,
    /// Comments after the date (`(envelope-from x)`, `(PDT)`).
    trailer_comments: Vec<&'a [u8]>,
}

/// The comments and stray words of a line, sorted by the clause they followed.
#[derive(Default)]
pub(super) struct Sorted<'a> {
    /// Comments of the `via` clause, where Roundcube behind a proxy names the real peer.
    pub(super) via_comments: Vec<&'a [u8]>,
    /// Every other comment: software, TLS, authentication, envelope.
    pub(super) other_comments: Vec<&'a [u8]>,
}

/// The tokens before the `;` that starts the date, when the clauses end there.
type ClauseTokensBeforeSemi<'a> = Option<Vec<Token<'a>>>;

/// At most this many `;` are tried as the start of the date (a line of semicolons stays
/// cheap).
const MAX_DATE_SEMIS: usize = 16;

/// Finds where the clauses end and the date begins. Returns the clause length, the bytes
/// after the date (for trailing clauses) and, when the clauses end at a `;`, their tokens;
/// fills `r.date`.
///
/// The date starts at the *last* top-level `;` that a date follows, with no `by` after it:
/// a client can type `; Mon, 1 Jan 2024 ...` into its HELO, but only before the receiver's
/// own text, and the receiver's date comes last. SquirrelMail writes a `;` inside its from
/// part (`(SquirrelMail authenticated user x);\n by host with HTTP;\n date`) for the same
/// reason that is no separator.
pub(super) fn split_date<'a>(
    value: &'a [u8],
    r: &mut Received<'a>,
) -> (usize, Option<&'a [u8]>, ClauseTokensBeforeSemi<'a>) {
    let mut lexer = Lexer::new(value);
    // Room for the tokens of a usual line (about 25) without regrowing.
    let mut tokens: Vec<Token<'a>> = Vec::with_capacity(40);
    // (token index, byte offset) of each top-level `;`.
    let mut semis: Vec<(usize, usize)> = Vec::new();
    // The token index after the last `by` word, to tell a `;` the clauses go on after.
    let mut last_by = None;
    while let Some(tok) = lexer.next() {
        match tok {
            Token::Semi => {
                let at = lexer.position() - 1;
                // The usual line: one `;`, a date after it, nothing after the date that
                // could be another `;` or a `by` (then the rest need not be read token by
                // token).
                let after = &value[at + 1..];
                if semis.is_empty()
                    && let Some((d, used)) = parse_trace_date(after)
                    && memchr::memchr(b';', &after[used..]).is_none()
                    && !contains_ci(&after[used..], b"by")
                {
                    return (at, Some(take_date(r, after, d, used)), Some(tokens));
                }
                semis.push((tokens.len(), at));
            }
            Token::Word(w) if w.eq_ignore_ascii_case(b"by") => last_by = Some(tokens.len()),
            _ => {}
        }
        tokens.push(tok);
    }
    if semis.is_empty() {
        // No `;`: look for a date after the last clause keyword's value.
        if let Some((start, d, used)) = find_date(value) {
            r.date = Some(d);
            r.date_text = Some(&value[start..start + used]);
            r.notes.push("no `;` before the date".into());
            return (start, Some(&value[start + used..]), None);
        }
        return (value.len(), None, Some(tokens));
    }
    let dated = semis
        .iter()
        .rev()
        .take(MAX_DATE_SEMIS)
        .filter(|(index, _)| last_by.is_none_or(|b| b < *index))
        .find_map(|&(index, at)| {
            let after = &value[at + 1..];
            parse_trace_date(after).map(|(d, used)| (index, at, d, used))
        });
    if let Some((index, at, d, used)) = dated {
        tokens.truncate(index);
        return (
            at,
            Some(take_date(r, &value[at + 1..], d, used)),
            Some(tokens),
        );
    }
    // No date after any `;`: the clauses end at the last one with no `by` after it, before
    // which the receiver's text lies; maybe a date follows it without its `;`, or none.
    let Some(&(index, at)) = semis
        .iter()
        .rev()
        .find(|(index, _)| last_by.is_none_or(|b| b < *index))
    else {
        r.notes.push("no date after `;`".into());
        return (value.len(), None, Some(tokens));
    };
    tokens.truncate(index);
    let rest = &value[at + 1..];
    if let Some((start, d, used)) = find_date(rest) {
        let s = at + 1 + start;
        r.date = Some(d);
        r.date_text = Some(&value[s..s + used]);
        return (at, Some(&value[s + used..]), Some(tokens));
    }
    r.notes.push("no date after `;`".into());
    (at, None, Some(tokens))
}

/// Records the date read at the start of `after` (its first `used` bytes, and a zone
/// comment right after them) in `r`; returns the bytes after it.
fn take_date<'a>(r: &mut Received<'a>, after: &'a [u8], d: ParsedDate, used: usize) -> &'a [u8] {
    let used = with_zone_comment(after, used);
    r.date = Some(d);
    r.date_text = Some(trim_space(&after[..used]));
    &after[used..]
}

/// `used` extended over a zone comment right after the date (`+0000 (UTC)`): RFC 5322's
/// date-time ends with its CFWS, and the comment names the zone of that date.
fn with_zone_comment(after: &[u8], used: usize) -> usize {
    let rest = &after[used..];
    let gap = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    match rest.get(gap) {
        Some(b'(') => {
            // A zone name is short and plain (`UTC`, `GMT+08:00`, `Newfoundland Time`):
            // look a little way only, and leave `(envelope-from <x>)` to the trailer.
            let window = &rest[gap..rest.len().min(gap + 40)];
            let zone_byte = |b: &u8| b.is_ascii_alphanumeric() || b" +-:._/".contains(b);
            match memchr::memchr(b')', window) {
                Some(close) if close > 1 && window[1..close].iter().all(zone_byte) => {
                    used + gap + close + 1
                }
                _ => used,
            }
        }
        _ => used,
    }
}

/// Groups the clause tokens by keyword; `date_part` is what follows the date, where some
/// MTAs go on (`; date for <x>`, `(envelope-from x)`).
///
/// The `from` part runs from `from` to the receiver's own `by` ([`receiver_by`]), whatever
/// it holds: everything in it before the receiver's record of the peer is the client's
/// HELO, and a HELO can hold clause keywords too.
pub(super) fn split<'t, 'a>(
    value: &'a [u8],
    tokens: &'t [Token<'a>],
    date_part: Option<&'a [u8]>,
) -> Clauses<'t, 'a> {
    let first_keyword = tokens
        .iter()
        .position(|t| matches!(*t, Token::Word(w) if keyword(w).is_some()));
    let leading = &tokens[..first_keyword.unwrap_or(tokens.len())];
    let mut from = None;
    let mut rest_at = first_keyword.unwrap_or(tokens.len());
    let mut by_at = None;
    let mut by_chosen = ByChoice::Only;
    if let Some(k) = first_keyword
        && matches!(tokens[k], Token::Word(w) if keyword(w) == Some(Clause::From))
    {
        match receiver_by(tokens, k + 1) {
            Some((by, choice)) => {
                let via = receiver_via(tokens, k + 1, by);
                from = Some(&tokens[k + 1..via.unwrap_or(by)]);
                rest_at = via.unwrap_or(by);
                by_chosen = choice;
                if let Token::Word(w) = tokens[by] {
                    by_at = Some(w.as_ptr() as usize - value.as_ptr() as usize);
                }
            }
            None => {
                // No `by` to anchor it: the from part ends at the next keyword.
                let end = tokens[k + 1..]
                    .iter()
                    .position(|t| matches!(*t, Token::Word(w) if keyword(w).is_some()))
                    .map_or(tokens.len(), |i| k + 1 + i);
                from = Some(&tokens[k + 1..end]);
                rest_at = end;
            }
        }
    }
    // A clause's tokens are the run between its keyword and the next one: borrowed, not
    // copied.
    let mut groups: Vec<Group<'t, 'a>> = Vec::with_capacity(8);
    let mut seen_by = false;
    let mut run_start = rest_at;
    for (i, tok) in tokens.iter().enumerate().skip(rest_at) {
        if let Token::Word(w) = *tok
            && let Some(k) = keyword(w)
        {
            // `from` after `by` is XMail's envelope sender (`from <x>`), not the peer.
            let k = if k == Clause::From && (seen_by || from.is_some()) {
                Clause::EnvelopeFrom
            } else {
                k
            };
            seen_by |= k == Clause::By;
            close_run(&mut groups, &tokens[run_start..i]);
            groups.push(Group {
                clause: k,
                words: Cow::Borrowed(&[]),
            });
            run_start = i + 1;
        }
    }
    close_run(&mut groups, &tokens[run_start..]);
    let (trailer, trailer_comments) = date_part.map(split_trailer).unwrap_or_default();
    groups.extend(trailer);
    Clauses {
        leading,
        from,
        by_at,
        by_chosen,
        groups,
        trailer_comments,
    }
}

/// A `via` the receiver wrote before its `by`: obtuse smtpd's `via SMTP by host` (right
/// before `by`), or Roundcube's `via proxy ([ip])` on an HTTP hand-off (its `with` says
/// HTTP). The from part then ends there. Elsewhere a `via` before `by` is the client's:
/// typed into a HELO, it would push the receiver's record out of the from part.
fn receiver_via(tokens: &[Token<'_>], start: usize, by: usize) -> Option<usize> {
    let is_via = |t: &Token<'_>| matches!(*t, Token::Word(w) if keyword(w) == Some(Clause::Via));
    let via = (start..by).rev().find(|&i| is_via(&tokens[i]))?;
    let right_before_by = via + 2 == by && matches!(tokens[via + 1], Token::Word(_));
    let http = tokens[by..].windows(2).any(|pair| {
        matches!(pair, [Token::Word(w), Token::Word(p)]
            if keyword(w) == Some(Clause::With) && p.len() >= 4 && p[..4].eq_ignore_ascii_case(b"http"))
    });
    (right_before_by || http).then_some(via)
}

/// Which of several `by` words was taken as the receiver's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ByChoice {
    /// One `by` named a host (or none did), or the others were qmail-scanner's `by uid N`.
    Only,
    /// The last of several: the earlier ones were typed by the client.
    Last,
}

/// The `by` the receiver wrote, searched from `start`: a `by` word followed by a host-like
/// word (a `by` followed by a comment or by nothing is not a clause). Of several, the last:
/// a client can type `by` clauses into its HELO (`HELO x (a [6.6.6.6]) by mx.example.com`),
/// but everything it types comes before the receiver's own text, and no receiver writes a
/// second `by` after its own, but qmail-scanner's note of the user it ran as, `by uid 7791`,
/// which is not taken.
fn receiver_by(tokens: &[Token<'_>], start: usize) -> Option<(usize, ByChoice)> {
    let is_by = |i: usize| {
        matches!(tokens[i], Token::Word(w) if w.eq_ignore_ascii_case(b"by"))
            && matches!(tokens.get(i + 1), Some(Token::Word(h)) if host_like(h))
            && !by_uid(tokens, i)
    };
    let first = (start..tokens.len()).find(|&i| is_by(i))?;
    let last = (first..tokens.len())
        .rev()
        .find(|&i| is_by(i))
        .unwrap_or(first);
    Some(if last == first {
        (first, ByChoice::Only)
    } else {
        (last, ByChoice::Last)
    })
}

/// qmail-scanner's `by uid 7791`.
fn by_uid(tokens: &[Token<'_>], at: usize) -> bool {
    matches!(tokens.get(at + 1..at + 3), Some([Token::Word(u), Token::Word(n)])
        if u.eq_ignore_ascii_case(b"uid") && n.iter().all(u8::is_ascii_digit))
}

/// A word that can name the receiving host: not a clause keyword, with a letter or digit.
fn host_like(w: &[u8]) -> bool {
    keyword(w).is_none() && w.iter().any(u8::is_ascii_alphanumeric)
}

/// Gives the last clause opened its run of tokens.
fn close_run<'t, 'a>(groups: &mut [Group<'t, 'a>], run: &'t [Token<'a>]) {
    if let Some(g) = groups.last_mut() {
        g.words = Cow::Borrowed(run);
    }
}

/// The clauses written after the date, and the comments there (kept apart: a trailing
/// comment belongs to no clause).
fn split_trailer<'t, 'a>(rest: &'a [u8]) -> (Vec<Group<'t, 'a>>, Vec<&'a [u8]>) {
    let mut trailer: Vec<Group<'t, 'a>> = Vec::new();
    let mut comments: Vec<&'a [u8]> = Vec::new();
    for tok in Lexer::new(rest) {
        match tok {
            Token::Word(w) if keyword(w).is_some() => trailer.push(Group {
                clause: keyword(w).unwrap_or(Clause::Id),
                words: Cow::Owned(Vec::new()),
            }),
            Token::Comment(c) => comments.push(c),
            t => {
                // Words before any keyword after the date are dropped.
                if let Some(g) = trailer.last_mut() {
                    g.words.to_mut().push(t);
                }
            }
        }
    }
    (trailer, comments)
}

/// Reads every clause's value into `r` and sorts the comments for the readers that follow.
pub(super) fn read<'a>(
    r: &mut Received<'a>,
    value: &'a [u8],
    clauses: &Clauses<'_, 'a>,
) -> Sorted<'a> {
    let mut sorted = Sorted::default();
    read_leading(r, clauses.leading, &mut sorted.other_comments);
    let mut by_seen = false;
    for g in &clauses.groups {
        let first = first_value(&g.words);
        let comments = comments_of(&g.words);
        let other = &mut sorted.other_comments;
        match g.clause {
            // A `from` that is not the line's first clause names no peer.
            Clause::From => other.extend(comments),
            // The first `by` here is the receiver's (`receiver_by`); a later one is its
            // prose (qmail-scanner's `by uid 7791`), even when the first value was unusable.
            Clause::By if by_seen => other.extend(comments),
            Clause::By => {
                by_seen = true;
                read_by(r, first, comments, other);
            }
            Clause::With => {
                if r.with.is_none() {
                    protocol::read_with_clause(r, value, &g.words);
                }
                other.extend(comments);
            }
            Clause::Via => {
                if r.via.is_none() {
                    // Exchange's `via Frontend Transport` is one value of two words.
                    r.via = words_span(value, &g.words).or(first);
                    sorted.via_comments.extend(comments.clone());
                }
                other.extend(comments);
            }
            Clause::Id => {
                if r.id.is_none() {
                    r.id = first.map(trim_angle).filter(|v| !v.is_empty());
                }
                other.extend(comments);
            }
            Clause::For => {
                if r.for_addr.is_none() {
                    r.for_addr = first.map(trim_angle).filter(|v| v.contains(&b'@'));
                }
                other.extend(comments);
            }
            Clause::EnvelopeFrom => {
                if r.envelope_from.is_none() {
                    r.envelope_from = first.map(trim_angle);
                }
                other.extend(comments);
            }
        }
    }
    sorted
        .other_comments
        .extend(clauses.trailer_comments.iter().copied());
    if r.with.is_none()
        && let Some(from) = clauses.from
    {
        read_with_in_from_part(r, value, from);
    }
    sorted
}

/// `from senmail2 with LMTP by senmail2`: a `with` before `by`, read only when the from
/// part holds no address (then nothing in it can be a HELO carrying trace syntax that
/// hides the receiver's record) and the receiver wrote no `with` of its own.
fn read_with_in_from_part<'a>(r: &mut Received<'a>, value: &'a [u8], from: &[Token<'a>]) {
    let holds_address = from.iter().any(|t| match *t {
        Token::Comment(c) => comment_words(c)
            .iter()
            .any(|w| parse_written_ip(w).is_some()),
        Token::Word(w) => parse_written_ip(w).is_some(),
        _ => false,
    });
    if holds_address {
        return;
    }
    if let Some(i) = from
        .iter()
        .position(|t| matches!(*t, Token::Word(w) if keyword(w) == Some(Clause::With)))
    {
        protocol::read_with_clause(r, value, &from[i + 1..]);
    }
}

/// The words of a clause up to its first comment or `;`, as one span of `value`.
fn words_span<'a>(value: &'a [u8], words: &[Token<'a>]) -> Option<&'a [u8]> {
    let base = value.as_ptr() as usize;
    let mut span: Option<(usize, usize)> = None;
    for t in words {
        let Token::Word(w) = *t else { break };
        let start = w.as_ptr() as usize - base;
        span = Some((span.map_or(start, |s| s.0), start + w.len()));
    }
    span.and_then(|(s, e)| value.get(s..e))
}

/// The first word or angle address of a clause: its value.
fn first_value<'a>(words: &[Token<'a>]) -> Option<&'a [u8]> {
    words.iter().find_map(|t| match *t {
        Token::Word(w) | Token::Angle(w) => Some(w),
        _ => None,
    })
}

/// The comments of a clause, in order.
fn comments_of<'t, 'a>(words: &'t [Token<'a>]) -> impl Iterator<Item = &'a [u8]> + Clone + 't {
    words.iter().filter_map(|t| match *t {
        Token::Comment(c) => Some(c),
        _ => None,
    })
}

/// A leading comment `(from user@localhost)` (Sendmail submit) or `(qmail N invoked ...)`.
fn read_leading<'a>(r: &mut Received<'a>, leading: &[Token<'a>], other: &mut Vec<&'a [u8]>) {
    let mut ignored = 0usize;
    for tok in leading {
        match *tok {
            Token::Comment(c) => {
                let words = comment_words(c);
                if words
                    .first()
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"from"))
                {
                    peer::read_leading_from(&words[1..], r);
                } else {
                    other.push(c);
                }
            }
            Token::Word(w) => {
                ignored += 1;
                if ignored <= IGNORED_WORDS_NOTED {
                    r.notes.push(format!(
                        "ignored text before the first clause: {}",
                        String::from_utf8_lossy(w)
                    ));
                }
            }
            _ => {}
        }
    }
    if let Some(more) = ignored.checked_sub(IGNORED_WORDS_NOTED).filter(|&m| m > 0) {
        r.notes.push(format!(
            "ignored text before the first clause: {more} more words"
        ));
    }
}

/// Words before the first clause noted one by one; the rest are counted in one note (a
/// header of junk words would otherwise make a note per word).
const IGNORED_WORDS_NOTED: usize = 8;

/// The receiving host, and the comment after it (software and version, sometimes the
/// receiver's own address).
fn read_by<'a>(
    r: &mut Received<'a>,
    first: Option<&'a [u8]>,
    mut comments: impl Iterator<Item = &'a [u8]>,
    other: &mut Vec<&'a [u8]>,
) {
    if let Some(w) = first {
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
    if let Some(c) = comments.next() {
        r.by_comment = Some(c);
        if let Some(ip) = comment_words(c).iter().find_map(|w| parse_written_ip(w)) {
            r.by_ip = Some(ip.addr);
        }
        other.push(c);
    }
    other.extend(comments);
}

/// `(envelope-from <x>)` (Exim, Postfix trailers), `(envelope-sender <x>)` (qmail-ldap).
pub(super) fn read_envelope_comments<'a>(r: &mut Received<'a>, comments: &[Comment<'a>]) {
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
