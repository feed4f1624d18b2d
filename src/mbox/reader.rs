//! Reading messages from any input without holding them whole.
//!
//! The header checks need the header block and only the body's length, so a message is
//! read as the start of its header block (bounded by `max_header_bytes`) plus a count of
//! the bytes after it; `--add-header` instead passes those bytes through to its output as
//! they are read. An mbox is read as a stream: a 1 GiB mailbox, or a message with a 1 GiB
//! attachment, costs no more memory than its largest header block. Every byte read counts
//! against `max_message_bytes`, so an endless input ends with an error.

use std::io::{self, BufRead, Write};

/// One message as the reader hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    /// Index inside an mbox (`None` for a single-message input).
    pub index: Option<usize>,
    /// Byte offset of the message in its input.
    pub offset: u64,
    /// The start of the message: the mbox `From ` line (if any) and the header block up to
    /// and including its blank line, at most `max_header_bytes + 1` bytes of it (the `From `
    /// line is bounded alone by the same limit). The splitter decides whether the header
    /// block fits: it may end before (at a line that is no field) or run past the limit.
    pub header: Vec<u8>,
    /// Bytes of the message after `header`, as stored (the blank line before the next
    /// separator belongs to the mailbox and is not counted).
    pub body_len: u64,
    /// `header` stopped at the limit, not at a blank line or the end of the input.
    pub header_truncated: bool,
    /// The first bytes of the body (as stored), when the reader was asked to keep them
    /// ([`Reader::keep_body`]): DKIM needs the body.
    pub body: Option<Vec<u8>>,
    /// The SHA-256 of the message as stored, when the reader was asked to hash
    /// ([`Reader::digest`]).
    pub digest: Option<crate::message::original::StreamDigest>,
}

/// What the input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Messages separated by `From ` lines (see [`crate::mbox`]).
    Mbox,
    /// One message running to the end of the input.
    Single,
}

impl Layout {
    /// The layout of an input that starts with `head`: an mbox when its first line is a
    /// separator (see [`super::is_mbox`]).
    pub fn of(head: &[u8]) -> Layout {
        if super::is_mbox(head) {
            Layout::Mbox
        } else {
            Layout::Single
        }
    }
}

/// Reads bytes at an offset of the input without moving the reader (a file, or memory):
/// how a `Content-Length` is checked before it is believed.
pub type Peek<'p> = Box<dyn Fn(u64, &mut [u8]) -> io::Result<usize> + Send + 'p>;

/// Longest line prefix kept while reading a body: separator detection looks at a line's
/// start only.
const LINE_PREFIX: usize = 256;

/// How a line part read by [`read_line_part`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The newline was read.
    Newline,
    /// `keep` bytes were read; the line goes on.
    Room,
    /// The input ended.
    Eof,
}

