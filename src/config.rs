//! The TOML configuration file (`--config FILE`). Flags on the command line win over it.
//!
//! ```toml
//! [limits]
//! max_hops = 256
//!
//! [trust]
//! trusted_networks = ["192.0.2.0/24", "10/8"]
//! trusted_hosts = ["mx1.example.com"]
//!
//! [checks]
//! clock_skew_s = 600
//! relay_path = ["fw-a.example.net", "fw-b.example.com"]
//! dns_fresh_days = 30
//!
//! [dns]
//! servers = ["192.0.2.53", "[2001:db8::53]:5353"]
//! timeout_s = 3.0
//! concurrency = 64
//! message_budget_s = 5.0
//! scan_budget_s = 30.0
//! canary = "a.root-servers.net"
//!
//! [scores]
//! ENV001 = 0.0
//!
//! [strengths]
//! CHAIN003 = "info"
//!
//! [verdict]
//! suspicious = 4.0
//! forged = 7.0
//! ```
//!
//! The verdict comes from the findings' strengths (`hopsleuth explain verdict`); the
//! `[verdict]` score bands are off unless set, and raise a verdict when the path's score
//! reaches them (`forged` only with a strong finding among them).

use crate::chain::netset::NetSet;
use crate::chain::trust::TrustConfig;
use crate::resolver::{Clock, DnsSettings};
use crate::rules::{CheckSettings, Strength, registry};
use crate::{EnvelopeOverride, Limits, Options};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest clock-skew tolerance accepted: a year. Beyond it no time check means anything,
/// and the arithmetic on timestamps stays far from overflow.
pub const MAX_CLOCK_SKEW_S: i64 = 365 * 86_400;
/// The largest `dns_fresh_days` accepted: a century.
pub const MAX_FRESH_DAYS: i64 = 36_500;

/// Declares a settings section: every field optional (unset = the next source decides),
/// deserialised from its TOML table (unknown keys are errors, so a typo never leaves a
/// default silently in force), with [`over`](LimitsSection::over) to lay one source over
/// another. A new setting is one line here, one flag in the binary, and its use.
macro_rules! section {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: Option<$ty>,)*
        }

        impl $name {
            /// This section's values where they are set, `base`'s elsewhere.
            pub fn over(self, base: $name) -> $name {
                $name { $($field: self.$field.or(base.$field),)* }
            }
        }
    };
}

section! {
    /// `[limits]` and the `--max-*` flags (see [`Limits`]).
    LimitsSection {
        /// Largest header block accepted, in bytes.
        max_header_bytes: usize,
        /// Most header fields accepted.
        max_headers: usize,
        /// Most Received headers parsed into hops.
        max_hops: usize,
        /// Longest Received header parsed field by field, in bytes.
        max_received_bytes: usize,
        /// Deepest comment nesting interpreted inside a Received header.
        max_comment_depth: usize,
        /// Most DNS lookups one message may cause.
        max_dns_lookups: usize,
        /// Most bytes read of one message (an endless input stops there).
        max_message_bytes: u64,
        /// Most bytes of a body kept for DKIM while verifying (default 1 MiB).
        max_body_bytes: usize,
    }
}

section! {
    /// `[trust]`: lists as in SpamAssassin (`10/8`, `!10.1.1.1`, `2001:db8::/32`).
    TrustSection {
        /// Networks whose senders are ours.
        trusted_networks: Vec<String>,
        /// Networks inside the organisation.
        internal_networks: Vec<String>,
        /// Mail submission agents.
        msa_networks: Vec<String>,
        /// Names of our own servers (or domains).
        trusted_hosts: Vec<String>,
        /// The authserv-ids our servers write in Authentication-Results.
        authserv_ids: Vec<String>,
        /// ARC sealers whose results are believed when the chain verifies.
        arc_trusted_sealers: Vec<String>,
    }
}

section! {
    /// `[checks]`: tolerances and the relay path.
    ChecksSection {
        /// Clock-skew tolerance in seconds (default 600).
        clock_skew_s: i64,
        /// Hosts mail must pass, in order.
        relay_path: Vec<String>,
        /// Hops older than this many days get weaker DNS findings (default 30).
        dns_fresh_days: i64,
    }
}

