//! Splitting an mbox file into its messages.
//!
//! A message starts at a line beginning `From ` that is at the start of the file or follows
//! a blank line (the mboxrd/mboxo convention; bodies quote their own `From ` lines as
//! `>From `). Messages are borrowed slices; nothing is copied.

/// True when `input` looks like an mbox file: it starts with a `From ` line that has a
/// sender and a date after it, which a lone message's first header never does.
pub fn is_mbox(input: &[u8]) -> bool {
    let Some(line) = input.strip_prefix(b"From ") else {
        return false;
    };
    let end = line
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(line.len());
    let words = line[..end]
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty())
        .count();
    // `From sender Mon Jan  1 00:00:00 2024`: a sender and at least a few date words.
    words >= 3 && is_separator(&input[..5 + end])
}

/// `From sender date` with a time in the date (`00:00:00`): an unquoted body line such as
/// `From the start, ...` after a blank line has no time and does not split the message.
pub fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let has_time = rest.windows(5).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b':'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
    });
    has_time && rest.split(|&b| b == b' ').filter(|w| !w.is_empty()).count() >= 3
}

/// A separator in the strict form mbox writers produce: `From sender Day Mon dd hh:mm:ss
/// yyyy` (ctime date after the sender). Body text that merely starts with `From ` and has a
/// time in it does not have this form.
pub fn is_strict_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    let Some(space) = rest.iter().position(|b| b.is_ascii_whitespace()) else {
        return false;
    };
    let date = &rest[space..];
    crate::date::parse_date(date).is_some_and(|(_, used)| {
        date[used..].trim_ascii().is_empty() || date[used..].starts_with(b" ")
    })
}

/// One message of an mbox: its byte offset in the file and its bytes (`From ` line included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MboxMessage<'a> {
    /// Offset of the `From ` line.
    pub offset: usize,
    /// The message, from its `From ` line up to (not including) the next one.
    pub bytes: &'a [u8],
}

/// Splits an mbox into messages.
pub fn messages(input: &[u8]) -> Vec<MboxMessage<'_>> {
    let mut starts = vec![0];
    let mut pos = 0;
    let mut previous_blank = true;
    while pos < input.len() {
        let end = input[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(input.len(), |i| pos + i + 1);
        let line = &input[pos..end];
        if pos > 0 && previous_blank && is_separator(line) {
            starts.push(pos);
        }
        previous_blank = line == b"\n" || line == b"\r\n";
        pos = end;
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let e = starts.get(i + 1).copied().unwrap_or(input.len());
            MboxMessage {
                offset: s,
                bytes: &input[s..e],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_from_lines_after_blank_lines() {
        let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbody\nFrom here, not a separator\n\nFrom b@x Mon Jan  1 00:00:01 2024\nSubject: 2\n\n>From quoted\n";
        assert!(is_mbox(mbox));
        let msgs = messages(mbox);
        assert_eq!(msgs.len(), 2);
        assert!(msgs[1].bytes.starts_with(b"From b@x"));
        assert_eq!(msgs[1].offset, mbox.len() - msgs[1].bytes.len());
    }

    #[test]
    fn a_message_is_not_an_mbox() {
        assert!(!is_mbox(b"From: a@x\nSubject: y\n\nz"));
        assert!(!is_mbox(b"Received: x\n"));
    }
}
