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
    /// Do not look anything up in DNS (no lookups are made yet; accepted for pipelines).
    #[arg(long)]
    pub no_dns: bool,
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
    /// Clock-skew tolerance for the time checks, in seconds (default 300).
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
        let file = match &self.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
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
