//! Lenient RFC 5322 date parsing, as dates are really written in Received and Date headers.
//!
//! Accepts the RFC form (`Tue, 29 Aug 2023 16:20:12 +0000`), obsolete zones (`GMT`, `EST`,
//! `UT`), a missing day name, missing seconds, two-digit years, a missing zone, fractional
//! seconds (`07:53:55.516`), and the ctime form (`Fri Feb 07 10:18:12 2003 -0800`,
//! `Fri Sep 14 14:36:56 EDT 2018`). Trailing text (`(PDT)`, comments) is left unread: the
//! parser reports how many bytes it used so the caller can go on after the date.
//!
//! Every date read can be written in RFC 3339 (years 1970 to 9999 in local time and in
//! UTC, offsets within ±23:59); one that cannot (`+2400`, `-9959`, `+999999`, a UTC
//! instant in year 10000) is no date at all, and the caller keeps its raw text.

use serde::Serialize;

/// A parsed date: the instant in UTC plus the offset that was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParsedDate {
    /// Seconds since the Unix epoch (UTC).
    pub timestamp: i64,
    /// The UTC offset as written, in minutes east of UTC (`-0700` is -420).
    pub offset_minutes: i32,
    /// False when no zone was written and UTC was assumed.
    pub zone_given: bool,
    /// Calendar fields as written (local time).
    pub year: i64,
    /// Month 1-12.
    pub month: u32,
    /// Day of month 1-31.
    pub day: u32,
    /// Hour 0-23.
    pub hour: u32,
    /// Minute 0-59.
    pub minute: u32,
    /// Second 0-60.
    pub second: u32,
}

impl ParsedDate {
    /// RFC 3339 in UTC, e.g. `2023-08-29T16:20:12Z`.
    pub fn utc_rfc3339(&self) -> String {
        rfc3339_utc(self.timestamp)
    }

    /// RFC 3339 with the offset that was written, e.g. `2023-08-29T09:20:12-07:00`.
    pub fn local_rfc3339(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let off = self.offset_minutes.unsigned_abs();
        let mut out = datetime(
            self.year,
            [self.month, self.day, self.hour, self.minute, self.second],
        );
        out.push(sign);
        push2(&mut out, off / 60);
        out.push(':');
        push2(&mut out, off % 60);
        out
    }
}

/// Folding white space: space, tab and the CR and LF of a folded line. The date reader
/// keeps its own copy so that it depends on no header parser (the Received lexer splits
/// words on the same bytes).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Years outside this range are not dates any MTA wrote; rejecting them keeps arithmetic
/// far from overflow whatever a crafted header says.
const MIN_YEAR: i64 = 1970;
const MAX_YEAR: i64 = 9999;
/// The last second RFC 3339 can write (9999-12-31T23:59:59Z): a local date late on the
/// last day of 9999 with a negative offset falls in year 10000 in UTC, and is refused.
const MAX_TIMESTAMP: i64 = 253_402_300_799;
/// The largest offset RFC 3339 can write, in minutes (`+23:59`).
const MAX_OFFSET_MINUTES: i32 = 23 * 60 + 59;

/// What stands where a zone may be written.
enum Zone {
    /// An offset, in minutes east of UTC.
    Offset(i32),
    /// No zone: the text there is something else, left unread.
    Absent,
    /// A numeric zone no date can have (`+2400`, `-9959`, `+999999`): the date is invalid.
    Invalid,
}

