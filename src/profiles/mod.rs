//! Provider profiles: what the big mailbox providers' own servers write, read from the data
//! files in `profiles/` (one per provider, compiled in).
//!
//! A mailbox hosted at Microsoft 365 or Gmail is delivered by the provider's servers: the
//! top of its trace is the provider's internal hops, and the provider's frontend received
//! the message from the outside. Those internal hops are evidence (the provider wrote them),
//! but nothing in them looks like the recipient's own domain, so without a profile the
//! trust walk stops at the first internal hop and judges the real entry as the sender's
//! text. A profile says how to recognise the provider's receivers (`by` names, address
//! literals, authserv-ids), its internal senders (address ranges that are the provider's
//! own datacentre space, never ranges its customers can rent), its frontends, the two names
//! one host goes by, and the networks it publishes as sending from (with their source and
//! date), so that a hop that claims to be the provider from elsewhere is evidence.
//!
//! Profiles are data, not judgement: the trust walk (`chain::trust`) and the rules decide
//! what a match means.

use ipnetwork::IpNetwork;
use serde::Deserialize;
use std::net::IpAddr;
use std::sync::OnceLock;

/// How many years either side of its date a complete list of sending networks is taken to
/// describe: providers add and retire ranges over the years.
pub const LIST_YEARS: i64 = 4;

/// The profile files, compiled in: (file name, text).
const FILES: &[(&str, &str)] = &[
    (
        "microsoft365.toml",
        include_str!("../../profiles/microsoft365.toml"),
    ),
    ("google.toml", include_str!("../../profiles/google.toml")),
    ("yahoo.toml", include_str!("../../profiles/yahoo.toml")),
    ("icloud.toml", include_str!("../../profiles/icloud.toml")),
    ("proton.toml", include_str!("../../profiles/proton.toml")),
    (
        "fastmail.toml",
        include_str!("../../profiles/fastmail.toml"),
    ),
    ("zoho.toml", include_str!("../../profiles/zoho.toml")),
    ("gmx.toml", include_str!("../../profiles/gmx.toml")),
    ("yandex.toml", include_str!("../../profiles/yandex.toml")),
    ("mailru.toml", include_str!("../../profiles/mailru.toml")),
];

/// One provider, as its file describes it.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Short name (`microsoft365`), the file's name.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The name findings use in a sentence (`Microsoft`, `Google`).
    pub short: String,
    /// When the file's data was last checked against its sources (`YYYY-MM-DD`).
    pub checked: String,
    /// What the provider's trace looks like, for people.
    pub about: String,
    /// Domains the provider's users' addresses are in (`gmail.com`).
    pub address_domains: Vec<String>,
    /// Domains the provider's mail servers are named in (`google.com`).
    pub host_domains: Vec<String>,
    /// Receivers: `by` names under these suffixes are the provider's servers.
    pub receiver_suffixes: Vec<String>,
    /// Receivers written as address literals (Gmail's `by 2002:a05:...`).
    pub receiver_networks: Vec<IpNetwork>,
    /// Receivers named by a single label containing one of these (iCloud's
    /// `p116-mailgateway-smtp-746c496c44-6mknn`).
    pub receiver_single_labels: Vec<String>,
    /// Authserv-ids the provider writes (lower case).
    pub authserv_ids: Vec<String>,
    /// Header fields (or prefixes ending in `-`) only the provider adds on receipt.
    pub marker_headers: Vec<String>,
    /// Addresses of the provider's own internal senders.
    pub internal_networks: Vec<IpNetwork>,
    /// The provider's inbound frontends (MX hosts).
    pub frontend_suffixes: Vec<String>,
    /// Two names of one host: `X.<a>` and `X.<...>.<b>`.
    pub host_aliases: Vec<(String, String)>,
    /// Networks the provider publishes as sending from, with their sources.
    pub sending: Vec<Sending>,
}

/// Published sending networks, and where they were published.
#[derive(Debug, Clone)]
pub struct Sending {
    /// Where the ranges come from (record, list, page).
    pub source: String,
    /// The date of that source.
    pub retrieved: String,
    /// The same date, as Unix days.
    pub retrieved_day: i64,
    /// True when the source is the provider's whole list (its SPF record, its published
    /// range list) as of that date, not a few ranges seen matching.
    pub complete: bool,
    /// The networks.
    pub networks: Vec<IpNetwork>,
}

