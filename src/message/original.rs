//! The message as it arrived, kept only for the reports a person reads (HTML, Markdown):
//! its header block as written, and a SHA-256 that ties a report to the evidence file.
//!
//! Nothing is kept unless [`crate::Options::keep_original`] asks: a scan of a mailbox
//! neither hashes nor copies what no report shows.

use std::fmt::Write as _;
use std::io::{self, Write};

/// The header block and digest of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// The header block as written (the mbox `From ` line included), up to and without
    /// the blank line that ends it; bytes that are not UTF-8 replaced.
    pub header: String,
    /// Lower-case hex SHA-256 of the first `digest_bytes` bytes of the message as stored.
    pub sha256: String,
    /// How many bytes the digest covers.
    pub digest_bytes: u64,
    /// True when the digest covers the whole message; false when the body was counted
    /// past without being read into memory, so only the header block is hashed.
    pub whole: bool,
}

impl Original {
    /// A message held whole in memory: `header_end` is where its body starts.
    pub fn of_whole(message: &[u8], header_end: usize) -> Original {
        Original {
            header: header_text(&message[..header_end.min(message.len())]),
            sha256: hex(ring::digest::digest(&ring::digest::SHA256, message).as_ref()),
            digest_bytes: message.len() as u64,
            whole: true,
        }
    }
}

/// The header block without its final blank line, as text.
fn header_text(block: &[u8]) -> String {
    let mut end = block.len();
    // The blank line that ends the block belongs to neither the fields nor the body.
    for ending in [&b"\r\n\r\n"[..], b"\n\n", b"\r\r", b"\n\r\n"] {
        if block.ends_with(ending) {
            end = block.len() - ending.len() + ending.len() / 2;
            break;
        }
    }
    let text = &block[..end];
    let text = text
        .strip_suffix(b"\r\n")
        .or_else(|| text.strip_suffix(b"\n"))
        .unwrap_or(text);
    String::from_utf8_lossy(text).into_owned()
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// What a [`Digesting`] sink computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamDigest {
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Bytes hashed.
    pub bytes: u64,
    /// The whole message was hashed.
    pub whole: bool,
}

/// Line-ending bytes at the end of what was written are held back: the blank line before
/// an mbox's next `From ` line belongs to the mailbox, not the message, and only the
/// reader knows at the end how many of them the message keeps.
const HELD_MAX: usize = 16;

/// A sink that hashes a message as the reader writes its body through, passing every
/// byte on to `inner` (the body kept for DKIM, or nothing).
pub struct Digesting<'a> {
    inner: &'a mut dyn Write,
    context: ring::digest::Context,
    hashed: u64,
    held: Vec<u8>,
}

impl<'a> Digesting<'a> {
    /// Starts with the header block already read.
    pub fn new(header: &[u8], inner: &'a mut dyn Write) -> Self {
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        context.update(header);
        Digesting {
            inner,
            context,
            hashed: header.len() as u64,
            held: Vec::new(),
        }
    }

    /// The digest of the first `message_len` bytes (header and body as stored); the bytes
    /// held back past that are the mailbox's.
    pub fn finish(mut self, message_len: u64) -> StreamDigest {
        let wanted = message_len.saturating_sub(self.hashed);
        let take = usize::try_from(wanted)
            .unwrap_or(usize::MAX)
            .min(self.held.len());
        self.context.update(&self.held[..take]);
        let bytes = self.hashed + take as u64;
        StreamDigest {
            sha256: hex(self.context.finish().as_ref()),
            bytes,
            whole: bytes == message_len,
        }
    }
}

impl Write for Digesting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_all(buf)?;
        let run = buf
            .iter()
            .rev()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        if run == buf.len() {
            self.held.extend_from_slice(buf);
        } else {
            self.context.update(&self.held);
            self.hashed += self.held.len() as u64;
            self.held.clear();
            let (body, tail) = buf.split_at(buf.len() - run);
            self.context.update(body);
            self.hashed += body.len() as u64;
            self.held.extend_from_slice(tail);
        }
        if self.held.len() > HELD_MAX {
            let spill = self.held.len() - HELD_MAX;
            self.context.update(&self.held[..spill]);
            self.hashed += spill as u64;
            self.held.drain(..spill);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_hex(bytes: &[u8]) -> String {
        hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
    }

    #[test]
    fn whole_message_digest_is_the_files() {
        let msg = b"Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x\n\nbody\n";
        let end = msg.windows(2).position(|w| w == b"\n\n").unwrap() + 2;
        let o = Original::of_whole(msg, end);
        assert_eq!(o.sha256, sha256_hex(msg));
        // What `sha256sum` prints for an empty input, as a check on the hex.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(o.whole);
        assert_eq!(
            o.header,
            "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x"
        );
    }

    #[test]
    fn streamed_digest_leaves_the_mailbox_blank_line_out() {
        let header = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\n";
        let body = b"line one\n\nline two\n\n";
        let mut sink = io::sink();
        let mut d = Digesting::new(header, &mut sink);
        for chunk in body.chunks(3) {
            d.write_all(chunk).unwrap();
        }
        // The message ends before the last "\n": that one separates it from the next.
        let len = (header.len() + body.len() - 1) as u64;
        let digest = d.finish(len);
        let mut whole = header.to_vec();
        whole.extend_from_slice(&body[..body.len() - 1]);
        assert_eq!(digest.sha256, sha256_hex(&whole));
        assert_eq!(digest.bytes, len);
        assert!(digest.whole);
    }

    #[test]
    fn long_runs_of_line_ends_are_hashed_in_order() {
        let header = b"Subject: x\n\n";
        let body = [b'\n'; 100];
        let mut sink = io::sink();
        let mut d = Digesting::new(header, &mut sink);
        d.write_all(&body).unwrap();
        let len = (header.len() + body.len()) as u64;
        let digest = d.finish(len);
        let mut whole = header.to_vec();
        whole.extend_from_slice(&body);
        assert_eq!(digest.sha256, sha256_hex(&whole));
    }
}
