//! The big mail providers forgers most often claim to be: their users' address domains and
//! their servers' host domains. Read by the rules that ask whether a provider really
//! handled a message (ENV003, ENV004, HELO005).

use crate::domain::normalize;

/// A big mail provider: the domains its users' addresses are in, and the domains its mail
/// servers' names are in.
#[derive(Debug, Clone, Copy)]
pub struct Provider {
    /// Display name.
    pub name: &'static str,
    /// Address domains (`gmail.com`).
    pub address_domains: &'static [&'static str],
    /// Host domains its servers send from or receive at (`google.com`).
    pub host_domains: &'static [&'static str],
}

/// The providers that forgers most often claim to be (SpamAssassin's FORGED_*_RCVD family,
/// generalised).
pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "Google",
        address_domains: &["gmail.com", "googlemail.com", "google.com"],
        host_domains: &["google.com", "googlemail.com", "gmail.com", "1e100.net"],
    },
    Provider {
        name: "Yahoo",
        address_domains: &[
            "yahoo.com",
            "yahoo.co.uk",
            "yahoo.fr",
            "yahoo.de",
            "yahoo.co.jp",
            "ymail.com",
            "rocketmail.com",
        ],
        host_domains: &[
            "yahoo.com",
            "yahoo.net",
            "yahoodns.net",
            "yahoo.co.jp",
            "yahoo.co.uk",
            "yahoo.fr",
            "yahoo.de",
        ],
    },
    Provider {
        name: "Microsoft",
        address_domains: &[
            "outlook.com",
            "hotmail.com",
            "hotmail.co.uk",
            "hotmail.fr",
            "live.com",
            "msn.com",
        ],
        host_domains: &[
            "outlook.com",
            "hotmail.com",
            "live.com",
            "msn.com",
            "microsoft.com",
            "office365.com",
        ],
    },
    Provider {
        name: "AOL",
        address_domains: &["aol.com", "aim.com"],
        host_domains: &["aol.com", "aol.net", "yahoo.com", "yahoodns.net"],
    },
    Provider {
        name: "Apple iCloud",
        address_domains: &["icloud.com", "me.com", "mac.com"],
        host_domains: &["apple.com", "icloud.com", "me.com", "mac.com"],
    },
    Provider {
        name: "Proton",
        address_domains: &["protonmail.com", "proton.me", "pm.me"],
        host_domains: &["protonmail.ch", "protonmail.com", "proton.me"],
    },
    Provider {
        name: "GMX / WEB.DE",
        address_domains: &["gmx.de", "gmx.net", "gmx.com", "web.de"],
        host_domains: &["gmx.net", "gmx.com", "gmx.de", "web.de"],
    },
    Provider {
        name: "Yandex",
        address_domains: &["yandex.ru", "yandex.com", "ya.ru"],
        host_domains: &["yandex.ru", "yandex.net", "yandex.com"],
    },
    Provider {
        name: "Mail.ru",
        address_domains: &["mail.ru", "bk.ru", "inbox.ru", "list.ru"],
        host_domains: &["mail.ru"],
    },
];

/// The provider whose users' addresses are in `domain`.
pub fn provider_of_address_domain(domain: &str) -> Option<&'static Provider> {
    let d = normalize(domain);
    PROVIDERS
        .iter()
        .find(|p| p.address_domains.iter().any(|a| *a == d))
}

/// True when `host` is one of `provider`'s servers (its host or address domains).
pub fn is_provider_host(host: &str, provider: &Provider) -> bool {
    let h = normalize(host);
    provider
        .host_domains
        .iter()
        .chain(provider.address_domains)
        .any(|d| {
            h == *d
                || (h.len() > d.len()
                    && h.ends_with(d)
                    && h.as_bytes()[h.len() - d.len() - 1] == b'.')
        })
}

/// The first provider whose servers' names include `host` (by address or host domain).
pub fn provider_of_host(host: &str) -> Option<&'static Provider> {
    // Normalise once; the table is already lower-case.
    let h = normalize(host);
    let under = |d: &str| {
        h == d
            || (h.len() > d.len() && h.ends_with(d) && h.as_bytes()[h.len() - d.len() - 1] == b'.')
    };
    PROVIDERS.iter().find(|p| {
        p.host_domains
            .iter()
            .chain(p.address_domains)
            .any(|d| under(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_by_address_and_host() {
        assert_eq!(
            provider_of_address_domain("gmail.com").map(|p| p.name),
            Some("Google")
        );
        assert_eq!(
            provider_of_host("mail-sor-f41.google.com").map(|p| p.name),
            Some("Google")
        );
        let google = provider_of_host("mx.google.com").unwrap();
        assert!(is_provider_host("mail-wr1-f54.google.com", google));
        assert!(!is_provider_host("notgoogle.com", google));
    }
}
