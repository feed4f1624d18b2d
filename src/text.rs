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
    let mut after_space = false;
    let simple = bytes.iter().all(|&b| {
        let ok = (0x20..0x7f).contains(&b) && !(b == b' ' && after_space);
        after_space = b == b' ';
        ok
    });
    if simple && let Ok(s) = std::str::from_utf8(bytes) {
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
