//! Every command-line flag, once. Turns arguments into library [`Options`](crate::Options).

use crate::config::{CheckOverrides, ConfigError, ConfigFile};
use crate::{EnvelopeOverride, Limits, Options};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Email header forensics: rebuild a message's Received chain and check whether its
/// delivery path is genuine.
///
/// Exit codes: 0 nothing at or above --fail-on (analyze: every input analysed); 1 a message
/// at or above --fail-on (scan, default suspicious); 2 an input could not be read or is not
/// a mail message (the rest is still processed).
#[derive(Debug, Parser)]
#[command(name = "hopsleuth", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse one message (or each message of an mbox file) and print its report.
    Analyze(Box<AnalyzeArgs>),
    /// List the rules: id, default score, name and what each detects.
    Rules,
    /// Print a rule's documentation (what it checks, why, example, false positives).
    Explain {
        /// Rule id (e.g. CHAIN005) or name.
        id: String,
    },
    /// Scan files, mboxes, Maildirs, MH folders, directory trees or stdin (`-`) in parallel:
    /// one NDJSON line per message in input order, a summary on stderr.
    Scan(Box<ScanArgs>),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// The verdict from which `scan` exits with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any message that is not clean.
    Suspicious,
    /// Only forged messages.
    Forged,
    /// Never exit 1.
    Never,
}

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, mboxes, Maildirs, MH folders or directories; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Also write the summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Exit with 1 when a message's verdict is at or above this.
    #[arg(long, value_enum, default_value_t = FailOn::Suspicious)]
    pub fail_on: FailOn,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Analysis settings.
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// Settings shared by `analyze` and `scan`.
#[derive(Debug, Args)]
pub struct AnalysisArgs {
    /// TOML configuration file (see the README); flags win over it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Parsing limits.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Trust boundary and check settings.
    #[command(flatten)]
    pub checks: CheckArgs,
    /// DNS lookups.
    #[command(flatten)]
    pub dns: DnsArgs,
}

/// DNS lookups. Without flags the system's resolver configuration is used.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Make no DNS lookups: the DNS checks stay silent and the report's `dns.mode` is `off`.
    /// Wins over the other DNS flags.
    #[arg(long, env = "HOPSLEUTH_NO_DNS", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_dns: bool,
    /// DNS server to ask instead of the system's: IP, IP:PORT or [IPv6]:PORT; repeatable.
    #[arg(long, value_name = "IP[:PORT]", value_delimiter = ',')]
    pub dns_server: Vec<String>,
    /// Seconds one DNS lookup may take (default 3).
    #[arg(long, value_name = "SECONDS")]
    pub dns_timeout: Option<f64>,
    /// DNS lookups in flight at once (default 64).
    #[arg(long, value_name = "N")]
    pub dns_concurrency: Option<usize>,
    /// Write every DNS answer used to FILE (JSON), to reproduce the reports later with
    /// --dns-replay.
    #[arg(long, value_name = "FILE")]
    pub dns_record: Option<PathBuf>,
    /// Answer DNS questions only from FILE (written by --dns-record), never the network.
    #[arg(long, value_name = "FILE", conflicts_with = "dns_record")]
    pub dns_replay: Option<PathBuf>,
    /// Hops older than this many days at lookup time get weaker DNS findings (default 30).
    #[arg(long, value_name = "DAYS")]
    pub dns_fresh_days: Option<i64>,
    /// Analyse as of this time (RFC 3339, e.g. 2026-11-23T10:05:00Z, or Unix seconds):
    /// live DNS answers are stamped with it, and hop ages are measured against it
    /// (default: the clock at each lookup). Replayed answers keep their recorded times.
    #[arg(long, value_name = "TIME", env = "HOPSLEUTH_NOW", value_parser = parse_now)]
    pub now: Option<i64>,
}

