//! One reader for every command: for any input, the messages `scan` finds in memory, the
//! ones it finds reading the input as a stream (through a buffer so small that lines cross
//! its end), and the ones `--add-header` copies out are the same messages, at the same
//! offsets, with the same header blocks and lengths; the copy is the input. The messages
//! tile the input, and header blocks stay within the limit. The scanner's in-place path for
//! a one-message mailbox agrees with the reader.
#![no_main]
use hopsleuth::mbox::{self, Layout, RawMessage, Reader};
use libfuzzer_sys::fuzz_target;
use std::io;

const MAX_HEADER: usize = 512;

fn streamed(data: &[u8], layout: Layout, capacity: usize) -> (Vec<RawMessage>, Vec<u8>) {
    let mut reader = Reader::new(
        io::BufReader::with_capacity(capacity, data),
        layout,
        MAX_HEADER,
        u64::MAX,
    );
    let (mut all, mut copy) = (Vec::new(), Vec::new());
    while let Some(mut msg) = reader.read_head().expect("reading memory cannot fail") {
        copy.extend_from_slice(&msg.header);
        reader
            .read_body(&mut msg, Some(&mut copy))
            .expect("reading memory cannot fail");
        all.push(msg);
    }
    (all, copy)
}

fuzz_target!(|data: &[u8]| {
    let layout = Layout::of(data);
    let in_memory: Vec<RawMessage> = Reader::in_memory(data, layout, MAX_HEADER, u64::MAX)
        .collect::<io::Result<_>>()
        .expect("reading memory cannot fail");
    let mut last = None;
    for raw in &in_memory {
        assert!(raw.offset as usize <= data.len());
        assert!(last.is_none_or(|l| raw.offset > l), "offsets increase");
        // The `From ` line and the header block after it are each bounded.
        assert!(raw.header.len() <= 2 * (MAX_HEADER + 1), "header kept beyond the limit");
        last = Some(raw.offset);
    }

    // Without look-ahead a Content-Length cannot be checked, so a stream may split where
    // memory does not; with no Content-Length anywhere the two agree exactly.
    let has_length = data
        .windows(15)
        .any(|w| w.eq_ignore_ascii_case(b"content-length:"));
    for capacity in [1, 3, 64, 8192] {
        let (stream, copy) = streamed(data, layout, capacity);
        assert_eq!(copy, data, "the copy is the input (capacity {capacity})");
        if !has_length {
            assert_eq!(stream, in_memory, "capacity {capacity}");
        }
    }

    // The in-memory list tiles the input.
    if layout == Layout::Mbox {
        let messages = mbox::messages(data);
        let mut expected_offset = 0;
        for (m, raw) in messages.iter().zip(&in_memory) {
            assert_eq!(m.offset, expected_offset);
            assert_eq!(m.offset as u64, raw.offset);
            expected_offset += m.bytes.len();
        }
        assert_eq!(expected_offset, data.len());
        assert_eq!(messages.len(), in_memory.len().max(1));
        // The scanner analyses a one-message mailbox in place: then the reader finds one.
        if mbox::reader::is_single_message(data) {
            assert_eq!(in_memory.len(), 1);
            let raw = &in_memory[0];
            assert_eq!(raw.header.len() as u64 + raw.body_len, data.len() as u64);
        }
    }
});
