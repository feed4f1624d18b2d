//! Splitting a message into its mbox `From ` line, header fields and body.
//!
//! The splitter borrows the input and only records where the body starts: header checks
//! never need the body, so it is never decoded. Line endings may be LF, CRLF or (in broken
//! or hostile input) a lone CR.

pub mod envelope;
pub mod headers;
pub mod original;
pub mod rfc2047;

use crate::limits::Limits;

/// One header field, borrowed from the message.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// The field name as written.
    pub name: &'a [u8],
    /// The raw value after the colon, folding kept, without the final line ending.
    pub value: &'a [u8],
    /// The whole field (name, colon, value), for decoders that want it.
    pub raw: &'a [u8],
    /// Byte offset of the field in the message.
    pub offset: usize,
}

impl Field<'_> {
    /// Case-insensitive name comparison.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// A message split into its parts.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    /// The mbox `From ` line, without its line ending, when the input starts with one.
    pub mbox_from: Option<&'a [u8]>,
    /// Header fields in order, topmost first.
    pub fields: Vec<Field<'a>>,
    /// Byte offset of the body (after the blank line), or the input length.
    pub body_offset: usize,
    /// Body length in bytes.
    pub body_len: usize,
    /// Bytes of the header block.
    pub header_bytes: usize,
    /// Which line endings the header block used.
    pub line_endings: LineEndings,
    /// True when the header block ended without a blank line.
    pub no_separator: bool,
    /// Lines in the header block that were neither fields nor continuations.
    pub stray_lines: usize,
}

/// Line endings seen in the header block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LineEndings {
    /// `\n` alone.
    pub lf: usize,
    /// `\r\n`.
    pub crlf: usize,
    /// `\r` alone.
    pub cr: usize,
}

/// Layout facts about the message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageInfo {
    /// Bytes of the header block.
    pub header_bytes: usize,
    /// Number of header fields.
    pub header_count: usize,
    /// Number of Received headers.
    pub received_count: usize,
    /// Byte offset of the body in the input.
    pub body_offset: usize,
    /// Body length in bytes (never decoded).
    pub body_length: usize,
    /// Line endings seen in the header block.
    pub line_endings: LineEndings,
    /// True when the header block ended without a blank line.
    pub no_separator: bool,
    /// True when some header bytes were not UTF-8 and were decoded lossily.
    pub lossy: bool,
}

/// Why a byte string is not a mail message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// Zero bytes, or only white space.
    #[error("empty input: no header block")]
    Empty,
    /// The first line is not a header field.
    #[error("not a mail message: the first line is not a header field ({0})")]
    NoHeaderBlock(String),
    /// The header block is larger than the limit.
    #[error("header block is over {limit} bytes (max_header_bytes)")]
    HeaderTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// More header fields than the limit.
    #[error("more than {limit} header fields (max_headers)")]
    TooManyHeaders {
        /// The limit in force.
        limit: usize,
    },
}

impl Split<'_> {
    /// Checks the layout this split promises about `input`, the bytes it was made from:
    /// the fields tile the header block in order (each is the bytes at its offset, starts
    /// with its name and ends with its value; between two fields lie only line endings and
    /// the lines counted as stray), and the body runs from its offset to the end. For the
    /// fuzz targets and property tests; `Err` says what is broken.
    pub fn check_layout(&self, input: &[u8]) -> Result<(), String> {
        if self.body_offset + self.body_len != input.len() {
            return Err("the body does not run to the end of the input".into());
        }
        let mut at = self.mbox_from.map_or(0, <[u8]>::len);
        let mut stray = 0;
        // Non-empty lines in a gap between fields: each must be one counted as stray.
        let lines_in = |gap: &[u8]| {
            gap.split(|&b| b == b'\n' || b == b'\r')
                .filter(|l| !l.is_empty())
                .count()
        };
        for f in &self.fields {
            let end = f.offset + f.raw.len();
            if f.offset < at || end > self.body_offset {
                return Err(format!(
                    "field at {} overlaps or leaves the header block",
                    f.offset
                ));
            }
            if input.get(f.offset..end) != Some(f.raw) {
                return Err(format!(
                    "field at {} is not the input's bytes there",
                    f.offset
                ));
            }
            if !f.raw.starts_with(f.name) || !f.raw.ends_with(f.value) {
                return Err(format!("field at {}: name or value outside it", f.offset));
            }
            stray += lines_in(&input[at..f.offset]);
            at = end;
        }
        stray += lines_in(&input[at..self.body_offset]);
        if stray > self.stray_lines {
            return Err(format!(
                "{stray} lines between fields, {} counted as stray",
                self.stray_lines
            ));
        }
        Ok(())
    }
}

