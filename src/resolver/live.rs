//! Live lookups: the servers given with `--dns-server`, else the system's resolver
//! configuration (read with hickory-resolver). Each question is one query of our own
//! (over UDP, then TCP when the answer is truncated), read by [`super::wire`], so every
//! query sent is one the plan counted, and every way a lookup can end is an [`Answer`].
//! A private single-threaded tokio runtime drives up to `concurrency` lookups at once;
//! nothing async leaves this file.

use super::wire::{self, Reply};
use super::{Clock, DnsError, DnsSettings, Lookup, budget};
use crate::dns::{Answer, Mode, Question, Rcode};
use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The largest response read (a TCP message's length is a u16).
const MAX_RESPONSE: usize = 65_535;

/// A live resolver.
pub struct Live {
    runtime: Runtime,
    servers: Arc<Vec<SocketAddr>>,
    concurrency: usize,
    timeout: Duration,
    clock: Clock,
}

impl Live {
    /// Builds the resolver: the given servers, else the system's. Each server is tried
    /// once per question with the given timeout (UDP, then TCP for a truncated answer);
    /// the next server is tried when one fails.
    pub fn new(settings: &DnsSettings) -> Result<Live, DnsError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DnsError::Resolver(e.to_string()))?;
        let servers = if settings.servers.is_empty() {
            system_servers()?
        } else {
            settings.servers.clone()
        };
        Ok(Live {
            runtime,
            servers: Arc::new(servers),
            concurrency: settings.concurrency.max(1),
            timeout: settings.timeout,
            clock: settings.clock,
        })
    }
}

/// The name servers of the system's configuration (`/etc/resolv.conf` and the like).
fn system_servers() -> Result<Vec<SocketAddr>, DnsError> {
    let (config, _) = hickory_resolver::system_conf::read_system_conf()
        .map_err(|e| DnsError::Resolver(e.to_string()))?;
    let mut servers: Vec<SocketAddr> = Vec::new();
    for ns in config.name_servers() {
        let port = ns.connections.first().map_or(53, |c| c.port);
        let addr = SocketAddr::new(ns.ip, port);
        if !servers.contains(&addr) {
            servers.push(addr);
        }
    }
    if servers.is_empty() {
        return Err(DnsError::Resolver(
            "the system configuration names no DNS server".into(),
        ));
    }
    Ok(servers)
}

impl Lookup for Live {
    fn lookup_all(&self, questions: &[Question]) -> Vec<Answer> {
        let far = Instant::now() + self.timeout * 4 * (self.servers.len().max(1) as u32);
        self.lookup_all_until(questions, far)
    }

    fn lookup_all_until(&self, questions: &[Question], deadline: Instant) -> Vec<Answer> {
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut answers: Vec<Option<Answer>> = vec![None; questions.len()];
        self.runtime.block_on(async {
            let deadline = tokio::time::Instant::from_std(deadline);
            let mut tasks = JoinSet::new();
            for (i, q) in questions.iter().enumerate() {
                let permits = permits.clone();
                let servers = self.servers.clone();
                let q = q.clone();
                let timeout = self.timeout;
                let clock = self.clock;
                tasks.spawn(async move {
                    // At most `concurrency` lookups in flight; the rest wait here.
                    let _permit = permits.acquire_owned().await;
                    (i, ask(&servers, &q, timeout, clock.now()).await)
                });
            }
            let work = async {
                while let Some(done) = tasks.join_next().await {
                    if let Ok((i, a)) = done {
                        answers[i] = Some(a);
                    }
                }
            };
            // Past the deadline, the lookups still open are dropped (JoinSet aborts them).
            let _ = tokio::time::timeout_at(deadline, work).await;
        });
        answers
            .into_iter()
            .zip(questions)
            .map(|(a, q)| {
                a.unwrap_or_else(|| {
                    let late = Some(budget::MESSAGE_SPENT.to_string());
                    Answer::empty(q, Rcode::Timeout, late, self.clock.now())
                })
            })
            .collect()
    }

