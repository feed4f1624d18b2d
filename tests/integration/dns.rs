//! DNS evidence against a real DNS server: hickory-server on 127.0.0.1 with the zones in
//! tests/fixtures/dns. No mock of the resolver: every answer crosses a socket.

use crate::common;
use crate::dns_server::{self, Behaviour, fixture_zones};
use hopsleuth::resolver::{Clock, Dns, DnsSettings};
use hopsleuth::{Options, Report};
use std::time::Duration;

/// A message received by our MX for user@ours.test, with these Received values (newest
/// first) under a Delivered-To our delivery agent added.
fn message(received_newest_first: &[&str]) -> String {
    let mut m = String::from("Delivered-To: user@ours.test\n");
    for r in received_newest_first {
        m.push_str(&format!("Received: {r}\n"));
    }
    m.push_str("From: someone@a-corp.test\nTo: user@ours.test\nSubject: dns test\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <1@a-corp.test>\n\nbody\n");
    m
}

const DATE: &str = "Mon, 23 Nov 2026 10:00:05 +0000";

fn entry_from(helo: &str, rdns: &str, ip: &str, by: &str) -> String {
    format!("from {helo} ({rdns} [{ip}]) by {by} (Postfix) with ESMTPS id 4AB1C2D3E4; {DATE}")
}

fn resolver(addr: std::net::SocketAddr) -> Dns {
    Dns::new(&DnsSettings {
        servers: vec![addr],
        timeout: Duration::from_secs(2),
        // The test messages are of 23 Nov 2026; the answers are stamped three days later
        // whatever the machine's date, so the hops stay fresh for the DNS checks.
        clock: Clock::Fixed(common::test_now()),
        ..DnsSettings::default()
    })
    .expect("resolver")
}

fn analyze(dns: &Dns, m: &str) -> Report {
    hopsleuth::analyze_with_dns(m.as_bytes(), &Options::default(), dns).expect("mail")
}

fn rules(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule).collect()
}

fn finding<'r>(r: &'r Report, id: &str) -> &'r hopsleuth::Finding {
    r.findings
        .iter()
        .find(|f| f.rule == id)
        .unwrap_or_else(|| panic!("{id} did not fire: {:#?}", r.findings))
}

#[test]
fn matching_dns_gives_no_dns_findings() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let m = message(&[&entry_from(
        "mail.a-corp.test",
        "mail.a-corp.test",
        "93.184.216.20",
        "mx.ours.test",
    )]);
    let r = analyze(&dns, &m);
    println!("{}", r.to_json_pretty());
    assert_eq!(r.trust.entry_hop, Some(0), "{:?}", r.trust.basis);
    for id in [
        "RDNS003", "RDNS004", "RDNS005", "HELO007", "ROUTE001", "DNS001", "DNS002",
    ] {
        assert!(!rules(&r).contains(&id), "{id}: {:#?}", r.findings);
    }
    assert_eq!(r.dns.mode, hopsleuth::dns::Mode::Live);
    let ptr = r
        .dns
        .answers
        .iter()
        .find(|a| a.name == "20.216.184.93.in-addr.arpa.")
        .expect("PTR answer in the report");
    assert_eq!(ptr.answers, ["mail.a-corp.test"]);
    assert_eq!(ptr.ttl, Some(3600));
    assert_eq!(ptr.rcode, hopsleuth::dns::Rcode::NoError);
    let mx = r
        .dns
        .answers
        .iter()
        .find(|a| a.name == "ours.test.")
        .expect("MX");
    assert_eq!(mx.answers, ["10 mx.ours.test"]);
}

