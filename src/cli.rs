//! Every command-line flag, once (the binary's; the library knows no clap). The flags fill
//! the same [`Settings`] sections the configuration file fills, and the library merges the
//! two in one place: flag, else file, else default.

use clap::{Args, Parser, Subcommand, ValueEnum};
use hopsleuth::config::{
    ChecksSection, ConfigError, DnsSection, LimitsSection, Settings, TrustSection,
};
use hopsleuth::resolver::Dns;
use hopsleuth::{EnvelopeOverride, Options};
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
    Rules {
        /// Output format: a table, or one JSON object per rule (id, name, score, summary,
        /// source file) per line.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's documentation (what it checks, why, example, false positives), or how
    /// a verdict is reached (`explain verdict`).
    Explain {
        /// Rule id (e.g. CHAIN005) or name, or `verdict`.
        id: String,
    },
    /// Scan files, mboxes, Maildirs, MH folders, directory trees or stdin (`-`) in parallel:
    /// one NDJSON line per message in input order, a summary on stderr.
    Scan(Box<ScanArgs>),
    /// List the provider profiles (Microsoft 365, Gmail, ...): what each recognises, its
    /// published sending networks and the dates its data was checked.
    Profiles {
        /// Output format: a table, or one JSON object per profile per line.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// DNS recordings: `dns merge A.json B.json > all.json` joins the recordings of shards
    /// so one replay reproduces them all.
    Dns {
        /// What to do with recordings.
        #[command(subcommand)]
        command: DnsCommand,
    },
    /// Print the manual: one roff page covering every subcommand and its flags, or with
    /// --dir, one page per subcommand written there (hopsleuth.1, hopsleuth-analyze.1, ...).
    Man {
        /// Write one page per subcommand into this directory instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// `hopsleuth dns` subcommands.
#[derive(Debug, Subcommand)]
pub enum DnsCommand {
    /// Merge recordings (written by --dns-record) into one on standard output: every
    /// answer of each, a question answered in several kept from the first file naming it
    /// (stderr counts those that differ).
    Merge {
        /// The recordings, in order of precedence.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// What `scan` writes per message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// The report (NDJSON, or a text line with --format text).
    Reports,
    /// One NDJSON row per finding: source, verdict, rule, strength, score, hop, message.
    Findings,
    /// One NDJSON row per hop: source, verdict, hop, trust, HELO, rDNS, IP, by, delay.
    Hops,
}

/// `--shard K/N`.
fn parse_shard(text: &str) -> Result<hopsleuth::scan::Shard, String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("{text:?}: expected K/N, e.g. 1/4"))?;
    let k: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("{text:?}: K is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("{text:?}: N is not a number"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("{text:?}: expected 1 <= K <= N"));
    }
    Ok(hopsleuth::scan::Shard {
        index: k - 1,
        count: n,
    })
}

/// When the text report is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always (NO_COLOR notwithstanding).
    Always,
    /// Never.
    Never,
}

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// One JSON report per line (NDJSON).
    Ndjson,
    /// One line per message for a person (verdict, score, source, rules, From, Subject),
    /// then the summary.
    Text,
}

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One line per rule: id, default score, name, summary.
    Text,
    /// One JSON object per line: id, name, score, summary, source.
    Json,
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

