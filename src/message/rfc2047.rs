//! RFC 2047 encoded words, decoded exactly as mailparse 0.18 decodes a header value
//! (`MailHeader::get_value`), but in linear time.
//!
//! mailparse's scan is quadratic on a hostile line: it finds each character it tests by
//! counting from the start of the line (`chars().nth`), and it searches the rest of the line
//! again for every `=?` that has no `?=` after it, so one unfolded Subject of 290,000 encoded
//! words takes minutes. This is the same scan with both costs removed: a cursor walks to the
//! characters it tests, and a search that found no end is not repeated. Each encoded word is
//! decoded as mailparse's `decode_word` does, with the same crates (charset, data-encoding,
//! quoted_printable), and mailparse's quirks are kept (it tests the character whose
//! *character* index is a *byte* offset); the tests compare the two on the corpora.
//!
//! The scan also counts the steps mailparse's own scan would take on the value: the address
//! headers are still read by mailparse's address parser (`addrparse_header`), which scans
//! the same way, and [`Decoded::mailparse_steps`] says when that would be too slow.

use std::borrow::Cow;

/// A header value decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The value as `MailHeader::get_value` returns it: encoded words decoded, folding
    /// removed.
    pub value: String,
    /// About how many steps mailparse's scan of the same value takes (characters counted
    /// to test a boundary, bytes searched again); quadratic in a hostile line's length.
    pub mailparse_steps: u64,
}

/// The raw value as mailparse reads it: UTF-8 when it is, else Latin-1 (RFC 6532 first,
/// then the old behaviour), as `MailHeader::decode_utf8_or_latin1`.
pub fn utf8_or_latin1(raw: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(raw.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Decodes a raw header value (the bytes mailparse's `parse_header` keeps as the value).
pub fn decode(raw: &[u8]) -> Decoded {
    let text = utf8_or_latin1(raw);
    let mut out = Normalizer::default();
    let mut steps = 0u64;
    // `str::lines` and `trim_start`, as mailparse's `tokenize_header`.
    for (n, line) in text.lines().map(str::trim_start).enumerate() {
        if n > 0 {
            out.newline();
        }
        steps += scan_line(line, &mut out);
    }
    Decoded {
        value: out.result,
        mailparse_steps: steps,
    }
}

/// A token of a line, as mailparse's `HeaderToken` (newlines are told apart by the caller).
enum Token<'a> {
    Text(&'a str),
    Whitespace(&'a str),
    Decoded(String),
}

/// mailparse's `maybe_whitespace`.
fn text_or_whitespace(text: &str) -> Token<'_> {
    if text.trim_end().is_empty() {
        Token::Whitespace(text)
    } else {
        Token::Text(text)
    }
}

/// mailparse's `is_boundary`, for the character at `char_index` (mailparse passes a byte
/// offset there: the quirk is kept).
fn is_boundary(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '(' | ')' | '<' | '>' | ','))
}

/// The character with a given index in a line, walked to from the last one asked for:
/// linear over a scan whose questions move forward.
struct CharCursor<'a> {
    line: &'a str,
    /// Index of the character at `at`.
    index: usize,
    /// Byte offset of that character.
    at: usize,
}

impl<'a> CharCursor<'a> {
    fn new(line: &'a str) -> Self {
        CharCursor {
            line,
            index: 0,
            at: 0,
        }
    }

    /// The character with index `i` (`line.chars().nth(i)`).
    fn nth(&mut self, i: usize) -> Option<char> {
        while self.index > i {
            // Back one character: to the previous char boundary.
            let back = self.line[..self.at].chars().next_back()?;
            self.at -= back.len_utf8();
            self.index -= 1;
        }
        while self.index < i {
            let c = self.line[self.at..].chars().next()?;
            self.at += c.len_utf8();
            self.index += 1;
        }
        self.line[self.at..].chars().next()
    }
}

