//! Tests of CHAIN005 (`appended_fake_hops.rs`).

use crate::dns::{QType, Rcode};
use crate::rules::Finding;
use crate::test_support::{findings, findings_with_dns, fired, msg};

fn chain005(f: &[Finding]) -> Option<&Finding> {
    f.iter().find(|f| f.rule == "CHAIN005")
}

#[test]
fn hand_appended_sendmail_lines() {
    let m = msg(&[
        "from galangal.org (turmeric.com [104.128.23.115]) by mail.bieberdorf.edu (8.8.5/8.8.5) with SMTP id AA1 for <w@bieberdorf.edu>; Mon, 1 Jan 2024 10:00:00 +0000",
        "from lemongrass.org by galangal.org (8.7.3/8.7.3) id AA2; Mon, 1 Jan 2024 09:59:00 +0000",
        "from graprao.com by lemongrass.org (8.6.4/8.6.4) id AA3; Tue, 2 Jan 2024 09:58:00 +0000",
    ]);
    assert!(fired(&m, "CHAIN005"));
}

#[test]
fn genuine_sender_side_hops_do_not_fire() {
    let m = msg(&[
        "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTPS id 1 for <x@b-corp.com>; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
        "from pc1.a-corp.com (pc1.a-corp.com [10.1.1.5]) by mail.a-corp.com (Postfix) with ESMTPSA id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
    ]);
    assert!(!fired(&m, "CHAIN005"));
}

/// Our server saw a cheaphost.net machine that greeted as fernhill's MX; the line below
/// says fernhill's MX relayed the message from fernhill's Exchange server.
const ENTRY: &str = "from mx.fernhill-holdings.com (vps-77-91-3-14.cheaphost.net [77.91.3.14]) by mx.b-corp.com (Postfix) with ESMTPS id 4ZC1 for <y@b-corp.com>; Tue, 11 Mar 2025 16:48:05 +0000 (UTC)";

fn fernhill(lower: &str) -> String {
    msg(&[ENTRY, lower])
}

#[test]
fn a_contradicted_link_is_decisive_whatever_the_format() {
    let full = "from exch01.fernhill-holdings.com (exch01.fernhill-holdings.com [193.105.22.17]) by mx.fernhill-holdings.com (8.16.1/8.16.1) with ESMTPS id 52BHm1Qx024117 for <y@b-corp.com>; Tue, 11 Mar 2025 17:48:01 +0100 (CET)";
    let no_tz = full.trim_end_matches(" (CET)");
    let no_ip = "from exch01.fernhill-holdings.com by mx.fernhill-holdings.com (8.16.1) id 52BHm1Qx024117; Tue, 11 Mar 2025 17:48:01 +0100";
    for lower in [full, no_tz, no_ip] {
        let f = findings(&fernhill(lower));
        let c = chain005(&f).unwrap_or_else(|| panic!("{lower}: {f:?}"));
        assert_eq!(c.score, super::PROOF_SCORE, "{lower}");
        assert_eq!(c.evidence["basis"], "proof");
        assert_eq!(c.evidence["signals"][0]["signal"], "contradicted-link");
    }
}

#[test]
fn submissions_behind_a_provider_name_are_not_a_relay_claim() {
    // The same HELO/reverse-name difference over an honest server's own hand-offs: an
    // authenticated user, a LAN client, a content filter on loopback, the sender's own
    // address, a client of another domain (a forwarder), a `may be forged` reverse name.
    for lower in [
        "from [192.168.1.23] (unknown [84.112.9.41]) (Authenticated sender: a@fernhill-holdings.com) by mx.fernhill-holdings.com (Postfix) with ESMTPSA id 2; Tue, 11 Mar 2025 17:48:01 +0100 (CET)",
        "from exch01.fernhill-holdings.com (exch01.fernhill-holdings.com [10.12.0.21]) by mx.fernhill-holdings.com (8.16.1/8.16.1) with ESMTP id 2; Tue, 11 Mar 2025 17:48:01 +0100 (CET)",
        "from localhost (localhost [127.0.0.1]) by mx.fernhill-holdings.com (Postfix) with ESMTP id 2; Tue, 11 Mar 2025 17:48:01 +0100 (CET)",
        "from mx.fernhill-holdings.com (mx.fernhill-holdings.com [77.91.3.14]) by mx.fernhill-holdings.com (Postfix) with ESMTP id 2; Tue, 11 Mar 2025 17:48:01 +0100 (CET)",
        "from smtp-out.halvorsen-logistik.de (smtp-out.halvorsen-logistik.de [194.48.122.71]) by mx.fernhill-holdings.com (Postfix) with ESMTPS id 2; Tue, 11 Mar 2025 17:48:01 +0100 (CET)",
    ] {
        assert!(!fired(&fernhill(lower), "CHAIN005"), "{lower}");
    }
    let lower = "from exch01.fernhill-holdings.com (exch01.fernhill-holdings.com [193.105.22.17]) by mx.fernhill-holdings.com (8.16.1/8.16.1) with ESMTPS id 2; Tue, 11 Mar 2025 17:48:01 +0100 (CET)";
    let unsure = msg(&[
        &ENTRY.replace("[77.91.3.14])", "[77.91.3.14] (may be forged))"),
        lower,
    ]);
    assert!(!fired(&unsure, "CHAIN005"));
}