#[test]
fn recorded_rdns_that_is_not_the_ptr_today() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    // The receiver recorded a name that is not the PTR and does not exist.
    let m = message(&[&entry_from(
        "mail.a-corp.test",
        "forged.a-corp.test",
        "93.184.216.20",
        "mx.ours.test",
    )]);
    let r = analyze(&dns, &m);
    let f = finding(&r, "RDNS003");
    assert_eq!(f.score, 2.0);
    assert_eq!(f.hops, [0]);
    assert!(f.message.contains("forged.a-corp.test"), "{}", f.message);
    assert_eq!(f.evidence["ptr"]["answers"][0], "mail.a-corp.test");
    assert_eq!(f.evidence["ptr"]["rcode"], "NOERROR");
    assert_eq!(f.evidence["ptr"]["ttl"], 3600);
    assert!(
        f.evidence["ptr"]["asked_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(f.evidence["recorded_rdns_forward"]["rcode"], "NXDOMAIN");

    // A renamed host: the old name still resolves to the address, so it weighs less.
    let m = message(&[&entry_from(
        "renamed.a-corp.test",
        "old-name.a-corp.test",
        "93.184.216.22",
        "mx.ours.test",
    )]);
    let r = analyze(&dns, &m);
    let f = finding(&r, "RDNS003");
    assert_eq!(f.score, 0.5, "{}", f.message);
    assert!(f.message.contains("still resolves"), "{}", f.message);
    assert!(
        !rules(&r).contains(&"RDNS005"),
        "renamed.a-corp.test confirms"
    );
}

#[test]
fn old_hops_weigh_less_and_say_why() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let old = "from mail.a-corp.test (forged.a-corp.test [93.184.216.20]) by mx.ours.test (Postfix) with ESMTPS id 4AB1C2D3E4; Mon, 2 Mar 2020 10:00:05 +0000";
    let r = analyze(&dns, &message(&[old]));
    let f = finding(&r, "RDNS003");
    assert_eq!(f.score, 0.5, "{}", f.message);
    assert!(
        f.message.contains("days older than the lookup"),
        "{}",
        f.message
    );
    assert!(f.evidence["age"]["days"].as_i64().unwrap() > 2000);
    // The threshold is a setting.
    let mut options = Options::default();
    options.checks.dns_fresh_days = 100_000;
    let r = hopsleuth::analyze_with_dns(message(&[old]).as_bytes(), &options, &dns).unwrap();
    assert_eq!(finding(&r, "RDNS003").score, 2.0);
}

#[test]
fn fcrdns_failure() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    // The PTR of .21 is other.a-corp.test, which resolves to .99.
    let m = message(&[&entry_from(
        "other.a-corp.test",
        "other.a-corp.test",
        "93.184.216.21",
        "mx.ours.test",
    )]);
    let r = analyze(&dns, &m);
    let f = finding(&r, "RDNS005");
    assert_eq!(f.score, 1.5);
    assert_eq!(f.evidence["forward"][0]["name"], "other.a-corp.test.");
    assert_eq!(f.evidence["forward"][0]["answers"][0], "93.184.216.99");
    assert!(f.message.contains("does not resolve back"), "{}", f.message);
    // The HELO resolves elsewhere too.
    assert_eq!(finding(&r, "HELO007").score, 0.5);
    assert!(
        !rules(&r).contains(&"RDNS003"),
        "the recorded name is the PTR"
    );
}

#[test]
fn nxdomain_ptr_and_helo() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let m = message(&[&entry_from(
        "nonexistent.a-corp.test",
        "unknown",
        "93.184.216.23",
        "mx.ours.test",
    )]);
    let r = analyze(&dns, &m);
    let f = finding(&r, "RDNS004");
    assert_eq!(f.evidence["ptr"]["rcode"], "NXDOMAIN");
    assert_eq!(f.evidence["ptr"]["ttl"], 300, "the SOA's negative TTL");
    let h = finding(&r, "HELO007");
    assert_eq!(h.score, 1.0);
    assert_eq!(h.evidence["address"]["rcode"], "NXDOMAIN");
    assert!(h.message.contains("does not exist"), "{}", h.message);
    assert!(
        !rules(&r).contains(&"DNS002"),
        "NXDOMAIN is an answer, not a failure"
    );
}

#[test]
fn servfail_is_unknown_not_forgery() {
    let server = dns_server::start(
        &fixture_zones(),
        Behaviour {
            servfail: vec!["216.184.93.in-addr.arpa.".into()],
            ..Behaviour::default()
        },
    );
    let dns = resolver(server.addr);
    let m = message(&[&entry_from(
        "mail.a-corp.test",
        "forged.a-corp.test",
        "93.184.216.20",
        "mx.ours.test",
    )]);
    let r = analyze(&dns, &m);
    let f = finding(&r, "DNS002");
    assert_eq!(f.score, 0.0);
    assert_eq!(f.evidence["answers"][0]["rcode"], "SERVFAIL");
    assert!(f.message.contains("SERVFAIL"), "{}", f.message);
    for id in ["RDNS003", "RDNS004", "RDNS005"] {
        assert!(!rules(&r).contains(&id), "{id} fired on a failed lookup");
    }
    // A zone the server does not serve: REFUSED, also unknown.
    let m = message(&[&entry_from(
        "mail.a-corp.test",
        "mail.a-corp.test",
        "45.33.9.9",
        "mx.ours.test",
    )]);
    let r = analyze(&dns, &m);
    let f = finding(&r, "DNS002");
    assert_eq!(
        f.evidence["answers"][0]["rcode"], "REFUSED",
        "{}",
        f.evidence
    );
    assert_eq!(f.score, 0.0);
    assert!(!rules(&r).contains(&"RDNS004"));
}