/// Tokenizes one line as mailparse's `tokenize_header_line` and feeds the tokens to `out`;
/// returns the steps mailparse's own scan of the line takes.
fn scan_line(line: &str, out: &mut Normalizer) -> u64 {
    // Openers (`=?`) are tested at the character before them, closers (`?=`) at the one
    // after: each cursor moves forward only.
    let mut openers = CharCursor::new(line);
    let mut closers = CharCursor::new(line);
    let mut steps = 0u64;
    // Once a search for a closer failed from some offset, it fails from every later one;
    // mailparse searches again each time (the steps of that search are counted again).
    let mut no_closer_from: Option<(usize, u64)> = None;
    let mut search = 0;
    loop {
        let Some(found) = line[search..].find("=?").map(|v| search + v) else {
            out.token(text_or_whitespace(&line[search..]));
            return steps;
        };
        let begin = found + 2;
        if let Some(before) = begin.checked_sub(3) {
            steps += before as u64;
            if !is_boundary(openers.nth(before)) {
                out.token(Token::Text(&line[search..begin]));
                search = begin;
                continue;
            }
        }
        out.token(text_or_whitespace(&line[search..begin - 2]));
        let end = match no_closer_from {
            Some((from, cost)) if begin >= from => {
                steps += cost;
                None
            }
            _ => {
                let (end, cost) = find_closer(line, begin, &mut closers);
                steps += cost;
                if end.is_none() {
                    no_closer_from = Some((begin, cost));
                }
                end
            }
        };
        match end {
            Some(end) => {
                match decode_word(&line[begin..end]) {
                    Some(word) => out.token(Token::Decoded(word)),
                    None => out.token(Token::Text(&line[begin - 2..end + 2])),
                }
                search = end + 2;
            }
            None => {
                out.token(Token::Text("=?"));
                search = begin;
            }
        }
    }
}

/// The first `?=` at or after `from` followed by a boundary, and the steps mailparse takes
/// to find it (or to find there is none).
fn find_closer(line: &str, from: usize, cursor: &mut CharCursor<'_>) -> (Option<usize>, u64) {
    let mut steps = 0u64;
    let mut search = from;
    while let Some(end) = line[search..].find("?=").map(|v| search + v) {
        steps += (end - search) as u64 + (end + 2) as u64;
        if is_boundary(cursor.nth(end + 2)) {
            return (Some(end), steps);
        }
        search = end + 2;
    }
    steps += (line.len() - search) as u64;
    (None, steps)
}

/// mailparse's `decode_word` (private there), line for line: the inside of one encoded
/// word, `charset?encoding?text`, decoded with the same crates, or `None`.
fn decode_word(encoded: &str) -> Option<String> {
    let (charset, rest) = encoded.split_once('?')?;
    let (transfer_coding, input) = rest.split_once('?')?;
    let decoded = match transfer_coding {
        "B" | "b" => data_encoding::BASE64_MIME_PERMISSIVE
            .decode(input.as_bytes())
            .ok()?,
        "Q" | "q" => {
            // quoted_printable trims the end of its input: keep trailing white space.
            let to_decode = input.replace('_', " ");
            let trimmed = to_decode.trim_end();
            let mut decoded =
                quoted_printable::decode(trimmed, quoted_printable::ParseMode::Robust).ok()?;
            if to_decode.len() != trimmed.len() {
                decoded.extend_from_slice(&to_decode.as_bytes()[trimmed.len()..]);
            }
            decoded
        }
        _ => return None,
    };
    let charset = charset::Charset::for_label_no_replacement(charset.as_bytes())?;
    let (text, _) = charset.decode_without_bom_handling(&decoded);
    Some(text.into_owned())
}

/// What a saved token was, in mailparse's `normalize_header_whitespace`.
#[derive(Default)]
enum Saved {
    #[default]
    Nothing,
    /// White space after an encoded word: dropped if another encoded word follows.
    Whitespace(String),
    /// The space a fold became, with the white space held before it.
    Newline(String),
    DecodedWord,
}

/// mailparse's `normalize_header_whitespace` and `normalize_header`, one token at a time:
/// white space between two encoded words is dropped, folding becomes a space.
#[derive(Default)]
struct Normalizer {
    result: String,
    saved: Saved,
}

