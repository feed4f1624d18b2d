//! DNS benchmark (run by hand: `cargo bench --bench dns`), against hickory-server on
//! 127.0.0.1 serving generated zones:
//!
//! 1. Deduplication: a scan of N messages from k distinct addresses sends exactly k PTR
//!    queries (counted at the server), across batches.
//! 2. Concurrency: with a server that answers after 50 ms, a scan of 1,000 messages from
//!    1,000 distinct addresses finishes in under 3 s.
//! 3. Black hole: with a server that never answers and the default settings, a scan of
//!    1,000 crafted messages (ten outside hops each, every address and name distinct:
//!    32 questions a message) finishes in about a minute (target: under 90 s), every DNS
//!    check unknown and every verdict the `--no-dns` one.
//!
//! It prints its figures and exits non-zero when a target is missed.

// The integration tests' DNS server. `pub`: this bench uses only part of it (the tests use
// the rest), and a public module's unused items are not dead code.
#[path = "../tests/integration/dns_server.rs"]
pub mod dns_server;

use hickory_server::proto::rr::RecordType;
use hopsleuth::resolver::{Dns, DnsSettings};
use hopsleuth::scan::{self, ScanOptions};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The i-th sender address (public, 45.33.0.0/16).
fn address(i: usize) -> (usize, usize) {
    (i / 250, i % 250 + 1)
}

/// Zones for `count` senders: `hI.bulk.test` has address 45.33.x.y and that address's
/// PTR is `hI.bulk.test`; `ours.test` (the recipients' domain) comes from the fixtures.
fn write_zones(dir: &Path, count: usize) -> Vec<(String, PathBuf)> {
    std::fs::create_dir_all(dir).unwrap();
    let soa = "@ IN SOA ns.bulk.test. hostmaster.bulk.test. 1 3600 600 86400 300\n@ IN NS ns.bulk.test.\n";
    let mut forward = format!("$ORIGIN bulk.test.\n$TTL 3600\n{soa}ns IN A 45.33.255.53\n");
    let mut reverse = format!("$ORIGIN 33.45.in-addr.arpa.\n$TTL 3600\n{soa}");
    for i in 0..count {
        let (x, y) = address(i);
        writeln!(forward, "h{i} IN A 45.33.{x}.{y}").unwrap();
        writeln!(reverse, "{y}.{x} IN PTR h{i}.bulk.test.").unwrap();
    }
    std::fs::write(dir.join("bulk.test.zone"), forward).unwrap();
    std::fs::write(dir.join("33.45.in-addr.arpa.zone"), reverse).unwrap();
    dns_server::zones_in_with_ours(dir)
}

/// An mbox of `n` messages, message m coming from sender m % k.
fn write_mbox(path: &Path, n: usize, k: usize) {
    let mut mbox = String::new();
    for m in 0..n {
        let i = m % k;
        let (x, y) = address(i);
        write!(
            mbox,
            "From sender@bulk.test Mon Nov 23 10:00:05 2026\n\
             Delivered-To: user@ours.test\n\
             Received: from h{i}.bulk.test (h{i}.bulk.test [45.33.{x}.{y}]) by mx.ours.test (Postfix) with ESMTPS id Q{m}; Mon, 23 Nov 2026 10:00:05 +0000\n\
             From: sender@bulk.test\nTo: user@ours.test\nSubject: m{m}\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <{m}@bulk.test>\n\nbody {m}\n\n"
        )
        .unwrap();
    }
    std::fs::write(path, mbox).unwrap();
}

/// Scans `mbox` with a resolver made from `settings`; returns the elapsed time and the
/// NDJSON output.
fn scan_with(mbox: &Path, settings: &DnsSettings) -> (Duration, Vec<u8>) {
    let dns = Dns::new(settings).expect("resolver");
    let options = ScanOptions {
        dns: Some(Arc::new(dns)),
        ..ScanOptions::default()
    };
    let mut out: Vec<u8> = Vec::new();
    let started = Instant::now();
    let summary = scan::run(&[mbox.to_path_buf()], &options, &mut out, &mut |_| {}).expect("scan");
    let elapsed = started.elapsed();
    assert_eq!(summary.errors, 0);
    (elapsed, out)
}

/// Scans `mbox` against the test server (5 s timeout); returns the elapsed time and the
/// number of reports.
fn scan_with_dns(mbox: &Path, server: &dns_server::TestDns) -> (Duration, usize) {
    let (elapsed, out) = scan_with(
        mbox,
        &DnsSettings {
            servers: vec![server.addr],
            timeout: Duration::from_secs(5),
            ..DnsSettings::default()
        },
    );
    let lines = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
    (elapsed, lines)
}