#[test]
fn a_server_that_never_answers_times_out() {
    let silent = dns_server::silent();
    let dns = Dns::new(&DnsSettings {
        servers: vec![silent.addr],
        timeout: Duration::from_millis(300),
        ..DnsSettings::default()
    })
    .unwrap();
    let m = message(&[&entry_from(
        "mail.a-corp.test",
        "mail.a-corp.test",
        "93.184.216.20",
        "mx.ours.test",
    )]);
    let started = std::time::Instant::now();
    let r = analyze(&dns, &m);
    let took = started.elapsed();
    let f = finding(&r, "DNS002");
    assert_eq!(f.score, 0.0);
    let codes: Vec<&str> = r.dns.answers.iter().map(|a| a.rcode.as_str()).collect();
    assert!(codes.iter().all(|c| *c == "TIMEOUT"), "{codes:?}");
    assert_eq!(r.verdict, hopsleuth::Verdict::Clean, "{:#?}", r.findings);
    // Lookups run concurrently: the whole message waits about one timeout, not one per
    // question (and never unboundedly).
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn the_lookup_cap_bounds_a_crafted_chain() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let mut hops: Vec<String> = vec![entry_from(
        "mail.a-corp.test",
        "mail.a-corp.test",
        "93.184.216.20",
        "mx.ours.test",
    )];
    for i in 0..200usize {
        hops.push(format!(
            "from h{i}.a-corp.test (r{i}.a-corp.test [45.33.{}.{}]) by h{}.a-corp.test (Postfix) with ESMTP id {i}; {DATE}",
            i / 250,
            i % 250 + 1,
            i.saturating_sub(1)
        ));
    }
    let refs: Vec<&str> = hops.iter().map(String::as_str).collect();
    let mut options = Options::default();
    options.limits.max_dns_lookups = 10;
    server.counts.reset();
    let r = hopsleuth::analyze_with_dns(message(&refs).as_bytes(), &options, &dns).unwrap();
    assert_eq!(r.dns.lookups, 10);
    assert!(r.dns.skipped > 500, "{}", r.dns.skipped);
    // Ten distinct questions reached the server (a REFUSED one is tried again over the
    // other transport, which is still one question).
    assert!(
        server.counts.dump().len() <= 10,
        "{:?}",
        server.counts.dump()
    );
    assert!(server.counts.total() <= 20, "{:?}", server.counts.dump());
    let f = finding(&r, "DNS001");
    assert_eq!(f.score, 0.0);
    assert_eq!(f.evidence["cap"], 10);
    // The entry hop came first.
    assert!(
        r.dns
            .answers
            .iter()
            .any(|a| a.name == "20.216.184.93.in-addr.arpa.")
    );
}

