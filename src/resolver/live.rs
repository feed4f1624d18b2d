//! Live lookups with hickory-resolver: the system's resolver configuration, or the servers
//! given with `--dns-server`. A private single-threaded tokio runtime drives up to
//! `concurrency` lookups at once; nothing async leaves this file.

use super::{Clock, DnsError, DnsSettings, Lookup};
use crate::dns::{Answer, Mode, QType, Question, Rcode};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError as HickoryDnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// A live resolver.
pub struct Live {
    runtime: Runtime,
    resolver: TokioResolver,
    concurrency: usize,
    timeout: Duration,
    clock: Clock,
}

impl Live {
    /// Builds the resolver. Lookups are tried once per server with the given timeout (the
    /// whole lookup is bounded by it too), and hickory's own cache is off: ours keeps
    /// failures and records what was used.
    pub fn new(settings: &DnsSettings) -> Result<Live, DnsError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DnsError::Resolver(e.to_string()))?;
        let provider = TokioRuntimeProvider::default();
        let mut builder = if settings.servers.is_empty() {
            TokioResolver::builder(provider).map_err(|e| DnsError::Resolver(e.to_string()))?
        } else {
            let servers = settings
                .servers
                .iter()
                .map(|addr| {
                    let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
                        .into_iter()
                        .map(|mut c| {
                            c.port = addr.port();
                            c
                        })
                        .collect();
                    NameServerConfig::new(addr.ip(), true, connections)
                })
                .collect();
            TokioResolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
        };
        let concurrency = settings.concurrency.max(1);
        let opts = builder.options_mut();
        opts.timeout = settings.timeout;
        opts.attempts = 1;
        opts.cache_size = 0;
        // Evidence comes from DNS only: a local hosts file is not what the world sees.
        opts.use_hosts_file = ResolveHosts::Never;
        opts.num_concurrent_reqs = 1;
        opts.max_active_requests = concurrency.max(32);
        let resolver = {
            let _guard = runtime.enter();
            builder
                .build()
                .map_err(|e| DnsError::Resolver(e.to_string()))?
        };
        Ok(Live {
            runtime,
            resolver,
            concurrency,
            timeout: settings.timeout,
            clock: settings.clock,
        })
    }
}

impl Lookup for Live {
    fn lookup_all(&self, questions: &[Question]) -> Vec<Answer> {
        let permits = Arc::new(Semaphore::new(self.concurrency));
        self.runtime.block_on(async {
            let mut tasks = JoinSet::new();
            for (i, q) in questions.iter().enumerate() {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    break;
                };
                let resolver = self.resolver.clone();
                let q = q.clone();
                let timeout = self.timeout;
                let asked_ts = self.clock.now();
                tasks.spawn(async move {
                    let answer = ask(&resolver, &q, timeout, asked_ts).await;
                    drop(permit);
                    (i, answer)
                });
            }
            let mut answers: Vec<Option<Answer>> = vec![None; questions.len()];
            while let Some(done) = tasks.join_next().await {
                if let Ok((i, a)) = done {
                    answers[i] = Some(a);
                }
            }
            answers
                .into_iter()
                .zip(questions)
                .map(|(a, q)| {
                    a.unwrap_or_else(|| {
                        let lost = Some("lookup lost".into());
                        Answer::empty(q, Rcode::Error, lost, self.clock.now())
                    })
                })
                .collect()
        })
    }

    fn mode(&self) -> Mode {
        Mode::Live
    }
}

fn record_type(t: QType) -> RecordType {
    match t {
        QType::A => RecordType::A,
        QType::Aaaa => RecordType::AAAA,
        QType::Ptr => RecordType::PTR,
        QType::Mx => RecordType::MX,
    }
}

fn host(name: &hickory_resolver::proto::rr::Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

/// One lookup, with every way it can end turned into an [`Answer`].
async fn ask(resolver: &TokioResolver, q: &Question, timeout: Duration, asked_ts: i64) -> Answer {
    let mut answer = Answer::empty(q, Rcode::NoError, None, asked_ts);
    // The resolver has its own timeout; this bound also covers its retries over TCP.
    let result = tokio::time::timeout(
        timeout * 2,
        resolver.lookup(q.name.as_str(), record_type(q.qtype)),
    )
    .await;
    match result {
        Err(_) => answer.rcode = Rcode::Timeout,
        Ok(Ok(lookup)) => {
            let wanted = record_type(q.qtype);
            let mut ttl: Option<u32> = None;
            for r in lookup.answers() {
                if r.record_type() != wanted {
                    continue;
                }
                let text = match &r.data {
                    RData::A(a) => a.0.to_string(),
                    RData::AAAA(a) => a.0.to_string(),
                    RData::PTR(p) => host(&p.0),
                    RData::MX(mx) => format!("{} {}", mx.preference, host(&mx.exchange)),
                    _ => continue,
                };
                ttl = Some(ttl.map_or(r.ttl, |t| t.min(r.ttl)));
                answer.answers.push(text);
            }
            answer.answers.sort();
            answer.answers.dedup();
            answer.ttl = ttl;
        }
        Ok(Err(e)) => fill_error(&mut answer, e),
    }
    answer
}

fn fill_error(answer: &mut Answer, e: NetError) {
    match e {
        NetError::Dns(HickoryDnsError::NoRecordsFound(nr)) => {
            answer.rcode = match nr.response_code {
                ResponseCode::NXDomain => Rcode::NxDomain,
                _ => Rcode::NoError,
            };
            answer.ttl = nr.negative_ttl;
        }
        NetError::Dns(HickoryDnsError::ResponseCode(code)) => {
            answer.rcode = match code {
                ResponseCode::ServFail => Rcode::ServFail,
                ResponseCode::Refused => Rcode::Refused,
                ResponseCode::NXDomain => Rcode::NxDomain,
                other => {
                    answer.error = Some(format!("response code {other}"));
                    Rcode::Error
                }
            };
        }
        NetError::Timeout => answer.rcode = Rcode::Timeout,
        other => {
            answer.rcode = Rcode::Error;
            answer.error = Some(other.to_string());
        }
    }
}
