//! Reading messages from files and mboxes without holding them whole.
//!
//! The header checks need the header block and only the body's length, so a message is
//! read as its header block (bounded by `max_header_bytes`) plus a count of body bytes.
//! An mbox is read line by line as a stream: a 1 GiB mailbox, or a message with a 1 GiB
//! attachment, costs no more memory than its largest header block.

use std::io::{self, BufRead, Read};

/// One message as the scanner hands it to the analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    /// Index inside an mbox (`None` for a single-message file).
    pub index: Option<usize>,
    /// Byte offset of the message in its file.
    pub offset: u64,
    /// The header block (with the mbox `From ` line, if any, and the blank line).
    pub header: Vec<u8>,
    /// Body length in bytes, after mboxrd `>From ` unquoting.
    pub body_len: u64,
    /// The header block was longer than the limit; only its start was kept.
    pub header_truncated: bool,
}

/// Longest line prefix kept in memory while reading a body: separator detection and
/// unquoting only look at a line's start.
const LINE_PREFIX: usize = 256;

/// Reads one line, keeping at most `keep` bytes of it in `buf` (cleared first). Returns the
/// line's full length (0 at end of input).
fn read_line_capped<R: BufRead>(r: &mut R, buf: &mut Vec<u8>, keep: usize) -> io::Result<u64> {
    buf.clear();
    let mut total: u64 = 0;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = keep.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        total += n as u64;
        r.consume(n);
        if done {
            return Ok(total);
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// `Content-Length:` in a header block, as written by some mbox writers (Solaris, mutt).
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

/// For an mbox file in memory that holds one message only (no other line starts with
/// `From `): the body length [`MboxReader`] would count, without copying anything. `None`
/// when another `From ` line may start a message, so the reader must decide.
pub fn single_message_body_len(bytes: &[u8]) -> Option<u64> {
    // Searchers built once: building one costs more than searching a small message.
    static FINDERS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 2]> =
        std::sync::OnceLock::new();
    let [separator, quoted_line] = FINDERS.get_or_init(|| {
        [
            memchr::memmem::Finder::new(b"\nFrom "),
            memchr::memmem::Finder::new(b"\n>"),
        ]
    });
    let first_line_end = memchr::memchr(b'\n', bytes)? + 1;
    if separator.find(&bytes[first_line_end..]).is_some() {
        return None;
    }
    // The header block ends with the first blank line, as the reader reads it.
    let mut at = first_line_end;
    let body_start = loop {
        let Some(nl) = memchr::memchr(b'\n', &bytes[at..]) else {
            return Some(0);
        };
        let line = &bytes[at..=at + nl];
        at += nl + 1;
        if is_blank(line) {
            break at;
        }
    };
    // mboxrd: each `>From ` line (any number of `>`) counts one byte less.
    let body = &bytes[body_start..];
    // Only lines that start with `>` can be quoted: jump to them.
    let quoted = std::iter::once(0)
        .chain(quoted_line.find_iter(body).map(|i| i + 1))
        .filter(|&start| {
            let line = &body[start..body.len().min(start + LINE_PREFIX)];
            let arrows = line.iter().take_while(|&&b| b == b'>').count();
            arrows > 0 && line[arrows..].starts_with(b"From ")
        })
        .count();
    Some(body.len() as u64 - quoted as u64)
}

/// Streams the messages of an mbox.
pub struct MboxReader<R: BufRead> {
    input: R,
    max_header: usize,
    /// Bytes consumed so far.
    offset: u64,
    index: usize,
    /// A separator line already read, starting the next message: (line, its offset).
    pending: Option<(Vec<u8>, u64)>,
    started: bool,
    line: Vec<u8>,
}

impl<R: BufRead> MboxReader<R> {
    /// Reads `input`, which starts with a `From ` line.
    pub fn new(input: R, max_header: usize) -> Self {
        MboxReader {
            input,
            max_header,
            offset: 0,
            index: 0,
            pending: None,
            started: false,
            line: Vec::new(),
        }
    }

    fn next_message(&mut self) -> io::Result<Option<RawMessage>> {
        let (first, start) = match self.pending.take() {
            Some(p) => p,
            None if !self.started => {
                self.started = true;
                let n = read_line_capped(&mut self.input, &mut self.line, self.max_header)?;
                if n == 0 {
                    return Ok(None);
                }
                let start = self.offset;
                self.offset += n;
                (std::mem::take(&mut self.line), start)
            }
            None => return Ok(None),
        };
        let mut msg = RawMessage {
            index: Some(self.index),
            offset: start,
            header: first,
            body_len: 0,
            header_truncated: false,
        };
        self.index += 1;

        // Header block, up to and including the blank line.
        loop {
            let room = (self.max_header + 1)
                .saturating_sub(msg.header.len())
                .max(LINE_PREFIX);
            let n = read_line_capped(&mut self.input, &mut self.line, room)?;
            if n == 0 {
                return Ok(Some(msg));
            }
            self.offset += n;
            if (self.line.len() as u64) < n || msg.header.len() > self.max_header {
                msg.header_truncated = true;
            }
            if !msg.header_truncated {
                msg.header.extend_from_slice(&self.line);
            }
            if is_blank(&self.line) {
                break;
            }
        }

        // Body: count bytes until a separator line after a blank line, past Content-Length.
        // Lines inside the reader's buffer are looked at in place (most bodies never need a
        // copy); a line that crosses the buffer's end is read through `read_line_capped`.
        let mut body = Body {
            protected: content_length(&msg.header),
            previous_blank: true,
            trailing_blank: 0,
        };
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let mut used = 0;
            let mut separator: Option<(usize, Vec<u8>)> = None;
            while let Some(nl) = memchr::memchr(b'\n', &available[used..]) {
                let line = &available[used..=used + nl];
                let prefix = &line[..line.len().min(LINE_PREFIX)];
                if body.line(&mut msg, prefix, line.len() as u64) {
                    separator = Some((line.len(), prefix.to_vec()));
                    break;
                }
                used += line.len();
            }
            if let Some((len, line)) = separator {
                self.pending = Some((line, self.offset + used as u64));
                self.offset += (used + len) as u64;
                self.input.consume(used + len);
                return Ok(Some(msg));
            }
            if used > 0 {
                self.offset += used as u64;
                self.input.consume(used);
                continue;
            }
            let n = read_line_capped(&mut self.input, &mut self.line, LINE_PREFIX)?;
            if n == 0 {
                break;
            }
            let line_start = self.offset;
            self.offset += n;
            if body.line(&mut msg, &self.line, n) {
                self.pending = Some((std::mem::take(&mut self.line), line_start));
                return Ok(Some(msg));
            }
        }
        Ok(Some(msg))
    }
}

