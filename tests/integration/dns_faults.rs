//! DNS faults never make a verdict worse than `--no-dns`. A small DNS server of our own on
//! 127.0.0.1 (UDP, and TCP when a case wants it) sends crafted answers: an unassigned
//! rcode, CNAME loops, a chain of eight CNAMEs, truncation without TCP, silence, NXDOMAIN
//! for every name; the hickory-server harness covers a failed confirmation lookup and the
//! resolver health check on real zones. Every case compares the report with the one made
//! without DNS: the DNS checks it could not finish are DNS002 (unknown), never evidence.

use crate::common;
use crate::dns_server::{self, Behaviour, fixture_zones};
use hopsleuth::resolver::{Clock, Dns, DnsSettings};
use hopsleuth::{Options, Report, Verdict};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A question as the crafted server saw it: the name (lower case, trailing dot), the type.
struct Asked {
    name: String,
    qtype: u16,
}

const A: u16 = 1;
const CNAME: u16 = 5;
const PTR: u16 = 12;
const MX: u16 = 15;

/// One record of a crafted answer.
struct Rec {
    owner: String,
    rtype: u16,
    data: Vec<u8>,
}

fn encode_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.trim_end_matches('.').split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

fn cname(owner: &str, target: &str) -> Rec {
    Rec {
        owner: owner.into(),
        rtype: CNAME,
        data: encode_name(target),
    }
}

fn a(owner: &str, ip: [u8; 4]) -> Rec {
    Rec {
        owner: owner.into(),
        rtype: A,
        data: ip.to_vec(),
    }
}

fn ptr(owner: &str, name: &str) -> Rec {
    Rec {
        owner: owner.into(),
        rtype: PTR,
        data: encode_name(name),
    }
}

/// What the server sends for one question.
#[derive(Default)]
struct Crafted {
    /// Send nothing at all.
    silent: bool,
    /// The response code (4 bits).
    rcode: u8,
    /// Set the TC bit (over UDP only).
    truncated: bool,
    records: Vec<Rec>,
}

fn rcode(code: u8) -> Crafted {
    Crafted {
        rcode: code,
        ..Crafted::default()
    }
}

fn records(records: Vec<Rec>) -> Crafted {
    Crafted {
        records,
        ..Crafted::default()
    }
}

type Answerer = dyn Fn(&Asked) -> Crafted + Send + Sync;

/// The crafted server; it stops when dropped.
struct FaultServer {
    addr: SocketAddr,
    /// Queries received (UDP and TCP).
    queries: Arc<AtomicUsize>,
    /// Names asked, in order.
    names: Arc<std::sync::Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            t.join().ok();
        }
    }
}

/// The question of a query, and where it ends.
fn parse_query(q: &[u8]) -> Option<(Asked, usize)> {
    let mut i = 12;
    let mut name = String::new();
    loop {
        let len = usize::from(*q.get(i)?);
        i += 1;
        if len == 0 {
            break;
        }
        name.push_str(&String::from_utf8_lossy(q.get(i..i + len)?).to_ascii_lowercase());
        name.push('.');
        i += len;
    }
    let qtype = u16::from_be_bytes([*q.get(i)?, *q.get(i + 1)?]);
    Some((Asked { name, qtype }, i + 4))
}

