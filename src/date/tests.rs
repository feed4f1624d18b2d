//! Tests of the date reader and writer.
use super::*;

fn parse(s: &str) -> ParsedDate {
    parse_date(s.as_bytes()).expect(s).0
}

#[test]
fn rfc3339_round_trips_and_refuses_what_is_not_one() {
    for ts in [0i64, 1_700_000_000, 1_795_428_300, 253_402_300_799] {
        assert_eq!(parse_rfc3339(&rfc3339_utc(ts)), Some(ts));
    }
    assert_eq!(
        parse_rfc3339("2026-11-23T11:05:00+01:00"),
        parse_rfc3339("2026-11-23T10:05:00Z")
    );
    assert_eq!(
        parse_rfc3339("2026-11-23T10:05:00.250Z"),
        parse_rfc3339("2026-11-23T10:05:00Z")
    );
    for bad in [
        "",
        "2026-11-23",
        "2026-02-30T00:00:00Z",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:05:00",
        "2026-11-23T10:05:00+24:00",
        "2026-11-23T10:05:00.Z",
        "2026-11-23T10:05:00Zjunk",
        "２026-11-23T10:05:00Z",
    ] {
        assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
    }
}

#[test]
fn fast_formatting_matches_format() {
    for ts in [
        0i64,
        1,
        59,
        86_399,
        951_782_400,
        1_700_000_000,
        4_102_444_800,
        253_402_300_799,
    ] {
        let (y, mo, d, h, mi, s) = civil_from_timestamp(ts);
        assert_eq!(
            rfc3339_utc(ts),
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
        );
    }
    let (date, _) = parse_date(b"Tue, 11 Mar 2025 14:15:44 -0930").unwrap();
    assert_eq!(date.local_rfc3339(), "2025-03-11T14:15:44-09:30");
}

#[test]
fn rfc5322_with_offset() {
    let d = parse("Tue, 29 Aug 2023 09:20:10 -0700 (PDT)");
    assert_eq!(d.utc_rfc3339(), "2023-08-29T16:20:10Z");
    assert_eq!(d.local_rfc3339(), "2023-08-29T09:20:10-07:00");
    assert_eq!(d.offset_minutes, -420);
}

#[test]
fn obsolete_forms() {
    assert_eq!(
        parse("3 Mar 2004 20:34:38 -0000").utc_rfc3339(),
        "2004-03-03T20:34:38Z"
    );
    assert_eq!(parse("Wed, 26 Mar 03 20:43:24 -0600").year, 2003);
    assert_eq!(
        parse("Sat, 15 Mar 2003 00:38:03 GMT").timestamp,
        1_047_688_683
    );
    assert_eq!(parse("Wed, 12 Feb 2003 14:22:21 PST").offset_minutes, -480);
    assert!(!parse("30 Apr 2003 15:06:29").zone_given);
    assert_eq!(
        parse("Thu, 02 Apr 2020 07:53:55.516 +0000 (UTC)").utc_rfc3339(),
        "2020-04-02T07:53:55Z"
    );
}

#[test]
fn ctime_forms() {
    assert_eq!(
        parse("Fri Feb 07 10:18:12 2003 -0800").utc_rfc3339(),
        "2003-02-07T18:18:12Z"
    );
    assert_eq!(
        parse("Fri Sep 14 14:36:56 EDT 2018").utc_rfc3339(),
        "2018-09-14T18:36:56Z"
    );
    assert!(!parse("Sun Nov 13 14:50:12 2005").zone_given);
}

#[test]
fn rejects_absurd_values() {
    assert!(parse_date(b"Mon, 32 Jan 2020 10:00:00 +0000").is_none());
    assert!(parse_date(b"Mon, 1 Jan 99999999999 10:00:00 +0000").is_none());
    assert!(parse_date(b"Mon, 30 Feb 2020 10:00:00 +0000").is_none());
    assert!(parse_date(b"not a date").is_none());
}