    fn mode(&self) -> Mode {
        Mode::Live
    }
}

/// One question, asked of each server in turn until one gives an answer about the name.
async fn ask(servers: &[SocketAddr], q: &Question, timeout: Duration, asked_ts: i64) -> Answer {
    let mut last = Answer::empty(q, Rcode::Error, Some("no DNS server".into()), asked_ts);
    for server in servers {
        last = ask_server(*server, q, timeout, asked_ts).await;
        if !last.rcode.is_failure() {
            break;
        }
    }
    last
}

/// A random query id (RFC 5452: ids are not guessable), from std's random hash keys.
fn query_id() -> u16 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    (std::collections::hash_map::RandomState::new().hash_one(n) & 0xffff) as u16
}

/// One question of one server: UDP, then TCP when the answer is truncated.
async fn ask_server(server: SocketAddr, q: &Question, timeout: Duration, asked_ts: i64) -> Answer {
    let fail = |rcode: Rcode, why: String| Answer::empty(q, rcode, Some(why), asked_ts);
    let id = query_id();
    let bytes = match wire::query(q, id) {
        Ok(b) => b,
        Err(e) => return fail(Rcode::Error, format!("cannot write the query: {e}")),
    };
    match tokio::time::timeout(timeout, over_udp(server, q, id, &bytes, asked_ts)).await {
        Err(_) => fail(
            Rcode::Timeout,
            format!("no answer from {server} within {timeout:?}"),
        ),
        Ok(Err(e)) => fail(Rcode::Error, format!("{server} over UDP: {e}")),
        Ok(Ok(Reply::Done(a))) => a,
        Ok(Ok(_)) => {
            // Truncated: the whole answer only comes over TCP; without it, no answer.
            match tokio::time::timeout(timeout, over_tcp(server, q, id, &bytes, asked_ts)).await {
                Err(_) => fail(
                    Rcode::Timeout,
                    format!(
                        "truncated over UDP, and no TCP answer from {server} within {timeout:?}"
                    ),
                ),
                Ok(Err(e)) => fail(
                    Rcode::Error,
                    format!("truncated over UDP, and TCP to {server} failed: {e}"),
                ),
                Ok(Ok(Reply::Done(a))) => a,
                Ok(Ok(_)) => fail(
                    Rcode::Error,
                    format!("truncated over UDP, and no usable TCP answer from {server}"),
                ),
            }
        }
    }
}

async fn over_udp(
    server: SocketAddr,
    q: &Question,
    id: u16,
    query: &[u8],
    asked_ts: i64,
) -> std::io::Result<Reply> {
    let local: IpAddr = if server.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv6Addr::UNSPECIFIED.into()
    };
    let socket = tokio::net::UdpSocket::bind(SocketAddr::new(local, 0)).await?;
    // Connected: datagrams from anyone but the server are dropped by the kernel.
    socket.connect(server).await?;
    socket.send(query).await?;
    let mut buf = vec![0u8; MAX_RESPONSE];
    loop {
        let n = socket.recv(&mut buf).await?;
        match wire::read(q, id, &buf[..n], asked_ts) {
            Reply::Stray => continue,
            reply => return Ok(reply),
        }
    }
}

async fn over_tcp(
    server: SocketAddr,
    q: &Question,
    id: u16,
    query: &[u8],
    asked_ts: i64,
) -> std::io::Result<Reply> {
    let mut stream = tokio::net::TcpStream::connect(server).await?;
    let len = u16::try_from(query.len()).map_err(std::io::Error::other)?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    stream.write_all(&framed).await?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut buf).await?;
    match wire::read(q, id, &buf, asked_ts) {
        Reply::Stray => Err(std::io::Error::other(
            "a response that is not the answer to the query",
        )),
        reply => Ok(reply),
    }
}