/// `--now`: RFC 3339 or Unix seconds.
fn parse_now(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .ok()
        .or_else(|| crate::date::parse_rfc3339(text))
        .ok_or_else(|| {
            format!("{text:?}: expected an RFC 3339 time (2026-11-23T10:05:00Z) or Unix seconds")
        })
}

/// Why the analysis could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The configuration file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The resolver or a recording.
    #[error(transparent)]
    Dns(#[from] crate::dns::DnsError),
    /// A bad DNS setting.
    #[error("{0}")]
    Invalid(String),
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

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON document per message (NDJSON when a file holds several).
    Json,
    /// A hop table for a person.
    Text,
    /// SpamAssassin's X-Spam-Relays-Trusted / X-Spam-Relays-Untrusted lines.
    Spamassassin,
}

/// Arguments of `analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Message files (.eml or mbox); `-` or nothing reads standard input.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
    /// Mail-filter mode: write each message unchanged except one header added at the top,
    /// `X-Hopsleuth: verdict=... score=... rules=...` (for procmail, maildrop, Postfix pipes).
    /// A message that cannot be analysed is written back untouched.
    #[arg(long, conflicts_with_all = ["format", "pretty"])]
    pub add_header: bool,
    /// Envelope sender (MAIL FROM) as the receiving server saw it; wins over the headers.
    #[arg(long, value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// Envelope recipient (RCPT TO); repeatable; wins over the headers.
    #[arg(long, value_name = "ADDR")]
    pub rcpt_to: Vec<String>,
    /// Analysis settings.
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// Trust boundary and check settings; each replaces the config file's value.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Networks whose senders are ours (CIDR; SpamAssassin syntax: 10/8, !10.1.1.1); comma-separated or repeated.
    #[arg(long, value_name = "CIDR", value_delimiter = ',')]
    pub trusted_networks: Vec<String>,
    /// Networks inside the organisation (a subset of the trusted ones).
    #[arg(long, value_name = "CIDR", value_delimiter = ',')]
    pub internal_networks: Vec<String>,
    /// Mail submission agents: older hops inherit the trust of the hop from one.
    #[arg(long, value_name = "CIDR", value_delimiter = ',')]
    pub msa_networks: Vec<String>,
    /// Names (or domains) of our own mail servers.
    #[arg(long, value_name = "HOST", value_delimiter = ',')]
    pub trusted_hosts: Vec<String>,
    /// The hosts mail must pass, in order (e.g. the sender's firewall, then ours).
    #[arg(long, value_name = "HOST,HOST", value_delimiter = ',')]
    pub relay_path: Vec<String>,
    /// Clock-skew tolerance for the time checks, in seconds (default 600).
    #[arg(long, value_name = "SECONDS")]
    pub clock_skew: Option<i64>,
}

/// Limits, each overriding the default.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Largest header block accepted, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_header_bytes: Option<usize>,
    /// Most header fields accepted.
    #[arg(long, value_name = "N")]
    pub max_headers: Option<usize>,
    /// Most Received headers parsed into hops (the topmost are kept).
    #[arg(long, value_name = "N")]
    pub max_hops: Option<usize>,
    /// Longest Received header parsed field by field, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_received_bytes: Option<usize>,
    /// Deepest comment nesting interpreted inside a Received header.
    #[arg(long, value_name = "N")]
    pub max_comment_depth: Option<usize>,
    /// Most DNS lookups one message may cause.
    #[arg(long, value_name = "N")]
    pub max_dns_lookups: Option<usize>,
}

impl LimitArgs {
    /// The limits these flags give, over `base` (the config file's, or the defaults).
    pub fn limits(&self, base: Limits) -> Limits {
        let d = base;
        Limits {
            max_header_bytes: self.max_header_bytes.unwrap_or(d.max_header_bytes),
            max_headers: self.max_headers.unwrap_or(d.max_headers),
            max_hops: self.max_hops.unwrap_or(d.max_hops),
            max_received_bytes: self.max_received_bytes.unwrap_or(d.max_received_bytes),
            max_comment_depth: self.max_comment_depth.unwrap_or(d.max_comment_depth),
            max_dns_lookups: self.max_dns_lookups.unwrap_or(d.max_dns_lookups),
        }
    }
}

