//! Splits a raw Received value into words, comments, angle addresses and semicolons.
//!
//! The lexer works on the raw (still folded) bytes: CR and LF count as white space, so no
//! unfolded copy is needed and every token is a span of the original header. It never fails.
//!
//! An `(` that is never closed is a token of its own ([`Token::Unclosed`]), and lexing goes
//! on after it: a client can put an unbalanced parenthesis into its HELO, and the receiver's
//! own comments after it (its record of the peer, its `by` clause) must still be read as
//! written. An angle address ends at white space or a parenthesis when its `>` is missing.

/// One lexical element of a Received value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A run of bytes up to white space, `(`, `)` or `;`.
    Word(&'a [u8]),
    /// The inside of a parenthesised comment (nested comments included, unparsed).
    Comment(&'a [u8]),
    /// The inside of `<...>`.
    Angle(&'a [u8]),
    /// A `;`, which separates the clauses from the date.
    Semi,
    /// An `(` that no `)` closes.
    Unclosed,
}

/// True for the bytes that separate tokens: space, tab, CR and LF (folding). NUL is not
/// one: it is dropped inside words (`mailt\0rack.pl` reads as `mailtrack.pl`).
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Bytes that end a word: white space, `(`, `)` and `;` (a table: the lexer looks at every
/// byte of every Received header).
const ENDS_WORD: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'(' as usize] = true;
    t[b')' as usize] = true;
    t[b';' as usize] = true;
    t
};

/// Iterator over the tokens of a Received value.
pub struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
    /// The positions of the `(` no `)` closes, found in one pass once the first of them is
    /// met (so a run of unclosed parentheses costs one pass, not one per parenthesis).
    unclosed: Option<Vec<usize>>,
}

impl<'a> Lexer<'a> {
    /// Starts lexing `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Lexer {
            input,
            pos: 0,
            unclosed: None,
        }
    }

    /// Whether the `(` at `at` is closed; finds its `)` (the comment's end) when it is.
    fn close_of(&mut self, at: usize) -> Option<usize> {
        if let Some(unclosed) = &self.unclosed {
            if unclosed.binary_search(&at).is_ok() {
                return None;
            }
            let end = comment_end(self.input, at + 1);
            return (end < self.input.len()).then_some(end);
        }
        let end = comment_end(self.input, at + 1);
        if end < self.input.len() {
            return Some(end);
        }
        // The first unclosed one: every `(` before it was closed, so the pass starts here.
        self.unclosed = Some(unclosed_from(self.input, at));
        None
    }

    /// Byte offset of the next unread byte.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// What has not been read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.input.get(self.pos..).unwrap_or_default()
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    // Inlined into its loops (no recursion, so it can be): the token then stays in
    // registers instead of a round trip through memory the CPU cannot forward.
    #[inline]
    fn next(&mut self) -> Option<Token<'a>> {
        let input = self.input;
        // A stray closing parenthesis counts as white space.
        while self.pos < input.len() && (is_space(input[self.pos]) || input[self.pos] == b')') {
            self.pos += 1;
        }
        let start = self.pos;
        let first = *input.get(start)?;
        match first {
            b'(' => match self.close_of(start) {
                Some(end) => {
                    self.pos = (end + 1).min(input.len());
                    Some(Token::Comment(&input[start + 1..end]))
                }
                None => {
                    self.pos = start + 1;
                    Some(Token::Unclosed)
                }
            },
            b';' => {
                self.pos += 1;
                Some(Token::Semi)
            }
            b'<' => {
                let end = input[start..]
                    .iter()
                    .position(|&b| matches!(b, b'>' | b';' | b'(' | b')') || is_space(b))
                    .map_or(input.len(), |i| start + i);
                let inner = &input[start + 1..end];
                self.pos = if input.get(end) == Some(&b'>') {
                    end + 1
                } else {
                    end
                };
                Some(Token::Angle(inner))
            }
            _ => {
                let end = input[start..]
                    .iter()
                    .position(|&b| ENDS_WORD[usize::from(b)])
                    .map_or(input.len(), |i| start + i);
                self.pos = end;
                Some(Token::Word(&input[start..end]))
            }
        }
    }
}

/// The `\\`, `(` and `)` of an input from a position on, with their offsets: memchr jumps
/// between them, since comments are mostly plain text.
struct ParenBytes<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> ParenBytes<'a> {
    fn new(input: &'a [u8], from: usize) -> Self {
        ParenBytes { input, at: from }
    }

    /// Skips the byte after the last one returned (the one a `\\` escapes).
    fn skip_one(&mut self) {
        self.at += 1;
    }
}

impl Iterator for ParenBytes<'_> {
    type Item = (usize, u8);

    fn next(&mut self) -> Option<(usize, u8)> {
        let found = memchr::memchr3(b'\\', b'(', b')', self.input.get(self.at..)?)?;
        let pos = self.at + found;
        self.at = pos + 1;
        Some((pos, self.input[pos]))
    }
}

/// Index of the `)` closing the comment whose contents start at `from`, or the input length
/// when it is never closed. Nesting is counted, not recursed into, so depth costs nothing.
pub fn comment_end(input: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut bytes = ParenBytes::new(input, from);
    while let Some((at, b)) = bytes.next() {
        match b {
            b'\\' => bytes.skip_one(),
            b'(' => depth += 1,
            _ if depth == 0 => return at,
            _ => depth -= 1,
        }
    }
    input.len()
}