section! {
    /// `[verdict]`: optional score bands over the strength calculus.
    VerdictSection {
        /// A path score from which the verdict is at least `suspicious` (off by default).
        suspicious: f64,
        /// A path score from which the verdict is `forged` when a strong finding is among
        /// the scores (off by default).
        forged: f64,
    }
}

section! {
    /// `[dns]`: the resolver. Without servers the system configuration is used.
    DnsSection {
        /// `false` turns lookups off (as `--no-dns`).
        enabled: bool,
        /// `false` keeps DNS for the path checks but verifies no DKIM, ARC, SPF or DMARC
        /// (as `--no-verify`).
        verify: bool,
        /// Servers as `IP`, `IP:PORT` or `[IPv6]:PORT`.
        servers: Vec<String>,
        /// Seconds one lookup may take.
        timeout_s: f64,
        /// Lookups in flight at once.
        concurrency: usize,
        /// Most answers kept in the cache.
        cache_entries: usize,
        /// Seconds DNS may take per message (default 5; a batch gets one per
        /// `concurrency` messages).
        message_budget_s: f64,
        /// Seconds a run may wait on lookups that never answer (default 30); then every
        /// remaining DNS check is unknown at once.
        scan_budget_s: f64,
        /// The name asked when every answer of a batch is NXDOMAIN, to tell a broken
        /// resolver (default `a.root-servers.net`; `""` turns the check off).
        canary: String,
        /// Write every answer used to this file (`--dns-record`; not a file setting).
        #[serde(skip)]
        record: PathBuf,
        /// Answer only from this recording (`--dns-replay`; not a file setting).
        #[serde(skip)]
        replay: PathBuf,
        /// The time live answers are stamped with (`--now`; not a file setting).
        #[serde(skip)]
        now: i64,
    }
}

/// Every setting, from one source (the configuration file, or the command line); lay the
/// command line's over the file's with [`Settings::over`], then read the library's options
/// from the result. Flag, else file, else default, decided in one place.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Parsing limits.
    pub limits: LimitsSection,
    /// The trust boundary.
    pub trust: TrustSection,
    /// Tolerances and the relay path.
    pub checks: ChecksSection,
    /// Per-rule score overrides by rule id.
    pub scores: BTreeMap<String, f64>,
    /// Per-rule strength overrides by rule id (`proof`, `strong`, `weak`, `info`).
    pub strengths: BTreeMap<String, String>,
    /// Verdict bands.
    pub verdict: VerdictSection,
    /// The resolver.
    pub dns: DnsSection,
}

/// Why the settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read config: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, has unknown or mistyped keys, or a value is unusable.
    #[error("{path}: invalid config: {message}")]
    Invalid {
        /// The file (or `command line`).
        path: PathBuf,
        /// What is wrong, with the line.
        message: String,
    },
    /// A resolver setting is unusable (the message names the value).
    #[error("{0}")]
    Value(String),
    /// The resolver or a recording could not be set up.
    #[error(transparent)]
    Dns(#[from] crate::resolver::DnsError),
}

impl Settings {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses configuration text.
    pub fn parse(text: &str) -> Result<Settings, String> {
        let file: Settings = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        file.validate()?;
        Ok(file)
    }

    fn validate(&self) -> Result<(), String> {
        // A NaN score makes every sum NaN and every verdict `clean`; an infinite one makes
        // every message forged. Neither is a setting anyone means.
        for (id, score) in &self.scores {
            if !score.is_finite() {
                return Err(format!("[scores] {id} = {score}: expected a finite number"));
            }
        }
        for (key, value) in [
            ("suspicious", self.verdict.suspicious),
            ("forged", self.verdict.forged),
        ] {
            if value.is_some_and(|v| !v.is_finite()) {
                return Err(format!(
                    "[verdict] {key} = {}: expected a finite number",
                    value.unwrap_or_default()
                ));
            }
        }
        if let Some(skew) = self.checks.clock_skew_s
            && !(0..=MAX_CLOCK_SKEW_S).contains(&skew)
        {
            return Err(format!(
                "[checks] clock_skew_s = {skew}: expected seconds from 0 to {MAX_CLOCK_SKEW_S} (a year)"
            ));
        }
        if let Some(days) = self.checks.dns_fresh_days
            && !(0..=MAX_FRESH_DAYS).contains(&days)
        {
            return Err(format!(
                "[checks] dns_fresh_days = {days}: expected days from 0 to {MAX_FRESH_DAYS}"
            ));
        }
        for id in self.scores.keys() {
            if registry::find(id).is_none_or(|r| !r.id.eq_ignore_ascii_case(id)) {
                return Err(format!(
                    "[scores]: no rule has the id {id:?} (see `hopsleuth rules`)"
                ));
            }
        }
        for (id, strength) in &self.strengths {
            if registry::find(id).is_none_or(|r| !r.id.eq_ignore_ascii_case(id)) {
                return Err(format!(
                    "[strengths]: no rule has the id {id:?} (see `hopsleuth rules`)"
                ));
            }
            if Strength::parse(strength).is_none() {
                return Err(format!(
                    "[strengths] {id} = {strength:?}: expected \"proof\", \"strong\", \"weak\" or \"info\""
                ));
            }
        }
        if let (Some(s), Some(f)) = (self.verdict.suspicious, self.verdict.forged)
            && s > f
        {
            return Err(format!(
                "[verdict]: suspicious ({s}) must not be above forged ({f})"
            ));
        }
        Ok(())
    }