impl Normalizer {
    fn token(&mut self, token: Token<'_>) {
        match token {
            Token::Text(t) => {
                if let Saved::Whitespace(ws) | Saved::Newline(ws) = std::mem::take(&mut self.saved)
                {
                    self.result.push_str(&ws);
                }
                self.result.push_str(t);
            }
            Token::Whitespace(ws) => {
                if matches!(self.saved, Saved::DecodedWord) {
                    self.saved = Saved::Whitespace(ws.to_string());
                } else {
                    self.result.push_str(ws);
                    self.saved = Saved::Nothing;
                }
            }
            Token::Decoded(word) => {
                self.saved = Saved::DecodedWord;
                self.result.push_str(&word);
            }
        }
    }

    fn newline(&mut self) {
        self.saved = match std::mem::take(&mut self.saved) {
            Saved::Whitespace(ws) => Saved::Newline(ws + " "),
            Saved::DecodedWord => Saved::Newline(" ".to_string()),
            _ => {
                self.result.push(' ');
                Saved::Nothing
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What mailparse makes of `Subject: raw`: the raw value it keeps, and its decoding.
    fn mailparse_reads(raw: &[u8]) -> (Vec<u8>, String) {
        let mut field = b"Subject: ".to_vec();
        field.extend_from_slice(raw);
        let (header, _) = mailparse::parse_header(&field).unwrap();
        (header.get_value_raw().to_vec(), header.get_value())
    }

    fn mailparse_value(raw: &[u8]) -> String {
        mailparse_reads(raw).1
    }

    #[test]
    fn decodes_as_mailparse_does() {
        for raw in [
            &b"=?iso-8859-1?Q?=A1Hola,_se=F1or!?="[..],
            b"=?utf-8?B?w6k=?= =?utf-8?B?w6k=?=",
            b"a =?utf-8?q?x?=\r\n =?utf-8?q?y?= b",
            b"=?utf-8?q?x?= \n\t =?utf-8?q?y?=",
            b"=?utf-8?q?x?=   z",
            b"=?unknown?q?x?= =?utf-8?x?y?=",
            b"x=?utf-8?q?a?= (=?utf-8?q?a?=) <=?utf-8?q?a?=>",
            b"=?utf-8?q?a?=b?= c",
            b"=?a =?b =?c",
            b"=?utf-8?q?a_b?= \xe9t\xe9 =?utf-8?q?c?=",
            "caf\u{e9} =?utf-8?q?x?= na\u{ef}ve=?utf-8?q?y?= =?utf-8?q?z?=".as_bytes(),
            b"=?utf-8?q?x?=\n",
            b"",
            b"a\n\n b",
            b"a \n\t b \r\n c",
            b"=?utf-8?q??= =??=",
            b"=?iso-8859-1?Q?J\xfcrgen?= =?iso-8859-1?Q?_Schm\xfcrgen?=\r\n  <j@example.com>",
            "=?utf-8?q?\u{fc}?= =?utf-8?q?x?= (\u{e9}=?utf-8?q?y?=)".as_bytes(),
        ] {
            let (kept, value) = mailparse_reads(raw);
            assert_eq!(
                decode(&kept).value,
                value,
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn a_hostile_line_costs_mailparse_quadratic_steps() {
        let words = "=?utf-8?q?a?= ".repeat(1000);
        let d = decode(words.as_bytes());
        assert_eq!(d.value, mailparse_value(words.as_bytes()));
        assert!(d.mailparse_steps > 1000 * 1000, "{}", d.mailparse_steps);
        let unclosed = "=?a ".repeat(1000);
        assert_eq!(
            decode(unclosed.as_bytes()).value,
            mailparse_value(unclosed.as_bytes())
        );
        assert!(decode(unclosed.as_bytes()).mailparse_steps > 1000 * 1000);
        let folded = "=?utf-8?q?a?=\n ".repeat(1000);
        assert!(decode(folded.as_bytes()).mailparse_steps < 100 * 1000);
    }
}