/// Parses a date at the start of `input` (leading white space and a day name allowed).
/// Returns the date and the number of bytes consumed, or `None` when no date is there.
pub fn parse_date(input: &[u8]) -> Option<(ParsedDate, usize)> {
    let mut cur = Cursor { s: input, pos: 0 };
    cur.skip_space();
    // Optional day name, with or without a comma.
    let save = cur.pos;
    let mut ctime_style = false;
    if let Some(word) = cur.alpha_word() {
        if day_name(word) {
            cur.skip_space();
            if cur.peek() == Some(b',') {
                cur.pos += 1;
            } else if cur.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
                ctime_style = true;
            }
        } else if month_number(word).is_some() {
            // `Feb 07 10:18:12 2003`: ctime without the day name.
            cur.pos = save;
            ctime_style = true;
        } else {
            return None;
        }
    }
    cur.skip_space();

    let (day, month, mut year, year_given_first);
    if ctime_style {
        month = month_number(cur.alpha_word()?)?;
        cur.skip_space();
        day = cur.number(2)? as u32;
        cur.skip_space();
        year = 0;
        year_given_first = false;
    } else {
        day = cur.number(2)? as u32;
        cur.skip_sep();
        month = month_number(cur.alpha_word()?)?;
        cur.skip_sep();
        let (y, digits) = cur.number_with_len(4)?;
        year = normalise_year(y, digits);
        year_given_first = true;
        cur.skip_space();
    }

    let hour = cur.number(2)? as u32;
    cur.expect(b':')?;
    let minute = cur.number(2)? as u32;
    let mut second = 0;
    if cur.peek() == Some(b':') {
        cur.pos += 1;
        second = cur.number(2)? as u32;
        // Fractional seconds, as some MTAs write them.
        if cur.peek() == Some(b'.') {
            cur.pos += 1;
            while cur.peek().is_some_and(|b| b.is_ascii_digit()) {
                cur.pos += 1;
            }
        }
    }
    let after_time = cur.pos;
    cur.skip_space();

    let mut offset = None;
    if !year_given_first {
        // ctime: the zone may come before or after the year.
        match cur.zone() {
            Zone::Offset(z) => {
                offset = Some(z);
                cur.skip_space();
            }
            Zone::Absent => {}
            Zone::Invalid => return None,
        }
        let (y, digits) = cur.number_with_len(4)?;
        year = normalise_year(y, digits);
        let after_year = cur.pos;
        cur.skip_space();
        if offset.is_none() {
            match cur.zone() {
                Zone::Offset(z) => offset = Some(z),
                Zone::Absent => cur.pos = after_year,
                Zone::Invalid => return None,
            }
        }
    } else {
        match cur.zone() {
            Zone::Offset(z) => offset = Some(z),
            Zone::Absent => cur.pos = after_time,
            Zone::Invalid => return None,
        }
    }

    Some((
        checked_date(year, [month, day, hour, minute, second], offset)?,
        cur.pos,
    ))
}

