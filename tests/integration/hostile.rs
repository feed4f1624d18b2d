//! Hostile input: each case must finish, without a panic, and with a sensible result.
//! Timing is not asserted here (benchmarks measure it); the cases are sized so that
//! anything worse than linear would make this suite visibly slow.

use hopsleuth::received::{self, Status};
use hopsleuth::{Limits, Options, analyze};

fn run(input: &[u8]) -> Result<hopsleuth::Report, hopsleuth::AnalyzeError> {
    analyze(input, &Options::default())
}

fn message_with_received(value: &str) -> Vec<u8> {
    format!("Received: {value}\nFrom: a@example.com\nSubject: x\n\nbody\n").into_bytes()
}

#[test]
fn one_mebibyte_received_header() {
    let value = format!(
        "from a ({}) by b; Mon, 1 Jan 2024 00:00:00 +0000",
        "x ".repeat(512 * 1024)
    );
    let report = run(&message_with_received(&value)).expect("analysed");
    assert_eq!(report.hops.len(), 1);
    assert_eq!(report.hops[0].parsed, Status::Unparsed);
    assert!(
        report.hops[0]
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("max_received_bytes")
    );
}

#[test]
fn ten_thousand_received_headers() {
    let mut msg = Vec::new();
    for i in 0..10_000 {
        msg.extend_from_slice(
            format!("Received: from h{i}.example ([192.0.2.1]) by h{}.example with ESMTP; Mon, 1 Jan 2024 00:00:00 +0000\n", i + 1)
                .as_bytes(),
        );
    }
    msg.extend_from_slice(b"Subject: x\n\nbody\n");
    let report = run(&msg).expect("analysed");
    let limit = Limits::default().max_hops;
    assert_eq!(report.hops.len(), limit);
    assert_eq!(report.chain.skipped_hops, 10_000 - limit);
    assert!(report.findings.iter().any(|f| f.rule == "LIMIT001"));
}

#[test]
fn header_folded_over_100000_lines() {
    let mut value = String::from("from a");
    for _ in 0..100_000 {
        value.push_str("\n\tx");
    }
    value.push_str("\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000");
    let report = run(&message_with_received(&value)).expect("analysed");
    // Over max_received_bytes: kept, marked, not parsed.
    assert_eq!(report.hops[0].parsed, Status::Unparsed);
    // Subject survived the giant fold.
    assert!(report.headers.subject.is_some());
}

#[test]
fn nul_bytes_and_invalid_utf8() {
    let msg = b"Received: from a\0b (c [192.0.2.1]) by mx\xff\xfe.example with ESMTP; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: caf\xe9 \0\n\nbody";
    let report = run(msg).expect("analysed");
    assert!(report.message.lossy);
    assert!(report.hops[0].raw_lossy);
    assert_eq!(report.hops[0].from.ip, Some("192.0.2.1".parse().unwrap()));
    let json = report.to_json();
    assert!(!json.contains('\0'), "raw NUL must be escaped in JSON");
    serde_json::from_str::<serde_json::Value>(&json).expect("valid JSON");
}

#[test]
fn cr_only_and_mixed_line_endings() {
    let cr = b"Received: from a (a [192.0.2.1]) by b with SMTP; Mon, 1 Jan 2024 00:00:00 +0000\rSubject: x\r\rbody";
    let report = run(cr).expect("analysed");
    assert_eq!(report.hops.len(), 1);
    assert_eq!(report.message.line_endings.cr, 3);
    let mixed = b"Received: from a\r\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x\r\rbody";
    let report = run(mixed).expect("analysed");
    assert_eq!(report.hops[0].by.host.as_deref(), Some("b"));
}

#[test]
fn no_header_body_separator() {
    let report = run(b"Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x")
        .expect("analysed");
    assert!(report.message.no_separator);
    assert_eq!(report.hops.len(), 1);
}

#[test]
fn from_lines_inside_mbox_bodies() {
    let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nFrom the body, unquoted\n>From quoted\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\nbody\n";
    let messages = hopsleuth::mbox::messages(mbox);
    // `From the body` follows a non-blank line, so it does not split; the one after a blank does.
    assert_eq!(messages.len(), 2);
    for m in messages {
        run(m.bytes).expect("each message analysed");
    }
}

#[test]
fn ten_thousand_nested_parentheses() {
    let value = format!(
        "from a {}x{} by b; Mon, 1 Jan 2024 00:00:00 +0000",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let limits = Limits {
        max_received_bytes: 1 << 20,
        ..Limits::default()
    };
    let r = received::parse(value.as_bytes(), &limits);
    assert!(r.notes.iter().any(|n| n.contains("nest deeper")));
    assert_eq!(r.by_host.map(|b| b.to_vec()), Some(b"b".to_vec()));
    // Unbalanced the other way: no `)` closes them, so each is an unclosed parenthesis
    // (found in one pass, not one per parenthesis), the receiver's `by` after them is still
    // read, and the hop says its from part holds trace syntax.
    let unbalanced = format!(
        "from a {} by b; Mon, 1 Jan 2024 00:00:00 +0000",
        "(".repeat(10_000)
    );
    let r = received::parse(unbalanced.as_bytes(), &limits);
    assert_eq!(r.by_host.map(|b| b.to_vec()), Some(b"b".to_vec()));
    assert_eq!(r.status, Some(received::Status::Full), "{:?}", r.reason);
    assert!(r.ip.is_none());
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with(received::HELO_TRACE_SYNTAX) && n.contains("unclosed")),
        "{:?}",
        r.notes
    );
}

