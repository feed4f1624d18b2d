//! Our own names, as the rules ask about them: the hosts that wrote our side of the chain
//! (the entry hop and the hops above it) and the domains our side and the recipients are
//! in. A provider's hosts and domains are shared with every other customer of the provider
//! and are never ours here: another tenant's mail passes the same servers.

use crate::chain::hop::Hop;
use crate::domain;
use crate::rules::Ctx;

/// Our hosts and domains for one message. A provider's are left out when a name is asked
/// about (`host`, `domain`), not when the lists are made: most messages never ask, and the
/// provider look-ups are the costly part.
pub struct OurNames<'a> {
    /// The `by` hosts of our hops (the entry hop's and above).
    pub hosts: Vec<&'a str>,
    /// Our registrable domains and the recipients'.
    pub domains: Vec<String>,
}

/// True when `host` belongs to a mail provider's servers or domains.
fn is_provider_host(host: &str) -> bool {
    crate::profiles::of_server(host).is_some()
        || domain::registrable(host)
            .is_some_and(|d| crate::profiles::of_address_domain(&d).is_some())
}

impl<'a> OurNames<'a> {
    /// Our names in `ctx`'s message.
    pub fn of(ctx: &Ctx<'a>) -> OurNames<'a> {
        let hosts: Vec<&str> = ctx
            .ours_and_entry()
            .iter()
            .filter_map(|h| h.by.host.as_deref())
            .filter(|h| h.contains('.') && !domain::normalize(h).starts_with("localhost"))
            .filter(|h| h.parse::<std::net::IpAddr>().is_err())
            .collect();
        let mut domains: Vec<String> = ctx
            .trust
            .our_domains
            .iter()
            .cloned()
            .chain(
                ctx.recipients
                    .iter()
                    .filter_map(|r| r.rsplit_once('@'))
                    .filter_map(|(_, d)| domain::registrable(d)),
            )
            .collect();
        domains.sort();
        domains.dedup();
        OurNames { hosts, domains }
    }

    /// The host of ours that `name` is (by the same host name), if any; never a
    /// provider's.
    pub fn host(&self, name: &str) -> Option<&'a str> {
        self.hosts
            .iter()
            .copied()
            .find(|h| domain::same_host(h, name))
            .filter(|h| !is_provider_host(h))
    }

    /// The domain of ours `name` is in, if any; never a provider's.
    pub fn domain(&self, name: &str) -> Option<&str> {
        if self.domains.is_empty() {
            return None;
        }
        let d = domain::registrable(name)?;
        self.domains
            .iter()
            .find(|o| **o == d)
            .map(String::as_str)
            .filter(|d| !is_provider_host(d))
    }
}

/// True when the hop is a submission: authenticated, over HTTP or a local hand-off, the
/// kinds of hop that record a client's address for the server that took it.
pub fn is_submission(h: &Hop) -> bool {
    h.auth.is_some()
        || h.kind != crate::received::Kind::Smtp
        || h.with.as_deref().is_some_and(|w| {
            let w = w.to_ascii_uppercase();
            w.contains("HTTP")
                || w.starts_with("ESMTPA")
                || w.starts_with("ESMTPSA")
                || w == "LOCAL"
        })
}
