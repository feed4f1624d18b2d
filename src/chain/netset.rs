//! Ordered network lists with negation, read the way SpamAssassin reads `trusted_networks`:
//! `127/8` and `1.1/16` fill missing octets with zero, a bare `1.2` is a /16, `!1.1.1.2`
//! excludes, and the first entry that covers an address decides.

use ipnetwork::IpNetwork;
use std::net::{IpAddr, Ipv4Addr};

/// One entry: a network and whether it is excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The network.
    pub net: IpNetwork,
    /// `!net`: addresses in it are *not* in the set.
    pub negated: bool,
}

/// An ordered list of entries; the first entry covering an address decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetSet {
    entries: Vec<Entry>,
    /// Entries dropped because an earlier entry already covers them (they could never match).
    pub shadowed: Vec<String>,
}

/// Why a network list entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a network: {0:?} (expected an address or CIDR such as 10.0.0.0/8, 127/8, !192.168.1.5)"
)]
pub struct NetSetError(pub String);

impl NetSet {
    /// A set holding the loopback networks, which are always ours.
    pub fn loopback() -> NetSet {
        let mut s = NetSet::default();
        s.add_str("127.0.0.0/8").ok();
        s.add_str("::1").ok();
        s
    }

    /// Parses a list of entries separated by white space or commas.
    pub fn parse(text: &str) -> Result<NetSet, NetSetError> {
        let mut s = NetSet::default();
        for tok in text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
        {
            s.add_str(tok)?;
        }
        Ok(s)
    }

    /// Adds one entry (`1.2.3.0/24`, `127/8`, `!10.1.1.1`, `2001:db8::/32`).
    pub fn add_str(&mut self, token: &str) -> Result<(), NetSetError> {
        let entry = parse_entry(token).ok_or_else(|| NetSetError(token.to_string()))?;
        if self.entries.iter().any(|e| covers_net(e.net, entry.net)) {
            self.shadowed.push(token.to_string());
            return Ok(());
        }
        self.entries.push(entry);
        Ok(())
    }

    /// Appends the entries of another set, in order.
    pub fn extend(&mut self, other: &NetSet) {
        for e in &other.entries {
            if !self.entries.iter().any(|x| covers_net(x.net, e.net)) {
                self.entries.push(*e);
            }
        }
    }

    /// True when the first entry covering `ip` is not negated.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.entries
            .iter()
            .find(|e| e.net.contains(ip))
            .is_some_and(|e| !e.negated)
    }

    /// True when the first entry covering the whole of `net` is not negated.
    pub fn contains_net(&self, net: IpNetwork) -> bool {
        self.entries
            .iter()
            .find(|e| covers_net(e.net, net))
            .is_some_and(|e| !e.negated)
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Removes the non-negated entries that `reference` does not contain; returns them.
    pub fn retain_within(&mut self, reference: &NetSet) -> Vec<String> {
        let mut removed = Vec::new();
        self.entries.retain(|e| {
            let keep = e.negated || reference.contains_net(e.net);
            if !keep {
                removed.push(e.net.to_string());
            }
            keep
        });
        removed
    }
}

fn covers_net(outer: IpNetwork, inner: IpNetwork) -> bool {
    match (outer, inner) {
        (IpNetwork::V4(o), IpNetwork::V4(i)) => o.prefix() <= i.prefix() && o.contains(i.network()),
        (IpNetwork::V6(o), IpNetwork::V6(i)) => o.prefix() <= i.prefix() && o.contains(i.network()),
        _ => false,
    }
}

fn parse_entry(token: &str) -> Option<Entry> {
    let t = token.trim();
    let (negated, t) = match t.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, t),
    };
    let (addr, mask) = match t.split_once('/') {
        Some((a, m)) => (a.trim(), Some(m.trim().parse::<u8>().ok()?)),
        None => (t, None),
    };
    let addr = addr.trim_matches(['[', ']']);
    let addr = addr.split('%').next().unwrap_or(addr);
    let is_v4_like = addr.chars().all(|c| c.is_ascii_digit() || c == '.') && !addr.is_empty();
    let net = if is_v4_like {
        // `127/8`, `1.1/16`, `1.2.8` (a /24), `10.` (a /8): missing octets are zero.
        let parts: Vec<&str> = addr.trim_end_matches('.').split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        let mut octets = [0u8; 4];
        for (i, p) in parts.iter().enumerate() {
            octets[i] = p.parse().ok()?;
        }
        let default_mask = 8 * parts.len() as u8;
        IpNetwork::new(
            IpAddr::V4(Ipv4Addr::from(octets)),
            mask.unwrap_or(default_mask),
        )
        .ok()?
    } else {
        let ip: IpAddr = addr.parse().ok()?;
        let ip = ip.to_canonical();
        let full = if ip.is_ipv4() { 32 } else { 128 };
        IpNetwork::new(ip, mask.unwrap_or(full)).ok()?
    };
    // Normalise to the network address so containment checks compare networks.
    let net = IpNetwork::new(net.network(), net.prefix()).ok()?;
    Some(Entry { net, negated })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn shorthand_and_first_match() {
        let s = NetSet::parse("127/8 !1.1.1.2 1.1/16").unwrap();
        assert!(s.contains(ip("127.9.9.9")));
        assert!(!s.contains(ip("1.1.1.2")));
        assert!(s.contains(ip("1.1.200.3")));
        assert!(!s.contains(ip("1.2.0.1")));
        assert!(s.contains(ip("::ffff:1.1.4.4")));
    }

    #[test]
    fn later_entries_inside_earlier_ones_are_shadowed() {
        let s = NetSet::parse("1/8 !1.1.1.2").unwrap();
        assert_eq!(s.shadowed, vec!["!1.1.1.2".to_string()]);
        assert!(s.contains(ip("1.1.1.2")));
    }

    #[test]
    fn rejects_garbage() {
        assert!(NetSet::parse("10.0.0.0/99").is_err());
        assert!(NetSet::parse("mail.example.com").is_err());
        assert!(NetSet::parse("2001:db8::/32 fe80::1%4").is_ok());
    }
}
