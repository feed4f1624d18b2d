//! The big mail providers forgers most often claim to be, as the rules ask about them: read
//! from the provider profiles (`crate::profiles`, the files in `profiles/`), so one table
//! says which domains and networks are a provider's. Read by the rules that ask whether a
//! provider really handled a message (ENV003, ENV004, HELO005).

use crate::chain::hop::Hop;
use crate::profiles::{self, Profile};

/// A provider, as the rules see it.
pub type Provider = Profile;

/// The provider whose users' addresses are in `domain`.
pub fn provider_of_address_domain(domain: &str) -> Option<&'static Provider> {
    profiles::of_address_domain(domain)
}

/// True when `host` is one of `provider`'s servers (its host or address domains).
pub fn is_provider_host(host: &str, provider: &Provider) -> bool {
    provider.names_host(host)
}

/// The first provider whose servers' names include `host` (by address or host domain).
pub fn provider_of_host(host: &str) -> Option<&'static Provider> {
    profiles::of_host(host)
}

/// How a hop's sender was shown to be the provider's, as findings say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderProof {
    /// The receiver recorded a reverse name under the provider's domains.
    ReverseName(String),
    /// The recorded address is in a network the provider publishes as sending from.
    Network {
        /// The network.
        net: String,
        /// Where the provider publishes it.
        source: String,
    },
}

/// Whether the receiver's record of `hop`'s sender shows it to be one of `provider`'s
/// servers: a recorded reverse name under its domains (not one the receiver marked `may be
/// forged`), or an address in its published sending networks. The client's HELO is a claim
/// and never shows it.
pub fn sender_is_provider(hop: &Hop, provider: &Provider) -> Option<SenderProof> {
    if let Some(rdns) = hop.confirmed_rdns()
        && provider.names_host(rdns)
    {
        return Some(SenderProof::ReverseName(rdns.to_string()));
    }
    let ip = hop.from.ip?;
    provider
        .sending_network(ip)
        .map(|(net, s)| SenderProof::Network {
            net: net.to_string(),
            source: s.source.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_by_address_and_host() {
        assert_eq!(
            provider_of_address_domain("gmail.com").map(|p| p.id.as_str()),
            Some("google")
        );
        assert_eq!(
            provider_of_host("mail-sor-f41.google.com").map(|p| p.id.as_str()),
            Some("google")
        );
        let google = provider_of_host("mx.google.com").unwrap();
        assert!(is_provider_host("mail-wr1-f54.google.com", google));
        assert!(!is_provider_host("notgoogle.com", google));
    }
}
