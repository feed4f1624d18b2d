//! Turning header bytes into text that is safe to print.
//!
//! Two layers. The report's values are header text with control characters made spaces
//! ([`clean`], [`field`]): data, written to JSON as they are. Where text leaves the program
//! for a person (the text report, SpamAssassin's relay lines, messages on stderr), it goes
//! through [`terminal`] (header-derived text) or [`display_os`] / [`display_path`] (file
//! names), which show as escapes every character that could move the cursor, start a line,
//! reorder the text around it or hide itself:
//!
//! | escape | stands for |
//! |---|---|
//! | `\xHH` | one byte: an ASCII control (00 to 1F, 7F), or, in a file name, a byte that is not part of valid UTF-8 (80 to FF) |
//! | `\u{H}` | a character that is a C1 control (U+0080 to U+009F), a format character (bidi embeddings, overrides, isolates and marks, U+202A to U+202E and U+2066 to U+2069; zero-width space and joiners, U+200B to U+200F; word joiner and invisible operators, U+2060 to U+2064; byte order mark U+FEFF; soft hyphen; tag characters; the rest of Unicode's `Cf`), or a line or paragraph separator (U+2028, U+2029) |
//! | `\\` | a backslash (file names only) |
//!
//! In file names the escaping is reversible (read `\\`, `\xHH` and `\u{H}` back, every
//! other character is itself), so two names that differ, if only in invalid bytes, never
//! print the same. In header text a backslash stays as written: that output is for a
//! person, and the JSON report keeps the exact value.
//!
//! JSON is left to the JSON writer: it escapes control characters as JSON requires, and a
//! `\u202e` escape there would change no consumer's view (every parser gives back the
//! same U+202E) while breaking the writer's promise to write byte for byte what serde_json
//! writes. A program that shows a report's strings to a person is the one to escape them.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;

/// Replaces control characters (including CR, LF and NUL) with spaces and the Unicode
/// replacement character with `?`-free text kept as is. Header-derived text passes through
/// here before it reaches a report, so no value can start a new line in text output or in
/// an added header.
pub fn clean(s: &str) -> String {
    let clean = if s.is_ascii() {
        !s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        !s.chars().any(char::is_control)
    };
    if clean {
        return s.to_string();
    }
    s.chars()
        .filter(|&c| c != '\0')
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// True for a character that must not reach a terminal as itself: a control character
/// (C0, DEL, C1), a format character (Unicode's `Cf`: bidi controls, zero-width characters,
/// the byte order mark, soft hyphen, tag characters, ...), or a line or paragraph separator.
pub fn is_unsafe_to_show(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x890..=0x891
                | 0x8E2
                | 0x180E
                | 0x200B..=0x200F
                // U+2028, U+2029 (separators) and U+202A to U+202E (embeddings, overrides).
                | 0x2028..=0x202E
                // Word joiner, invisible operators, isolates, deprecated format characters.
                | 0x2060..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
        )
}

/// Writes the escape of a character [`is_unsafe_to_show`] refuses: `\xHH` for ASCII,
/// `\u{H}` (lower-case hex, as Rust writes it) above.
fn push_escape(out: &mut String, c: char) {
    let code = u32::from(c);
    if code < 0x80 {
        let _ = write!(out, "\\x{code:02x}");
    } else {
        let _ = write!(out, "\\u{{{code:x}}}");
    }
}