fn response(query: &[u8], end: usize, c: &Crafted, tc: bool) -> Vec<u8> {
    let rd = query[2] & 0x01;
    let mut out = vec![
        query[0],
        query[1],
        0x80 | rd | if tc { 0x02 } else { 0 },
        0x80 | (c.rcode & 0x0f),
        0,
        1,
    ];
    let records: &[Rec] = if tc { &[] } else { &c.records };
    out.extend_from_slice(&(records.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&query[12..end]);
    for r in records {
        out.extend(encode_name(&r.owner));
        out.extend_from_slice(&r.rtype.to_be_bytes());
        out.extend_from_slice(&[0, 1, 0, 0, 1, 44]);
        out.extend_from_slice(&(r.data.len() as u16).to_be_bytes());
        out.extend_from_slice(&r.data);
    }
    out
}

/// Starts the crafted server on 127.0.0.1; with `tcp`, it answers over TCP too (without,
/// nothing listens on its TCP port: a connection is refused).
fn start(tcp: bool, answer: impl Fn(&Asked) -> Crafted + Send + Sync + 'static) -> FaultServer {
    let answer: Arc<Answerer> = Arc::new(answer);
    let udp = UdpSocket::bind("127.0.0.1:0").expect("bind UDP");
    let addr = udp.local_addr().expect("address");
    udp.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let queries = Arc::new(AtomicUsize::new(0));
    let names = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut threads = Vec::new();
    let (s, n, w, f) = (stop.clone(), queries.clone(), names.clone(), answer.clone());
    threads.push(std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while !s.load(Ordering::Relaxed) {
            let Ok((len, from)) = udp.recv_from(&mut buf) else {
                continue;
            };
            let q = &buf[..len];
            let Some((asked, end)) = parse_query(q) else {
                continue;
            };
            n.fetch_add(1, Ordering::Relaxed);
            w.lock().unwrap().push(asked.name.clone());
            let c = f(&asked);
            if !c.silent {
                udp.send_to(&response(q, end, &c, c.truncated), from).ok();
            }
        }
    }));
    if tcp {
        let listener = TcpListener::bind(addr).expect("bind TCP on the UDP port");
        listener.set_nonblocking(true).unwrap();
        let (s, n, f) = (stop.clone(), queries.clone(), answer);
        threads.push(std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                conn.set_nonblocking(false).unwrap();
                let mut len = [0u8; 2];
                if conn.read_exact(&mut len).is_err() {
                    continue;
                }
                let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                if conn.read_exact(&mut q).is_err() {
                    continue;
                }
                let Some((asked, end)) = parse_query(&q) else {
                    continue;
                };
                n.fetch_add(1, Ordering::Relaxed);
                let c = f(&asked);
                if c.silent {
                    continue;
                }
                let r = response(&q, end, &c, false);
                let mut framed = (r.len() as u16).to_be_bytes().to_vec();
                framed.extend(r);
                conn.write_all(&framed).ok();
            }
        }));
    }
    FaultServer {
        addr,
        queries,
        names,
        stop,
        threads,
    }
}

const DATE: &str = "Mon, 23 Nov 2026 10:00:05 +0000";

/// A message received by our MX for user@ours.test from `ip`, greeting as `helo`, which
/// the receiver recorded as `rdns`.
fn message(helo: &str, rdns: &str, ip: &str) -> String {
    format!(
        "Delivered-To: user@ours.test\nReceived: from {helo} ({rdns} [{ip}]) by mx.ours.test (Postfix) with ESMTPS id 4AB1C2D3E4; {DATE}\nFrom: someone@a-corp.test\nTo: user@ours.test\nSubject: dns faults\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <1@a-corp.test>\n\nbody\n"
    )
}

fn settings(addr: SocketAddr) -> DnsSettings {
    DnsSettings {
        servers: vec![addr],
        timeout: Duration::from_millis(500),
        clock: Clock::Fixed(common::test_now()),
        ..DnsSettings::default()
    }
}

fn resolver(addr: SocketAddr) -> Dns {
    Dns::new(&settings(addr)).expect("resolver")
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Clean => 0,
        Verdict::Suspicious => 1,
        Verdict::Forged => 2,
    }
}

/// The findings that DNS evidence can give (they must not come from a fault).
const DNS_EVIDENCE: [&str; 7] = [
    "RDNS003", "RDNS004", "RDNS005", "HELO007", "ROUTE001", "CHAIN005", "DNS001",
];

