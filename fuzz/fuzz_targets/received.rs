//! The Received parser on arbitrary bytes, with limits small enough to be reached: every
//! field is a slice of the input or absent, text conversion never panics, and an input over
//! `max_received_bytes` is left unparsed with its reason.
#![no_main]
use hopsleuth::{Limits, received};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = received::parse(data, &Limits::default());
    if let Err(e) = r.check_borrowed(data) {
        panic!("{e}");
    }
    for field in [r.from_name, r.helo, r.rdns, r.by_host, r.with, r.id, r.for_addr] {
        let _ = field.map(hopsleuth::text::field);
    }
    let tight = Limits { max_received_bytes: 64, max_comment_depth: 2, ..Limits::default() };
    let r = received::parse(data, &tight);
    if let Err(e) = r.check_borrowed(data) {
        panic!("{e}");
    }
    if data.len() > 64 {
        assert_eq!(r.status, Some(received::Status::Unparsed));
        assert!(r.reason.is_some());
    }
});