/// Splits `input` into header fields and body.
pub fn split<'a>(input: &'a [u8], limits: &Limits) -> Result<Split<'a>, SplitError> {
    if input.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SplitError::Empty);
    }
    let mut pos = 0;
    let mut mbox_from = None;
    if input.starts_with(b"From ") {
        let (line, next, _) = next_line(input, 0);
        mbox_from = Some(line);
        pos = next;
    }
    let header_start = pos;
    // Room for a usual header block without regrowing.
    let mut fields: Vec<Field<'a>> = Vec::with_capacity(64);
    let mut endings = LineEndings::default();
    let mut stray_lines = 0;
    let mut no_separator = true;
    // The field being read: (start offset, name end, value start).
    let mut current: Option<(usize, usize, usize)> = None;
    let mut current_end = pos;

    let close = |fields: &mut Vec<Field<'a>>, cur: (usize, usize, usize), end: usize| {
        let (start, name_end, value_start) = cur;
        fields.push(Field {
            name: &input[start..name_end],
            value: &input[value_start.min(end)..end],
            raw: &input[start..end],
            offset: start,
        });
    };

    while pos < input.len() {
        if pos - header_start > limits.max_header_bytes {
            return Err(SplitError::HeaderTooLarge {
                limit: limits.max_header_bytes,
            });
        }
        let (line, next, ending) = next_line(input, pos);
        match ending {
            Ending::Lf => endings.lf += 1,
            Ending::CrLf => endings.crlf += 1,
            Ending::Cr => endings.cr += 1,
            Ending::None => {}
        }
        if line.is_empty() {
            // The blank line: the body follows.
            no_separator = false;
            if let Some(cur) = current.take() {
                close(&mut fields, cur, current_end);
            }
            pos = next;
            break;
        }
        if matches!(line[0], b' ' | b'\t') {
            if current.is_some() {
                current_end = pos + line.len();
            } else if fields.is_empty() {
                return Err(SplitError::NoHeaderBlock(preview(line)));
            } else {
                stray_lines += 1;
            }
            pos = next;
            continue;
        }
        match field_name_end(line) {
            Some(colon) => {
                if let Some(cur) = current.take() {
                    close(&mut fields, cur, current_end);
                }
                if fields.len() >= limits.max_headers {
                    return Err(SplitError::TooManyHeaders {
                        limit: limits.max_headers,
                    });
                }
                let name_end = pos + trim_end_len(&line[..colon]);
                current = Some((pos, name_end, pos + colon + 1));
                current_end = pos + line.len();
                pos = next;
            }
            None if fields.is_empty() && current.is_none() => {
                return Err(SplitError::NoHeaderBlock(preview(line)));
            }
            None => {
                // A line that is not a field ends the header block: what follows is body.
                break;
            }
        }
    }
    if let Some(cur) = current.take() {
        close(&mut fields, cur, current_end);
    }
    if pos - header_start > limits.max_header_bytes {
        return Err(SplitError::HeaderTooLarge {
            limit: limits.max_header_bytes,
        });
    }
    let body_offset = pos.min(input.len());
    Ok(Split {
        mbox_from,
        header_bytes: body_offset - header_start,
        fields,
        body_offset,
        body_len: input.len() - body_offset,
        line_endings: endings,
        no_separator,
        stray_lines,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Lf,
    CrLf,
    Cr,
    None,
}

/// The line starting at `pos` (without its ending), the offset after it, and its ending.
fn next_line(input: &[u8], pos: usize) -> (&[u8], usize, Ending) {
    let rest = &input[pos..];
    match memchr::memchr2(b'\n', b'\r', rest) {
        None => (rest, input.len(), Ending::None),
        Some(i) if rest[i] == b'\n' => (&rest[..i], pos + i + 1, Ending::Lf),
        Some(i) if rest.get(i + 1) == Some(&b'\n') => (&rest[..i], pos + i + 2, Ending::CrLf),
        Some(i) => (&rest[..i], pos + i + 1, Ending::Cr),
    }
}

/// Position of the colon ending a field name: printable ASCII without space or colon
/// (RFC 5322 ftext), optionally followed by white space before the colon.
fn field_name_end(line: &[u8]) -> Option<usize> {
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    let trimmed = &name[..trim_end_len(name)];
    let valid = !trimmed.is_empty() && trimmed.iter().all(|&b| (33..=126).contains(&b));
    valid.then_some(colon)
}

fn trim_end_len(s: &[u8]) -> usize {
    s.iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1)
}

