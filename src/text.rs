//! Turning header bytes into text that is safe to print.

/// Replaces control characters (including CR, LF and NUL) with spaces and the Unicode
/// replacement character with `?`-free text kept as is. Header-derived text passes through
/// here before it reaches a report, so no value can start a new line in text output or in
/// an added header.
pub fn clean(s: &str) -> String {
    if !s.chars().any(char::is_control) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_survive() {
        assert_eq!(clean("a\r\nb\tc"), "a  b c");
        assert_eq!(field(b"mailt\0rack.pl"), "mailtrack.pl");
        let (s, lossy_flag) = lossy(b"caf\xe9");
        assert!(lossy_flag);
        assert!(s.starts_with("caf"));
    }
}
