//! Property tests: arbitrary bytes never make the analysis panic, and a Received header
//! rendered from random fields in each MTA family's own format parses back to those fields.

use hopsleuth::received::{self, Kind, Mta};
use hopsleuth::{Limits, Options, analyze};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let _ = analyze(&bytes, &Options::default());
        let r = received::parse(&bytes, &Limits::default());
        prop_assert_eq!(r.check_borrowed(&bytes), Ok(()));
        if let Ok(split) = hopsleuth::message::split(&bytes, &Limits::default()) {
            prop_assert_eq!(split.check_layout(&bytes), Ok(()));
        }
        let _ = hopsleuth::mbox::messages(&bytes);
    }

    #[test]
    fn header_shaped_bytes_never_panic(text in "(Received: |from |by |with |id |for |\\(|\\)|\\[|\\]|;|<|>|@|\\.|:|[0-9]{1,3}|[a-z]{1,8}| |\r\n|\n\t|\n |\n|\r){0,200}") {
        let bytes = text.as_bytes();
        let _ = analyze(bytes, &Options::default());
        let r = received::parse(bytes, &Limits::default());
        // Fields borrow the input, and an input over the limit is unparsed, saying why.
        prop_assert_eq!(r.check_borrowed(bytes), Ok(()));
        let tight = Limits { max_received_bytes: 64, ..Limits::default() };
        let r = received::parse(bytes, &tight);
        if bytes.len() > 64 {
            prop_assert_eq!(r.status, Some(received::Status::Unparsed));
            prop_assert!(r.reason.is_some());
        }
        if let Ok(split) = hopsleuth::message::split(bytes, &Limits::default()) {
            prop_assert_eq!(split.check_layout(bytes), Ok(()));
        }
    }
}

/// Fields a generated hop carries; each family renders the ones its MTA writes.
#[derive(Debug, Clone)]
struct Fields {
    helo: String,
    rdns: String,
    ip: IpAddr,
    by: String,
    id: String,
    rcpt: String,
    timestamp: i64,
    offset_minutes: i32,
}

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,10}[a-z0-9]"
}

fn host() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(label(), 1..4),
        "(com|net|org|example|de)",
    )
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| IpAddr::V4(Ipv4Addr::from(o))),
        any::<[u16; 8]>()
            .prop_map(|s| IpAddr::V6(Ipv6Addr::from(s)))
            .prop_filter("not v4-mapped", |ip| match ip {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().is_none(),
                IpAddr::V4(_) => true,
            }),
    ]
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        host(),
        host(),
        ip(),
        host(),
        "[A-Z0-9]{8,14}",
        ("[a-z]{1,8}", host()),
        86_400i64..4_102_444_800,
        -720i32..=840,
    )
        .prop_map(
            |(helo, rdns, ip, by, id, (user, domain), timestamp, offset)| Fields {
                helo,
                rdns,
                ip,
                by,
                id,
                rcpt: format!("{user}@{domain}"),
                timestamp,
                offset_minutes: offset - offset % 15,
            },
        )
}

/// RFC 5322 date of `f.timestamp` in the zone `f.offset_minutes`.
fn date(f: &Fields) -> String {
    let local = f.timestamp + i64::from(f.offset_minutes) * 60;
    let rfc = hopsleuth::date::rfc3339_utc(local); // YYYY-MM-DDTHH:MM:SSZ of the local time
    let (y, rest) = rfc.split_at(4);
    let month = &rest[1..3];
    let day = &rest[4..6];
    let time = &rest[7..15];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS[month.parse::<usize>().unwrap_or(1) - 1];
    let sign = if f.offset_minutes < 0 { '-' } else { '+' };
    let off = f.offset_minutes.unsigned_abs();
    format!("{day} {m} {y} {time} {sign}{:02}{:02}", off / 60, off % 60)
}

fn literal(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("[{v4}]"),
        IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
    }
}

/// What a family's line says, so the check knows which fields to expect.
struct Rendered {
    line: String,
    mta: Option<Mta>,
    helo: bool,
    rdns: bool,
    id: bool,
    rcpt: bool,
}