/// A short, printable rendering of a line for error messages.
fn preview(line: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(&line[..line.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if line.len() > 40 {
        format!("{shown:?}...")
    } else {
        format!("{shown:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_check_catches_a_broken_split() {
        let input = b"From x Mon Jan  1 00:00:00 2024\nA: 1\n stray\nB: 2\n\nbody";
        let good = split_ok(input);
        assert_eq!(good.check_layout(input), Ok(()));
        let mut moved = good.clone();
        moved.fields[1].offset -= 1;
        assert!(moved.check_layout(input).is_err());
        let mut swapped = good.clone();
        swapped.fields.swap(0, 1);
        assert!(swapped.check_layout(input).is_err());
        let mut short = good.clone();
        short.body_len -= 1;
        assert!(short.check_layout(input).is_err());
        let mut uncounted = good;
        uncounted.fields.remove(1);
        assert!(
            uncounted.check_layout(input).is_err(),
            "B: 2 is neither a field nor stray"
        );
    }

    fn split_ok(s: &[u8]) -> Split<'_> {
        split(s, &Limits::default()).unwrap()
    }

    #[test]
    fn folded_fields_and_body() {
        let m = b"Received: from a\r\n\tby b; Mon\r\nSubject: hi\r\n\r\nbody\r\n";
        let s = split_ok(m);
        assert_eq!(s.fields.len(), 2);
        assert_eq!(s.fields[0].value, b" from a\r\n\tby b; Mon");
        assert_eq!(s.fields[1].name, b"Subject");
        assert_eq!(&m[s.body_offset..], b"body\r\n");
        assert_eq!(s.line_endings.crlf, 4);
        assert!(!s.no_separator);
    }

    #[test]
    fn mbox_from_line_and_cr_only() {
        let s = split_ok(b"From a@b Mon Jan  1 00:00:00 2024\rTo: x\rSubject: y\r\rbody");
        assert_eq!(s.mbox_from, Some(&b"From a@b Mon Jan  1 00:00:00 2024"[..]));
        assert_eq!(s.fields.len(), 2);
        assert_eq!(s.line_endings.cr, 3);
        assert_eq!(s.body_len, 4);
    }

    #[test]
    fn rejects_what_is_not_mail() {
        let l = Limits::default();
        assert_eq!(split(b"", &l).unwrap_err(), SplitError::Empty);
        assert!(matches!(
            split(b"\x7fELF\x02\x01", &l),
            Err(SplitError::NoHeaderBlock(_))
        ));
        assert!(matches!(
            split(b"hello world\n", &l),
            Err(SplitError::NoHeaderBlock(_))
        ));
        let small = Limits {
            max_header_bytes: 10,
            ..l
        };
        assert!(matches!(
            split(b"Subject: a long subject line\n\nx", &small),
            Err(SplitError::HeaderTooLarge { .. })
        ));
    }

    #[test]
    fn missing_separator_ends_at_first_non_field() {
        let s = split_ok(b"To: x\nSubject: y\nthis is body text\nmore\n");
        assert_eq!(s.fields.len(), 2);
        assert!(s.no_separator);
        assert_eq!(s.body_len, b"this is body text\nmore\n".len());
    }
}