/// The date of these parts, when it is one (a real day, a time of day, a year an MTA can
/// have written, a timestamp RFC 3339 can write); `offset` in minutes east of UTC.
fn checked_date(year: i64, parts: [u32; 5], offset: Option<i32>) -> Option<ParsedDate> {
    let [month, day, hour, minute, second] = parts;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) || day > days_in_month(year, month) {
        return None;
    }
    let offset_minutes = offset.unwrap_or(0);
    let local = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    let timestamp = local - i64::from(offset_minutes) * 60;
    if timestamp > MAX_TIMESTAMP {
        return None;
    }
    Some(ParsedDate {
        timestamp,
        offset_minutes,
        zone_given: offset.is_some(),
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// AOL's and Yahoo's QMQP relays: `Aug, 22 2002 8:02:13 AM +0400` (month first, a comma,
/// a 12-hour clock).
fn parse_month_first_12h(mut cur: Cursor<'_>) -> Option<(ParsedDate, usize)> {
    let month = month_number(cur.alpha_word()?)?;
    cur.expect(b',')?;
    cur.skip_space();
    let day = cur.number(2)? as u32;
    cur.skip_space();
    let year = cur.number(4)?;
    cur.skip_space();
    let hour = cur.number(2)? as u32;
    cur.expect(b':')?;
    let minute = cur.number(2)? as u32;
    cur.expect(b':')?;
    let second = cur.number(2)? as u32;
    cur.skip_space();
    let pm = match cur.alpha_word()? {
        w if w.eq_ignore_ascii_case(b"AM") => false,
        w if w.eq_ignore_ascii_case(b"PM") => true,
        _ => return None,
    };
    if !(1..=12).contains(&hour) {
        return None;
    }
    let hour = hour % 12 + if pm { 12 } else { 0 };
    with_optional_zone(cur, year, [month, day, hour, minute, second])
}

/// A date as a trace line writes it: [`parse_date`]'s forms, the year-first form some MTAs
/// write in Received headers, and AOL's month-first 12-hour form (never valid in a Date
/// header, which keeps to RFC 5322).
pub fn parse_trace_date(input: &[u8]) -> Option<(ParsedDate, usize)> {
    let start = input.iter().take_while(|&&b| is_space(b)).count();
    let at = Cursor {
        s: input,
        pos: start,
    };
    if iso_date_ahead(&input[start..]) {
        return parse_iso_date(at);
    }
    parse_date(input).or_else(|| parse_month_first_12h(at))
}

/// `2024-03-15 10:30:00`: a date written year first (SendGrid's filters write Go's
/// `time.String()`, `2024-03-15 10:30:00.123456789 +0000 UTC m=+0.1`).
fn iso_date_ahead(s: &[u8]) -> bool {
    s.len() >= 11
        && s[..4].iter().all(u8::is_ascii_digit)
        && s[4] == b'-'
        && s[5..7].iter().all(u8::is_ascii_digit)
        && s[7] == b'-'
        && s[8..10].iter().all(u8::is_ascii_digit)
        && matches!(s[10], b' ' | b'T')
}

/// Reads a year-first date at the cursor (checked by [`iso_date_ahead`]): date, time with
/// optional fractional seconds, and a numeric zone (a zone name after it is left unread).
fn parse_iso_date(mut cur: Cursor<'_>) -> Option<(ParsedDate, usize)> {
    let year = cur.number(4)?;
    cur.expect(b'-')?;
    let month = cur.number(2)? as u32;
    cur.expect(b'-')?;
    let day = cur.number(2)? as u32;
    cur.pos += 1;
    let hour = cur.number(2)? as u32;
    cur.expect(b':')?;
    let minute = cur.number(2)? as u32;
    cur.expect(b':')?;
    let second = cur.number(2)? as u32;
    if cur.peek() == Some(b'.') {
        cur.pos += 1;
        while cur.peek().is_some_and(|b| b.is_ascii_digit()) {
            cur.pos += 1;
        }
    }
    with_optional_zone(cur, year, [month, day, hour, minute, second])
}

/// The date of `parts` with the numeric zone at the cursor, or with none (the text there,
/// a zone name or anything else, left unread): the date and the bytes consumed.
fn with_optional_zone(
    mut cur: Cursor<'_>,
    year: i64,
    parts: [u32; 5],
) -> Option<(ParsedDate, usize)> {
    let after_time = cur.pos;
    cur.skip_space();
    let offset = match cur.zone() {
        Zone::Offset(z) => Some(z),
        Zone::Absent => {
            cur.pos = after_time;
            None
        }
        Zone::Invalid => return None,
    };
    Some((checked_date(year, parts, offset)?, cur.pos))
}

/// Finds the first position in `input` where a trace date ([`parse_trace_date`]) parses,
/// trying only positions that start a word. Used where a Received header has no `;`
/// before its date.
pub fn find_date(input: &[u8]) -> Option<(usize, ParsedDate, usize)> {
    let mut i = 0;
    while i < input.len() {
        let at_word_start = i == 0 || is_space(input[i - 1]);
        if at_word_start
            && input[i].is_ascii_alphanumeric()
            && let Some((d, used)) = parse_trace_date(&input[i..])
        {
            return Some((i, d, used));
        }
        i += 1;
    }
    None
}

fn normalise_year(y: i64, digits: usize) -> i64 {
    match digits {
        // RFC 5322 4.3: two-digit years below 50 are 20xx, others 19xx.
        1 | 2 if y < 50 => 2000 + y,
        1 | 2 => 1900 + y,
        3 => 1900 + y,
        _ => y,
    }
}

fn day_name(w: &[u8]) -> bool {
    const DAYS: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    w.len() >= 3 && DAYS.iter().any(|d| w[..3].eq_ignore_ascii_case(d))
}

fn month_number(w: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| w[..3].eq_ignore_ascii_case(m))
        .map(|i| i as u32 + 1)
}

/// Offset in minutes for a zone name (RFC 5322 4.3 obsolete zones plus common ones).
fn named_zone(w: &[u8]) -> Option<i32> {
    let upper = w.to_ascii_uppercase();
    let hours = match upper.as_slice() {
        b"UT" | b"UTC" | b"GMT" | b"Z" | b"WET" => 0,
        b"EST" => -5,
        b"EDT" => -4,
        b"CST" => -6,
        b"CDT" => -5,
        b"MST" => -7,
        b"MDT" => -6,
        b"PST" => -8,
        b"PDT" => -7,
        b"CET" | b"MET" | b"BST" | b"WEST" => 1,
        b"CEST" | b"MEST" | b"EET" => 2,
        b"EEST" | b"MSK" => 3,
        b"IST" => return Some(330),
        b"JST" | b"KST" => 9,
        b"HKT" => 8,
        b"AEST" => 10,
        b"AEDT" => 11,
        b"NZST" => 12,
        b"NZDT" => 13,
        _ => return None,
    };
    Some(hours * 60)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Calendar fields of a Unix timestamp in UTC.
pub fn civil_from_timestamp(ts: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
    )
}

/// Unix seconds of an RFC 3339 date-time (`2026-11-23T10:05:00Z`, `...+01:00`, fractions of
/// a second ignored), or `None` when it is not one. Used for `--now`, so that a run can be
/// pinned to a chosen time.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(r)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let sep = |i: usize, want: &[u8]| b.get(i).is_some_and(|c| want.contains(c));
    if b.len() < 20 || !sep(4, b"-") || !sep(7, b"-") || !sep(10, b"Tt ") || !sep(13, b":") {
        return None;
    }
    if !sep(16, b":") {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(i64::from(year), month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset_s = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |c: &u8| c.is_ascii_digit().then(|| i64::from(c - b'0'));
            let hours = digit(h1)? * 10 + digit(h2)?;
            let minutes = digit(m1)? * 10 + digit(m2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let s = hours * 3600 + minutes * 60;
            if *sign == b'-' { -s } else { s }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    Some(
        days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
            - offset_s,
    )
}

/// 0000-01-01T00:00:00Z, the first second RFC 3339 can write.
const MIN_RFC3339_TIMESTAMP: i64 = -62_167_219_200;

/// RFC 3339 in UTC of a Unix timestamp. An instant outside the years 0000 to 9999 (only a
/// caller's clock can give one: dates read from mail never are) is written as the nearest
/// one RFC 3339 can write, so that no report field is something else; the number beside it
/// (`asked_ts`, `timestamp`) stays exact.
pub fn rfc3339_utc(ts: i64) -> String {
    let ts = ts.clamp(MIN_RFC3339_TIMESTAMP, MAX_TIMESTAMP);
    let (y, mo, d, h, mi, s) = civil_from_timestamp(ts);
    let mut out = datetime(y, [mo, d, h, mi, s]);
    out.push('Z');
    out
}

/// `YYYY-MM-DDTHH:MM:SS`, written digit by digit: reports hold several dates per hop and
/// `format!` with padding costs several times more.
fn datetime(year: i64, [mo, d, h, mi, s]: [u32; 5]) -> String {
    let mut out = String::with_capacity(25);
    if (0..=9999).contains(&year) {
        let y = year as u32;
        push2(&mut out, y / 100);
        push2(&mut out, y % 100);
    } else {
        out.push_str(&format!("{year:04}"));
    }
    for (sep, n) in [('-', mo), ('-', d), ('T', h), (':', mi), (':', s)] {
        out.push(sep);
        push2(&mut out, n);
    }
    out
}

/// Two decimal digits (values over 99 are written whole).
fn push2(out: &mut String, n: u32) {
    if n < 100 {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    } else {
        out.push_str(&n.to_string());
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// Separators seen between day, month and year: space, `-`, `/`.
    fn skip_sep(&mut self) {
        while self
            .peek()
            .is_some_and(|b| is_space(b) || b == b'-' || b == b'/')
        {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.pos += 1)
    }

    fn alpha_word(&mut self) -> Option<&[u8]> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.s[start..self.pos])
    }

    fn number(&mut self, max_digits: usize) -> Option<i64> {
        self.number_with_len(max_digits).map(|(n, _)| n)
    }

    /// Reads up to `max_digits` digits; more digits than that is not a date field.
    fn number_with_len(&mut self, max_digits: usize) -> Option<(i64, usize)> {
        let start = self.pos;
        let mut n: i64 = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if self.pos - start == max_digits {
                self.pos = start;
                return None;
            }
            n = n * 10 + i64::from(b - b'0');
            self.pos += 1;
        }
        let len = self.pos - start;
        (len > 0).then_some((n, len))
    }

    /// `+hhmm`, `-hhmm`, `+hh:mm`, `+hh`, or a zone name. Leaves the cursor unmoved when
    /// no zone is there. A signed number of more than four digits, or one past `23:59`,
    /// is [`Zone::Invalid`]: RFC 3339 cannot write it, and no clock wrote it. Three digits
    /// (`-400`, seen in old spam) stay unread, as before.
    fn zone(&mut self) -> Zone {
        let start = self.pos;
        match self.peek() {
            Some(sign @ (b'+' | b'-')) => {
                self.pos += 1;
                let digits_start = self.pos;
                let mut value: i32 = 0;
                let mut digits = 0;
                while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
                    digits += 1;
                    if digits > 4 {
                        return Zone::Invalid;
                    }
                    value = value * 10 + i32::from(b - b'0');
                    self.pos += 1;
                    if self.pos - digits_start == 2 && self.peek() == Some(b':') {
                        self.pos += 1;
                    }
                }
                // `-08:00` is not RFC 5322's zone syntax: read as no zone, as hopsleuth
                // always has. The MailEnable hops of the public corpus that write it only
                // fit the hops around them without it (believing it made 33 ham messages
                // "time runs backwards", clean to forged).
                if self.s[digits_start..self.pos].contains(&b':') {
                    self.pos = start;
                    return Zone::Absent;
                }
                let (h, m) = match digits {
                    4 => (value / 100, value % 100),
                    1 | 2 => (value, 0),
                    _ => {
                        self.pos = start;
                        return Zone::Absent;
                    }
                };
                let minutes = h * 60 + m;
                if m > 59 || minutes > MAX_OFFSET_MINUTES {
                    return Zone::Invalid;
                }
                Zone::Offset(if sign == b'-' { -minutes } else { minutes })
            }
            _ => {
                let w = self.alpha_word();
                match w.and_then(named_zone) {
                    Some(z) => Zone::Offset(z),
                    None => {
                        self.pos = start;
                        Zone::Absent
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