#[test]
fn mx_routing_pass_and_fail() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let entry = |by: &str| entry_from("mail.a-corp.test", "mail.a-corp.test", "93.184.216.20", by);
    // Straight into the MX.
    let r = analyze(&dns, &message(&[&entry("mx.ours.test")]));
    assert!(!rules(&r).contains(&"ROUTE001"), "{:#?}", r.findings);
    // Into a host that is not an MX of ours.test.
    let r = analyze(&dns, &message(&[&entry("mailstore.ours.test")]));
    let f = finding(&r, "ROUTE001");
    assert_eq!(f.score, 1.5);
    assert_eq!(f.evidence["domain"], "ours.test");
    assert_eq!(f.evidence["mx"]["answers"][0], "10 mx.ours.test");
    assert!(f.message.contains("mx.ours.test"), "{}", f.message);
    // Through the MX, then to the mail store: the mail store recorded the MX's address.
    let options = Options {
        trust: hopsleuth::chain::trust::TrustConfig {
            trusted_networks: Some(
                hopsleuth::chain::netset::NetSet::parse("93.184.216.10").unwrap(),
            ),
            ..Default::default()
        },
        ..Options::default()
    };
    let internal = "from mx-internal.ours.test (mx-internal.ours.test [93.184.216.10]) by mailstore.ours.test (Postfix) with ESMTP id 5; Mon, 23 Nov 2026 10:00:06 +0000";
    let m = message(&[internal, &entry("mx-internal.ours.test")]);
    let r = hopsleuth::analyze_with_dns(m.as_bytes(), &options, &dns).unwrap();
    assert_eq!(r.trust.entry_hop, Some(0), "{:?}", r.trust.basis);
    assert!(!rules(&r).contains(&"ROUTE001"), "{:#?}", r.findings);
    // A domain without MX: its own address is the implicit MX.
    let m =
        message(&[&entry("mailstore.ours.test")]).replace("user@ours.test", "user@noexchange.test");
    let r = analyze(&dns, &m);
    let f = finding(&r, "ROUTE001");
    assert_eq!(f.evidence["implicit_mx"], true);
    let m = message(&[&entry("noexchange.test")]).replace("user@ours.test", "user@noexchange.test");
    assert!(!rules(&analyze(&dns, &m)).contains(&"ROUTE001"));
}

#[test]
fn ipv6_hops_use_ip6_arpa_and_aaaa() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let m = message(&[&format!(
        "from mail.a-corp.test (mail.a-corp.test [IPv6:2606:2800:220:1::20]) by mx.ours.test (Postfix) with ESMTPS id 4AB1C2D3E4; {DATE}"
    )]);
    let r = analyze(&dns, &m);
    let ptr = r
        .dns
        .answers
        .iter()
        .find(|a| a.name.ends_with(".ip6.arpa."))
        .expect("an ip6.arpa question");
    assert_eq!(ptr.answers, ["mail.a-corp.test"]);
    assert!(
        r.dns
            .answers
            .iter()
            .any(|a| a.qtype == hopsleuth::dns::QType::Aaaa)
    );
    for id in ["RDNS003", "RDNS004", "RDNS005", "HELO007", "DNS002"] {
        assert!(!rules(&r).contains(&id), "{id}: {:#?}", r.findings);
    }
}

#[test]
fn a_batch_asks_each_distinct_question_once() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let ips = [
        "93.184.216.20",
        "93.184.216.21",
        "93.184.216.22",
        "93.184.216.23",
    ];
    let messages: Vec<String> = (0..40)
        .map(|i| {
            message(&[&entry_from(
                "mail.a-corp.test",
                "mail.a-corp.test",
                ips[i % ips.len()],
                "mx.ours.test",
            )])
        })
        .collect();
    let prepared: Vec<hopsleuth::Prepared> = messages
        .iter()
        .map(|m| hopsleuth::prepare(m.as_bytes(), &Options::default()).unwrap())
        .collect();
    let subjects: Vec<_> = prepared.iter().map(|p| p.dns_subject()).collect();
    server.counts.reset();
    let answers = hopsleuth::resolver::resolve_batch(&subjects, &dns, 32);
    assert_eq!(answers.len(), 40);
    use hickory_server::proto::rr::RecordType;
    assert_eq!(server.counts.of_type(RecordType::PTR), ips.len());
    assert_eq!(server.counts.max_repeats(), 1, "no question asked twice");
    // A second batch is answered from the cache.
    let again = hopsleuth::resolver::resolve_batch(&subjects, &dns, 32);
    assert_eq!(again.len(), 40);
    assert_eq!(server.counts.of_type(RecordType::PTR), ips.len());
}

/// The rule fixtures that replay a DNS recording (tests/fixtures/rules/*.dns.json), with
/// their extra arguments.
fn recorded_fixtures() -> Vec<(String, Vec<String>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut out = Vec::new();
    for (file, want) in expected.as_object().unwrap() {
        let args: Vec<String> = want["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        if let Some(i) = args.iter().position(|a| a == "--dns-replay") {
            let mut rest = args.clone();
            rest.drain(i..i + 2);
            // As the replay runs it (see rule_fixtures::run_folder).
            if want["verify"] != true {
                rest.insert(0, "--no-verify".into());
            }
            out.push((file.clone(), rest));
        }
    }
    out
}