/// A profile file as written (the TOML layout, documented in `profiles/README.md`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: String,
    name: String,
    short: String,
    checked: String,
    about: String,
    address_domains: Vec<String>,
    host_domains: Vec<String>,
    receivers: FileReceivers,
    internal: FileInternal,
    #[serde(default)]
    sending: Vec<FileSending>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileReceivers {
    host_suffixes: Vec<String>,
    #[serde(default)]
    networks: Vec<String>,
    #[serde(default)]
    single_label_patterns: Vec<String>,
    #[serde(default)]
    authserv_ids: Vec<String>,
    #[serde(default)]
    marker_headers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileInternal {
    #[serde(default)]
    networks: Vec<String>,
    #[serde(default)]
    frontend_suffixes: Vec<String>,
    #[serde(default)]
    host_aliases: Vec<[String; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSending {
    source: String,
    retrieved: String,
    #[serde(default)]
    complete: bool,
    networks: Vec<String>,
}

/// A profile file that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError(pub String);

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn networks(file: &str, what: &str, list: &[String]) -> Result<Vec<IpNetwork>, ProfileError> {
    list.iter()
        .map(|n| {
            n.parse::<IpNetwork>()
                .map_err(|e| ProfileError(format!("{file}: {what}: `{n}` is not a network: {e}")))
        })
        .collect()
}

fn lower(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|s| crate::domain::normalize(&s))
        .collect()
}

/// `YYYY-MM-DD` as days since 1970-01-01 (the proleptic Gregorian calendar).
fn unix_day(s: &str) -> Option<i64> {
    if !is_date(s) {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (
        s[..4].parse().ok()?,
        s[5..7].parse().ok()?,
        s[8..].parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Reads one profile file.
pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
    let f: File = toml::from_str(text).map_err(|e| ProfileError(format!("{file}: {e}")))?;
    if format!("{}.toml", f.id) != file {
        return Err(ProfileError(format!(
            "{file}: id `{}` does not match the file name",
            f.id
        )));
    }
    if !is_date(&f.checked) {
        return Err(ProfileError(format!(
            "{file}: checked `{}` is not a YYYY-MM-DD date",
            f.checked
        )));
    }
    let mut sending = Vec::with_capacity(f.sending.len());
    for s in f.sending {
        let day = unix_day(&s.retrieved).filter(|_| !s.source.trim().is_empty());
        let Some(retrieved_day) = day else {
            return Err(ProfileError(format!(
                "{file}: every [[sending]] table needs a source and a YYYY-MM-DD retrieved date"
            )));
        };
        sending.push(Sending {
            networks: networks(file, "sending", &s.networks)?,
            source: s.source,
            retrieved: s.retrieved,
            retrieved_day,
            complete: s.complete,
        });
    }
    Ok(Profile {
        receiver_networks: networks(file, "receivers.networks", &f.receivers.networks)?,
        internal_networks: networks(file, "internal.networks", &f.internal.networks)?,
        id: f.id,
        name: f.name,
        short: f.short,
        checked: f.checked,
        about: f.about,
        address_domains: lower(f.address_domains),
        host_domains: lower(f.host_domains),
        receiver_suffixes: lower(f.receivers.host_suffixes),
        receiver_single_labels: lower(f.receivers.single_label_patterns),
        authserv_ids: lower(f.receivers.authserv_ids),
        marker_headers: f.receivers.marker_headers,
        frontend_suffixes: lower(f.internal.frontend_suffixes),
        host_aliases: f
            .internal
            .host_aliases
            .into_iter()
            .map(|[a, b]| (crate::domain::normalize(&a), crate::domain::normalize(&b)))
            .collect(),
        sending,
    })
}

/// Every compiled-in profile, read once. The files are checked by the tests, so a bad one
/// never ships; should one fail anyway it is left out rather than stop the program.
pub fn all() -> &'static [Profile] {
    static ALL: OnceLock<Vec<Profile>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .filter_map(|(file, text)| parse(file, text).ok())
            .collect()
    })
}

/// The profile with this id.
pub fn by_id(id: &str) -> Option<&'static Profile> {
    all().iter().find(|p| p.id == id)
}