/// The report with DNS, checked against the one without: never a worse verdict or a
/// higher score, no DNS finding with a score, and DNS002 saying the checks are unknown.
fn never_worse(m: &str, options: &Options, dns: &Dns) -> Report {
    let without = hopsleuth::analyze(m.as_bytes(), options).expect("mail");
    let with = hopsleuth::analyze_with_dns(m.as_bytes(), options, dns).expect("mail");
    assert_eq!(with.trust.entry_hop, Some(0), "{:?}", with.trust.basis);
    assert!(
        rank(with.verdict) <= rank(without.verdict) && with.score <= without.score + 1e-9,
        "DNS faults made the verdict worse: {:?} {} vs {:?} {}\n{:#?}",
        with.verdict,
        with.score,
        without.verdict,
        without.score,
        with.findings
    );
    for f in &with.findings {
        assert!(
            !(DNS_EVIDENCE.contains(&f.rule) && f.score > 0.0),
            "{} from a DNS fault: {}",
            f.rule,
            f.message
        );
    }
    assert!(
        with.findings.iter().any(|f| f.rule == "DNS002"),
        "no DNS002: {:#?}",
        with.findings
    );
    with
}

fn answer<'r>(r: &'r Report, name: &str, qtype: &str) -> &'r hopsleuth::dns::Answer {
    r.dns
        .answers
        .iter()
        .find(|a| a.name == name && a.qtype.as_str() == qtype)
        .unwrap_or_else(|| panic!("no {qtype} {name} in {:#?}", r.dns.answers))
}

fn error_of(a: &hopsleuth::dns::Answer) -> &str {
    a.error.as_deref().unwrap_or("")
}

const PTR_NAME: &str = "20.216.184.93.in-addr.arpa.";

#[test]
fn an_unassigned_rcode_is_a_failure_not_no_record() {
    let server = start(false, |_| rcode(13));
    let dns = resolver(server.addr);
    let m = message("mail.a-corp.test", "mail.a-corp.test", "93.184.216.20");
    let r = never_worse(&m, &Options::default(), &dns);
    for a in &r.dns.answers {
        assert_eq!(a.rcode.as_str(), "ERROR", "{a:?}");
        assert!(error_of(a).contains("response code 13"), "{a:?}");
    }
}

#[test]
fn cname_loops_are_failures_within_and_across_responses() {
    let server = start(false, |q| match (q.name.as_str(), q.qtype) {
        (PTR_NAME, PTR) => records(vec![ptr(PTR_NAME, "mail.a-corp.test")]),
        // Both aliases in one response.
        ("mail.a-corp.test.", A) => records(vec![
            cname("mail.a-corp.test", "loop.faults.test"),
            cname("loop.faults.test", "mail.a-corp.test"),
        ]),
        // One alias per response: the loop shows only across queries.
        ("ours.test.", MX) => records(vec![Rec {
            owner: "ours.test".into(),
            rtype: MX,
            data: [vec![0, 10], encode_name("mx.ours.test")].concat(),
        }]),
        ("mx.ours.test.", _) => records(vec![cname("mx.ours.test", "hop.faults.test")]),
        ("hop.faults.test.", _) => records(vec![cname("hop.faults.test", "mx.ours.test")]),
        _ => rcode(5),
    });
    let dns = resolver(server.addr);
    let m = message("mail.a-corp.test", "mail.a-corp.test", "93.184.216.20");
    let r = never_worse(&m, &Options::default(), &dns);
    let helo = answer(&r, "mail.a-corp.test.", "A");
    assert_eq!(helo.rcode.as_str(), "ERROR");
    assert!(error_of(helo).contains("CNAME loop"), "{helo:?}");
    let mx_host = answer(&r, "mx.ours.test.", "A");
    assert_eq!(mx_host.rcode.as_str(), "ERROR");
    assert!(error_of(mx_host).contains("CNAME loop"), "{mx_host:?}");
    // Every query the server received is one the message counted.
    assert_eq!(server.queries.load(Ordering::Relaxed), r.dns.lookups);
}

/// A server whose HELO name is the head of an eight-step CNAME chain.
fn chain_server() -> FaultServer {
    start(false, |q| {
        let step = |i: usize| format!("c{i}.chain.test");
        match (q.name.as_str(), q.qtype) {
            (PTR_NAME, PTR) => records(vec![ptr(PTR_NAME, "mail.a-corp.test")]),
            ("mail.a-corp.test.", A) => records(vec![cname("mail.a-corp.test", &step(1))]),
            (name, A) if name.ends_with(".chain.test.") => {
                let i: usize = name[1..name.find('.').unwrap()].parse().unwrap();
                if i < 8 {
                    records(vec![cname(&step(i), &step(i + 1))])
                } else {
                    records(vec![a(&step(i), [93, 184, 216, 20])])
                }
            }
            _ => rcode(5),
        }
    })
}