impl FailOn {
    /// True when a message of verdict `v` is at or above this threshold (`scan` exits
    /// with 1 for it; `scan --html` writes its page).
    pub fn reached(self, v: hopsleuth::Verdict) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Suspicious => v != hopsleuth::Verdict::Clean,
            FailOn::Forged => v == hopsleuth::Verdict::Forged,
        }
    }
}

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, mboxes, Maildirs, MH folders or directories; `-` reads standard input.
    #[arg(required_unless_present = "files_from")]
    pub paths: Vec<PathBuf>,
    /// Also scan the paths listed in FILE, one per line (`-`: standard input), read as the
    /// scan goes.
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// The --files-from list is NUL-separated (as `find -print0` writes it).
    #[arg(short = '0', long = "null", requires = "files_from")]
    pub null: bool,
    /// Scan only part K of N (1 <= K <= N): each file goes to the part a stable hash of its
    /// path picks, so the N parts together are the whole scan.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<hopsleuth::scan::Shard>,
    /// What each output line is: a whole report, one row per finding, or one row per hop
    /// (flat rows for DuckDB and ClickHouse: schema/duckdb.sql, schema/clickhouse.sql).
    #[arg(long, value_enum, default_value_t = Emit::Reports)]
    pub emit: Emit,
    /// Also write the summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Exit with 1 when a message's verdict is at or above this.
    #[arg(long, value_enum, default_value_t = FailOn::Suspicious)]
    pub fail_on: FailOn,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Ndjson)]
    pub format: ScanFormat,
    /// Also write an HTML page for each message at or above --fail-on into DIR, and an
    /// index.html listing them (created when missing).
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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
    /// Keep DNS for the path checks but do not verify DKIM, ARC, SPF and DMARC (the
    /// report's `authentication.verification` says so).
    #[arg(long)]
    pub no_verify: bool,
    /// DNS server to ask instead of the system's: IP, IP:PORT or [IPv6]:PORT; repeatable.
    #[arg(long, value_name = "IP[:PORT]", value_delimiter = ',')]
    pub dns_server: Vec<String>,
    /// Seconds one DNS lookup may take (default 3).
    #[arg(long, value_name = "SECONDS")]
    pub dns_timeout: Option<f64>,
    /// DNS lookups in flight at once (default 64).
    #[arg(long, value_name = "N")]
    pub dns_concurrency: Option<usize>,
    /// Seconds DNS may take per message (default 5): lookups still open then are
    /// unknown. A batch of messages looked up together gets one budget per
    /// --dns-concurrency messages.
    #[arg(long, value_name = "SECONDS")]
    pub dns_message_budget: Option<f64>,
    /// Seconds a whole run may wait on DNS lookups that never answer (default 30); once
    /// spent, every remaining DNS check is unknown at once, without a query.
    #[arg(long, value_name = "SECONDS")]
    pub dns_scan_budget: Option<f64>,
    /// Name asked when every answer of a batch is NXDOMAIN (default a.root-servers.net):
    /// NXDOMAIN for it too means a broken resolver, whose answers are then not used.
    /// An empty value turns the check off.
    #[arg(long, value_name = "NAME")]
    pub dns_canary: Option<String>,
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
        .or_else(|| hopsleuth::date::parse_rfc3339(text))
        .ok_or_else(|| {
            format!("{text:?}: expected an RFC 3339 time (2026-11-26T07:18:02Z) or Unix seconds")
        })
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON document per message (NDJSON when a file holds several).
    Json,
    /// A hop table for a person, fitted to the terminal's width.
    Text,
    /// One self-contained HTML page per message: the hop timeline, the trust boundary
    /// and each finding on its hop (no script, nothing fetched).
    Html,
    /// Markdown for a ticket: a hop table, the findings, the raw header block.
    Markdown,
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
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Mail-filter mode: write each message unchanged except one header added at the top,
    /// `X-Hopsleuth: verdict=... score=... rules=...` (for procmail, maildrop, Postfix pipes).
    /// A message that cannot be analysed is written back untouched.
    #[arg(long, conflicts_with_all = ["format", "pretty", "color"])]
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
    /// The authserv-ids our servers write in Authentication-Results: when given, a result
    /// above the boundary counts as ours only with one of them.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub authserv_ids: Vec<String>,
    /// ARC sealers (domains) whose ARC-Authentication-Results are believed when the ARC
    /// chain verifies.
    #[arg(long, value_name = "DOMAIN", value_delimiter = ',')]
    pub arc_trusted_sealers: Vec<String>,
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
    /// Most bytes read of one message, header and body (an endless input stops there).
    #[arg(long, value_name = "BYTES")]
    pub max_message_bytes: Option<u64>,
    /// Most bytes of a body kept for DKIM while verifying (default 1 MiB); a signature
    /// over a longer body is unknown.
    #[arg(long, value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
}

