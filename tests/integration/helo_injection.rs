//! HELO injection: a client can type trace syntax into its HELO (comments, brackets,
//! quotes, `by` and `from`, planted addresses, a `;` and a date), and the receiver writes it
//! into its Received line as is. Whatever it types, the parsed peer address is the one the
//! receiver recorded, or none, never an address the client planted.
//!
//! Each case renders one HELO in one family's format, as that MTA writes it, with the real
//! peer address where the family records it; the receiver's own marks (its `by` comment,
//! its id) are part of the format, as they are in real mail.

use hopsleuth::Limits;
use hopsleuth::received::{self, HELO_TRACE_SYNTAX};
use proptest::prelude::*;
use std::net::IpAddr;

/// The addresses a client plants; the real peers are from other ranges.
const PLANTED: [&str; 5] = [
    "6.6.6.6",
    "7.7.7.7",
    "8.8.8.8",
    "9.9.9.9",
    "2001:db8:666::6",
];
/// A reverse name a client plants.
const PLANTED_NAME: &str = "planted.example";

/// Pieces of a HELO: names, planted addresses in every written form, trace syntax.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "x",
        "mail.example.org",
        " ",
        "[6.6.6.6]",
        "(a [6.6.6.6])",
        "(planted.example [7.7.7.7])",
        "(unknown [7.7.7.7])",
        "6.6.6.6",
        "(6.6.6.6)",
        "([8.8.8.8])",
        "(bob@8.8.8.8)",
        "bob@[8.8.8.8]",
        "([9.9.9.9] helo=x)",
        "([9.9.9.9]:25 helo=x ident=y)",
        "[9.9.9.9]:25",
        "[IPv6:2001:db8:666::6]",
        "(planted.example [IPv6:2001:db8:666::6])",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "\\",
        " by ",
        " by mx.fake.example ",
        " by (unknown [7.7.7.7]) ",
        " from ",
        " from planted.example ",
        " with ESMTP ",
        " id X1 ",
        " via proxy ",
        " for <a@example.org> ",
        ";",
        "; Mon, 1 Jan 2024 00:00:00 +0000",
        "(HELO y)",
        "(EHLO y)",
        "helo=",
        "verified",
        "claiming to be \"",
        "(Postfix)",
        "(Exim 4.96)",
        "(CommuniGate Pro SMTP 6.3)",
        "(authenticated)",
        "(may be forged)",
    ])
}

fn helo() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..8).prop_map(|p| p.concat())
}

const DATE: &str = "Mon, 1 Jan 2024 10:00:00 +0000";

/// Each family's line, with `{helo}`, `{ip}` (as the family writes the peer) and `{rdns}`.
const FORMATS: [(&str, &str); 17] = [
    (
        "postfix",
        "from {helo} ({rdns} [{ip}])\r\n\tby mx.example.com (Postfix) with ESMTP id 4AbCd\r\n\tfor <alice@example.com>; {date} (UTC)",
    ),
    (
        "postfix-unknown-tls",
        "from {helo} (unknown [{ip}])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\t(No client certificate requested)\r\n\tby mx.example.com (Postfix) with ESMTPS id 4AbCd; {date} (UTC)",
    ),
    (
        "sendmail",
        "from {helo} ({rdns} [{ip}])\r\n\tby mx.example.com (8.17.1/8.17.1) with ESMTP id 41AAbC01; {date}",
    ),
    (
        "sendmail-may-be-forged",
        "from {helo} ({rdns} [{ip}] (may be forged))\r\n\tby mx.example.com (8.17.1/8.17.1) with ESMTP id 41AAbC01; {date}",
    ),
    (
        "exim",
        "from {rdns} ([{ip}]:4321 helo={helo})\r\n\tby mx.example.com with esmtp (Exim 4.96)\r\n\t(envelope-from <a@example.org>)\r\n\tid 1tAbCd-0000000AbC1-4E5F; {date}",
    ),
    (
        "exim-no-rdns",
        "from [{ip}] (port=4321 helo={helo})\r\n\tby mx.example.com with esmtp (Exim 4.96)\r\n\tid 1tAbCd-0000000AbC1-4E5F; {date}",
    ),
    (
        "qmail",
        "from {rdns} (HELO {helo}) ({ip})\n  by mx.example.com with SMTP; {date}",
    ),
    (
        "communigate",
        "from [{ip}] (HELO {helo})\r\n  by mx.example.com (CommuniGate Pro SMTP 6.3.19)\r\n  with ESMTP id 4620001; {date}",
    ),
    (
        "exchange",
        "from {helo} ({ip}) by mx.example.com (10.0.0.5) with Microsoft SMTP Server id 15.1.2507.6; {date}",
    ),
    (
        "ironport",
        "from {rdns} (HELO {helo}) ([{ip}])\r\n  by mx.example.com with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384; {date}",
    ),
    (
        "obtuse",
        "from {rdns}({ip}), claiming to be \"{helo}\"\n via SMTP by mx.example.com, id smtpdAbC12; {date}",
    ),
    (
        "yahoo",
        "from {rdns} (EHLO {helo}) ({ip})\r\n  by mta1.mail.yahoo.com with SMTP; {date}",
    ),
    (
        "gmx",
        "from {rdns} (EHLO {helo}) [{ip}]\r\n  by mail.gmx.net (mp010) with SMTP; {date}",
    ),
    (
        "openwave",
        "from {helo} ([{ip}]) by mta01.example.net (InterMail vM.8.04.03.22 201-2389-100-172-20151028) with ESMTP id <20240101.AB12@mta01.example.net>; {date}",
    ),
    (
        "momentum",
        "from [{ip}] ([{ip}]:41254 helo={helo}) by mta.example.com (ecelerity 4.3.1.999 r(44583)) with ESMTP id EE/20-30863-33CE1054; {date}",
    ),
    (
        "unmarked",
        "from {helo} ({rdns} [{ip}]) by mx.example.com with ESMTP id 4AbCd; {date}",
    ),
    (
        "mdaemon",
        "from {helo} [{ip}] by mx.example.com (MDaemon PRO v24.0.0) with ESMTP id md5001; {date}",
    ),
];