impl AnalysisArgs {
    /// The library options these settings give, reading the config file if one is named.
    pub fn options(&self) -> Result<Options, ConfigError> {
        let file = self.config_file()?;
        let origin = self
            .config
            .as_ref()
            .map_or("command line".to_string(), |p| p.display().to_string());
        let c = &self.checks;
        let overrides = CheckOverrides {
            trusted_networks: c.trusted_networks.clone(),
            internal_networks: c.internal_networks.clone(),
            msa_networks: c.msa_networks.clone(),
            trusted_hosts: c.trusted_hosts.clone(),
            relay_path: c.relay_path.clone(),
            clock_skew_s: c.clock_skew,
            dns_fresh_days: self.dns.dns_fresh_days,
        };
        let checks = file
            .check_settings(&overrides, &origin)
            .map_err(|message| ConfigError::Invalid {
                path: origin.clone().into(),
                message,
            })?;
        Ok(Options {
            limits: self.limits.limits(file.limits),
            envelope: EnvelopeOverride::default(),
            checks,
        })
    }
}

impl AnalysisArgs {
    fn config_file(&self) -> Result<ConfigFile, ConfigError> {
        match &self.config {
            Some(path) => ConfigFile::load(path),
            None => Ok(ConfigFile::default()),
        }
    }

    /// The resolver these settings ask for, or `None` when DNS is off.
    pub fn dns(&self) -> Result<Option<crate::dns::Dns>, SetupError> {
        let file = self.config_file()?;
        let d = &self.dns;
        // `[dns] enabled = false` gives way to any DNS flag on the command line.
        let asked_on_command_line =
            !d.dns_server.is_empty() || d.dns_replay.is_some() || d.dns_record.is_some();
        if d.no_dns || (file.dns.enabled == Some(false) && !asked_on_command_line) {
            return Ok(None);
        }
        let defaults = crate::dns::DnsSettings::default();
        let servers_text = if d.dns_server.is_empty() {
            &file.dns.servers
        } else {
            &d.dns_server
        };
        let servers = servers_text
            .iter()
            .map(|s| parse_dns_server(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(SetupError::Invalid)?;
        let timeout_s = d
            .dns_timeout
            .or(file.dns.timeout_s)
            .unwrap_or(defaults.timeout.as_secs_f64());
        if !(timeout_s.is_finite() && timeout_s > 0.0 && timeout_s <= 3600.0) {
            return Err(SetupError::Invalid(format!(
                "DNS timeout {timeout_s}: expected seconds between 0 and 3600"
            )));
        }
        let settings = crate::dns::DnsSettings {
            servers,
            timeout: std::time::Duration::from_secs_f64(timeout_s),
            concurrency: d
                .dns_concurrency
                .or(file.dns.concurrency)
                .unwrap_or(defaults.concurrency)
                .clamp(1, 4096),
            cache_entries: file.dns.cache_entries.unwrap_or(defaults.cache_entries),
            replay: d.dns_replay.clone(),
            record: d.dns_record.clone(),
            clock: d
                .now
                .map_or(crate::dns::Clock::System, crate::dns::Clock::Fixed),
        };
        Ok(Some(crate::dns::Dns::new(&settings)?))
    }
}

impl AnalyzeArgs {
    /// The library options these arguments give, with the envelope flags.
    pub fn options(&self) -> Result<Options, ConfigError> {
        let mut options = self.analysis.options()?;
        options.envelope = EnvelopeOverride {
            mail_from: self.mail_from.clone(),
            rcpt_to: self.rcpt_to.clone(),
        };
        Ok(options)
    }
}