fn fill<R: BufRead>(r: &mut R) -> io::Result<&[u8]> {
    loop {
        match r.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    r.fill_buf()
}

/// Appends to `buf` the current line up to its newline or `keep` bytes, whichever comes
/// first, consuming only what it appends.
fn read_line_part<R: BufRead>(r: &mut R, buf: &mut Vec<u8>, keep: usize) -> io::Result<(u64, End)> {
    let mut read = 0u64;
    let mut room = keep;
    loop {
        if room == 0 {
            return Ok((read, End::Room));
        }
        let available = fill(r)?;
        if available.is_empty() {
            return Ok((read, End::Eof));
        }
        let window = &available[..available.len().min(room)];
        if let Some(i) = memchr::memchr(b'\n', window) {
            buf.extend_from_slice(&window[..=i]);
            r.consume(i + 1);
            return Ok((read + i as u64 + 1, End::Newline));
        }
        let n = window.len();
        buf.extend_from_slice(window);
        r.consume(n);
        read += n as u64;
        room -= n;
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// `Content-Length:` in a header block, as mboxcl2 writers (Solaris, mutt) add it.
fn content_length(header: &[u8]) -> Option<u64> {
    // Line starts found with memchr: this runs on every message of every mbox.
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', header).map(|i| i + 1));
    starts.into_iter().find_map(|start| {
        let rest = &header[start..];
        if rest.len() <= 15 || !rest[..15].eq_ignore_ascii_case(b"content-length:") {
            return None;
        }
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        std::str::from_utf8(&line[15..]).ok()?.trim().parse().ok()
    })
}

/// How far a `Content-Length` protects the body from splitting.
#[derive(Debug, Clone, Copy)]
enum Protect {
    /// No length, or a bogus one: every separator splits.
    None,
    /// A length that could not be checked: loose separators inside it do not split,
    /// strict ones do.
    Unchecked(u64),
    /// A length checked to end at a separator or the end of the input: nothing inside it
    /// splits.
    Checked(u64),
}

/// The state of the body being read.
struct Body {
    protect: Protect,
    previous_blank: bool,
    /// Length of the last line when it was blank (given back to the mailbox at a separator).
    trailing_blank: u64,
    /// Bytes of the message after the header kept.
    raw: u64,
}

impl Body {
    /// True when a line starting with `prefix` begins the next message.
    fn is_boundary(&self, prefix: &[u8]) -> bool {
        if !self.previous_blank || !super::is_separator(prefix) {
            return false;
        }
        match self.protect {
            Protect::None => true,
            Protect::Unchecked(len) => self.raw >= len || super::is_strict_separator(prefix),
            Protect::Checked(len) => self.raw >= len,
        }
    }

    fn count(&mut self, line_start: &[u8], n: u64) {
        self.raw += n;
        self.previous_blank = is_blank(line_start) && n == line_start.len() as u64;
        self.trailing_blank = if self.previous_blank { n } else { 0 };
    }
}

/// A separator line already read: the next message starts with it.
struct Pending {
    line: Vec<u8>,
    offset: u64,
    /// The whole line is in `line` (else the rest is still to be read).
    complete: bool,
}

/// Cuts an input into messages. Iterating reads each message's header and counts its body;
/// [`Reader::read_head`] and [`Reader::read_body`] do the two steps apart, so that the body
/// can be copied to an output after the header was looked at.
pub struct Reader<'p, R: BufRead> {
    input: R,
    layout: Layout,
    max_header: usize,
    max_message: u64,
    /// Bytes consumed so far.
    offset: u64,
    index: usize,
    pending: Option<Pending>,
    started: bool,
    /// The input ended, or an error stopped the reading.
    finished: bool,
    /// The body of the message last handed out by `read_head`, still to be read.
    body: Option<Body>,
    peek: Option<Peek<'p>>,
    scratch: Vec<u8>,
    /// Keep this many bytes of each body when iterating (`None`: count them only).
    keep_body: Option<usize>,
    /// Hash each message while reading its body ([`RawMessage::digest`]).
    digest: bool,
}

impl<'a> Reader<'a, io::Cursor<&'a [u8]>> {
    /// Reads an input held in memory (a `Content-Length` is checked against it).
    pub fn in_memory(input: &'a [u8], layout: Layout, max_header: usize, max_message: u64) -> Self {
        let peek: Peek<'a> = Box::new(move |at, buf: &mut [u8]| {
            let start = usize::try_from(at).unwrap_or(usize::MAX).min(input.len());
            let n = buf.len().min(input.len() - start);
            buf[..n].copy_from_slice(&input[start..start + n]);
            Ok(n)
        });
        Reader::new(io::Cursor::new(input), layout, max_header, max_message).with_peek(peek)
    }
}

impl<'p, R: BufRead> Reader<'p, R> {
    /// Reads `input` as `layout`, keeping at most `max_header` bytes of a header block and
    /// reading at most `max_message` bytes of any one message.
    pub fn new(input: R, layout: Layout, max_header: usize, max_message: u64) -> Self {
        Reader {
            input,
            layout,
            max_header,
            max_message,
            offset: 0,
            index: 0,
            pending: None,
            started: false,
            finished: false,
            body: None,
            peek: None,
            scratch: Vec::new(),
            keep_body: None,
            digest: false,
        }
    }