/// What is read is always writable as RFC 3339: offsets within ±23:59, UTC years to 9999.
/// A date that cannot be is invalid (the caller keeps the raw text), not read in part.
#[test]
fn dates_outside_rfc3339_are_invalid() {
    for bad in [
        "1 Jan 2020 10:00:00 +99999",
        "Mon, 1 Jan 2024 00:00:00 +999999",
        "Mon, 1 Jan 9999 23:59:60 -9959",
        "Mon, 1 Jan 2024 00:00:00 +2400",
        "Mon, 1 Jan 2024 00:00:00 +99",
        "Mon, 1 Jan 2024 00:00:00 +0160",
        "Fri Dec 31 23:59:59 9999 -0001",
        "Fri, 31 Dec 9999 23:59:59 -0001",
        "Fri, 31 Dec 9999 23:59:60 +0000",
        "Fri Sep 14 14:36:56 +2500 2018",
    ] {
        assert_eq!(parse_date(bad.as_bytes()), None, "{bad}");
    }
    // A zone written with a colon is not RFC 5322's: read as no zone, as always.
    for colon in [
        "Mon, 1 Jan 2024 00:00:00 -08:00",
        "Mon, 1 Jan 2024 00:00:00 -24:00",
    ] {
        let (date, _) = parse_date(colon.as_bytes()).expect(colon);
        assert_eq!(date.utc_rfc3339(), "2024-01-01T00:00:00Z", "{colon}");
    }
    for (good, utc, local) in [
        (
            "Fri, 31 Dec 9999 23:59:59 +0000",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59+00:00",
        ),
        (
            "Fri, 31 Dec 9999 23:59:59 +2359",
            "9999-12-31T00:00:59Z",
            "9999-12-31T23:59:59+23:59",
        ),
        (
            "Mon, 1 Jan 2024 00:00:00 -2359",
            "2024-01-01T23:59:00Z",
            "2024-01-01T00:00:00-23:59",
        ),
    ] {
        let d = parse(good);
        assert_eq!(
            (d.utc_rfc3339().as_str(), d.local_rfc3339().as_str()),
            (utc, local)
        );
        assert_eq!(parse_rfc3339(utc), Some(d.timestamp), "{good}");
    }
    // Three digits (`-400` for EDT, in old spam) are no zone: the date is kept, in UTC.
    let d = parse("Wed, 27 Jun 2001 3:36:25 -400 (EDT)");
    assert!(!d.zone_given);
    assert_eq!(d.utc_rfc3339(), "2001-06-27T03:36:25Z");
}

#[test]
fn find_date_without_semicolon() {
    let s = b"by x with ESMTP id BQB0hUH2 Thu, 20 Feb 2003 16:13:20 -0700 (PST)";
    let (at, d, _) = find_date(s).unwrap();
    assert_eq!(&s[at..at + 4], b"Thu,");
    assert_eq!(d.utc_rfc3339(), "2003-02-20T23:13:20Z");
}

#[test]
fn civil_roundtrip() {
    for ts in [0i64, 951_782_400, 1_700_000_000, 4_102_444_800] {
        let (y, mo, d, h, mi, s) = civil_from_timestamp(ts);
        let back = days_from_civil(y, mo, d) * 86_400
            + i64::from(h) * 3600
            + i64::from(mi) * 60
            + i64::from(s);
        assert_eq!(back, ts);
    }
}

#[test]
fn instants_rfc3339_cannot_write_are_written_as_the_nearest_it_can() {
    assert_eq!(rfc3339_utc(i64::MAX), "9999-12-31T23:59:59Z");
    assert_eq!(rfc3339_utc(MAX_TIMESTAMP + 1), "9999-12-31T23:59:59Z");
    assert_eq!(rfc3339_utc(i64::MIN), "0000-01-01T00:00:00Z");
    assert_eq!(rfc3339_utc(MIN_RFC3339_TIMESTAMP), "0000-01-01T00:00:00Z");
    assert_eq!(
        rfc3339_utc(MIN_RFC3339_TIMESTAMP + 86_399),
        "0000-01-01T23:59:59Z"
    );
    assert_eq!(
        days_from_civil(0, 1, 1) * 86_400,
        MIN_RFC3339_TIMESTAMP,
        "the constant is 0000-01-01"
    );
}

#[test]
fn trace_lines_have_two_more_forms_that_date_headers_do_not() {
    // SendGrid's filters write Go's time.String(); AOL's and Yahoo's QMQP relays a
    // month-first 12-hour clock.
    let (d, used) = parse_trace_date(b" 2024-03-15 10:30:00.123456789 +0100 UTC m=+0.1").unwrap();
    assert_eq!(d.utc_rfc3339(), "2024-03-15T09:30:00Z");
    assert_eq!(used, " 2024-03-15 10:30:00.123456789 +0100".len());
    let (d, _) = parse_trace_date(b"Aug, 22 2002 8:02:13 PM +0400").unwrap();
    assert_eq!(d.utc_rfc3339(), "2002-08-22T16:02:13Z");
    let (d, _) = parse_trace_date(b"Sep, 02 2002 12:39:01 AM -0100").unwrap();
    assert_eq!(d.utc_rfc3339(), "2002-09-02T01:39:01Z");
    // Neither is an RFC 5322 date.
    assert!(parse_date(b"2024-03-15 10:30:00 +0000").is_none());
    assert!(parse_date(b"Aug, 22 2002 8:02:13 AM +0400").is_none());
    // Nor a day that is not one, nor an hour past 12 on a 12-hour clock.
    assert!(parse_trace_date(b"2023-02-29 10:30:00 +0000").is_none());
    assert!(parse_trace_date(b"Aug, 22 2002 13:02:13 PM +0400").is_none());
}