/// A list flag: unset when not given, so the file's list stays.
fn list(values: &[String]) -> Option<Vec<String>> {
    (!values.is_empty()).then(|| values.to_vec())
}

impl AnalysisArgs {
    /// The settings the flags give, laid over the configuration file's (when one is named).
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let file = match &self.config {
            Some(path) => Settings::load(path)?,
            None => Settings::default(),
        };
        Ok(self.flag_settings().over(file))
    }

    /// What the command line's flags set, and nothing else.
    fn flag_settings(&self) -> Settings {
        let (l, c, d) = (&self.limits, &self.checks, &self.dns);
        // `[dns] enabled = false` gives way to any DNS flag; `--no-dns` wins over them all.
        let asked = !d.dns_server.is_empty() || d.dns_replay.is_some() || d.dns_record.is_some();
        let enabled = if d.no_dns {
            Some(false)
        } else {
            asked.then_some(true)
        };
        Settings {
            limits: LimitsSection {
                max_header_bytes: l.max_header_bytes,
                max_headers: l.max_headers,
                max_hops: l.max_hops,
                max_received_bytes: l.max_received_bytes,
                max_comment_depth: l.max_comment_depth,
                max_dns_lookups: l.max_dns_lookups,
                max_message_bytes: l.max_message_bytes,
                max_body_bytes: l.max_body_bytes,
            },
            trust: TrustSection {
                trusted_networks: list(&c.trusted_networks),
                internal_networks: list(&c.internal_networks),
                msa_networks: list(&c.msa_networks),
                trusted_hosts: list(&c.trusted_hosts),
                authserv_ids: list(&c.authserv_ids),
                arc_trusted_sealers: list(&c.arc_trusted_sealers),
            },
            checks: ChecksSection {
                clock_skew_s: c.clock_skew,
                relay_path: list(&c.relay_path),
                dns_fresh_days: d.dns_fresh_days,
            },
            scores: Default::default(),
            strengths: Default::default(),
            verdict: Default::default(),
            dns: DnsSection {
                enabled,
                verify: d.no_verify.then_some(false),
                servers: list(&d.dns_server),
                timeout_s: d.dns_timeout,
                concurrency: d.dns_concurrency,
                cache_entries: None,
                message_budget_s: d.dns_message_budget,
                scan_budget_s: d.dns_scan_budget,
                canary: d.dns_canary.clone(),
                record: d.dns_record.clone(),
                replay: d.dns_replay.clone(),
                now: d.now,
            },
        }
    }

    /// Where errors say the settings came from.
    fn origin(&self) -> String {
        self.config
            .as_ref()
            .map_or("command line".to_string(), |p| p.display().to_string())
    }

    /// The library options and the resolver (`None` when DNS is off) these settings give,
    /// the configuration file read once for both.
    pub fn setup(&self) -> Result<(Options, Option<Dns>), ConfigError> {
        let settings = self.settings()?;
        let options = settings.options(&self.origin())?;
        let dns = match settings.dns_settings()? {
            Some(dns) => Some(Dns::new(&dns)?),
            None => None,
        };
        Ok((options, dns))
    }
}

impl AnalyzeArgs {
    /// The library options (with the envelope flags) and the resolver these arguments give.
    pub fn setup(&self) -> Result<(Options, Option<Dns>), ConfigError> {
        let (mut options, dns) = self.analysis.setup()?;
        options.envelope = EnvelopeOverride {
            mail_from: self.mail_from.clone(),
            rcpt_to: self.rcpt_to.clone(),
        };
        Ok((options, dns))
    }
}