    /// These settings where they are set, `base`'s elsewhere (the command line over the
    /// file). Score overrides are merged rule by rule.
    pub fn over(self, base: Settings) -> Settings {
        let mut scores = base.scores;
        scores.extend(self.scores);
        let mut strengths = base.strengths;
        strengths.extend(self.strengths);
        Settings {
            limits: self.limits.over(base.limits),
            trust: self.trust.over(base.trust),
            checks: self.checks.over(base.checks),
            scores,
            strengths,
            verdict: self.verdict.over(base.verdict),
            dns: self.dns.over(base.dns),
        }
    }

    /// The library options these settings give, defaults where nothing is set. `origin`
    /// names the source in errors (the file, or `command line`).
    pub fn options(&self, origin: &str) -> Result<Options, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.into(),
            message,
        };
        self.validate().map_err(invalid)?;
        Ok(Options {
            limits: self.limits(),
            envelope: EnvelopeOverride::default(),
            trust: self.trust_config(origin).map_err(invalid)?,
            checks: self.check_settings(),
            // Verification needs DNS: on with it, unless `[dns] verify = false`.
            verify: self.dns.enabled != Some(false) && self.dns.verify != Some(false),
            keep_original: false,
        })
    }

    fn limits(&self) -> Limits {
        let (l, d) = (&self.limits, Limits::default());
        Limits {
            max_header_bytes: l.max_header_bytes.unwrap_or(d.max_header_bytes),
            max_headers: l.max_headers.unwrap_or(d.max_headers),
            max_hops: l.max_hops.unwrap_or(d.max_hops),
            max_received_bytes: l.max_received_bytes.unwrap_or(d.max_received_bytes),
            max_comment_depth: l.max_comment_depth.unwrap_or(d.max_comment_depth),
            max_dns_lookups: l.max_dns_lookups.unwrap_or(d.max_dns_lookups),
            max_message_bytes: l.max_message_bytes.unwrap_or(d.max_message_bytes),
            max_body_bytes: l.max_body_bytes.unwrap_or(d.max_body_bytes),
        }
    }

    /// The trust boundary's configuration.
    pub fn trust_config(&self, origin: &str) -> Result<TrustConfig, String> {
        let netset = |name: &str, list: &Option<Vec<String>>| -> Result<Option<NetSet>, String> {
            list.as_ref()
                .map(|l| NetSet::parse(&l.join(" ")).map_err(|e| format!("{origin}: {name}: {e}")))
                .transpose()
        };
        let t = &self.trust;
        Ok(TrustConfig {
            trusted_networks: netset("trusted_networks", &t.trusted_networks)?,
            internal_networks: netset("internal_networks", &t.internal_networks)?,
            msa_networks: netset("msa_networks", &t.msa_networks)?,
            trusted_hosts: t.trusted_hosts.clone().unwrap_or_default(),
            authserv_ids: t.authserv_ids.clone().unwrap_or_default(),
            arc_trusted_sealers: t.arc_trusted_sealers.clone().unwrap_or_default(),
        })
    }

    fn check_settings(&self) -> CheckSettings {
        let (c, d) = (&self.checks, CheckSettings::default());
        CheckSettings {
            clock_skew_s: c.clock_skew_s.unwrap_or(d.clock_skew_s),
            relay_path: c.relay_path.clone().unwrap_or_default(),
            scores: self
                .scores
                .iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), *v))
                .collect(),
            strengths: self
                .strengths
                .iter()
                .filter_map(|(k, v)| Some((k.to_ascii_uppercase(), Strength::parse(v)?)))
                .collect(),
            suspicious_at: self.verdict.suspicious.or(d.suspicious_at),
            forged_at: self.verdict.forged.or(d.forged_at),
            dns_fresh_days: c.dns_fresh_days.unwrap_or(d.dns_fresh_days),
        }
    }

    /// The resolver these settings ask for, or `None` when DNS is off.
    pub fn dns_settings(&self) -> Result<Option<DnsSettings>, ConfigError> {
        let d = &self.dns;
        if d.enabled == Some(false) {
            return Ok(None);
        }
        let defaults = DnsSettings::default();
        let servers = d
            .servers
            .iter()
            .flatten()
            .map(|s| parse_dns_server(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ConfigError::Value)?;
        let timeout_s = d.timeout_s.unwrap_or(defaults.timeout.as_secs_f64());
        if !(timeout_s.is_finite() && timeout_s > 0.0 && timeout_s <= 3600.0) {
            return Err(ConfigError::Value(format!(
                "DNS timeout {timeout_s}: expected seconds between 0 and 3600"
            )));
        }
        let seconds = |key: &str, value: Option<f64>, default: Duration| {
            let s = value.unwrap_or(default.as_secs_f64());
            if s.is_finite() && s > 0.0 && s <= 86_400.0 {
                Ok(Duration::from_secs_f64(s))
            } else {
                Err(ConfigError::Value(format!(
                    "DNS {key} {s}: expected seconds between 0 and 86400"
                )))
            }
        };
        let canary = match d.canary.as_deref() {
            None => defaults.canary.clone(),
            Some("") => None,
            Some(name) if crate::dns::fqdn(name).is_some() => Some(name.to_string()),
            Some(name) => {
                return Err(ConfigError::Value(format!(
                    "DNS canary {name:?}: expected a host name (or \"\" for no health check)"
                )));
            }
        };
        Ok(Some(DnsSettings {
            message_budget: seconds(
                "message budget",
                d.message_budget_s,
                defaults.message_budget,
            )?,
            scan_budget: seconds("scan budget", d.scan_budget_s, defaults.scan_budget)?,
            canary,
            servers,
            timeout: Duration::from_secs_f64(timeout_s),
            concurrency: d.concurrency.unwrap_or(defaults.concurrency).clamp(1, 4096),
            cache_entries: d.cache_entries.unwrap_or(defaults.cache_entries),
            replay: d.replay.clone(),
            record: d.record.clone(),
            clock: d.now.map_or(Clock::System, Clock::Fixed),
        }))
    }
}

