//! The Received parser on arbitrary bytes, with limits small enough to be reached.
#![no_main]
use hopsleuth::{Limits, received};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = received::parse(data, &Limits::default());
    // Every field must be a slice of the input or absent; text conversion must not panic.
    for field in [r.from_name, r.helo, r.rdns, r.by_host, r.with, r.id, r.for_addr] {
        let _ = field.map(hopsleuth::text::field);
    }
    let tight = Limits { max_received_bytes: 64, max_comment_depth: 2, ..Limits::default() };
    let _ = received::parse(data, &tight);
});
