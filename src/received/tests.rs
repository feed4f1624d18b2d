//! Parser cases per MTA family, written for hopsleuth.

use super::*;

fn p(s: &str) -> Received<'_> {
    parse(s.as_bytes(), &Limits::default())
}

fn s(b: Option<&[u8]>) -> Option<&str> {
    b.map(|b| std::str::from_utf8(b).unwrap())
}

fn ip(r: &Received<'_>) -> Option<String> {
    r.ip.map(|i| i.addr.to_string())
}

#[test]
fn postfix_peer_comes_from_the_receivers_comment() {
    let r = p(
        "from mail.example.org (mail.example.org [192.0.2.25])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\tby mx.example.com (Postfix) with ESMTPS id 4VtKq\r\n\tfor <alice@example.com>; Tue,  4 Jun 2024 10:11:12 +0000 (UTC)",
    );
    assert_eq!(r.mta, Some(Mta::Postfix));
    assert_eq!(s(r.helo), Some("mail.example.org"));
    assert_eq!(s(r.rdns), Some("mail.example.org"));
    assert_eq!(r.rdns_source, Some(RdnsSource::Comment));
    assert_eq!(ip(&r).as_deref(), Some("192.0.2.25"));
    assert_eq!(s(r.by_host), Some("mx.example.com"));
    assert_eq!(s(r.for_addr), Some("alice@example.com"));
    let tls = r.tls.expect("tls");
    assert_eq!(s(tls.version), Some("TLSv1.3"));
    assert_eq!(s(tls.cipher), Some("TLS_AES_256_GCM_SHA384"));
    assert_eq!(
        r.date.map(|d| d.utc_rfc3339()).as_deref(),
        Some("2024-06-04T10:11:12Z")
    );
    assert_eq!(r.status, Some(Status::Full));
}

#[test]
fn an_address_typed_into_helo_never_becomes_the_peer() {
    let r = p(
        "from x (a [6.6.6.6]) (real.example.net [198.51.100.7]) by mx.example.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000",
    );
    assert_eq!(ip(&r).as_deref(), Some("198.51.100.7"));
    assert_eq!(s(r.rdns), Some("real.example.net"));
    assert_eq!(s(r.helo), Some("x (a [6.6.6.6])"));
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with(peer::HELO_TRACE_SYNTAX))
    );
}

#[test]
fn exim_writes_the_reverse_name_first() {
    let r = p(
        "from dsl.example.net ([203.0.113.9]:52313 helo=laptop)\n\tby mx.example.org with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <a@example.net>)\n\tid 1tAbCd-000123-4E\n\tfor b@example.org; Tue, 12 Nov 2024 10:02:14 +0100",
    );
    assert_eq!(r.mta, Some(Mta::Exim));
    assert_eq!(s(r.rdns), Some("dsl.example.net"));
    assert_eq!(r.rdns_source, Some(RdnsSource::FromName));
    assert_eq!(s(r.helo), Some("laptop"));
    assert_eq!(r.ip.and_then(|i| i.port), Some(52313));
    assert_eq!(s(r.envelope_from), Some("a@example.net"));
    assert_eq!(s(r.id), Some("1tAbCd-000123-4E"));
    assert_eq!(
        s(r.tls.and_then(|t| t.cipher)),
        Some("TLS_AES_256_GCM_SHA384")
    );
    assert!(r.auth.is_some());
    // No reverse name: the peer is the literal after `from`.
    let r = p(
        "from [203.0.113.70] (helo=[192.168.1.5]) by mx.example.com with smtp (Exim 4.69) id 1QmC7Y-0001aB-Cd; Thu, 28 Jul 2011 09:01:02 +0100",
    );
    assert_eq!(ip(&r).as_deref(), Some("203.0.113.70"));
    assert_eq!(s(r.helo), Some("[192.168.1.5]"));
    assert_eq!(r.rdns, None);
}

#[test]
fn qmail_lines() {
    let r = p(
        "from unknown (HELO mail.example.net) (198.51.100.23)\n  by mx.example.org with SMTP; 12 Nov 2024 08:15:09 -0000",
    );
    assert_eq!(r.mta, Some(Mta::Qmail));
    assert!(r.rdns_unknown);
    assert_eq!(s(r.helo), Some("mail.example.net"));
    assert_eq!(ip(&r).as_deref(), Some("198.51.100.23"));
    let r = p("(qmail 12345 invoked by uid 1001); 12 Nov 2024 08:15:07 -0000");
    assert_eq!(r.kind, Some(Kind::Local));
    assert_eq!(r.status, Some(Status::Full));
}