#[test]
fn thousand_deep_mime_nesting() {
    let mut msg = String::from(
        "Received: from a (a [192.0.2.1]) by b with SMTP; Mon, 1 Jan 2024 00:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n",
    );
    for i in 0..1000 {
        msg.push_str(&format!(
            "--b{i}\nContent-Type: multipart/mixed; boundary=b{}\n\n",
            i + 1
        ));
    }
    let report = run(msg.as_bytes()).expect("analysed");
    // The body is never decoded: only its extent is reported.
    assert!(report.message.body_length > 30_000);
    assert_eq!(report.hops.len(), 1);
}

#[test]
fn ten_thousand_character_ipv6_literal() {
    let value = format!(
        "from a (b [IPv6:{}]) by c; Mon, 1 Jan 2024 00:00:00 +0000",
        "1:".repeat(5_000)
    );
    let r = received::parse(value.as_bytes(), &Limits::default());
    assert!(r.ip.is_none());
    assert_eq!(r.by_host.map(|b| b.to_vec()), Some(b"c".to_vec()));
}

/// Extreme settings a library caller can pass never panic or wrap around: the clock skew is
/// kept between 0 and a year.
#[test]
fn extreme_clock_skew_is_bounded() {
    let msg = b"Received: from b (b [192.0.2.2]) by c; Mon, 1 Jan 2024 00:00:00 +0000\nReceived: from a (a [192.0.2.1]) by b; Mon, 1 Jan 2024 05:00:00 +0000\nFrom: x@a.example\n\nx";
    let fired = |skew: i64| {
        let mut options = hopsleuth::Options::default();
        options.checks.clock_skew_s = skew;
        let report = hopsleuth::analyze(msg, &options).expect("analysed");
        report.findings.iter().any(|f| f.rule == "CHAIN003")
    };
    // Five hours backwards: beyond a zero tolerance, within the largest.
    assert!(fired(i64::MIN), "a negative skew is a zero one");
    assert!(fired(0));
    assert!(!fired(i64::MAX), "the largest skew is a year");
}

#[test]
fn absurd_dates() {
    // Dates that cannot exist, or that RFC 3339 cannot write (a zone past ±23:59, a UTC
    // instant past 9999): no timestamp on the hop (which says why, and keeps the header as
    // written), the Date header's text kept with no UTC, and DATE002 on the Date header.
    for date in [
        "Mon, 1 Jan 99999999999999999999 00:00:00 +0000",
        "Mon, 1 Jan 2024 99:99:99 +0000",
        "Mon, 31 Feb 2024 00:00:00 +0000",
        "Thu, 29 Feb 2023 00:00:00 +0000",
        "Mon, 1 Jan 0001 00:00:00 -2359",
        "Mon, 1 Jan 2024 00:00:00 +999999",
        "Mon, 1 Jan 9999 23:59:60 -9959",
        "Mon, 1 Jan 2024 00:00:00 +2400",
        "Fri, 31 Dec 9999 23:59:59 -0001",
    ] {
        let msg = format!("Received: from a by b; {date}\nDate: {date}\n\nx");
        let report = run(msg.as_bytes()).expect("analysed");
        let hop = &report.hops[0];
        assert_eq!(hop.timestamp, None, "{date}");
        assert_eq!((&hop.date, &hop.date_local), (&None, &None), "{date}");
        assert_eq!(hop.reason.as_deref(), Some("no valid date"), "{date}");
        assert!(hop.raw.ends_with(date), "{date}: raw {:?}", hop.raw);
        let header = report.headers.date.as_ref().expect("Date header");
        assert_eq!(header.value, date);
        assert_eq!((&header.utc, header.timestamp), (&None, None), "{date}");
        assert!(
            report.findings.iter().any(|f| f.rule == "DATE002"),
            "{date}: DATE002 did not fire: {:?}",
            report.findings
        );
    }
    // A leap day, a leap second and the widest offsets exist, and every date read is
    // written back as RFC 3339.
    for date in [
        "Thu, 29 Feb 2024 00:00:00 +0000",
        "Sat, 31 Dec 2016 23:59:60 +0000",
        "Mon, 1 Jan 2024 00:00:00 -2359",
        "Fri, 31 Dec 9999 23:59:59 +2359",
    ] {
        let msg = format!("Received: from a by b; {date}\nDate: {date}\n\nx");
        let report = run(msg.as_bytes()).expect("analysed");
        let hop = &report.hops[0];
        let ts = hop.timestamp.expect(date);
        let utc = hop.date.as_deref().expect(date);
        assert_eq!(
            hopsleuth::date::parse_rfc3339(utc),
            Some(ts),
            "{date}: {utc}"
        );
        let local = hop.date_local.as_deref().expect(date);
        assert_eq!(
            hopsleuth::date::parse_rfc3339(local),
            Some(ts),
            "{date}: {local}"
        );
        assert!(
            !report.findings.iter().any(|f| f.rule == "DATE002"),
            "{date}"
        );
    }
}

