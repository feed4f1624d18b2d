//! Reading one comment of the `from` clause: the receiver's TCP-info (`(host [1.2.3.4])`,
//! Exim's `([1.2.3.4] helo=x)`, qmail's `(HELO x)`), or text a sender put into its HELO.
//!
//! Each comment is read on its own into a [`PeerInfo`]; deciding which comment the
//! receiver wrote is [`super::peer`]'s job, because only the comments side by side tell.

use super::bytes::{
    contains_ci, is_hostname, strip_prefix_ci, trim_angle, trim_brackets, trim_quotes,
};
use super::ip::{WrittenIp, parse_written_ip};

/// What one TCP-info comment says about the peer.
#[derive(Default)]
pub(super) struct PeerInfo<'a> {
    /// The first address written.
    pub(super) ip: Option<WrittenIp<'a>>,
    /// The name written before the address (or alone): the reverse name.
    pub(super) rdns: Option<&'a [u8]>,
    /// `unknown` / `softdnserr`: the receiver looked for a reverse name and found none.
    pub(super) rdns_unknown: bool,
    /// The HELO argument, when the comment names one.
    pub(super) helo: Option<&'a [u8]>,
    /// `helo=`, `HELO`, `EHLO` ... was written (with or without an argument).
    pub(super) helo_present: bool,
    /// `ident=`, `user@host`: the RFC 1413 ident or the local user.
    pub(super) ident: Option<&'a [u8]>,
    /// Exim's form (`helo=`, `ident=`, `port=`; ZMailer's `rhost-flags`): the `from` name
    /// is then the verified reverse name.
    pub(super) exim_style: bool,
    /// `[local]`, `[UNIX: ...]`: no network peer.
    pub(super) local_socket: bool,
    /// SquirrelMail `(proxying for X)`: X is the client's own claim.
    pub(super) client_supplied: bool,
    /// `port=N`.
    pub(super) port: Option<u16>,
    /// A nested `(may be forged)`.
    pub(super) may_be_forged: bool,
    /// `unverified` was written.
    pub(super) unverified: bool,
    /// How many words the comment has (a lone host name is a reverse name).
    pub(super) word_count: usize,
}

/// Reads the words of one comment (`text`, split by [`super::lexer::comment_words`]).
pub(super) fn read_comment<'a>(text: &'a [u8], words: &[&'a [u8]]) -> PeerInfo<'a> {
    let mut reader = Reader {
        p: PeerInfo {
            word_count: words.len(),
            ..PeerInfo::default()
        },
        pending_name: None,
        text,
        in_helo: false,
    };
    if words
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case(b"proxying"))
    {
        // SquirrelMail `(proxying for X)`: X comes from the client's X-Forwarded-For.
        reader.p.client_supplied = true;
        return reader.p;
    }
    let mut i = 0;
    while i < words.len() {
        let w = trim_quotes(words[i]);
        i += 1;
        if reader.in_helo {
            if strip_prefix_ci(w, b"ident=").is_none() {
                continue;
            }
            reader.in_helo = false;
        }
        match reader.keyword(w, words.get(i).copied()) {
            Some(skip) => i = i.saturating_add(skip),
            None => reader.name_or_address(w),
        }
    }
    reader.finish(words)
}

/// The state of reading one comment word by word.
struct Reader<'a> {
    p: PeerInfo<'a>,
    /// A host name seen before its address: the reverse name once the address follows.
    pending_name: Option<&'a [u8]>,
    /// The comment's text (its words are slices of it).
    text: &'a [u8],
    /// Inside Exim's `helo=` value, which runs to ` ident=` or the end.
    in_helo: bool,
}