/// The state of a body being counted.
struct Body {
    /// Content-Length, which protects body lines that merely look like separators.
    protected: Option<u64>,
    previous_blank: bool,
    trailing_blank: u64,
}

impl Body {
    /// Counts one body line of `n` bytes whose start is `prefix`; true when it is the next
    /// message's separator instead (the blank line before it is then taken back).
    fn line(&mut self, msg: &mut RawMessage, prefix: &[u8], n: u64) -> bool {
        // A separator in the strict form always splits, so a bogus length cannot swallow
        // the messages after it.
        let past_length = self.protected.is_none_or(|cl| msg.body_len >= cl);
        if self.previous_blank
            && crate::mbox::is_separator(prefix)
            && (past_length || crate::mbox::is_strict_separator(prefix))
        {
            // The blank line before a separator belongs to the mbox, not the message.
            msg.body_len -= self.trailing_blank;
            return true;
        }
        // mboxrd: `>From ` (any number of `>`) loses one `>`.
        let quoted = prefix.first() == Some(&b'>') && {
            let arrows = prefix.iter().take_while(|&&b| b == b'>').count();
            prefix[arrows..].starts_with(b"From ")
        };
        msg.body_len += n - u64::from(quoted);
        self.previous_blank = is_blank(prefix);
        self.trailing_blank = if self.previous_blank { n } else { 0 };
        false
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = io::Result<RawMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_message().transpose()
    }
}

