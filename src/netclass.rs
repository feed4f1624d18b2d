//! Which addresses can appear on a hop that crossed the public internet, and which cannot.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The special-purpose class of an address, or `None` for an ordinary public one.
pub fn special_class(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_class(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_class(v4),
            None => v6_class(v6),
        },
    }
}

/// True for addresses that never appear on the public internet's own links.
pub fn is_non_public(ip: IpAddr) -> bool {
    special_class(ip).is_some()
}

/// True for the ranges a site uses inside its own network (RFC 1918, loopback, link-local,
/// CGNAT, unique-local): where its internal relays live.
pub fn is_internal_range(ip: IpAddr) -> bool {
    matches!(
        special_class(ip),
        Some("private" | "loopback" | "link-local" | "cgnat" | "unique-local")
    )
}

fn v4_class(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let class = match (a, b, c) {
        (10, _, _) => "private",
        (172, 16..=31, _) => "private",
        (192, 168, _) => "private",
        (127, _, _) => "loopback",
        (169, 254, _) => "link-local",
        (100, 64..=127, _) => "cgnat",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking",
        (0, _, _) => "unspecified",
        (192, 0, 0) => "reserved",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    };
    Some(class)
}

fn v6_class(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let class = if ip.is_loopback() {
        "loopback"
    } else if ip.is_unspecified() {
        "unspecified"
    } else if s[0] & 0xffc0 == 0xfe80 {
        "link-local"
    } else if s[0] & 0xfe00 == 0xfc00 {
        "unique-local"
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        "documentation"
    } else if s[0] & 0xff00 == 0xff00 {
        "multicast"
    } else {
        return None;
    };
    Some(class)
}

/// Two addresses of one /24 (IPv4) or /48 (IPv6): one operator's block, as a server with
/// several addresses has them.
pub fn same_block(a: IpAddr, b: IpAddr) -> bool {
    match (a.to_canonical(), b.to_canonical()) {
        (IpAddr::V4(a), IpAddr::V4(b)) => a.octets()[..3] == b.octets()[..3],
        (IpAddr::V6(a), IpAddr::V6(b)) => a.segments()[..3] == b.segments()[..3],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> Option<&'static str> {
        special_class(s.parse().unwrap())
    }

    #[test]
    fn classes() {
        assert_eq!(class("10.1.2.3"), Some("private"));
        assert_eq!(class("172.31.0.1"), Some("private"));
        assert_eq!(class("172.32.0.1"), None);
        assert_eq!(class("100.100.1.1"), Some("cgnat"));
        assert_eq!(class("203.0.113.9"), Some("documentation"));
        assert_eq!(class("224.0.0.1"), Some("multicast"));
        assert_eq!(class("fe80::1"), Some("link-local"));
        assert_eq!(class("fd00::1"), Some("unique-local"));
        assert_eq!(class("2001:db8::1"), Some("documentation"));
        assert_eq!(class("::ffff:10.0.0.1"), Some("private"));
        assert_eq!(class("209.85.220.41"), None);
        assert_eq!(class("2a00:1450:4864::1"), None);
    }
}