#[test]
fn header_values_cannot_inject_lines_into_text_output() {
    let msg = b"Received: from evil (evil [192.0.2.66]) by mx\r\n\tX-Injected: yes; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: hi\rX-Fake: 1\nFrom: a\x1b[31m@example.com\n\nbody";
    let mut report = run(msg).expect("analysed");
    report.source.path = "line\nbreak.eml".into();
    let text = hopsleuth::report::text::render(&report);
    assert!(
        !text.contains('\x1b'),
        "escape sequence reached the terminal"
    );
    assert!(!text.lines().any(|l| l.starts_with("X-Fake")
        || l.starts_with("X-Injected")
        || l.starts_with("break.eml")));
    let json = report.to_json();
    assert!(
        !json.contains('\n') && !json.contains('\r'),
        "NDJSON line must stay one line"
    );
}

/// Characters that reorder or hide text (bidi overrides and isolates, zero-width
/// characters, the byte order mark) and Unicode's line and paragraph separators, put by a
/// sender in every header the text and SpamAssassin outputs show: each reaches them as an
/// escape, never as itself. JSON keeps the value exact (its readers get the characters).
/// (Control characters, C1 included, are spaces already in the report's values.)
#[test]
fn invisible_and_reordering_characters_are_shown_escaped() {
    let hiding = [
        '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}',
        '\u{2060}', '\u{feff}', '\u{2028}', '\u{2029}',
    ];
    for c in hiding {
        let msg = format!(
            "Received: from evil{c}helo (rdns{c}.example [192.0.2.66]) by mx{c}.example.com (Postfix) with ESMTP id ID{c}1 for <u{c}@example.com>; Mon, 1 Jan 2024 00:00:00 +0000\n\
             Received: from [192.0.2.67{c}] (x [192.0.2.67]) by evil{c}helo with SMTP; Mon, 1 Jan 2024 00:00:00 +0000\n\
             From: pay{c}pal <a{c}@example.com>\nSubject: invoice{c}fdp.exe\nReturn-Path: <b{c}@example.com>\n\nbody\n"
        );
        let mut report = run(msg.as_bytes()).expect("analysed");
        report.source.path = format!("dir{c}/1.eml");
        let escape = format!("\\u{{{:x}}}", u32::from(c));
        let text = hopsleuth::report::text::render(&report);
        assert!(!text.contains(c), "{c:?} reached the text output:\n{text}");
        for shown in ["invoice", "pay", "dir", "mx", "evil"] {
            assert!(
                text.contains(&format!("{shown}{escape}")),
                "{c:?}: {shown} not escaped in\n{text}"
            );
        }
        let sa = hopsleuth::report::spamassassin::render(&report);
        assert!(!sa.contains(c), "{c:?} reached the relay lines: {sa}");
        assert_eq!(sa.lines().count(), 2, "{sa}");
        assert!(
            sa.contains(&format!("by=mx{escape}.example.com")),
            "{c:?}: {sa}"
        );
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
        assert_eq!(
            json["headers"]["subject"]["value"],
            format!("invoice{c}fdp.exe")
        );
    }
}

#[test]
fn random_and_truncated_input_never_panics() {
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/gmail-to-postfix.eml"
    ))
    .expect("sample");
    for cut in (0..sample.len()).step_by(7) {
        let _ = run(&sample[..cut]);
    }
    // A small deterministic generator: no dependency, same bytes every run.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2_000 {
        let len = (next() % 600) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                // Mostly header-ish bytes so the parser gets deep, some raw noise.
                let alphabet =
                    b"Received: from by with id for ([]);<>@.:\r\n\t 0123456789abcdefGHI";
                if r % 10 == 0 {
                    (r >> 8) as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        let _ = run(&bytes);
        let _ = received::parse(&bytes, &Limits::default());
    }
}

/// Inputs the fuzzers found crashing, kept so they never come back (tests/fixtures/fuzz/).
#[test]
fn fuzzer_findings_stay_fixed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        let _ = received::parse(&bytes, &Limits::default());
        let _ = run(&bytes);
        let _ = run(&message_with_received(&String::from_utf8_lossy(&bytes)));
        seen += 1;
    }
    assert!(seen > 0, "no fuzz fixtures found");
}
