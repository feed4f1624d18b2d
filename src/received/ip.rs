//! Reading IP addresses the way MTAs write them in Received headers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address found in a Received header, with the extras some MTAs attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenIp<'a> {
    /// The address, IPv4-mapped IPv6 (`::ffff:1.2.3.4`, Courier) turned into IPv4.
    pub addr: IpAddr,
    /// A port written after the address (`[1.2.3.4]:4567`, Exim; `1.2.3.4.4567`, Exim 3).
    pub port: Option<u16>,
    /// An IPv6 zone (`%12`, Exchange link-local addresses).
    pub scope: Option<&'a [u8]>,
    /// Whether it was written as a bracketed literal.
    pub bracketed: bool,
}

/// Longest text considered as an address: nothing longer is one, and the bound keeps a
/// crafted ten-thousand-character "IPv6 literal" from costing anything.
const MAX_IP_TEXT: usize = 80;

/// Parses `[1.2.3.4]`, `[1.2.3.4]:25`, `[IPv6:2001:db8::1]`, `1.2.3.4`, `1.2.3.4:25`,
/// `(1.2.3.4)`, `2001:db8::1`, `fe80::1%12`, `[10.0.8.6.13219]`, `::ffff:1.2.3.4`.
pub fn parse_written_ip(word: &[u8]) -> Option<WrittenIp<'_>> {
    if word.is_empty() || word.len() > MAX_IP_TEXT {
        return None;
    }
    if word.contains(&0) {
        // NUL bytes are dropped, as in host names; the scope is then not kept.
        let mut buf = [0u8; MAX_IP_TEXT];
        let mut n = 0;
        for &b in word.iter().filter(|&&b| b != 0) {
            buf[n] = b;
            n += 1;
        }
        return parse_written_ip(&buf[..n]).map(|w| WrittenIp { scope: None, ..w });
    }
    let mut w = word;
    // Trailing punctuation picked up from prose: `1.2.3.4,` or `1.2.3.4)`.
    while let Some((&last, rest)) = w.split_last() {
        if matches!(last, b',' | b')' | b'.' | b';') && !rest.is_empty() {
            w = rest;
        } else {
            break;
        }
    }
    let mut bracketed = false;
    let mut port = None;
    if w.first() == Some(&b'[') {
        let close = w.iter().position(|&b| b == b']')?;
        let after = &w[close + 1..];
        if let Some(p) = after.strip_prefix(b":") {
            port = parse_port(p);
            port?;
        } else if !after.is_empty() {
            return None;
        }
        w = &w[1..close];
        bracketed = true;
    }
    if w.len() > 5 && w[..5].eq_ignore_ascii_case(b"ipv6:") {
        w = &w[5..];
    }
    let mut scope = None;
    if let Some(pct) = w.iter().position(|&b| b == b'%') {
        scope = Some(&w[pct + 1..]);
        w = &w[..pct];
    }
    // Every form below is made of hex digits, dots and colons only: host names (most words
    // asked about) stop here without trying each parser in turn.
    if !w
        .iter()
        .all(|&b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
    {
        return None;
    }
    let text = std::str::from_utf8(w).ok()?;
    // IPv6 always has a colon and IPv4 never: try only the parser that can succeed.
    let has_colon = memchr::memchr(b':', w).is_some();
    if !has_colon && let Ok(v4) = text.parse::<Ipv4Addr>() {
        return Some(WrittenIp {
            addr: IpAddr::V4(v4),
            port,
            scope,
            bracketed,
        });
    }
    if has_colon && let Ok(v6) = text.parse::<Ipv6Addr>() {
        let addr = match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        };
        return Some(WrittenIp {
            addr,
            port,
            scope,
            bracketed,
        });
    }
    // `1.2.3.4:25` (IPv4 only: in IPv6 the colon is ambiguous).
    if port.is_none() {
        if let Some((host, p)) = text.rsplit_once(':')
            && let (Ok(v4), Some(p)) = (host.parse::<Ipv4Addr>(), parse_port(p.as_bytes()))
        {
            return Some(WrittenIp {
                addr: IpAddr::V4(v4),
                port: Some(p),
                scope,
                bracketed,
            });
        }
        // Exim 3 wrote the port as a fifth dotted part: `10.0.8.6.13219`.
        if let Some((host, p)) = text.rsplit_once('.')
            && host.bytes().filter(|&b| b == b'.').count() == 3
            && let (Ok(v4), Some(p)) = (host.parse::<Ipv4Addr>(), parse_port(p.as_bytes()))
        {
            return Some(WrittenIp {
                addr: IpAddr::V4(v4),
                port: Some(p),
                scope,
                bracketed,
            });
        }
    }
    None
}

fn parse_port(p: &[u8]) -> Option<u16> {
    if p.is_empty() || p.len() > 5 || !p.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(p).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<(String, Option<u16>)> {
        parse_written_ip(s.as_bytes()).map(|w| (w.addr.to_string(), w.port))
    }

    #[test]
    fn forms_written_by_mtas() {
        assert_eq!(ip("[1.2.3.4]"), Some(("1.2.3.4".into(), None)));
        assert_eq!(ip("[1.2.3.4]:4567"), Some(("1.2.3.4".into(), Some(4567))));
        assert_eq!(ip("[IPv6:2001:db8::1]"), Some(("2001:db8::1".into(), None)));
        assert_eq!(ip("1.2.3.4:25"), Some(("1.2.3.4".into(), Some(25))));
        assert_eq!(
            ip("[10.0.8.6.13219]"),
            Some(("10.0.8.6".into(), Some(13219)))
        );
        assert_eq!(
            ip("[::ffff:61.99.99.67]"),
            Some(("61.99.99.67".into(), None))
        );
        assert_eq!(ip("1.2.3.4,"), Some(("1.2.3.4".into(), None)));
        let w = parse_written_ip(b"[fe80::19bd:c588:dd17:5226%6]").unwrap();
        assert_eq!(w.scope, Some(&b"6"[..]));
    }

    #[test]
    fn rejects_non_addresses() {
        assert_eq!(ip("mail.example.com"), None);
        assert_eq!(ip("[]"), None);
        assert_eq!(ip("[1.2.3.4]x"), None);
        assert_eq!(ip(&format!("[{}]", "1:".repeat(5000))), None);
        assert_eq!(ip("[?.?.?.?]"), None);
    }
}
