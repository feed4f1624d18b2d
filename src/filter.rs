//! The mail-filter mode (`analyze --add-header`; procmail, maildrop, a Postfix pipe).
//!
//! Each message comes back out byte for byte, with one `X-Hopsleuth:` header added at the
//! top of its header block (after an mbox `From ` line). The body is copied as it is read,
//! never held. A message that is not mail is passed back unchanged; a read or write
//! failure is a [`Failure`], which the binary turns into `EX_TEMPFAIL` so the mail system
//! keeps the message (see `src/add_header.rs`).
//!
//! A header named `X-Hopsleuth` that arrives with the message is the sender's, not ours: it
//! is renamed `X-Unverified-Hopsleuth` (its value kept, as evidence), so a rule downstream
//! that reads `X-Hopsleuth` only ever reads ours. SpamAssassin removes incoming headers
//! named like its own before adding them; renaming instead keeps what the sender wrote for
//! an analyst.

use crate::mbox::reader::Peek;
use crate::mbox::{Layout, RawMessage, Reader};
use crate::resolver::Dns;
use crate::{AnalyzeError, Options, Report};
use std::io::{self, Read, Write};

/// The header we add.
pub const HEADER: &str = "X-Hopsleuth";
/// The name a sender's own `X-Hopsleuth` header is given.
pub const RENAMED: &str = "X-Unverified-Hopsleuth";

/// What stopped a filter run.
#[derive(Debug)]
pub enum Failure {
    /// The input could not be opened or read.
    Read(String),
    /// The output could not be written.
    Write(io::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Read(e) => f.write_str(e),
            Failure::Write(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                f.write_str("cannot write: the output pipe was closed")
            }
            Failure::Write(e) => write!(f, "cannot write: {e}"),
        }
    }
}

/// Copies `input` to `out` with our header added to each message; `peek` looks ahead in
/// the input when it is a file. A message that cannot be analysed is passed back unchanged
/// and reported to `on_unchanged` (its index in an mbox, and why); Ok(false) then.
pub fn filter(
    mut input: Box<dyn Read + Send + '_>,
    peek: Option<Peek<'_>>,
    out: &mut dyn Write,
    options: &Options,
    dns: Option<&Dns>,
    on_unchanged: &mut dyn FnMut(Option<usize>, &AnalyzeError),
) -> Result<bool, Failure> {
    let read_failure = |e: io::Error| Failure::Read(format!("cannot read: {e}"));
    let mut head = Vec::with_capacity(512);
    input
        .by_ref()
        .take(512)
        .read_to_end(&mut head)
        .map_err(read_failure)?;
    let layout = Layout::of(&head);
    let limits = &options.limits;
    let stream = io::BufReader::with_capacity(64 * 1024, io::Cursor::new(head).chain(input));
    let mut reader = Reader::new(
        stream,
        layout,
        limits.max_header_bytes,
        limits.max_message_bytes,
    );
    if let Some(peek) = peek {
        reader = reader.with_peek(peek);
    }
    let mut all_analysed = true;
    // Reading and writing interleave: an error is a write error when the output failed.
    let mut writing = WriteWatch { out, failed: None };
    while let Some(mut msg) = reader.read_head().map_err(read_failure)? {
        match analyse(&msg, options, dns) {
            Ok(report) => write_with_header(&mut writing, &msg.header, &report, options)
                .map_err(Failure::Write)?,
            Err(e) => {
                on_unchanged(msg.index, &e);
                all_analysed = false;
                writing.write_all(&msg.header).map_err(Failure::Write)?;
            }
        }
        if let Err(e) = reader.read_body(&mut msg, Some(&mut writing)) {
            return Err(match writing.failed.take() {
                Some(write_error) => Failure::Write(write_error),
                None => read_failure(e),
            });
        }
    }
    Ok(all_analysed)
}

/// An output that remembers its failure, to tell a write error from a read error when the
/// reader reports either.
struct WriteWatch<'a> {
    out: &'a mut dyn Write,
    failed: Option<io::Error>,
}

impl Write for WriteWatch<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf).inspect_err(|e| {
            self.failed = Some(io::Error::new(e.kind(), e.to_string()));
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn analyse(msg: &RawMessage, options: &Options, dns: Option<&Dns>) -> Result<Report, AnalyzeError> {
    let prepared = crate::prepare_read(msg, options)?;
    crate::finish_all(vec![Ok(prepared)], options, dns)
        .pop()
        .unwrap_or_else(|| unreachable!("one message in, one report out"))
}

/// Writes a message's header block with our header added at its top (after an mbox `From `
/// line), in the message's own line ending, and any `X-Hopsleuth` field of the sender's
/// renamed.
pub fn write_with_header(
    out: &mut dyn Write,
    header: &[u8],
    report: &Report,
    options: &Options,
) -> io::Result<()> {
    let first_line_end = memchr::memchr(b'\n', header);
    let crlf = first_line_end.is_some_and(|i| i > 0 && header[i - 1] == b'\r');
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let split_at = if header.starts_with(b"From ") {
        first_line_end.map_or(header.len(), |i| i + 1)
    } else {
        0
    };
    out.write_all(&header[..split_at])?;
    if split_at == header.len() && split_at > 0 && !header.ends_with(b"\n") {
        out.write_all(eol)?;
    }
    out.write_all(HEADER.as_bytes())?;
    out.write_all(b": ")?;
    out.write_all(report.filter_header_value().as_bytes())?;
    out.write_all(eol)?;
    let mut at = split_at;
    if let Ok(split) = crate::message::split(header, &options.limits) {
        for field in split
            .fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(HEADER.as_bytes()))
        {
            out.write_all(&header[at..field.offset])?;
            out.write_all(RENAMED.as_bytes())?;
            at = field.offset + field.name.len();
        }
    }
    out.write_all(&header[at..])
}
