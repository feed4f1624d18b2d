//! Mailbox files: telling an mbox from a message, and cutting any input into its messages.
//!
//! Every command reads its input through [`reader::Reader`], so `analyze`, `scan` and
//! `--add-header` see the same messages in the same file. The rules, from the mbox family
//! (mboxo, mboxrd, mboxcl2):
//! - a message starts at a separator line, `From sender date`, at the start of the input or
//!   after a blank line; the blank line before it belongs to the mailbox, not the message;
//! - a separator has a sender and a ctime-like date: a time (`10:00`), a month or day name
//!   and a four-digit year. Body text such as `From the meeting at 10:00 today:` is not
//!   one, even unquoted;
//! - `Content-Length` (mboxcl2) is honoured over any separator it covers when the byte it
//!   points at is the end of the input or a separator: a body can then not inject a message
//!   of its own. A length that points elsewhere is bogus and ignored. When the input cannot
//!   be looked ahead in (a pipe), the length still covers loose separators but a strict one
//!   splits, so a bogus length cannot hide the messages after it;
//! - mboxrd `>From ` lines are left as they are: a message's bytes are counted as stored.

pub mod reader;

pub use reader::{Layout, RawMessage, Reader};

/// True when `input` looks like an mbox file: its first line is a separator, which a lone
/// message's first header never is.
pub fn is_mbox(input: &[u8]) -> bool {
    let end = input
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(input.len());
    is_separator(&input[..end])
}

const MONTHS: [&[u8]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];
const DAYS: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];

/// `From sender date`: after the sender, a time (`hh:mm`), a month or day name and a
/// four-digit year, as every mbox writer's ctime-style date has. Only the line's start is
/// looked at (the first 256 bytes are enough for any real separator).
pub fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let rest = &rest[..rest.len().min(256)];
    let mut words = rest
        .split(|&b| b == b' ' || b == b'\t' || b == b'\r' || b == b'\n')
        .filter(|w| !w.is_empty());
    if words.next().is_none() {
        return false;
    }
    let (mut time, mut name, mut year) = (false, false, false);
    for w in words {
        time |= w.len() >= 5
            && w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b':'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit();
        let lower = w.to_ascii_lowercase();
        name |= w.len() >= 3
            && w[..3].iter().all(u8::is_ascii_alphabetic)
            && (MONTHS.contains(&&lower[..3]) || DAYS.contains(&&lower[..3]));
        year |= w.len() == 4 && w.iter().all(u8::is_ascii_digit);
    }
    time && name && year
}

/// A separator in the strict form mbox writers produce: `From sender Day Mon dd hh:mm:ss
/// yyyy` (a date the date parser reads whole after the sender).
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

/// One message of an mbox in memory: its byte offset and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MboxMessage<'a> {
    /// Offset of the `From ` line.
    pub offset: usize,
    /// The message, from its `From ` line up to (not including) the next one; the blank
    /// line before the next one included, so the messages tile the input.
    pub bytes: &'a [u8],
}

/// Splits an mbox held in memory into messages, exactly where [`Reader`] splits it.
pub fn messages(input: &[u8]) -> Vec<MboxMessage<'_>> {
    let mut starts: Vec<usize> = Reader::in_memory(input, Layout::Mbox, usize::MAX / 4, u64::MAX)
        .filter_map(|m| m.ok())
        .map(|m| usize::try_from(m.offset).unwrap_or(input.len()))
        .collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
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

    #[test]
    fn separators_have_a_ctime_date() {
        for yes in [
            &b"From a@x Mon Jan  1 00:00:00 2024"[..],
            b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011",
            b"From user@example.com Sat, 01 Jan 2022 10:00:00 +0000",
            b"From x Thu Aug 22 13:15:39 EST 2002",
        ] {
            assert!(is_separator(yes), "{}", String::from_utf8_lossy(yes));
        }
        for no in [
            &b"From the meeting at 10:00 today:"[..],
            b"From here, not a separator",
            b"From 10:00 to 11:00 in 2024 we met",
            b"From: a@x",
            b"From ",
        ] {
            assert!(!is_separator(no), "{}", String::from_utf8_lossy(no));
        }
    }
}