    /// Hashes each message (header block and body as stored) while reading it, for
    /// [`RawMessage::digest`].
    pub fn digest(mut self, on: bool) -> Self {
        self.digest = on;
        self
    }

    /// Keeps the first `cap` bytes of each body the iterator reads in
    /// [`RawMessage::body`] (the rest is counted, as always).
    pub fn keep_body(mut self, cap: usize) -> Self {
        self.keep_body = Some(cap);
        self
    }

    /// Lets the reader look ahead in the input (a file: `read_at`), to check lengths.
    pub fn with_peek(mut self, peek: Peek<'p>) -> Self {
        self.peek = Some(peek);
        self
    }

    fn too_large(&mut self) -> io::Error {
        self.finished = true;
        self.body = None;
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "message at offset {} is over {} bytes (max_message_bytes); the rest of the input is not read",
                self.offset, self.max_message
            ),
        )
    }

    /// Reads the next message's start (see [`RawMessage::header`]); its body is read by
    /// [`Reader::read_body`], which must be called before the next `read_head` (else it is
    /// counted then).
    pub fn read_head(&mut self) -> io::Result<Option<RawMessage>> {
        if self.body.is_some() {
            let mut skipped = RawMessage {
                index: None,
                offset: 0,
                header: Vec::new(),
                body_len: 0,
                header_truncated: false,
                body: None,
                digest: None,
            };
            self.read_body_into(&mut skipped, None)?;
        }
        if self.finished {
            return Ok(None);
        }
        let (mut header, start, first_complete) = match self.pending.take() {
            Some(p) => (p.line, p.offset, p.complete),
            None if !self.started => (Vec::new(), self.offset, false),
            None => return Ok(None),
        };
        self.started = true;
        let index = match self.layout {
            Layout::Mbox => Some(self.index),
            Layout::Single => None,
        };
        self.index += 1;
        // The `From ` line is bounded alone; the header block after it, as the splitter
        // counts it, by the limit plus one byte (so the splitter sees it is over).
        let mut first_len = first_complete.then_some(header.len());
        // A pending separator cut short is continued: its rest is not a line of its own.
        let mut line_start = if first_complete { header.len() } else { 0 };
        let mut ended_blank = false;
        let mut eof = false;
        let mut truncated = false;
        loop {
            let limit = match first_len {
                None => self.max_header.saturating_add(1),
                Some(first) => {
                    let after = if header.starts_with(b"From ") {
                        first
                    } else {
                        0
                    };
                    after.saturating_add(self.max_header).saturating_add(1)
                }
            };
            let room = limit.saturating_sub(header.len());
            if room == 0 {
                truncated = true;
                break;
            }
            let (n, end) = read_line_part(&mut self.input, &mut header, room)?;
            self.offset += n;
            match end {
                End::Newline => {
                    if first_len.is_none() {
                        first_len = Some(header.len());
                    }
                    if is_blank(&header[line_start..]) {
                        ended_blank = true;
                        break;
                    }
                    line_start = header.len();
                }
                End::Room => {
                    truncated = true;
                    break;
                }
                End::Eof => {
                    eof = true;
                    break;
                }
            }
        }
        if header.len() as u64 > self.max_message {
            return Err(self.too_large());
        }
        if eof && header.is_empty() && index.is_some_and(|i| i > 0) {
            self.finished = true;
            return Ok(None);
        }
        if eof {
            self.finished = true;
        } else {
            let protect = if ended_blank {
                self.protection(&header)
            } else {
                Protect::None
            };
            self.body = Some(Body {
                protect,
                // A header cut at the limit goes on in the body: no separator until its
                // blank line.
                previous_blank: ended_blank,
                trailing_blank: 0,
                raw: 0,
            });
        }
        Ok(Some(RawMessage {
            index,
            offset: start,
            header,
            body_len: 0,
            header_truncated: truncated,
            body: None,
            digest: None,
        }))
    }

    /// How far the header's `Content-Length` (if any) protects the body that follows.
    fn protection(&self, header: &[u8]) -> Protect {
        if self.layout == Layout::Single {
            return Protect::None;
        }
        let Some(len) = content_length(header) else {
            return Protect::None;
        };
        let Some(peek) = &self.peek else {
            return Protect::Unchecked(len);
        };
        // From the length's last byte (or the header's blank line): a length past the end
        // of the input then reads nothing, and one that ends it exactly reads one byte.
        let mut ahead = [0u8; LINE_PREFIX + 3];
        let Ok(n) = peek(
            self.offset.saturating_add(len).saturating_sub(1),
            &mut ahead,
        ) else {
            return Protect::Unchecked(len);
        };
        if n == 0 {
            return Protect::None;
        }
        let ahead = &ahead[1..n];
        let next = ahead
            .strip_prefix(b"\r\n")
            .or_else(|| ahead.strip_prefix(b"\n"))
            .unwrap_or(ahead);
        if next.is_empty() || super::is_separator(next) {
            Protect::Checked(len)
        } else {
            Protect::None
        }
    }

    /// Reads the rest of the message `read_head` handed out: counted into `msg.body_len`,
    /// and written as read to `sink` when there is one (the separator of the next message
    /// and nothing else is held back).
    /// With [`Reader::digest`], the message is hashed on the way ([`RawMessage::digest`]).
    pub fn read_body(
        &mut self,
        msg: &mut RawMessage,
        sink: Option<&mut dyn Write>,
    ) -> io::Result<()> {
        if !self.digest || self.body.is_none() {
            return self.read_body_into(msg, sink);
        }
        let mut counted_only = io::sink();
        let inner: &mut dyn Write = match sink {
            Some(out) => out,
            None => &mut counted_only,
        };
        let mut hashing = crate::message::original::Digesting::new(&msg.header, inner);
        let read = self.read_body_into(msg, Some(&mut hashing));
        msg.digest = Some(hashing.finish(msg.header.len() as u64 + msg.body_len));
        read
    }

    fn read_body_into(
        &mut self,
        msg: &mut RawMessage,
        sink: Option<&mut dyn Write>,
    ) -> io::Result<()> {
        let Some(mut body) = self.body.take() else {
            return Ok(());
        };
        let mut counted_only = io::sink();
        let sink: &mut dyn Write = match sink {
            Some(out) => out,
            None => &mut counted_only,
        };
        let budget = self.max_message.saturating_sub(msg.header.len() as u64);
        loop {
            let available = fill(&mut self.input)?;
            if available.is_empty() {
                self.finished = true;
                msg.body_len = body.raw;
                return Ok(());
            }
            // Whole lines inside the buffer are looked at in place.
            let mut used = 0;
            let mut boundary = false;
            if self.layout == Layout::Single {
                used = available.len();
                body.raw += used as u64;
            } else {
                while let Some(nl) = memchr::memchr(b'\n', &available[used..]) {
                    let line = &available[used..=used + nl];
                    let prefix = &line[..line.len().min(LINE_PREFIX)];
                    if body.is_boundary(prefix) {
                        boundary = true;
                        break;
                    }
                    body.count(prefix, line.len() as u64);
                    used += line.len();
                }
            }
            sink.write_all(&available[..used])?;
            self.input.consume(used);
            self.offset += used as u64;
            if body.raw > budget {
                return Err(self.too_large());
            }
            if boundary {
                return self.take_separator(msg, &body);
            }
            if used > 0 {
                continue;
            }
            // A line that crosses the buffer's end: its start decides.
            self.scratch.clear();
            let (n, end) = read_line_part(&mut self.input, &mut self.scratch, LINE_PREFIX)?;
            if n == 0 {
                continue;
            }
            if body.is_boundary(&self.scratch) {
                let line = std::mem::take(&mut self.scratch);
                let offset = self.offset;
                self.offset += n;
                self.pending = Some(Pending {
                    line,
                    offset,
                    complete: end != End::Room,
                });
                msg.body_len = body.raw - body.trailing_blank;
                return Ok(());
            }
            self.offset += n;
            sink.write_all(&self.scratch)?;
            let mut total = n;
            if end == End::Room {
                total += self.pass_rest_of_line(sink, budget.saturating_sub(body.raw))?;
            }
            let start = std::mem::take(&mut self.scratch);
            body.count(&start, total);
            self.scratch = start;
            if body.raw > budget {
                return Err(self.too_large());
            }
        }
    }

    /// The separator line at the reader's position starts the next message: keep it.
    fn take_separator(&mut self, msg: &mut RawMessage, body: &Body) -> io::Result<()> {
        msg.body_len = body.raw - body.trailing_blank;
        let mut line = Vec::new();
        let offset = self.offset;
        let keep = self.max_header.saturating_add(1);
        let (n, end) = read_line_part(&mut self.input, &mut line, keep)?;
        self.offset += n;
        self.pending = Some(Pending {
            line,
            offset,
            complete: end != End::Room,
        });
        Ok(())
    }

    /// Reads the rest of a long line (written to `sink`), at most `budget + 1` bytes of it.
    fn pass_rest_of_line(&mut self, sink: &mut dyn Write, budget: u64) -> io::Result<u64> {
        let mut total = 0u64;
        loop {
            let available = fill(&mut self.input)?;
            if available.is_empty() || total > budget {
                return Ok(total);
            }
            let (n, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            sink.write_all(&available[..n])?;
            self.input.consume(n);
            self.offset += n as u64;
            total += n as u64;
            if done {
                return Ok(total);
            }
        }
    }
}

