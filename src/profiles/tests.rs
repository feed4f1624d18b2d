use super::*;

#[test]
fn every_profile_file_reads() {
    for result in check_all() {
        let p = result.unwrap_or_else(|e| panic!("{e}"));
        assert!(!p.about.trim().is_empty(), "{}: about is empty", p.id);
        assert!(
            !p.address_domains.is_empty() && !p.host_domains.is_empty(),
            "{}: address and host domains",
            p.id
        );
        for net in p.sending.iter().flat_map(|s| &s.networks) {
            assert!(
                !p.internal_networks.contains(net),
                "{}: {net} is both internal and a sending network",
                p.id
            );
        }
    }
    assert_eq!(all().len(), FILES.len());
}

#[test]
fn a_bad_file_is_an_error_naming_it() {
    let e = parse("x.toml", "id = \"x\"").unwrap_err();
    assert!(e.0.starts_with("x.toml: "), "{e}");
    let text = FILES[0].1.replace("checked = ", "chekced = ");
    assert!(parse(FILES[0].0, &text).is_err());
    let text = FILES[0].1.replacen("id = ", "id = \"other\"\nold_id = ", 1);
    assert!(parse(FILES[0].0, &text).is_err());
}

#[test]
fn microsoft_receivers_frontends_and_the_two_names_of_one_host() {
    let m = by_id("microsoft365").expect("microsoft365 profile");
    assert!(
        m.receiver("SN7PR19MB4782.namprd19.prod.outlook.com")
            .is_some()
    );
    assert!(
        m.receiver("HE1EUR01FT029.mail.protection.outlook.com")
            .is_some()
    );
    assert!(m.receiver("mx.example.com").is_none());
    assert!(m.is_frontend("HE1EUR01FT029.mail.protection.outlook.com"));
    assert!(!m.is_frontend("SN7PR19MB4782.namprd19.prod.outlook.com"));
    assert!(
        m.internal_network("2603:10a6:150:b::12".parse().unwrap())
            .is_some()
    );
    assert!(
        m.internal_network("198.51.100.20".parse().unwrap())
            .is_none()
    );
    assert!(m.same_host(
        "GV3P280CA0022.outlook.office365.com",
        "GV3P280CA0022.SWEP280.PROD.OUTLOOK.COM"
    ));
    assert!(m.same_host(
        "HE1EUR01FT029.mail.protection.outlook.com",
        "HE1EUR01FT029.eop-EUR01.prod.protection.outlook.com"
    ));
    assert!(!m.same_host(
        "GV3P280CA0022.outlook.office365.com",
        "GV3P280CA0023.SWEP280.PROD.OUTLOOK.COM"
    ));
    assert_eq!(
        of_address_domain("Hotmail.com").map(|p| p.id.as_str()),
        Some("microsoft365")
    );
}

#[test]
fn google_internal_lines_and_sending_networks() {
    let g = by_id("google").expect("google profile");
    // `Received: by 2002:a05:6504:5d5:b0:2b0:...` (6to4 of 10/8): the receiver is Google's.
    assert!(matches!(
        g.receiver("2002:a05:6504:5d5:b0:2b0:3c4d:5e6f"),
        Some(ReceiverMatch::Literal(_))
    ));
    assert!(g.receiver("mx.google.com").is_some());
    assert!(g.receiver("2001:db8::1").is_none());
    assert!(
        g.sending_network("209.85.220.41".parse().unwrap())
            .is_some()
    );
    assert!(g.sending_network("198.51.100.7".parse().unwrap()).is_none());
    assert_eq!(
        of_authserv_id("mx.google.com").map(|p| p.id.as_str()),
        Some("google")
    );
    assert_eq!(
        of_address_domain("gmail.com").map(|p| p.id.as_str()),
        Some("google")
    );
}
