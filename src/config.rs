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
//!
//! [scores]
//! ENV001 = 0.0
//!
//! [verdict]
//! suspicious = 4.0
//! forged = 7.0
//! ```

use crate::Limits;
use crate::chain::netset::NetSet;
use crate::chain::trust::TrustConfig;
use crate::rules::{CheckSettings, registry};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything the configuration file can set. Unknown keys are errors, so a typo never
/// silently leaves a default in force.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    /// Parsing limits (any subset; the rest keep their defaults).
    pub limits: Limits,
    /// The trust boundary.
    pub trust: TrustSection,
    /// Tolerances and the relay path.
    pub checks: ChecksSection,
    /// Per-rule score overrides by rule id.
    pub scores: BTreeMap<String, f64>,
    /// Verdict bands.
    pub verdict: VerdictSection,
    /// The resolver.
    pub dns: DnsSection,
}

/// `[dns]`: the resolver. Flags win; without servers the system configuration is used.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DnsSection {
    /// `false` turns lookups off (as `--no-dns`).
    pub enabled: Option<bool>,
    /// Servers as `IP` or `IP:PORT` (`[IPv6]:PORT`).
    pub servers: Vec<String>,
    /// Seconds one lookup may take.
    pub timeout_s: Option<f64>,
    /// Lookups in flight at once.
    pub concurrency: Option<usize>,
    /// Most answers kept in the cache.
    pub cache_entries: Option<usize>,
}

/// `[trust]`: lists as in SpamAssassin (`10/8`, `!10.1.1.1`, `2001:db8::/32`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustSection {
    /// Networks whose senders are ours.
    pub trusted_networks: Option<Vec<String>>,
    /// Networks inside the organisation.
    pub internal_networks: Option<Vec<String>>,
    /// Mail submission agents.
    pub msa_networks: Option<Vec<String>>,
    /// Names of our own servers (or domains).
    pub trusted_hosts: Vec<String>,
}

/// `[checks]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChecksSection {
    /// Clock-skew tolerance in seconds (default 600).
    pub clock_skew_s: Option<i64>,
    /// Hosts mail must pass, in order.
    pub relay_path: Vec<String>,
    /// Hops older than this many days get weaker DNS findings (default 30).
    pub dns_fresh_days: Option<i64>,
}

/// `[verdict]`: score thresholds.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerdictSection {
    /// Score from which the verdict is `suspicious` (default 3).
    pub suspicious: Option<f64>,
    /// Score from which the verdict is `forged` (default 6).
    pub forged: Option<f64>,
}

/// Trust and check values given on the command line; they replace the file's.
#[derive(Debug, Clone, Default)]
pub struct CheckOverrides {
    /// `--trusted-networks`.
    pub trusted_networks: Vec<String>,
    /// `--internal-networks`.
    pub internal_networks: Vec<String>,
    /// `--msa-networks`.
    pub msa_networks: Vec<String>,
    /// `--trusted-hosts`.
    pub trusted_hosts: Vec<String>,
    /// `--relay-path`.
    pub relay_path: Vec<String>,
    /// `--clock-skew`.
    pub clock_skew_s: Option<i64>,
    /// `--dns-fresh-days`.
    pub dns_fresh_days: Option<i64>,
}

/// Why a configuration file could not be used.
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
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}: invalid config: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line.
        message: String,
    },
}

