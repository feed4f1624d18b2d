//! DNS evidence: what reverse and forward DNS say today about the hosts a message passed.
//!
//! A Received line can say anything; the receiver's record (IP, rDNS) and today's DNS are
//! independent witnesses. Every lookup happens here, before the rules run: the rules only
//! read the answers ([`plan::MessageDns`]) and stay pure.
//!
//! Layers, from the outside in:
//! - [`Dns`]: deduplicates questions, answers from its cache (TTL respected, size capped),
//!   asks a [`Lookup`] backend for the rest, and remembers what it used for `--dns-record`.
//! - [`Lookup`] backends: [`live::Live`] (hickory-resolver, bounded concurrency) and
//!   [`record::Replay`] (answers only from a recorded file, no network).
//! - [`plan`]: which questions one message raises, under its lookup cap.
//!
//! Async stays inside [`live`]; everything else is plain blocking code.

pub mod cache;
pub mod live;
pub mod plan;
pub mod record;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The record types hopsleuth asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum QType {
    /// IPv4 addresses of a name.
    A,
    /// IPv6 addresses of a name.
    #[serde(rename = "AAAA")]
    Aaaa,
    /// The name of an address (reverse DNS).
    #[serde(rename = "PTR")]
    Ptr,
    /// The mail exchangers of a domain.
    #[serde(rename = "MX")]
    Mx,
}

impl QType {
    /// The type's name as DNS writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            QType::A => "A",
            QType::Aaaa => "AAAA",
            QType::Ptr => "PTR",
            QType::Mx => "MX",
        }
    }
}

/// One question: a fully qualified, lower-case name (with its trailing dot) and a type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Question {
    /// The name asked, e.g. `20.216.184.93.in-addr.arpa.`.
    pub name: String,
    /// The record type.
    pub qtype: QType,
}

impl Question {
    /// The PTR question for an address.
    pub fn ptr(ip: IpAddr) -> Question {
        let name = match ip {
            IpAddr::V4(v4) => {
                let [a, b, c, d] = v4.octets();
                format!("{d}.{c}.{b}.{a}.in-addr.arpa.")
            }
            IpAddr::V6(v6) => {
                let mut name = String::with_capacity(73);
                for byte in v6.octets().iter().rev() {
                    name.push_str(&format!("{:x}.{:x}.", byte & 0x0f, byte >> 4));
                }
                name.push_str("ip6.arpa.");
                name
            }
        };
        Question {
            name,
            qtype: QType::Ptr,
        }
    }

    /// The address question (A for IPv4, AAAA for IPv6) for a host name, or `None` when
    /// `host` is not a syntactically valid internet host name (a forged HELO can be
    /// anything; only real names are sent to a resolver).
    pub fn address(host: &str, v6: bool) -> Option<Question> {
        Some(Question {
            name: fqdn(host)?,
            qtype: if v6 { QType::Aaaa } else { QType::A },
        })
    }

    /// The MX question for a domain, or `None` when it is not a valid domain name.
    pub fn mx(domain: &str) -> Option<Question> {
        Some(Question {
            name: fqdn(domain)?,
            qtype: QType::Mx,
        })
    }
}

/// `host` as a fully qualified lower-case name with its trailing dot, when it is a valid
/// multi-label host name: labels of letters, digits, `-` and `_`, 1 to 63 bytes each, 253
/// in all, and not an address literal.
pub fn fqdn(host: &str) -> Option<String> {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if h.is_empty() || h.len() > 253 || !h.contains('.') || h.parse::<IpAddr>().is_ok() {
        return None;
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !h.split('.').all(valid_label) {
        return None;
    }
    // An all-numeric last label is a mistyped address, not a top-level domain.
    if h.rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(h + ".")
}

/// How a lookup ended. Only `NOERROR` and `NXDOMAIN` are answers about the name; the rest
/// say nothing about it and are never evidence of forgery by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rcode {
    /// The server answered (possibly with no records of the type: NODATA).
    #[serde(rename = "NOERROR")]
    NoError,
    /// The name does not exist.
    #[serde(rename = "NXDOMAIN")]
    NxDomain,
    /// The server failed.
    #[serde(rename = "SERVFAIL")]
    ServFail,
    /// The server refused to answer.
    #[serde(rename = "REFUSED")]
    Refused,
    /// No answer within the timeout.
    #[serde(rename = "TIMEOUT")]
    Timeout,
    /// Another failure (network, malformed answer, other response code); see `error`.
    #[serde(rename = "ERROR")]
    Error,
    /// Replay mode and the recording holds no answer to this question.
    #[serde(rename = "NOT-RECORDED")]
    NotRecorded,
}

