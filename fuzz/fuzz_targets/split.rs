//! The header/body splitter: fields tile the header block in order (only line endings and
//! the counted stray lines between them), each field is the input's bytes at its offset,
//! and the body runs from its offset to the end.
#![no_main]
use hopsleuth::{Limits, message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(split) = message::split(data, &Limits::default()) {
        if let Err(e) = split.check_layout(data) {
            panic!("{e}");
        }
    }
});
