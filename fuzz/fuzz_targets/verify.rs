//! The authentication verification on any bytes: no panic escapes and nothing is asked
//! (answers come from the empty map; the questions wanted are returned, never looked up),
//! and the Authentication-Results reader on the same bytes as text.
#![no_main]
use hopsleuth::auth::{results, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = verify::Input {
        message: data,
        body: verify::Body::Complete,
        client_ip: Some("192.0.2.1".parse().unwrap()),
        helo: Some("mail.example.org"),
        mail_from: Some("a@example.org"),
        receiver: "mx.example.net",
        delivered_at: Some(1_700_000_000),
    };
    let (verification, wanted) = verify::run(&input, &Default::default());
    assert!(verification.dkim.len() <= verify::MAX_SIGNATURES);
    let _ = wanted;
    let _ = results::parse(&String::from_utf8_lossy(data));
});