impl<'a> Reader<'a> {
    /// The comment's text from `word` (one of its words) to the end, trailing space trimmed.
    fn rest_from(&self, word: &'a [u8]) -> Option<&'a [u8]> {
        let base = self.text.as_ptr() as usize;
        let start = (word.as_ptr() as usize).checked_sub(base)?;
        let rest = self.text.get(start..)?;
        let end = rest
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        Some(&rest[..end])
    }

    /// Reads `w` when it is a marker or a `key=value` pair; returns how many of the
    /// following words it used (`next` is the first of them), or `None` for anything else.
    fn keyword(&mut self, w: &'a [u8], next: Option<&'a [u8]>) -> Option<usize> {
        let p = &mut self.p;
        if w.starts_with(b"rhost-flags") {
            // ZMailer writes the verified reverse name first, like Exim.
            p.exim_style = true;
            return Some(0);
        }
        if let Some(v) = strip_prefix_ci(w, b"port=") {
            // Exim 4.9x without a reverse name: `from [ip] (port=N helo=x)`.
            p.port = std::str::from_utf8(v).ok().and_then(|v| v.parse().ok());
            p.exim_style = true;
            return Some(0);
        }
        if let Some(nested) = w.strip_prefix(b"(") {
            // A nested comment may be unclosed at the end: `(` alone, or `(text`.
            let inner = nested.strip_suffix(b")").unwrap_or(nested);
            if contains_ci(inner, b"may be forged") {
                p.may_be_forged = true;
            }
            return Some(0);
        }
        let lower_is = |s: &[u8]| w.eq_ignore_ascii_case(s);
        if let Some(v) = strip_prefix_ci(w, b"helo=") {
            // Exim writes `helo=` and the client's HELO, then at most its ` ident=`: the
            // HELO runs to that, or to the end of the comment (a HELO holding spaces or
            // parentheses is the client's text all the same).
            let helo = match next {
                Some(n) if strip_prefix_ci(n, b"ident=").is_none() => self
                    .rest_from(w)
                    .map(|rest| &rest[5..])
                    .map(|rest| match memchr::memmem::find(rest, b" ident=") {
                        Some(i) => &rest[..i],
                        None => rest,
                    })
                    .unwrap_or(v),
                _ => v,
            };
            let p = &mut self.p;
            p.helo = Some(helo);
            p.helo_present = true;
            p.exim_style = true;
            // The words of the HELO are the client's: none of them is read, up to `ident=`.
            self.in_helo = true;
            return Some(0);
        }
        if let Some(v) = strip_prefix_ci(w, b"ident=") {
            p.ident = Some(trim_brackets(v));
            p.exim_style = true;
            return Some(0);
        }
        if lower_is(b"helo") || lower_is(b"ehlo") || lower_is(b"lhlo") || lower_is(b"hello") {
            self.p.helo_present = true;
            if let Some(next) = next.filter(|n| n.first() != Some(&b'(')) {
                // The HELO runs to the end of the comment: `(HELO x (a [6.6.6.6]) by)` is
                // one HELO the client typed, not a name and then the receiver's words.
                let whole = self.rest_from(next);
                // ZMailer quotes the command: `"EHLO mail.example.org" rhost-flags-...`.
                let quoted = (w.as_ptr() as usize)
                    .checked_sub(self.text.as_ptr() as usize + 1)
                    .is_some_and(|before| self.text.get(before) == Some(&b'"'));
                self.p.helo = Some(match whole {
                    Some(rest) if quoted => match memchr::memchr(b'"', rest) {
                        Some(close) => &rest[..close],
                        None => rest,
                    },
                    Some(rest) if rest.len() > next.len() => rest,
                    _ => trim_quotes(next),
                });
                return Some(usize::MAX);
            }
            return Some(0);
        }
        if lower_is(b"account") {
            // CommuniGate `(account user HELO x)`: the next word is a login, not a host.
            return Some(1);
        }
        None
    }

    /// Reads a word that names the peer: a socket, `unknown`, an address, `user@host` or
    /// a host name.
    fn name_or_address(&mut self, w: &'a [u8]) {
        let p = &mut self.p;
        let lower_is = |s: &[u8]| w.eq_ignore_ascii_case(s);
        if lower_is(b"[local]") || strip_prefix_ci(w, b"[unix").is_some() || w.starts_with(b"[[") {
            // OpenSMTPD `(name [local])`, Sendmail `[UNIX: localhost]`: a local socket.
            p.local_socket = true;
            if let Some(name) = self.pending_name.take() {
                p.rdns.get_or_insert(name);
            }
            return;
        }
        if lower_is(b"unknown") || lower_is(b"softdnserr") {
            p.rdns_unknown = true;
            return;
        }
        if lower_is(b"unverified") {
            p.unverified = true;
            return;
        }
        if let Some(ip) = parse_written_ip(w) {
            if p.ip.is_none() {
                p.ip = Some(ip);
                if let Some(name) = self.pending_name.take() {
                    p.rdns.get_or_insert(name);
                }
            }
            return;
        }
        // `user@[1.2.3.4]`, `user@1.2.3.4`, `user@host`, `IDENT:user@host`.
        if let Some(at) = w.iter().rposition(|&b| b == b'@') {
            let user = strip_prefix_ci(&w[..at], b"IDENT:").unwrap_or(&w[..at]);
            let host = &w[at + 1..];
            p.ident.get_or_insert(user);
            if let Some(ip) = parse_written_ip(host) {
                p.ip.get_or_insert(ip);
            } else if is_hostname(host) {
                self.pending_name = Some(host);
            }
            return;
        }
        let name = trim_angle(w);
        if is_hostname(name) && p.rdns.is_none() && self.pending_name.is_none() && p.ip.is_none() {
            self.pending_name = Some(name);
        }
    }

    /// What the whole comment says once every word is read.
    fn finish(self, words: &[&'a [u8]]) -> PeerInfo<'a> {
        let mut p = self.p;
        // A lone host name, `(mail.example.com)`, is a reverse name too.
        if p.rdns.is_none()
            && let Some(name) = self.pending_name
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
}