/// Header-derived text as it may reach a terminal, a SpamAssassin header or stderr: every
/// character [`is_unsafe_to_show`] refuses is shown as an escape (see the module docs), so
/// nothing in a message can start a line, move the cursor, reorder what a person reads
/// (a right-to-left override turning `exe.pdf` around) or hide in plain sight. Everything
/// else, backslashes included, is kept; text that needs nothing is borrowed. Applying it to
/// its own output, or to [`display_os`]'s, changes nothing.
pub fn terminal(s: &str) -> Cow<'_, str> {
    let safe = if s.is_ascii() {
        !s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        !s.chars().any(is_unsafe_to_show)
    };
    if safe {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_to_show(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A file name (or any OS string) for a person and for a report's `source.path`: valid
/// UTF-8 as it is, except that characters [`is_unsafe_to_show`] refuses are escaped as
/// [`terminal`] escapes them, each byte that is not part of valid UTF-8 is `\xHH`, and a
/// backslash is `\\`. The escaping is reversible, so different names always give
/// different text (`a\xff` for the byte 0xFF, `a\\xff` for the four characters). The
/// bytes are the platform's encoding of the string ([`OsStr::as_encoded_bytes`]: the raw
/// bytes on Unix).
pub fn display_os(name: &OsStr) -> String {
    let bytes = name.as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let plain = valid.is_ascii() && !valid.bytes().any(|b| b < 0x20 || b == 0x7f || b == b'\\');
        if plain {
            out.push_str(valid);
        } else {
            for c in valid.chars() {
                if c == '\\' {
                    out.push_str("\\\\");
                } else if is_unsafe_to_show(c) {
                    push_escape(&mut out, c);
                } else {
                    out.push(c);
                }
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// [`display_os`] of a path.
pub fn display_path(path: &Path) -> String {
    display_os(path.as_os_str())
}

/// Lossy UTF-8 of header bytes, cleaned, and whether the decoding was lossy.
pub fn lossy(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (clean(s), false),
        Err(_) => (clean(&String::from_utf8_lossy(bytes)), true),
    }
}

/// A field value: NUL bytes dropped (rspamd's `mailt\0rack.pl` is `mailtrack.pl`), then
/// lossy, cleaned text with folding white space collapsed to single spaces.
pub fn field(bytes: &[u8]) -> String {
    // Nearly every value is printable ASCII without runs of spaces: one pass, one copy.
    if is_plain(bytes)
        && let Ok(s) = std::str::from_utf8(bytes)
    {
        return s.to_owned();
    }
    let text = if bytes.contains(&0) {
        let kept: Vec<u8> = bytes.iter().copied().filter(|&b| b != 0).collect();
        lossy(&kept).0
    } else {
        lossy(bytes).0
    };
    if text.contains("  ") {
        text.split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        text
    }
}

/// Printable ASCII (0x20 to 0x7e) with no two spaces in a row, checked eight bytes at a
/// time. It may answer `false` for some plain text (a borrow between bytes), never `true`
/// for text that is not: callers take the slow path then, which gives the same result.
fn is_plain(bytes: &[u8]) -> bool {
    use swar::{HIGH, bytes_below, bytes_equal};
    let mut chunks = bytes.chunks_exact(8);
    let mut last_was_space = false;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            return false;
        };
        let word = u64::from_le_bytes(word);
        let spaces = bytes_equal(word, b' ');
        let doubled = (spaces & (spaces >> 8)) | (u64::from(last_was_space) * (spaces & 0x80));
        if word & HIGH != 0
            || bytes_below(word, 0x20) != 0
            || bytes_equal(word, 0x7f) != 0
            || doubled != 0
        {
            return false;
        }
        last_was_space = word >> 56 == u64::from(b' ');
    }
    let mut after_space = last_was_space;
    chunks.remainder().iter().all(|&b| {
        let ok = (0x20..0x7f).contains(&b) && !(b == b' ' && after_space);
        after_space = b == b' ';
        ok
    })
}

/// Byte tests on eight bytes at once (a `u64` read little-endian). Each returns a mask with
/// the high bit set in every byte that passes; bytes above the lowest one that passes may
/// be set wrongly (borrows), so callers use the lowest, or only ask whether any passed.
pub(crate) mod swar {
    /// 0x01 in every byte.
    pub const ONES: u64 = 0x0101_0101_0101_0101;
    /// 0x80 in every byte.
    pub const HIGH: u64 = 0x8080_8080_8080_8080;

    /// The bytes of `word` equal to `b`.
    pub fn bytes_equal(word: u64, b: u8) -> u64 {
        let v = word ^ (ONES * u64::from(b));
        v.wrapping_sub(ONES) & !v & HIGH
    }

    /// The bytes of `word` below `n` (`n` at most 0x80).
    pub fn bytes_below(word: u64, n: u8) -> u64 {
        word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
    }
}

/// An address as text; IPv4 is written digit by digit (reports hold several per hop, and
/// `Display` through the formatting machinery costs several times more).
pub fn ip_string(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let mut out = String::with_capacity(15);
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
            out
        }
        std::net::IpAddr::V6(v6) => v6.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_paths_agree_with_the_general_ones() {
        for ip in [
            "0.0.0.0",
            "9.10.99.100",
            "255.255.255.255",
            "192.0.2.1",
            "2001:db8::1",
        ] {
            let addr: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(ip_string(addr), addr.to_string());
        }
        assert_eq!(field(b"a b  c"), "a b c");
        assert_eq!(field(b" lead and trail "), " lead and trail ");
        assert_eq!(field(b"tab\there"), "tab here");
        assert_eq!(field(b"del\x7f"), "del ");
        assert_eq!(clean("c1\u{85}x"), "c1 x");
    }

    #[test]
    fn control_characters_never_survive() {
        assert_eq!(clean("a\r\nb\tc"), "a  b c");
        assert_eq!(field(b"mailt\0rack.pl"), "mailtrack.pl");
        let (s, lossy_flag) = lossy(b"caf\xe9");
        assert!(lossy_flag);
        assert!(s.starts_with("caf"));
    }
}

#[cfg(test)]
mod display_tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads [`display_os`]'s escapes back into bytes; `None` for text it cannot have written.
    fn undo(shown: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut rest = shown;
        while let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
            if c != '\\' {
                shown_as_itself(c)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            if let Some(r) = rest.strip_prefix('\\') {
                out.push(b'\\');
                rest = r;
            } else if let Some(r) = rest.strip_prefix('x') {
                out.push(u8::from_str_radix(r.get(..2)?, 16).ok()?);
                rest = &r[2..];
            } else {
                let r = rest.strip_prefix("u{")?;
                let end = r.find('}')?;
                let c = char::from_u32(u32::from_str_radix(&r[..end], 16).ok()?)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                rest = &r[end + 1..];
            }
        }
        Some(out)
    }

    /// An unescaped character in the output must be one that is shown as itself.
    fn shown_as_itself(c: char) -> Option<()> {
        (!is_unsafe_to_show(c)).then_some(())
    }

    #[test]
    fn header_text_shows_what_hides_or_moves_text() {
        assert!(matches!(terminal("mail.example.com"), Cow::Borrowed(_)));
        assert!(matches!(terminal("caf\u{e9} \\ ok"), Cow::Borrowed(_)));
        assert_eq!(
            terminal("a\x1b[31mb\nc\r\t\x7f"),
            "a\\x1b[31mb\\x0ac\\x0d\\x09\\x7f"
        );
        assert_eq!(
            terminal("invoice\u{202e}fdp.exe"),
            "invoice\\u{202e}fdp.exe"
        );
        for (c, shown) in [
            ('\u{202a}', "\\u{202a}"),
            ('\u{2066}', "\\u{2066}"),
            ('\u{2069}', "\\u{2069}"),
            ('\u{200b}', "\\u{200b}"),
            ('\u{200f}', "\\u{200f}"),
            ('\u{2060}', "\\u{2060}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{2028}', "\\u{2028}"),
            ('\u{2029}', "\\u{2029}"),
            ('\u{85}', "\\u{85}"),
            ('\u{ad}', "\\u{ad}"),
            ('\u{e0041}', "\\u{e0041}"),
        ] {
            assert_eq!(terminal(&format!("a{c}b")), format!("a{shown}b"), "{c:?}");
        }
        // Visible non-ASCII stays: accents, scripts written right to left, emoji.
        for kept in [
            "Grüße",
            "\u{5e9}\u{5dc}\u{5d5}\u{5dd}",
            "\u{1f600}",
            "\u{2022}",
        ] {
            assert_eq!(terminal(kept), kept);
        }
    }

    #[cfg(unix)]
    #[test]
    fn file_names_keep_invalid_bytes_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let show = |b: &[u8]| display_os(OsStr::from_bytes(b));
        assert_eq!(show(b"mail/cur/1.eml"), "mail/cur/1.eml");
        assert_eq!(show(b"a\xff.eml"), "a\\xff.eml");
        assert_eq!(show(b"a\\xff.eml"), "a\\\\xff.eml");
        assert_ne!(show(b"a\xfe"), show(b"a\xff"));
        assert_ne!(
            show(b"a\xff"),
            show(b"a\xef\xbf\xbd"),
            "not the replacement character"
        );
        assert_eq!(show(b"new\nline\x1b[2J"), "new\\x0aline\\x1b[2J");
        assert_eq!(show("\u{202e}lmth.exe".as_bytes()), "\\u{202e}lmth.exe");
        assert_eq!(display_path(Path::new("caf\u{e9}")), "caf\u{e9}");
    }

    #[cfg(unix)]
    proptest! {
        #[test]
        fn file_names_read_back_exactly(bytes in proptest::collection::vec(prop_oneof![Just(b'\\'), Just(b'x'), Just(0xff_u8), Just(0xe2), Just(0x80), Just(0xae), any::<u8>()], 0..40)) {
            use std::os::unix::ffi::OsStrExt;
            let shown = display_os(OsStr::from_bytes(&bytes));
            prop_assert_eq!(undo(&shown), Some(bytes));
            prop_assert_eq!(terminal(&shown), shown.as_str());
        }

        #[test]
        fn header_text_is_shown_safely(s in "(\\PC|[\u{0}-\u{9f}\u{200b}-\u{200f}\u{2028}-\u{202e}\u{2060}-\u{206f}\u{feff}]){0,30}") {
            let shown = terminal(&s);
            prop_assert!(!shown.chars().any(is_unsafe_to_show), "{:?}", shown);
            prop_assert_eq!(terminal(&shown), shown.as_ref());
        }
    }
}

