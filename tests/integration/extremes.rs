//! The most extreme values a library caller (or a configuration file, through the same
//! `Options`) can give: clock skew and DNS freshness at `i64::MIN` and `i64::MAX`, every
//! field of `Limits` at 0 and at `usize::MAX`, every hop trusted, scores and bands that are
//! not numbers, and an entry hop past the last hop. Each runs over real messages (the
//! samples and the test fixtures, with their DNS recordings) and must neither panic nor
//! wrap around: a value beyond a bound gives what the bound gives.
//!
//! Overflow is a panic only where overflow checks are on: the debug profile. `cargo test
//! --release` (the release profile has them off) still runs every case and checks that
//! extreme values give the same reports as the bounds they saturate to, which a wrapped
//! value would not; `cargo test --test integration extremes` (debug) checks the arithmetic
//! itself.

use hopsleuth::chain::netset::NetSet;
use hopsleuth::chain::trust::TrustConfig;
use hopsleuth::resolver::{Clock, Dns, DnsSettings};
use hopsleuth::{Limits, Options, Report};
use std::path::{Path, PathBuf};

/// A real message and, when the fixture has one, its DNS recording.
struct Sample {
    name: String,
    bytes: Vec<u8>,
    recording: Option<PathBuf>,
}

fn samples() -> Vec<Sample> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        "samples",
        "tests/fixtures/scenarios",
        "tests/fixtures/rules",
    ] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect(dir)
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let ext = path.extension().and_then(|e| e.to_str());
            let bytes = std::fs::read(&path).expect("fixture");
            let recording = path.with_extension("dns.json");
            let recording = recording.is_file().then_some(recording);
            match ext {
                Some("eml") => out.push(Sample {
                    name: path.display().to_string(),
                    bytes,
                    recording,
                }),
                Some("mbox") => {
                    for (i, m) in hopsleuth::mbox::messages(&bytes).iter().enumerate() {
                        out.push(Sample {
                            name: format!("{} message {i}", path.display()),
                            bytes: m.bytes.to_vec(),
                            recording: None,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    assert!(out.len() > 40, "fixtures found: {}", out.len());
    assert!(out.iter().any(|s| s.recording.is_some()));
    out
}

/// The report as JSON with nothing that depends on the options under test but `dns.cap`
/// (the lookup cap is written in the report).
fn json_without_cap(r: &Report) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json()).expect("report is JSON");
    v["dns"]["cap"] = serde_json::Value::Null;
    v
}

/// What the checks concluded: each finding's rule, hops, score and evidence, the score and
/// the verdict (not the messages, which quote the settings).
fn outcome(r: &Report) -> String {
    let findings: Vec<String> = r
        .findings
        .iter()
        .map(|f| format!("{} {:?} {} {}", f.rule, f.hops, f.score, f.evidence))
        .collect();
    format!("{findings:#?} score {} {:?}", r.score, r.verdict)
}

fn replay(recording: &Path, clock: Clock) -> Dns {
    Dns::new(&DnsSettings {
        replay: Some(recording.to_path_buf()),
        clock,
        ..DnsSettings::default()
    })
    .expect("recording")
}

/// Analyses a sample, with its recording when it has one; renders every output format.
fn run(sample: &Sample, options: &Options) -> Option<Report> {
    let result = match &sample.recording {
        Some(rec) => {
            hopsleuth::analyze_with_dns(&sample.bytes, options, &replay(rec, Clock::System))
        }
        None => hopsleuth::analyze(&sample.bytes, options),
    };
    let report = result.ok()?;
    // Every writer copes with whatever the options made of the report.
    let _: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    assert!(!hopsleuth::report::text::render(&report).is_empty());
    assert!(hopsleuth::report::spamassassin::render(&report).starts_with("X-Spam-Relays"));
    Some(report)
}

/// Options with the checks' settings changed.
fn with_checks(change: impl FnOnce(&mut hopsleuth::rules::CheckSettings)) -> Options {
    let mut o = Options::default();
    change(&mut o.checks);
    o
}

/// A change to one field of the limits, named.
type SetLimit = fn(&mut Limits);

fn with_limits(change: impl FnOnce(&mut Limits)) -> Options {
    let mut o = Options::default();
    change(&mut o.limits);
    o
}

/// Clock skew beyond the bounds the checks use gives exactly what the bound gives: below
/// zero is zero, above a year is a year.
#[test]
fn clock_skew_saturates_at_its_bounds() {
    let max = hopsleuth::config::MAX_CLOCK_SKEW_S;
    for sample in samples() {
        for (extreme, bound) in [
            (i64::MIN, 0),
            (i64::MIN + 1, 0),
            (-1, 0),
            (i64::MAX, max),
            (max + 1, max),
        ] {
            let got = run(&sample, &with_checks(|c| c.clock_skew_s = extreme));
            let want = run(&sample, &with_checks(|c| c.clock_skew_s = bound));
            assert_eq!(
                got.as_ref().map(outcome),
                want.as_ref().map(outcome),
                "{}: clock_skew_s {extreme} against {bound}",
                sample.name
            );
        }
    }
}

/// DNS freshness at the ends of `i64`: every hop fresh (`MAX`) or every hop old (`MIN`, a
/// day count no age can be under), the same as a value just past the ages seen.
#[test]
fn dns_freshness_at_the_ends_of_i64() {
    for sample in samples().iter().filter(|s| s.recording.is_some()) {
        for (extreme, bound) in [(i64::MAX, 1_000_000), (i64::MIN, -1_000_000)] {
            let got = run(sample, &with_checks(|c| c.dns_fresh_days = extreme));
            let want = run(sample, &with_checks(|c| c.dns_fresh_days = bound));
            assert_eq!(
                got.as_ref().map(outcome),
                want.as_ref().map(outcome),
                "{}: dns_fresh_days {extreme}",
                sample.name
            );
        }
    }
}

/// Every limit at `usize::MAX` is no limit at all: the real messages, all well inside the
/// defaults, give the default reports.
#[test]
fn limits_at_usize_max_are_no_limits() {
    let fields: [(&str, SetLimit); 9] = [
        ("max_header_bytes", |l| l.max_header_bytes = usize::MAX),
        ("max_headers", |l| l.max_headers = usize::MAX),
        ("max_hops", |l| l.max_hops = usize::MAX),
        ("max_received_bytes", |l| l.max_received_bytes = usize::MAX),
        ("max_comment_depth", |l| l.max_comment_depth = usize::MAX),
        ("max_dns_lookups", |l| l.max_dns_lookups = usize::MAX),
        ("max_message_bytes", |l| l.max_message_bytes = u64::MAX),
        ("max_body_bytes", |l| l.max_body_bytes = usize::MAX),
        ("all", |l| {
            *l = Limits {
                max_header_bytes: usize::MAX,
                max_headers: usize::MAX,
                max_hops: usize::MAX,
                max_received_bytes: usize::MAX,
                max_comment_depth: usize::MAX,
                max_dns_lookups: usize::MAX,
                max_message_bytes: u64::MAX,
                max_body_bytes: usize::MAX,
            }
        }),
    ];
    for sample in samples() {
        let default = run(&sample, &Options::default()).map(|r| json_without_cap(&r));
        for (field, set) in fields {
            let got = run(&sample, &with_limits(set));
            if let Some(r) = &got
                && sample.recording.is_some()
                && (field == "max_dns_lookups" || field == "all")
            {
                // The cap is written as given, not wrapped.
                assert_eq!(r.dns.cap, usize::MAX, "{}", sample.name);
            }
            assert_eq!(
                got.as_ref().map(json_without_cap),
                default,
                "{}: {field} = usize::MAX",
                sample.name
            );
        }
    }
}

/// Every limit at 0 gives what that limit says, for every message: no header block, no
/// fields, no hops, no parsed Received header, no lookups.
#[test]
fn limits_at_zero_give_what_they_say() {
    for sample in samples() {
        let name = &sample.name;
        assert!(
            run(&sample, &with_limits(|l| l.max_header_bytes = 0)).is_none(),
            "{name}: a header block in 0 bytes"
        );
        assert!(
            run(&sample, &with_limits(|l| l.max_headers = 0)).is_none(),
            "{name}: a message with no header fields"
        );
        let default = run(&sample, &Options::default()).expect("the fixtures are mail");
        let received = default.message.received_count;

        let r = run(&sample, &with_limits(|l| l.max_hops = 0)).expect("analysed");
        assert!(r.hops.is_empty(), "{name}");
        assert_eq!(r.chain.skipped_hops, received, "{name}");
        assert_eq!(
            r.findings.iter().any(|f| f.rule == "LIMIT001"),
            received > 0,
            "{name}"
        );

        let r = run(&sample, &with_limits(|l| l.max_received_bytes = 0)).expect("analysed");
        assert_eq!(r.hops.len(), default.hops.len(), "{name}");
        for h in r.hops.iter().filter(|h| !h.raw.is_empty()) {
            assert_eq!(h.parsed, hopsleuth::received::Status::Unparsed, "{name}");
        }

        let r = run(&sample, &with_limits(|l| l.max_comment_depth = 0)).expect("analysed");
        assert_eq!(r.hops.len(), default.hops.len(), "{name}");

        let r = run(&sample, &with_limits(|l| l.max_dns_lookups = 0)).expect("analysed");
        assert_eq!(r.dns.lookups, 0, "{name}");
        assert!(r.dns.answers.is_empty(), "{name}");
    }
}

/// Every address in the trusted, internal and MSA networks, and every name in the chain a
/// trusted host: the walk goes down to the first hop that records no sender at all (no
/// address, no reverse name: nothing a configuration can match), and every hop above it is
/// ours.
#[test]
fn every_hop_trusted() {
    let everything = NetSet::parse("0.0.0.0/0 ::/0").expect("networks");
    for sample in samples() {
        let default = run(&sample, &Options::default()).expect("analysed");
        let names = default.hops.iter().flat_map(|h| {
            [&h.from.helo, &h.from.rdns, &h.by.host]
                .into_iter()
                .flatten()
                .cloned()
        });
        let options = Options {
            trust: TrustConfig {
                trusted_networks: Some(everything.clone()),
                internal_networks: Some(everything.clone()),
                msa_networks: Some(everything.clone()),
                trusted_hosts: names.collect(),
                ..TrustConfig::default()
            },
            ..Options::default()
        };
        let r = run(&sample, &options).expect("analysed");
        let first_ours = r.trust.entry_hop.map_or(0, |e| e + 1);
        if let Some(entry) = r.trust.entry_hop.and_then(|e| r.hops.get(e)) {
            assert!(
                entry.from.ip.is_none() && entry.from.rdns.is_none(),
                "{}: {:?}",
                sample.name,
                r.trust
            );
        }
        for h in r.hops.iter().skip(first_ours) {
            assert_eq!(
                h.trust,
                Some(hopsleuth::chain::trust::HopTrust::Trusted),
                "{}: hop {}",
                sample.name,
                h.index
            );
        }
    }
}

/// Scores and bands that are not numbers (a library caller is not refused; the
/// configuration file is): the analysis finishes and every writer copes.
#[test]
fn scores_that_are_not_numbers() {
    let ids: Vec<String> = hopsleuth::rules::registry::ALL
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    for value in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
    ] {
        let options = with_checks(|c| {
            c.scores = ids.iter().map(|id| (id.clone(), value)).collect();
            c.suspicious_at = Some(value);
            c.forged_at = Some(value);
        });
        for sample in samples() {
            let r = run(&sample, &options).expect("analysed");
            for f in &r.findings {
                assert!(
                    f.score.to_bits() == value.to_bits(),
                    "{}: {} scored {}",
                    sample.name,
                    f.rule,
                    f.score
                );
            }
        }
    }
}

/// An entry hop past the last hop (the boundary a library caller can hand the planner and
/// the rules): every hop is outside, as with the last hop as the entry, and nothing
/// indexes past the chain.
#[test]
fn entry_hop_past_the_last_hop() {
    use hopsleuth::dns::plan::{Subject, checked_hops};
    for sample in samples() {
        let report = run(&sample, &Options::default()).expect("analysed");
        let n = report.hops.len();
        let last = n.checked_sub(1);
        for past in [n, n + 1, usize::MAX] {
            let all: Vec<usize> = checked_hops(&report.hops, last)
                .iter()
                .map(|(h, _)| h.index)
                .collect();
            let got: Vec<usize> = checked_hops(&report.hops, Some(past))
                .iter()
                .map(|(h, _)| h.index)
                .collect();
            assert_eq!(got, all, "{}: entry hop {past}", sample.name);

            let recipients: Vec<String> = report
                .envelope
                .rcpt_to
                .iter()
                .map(|r| r.value.clone())
                .collect();
            let answers = sample.recording.as_ref().map(|rec| {
                let subject = Subject {
                    hops: &report.hops,
                    entry_hop: Some(past),
                    recipients: &recipients,
                    rdns_trusted: &[],
                };
                let dns = replay(rec, Clock::Fixed(i64::MAX));
                hopsleuth::resolver::resolve_batch(&[subject], &dns, usize::MAX)
                    .pop()
                    .expect("one message, one answer set")
            });
            let dns_hops = answers
                .as_ref()
                .map(|a| a.hops(&report.hops, Some(past)))
                .unwrap_or_default();
            let mut trust = report.trust.clone();
            trust.entry_hop = Some(past);
            let ctx = hopsleuth::rules::Ctx {
                hops: &report.hops,
                trust: &trust,
                links: &report.links,
                headers: &report.headers,
                envelope: &report.envelope,
                chain: &report.chain,
                limits: &Limits::default(),
                settings: &hopsleuth::rules::CheckSettings::default(),
                dns: answers.as_ref(),
                dns_hops: &dns_hops,
                recipients: &recipients,
                authentication: &report.authentication,
            };
            assert!(ctx.entry().is_none(), "{}", sample.name);
            assert_eq!(ctx.outside().len(), n, "{}", sample.name);
            assert_eq!(ctx.below_entry().len(), n, "{}", sample.name);
            for f in hopsleuth::rules::run(&ctx) {
                assert!(
                    f.hops.iter().all(|&h| h < n),
                    "{}: {} names hop {:?} of {n}",
                    sample.name,
                    f.rule,
                    f.hops
                );
            }
        }
    }
}

/// A live resolver whose clock is fixed at either end of `i64` (a library caller's
/// `Clock::Fixed`): the answers' ages saturate, so the findings are those of a clock ten
/// thousand days after the message (every hop old) or at the message's own time (every
/// hop fresh), and the time asked is written as RFC 3339 all the same. Against a real
/// server on 127.0.0.1 serving the test zones.
#[test]
fn resolver_clock_at_the_ends_of_i64() {
    use super::dns_server;
    let server = dns_server::start(
        &dns_server::fixture_zones(),
        dns_server::Behaviour::default(),
    );
    let sent = "Mon, 23 Nov 2026 10:00:05 +0000";
    let sent_ts = hopsleuth::date::parse_rfc3339("2026-11-23T10:00:05Z").expect("date");
    let message = format!(
        "Delivered-To: user@ours.test\n\
         Received: from mail.a-corp.test (unknown [93.184.216.34]) by mx.ours.test (Postfix) with ESMTPS id 4AB1C2D3E4; {sent}\n\
         From: someone@a-corp.test\nTo: user@ours.test\nSubject: clock\n\nbody\n"
    );
    let scored = |clock: Clock| -> Vec<(&'static str, u64)> {
        let dns = Dns::new(&DnsSettings {
            servers: vec![server.addr],
            clock,
            ..DnsSettings::default()
        })
        .expect("resolver");
        let r = hopsleuth::analyze_with_dns(message.as_bytes(), &Options::default(), &dns)
            .expect("mail");
        assert!(r.dns.lookups > 0, "{:?}", r.dns);
        for a in &r.dns.answers {
            // Written as the nearest instant RFC 3339 can write, the number kept exact.
            assert!(
                hopsleuth::date::parse_rfc3339(&a.asked_at).is_some(),
                "{clock:?}: asked_at {}",
                a.asked_at
            );
            assert_eq!(a.asked_ts, clock.now());
        }
        r.findings
            .iter()
            .map(|f| (f.rule, f.score.to_bits()))
            .collect()
    };
    let old = scored(Clock::Fixed(sent_ts + 10_000 * 86_400));
    let fresh = scored(Clock::Fixed(sent_ts));
    assert_ne!(old, fresh, "the message's age must matter for this check");
    assert_eq!(scored(Clock::Fixed(i64::MAX)), old);
    assert_eq!(scored(Clock::Fixed(i64::MIN)), fresh);
}