/// The server the recordings were made with: the fixture zones, and a reverse zone that
/// fails.
fn fixture_server() -> dns_server::TestDns {
    dns_server::start(
        &fixture_zones(),
        Behaviour {
            servfail: vec!["217.184.93.in-addr.arpa.".into()],
            ..Behaviour::default()
        },
    )
}

/// The time a fixture's committed recording was made (its answers' `asked_at`), or
/// [`common::TEST_NOW`] for a fixture not recorded yet. Re-recording at that time keeps the
/// fixture's age: a message of November 2026 re-recorded in 2028 would turn every DNS
/// finding into a quarter of itself.
fn recorded_at(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(file.replace(".eml", ".dns.json"));
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["answers"][0]["asked_at"].as_str().map(str::to_string))
        .unwrap_or_else(|| common::TEST_NOW.to_string())
}

/// Records a fixture's answers live from the test server into `to`, as of the time its
/// committed recording was made.
fn record_fixture(server: &dns_server::TestDns, file: &str, args: &[String], to: &std::path::Path) {
    let mut all: Vec<String> = vec![
        "analyze".into(),
        "--now".into(),
        recorded_at(file),
        "--dns-server".into(),
        server.addr.to_string(),
        "--dns-record".into(),
        to.display().to_string(),
    ];
    all.extend(args.iter().cloned());
    all.push(format!("tests/fixtures/rules/{file}"));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = common::hopsleuth_with_dns(&refs, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The committed recordings are what the test server answers, stamped with the time they
/// were first made (the regenerate path keeps it), so the rule fixtures replay real
/// answers, not hand-written ones, and keep their age.
#[test]
fn fixture_recordings_are_the_test_servers_answers() {
    let server = fixture_server();
    let tmp = std::env::temp_dir().join(format!("hopsleuth-rec-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let fixtures = recorded_fixtures();
    assert!(fixtures.len() >= 7, "{fixtures:?}");
    for (file, args) in &fixtures {
        let fresh = tmp.join(file.replace(".eml", ".dns.json"));
        record_fixture(&server, file, args, &fresh);
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rules")
            .join(file.replace(".eml", ".dns.json"));
        let committed = std::fs::read_to_string(&committed).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run the ignored regenerate test)",
                committed.display()
            )
        });
        let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
        assert_eq!(
            parse(&committed),
            parse(&std::fs::read_to_string(&fresh).unwrap()),
            "{file}: recording differs from the server's answers"
        );
    }
    std::fs::remove_dir_all(&tmp).ok();
}

/// Rewrites the rule fixtures' recordings from the test server:
/// `cargo test --release --test integration -- --ignored regenerate`.
#[test]
#[ignore]
fn regenerate_fixture_recordings() {
    let server = fixture_server();
    for (file, args) in recorded_fixtures() {
        let to = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rules")
            .join(file.replace(".eml", ".dns.json"));
        record_fixture(&server, &file, &args, &to);
    }
}

fn stdout_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON line"))
        .collect()
}

/// The dns fixture messages of tests/fixtures/rules.
fn fixture_messages() -> Vec<String> {
    recorded_fixtures()
        .into_iter()
        .map(|(f, _)| format!("tests/fixtures/rules/{f}"))
        .collect()
}