#[test]
fn supporting_marks_never_fire_alone() {
    // Postfix lines without address or (TZ) comment, otherwise consistent: format only.
    let m = msg(&[
        "from srv417.sumac-hosting.net (srv417.sumac-hosting.net [185.12.64.77]) by mx.b-corp.com (Postfix) with ESMTP id 1; Tue, 11 Mar 2025 16:48:07 +0000 (UTC)",
        "from mail.galangal-foods.com by srv417.sumac-hosting.net (Postfix) with ESMTP id 2; Tue, 11 Mar 2025 16:48:04 +0000",
        "from ws12.galangal-foods.com by mail.galangal-foods.com (Postfix) with ESMTP id 3; Tue, 11 Mar 2025 17:48:02 +0100",
    ]);
    assert!(!fired(&m, "CHAIN005"));
}

/// The sender greets as galangal.org, our server sees turmeric.com, and one line below
/// claims to be received by galangal.org's server from a LAN client: alone, that is what
/// an honest server on a provider's address writes too.
fn message() -> String {
    "Delivered-To: y@b-corp.com\n".to_string()
        + &msg(&[
            "from galangal.org (mail.turmeric.com [81.169.145.66]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
            "from pc7.galangal.org (pc7.galangal.org [10.1.1.7]) by mail.galangal.org (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:01 +0000 (UTC)",
        ])
}

fn fired_with(m: &str, helo_answer: (Rcode, &[&str]), domain: Rcode) -> bool {
    chain005(&findings_with_dns(
        m,
        &[
            ("galangal.org", QType::A, helo_answer.0, helo_answer.1),
            ("galangal.org", QType::Mx, domain, &[]),
        ],
    ))
    .is_some()
}

#[test]
fn dns_decides_the_false_helo_name_mark() {
    let m = message();
    let fired = |a| fired_with(&m, a, Rcode::NxDomain);
    assert!(!crate::test_support::fired(&m, "CHAIN005"));
    assert!(fired((Rcode::NxDomain, &[])), "an invented name decides");
    assert!(
        !fired((Rcode::NoError, &["81.169.145.66"])),
        "the name is the sender's"
    );
    assert!(
        !fired((Rcode::NoError, &["81.169.145.200"])),
        "elsewhere: one kind only"
    );
    assert!(!fired((Rcode::ServFail, &[])), "a failure says nothing");
    assert!(
        !fired_with(&m, (Rcode::NxDomain, &[]), Rcode::NoError),
        "an unpublished name in an existing domain is not invented"
    );
    assert!(
        !fired_with(&m, (Rcode::NxDomain, &[]), Rcode::ServFail),
        "nor when the domain's existence is unknown"
    );
}

#[test]
fn dns_clears_a_relay_claim_when_the_helo_name_is_the_senders() {
    // The branch office across the internet: without DNS the link is contradicted; when
    // galangal.org resolves to the sender's address, the HELO was true.
    let m = message().replace("[10.1.1.7]", "[81.169.145.7]");
    assert!(crate::test_support::fired(&m, "CHAIN005"));
    assert!(!fired_with(
        &m,
        (Rcode::NoError, &["81.169.145.66"]),
        Rcode::NoError
    ));
    assert!(fired_with(
        &m,
        (Rcode::NoError, &["81.169.145.200"]),
        Rcode::NoError
    ));
}