/// `IP`, `IP:PORT` or `[IPv6]:PORT` (port 53 when absent).
pub fn parse_dns_server(text: &str) -> Result<std::net::SocketAddr, String> {
    let t = text.trim();
    if let Ok(addr) = t.parse::<std::net::SocketAddr>() {
        return Ok(addr);
    }
    t.trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
        .map_err(|_| format!("DNS server {text:?}: expected IP, IP:PORT or [IPv6]:PORT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_budgets_and_canary() {
        let dns = Settings::parse("[dns]\nmessage_budget_s = 2.5\nscan_budget_s = 10\n")
            .unwrap()
            .dns_settings()
            .unwrap()
            .expect("enabled");
        assert_eq!(dns.message_budget, Duration::from_millis(2500));
        assert_eq!(dns.scan_budget, Duration::from_secs(10));
        assert_eq!(dns.canary.as_deref(), Some("a.root-servers.net"));
        let off = Settings::parse("[dns]\ncanary = \"\"\n").unwrap();
        assert_eq!(off.dns_settings().unwrap().unwrap().canary, None);
        for bad in [
            "[dns]\nmessage_budget_s = 0\n",
            "[dns]\nscan_budget_s = -1\n",
            "[dns]\nscan_budget_s = nan\n",
            "[dns]\ncanary = \"not a name\"\n",
        ] {
            let e = Settings::parse(bad).unwrap().dns_settings().unwrap_err();
            assert!(e.to_string().contains("DNS"), "{bad}: {e}");
        }
    }

    #[test]
    fn dns_section_and_freshness() {
        let file = Settings::parse(
            "[checks]\ndns_fresh_days = 90\n[dns]\nservers = [\"192.0.2.53\", \"[2001:db8::53]:5353\"]\ntimeout_s = 1.5\nconcurrency = 8\nenabled = true\n",
        )
        .unwrap();
        let dns = file.dns_settings().unwrap().expect("enabled");
        assert_eq!(dns.servers.len(), 2);
        assert_eq!(dns.timeout, Duration::from_millis(1500));
        assert_eq!(dns.concurrency, 8);
        let o = file.options("test.toml").unwrap();
        assert_eq!(o.checks.dns_fresh_days, 90);
        // The command line's value wins over the file's.
        let mut flags = Settings::default();
        flags.checks.dns_fresh_days = Some(7);
        let merged = flags.over(file.clone());
        assert_eq!(merged.options("t").unwrap().checks.dns_fresh_days, 7);
        assert_eq!(
            merged.dns.timeout_s,
            Some(1.5),
            "what the flags leave unset stays"
        );
        assert!(
            Settings::parse("[dns]\nserver = [\"x\"]\n").is_err(),
            "typo is an error"
        );
        assert!(
            Settings::parse("[dns]\nreplay = \"x.json\"\n").is_err(),
            "flag-only settings are not file keys"
        );
        let mut off = file;
        off.dns.enabled = Some(false);
        assert!(off.dns_settings().unwrap().is_none());
    }

    #[test]
    fn partial_limits_keep_defaults() {
        let c = Settings::parse("[limits]\nmax_hops = 7\n").unwrap();
        let limits = c.options("t").unwrap().limits;
        assert_eq!(limits.max_hops, 7);
        assert_eq!(limits.max_headers, Limits::default().max_headers);
        assert_eq!(Settings::parse("").unwrap(), Settings::default());
    }

    #[test]
    fn checks_sections() {
        let c = Settings::parse("[trust]\ntrusted_networks = [\"10/8\"]\n[checks]\nrelay_path = [\"a\", \"b\"]\n[scores]\nENV001 = 0.0\n[verdict]\nforged = 8.0\n").unwrap();
        let o = c.options("test.toml").unwrap();
        let s = o.checks;
        assert!(
            o.trust
                .trusted_networks
                .unwrap()
                .contains("10.9.9.9".parse().unwrap())
        );
        assert_eq!(s.relay_path, vec!["a", "b"]);
        assert_eq!(s.scores.get("ENV001"), Some(&0.0));
        assert_eq!(s.forged_at, Some(8.0));
        assert!(
            Settings::parse("[scores]\nNOPE999 = 1.0\n")
                .unwrap_err()
                .contains("NOPE999")
        );
        let bad = Settings::parse("[trust]\ntrusted_networks = [\"10.0.0.0/99\"]\n").unwrap();
        assert!(
            bad.options("x.toml")
                .unwrap_err()
                .to_string()
                .contains("x.toml")
        );
    }

    #[test]
    fn values_no_check_can_use_are_errors_naming_the_key() {
        for (text, key) in [
            ("[scores]\nENV001 = nan\n", "ENV001"),
            ("[scores]\nENV001 = inf\n", "ENV001"),
            ("[verdict]\nforged = -inf\n", "forged"),
            ("[checks]\nclock_skew_s = -1\n", "clock_skew_s"),
            (
                "[checks]\nclock_skew_s = 9223372036854775807\n",
                "clock_skew_s",
            ),
            ("[checks]\ndns_fresh_days = -5\n", "dns_fresh_days"),
        ] {
            let e = Settings::parse(text).unwrap_err();
            assert!(e.contains(key), "{text:?}: {e}");
        }
        // The same values from the command line are refused when the options are made.
        let mut flags = Settings::default();
        flags.checks.clock_skew_s = Some(i64::MIN);
        let e = flags.options("command line").unwrap_err().to_string();
        assert!(
            e.contains("command line") && e.contains("clock_skew_s"),
            "{e}"
        );
        assert!(Settings::parse("[checks]\nclock_skew_s = 31536000\n").is_ok());
    }

    #[test]
    fn typos_are_errors() {
        let e = Settings::parse("[limits]\nmax_hop = 7\n").unwrap_err();
        assert!(e.contains("max_hop"), "{e}");
        assert!(Settings::parse("[limits]\nmax_hops = \"many\"\n").is_err());
    }
}