#[test]
fn an_eight_step_cname_chain_is_a_failure_and_each_step_is_counted() {
    let server = chain_server();
    let dns = resolver(server.addr);
    let m = message("mail.a-corp.test", "mail.a-corp.test", "93.184.216.20");
    let r = never_worse(&m, &Options::default(), &dns);
    let helo = answer(&r, "mail.a-corp.test.", "A");
    assert_eq!(helo.rcode.as_str(), "ERROR");
    assert!(
        error_of(helo).contains("CNAME chain longer than"),
        "{helo:?}"
    );
    let sent = server.queries.load(Ordering::Relaxed);
    assert_eq!(sent, r.dns.lookups, "the report counts every query sent");
    let steps = server
        .names
        .lock()
        .unwrap()
        .iter()
        .filter(|n| n.ends_with(".chain.test."))
        .count();
    assert_eq!(
        steps,
        hopsleuth::dns::MAX_CNAME_STEPS,
        "steps followed, no more"
    );

    // Under a cap of 3 queries, the CNAME steps stop at the cap: the server receives 3.
    let server = chain_server();
    let dns = resolver(server.addr);
    let mut options = Options::default();
    options.limits.max_dns_lookups = 3;
    let without = hopsleuth::analyze(m.as_bytes(), &options).unwrap();
    let r = hopsleuth::analyze_with_dns(m.as_bytes(), &options, &dns).unwrap();
    assert_eq!(server.queries.load(Ordering::Relaxed), 3);
    assert_eq!(r.dns.lookups, 3);
    assert!(r.findings.iter().any(|f| f.rule == "DNS001"));
    assert!(rank(r.verdict) <= rank(without.verdict) && r.score <= without.score);
    let helo = answer(&r, "mail.a-corp.test.", "A");
    assert!(error_of(helo).contains("lookup cap"), "{helo:?}");
}

#[test]
fn truncation_without_tcp_is_a_failure() {
    let truncated = |q: &Asked| Crafted {
        truncated: true,
        ..match (q.name.as_str(), q.qtype) {
            (PTR_NAME, PTR) => records(vec![ptr(PTR_NAME, "mail.a-corp.test")]),
            ("mail.a-corp.test.", A) => records(vec![a("mail.a-corp.test", [93, 184, 216, 20])]),
            _ => rcode(5),
        }
    };
    // Nothing listens on TCP: every truncated answer is a failure, not an empty answer.
    let server = start(false, truncated);
    let dns = resolver(server.addr);
    let m = message("mail.a-corp.test", "mail.a-corp.test", "93.184.216.20");
    let r = never_worse(&m, &Options::default(), &dns);
    for a in &r.dns.answers {
        assert_eq!(a.rcode.as_str(), "ERROR", "{a:?}");
        assert!(error_of(a).contains("truncated over UDP"), "{a:?}");
    }
    // With TCP, the whole answer arrives over it.
    let server = start(true, truncated);
    let dns = resolver(server.addr);
    let r = hopsleuth::analyze_with_dns(m.as_bytes(), &Options::default(), &dns).unwrap();
    let p = answer(&r, PTR_NAME, "PTR");
    assert_eq!(p.rcode.as_str(), "NOERROR");
    assert_eq!(p.answers, ["mail.a-corp.test"]);
    assert_eq!(
        answer(&r, "mail.a-corp.test.", "A").answers,
        ["93.184.216.20"]
    );
}

#[test]
fn silence_is_a_timeout() {
    let server = start(false, |_| Crafted {
        silent: true,
        ..Crafted::default()
    });
    let dns = resolver(server.addr);
    let m = message("mail.a-corp.test", "mail.a-corp.test", "93.184.216.20");
    let r = never_worse(&m, &Options::default(), &dns);
    assert!(!r.dns.answers.is_empty());
    for a in &r.dns.answers {
        assert_eq!(a.rcode.as_str(), "TIMEOUT", "{a:?}");
    }
}