#[test]
fn record_then_replay_reproduces_the_reports() {
    let server = fixture_server();
    let tmp = std::env::temp_dir().join(format!("hopsleuth-replay-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let rec = tmp.join("answers.json");
    let addr = server.addr.to_string();
    let files = fixture_messages();
    let scan = |extra: &[&str]| {
        let mut args: Vec<&str> = vec!["scan", "--fail-on", "never"];
        args.extend_from_slice(extra);
        args.extend(files.iter().map(String::as_str));
        common::hopsleuth_with_dns(&args, None)
    };
    let live = scan(&["--dns-server", &addr, "--dns-record", rec.to_str().unwrap()]);
    assert!(
        live.status.success(),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    // The server is gone: the replay cannot reach it.
    drop(server);
    let first = scan(&["--dns-replay", rec.to_str().unwrap()]);
    let second = scan(&["--dns-replay", rec.to_str().unwrap()]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        first.stdout, second.stdout,
        "replays are byte-for-byte identical"
    );
    let summary = String::from_utf8_lossy(&first.stderr);
    assert!(summary.contains("DNS (replay): "), "{summary}");
    let (live, replay) = (stdout_lines(&live), stdout_lines(&first));
    assert_eq!(live.len(), files.len());
    let mut dns_findings = 0;
    for (mut l, mut r) in live.into_iter().zip(replay) {
        assert_eq!(l["dns"]["mode"], "live");
        assert_eq!(r["dns"]["mode"], "replay");
        l["dns"]["mode"] = serde_json::Value::Null;
        r["dns"]["mode"] = serde_json::Value::Null;
        assert_eq!(
            l, r,
            "a replayed report differs from the live one beyond dns.mode"
        );
        dns_findings += r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["evidence"].to_string().contains("asked_at"))
            .count();
    }
    assert!(dns_findings >= 7, "{dns_findings}");
    // Reports with DNS answers validate against the shipped schema.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("schema/report-v1.json")).unwrap())
            .unwrap();
    let url = "https://hopsleuth.invalid/schema/report-v1.json";
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(url, schema).unwrap();
    let compiled = compiler.compile(url, &mut schemas).unwrap();
    for line in stdout_lines(&first) {
        if let Err(e) = schemas.validate(&line, compiled) {
            panic!("{}: {e:#}", line["source"]["path"]);
        }
    }
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn analyze_against_a_real_server_from_the_command_line() {
    let server = fixture_server();
    let addr = server.addr.to_string();
    let out = common::hopsleuth_with_dns(
        &[
            "analyze",
            "--dns-server",
            &addr,
            "tests/fixtures/rules/RDNS003.eml",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "RDNS003")
        .expect("RDNS003");
    assert_eq!(f["evidence"]["ptr"]["name"], "20.216.184.93.in-addr.arpa.");
    assert_eq!(f["evidence"]["ptr"]["type"], "PTR");
    assert_eq!(r["dns"]["mode"], "live");
    // The text report shows the finding too.
    let text = common::hopsleuth_with_dns(
        &[
            "analyze",
            "--format",
            "text",
            "--dns-server",
            &addr,
            "tests/fixtures/rules/RDNS003.eml",
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&text.stdout).contains("RDNS003"));
}

#[test]
fn no_dns_and_bad_recordings() {
    // --no-dns: nothing is asked, the DNS rules are silent, the report says so.
    let out = common::hopsleuth_with_dns(
        &["analyze", "--no-dns", "tests/fixtures/rules/RDNS003.eml"],
        None,
    );
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["dns"]["mode"], "off");
    assert_eq!(r["dns"]["answers"].as_array().unwrap().len(), 0);
    assert!(!r["findings"].to_string().contains("RDNS003"));
    // A recording that is missing or malformed is an error naming the file.
    let out = common::hopsleuth_with_dns(
        &[
            "analyze",
            "--dns-replay",
            "no/such/recording.json",
            "tests/fixtures/rules/RDNS003.eml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/recording.json"), "{err}");
    let out = common::hopsleuth_with_dns(
        &[
            "analyze",
            "--dns-replay",
            "tests/fixtures/rules/RDNS003.eml",
            "tests/fixtures/rules/RDNS003.eml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read DNS recording"));
    // A bad server address is refused up front.
    let out =
        common::hopsleuth_with_dns(&["analyze", "--dns-server", "not-an-ip", "-"], Some(b"x"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-an-ip"));
}

#[test]
fn a_question_missing_from_the_recording_is_unknown() {
    let tmp = std::env::temp_dir().join(format!("hopsleuth-empty-{}.json", std::process::id()));
    std::fs::write(
        &tmp,
        "{\"format\": \"hopsleuth/dns-record/v1\", \"answers\": []}",
    )
    .unwrap();
    let out = common::hopsleuth_with_dns(
        &[
            "analyze",
            "--dns-replay",
            tmp.to_str().unwrap(),
            "tests/fixtures/rules/RDNS003.eml",
        ],
        None,
    );
    std::fs::remove_file(&tmp).ok();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "DNS002")
        .expect("DNS002");
    assert_eq!(f["score"], 0.0);
    assert_eq!(f["evidence"]["answers"][0]["rcode"], "NOT-RECORDED");
    assert_eq!(r["verdict"], "clean");
}

/// A message's report does not depend on the other messages of its batch, even when the
/// cap cuts its questions short.
#[test]
fn a_report_does_not_depend_on_its_batch() {
    let server = fixture_server();
    let dns = resolver(server.addr);
    let mut options = Options::default();
    options.limits.max_dns_lookups = 2;
    let capped = message(&[&entry_from(
        "other.a-corp.test",
        "other.a-corp.test",
        "93.184.216.21",
        "mx.ours.test",
    )]);
    let neighbour = message(&[&entry_from(
        "other.a-corp.test",
        "other.a-corp.test",
        "93.184.216.21",
        "mx.ours.test",
    )])
    .replace("user@ours.test", "user@noexchange.test");
    let alone = hopsleuth::analyze_with_dns(capped.as_bytes(), &options, &dns).unwrap();
    let prepared: Vec<hopsleuth::Prepared> = [&neighbour, &capped]
        .iter()
        .map(|m| hopsleuth::prepare(m.as_bytes(), &options).unwrap())
        .collect();
    let subjects: Vec<_> = prepared.iter().map(|p| p.dns_subject()).collect();
    let answers = hopsleuth::resolver::resolve_batch(&subjects, &dns, 2);
    let in_batch = prepared[1].clone().finish(answers.get(1), &options);
    assert_eq!(alone.to_json(), in_batch.to_json());
}

/// An authenticated submission below the entry (a user at home) is a client, not a mail
/// server: its missing PTR and unknown HELO name are not findings.
#[test]
fn authenticated_submissions_are_not_judged_as_mail_servers() {
    let server = fixture_server();
    let dns = resolver(server.addr);
    let submission = "from nonexistent.a-corp.test (unknown [93.184.216.23]) by mail.a-corp.test (Postfix) with ESMTPSA id 77; Mon, 23 Nov 2026 10:00:01 +0000";
    let m = message(&[
        &entry_from(
            "mail.a-corp.test",
            "mail.a-corp.test",
            "93.184.216.20",
            "mx.ours.test",
        ),
        submission,
    ]);
    let r = analyze(&dns, &m);
    assert_eq!(r.trust.entry_hop, Some(1), "{:?}", r.trust.basis);
    assert!(r.hops[0].auth.is_some());
    for id in ["RDNS004", "HELO007", "RDNS005"] {
        assert!(!rules(&r).contains(&id), "{id}: {:#?}", r.findings);
    }
    assert!(
        !r.dns
            .answers
            .iter()
            .any(|a| a.name == "23.216.184.93.in-addr.arpa.")
    );
    // The same hop without authentication is judged.
    let r = analyze(&dns, &m.replace("ESMTPSA", "ESMTP"));
    assert!(rules(&r).contains(&"RDNS004"), "{:#?}", r.findings);
}

/// A reverse name in our domain makes a sender ours only if DNS resolves it back to the
/// sender's address: the owner of an address writes its PTR, so a PTR naming one of our
/// hosts is his word until our zone agrees. Without DNS the recorded name is all there is.
#[test]
fn a_reverse_name_in_our_domain_is_ours_only_if_it_resolves_back() {
    let server = dns_server::start(&fixture_zones(), Behaviour::default());
    let dns = resolver(server.addr);
    let below = entry_from(
        "mail.a-corp.test",
        "mail.a-corp.test",
        "93.184.216.20",
        "relay.ours.test",
    );
    // relay.ours.test is not in our zone.
    let forged = format!(
        "from relay.ours.test (relay.ours.test [93.184.216.30]) by mx.ours.test (Postfix) with ESMTPS id 4AB1C2D3E5; {DATE}"
    );
    let m = message(&[&forged, &below]);
    let without = hopsleuth::analyze(m.as_bytes(), &Options::default()).expect("mail");
    assert_eq!(
        without.trust.entry_hop,
        Some(0),
        "{:?}",
        without.trust.basis
    );
    let with = analyze(&dns, &m);
    assert_eq!(with.trust.entry_hop, Some(1), "{:?}", with.trust.basis);
    assert!(
        with.trust
            .basis
            .iter()
            .any(|b| b.contains("DNS does not resolve it back")),
        "{:?}",
        with.trust.basis
    );
    // mailstore.ours.test is 93.184.216.11: confirmed, it stays ours.
    let real = format!(
        "from mailstore.ours.test (mailstore.ours.test [93.184.216.11]) by mx.ours.test (Postfix) with ESMTPS id 4AB1C2D3E6; {DATE}"
    );
    let m = message(&[&real, &below]);
    assert_eq!(analyze(&dns, &m).trust.entry_hop, Some(0));
}