impl<R: BufRead> Iterator for Reader<'_, R> {
    type Item = io::Result<RawMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        let result = self.read_head().and_then(|head| match head {
            Some(mut msg) => match self.keep_body {
                None => self.read_body(&mut msg, None).map(|()| Some(msg)),
                Some(cap) => {
                    let mut kept = Capped::new(cap);
                    self.read_body(&mut msg, Some(&mut kept)).map(|()| {
                        msg.body = Some(kept.bytes);
                        Some(msg)
                    })
                }
            },
            None => Ok(None),
        });
        match result {
            Ok(msg) => msg.map(Ok),
            Err(e) => {
                self.finished = true;
                self.body = None;
                self.pending = None;
                Some(Err(e))
            }
        }
    }
}

/// A sink that keeps the first `cap` bytes written to it and drops the rest.
#[derive(Debug, Default)]
pub struct Capped {
    /// What was kept.
    pub bytes: Vec<u8>,
    cap: usize,
}

impl Capped {
    /// Keeps at most `cap` bytes.
    pub fn new(cap: usize) -> Self {
        Capped {
            bytes: Vec::new(),
            cap,
        }
    }
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.cap.saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&buf[..buf.len().min(room)]);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// For an mbox in memory that holds one message only (no other line starts with `From `):
/// true, so the message can be analysed in place; false when the reader must decide.
pub fn is_single_message(bytes: &[u8]) -> bool {
    // Built once: building a searcher costs more than searching a small message.
    static SEPARATOR: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = SEPARATOR.get_or_init(|| memchr::memmem::Finder::new(b"\nFrom "));
    match memchr::memchr(b'\n', bytes) {
        Some(first_line_end) => finder.find(&bytes[first_line_end..]).is_none(),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mbox: &[u8]) -> Vec<RawMessage> {
        Reader::in_memory(mbox, Layout::Mbox, 1 << 20, u64::MAX)
            .collect::<io::Result<Vec<_>>>()
            .unwrap()
    }

    /// Reads through a tiny buffer, so that every line crosses the buffer's end, and with
    /// the bodies copied out: the same messages, and the copy is the input.
    fn read_all_streamed(mbox: &[u8], capacity: usize) -> (Vec<RawMessage>, Vec<u8>) {
        let mut reader = Reader::new(
            io::BufReader::with_capacity(capacity, mbox),
            Layout::Mbox,
            1 << 20,
            u64::MAX,
        );
        let mut copy = Vec::new();
        let mut all = Vec::new();
        while let Some(mut msg) = reader.read_head().unwrap() {
            copy.extend_from_slice(&msg.header);
            reader.read_body(&mut msg, Some(&mut copy)).unwrap();
            all.push(msg);
        }
        (all, copy)
    }

    #[test]
    fn messages_offsets_and_bodies_as_stored() {
        let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbody\n>From quoted\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\nx\n";
        let msgs = read_all(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            msgs[0].header,
            b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\n"
        );
        assert_eq!(msgs[0].body_len, b"body\n>From quoted\n".len() as u64);
        assert_eq!(
            msgs[1].offset as usize,
            mbox.windows(8).position(|w| w == b"From b@x").unwrap()
        );
        assert_eq!(msgs[1].index, Some(1));
        assert_eq!(msgs[1].body_len, 2);
        for capacity in [1, 2, 7, 64] {
            let (streamed, copy) = read_all_streamed(mbox, capacity);
            assert_eq!(streamed, msgs, "capacity {capacity}");
            assert_eq!(copy, mbox);
        }
    }

    #[test]
    fn body_text_starting_with_from_does_not_split() {
        let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nHello,\n\nFrom the meeting at 10:00 today:\nnotes\n";
        assert_eq!(read_all(mbox).len(), 1);
    }

    #[test]
    fn checked_content_length_covers_even_strict_separators() {
        let body = b"line\n\nFrom evil@x Mon Jan  1 00:00:00 2024\nSubject: injected\n\nx\n";
        let mut mbox = format!(
            "From a@x Mon Jan  1 00:00:00 2024\nContent-Length: {}\n\n",
            body.len()
        )
        .into_bytes();
        mbox.extend_from_slice(body);
        mbox.extend_from_slice(b"\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\nx\n");
        let msgs = read_all(&mbox);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert_eq!(msgs[0].body_len, body.len() as u64);
        // Without look-ahead (a pipe), the strict separator splits.
        let piped: Vec<_> = Reader::new(&mbox[..], Layout::Mbox, 1 << 20, u64::MAX)
            .collect::<io::Result<_>>()
            .unwrap();
        assert_eq!(piped.len(), 3);
    }

    #[test]
    fn a_bogus_content_length_is_ignored() {
        let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nContent-Length: 99999999999\n\nshort\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\nx\n";
        assert_eq!(read_all(mbox).len(), 2);
        let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nContent-Length: 3\n\nshort\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\nx\n";
        assert_eq!(read_all(mbox).len(), 2);
    }

    #[test]
    fn huge_lines_and_headers_stay_bounded() {
        let mut mbox = b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\n".to_vec();
        mbox.extend(std::iter::repeat_n(b'x', 5 << 20));
        mbox.push(b'\n');
        let msgs = read_all(&mbox);
        assert_eq!(msgs[0].body_len, (5 << 20) + 1);
        let big_header = format!(
            "From a@x Mon Jan  1 00:00:00 2024\nSubject: {}\n\nx\n",
            "y".repeat(3000)
        );
        let msgs: Vec<RawMessage> =
            Reader::new(big_header.as_bytes(), Layout::Mbox, 1000, u64::MAX)
                .map(|m| m.unwrap())
                .collect();
        assert!(msgs[0].header_truncated);
        assert_eq!(msgs[0].header.len(), 34 + 1001);
        assert_eq!(
            msgs[0].header.len() as u64 + msgs[0].body_len,
            big_header.len() as u64
        );
    }

    #[test]
    fn an_endless_input_ends_with_an_error() {
        let endless = io::BufReader::new(io::repeat(b'x'));
        let mut reader = Reader::new(endless, Layout::Single, 1000, 1 << 20);
        let err = reader.next().unwrap().unwrap_err();
        assert!(err.to_string().contains("max_message_bytes"), "{err}");
        assert!(reader.next().is_none());
        let endless_body =
            io::BufReader::new(io::Cursor::new(b"To: a\n\n".to_vec()).chain(io::repeat(b'x')));
        use io::Read;
        let mut reader = Reader::new(endless_body, Layout::Single, 1000, 1 << 20);
        assert!(reader.next().unwrap().is_err());
    }

    #[test]
    fn single_message_check() {
        assert!(is_single_message(
            b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbody\n"
        ));
        assert!(!is_single_message(
            b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nx\n\nFrom b@x Mon Jan  1 00:00:01 2024\n"
        ));
    }
}