/// Messages from `n` distinct public addresses, with their own HELO names.
fn crafted_batch(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let ip = format!("45.33.{}.{}", i / 250, i % 250 + 1);
            let helo = format!("h{i}.bulk.test");
            message(&helo, &helo, &ip)
        })
        .collect()
}

#[test]
fn the_scan_budget_bounds_a_server_that_never_answers() {
    let server = start(false, |_| Crafted {
        silent: true,
        ..Crafted::default()
    });
    let dns = Dns::new(&DnsSettings {
        timeout: Duration::from_millis(400),
        concurrency: 4,
        scan_budget: Duration::from_secs(1),
        message_budget: Duration::from_secs(600),
        ..settings(server.addr)
    })
    .unwrap();
    let options = Options::default();
    let messages = crafted_batch(100);
    let prepared = |ms: &[String]| -> Vec<Result<hopsleuth::Prepared, ()>> {
        ms.iter()
            .map(|m| Ok(hopsleuth::prepare(m.as_bytes(), &options).unwrap()))
            .collect()
    };
    let reports = hopsleuth::finish_all(prepared(&messages), &options, Some(&dns));
    let sent = server.queries.load(Ordering::Relaxed);
    // About 200 distinct questions; one second of budget at four lookups in flight and
    // 0.4 s each lets about a dozen reach the server.
    assert!(sent > 0 && sent < 40, "{sent} queries reached the server");
    let mut unasked = 0;
    for (m, r) in messages.iter().zip(&reports) {
        let r = r.as_ref().unwrap();
        let without = hopsleuth::analyze(m.as_bytes(), &options).unwrap();
        assert_eq!(r.verdict, without.verdict);
        assert!(r.score <= without.score);
        assert!(r.findings.iter().any(|f| f.rule == "DNS002"));
        for a in &r.dns.answers {
            assert_eq!(a.rcode.as_str(), "TIMEOUT", "{a:?}");
            unasked += usize::from(error_of(a).contains("--dns-scan-budget"));
        }
    }
    assert!(unasked > 100, "most questions were never asked: {unasked}");
    assert!(dns.stats().over_budget > 100, "{:?}", dns.stats());
    // Once spent, the budget stays spent: a second batch sends nothing.
    let more = crafted_batch(120).split_off(100);
    let reports = hopsleuth::finish_all(prepared(&more), &options, Some(&dns));
    let names = server.names.lock().unwrap().clone();
    for i in 100..120 {
        let (helo, ptr) = (
            format!("h{i}.bulk.test."),
            format!("{}.0.33.45.in-addr.arpa.", i + 1),
        );
        assert!(
            !names.contains(&helo) && !names.contains(&ptr),
            "a question of the second batch reached the server"
        );
    }
    assert!(reports.iter().all(|r| {
        let r = r.as_ref().unwrap();
        // Only the recipients' MX is shared with the first batch (a failure it remembers).
        r.dns.answers.iter().all(|a| {
            a.rcode.as_str() == "TIMEOUT"
                && (a.name == "ours.test." || error_of(a).contains("--dns-scan-budget"))
        })
    }));
}

#[test]
fn a_resolver_that_denies_every_name_is_not_believed() {
    let server = start(false, |_| rcode(3));
    let dns = resolver(server.addr);
    let m = message("mail.a-corp.test", "mail.a-corp.test", "93.184.216.20");
    let r = never_worse(&m, &Options::default(), &dns);
    let warning = r.dns.warning.as_deref().expect("a warning");
    assert!(warning.contains("a.root-servers.net"), "{warning}");
    assert!(
        server
            .names
            .lock()
            .unwrap()
            .contains(&"a.root-servers.net.".to_string()),
        "the canary was asked"
    );
    for a in &r.dns.answers {
        assert_eq!(a.rcode.as_str(), "ERROR", "{a:?}");
        assert!(error_of(a).starts_with("NXDOMAIN not used"), "{a:?}");
    }
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["dns"]["warning"], warning);
    assert_eq!(dns.stats().distrusted_batches, 1);
}

