//! Turning header bytes into text that is safe to print.

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
