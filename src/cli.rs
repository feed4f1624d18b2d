//! Every command-line flag, once. Turns arguments into library [`Options`](crate::Options).

use crate::config::{ConfigError, ConfigFile};
use crate::{EnvelopeOverride, Limits, Options};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Email header forensics: rebuild a message's Received chain and check whether its
/// delivery path is genuine.
///
/// Exit codes: 0 analysed; 2 a file could not be read or is not a mail message.
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
    Analyze(AnalyzeArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON document per message (NDJSON when a file holds several).
    Json,
    /// A hop table for a person.
    Text,
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
    /// Envelope sender (MAIL FROM) as the receiving server saw it; wins over the headers.
    #[arg(long, value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// Envelope recipient (RCPT TO); repeatable; wins over the headers.
    #[arg(long, value_name = "ADDR")]
    pub rcpt_to: Vec<String>,
    /// TOML configuration file (see the README); flags win over it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Parsing limits.
    #[command(flatten)]
    pub limits: LimitArgs,
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
            ..d
        }
    }
}

impl AnalyzeArgs {
    /// The library options these arguments give, reading the config file if one is named.
    pub fn options(&self) -> Result<Options, ConfigError> {
        let file = match &self.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
        Ok(Options {
            limits: self.limits.limits(file.limits),
            envelope: EnvelopeOverride {
                mail_from: self.mail_from.clone(),
                rcpt_to: self.rcpt_to.clone(),
            },
        })
    }
}
