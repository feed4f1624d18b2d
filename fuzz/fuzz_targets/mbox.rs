//! The mbox splitters: the in-memory one tiles the input in order; the streaming reader the
//! scanner uses never panics, keeps offsets increasing and inside the input, and keeps
//! header blocks within the limit; the scanner's in-place count of a one-message mailbox
//! agrees with the reader.
#![no_main]
use hopsleuth::mbox;
use hopsleuth::scan::reader::MboxReader;
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

    let limit = 512;
    let mut last = None;
    for item in MboxReader::new(std::io::Cursor::new(data), limit) {
        let raw = item.expect("reading from memory cannot fail");
        assert!(raw.offset as usize <= data.len());
        assert!(last.is_none_or(|l| raw.offset > l));
        assert!(raw.header.len() <= limit + 1 + 256 + 1024, "header kept beyond the limit");
        last = Some(raw.offset);
    }

    // The scanner's in-place path for one-message mailbox files counts the body exactly as
    // the streaming reader does.
    if data.starts_with(b"From ")
        && let Some(body_len) = hopsleuth::scan::reader::single_message_body_len(data)
    {
        let all: Vec<_> = MboxReader::new(std::io::Cursor::new(data), usize::MAX / 4)
            .collect::<std::io::Result<_>>()
            .expect("reading from memory cannot fail");
        assert_eq!(all.len(), 1, "one message");
        assert_eq!(all[0].body_len, body_len);
    }
});
