//! Splitting a Received value into its clauses (RFC 5321 §4.4): `from`, `by`, `via`,
//! `with`, `id`, `for`, the `envelope-from` some MTAs add, and the date after the `;`.
//!
//! A clause is the run of tokens between its keyword and the next one, borrowed from the
//! line's tokens. The one-value clauses (`by`, `via`, `id`, `for`, `envelope-from`) are
//! read here; `from` belongs to [`super::peer`] and `with` to [`super::protocol`]. Every
//! comment is sorted by the clause it followed, because who wrote a comment decides what
//! it can be trusted for.

use super::bytes::{trim_angle, trim_space};
use super::lexer::{Lexer, Token, comment_words};
use super::model::Received;
use super::{Comment, parse_written_ip, peer, protocol};
use crate::date::{find_date, parse_date};
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
    /// The clauses before the date, then those after it (`; date for <x>`).
    groups: Vec<Group<'t, 'a>>,
    /// Comments after the date (`(envelope-from x)`, `(PDT)`).
    trailer_comments: Vec<&'a [u8]>,
}

/// The comments and stray words of a line, sorted by the clause they followed.
#[derive(Default)]
pub(super) struct Sorted<'a> {
    /// Comments of the `from` clause: the receiver's TCP-info, and whatever the sender put
    /// into its HELO argument.
    pub(super) from_comments: Vec<&'a [u8]>,
    /// Words after the `from` name (`from host [1.2.3.4]`).
    pub(super) from_extra_words: Vec<&'a [u8]>,
    /// Comments of the `via` clause, where Roundcube behind a proxy names the real peer.
    pub(super) via_comments: Vec<&'a [u8]>,
    /// Every other comment: software, TLS, authentication, envelope.
    pub(super) other_comments: Vec<&'a [u8]>,
}

/// The tokens before the first top-level `;`, when the clauses end there.
type ClauseTokensBeforeSemi<'a> = Option<Vec<Token<'a>>>;

/// Finds where the clauses end and the date begins. Returns the clause length, the bytes
/// after the date (for trailing clauses) and, when the clauses end at the first `;`, their
/// tokens; fills `r.date`.
pub(super) fn split_date<'a>(
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
        return (semi, date_after_semi(value, semi, r), Some(before));
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

/// Reads the date after the `;` at `semi` into `r`; returns the bytes after the date, or
/// `None` when there is none.
fn date_after_semi<'a>(value: &'a [u8], semi: usize, r: &mut Received<'a>) -> Option<&'a [u8]> {
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
            return Some(&after[used..]);
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
        return Some(&value[s + used..]);
    }
    r.notes.push("no date after `;`".into());
    None
}

/// Groups the clause tokens by keyword; `date_part` is what follows the date, where some
/// MTAs go on (`; date for <x>`, `(envelope-from x)`).
pub(super) fn split<'t, 'a>(
    tokens: &'t [Token<'a>],
    date_part: Option<&'a [u8]>,
) -> Clauses<'t, 'a> {
    // A clause's tokens are the run between its keyword and the next one: borrowed, not
    // copied.
    let mut groups: Vec<Group<'t, 'a>> = Vec::with_capacity(8);
    let mut seen_by = false;
    let mut run_start = 0;
    let mut leading: &[Token<'a>] = tokens;
    for (i, tok) in tokens.iter().enumerate() {
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
                leading = &tokens[..i];
            }
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
        groups,
        trailer_comments,
    }
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
            Clause::From => peer::read_from_clause(r, &g.words, &mut sorted),
            // Only the first `by` names the receiver; later ones are prose
            // (`with gg login by AOL 6.0`), even when the first value was unusable.
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
                    r.via = first;
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
    sorted
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
