//! Byte helpers shared by the Received readers: trimming, case-insensitive search and the
//! host-name test. They work on the raw bytes, so every result is still a slice of the
//! header and the evidence points at what was written.

use super::lexer::is_space;

/// True when comments nest deeper than `max` anywhere in `value`.
pub(super) fn comment_depth_exceeds(value: &[u8], max: usize) -> bool {
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

/// `s` without leading and trailing folding white space.
pub(super) fn trim_space(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_space(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    &s[start..end]
}

/// `<x>` and `x,` as `x`: addresses and hosts are written in angles, lists with commas.
pub(super) fn trim_angle(w: &[u8]) -> &[u8] {
    let w = w.strip_prefix(b"<").unwrap_or(w);
    let w = w.strip_suffix(b">").unwrap_or(w);

    (w.strip_suffix(b",").unwrap_or(w)) as _
}

/// `"x"` as `x`: some receivers quote the name a client gave.
pub(super) fn trim_quotes(w: &[u8]) -> &[u8] {
    let w = w.strip_prefix(b"\"").unwrap_or(w);
    w.strip_suffix(b"\"").unwrap_or(w)
}

/// `[x]` as `x` (Exim's `ident=[user]`).
pub(super) fn trim_brackets(w: &[u8]) -> &[u8] {
    let w = w.strip_prefix(b"[").unwrap_or(w);
    w.strip_suffix(b"]").unwrap_or(w)
}

/// `[` or `]` alone, as in MDaemon's `[(1.2.3.4)]`.
pub(super) fn is_bracket_only(w: &[u8]) -> bool {
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

/// The rest of `w` after `prefix`, compared without case (`helo=`, `HELO=` alike).
pub(super) fn strip_prefix_ci<'a>(w: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    (w.len() >= prefix.len() && w[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &w[prefix.len()..])
}

/// True when `needle` occurs in `hay`, ASCII case ignored.
pub(crate) fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_search_finds_needles_anywhere() {
        assert!(contains_ci(b"with MICROSOFT SMTPSVC", b"microsoft smtpsvc"));
        assert!(contains_ci(
            b"Over TLS Secured Channel",
            b"over tls secured channel"
        ));
        assert!(contains_ci(b"invoked", b"invoked"));
        assert!(contains_ci(b"x (qmail 1 invoked by uid 89)", b"Invoked"));
        assert!(contains_ci(b"anything", b""));
        assert!(!contains_ci(b"invoke", b"invoked"));
        assert!(!contains_ci(b"pickup servic", b"pickup service"));
        assert!(!contains_ci(b"", b"local"));
    }
}