impl Rcode {
    /// True when the lookup gave no answer about the name (the check is unknown).
    pub fn is_failure(self) -> bool {
        !matches!(self, Rcode::NoError | Rcode::NxDomain)
    }

    /// The code as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::ServFail => "SERVFAIL",
            Rcode::Refused => "REFUSED",
            Rcode::Timeout => "TIMEOUT",
            Rcode::Error => "ERROR",
            Rcode::NotRecorded => "NOT-RECORDED",
        }
    }
}

/// One answer, as used by the checks and written in reports and recordings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The name asked (fully qualified).
    pub name: String,
    /// The record type asked.
    #[serde(rename = "type")]
    pub qtype: QType,
    /// How the lookup ended.
    pub rcode: Rcode,
    /// The records of the asked type, in presentation form and sorted: addresses, names
    /// without their trailing dot, `preference exchange` for MX.
    pub answers: Vec<String>,
    /// The records' TTL in seconds (the smallest), or the negative TTL of a denial.
    pub ttl: Option<u32>,
    /// When the question was asked, RFC 3339 UTC.
    pub asked_at: String,
    /// Unix seconds of `asked_at` (hop ages are measured against it).
    pub asked_ts: i64,
    /// Detail of a failure.
    pub error: Option<String>,
}

impl Answer {
    /// The question this answers.
    pub fn question(&self) -> Question {
        Question {
            name: self.name.clone(),
            qtype: self.qtype,
        }
    }

    /// An answer with no records, e.g. a failure, asked at `ts` (Unix seconds).
    pub fn empty(q: &Question, rcode: Rcode, error: Option<String>, ts: i64) -> Answer {
        Answer {
            name: q.name.clone(),
            qtype: q.qtype,
            rcode,
            answers: Vec::new(),
            ttl: None,
            asked_at: crate::date::rfc3339_utc(ts),
            asked_ts: ts,
            error,
        }
    }

    /// The addresses of an A/AAAA answer.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.answers.iter().filter_map(|a| a.parse().ok()).collect()
    }

    /// The exchange host names of an MX answer, by preference.
    pub fn exchanges(&self) -> Vec<String> {
        let mut mx: Vec<(u16, String)> = self
            .answers
            .iter()
            .filter_map(|a| {
                let (pref, host) = a.split_once(' ')?;
                Some((pref.parse().ok()?, host.to_string()))
            })
            .collect();
        mx.sort();
        mx.into_iter().map(|(_, h)| h).collect()
    }
}

/// Where the time of a lookup comes from. Each answer is stamped with it (`asked_at`), and
/// the DNS checks measure a hop's age against that stamp, so the time is an input like any
/// other: tests and reproducible runs fix it (`--now`), a recording keeps its own stamps,
/// and this is the only place the library reads the machine's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The machine's clock at the time of each lookup.
    #[default]
    System,
    /// A fixed time, in Unix seconds.
    Fixed(i64),
}

impl Clock {
    /// The time, in Unix seconds.
    pub fn now(self) -> i64 {
        match self {
            Clock::Fixed(ts) => ts,
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// Where answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No lookups (`--no-dns`, or the library's default).
    Off,
    /// A real resolver.
    Live,
    /// Only from a recording (`--dns-replay`).
    Replay,
}

impl Mode {
    /// The mode as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Live => "live",
            Mode::Replay => "replay",
        }
    }
}

/// A source of answers: asks every question given and answers each, failures included.
/// Implementations must not panic and must return one answer per question, in order.
pub trait Lookup: Send + Sync {
    /// Answers the questions (already deduplicated).
    fn lookup_all(&self, questions: &[Question]) -> Vec<Answer>;
    /// The mode this backend stands for.
    fn mode(&self) -> Mode;
}

