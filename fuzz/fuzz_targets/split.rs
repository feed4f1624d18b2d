//! The header/body splitter: fields must tile the header block, offsets stay in bounds.
#![no_main]
use hopsleuth::{Limits, message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(split) = message::split(data, &Limits::default()) {
        assert!(split.body_offset <= data.len());
        assert_eq!(split.body_offset + split.body_len, data.len());
        for f in &split.fields {
            assert!(f.offset + f.raw.len() <= data.len());
        }
    }
});