/// Reads a single-message file's header block and counts the rest: `(header, body_len,
/// truncated)`. Reads at most `max_header + 1` bytes of header.
pub fn read_single<R: Read>(input: R, max_header: usize) -> io::Result<(Vec<u8>, u64, bool)> {
    let mut r = io::BufReader::with_capacity(64 * 1024, input);
    let mut header = Vec::new();
    let mut line = Vec::new();
    let mut truncated = false;
    loop {
        let room = (max_header + 1)
            .saturating_sub(header.len())
            .max(LINE_PREFIX);
        let n = read_line_capped(&mut r, &mut line, room)?;
        if n == 0 {
            return Ok((header, 0, truncated));
        }
        if (line.len() as u64) < n || header.len() > max_header {
            truncated = true;
        }
        if !truncated {
            header.extend_from_slice(&line);
        }
        // A lone CR ends lines in some broken mail; the splitter handles that, so a block
        // without LF at all is read whole up to the limit.
        if is_blank(&line) && !header.is_empty() {
            break;
        }
        if truncated {
            break;
        }
    }
    let mut body_len: u64 = 0;
    let mut sink = [0u8; 64 * 1024];
    loop {
        match r.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => body_len += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok((header, body_len, truncated))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mbox: &[u8]) -> Vec<RawMessage> {
        MboxReader::new(io::Cursor::new(mbox), 1 << 20)
            .collect::<io::Result<Vec<_>>>()
            .unwrap()
    }

    #[test]
    fn messages_offsets_and_unquoting() {
        let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbody\n>From quoted\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\nx\n";
        let msgs = read_all(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            msgs[0].header,
            b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\n"
        );
        assert_eq!(msgs[0].body_len, b"body\nFrom quoted\n".len() as u64);
        assert_eq!(
            msgs[1].offset as usize,
            mbox.windows(8).position(|w| w == b"From b@x").unwrap()
        );
        assert_eq!(msgs[1].index, Some(1));
        assert_eq!(msgs[1].body_len, 2);
    }

    #[test]
    fn single_message_fast_path_counts_as_the_reader_does() {
        for mbox in [
            &b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbody\n>From me\n>>From you\n>not\n"
                [..],
            b"From a@x Mon Jan  1 00:00:00 2024\r\nSubject: 1\r\n\r\nbody\r\n\r\n",
            b"From a@x Mon Jan  1 00:00:00 2024\nSubject: no blank line\n",
            b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\nnot a field\n\nbody",
            b"From a@x Mon Jan  1 00:00:00 2024\n\n",
        ] {
            let msgs = read_all(mbox);
            assert_eq!(msgs.len(), 1);
            assert_eq!(
                single_message_body_len(mbox),
                Some(msgs[0].body_len),
                "{}",
                String::from_utf8_lossy(mbox)
            );
        }
        let two = b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nx\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\ny\n";
        assert_eq!(single_message_body_len(two), None, "the reader decides");
    }

    #[test]
    fn content_length_protects_unquoted_from_lines() {
        let body = b"line\n\nFrom the start of a sentence 10:00:00 in a body\n";
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
    }

    #[test]
    fn a_bogus_content_length_cannot_swallow_later_messages() {
        let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nContent-Length: 99999999999\n\nshort\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\nx\n";
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
        let msgs: Vec<RawMessage> = MboxReader::new(io::Cursor::new(big_header.as_bytes()), 1000)
            .map(|m| m.unwrap())
            .collect();
        assert!(msgs[0].header_truncated);
        assert!(msgs[0].header.len() <= 1001 + LINE_PREFIX);
    }

    #[test]
    fn single_file_reads_only_the_header() {
        let (header, body, truncated) =
            read_single(io::Cursor::new(b"To: a\nSubject: b\n\nhello\n"), 1000).unwrap();
        assert_eq!(header, b"To: a\nSubject: b\n\n");
        assert_eq!(body, 6);
        assert!(!truncated);
    }
}