/// An mbox of `n` crafted messages: ten outside hops each, every address and HELO distinct.
fn write_crafted_mbox(path: &Path, n: usize) {
    let mut mbox = String::new();
    for m in 0..n {
        write!(
            mbox,
            "From sender@bulk.test Mon Nov 23 10:00:05 2026\nDelivered-To: user@ours.test\n"
        )
        .unwrap();
        // The newest hop is ours; each one below names a distinct outside host.
        for h in 0..10 {
            let i = m * 10 + h;
            let (x, y) = (i / 250 % 250, i % 250 + 1);
            let by = if h == 0 {
                "mx.ours.test".to_string()
            } else {
                format!("r{}.bulk{m}.test", h - 1)
            };
            writeln!(
                mbox,
                "Received: from r{h}.bulk{m}.test (rd{h}.bulk{m}.test [45.{}.{x}.{y}]) by {by} (Postfix) with ESMTP id Q{m}H{h}; Mon, 23 Nov 2026 10:00:05 +0000",
                34 + i / 62_500
            )
            .unwrap();
        }
        writeln!(
            mbox,
            "From: sender@bulk.test\nTo: user@ours.test\nSubject: m{m}\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <{m}@bulk.test>\n\nbody {m}\n"
        )
        .unwrap();
    }
    std::fs::write(path, mbox).unwrap();
}

fn main() {
    let tmp = std::env::temp_dir().join(format!("hopsleuth-dns-bench-{}", std::process::id()));
    let mut ok = true;

    // 1. Deduplication across a batch and across batches.
    let (n, k) = (5_000, 100);
    let zones = write_zones(&tmp.join("zones-dedup"), k);
    let server = dns_server::start(&zones, dns_server::Behaviour::default());
    let mbox = tmp.join("dedup.mbox");
    write_mbox(&mbox, n, k);
    let (elapsed, reports) = scan_with_dns(&mbox, &server);
    let ptr = server.counts.of_type(RecordType::PTR);
    println!(
        "dedup: {reports} messages from {k} distinct addresses -> {ptr} PTR queries, {} queries in all, {} max per question ({:.2} s)",
        server.counts.total(),
        server.counts.max_repeats(),
        elapsed.as_secs_f64()
    );
    if reports != n || ptr != k || server.counts.max_repeats() != 1 {
        println!("  MISSED: want {n} reports and exactly {k} PTR queries, none repeated");
        ok = false;
    }
    drop(server);

    // 2. Concurrency against a slow server.
    let k = 1_000;
    let zones = write_zones(&tmp.join("zones-slow"), k);
    let server = dns_server::start(
        &zones,
        dns_server::Behaviour {
            delay: Duration::from_millis(50),
            ..dns_server::Behaviour::default()
        },
    );
    let mbox = tmp.join("slow.mbox");
    write_mbox(&mbox, k, k);
    let (elapsed, reports) = scan_with_dns(&mbox, &server);
    println!(
        "slow server (50 ms per answer): {reports} messages from {k} distinct addresses, {} PTR / {} queries in all, in {:.2} s",
        server.counts.of_type(RecordType::PTR),
        server.counts.total(),
        elapsed.as_secs_f64()
    );
    if reports != k || elapsed >= Duration::from_secs(3) {
        println!("  MISSED: want {k} reports in under 3 s");
        ok = false;
    }
    drop(server);

    // 3. A server that never answers, default settings (timeout, budgets).
    let n = 1_000;
    let silent = dns_server::silent();
    let mbox = tmp.join("black-hole.mbox");
    write_crafted_mbox(&mbox, n);
    let (elapsed, out) = scan_with(
        &mbox,
        &DnsSettings {
            servers: vec![silent.addr],
            ..DnsSettings::default()
        },
    );
    let mut without: Vec<u8> = Vec::new();
    scan::run(&[mbox], &ScanOptions::default(), &mut without, &mut |_| {}).expect("scan");
    let verdicts = |out: &[u8]| -> Vec<(String, usize)> {
        out.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                let r: serde_json::Value = serde_json::from_slice(l).expect("NDJSON");
                (
                    r["verdict"].to_string(),
                    r["dns"]["lookups"].as_u64().unwrap_or(0) as usize,
                )
            })
            .collect()
    };
    let (with, none) = (verdicts(&out), verdicts(&without));
    let same = with.iter().zip(&none).filter(|(a, b)| a.0 == b.0).count();
    let questions: usize = with.iter().map(|(_, q)| q).sum();
    println!(
        "black hole (never answers, defaults): {} crafted messages, {questions} questions, in {:.1} s; {same} verdicts equal to --no-dns",
        with.len(),
        elapsed.as_secs_f64()
    );
    if with.len() != n || same != n || elapsed >= Duration::from_secs(90) {
        println!("  MISSED: want {n} reports, all with the --no-dns verdict, in under 90 s");
        ok = false;
    }
    drop(silent);

    std::fs::remove_dir_all(&tmp).ok();
    if !ok {
        std::process::exit(1);
    }
}