/// A message whose every name is NXDOMAIN in the fixture zones (no PTR, a HELO that does
/// not exist, a recipient domain that does not exist).
fn all_nxdomain_message() -> String {
    message("nonexistent.a-corp.test", "unknown", "93.184.216.23")
        .replace("user@ours.test", "user@nobody.ours.test")
}

#[test]
fn the_health_check_against_real_zones() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let m = all_nxdomain_message();
    // The canary exists: the NXDOMAIN answers are evidence.
    let dns = Dns::new(&DnsSettings {
        canary: Some("mail.a-corp.test".into()),
        ..settings(server.addr)
    })
    .unwrap();
    let r = hopsleuth::analyze_with_dns(m.as_bytes(), &Options::default(), &dns).unwrap();
    assert_eq!(r.dns.warning, None);
    for id in ["RDNS004", "HELO007"] {
        assert!(
            r.findings.iter().any(|f| f.rule == id),
            "{id}: {:#?}",
            r.findings
        );
    }
    // The canary does not exist either: the resolver is not believed.
    let dns = Dns::new(&DnsSettings {
        canary: Some("gone.a-corp.test".into()),
        ..settings(server.addr)
    })
    .unwrap();
    let r = never_worse(&m, &Options::default(), &dns);
    assert!(r.dns.warning.is_some());
}

#[test]
fn a_failed_confirmation_lookup_gives_the_weaker_score() {
    let server = dns_server::start(
        &fixture_zones(),
        Behaviour {
            servfail: vec!["forged.a-corp.test.".into()],
            ..Behaviour::default()
        },
    );
    let dns = resolver(server.addr);
    let m = message("mail.a-corp.test", "forged.a-corp.test", "93.184.216.20");
    let without = hopsleuth::analyze(m.as_bytes(), &Options::default()).unwrap();
    let r = hopsleuth::analyze_with_dns(m.as_bytes(), &Options::default(), &dns).unwrap();
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "RDNS003")
        .expect("RDNS003");
    assert_eq!(f.score, 0.5, "{}", f.message);
    assert!(f.message.contains("unknown"), "{}", f.message);
    assert_eq!(f.evidence["recorded_rdns_forward"]["rcode"], "SERVFAIL");
    assert!(r.findings.iter().any(|f| f.rule == "DNS002"));
    assert_eq!(r.verdict, without.verdict);
}

fn replay_error(path: &std::path::Path) -> String {
    let e = Dns::new(&DnsSettings {
        replay: Some(path.to_path_buf()),
        ..DnsSettings::default()
    })
    .expect_err("a bad recording is refused");
    let text = e.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    text
}

#[test]
fn recordings_are_read_bounded_and_strictly() {
    let e = replay_error(std::path::Path::new("/dev/zero"));
    assert!(e.contains("not a regular file"), "{e}");
    let dir = std::env::temp_dir().join(format!("hopsleuth-recordings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(hopsleuth::resolver::record::MAX_RECORDING_BYTES + 1)
        .unwrap();
    let e = replay_error(&big);
    assert!(e.contains("larger than"), "{e}");
    let answer = |extra: &str, asked_at: &str| {
        format!(
            r#"{{"format": "hopsleuth/dns-record/v1", "answers": [{{"name": "mail.a-corp.test.", "type": "A", "rcode": "NOERROR", "answers": ["93.184.216.20"], "ttl": 300, "asked_at": "{asked_at}", "asked_ts": 1795694400, "error": null{extra}}}]}}"#
        )
    };
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let good = write("good.json", answer("", "2026-11-26T12:00:00Z"));
    Dns::new(&DnsSettings {
        replay: Some(good),
        ..DnsSettings::default()
    })
    .expect("a valid recording");
    let e = replay_error(&write(
        "extra.json",
        answer(r#", "extra": 1"#, "2026-11-26T12:00:00Z"),
    ));
    assert!(e.contains("unknown field `extra`"), "{e}");
    let e = replay_error(&write("skew.json", answer("", "2026-11-26T12:00:01Z")));
    assert!(e.contains("asked_at") && e.contains("answer 0"), "{e}");
    let e = replay_error(&write("bad.json", answer("", "yesterday")));
    assert!(e.contains("not an RFC 3339 time"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