fn render(family: usize, f: &Fields) -> Rendered {
    let d = date(f);
    let (helo, rdns, ip, by, id, rcpt) = (&f.helo, &f.rdns, &f.ip, &f.by, &f.id, &f.rcpt);
    let lit = literal(ip);
    match family {
        0 => Rendered {
            line: format!(
                "from {helo} ({rdns} {lit})\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\tby {by} (Postfix) with ESMTPS id {id}\r\n\tfor <{rcpt}>; {d} (UTC)"
            ),
            mta: Some(Mta::Postfix),
            helo: true,
            rdns: true,
            id: true,
            rcpt: true,
        },
        1 => Rendered {
            line: format!(
                "from {helo} ({rdns} {lit})\n\tby {by} (8.17.1/8.17.1) with ESMTP id {id}\n\tfor <{rcpt}>; {d}"
            ),
            mta: Some(Mta::Sendmail),
            helo: true,
            rdns: true,
            id: true,
            rcpt: true,
        },
        2 => {
            let bare = lit.replace("IPv6:", "");
            Rendered {
                line: format!(
                    "from {rdns} ({bare}:48812 helo={helo})\n\tby {by} with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <a@{helo}>)\n\tid 1tAbCd-000123-4E\n\tfor {rcpt}; {d}"
                ),
                mta: Some(Mta::Exim),
                helo: true,
                rdns: true,
                id: false,
                rcpt: true,
            }
        }
        3 => Rendered {
            line: format!("from {rdns} (HELO {helo}) ({ip})\n  by {by} with SMTP; {d}"),
            mta: Some(Mta::Qmail),
            helo: true,
            rdns: true,
            id: false,
            rcpt: false,
        },
        4 => Rendered {
            line: format!(
                "from {helo} ({ip}) by\n {by} (10.13.178.102) with Microsoft SMTP\n Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n 15.20.7633.15; {d}"
            ),
            mta: Some(Mta::Exchange),
            helo: true,
            rdns: false,
            id: false,
            rcpt: false,
        },
        5 => Rendered {
            line: format!(
                "from {helo} {lit} by {by} (MDaemon PRO v19.0.2) with ESMTP id md50001234567.msg\n\tfor <{rcpt}>; {d}"
            ),
            mta: Some(Mta::Mdaemon),
            helo: true,
            rdns: false,
            id: false,
            rcpt: true,
        },
        _ => Rendered {
            line: format!(
                "from {helo} ({rdns} {lit}) by {by} (OpenSMTPD) with ESMTPS id {}\n\t(TLSv1.3:AEAD-AES256-GCM-SHA384:256:NO)\n\tfor <{rcpt}>; {d}",
                id.to_lowercase()
            ),
            mta: Some(Mta::Opensmtpd),
            helo: true,
            rdns: true,
            id: false,
            rcpt: true,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_family_round_trips(family in 0usize..7, f in fields()) {
        let rendered = render(family, &f);
        let r = received::parse(rendered.line.as_bytes(), &Limits::default());
        let text = |b: Option<&[u8]>| b.map(hopsleuth::text::field);
        prop_assert_eq!(r.mta, rendered.mta, "{}", rendered.line);
        prop_assert_eq!(r.kind, Some(Kind::Smtp));
        prop_assert_eq!(r.ip.map(|i| i.addr), Some(f.ip), "{}", rendered.line);
        prop_assert_eq!(text(r.by_host), Some(f.by.clone()));
        prop_assert_eq!(r.date.map(|d| d.timestamp), Some(f.timestamp), "{}", rendered.line);
        prop_assert_eq!(r.date.map(|d| d.offset_minutes), Some(f.offset_minutes));
        if rendered.helo {
            prop_assert_eq!(text(r.helo), Some(f.helo.clone()), "{}", rendered.line);
        }
        if rendered.rdns {
            prop_assert_eq!(text(r.rdns), Some(f.rdns.clone()), "{}", rendered.line);
        }
        if rendered.id {
            prop_assert_eq!(text(r.id), Some(f.id.clone()));
        }
        if rendered.rcpt {
            prop_assert_eq!(text(r.for_addr), Some(f.rcpt.clone()), "{}", rendered.line);
        }
    }
}