/// The positions of the `(` at or after `from` that no `)` closes (a stack of the open
/// ones, as [`comment_end`] counts them: inside a comment `\\` escapes the next byte;
/// outside one it is a byte like any other).
fn unclosed_from(input: &[u8], from: usize) -> Vec<usize> {
    let mut open = Vec::new();
    let mut bytes = ParenBytes::new(input, from);
    while let Some((at, b)) = bytes.next() {
        match b {
            b'\\' if !open.is_empty() => bytes.skip_one(),
            b'\\' => {}
            b'(' => open.push(at),
            _ => {
                open.pop();
            }
        }
    }
    open
}

/// Splits comment text into words for interpretation: white space and commas separate
/// words, `[` starts one (so `host[1.2.3.4]` gives two), and a nested comment up to
/// `max_depth` deep is one word of its own (returned with its parentheses).
pub fn comment_words(comment: &[u8]) -> Vec<&[u8]> {
    // Room for the words of nearly every comment in one allocation.
    let mut words = Vec::with_capacity(8);
    let mut i = 0;
    while i < comment.len() {
        let b = comment[i];
        if is_space(b) || b == b',' {
            i += 1;
            continue;
        }
        let start = i;
        if b == b'(' {
            let end = comment_end(comment, i + 1);
            i = (end + 1).min(comment.len());
            words.push(&comment[start..i]);
            continue;
        }
        i += 1;
        while i < comment.len() {
            let c = comment[i];
            // `[` starts a word, except after `=` (Exim `helo=[192.168.1.5]`).
            let bracket_starts_word = c == b'[' && i > start && comment[i - 1] != b'=';
            if is_space(c) || c == b',' || c == b'(' || bracket_starts_word {
                break;
            }
            i += 1;
            if c == b']' && comment.get(i) != Some(&b':') && comment.get(i) != Some(&b'.') {
                break;
            }
        }
        words.push(&comment[start..i]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<Token<'_>> {
        Lexer::new(s.as_bytes()).collect()
    }

    #[test]
    fn words_comments_and_semicolon() {
        let t = tokens("from a (b [1.2.3.4])\r\n\tby c; Mon");
        assert_eq!(
            t,
            vec![
                Token::Word(b"from"),
                Token::Word(b"a"),
                Token::Comment(b"b [1.2.3.4]"),
                Token::Word(b"by"),
                Token::Word(b"c"),
                Token::Semi,
                Token::Word(b"Mon"),
            ]
        );
    }

    #[test]
    fn nested_and_unbalanced_comments() {
        assert_eq!(
            tokens("(a (b) c) d"),
            vec![Token::Comment(b"a (b) c"), Token::Word(b"d")]
        );
        // An unclosed `(` is a token of its own; what follows it is read as written.
        assert_eq!(
            tokens("(a (b"),
            vec![
                Token::Unclosed,
                Token::Word(b"a"),
                Token::Unclosed,
                Token::Word(b"b")
            ]
        );
        assert_eq!(
            tokens("x (y [6.6.6.6] (unknown [192.0.2.1]) by mx"),
            vec![
                Token::Word(b"x"),
                Token::Unclosed,
                Token::Word(b"y"),
                Token::Word(b"[6.6.6.6]"),
                Token::Comment(b"unknown [192.0.2.1]"),
                Token::Word(b"by"),
                Token::Word(b"mx"),
            ]
        );
        // Closed ones after an unclosed one are still comments.
        assert_eq!(
            tokens("( (a) b"),
            vec![Token::Unclosed, Token::Comment(b"a"), Token::Word(b"b")]
        );
    }

    #[test]
    fn angle_and_glued_parenthesis() {
        assert_eq!(
            tokens("for <x@y>; id(z)"),
            vec![
                Token::Word(b"for"),
                Token::Angle(b"x@y"),
                Token::Semi,
                Token::Word(b"id"),
                Token::Comment(b"z"),
            ]
        );
    }

    #[test]
    fn comment_words_split_brackets_and_commas() {
        let w = comment_words(b"host[1.2.3.4], HELO x (may be forged) [::1]:25");
        assert_eq!(
            w,
            vec![
                &b"host"[..],
                b"[1.2.3.4]",
                b"HELO",
                b"x",
                b"(may be forged)",
                b"[::1]:25"
            ]
        );
    }

    /// Deep nesting is one comment token spanning it all (without recursion, so no stack
    /// overflow); the time it takes is measured by `cargo bench --bench linearity`.
    #[test]
    fn deep_nesting_is_one_comment_token() {
        let mut s = "(".repeat(10_000);
        s.push_str(&")".repeat(10_000));
        s.push_str(" by");
        let t = tokens(&s);
        assert_eq!(t.len(), 2, "{:?}", &t[..t.len().min(3)]);
        // The inside: everything but the outermost pair.
        assert!(matches!(t[0], Token::Comment(inner) if inner.len() == 19_998));
        assert_eq!(t[1], Token::Word(b"by"));
    }
}
