//! The mbox splitter: messages are contiguous, in order, and cover the input.
#![no_main]
use hopsleuth::mbox;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mbox::is_mbox(data);
    let messages = mbox::messages(data);
    let mut expected_offset = 0;
    for m in &messages {
        assert_eq!(m.offset, expected_offset);
        expected_offset += m.bytes.len();
    }
    assert_eq!(expected_offset, data.len());
});