/// Each compiled-in file read, errors included (for the tests and `hopsleuth profiles`).
pub fn check_all() -> Vec<Result<Profile, ProfileError>> {
    FILES.iter().map(|(file, text)| parse(file, text)).collect()
}

fn under_any(host: &str, suffixes: &[String]) -> bool {
    suffixes.iter().any(|s| crate::domain::within(host, s))
}

fn in_any(ip: IpAddr, nets: &[IpNetwork]) -> Option<IpNetwork> {
    nets.iter().copied().find(|n| n.contains(ip))
}

/// How a hop's receiver was recognised as a provider's server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverMatch {
    /// Its name is under one of the provider's receiver suffixes.
    Name(String),
    /// It wrote itself as an address literal in one of the provider's receiver networks.
    Literal(IpNetwork),
    /// Its name is a single label with one of the provider's patterns in it.
    Label(String),
}

impl Profile {
    /// Whether a receiver (`by` host as written) is one of this provider's servers.
    pub fn receiver(&self, by_host: &str) -> Option<ReceiverMatch> {
        if let Some(ip) = literal_address(by_host) {
            return in_any(ip, &self.receiver_networks).map(ReceiverMatch::Literal);
        }
        if !by_host.contains('.') {
            return self
                .receiver_single_labels
                .iter()
                .find(|p| crate::received::contains_ci(by_host.as_bytes(), p.as_bytes()))
                .map(|p| ReceiverMatch::Label(p.clone()));
        }
        self.receiver_suffixes
            .iter()
            .find(|s| crate::domain::within(by_host, s))
            .map(|s| ReceiverMatch::Name(s.clone()))
    }

    /// The internal network a sender's address is in.
    pub fn internal_network(&self, ip: IpAddr) -> Option<IpNetwork> {
        in_any(ip, &self.internal_networks)
    }

    /// True when `host` is one of the provider's inbound frontends.
    pub fn is_frontend(&self, host: &str) -> bool {
        under_any(host, &self.frontend_suffixes)
    }

    /// The published sending network `ip` is in, with its source.
    pub fn sending_network(&self, ip: IpAddr) -> Option<(IpNetwork, &Sending)> {
        self.sending
            .iter()
            .find_map(|s| in_any(ip, &s.networks).map(|n| (n, s)))
    }

    /// True when the profile has the provider's whole list of sending networks for a
    /// message our side received at `when` (Unix seconds): a complete source dated within
    /// [`LIST_YEARS`] years of it. Only then is an address outside them evidence: a list of
    /// 2017 says nothing of where the provider sent from in 2002, nor does a few ranges
    /// seen matching.
    pub fn lists_senders_at(&self, when: Option<i64>) -> bool {
        let Some(day) = when.map(|t| t.div_euclid(86_400)) else {
            return false;
        };
        self.sending
            .iter()
            .any(|s| s.complete && (s.retrieved_day - day).abs() <= LIST_YEARS * 366)
    }

    /// True when `host` is named in the provider's host or address domains.
    pub fn names_host(&self, host: &str) -> bool {
        under_any(host, &self.host_domains) || under_any(host, &self.address_domains)
    }

    /// True when `a` and `b` are two names of one host of this provider
    /// (`X.outlook.office365.com` and `X.SWEP280.PROD.OUTLOOK.COM`).
    pub fn same_host(&self, a: &str, b: &str) -> bool {
        // Asked for links that did not match otherwise, on every message: no allocation.
        if self.host_aliases.is_empty() {
            return false;
        }
        let (Some((label_a, rest_a)), Some((label_b, rest_b))) =
            (a.split_once('.'), b.split_once('.'))
        else {
            return false;
        };
        if label_a.is_empty() || !label_a.eq_ignore_ascii_case(label_b) {
            return false;
        }
        // `X.<short>` exactly, and `X.<anything>.<long>`.
        let is = |rest: &str, short: &str| rest.trim_end_matches('.').eq_ignore_ascii_case(short);
        self.host_aliases.iter().any(|(short, long)| {
            (is(rest_a, short) && crate::domain::within(rest_b, long))
                || (is(rest_b, short) && crate::domain::within(rest_a, long))
        })
    }
}

