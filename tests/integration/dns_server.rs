//! A real DNS server for the DNS tests and the DNS benchmark (`benches/dns.rs` includes
//! this file): hickory-server on 127.0.0.1 (port 0, UDP and TCP), serving zone files of our
//! own, counting the queries it receives. Names under configured suffixes answer SERVFAIL;
//! an optional delay makes it a slow server. `Silent` is a server that never answers.

use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::{LowerName, Name, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::file::{FileConfig, FileZoneHandler};
use hickory_server::zone_handler::{AxfrPolicy, Catalog, MessageResponseBuilder, ZoneType};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the test server behaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Names ending with one of these (fully qualified, lower case) answer SERVFAIL.
    pub servfail: Vec<String>,
    /// Every answer waits this long.
    pub delay: Duration,
}

/// Queries received, by (name, type).
#[derive(Debug, Default)]
pub struct Counts {
    by_question: Mutex<HashMap<(String, RecordType), usize>>,
}

impl Counts {
    /// Queries of a type.
    pub fn of_type(&self, t: RecordType) -> usize {
        let map = self.by_question.lock().unwrap();
        map.iter()
            .filter(|((_, qt), _)| *qt == t)
            .map(|(_, n)| n)
            .sum()
    }

    /// Queries in all.
    pub fn total(&self) -> usize {
        self.by_question.lock().unwrap().values().sum()
    }

    /// The most times one question was asked.
    pub fn max_repeats(&self) -> usize {
        self.by_question
            .lock()
            .unwrap()
            .values()
            .copied()
            .max()
            .unwrap_or(0)
    }

    /// Every question and how often it was asked.
    pub fn dump(&self) -> Vec<((String, RecordType), usize)> {
        let mut v: Vec<_> = self
            .by_question
            .lock()
            .unwrap()
            .iter()
            .map(|(k, n)| (k.clone(), *n))
            .collect();
        v.sort();
        v
    }

    /// Forgets what was counted.
    pub fn reset(&self) {
        self.by_question.lock().unwrap().clear();
    }
}

struct Handler {
    catalog: Catalog,
    behaviour: Behaviour,
    counts: Arc<Counts>,
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let question = request
            .queries
            .queries()
            .first()
            .map(|q| (q.name().to_string().to_ascii_lowercase(), q.query_type()));
        if let Some(q) = &question {
            *self
                .counts
                .by_question
                .lock()
                .unwrap()
                .entry(q.clone())
                .or_default() += 1;
        }
        if !self.behaviour.delay.is_zero() {
            tokio::time::sleep(self.behaviour.delay).await;
        }
        if let Some((name, _)) = &question
            && self.behaviour.servfail.iter().any(|s| name.ends_with(s))
        {
            let response = MessageResponseBuilder::new(&request.queries, None)
                .error_msg(&request.metadata, ResponseCode::ServFail);
            return response_handle
                .send_response(response)
                .await
                .expect("send SERVFAIL");
        }
        self.catalog
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

/// A running test server; it stops when dropped.
pub struct TestDns {
    /// Where it listens (UDP and TCP).
    pub addr: SocketAddr,
    /// What it was asked.
    pub counts: Arc<Counts>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for TestDns {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The zone files in `dir`: each `ORIGIN.zone` holds the zone `ORIGIN.`.
pub fn zones_in(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut zones: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .expect("zone folder")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let origin = path
                .file_name()?
                .to_str()?
                .strip_suffix(".zone")?
                .to_string();
            Some((format!("{origin}."), path))
        })
        .collect();
    zones.sort();
    zones
}

/// The project's test zones (tests/fixtures/dns).
pub fn fixture_zones() -> Vec<(String, PathBuf)> {
    zones_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dns"))
}

/// The zones in `dir` and, from the fixtures, the zone of our own domain (`ours.test.`):
/// what a benchmark serves beside zones it writes itself.
#[allow(dead_code)] // Used by the benchmarks, which include this file; not by the tests.
pub fn zones_in_with_ours(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut zones = zones_in(dir);
    zones.extend(
        fixture_zones()
            .into_iter()
            .filter(|(origin, _)| origin == "ours.test."),
    );
    zones
}

/// Starts a server for these zones.
pub fn start(zones: &[(String, PathBuf)], behaviour: Behaviour) -> TestDns {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let counts = Arc::new(Counts::default());
    let addr = runtime.block_on(async {
        let mut catalog = Catalog::new();
        for (origin, path) in zones {
            let name = Name::from_ascii(origin).expect("zone origin");
            let zone = FileZoneHandler::try_from_config(
                name.clone(),
                ZoneType::Primary,
                AxfrPolicy::Deny,
                None,
                &FileConfig {
                    zone_path: path.clone(),
                },
            )
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            catalog.upsert(LowerName::from(name), vec![Arc::new(zone)]);
        }
        let mut server = Server::new(Handler {
            catalog,
            behaviour,
            counts: counts.clone(),
        });
        let (udp, tcp) = bind_pair().await;
        let addr = udp.local_addr().expect("local address");
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 64 * 1024);
        // The server runs on the runtime's workers until the runtime is dropped.
        std::mem::forget(server);
        addr
    });
    TestDns {
        addr,
        counts,
        runtime: Some(runtime),
    }
}

/// A UDP socket and a TCP listener on the same free port of 127.0.0.1.
async fn bind_pair() -> (tokio::net::UdpSocket, tokio::net::TcpListener) {
    for _ in 0..50 {
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind UDP");
        let addr = udp.local_addr().expect("address");
        if let Ok(tcp) = tokio::net::TcpListener::bind(addr).await {
            return (udp, tcp);
        }
    }
    panic!("no port free for both UDP and TCP");
}

/// A server that never answers: it holds a UDP socket and a TCP listener on one port and
/// reads nothing.
pub struct Silent {
    /// Where it (does not) listen.
    pub addr: SocketAddr,
    _udp: std::net::UdpSocket,
    _tcp: std::net::TcpListener,
}

/// Starts a server that never answers.
pub fn silent() -> Silent {
    for _ in 0..50 {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind UDP");
        let addr = udp.local_addr().expect("address");
        if let Ok(tcp) = std::net::TcpListener::bind(addr) {
            return Silent {
                addr,
                _udp: udp,
                _tcp: tcp,
            };
        }
    }
    panic!("no port free for both UDP and TCP");
}