#[test]
fn sendmail_forms() {
    let r = p(
        "from mail1.example.com (host66.example.com [192.0.2.66] (may be forged)) by mx.example.org (8.11.6/8.11.6) with ESMTP id h2F0c2x31856 for <jm@example.org>; Sat, 15 Mar 2003 00:38:03 GMT",
    );
    assert_eq!(r.mta, Some(Mta::Sendmail));
    assert_eq!(s(r.rdns), Some("host66.example.com"));
    assert!(r.notes.iter().any(|n| n.contains("may be forged")));
    let r = p(
        "(from alice@localhost)\n\tby host.example.com (8.17.1/8.17.1/Submit) id 454AbG5b012349;\n\tTue, 4 Jun 2024 06:15:00 -0400",
    );
    assert_eq!(r.kind, Some(Kind::Local));
    assert_eq!(s(r.ident), Some("alice"));
    assert_eq!(r.from_name, None);
}

#[test]
fn exchange_and_google() {
    let r = p(
        "from DM6PR11MB4331.namprd11.prod.outlook.com (2603:10b6:5:1d2::14) by\n SA1PR11MB6613.namprd11.prod.outlook.com (2603:10b6:806:254::9) with Microsoft SMTP\n Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n 15.20.7828.19; Tue, 12 Nov 2024 08:15:07 +0000",
    );
    assert_eq!(r.mta, Some(Mta::Exchange));
    assert_eq!(ip(&r).as_deref(), Some("2603:10b6:5:1d2::14"));
    assert_eq!(
        r.by_ip.map(|i| i.to_string()).as_deref(),
        Some("2603:10b6:806:254::9")
    );
    assert_eq!(r.protocol, Some("SMTP"));
    assert_eq!(s(r.tls.and_then(|t| t.version)), Some("TLS1_2"));
    let r = p(
        "from X ([fe80::3c5a:1b2f:9e4d:7a10%12]) by Y ([fe80::1%12]) with mapi id 14.03.0513.000; Tue, 12 Nov 2024 09:15:01 +0100",
    );
    assert_eq!(r.kind, Some(Kind::Local));
    assert_eq!(r.ip.and_then(|i| i.scope), Some(&b"12"[..]));
    let r = p(
        "by 2002:a05:6a10:8f0b:b0:5a4:1c2d:9e7a with SMTP id x1csp123;\n        Tue, 12 Nov 2024 00:15:03 -0800 (PST)",
    );
    assert_eq!(r.mta, Some(Mta::Google));
    assert_eq!(s(r.by_host), Some("2002:a05:6a10:8f0b:b0:5a4:1c2d:9e7a"));
}

#[test]
fn webmail_hand_off_records_the_browser() {
    let r = p(
        "from 203.0.113.77 (SquirrelMail authenticated user carol) by webmail.example.net with HTTP; Tue, 12 Nov 2024 10:02:11 +0100",
    );
    assert_eq!(r.kind, Some(Kind::Http));
    assert_eq!(ip(&r).as_deref(), Some("203.0.113.77"));
    assert_eq!(r.ip_source, Some(IpSource::FromLiteral));
    assert_eq!(r.helo, None);
    assert_eq!(s(r.auth.and_then(|a| a.user)), Some("carol"));
}

#[test]
fn real_corpus_oddities() {
    // Uppercase keywords, no `;` before the date, trailing comment after the date.
    let r = p(
        "FROM a.example.com (b.example.com [192.0.2.1]) BY c.example.com ID 434B ; 11 Oct 2005 01:41:34 -0400",
    );
    assert_eq!(s(r.by_host), Some("c.example.com"));
    assert_eq!(s(r.id), Some("434B"));
    let r = p(
        "from (64.52.135.194 [64.52.135.194]) by mail.example.com with ESMTP id BQB0hUH2 Thu, 20 Feb 2003 16:13:20 -0700 (PST)",
    );
    assert!(r.date.is_some());
    assert_eq!(s(r.id), Some("BQB0hUH2"));
    let r = p(
        "from x by y with SMTP; Mon, 6 Jul 2015 09:01:20 +0000 (UTC)\n\t(envelope-from a@b.example)",
    );
    assert_eq!(s(r.envelope_from), Some("a@b.example"));
}

#[test]
fn what_cannot_be_read_is_marked_with_a_reason() {
    let r = p("; Tue, 23 May 2006 13:06:35 -0400");
    assert_eq!(r.status, Some(Status::Unparsed));
    assert!(r.reason.is_some());
    let r = p("from a by b");
    assert_eq!(r.status, Some(Status::Partial));
    assert_eq!(r.reason.as_deref(), Some("no valid date"));
    let big = format!("from a ({}) by b", "x".repeat(20_000));
    let r = parse(big.as_bytes(), &Limits::default());
    assert_eq!(r.status, Some(Status::Unparsed));
    assert!(r.reason.unwrap().contains("max_received_bytes"));
}