impl ConfigFile {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
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
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        let file: ConfigFile =
            toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        for id in file.scores.keys() {
            if registry::find(id).is_none_or(|r| !r.id.eq_ignore_ascii_case(id)) {
                return Err(format!(
                    "[scores]: no rule has the id {id:?} (see `hopsleuth rules`)"
                ));
            }
        }
        if let (Some(s), Some(f)) = (file.verdict.suspicious, file.verdict.forged)
            && s > f
        {
            return Err(format!(
                "[verdict]: suspicious ({s}) must not be above forged ({f})"
            ));
        }
        Ok(file)
    }

    /// The check settings of this file with the command line's values on top. `origin`
    /// names the file in errors.
    pub fn check_settings(
        &self,
        cli: &CheckOverrides,
        origin: &str,
    ) -> Result<CheckSettings, String> {
        let pick = |flag: &Vec<String>, file: &Option<Vec<String>>| -> Option<Vec<String>> {
            if flag.is_empty() {
                file.clone()
            } else {
                Some(flag.clone())
            }
        };
        let netset = |name: &str, list: Option<Vec<String>>| -> Result<Option<NetSet>, String> {
            list.map(|l| NetSet::parse(&l.join(" ")).map_err(|e| format!("{origin}: {name}: {e}")))
                .transpose()
        };
        let trust = TrustConfig {
            trusted_networks: netset(
                "trusted_networks",
                pick(&cli.trusted_networks, &self.trust.trusted_networks),
            )?,
            internal_networks: netset(
                "internal_networks",
                pick(&cli.internal_networks, &self.trust.internal_networks),
            )?,
            msa_networks: netset(
                "msa_networks",
                pick(&cli.msa_networks, &self.trust.msa_networks),
            )?,
            trusted_hosts: if cli.trusted_hosts.is_empty() {
                self.trust.trusted_hosts.clone()
            } else {
                cli.trusted_hosts.clone()
            },
        };
        let defaults = CheckSettings::default();
        Ok(CheckSettings {
            trust,
            clock_skew_s: cli
                .clock_skew_s
                .or(self.checks.clock_skew_s)
                .unwrap_or(defaults.clock_skew_s),
            relay_path: if cli.relay_path.is_empty() {
                self.checks.relay_path.clone()
            } else {
                cli.relay_path.clone()
            },
            scores: self
                .scores
                .iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), *v))
                .collect(),
            suspicious_at: self.verdict.suspicious.unwrap_or(defaults.suspicious_at),
            forged_at: self.verdict.forged.unwrap_or(defaults.forged_at),
            dns_fresh_days: cli
                .dns_fresh_days
                .or(self.checks.dns_fresh_days)
                .unwrap_or(defaults.dns_fresh_days),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_section_and_freshness() {
        let c = ConfigFile::parse(
            "[checks]\ndns_fresh_days = 90\n[dns]\nservers = [\"192.0.2.53\", \"[2001:db8::53]:5353\"]\ntimeout_s = 1.5\nconcurrency = 8\nenabled = true\n",
        )
        .unwrap();
        assert_eq!(c.dns.servers.len(), 2);
        assert_eq!(c.dns.timeout_s, Some(1.5));
        assert_eq!(c.dns.concurrency, Some(8));
        let s = c
            .check_settings(&CheckOverrides::default(), "test.toml")
            .unwrap();
        assert_eq!(s.dns_fresh_days, 90);
        let flag = CheckOverrides {
            dns_fresh_days: Some(7),
            ..CheckOverrides::default()
        };
        assert_eq!(c.check_settings(&flag, "t").unwrap().dns_fresh_days, 7);
        assert!(
            ConfigFile::parse("[dns]\nserver = [\"x\"]\n").is_err(),
            "typo is an error"
        );
    }

    #[test]
    fn partial_limits_keep_defaults() {
        let c = ConfigFile::parse("[limits]\nmax_hops = 7\n").unwrap();
        assert_eq!(c.limits.max_hops, 7);
        assert_eq!(c.limits.max_headers, Limits::default().max_headers);
        assert_eq!(ConfigFile::parse("").unwrap(), ConfigFile::default());
    }

    #[test]
    fn checks_sections() {
        let c = ConfigFile::parse("[trust]\ntrusted_networks = [\"10/8\"]\n[checks]\nrelay_path = [\"a\", \"b\"]\n[scores]\nENV001 = 0.0\n[verdict]\nforged = 8.0\n").unwrap();
        let s = c
            .check_settings(&CheckOverrides::default(), "test.toml")
            .unwrap();
        assert!(
            s.trust
                .trusted_networks
                .unwrap()
                .contains("10.9.9.9".parse().unwrap())
        );
        assert_eq!(s.relay_path, vec!["a", "b"]);
        assert_eq!(s.scores.get("ENV001"), Some(&0.0));
        assert_eq!(s.forged_at, 8.0);
        assert!(
            ConfigFile::parse("[scores]\nNOPE999 = 1.0\n")
                .unwrap_err()
                .contains("NOPE999")
        );
        let bad = ConfigFile::parse("[trust]\ntrusted_networks = [\"10.0.0.0/99\"]\n").unwrap();
        assert!(
            bad.check_settings(&CheckOverrides::default(), "x.toml")
                .unwrap_err()
                .contains("x.toml")
        );
    }

    #[test]
    fn typos_are_errors() {
        let e = ConfigFile::parse("[limits]\nmax_hop = 7\n").unwrap_err();
        assert!(e.contains("max_hop"), "{e}");
        assert!(ConfigFile::parse("[limits]\nmax_hops = \"many\"\n").is_err());
    }
}