/// A receiver written as an address literal (`2002:a05:...`, `[10.1.2.3]`, `IPv6:...`),
/// read as the parser reads written addresses.
fn literal_address(host: &str) -> Option<IpAddr> {
    crate::received::parse_written_ip(host.as_bytes()).map(|w| w.addr)
}

/// The look-ups every message makes, hashed once: domains to the profile that names them.
struct Index {
    /// Host and address domains (`of_host`).
    hosts: std::collections::HashMap<&'static str, usize>,
    /// Address domains (`of_address_domain`).
    addresses: std::collections::HashMap<&'static str, usize>,
    /// Receiver suffixes (`receiver_of`).
    receivers: std::collections::HashMap<&'static str, usize>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut hosts = std::collections::HashMap::new();
        let mut addresses = std::collections::HashMap::new();
        let mut receivers = std::collections::HashMap::new();
        for (i, p) in all().iter().enumerate() {
            for d in &p.receiver_suffixes {
                receivers.entry(d.as_str()).or_insert(i);
            }
            for d in p.host_domains.iter().chain(&p.address_domains) {
                hosts.entry(d.as_str()).or_insert(i);
            }
            for d in &p.address_domains {
                addresses.entry(d.as_str()).or_insert(i);
            }
        }
        Index {
            hosts,
            addresses,
            receivers,
        }
    })
}

/// The provider whose users' addresses are in `domain`.
pub fn of_address_domain(domain: &str) -> Option<&'static Profile> {
    let d = crate::domain::normalize(domain);
    index()
        .addresses
        .get(d.as_str())
        .and_then(|&i| all().get(i))
}

/// The provider whose servers' names include `host` (under its host or address domains).
pub fn of_host(host: &str) -> Option<&'static Profile> {
    // Asked for every recipient domain of a message (a crafted one names 270,000), so a
    // look-up per label of the name, not a search of every profile's lists.
    let h = crate::domain::normalize(host);
    let mut rest = h.as_str();
    loop {
        if let Some(&i) = index().hosts.get(rest) {
            return all().get(i);
        }
        rest = rest.split_once('.')?.1;
    }
}

/// The provider a server is, by its name (`of_host`) or, for a receiver's address literal
/// (`by 2002:a05:...`), by its receivers (`receiver_of`).
pub fn of_server(host: &str) -> Option<&'static Profile> {
    of_host(host).or_else(|| receiver_of(host).map(|(p, _)| p))
}

/// The provider one of whose servers a receiver (`by` host as written) is, and how it was
/// recognised. Asked of every message's topmost hop: a look-up per label of the name.
pub fn receiver_of(by_host: &str) -> Option<(&'static Profile, ReceiverMatch)> {
    if literal_address(by_host).is_some() || !by_host.contains('.') {
        return all()
            .iter()
            .find_map(|p| p.receiver(by_host).map(|m| (p, m)));
    }
    let h = crate::domain::normalize(by_host);
    let mut rest = h.as_str();
    loop {
        if let Some(&i) = index().receivers.get(rest) {
            let p = all().get(i)?;
            return Some((p, ReceiverMatch::Name(rest.to_string())));
        }
        rest = rest.split_once('.')?.1;
    }
}

/// The provider that writes this authserv-id.
pub fn of_authserv_id(id: &str) -> Option<&'static Profile> {
    let id = crate::domain::normalize(id);
    all().iter().find(|p| p.authserv_ids.contains(&id))
}

/// Two names of one host by any provider's aliases.
pub fn same_provider_host(a: &str, b: &str) -> bool {
    all().iter().any(|p| p.same_host(a, b))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod day_tests {
    #[test]
    fn unix_days() {
        assert_eq!(super::unix_day("1970-01-01"), Some(0));
        assert_eq!(super::unix_day("2026-12-01"), Some(20_788));
        assert_eq!(super::unix_day("2000-02-29"), Some(11_016));
        assert_eq!(super::unix_day("2026-13-01"), None);
    }
}