/// The real peers: one IPv4, one IPv6.
const PEERS: [&str; 2] = ["192.0.2.25", "2001:db8:25::1"];

fn render(format: &str, helo: &str, peer: &str) -> String {
    // MTAs that bracket the peer write IPv6 with its `IPv6:` tag.
    let bracketed = format.contains("[{ip}]");
    let ip = if bracketed && peer.contains(':') {
        format!("IPv6:{peer}")
    } else {
        peer.to_string()
    };
    format
        .replace("{helo}", helo)
        .replace("{rdns}", "real.example.net")
        .replace("{ip}", &ip)
        .replace("{date}", DATE)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// No HELO makes a planted address the peer, in any family's format.
    #[test]
    fn a_planted_address_is_never_the_peer(
        helo in helo(),
        family in 0..FORMATS.len(),
        peer in 0..PEERS.len(),
    ) {
        let (name, format) = FORMATS[family];
        let line = render(format, &helo, PEERS[peer]);
        let r = received::parse(line.as_bytes(), &Limits::default());
        let real: IpAddr = PEERS[peer].parse().expect("peer");
        if let Some(ip) = r.ip {
            prop_assert!(
                ip.addr == real,
                "[{name}] the peer is {} (planted: {}), not {real}\n  HELO {helo:?}\n  {line}\n  notes {:?}",
                ip.addr,
                PLANTED.iter().any(|p| p.parse::<IpAddr>().ok() == Some(ip.addr)),
                r.notes
            );
        }
        if let Some(rdns) = r.rdns {
            prop_assert!(
                rdns != PLANTED_NAME.as_bytes(),
                "[{name}] the reverse name is the planted {PLANTED_NAME}\n  HELO {helo:?}\n  {line}"
            );
        }
    }
}

/// Without trace syntax, every format gives the real peer (the property above is not met by
/// reading no address at all), and a HELO with trace syntax says so in a note.
#[test]
fn a_plain_helo_gives_the_peer_and_trace_syntax_is_noted() {
    let limits = Limits::default();
    for (name, format) in FORMATS {
        for peer in PEERS {
            let line = render(format, "client.example.org", peer);
            let r = received::parse(line.as_bytes(), &limits);
            let real: IpAddr = peer.parse().expect("peer");
            assert_eq!(r.ip.map(|i| i.addr), Some(real), "[{name}] {line}");
            assert!(
                !r.notes.iter().any(|n| n.starts_with(HELO_TRACE_SYNTAX)),
                "[{name}] a plain HELO is noted as trace syntax: {:?}",
                r.notes
            );
        }
        // The two cases, in this family's format.
        for helo in ["x (a [6.6.6.6]) by", "x (y [6.6.6.6]"] {
            let line = render(format, helo, PEERS[0]);
            let r = received::parse(line.as_bytes(), &limits);
            assert!(
                r.ip.is_none_or(|i| i.addr.to_string() == PEERS[0]),
                "[{name}] {line}: {:?}",
                r.ip
            );
            if !matches!(name, "qmail") {
                assert!(
                    r.notes.iter().any(|n| n.starts_with(HELO_TRACE_SYNTAX)),
                    "[{name}] {line}: no note in {:?}",
                    r.notes
                );
            }
        }
    }
}