#[cfg(test)]
mod plain_tests {
    use super::is_plain;
    use proptest::prelude::*;

    /// The byte-at-a-time definition `is_plain` must never exceed.
    fn plain_slowly(bytes: &[u8]) -> bool {
        let mut after_space = false;
        bytes.iter().all(|&b| {
            let ok = (0x20..0x7f).contains(&b) && !(b == b' ' && after_space);
            after_space = b == b' ';
            ok
        })
    }

    #[test]
    fn plain_text_is_recognised() {
        assert!(is_plain(b"mail.example.com"));
        assert!(is_plain(b"a b c d e f g h i j k l m n o p"));
        assert!(!is_plain(b"two  spaces"));
        assert!(!is_plain(b"1234567  spaces across words"));
        assert!(!is_plain(b"tab\there"));
        assert!(!is_plain(b"del\x7f and more text"));
        assert!(!is_plain("caf\u{e9} au lait".as_bytes()));
    }

    proptest! {
        #[test]
        fn never_plain_when_not(bytes in proptest::collection::vec(prop_oneof![Just(b' '), Just(b'a'), Just(0x1f_u8), Just(0x7f_u8), Just(0x80_u8), any::<u8>()], 0..40)) {
            if is_plain(&bytes) {
                prop_assert!(plain_slowly(&bytes));
            }
        }

        #[test]
        fn plain_ascii_without_double_spaces_is_plain(s in "([a-z0-9.@-]{1,6} ?){0,8}") {
            prop_assert_eq!(is_plain(s.as_bytes()), plain_slowly(s.as_bytes()));
        }
    }
}

/// `s` cut to at most `max` characters, the last of them `…` when cut (a text report's
/// cell, a header value quoted in a finding).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