/// Settings of the resolver (command line and `[dns]` in the config file).
#[derive(Debug, Clone)]
pub struct DnsSettings {
    /// Servers to ask (`--dns-server`); empty means the system's configuration.
    pub servers: Vec<SocketAddr>,
    /// How long one lookup may take.
    pub timeout: Duration,
    /// Lookups in flight at once.
    pub concurrency: usize,
    /// Most answers kept in the cache.
    pub cache_entries: usize,
    /// Answer only from this recording, never from the network.
    pub replay: Option<PathBuf>,
    /// Write every answer used to this file at the end.
    pub record: Option<PathBuf>,
    /// The time live answers are stamped with (`--now`); replayed answers keep theirs.
    pub clock: Clock,
}

impl Default for DnsSettings {
    fn default() -> Self {
        DnsSettings {
            servers: Vec::new(),
            timeout: Duration::from_secs(3),
            concurrency: 64,
            cache_entries: 100_000,
            replay: None,
            record: None,
            clock: Clock::System,
        }
    }
}

/// Why DNS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    /// The system resolver configuration could not be read.
    #[error("cannot set up the resolver: {0}")]
    Resolver(String),
    /// A recording could not be read.
    #[error("{path}: cannot read DNS recording: {message}")]
    Recording {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A recording could not be written.
    #[error("{path}: cannot write DNS recording: {message}")]
    WriteRecording {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// How long failures (timeouts, SERVFAIL) are remembered, so that one dead server does
/// not cost a timeout per message in a batch, while a later run asks again.
const FAILURE_TTL: Duration = Duration::from_secs(60);

/// The resolver front: deduplication, cache, backend, recording.
///
/// Its methods block (a live backend drives its own single-threaded tokio runtime), so call
/// them from plain threads, not from inside an async runtime.
pub struct Dns {
    backend: Box<dyn Lookup>,
    sent: AtomicU64,
    failed: AtomicU64,
    cache: Mutex<cache::Cache>,
    record_to: Option<PathBuf>,
    used: Mutex<BTreeMap<Question, Answer>>,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dns")
            .field("mode", &self.mode())
            .field("record_to", &self.record_to)
            .finish()
    }
}

impl Dns {
    /// A resolver as the settings say: replay from a file, or live (the given servers, else
    /// the system configuration).
    pub fn new(settings: &DnsSettings) -> Result<Dns, DnsError> {
        let backend: Box<dyn Lookup> = match &settings.replay {
            Some(path) => Box::new(record::Replay::load(path)?),
            None => Box::new(live::Live::new(settings)?),
        };
        Ok(Dns::with_backend(
            backend,
            settings.cache_entries,
            settings.record.clone(),
        ))
    }

    /// A resolver over any backend.
    pub fn with_backend(
        backend: Box<dyn Lookup>,
        cache_entries: usize,
        record_to: Option<PathBuf>,
    ) -> Dns {
        Dns {
            backend,
            sent: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            cache: Mutex::new(cache::Cache::new(cache_entries)),
            record_to,
            used: Mutex::new(BTreeMap::new()),
        }
    }

    /// Where answers come from.
    pub fn mode(&self) -> Mode {
        self.backend.mode()
    }

    /// Answers every question: each distinct one is asked at most once, and not at all
    /// while a cached answer is fresh.
    pub fn resolve(&self, questions: &[Question]) -> HashMap<Question, Answer> {
        let mut out: HashMap<Question, Answer> = HashMap::with_capacity(questions.len());
        let mut missing: Vec<Question> = Vec::new();
        let mut pending: HashSet<&Question> = HashSet::new();
        {
            // While recording, a question already answered keeps that answer for the whole
            // run, so that replaying the recording gives every report exactly as it was.
            let used = self.record_to.as_ref().map(|_| lock(&self.used));
            let cache = lock(&self.cache);
            let now = Instant::now();
            for q in questions {
                if out.contains_key(q) || pending.contains(q) {
                    continue;
                }
                let known = used
                    .as_ref()
                    .and_then(|u| u.get(q).cloned())
                    .or_else(|| cache.get(q, now));
                match known {
                    Some(a) => {
                        out.insert(q.clone(), a);
                    }
                    None => {
                        pending.insert(q);
                        missing.push(q.clone());
                    }
                }
            }
        }
        if !missing.is_empty() {
            let answers = self.backend.lookup_all(&missing);
            self.sent.fetch_add(answers.len() as u64, Ordering::Relaxed);
            let failed = answers.iter().filter(|a| a.rcode.is_failure()).count();
            self.failed.fetch_add(failed as u64, Ordering::Relaxed);
            let now = Instant::now();
            let mut cache = lock(&self.cache);
            for (q, a) in missing.into_iter().zip(answers) {
                let keep = if a.rcode.is_failure() {
                    FAILURE_TTL
                } else {
                    Duration::from_secs(u64::from(a.ttl.unwrap_or(0)))
                };
                cache.insert(q.clone(), a.clone(), now + keep);
                out.insert(q, a);
            }
        }
        if self.record_to.is_some() {
            let mut used = lock(&self.used);
            for (q, a) in &out {
                used.entry(q.clone()).or_insert_with(|| a.clone());
            }
        }
        out
    }

    /// What this resolver has done so far.
    pub fn stats(&self) -> DnsStats {
        DnsStats {
            mode: self.mode(),
            lookups: self.sent.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    /// Writes the recording, when one was asked for.
    pub fn finish(&self) -> Result<(), DnsError> {
        let Some(path) = &self.record_to else {
            return Ok(());
        };
        let used = lock(&self.used);
        record::write(path, used.values())
    }
}

/// Lookups made by a resolver (the scan summary's `dns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DnsStats {
    /// Where answers came from.
    pub mode: Mode,
    /// Distinct questions sent to the backend (not answered from the cache).
    pub lookups: u64,
    /// Of those, how many got no answer (timeout, SERVFAIL, REFUSED, not recorded, ...).
    pub failed: u64,
}

/// A poisoned lock only means another thread panicked mid-update; the map is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names() {
        assert_eq!(
            Question::ptr("93.184.216.20".parse().unwrap()).name,
            "20.216.184.93.in-addr.arpa."
        );
        let v6 = Question::ptr("2001:db8::1".parse().unwrap()).name;
        assert_eq!(
            v6,
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
        );
    }

    #[test]
    fn only_real_host_names_are_asked() {
        assert_eq!(fqdn("Mail.Example.COM."), Some("mail.example.com.".into()));
        for bad in [
            "localhost",
            "192.0.2.1",
            "[192.0.2.1]",
            "a..b",
            "-a.example",
            "a b.example",
            "1.2.3.999",
            "",
            &"a.".repeat(200),
        ] {
            assert_eq!(fqdn(bad), None, "{bad:?}");
        }
    }

    /// A backend whose answers change over time: the first ask of each question times out,
    /// later ones answer.
    struct Flaky(Mutex<HashMap<Question, usize>>);

    impl Lookup for Flaky {
        fn lookup_all(&self, questions: &[Question]) -> Vec<Answer> {
            let mut seen = self.0.lock().unwrap();
            questions
                .iter()
                .map(|q| {
                    let n = seen.entry(q.clone()).or_default();
                    *n += 1;
                    let rcode = if *n == 1 {
                        Rcode::Timeout
                    } else {
                        Rcode::NoError
                    };
                    Answer::empty(q, rcode, None, 0)
                })
                .collect()
        }
        fn mode(&self) -> Mode {
            Mode::Live
        }
    }

    #[test]
    fn a_recording_run_keeps_each_answer_it_used() {
        let q = vec![Question::address("mail.example.com", false).unwrap()];
        // Without recording, a failure is forgotten after its TTL; with cache 0, at once.
        let dns = Dns::with_backend(Box::new(Flaky(Mutex::default())), 0, None);
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::NoError);
        // While recording, the run answers every later ask as it first did, as a replay will.
        let path =
            std::env::temp_dir().join(format!("hopsleuth-flaky-{}.json", std::process::id()));
        let dns = Dns::with_backend(Box::new(Flaky(Mutex::default())), 0, Some(path.clone()));
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        dns.finish().unwrap();
        let replay = Dns::new(&DnsSettings {
            replay: Some(path.clone()),
            ..DnsSettings::default()
        })
        .unwrap();
        assert_eq!(replay.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn exchanges_by_preference() {
        let mut a = Answer::empty(
            &Question::mx("example.com").unwrap(),
            Rcode::NoError,
            None,
            0,
        );
        a.answers = vec!["20 b.example.com".into(), "10 a.example.com".into()];
        assert_eq!(a.exchanges(), ["a.example.com", "b.example.com"]);
    }
}
