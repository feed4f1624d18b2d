//! Hostile headers stay linear and their reports small (functional checks; the timings are
//! `cargo bench --bench linearity`): our RFC 2047 decoder reads real headers as mailparse
//! does, repeated notes are counted, and a crafted 4 MiB header makes a report of bounded
//! size within the default limits.

use crate::common::corpora;
use hopsleuth::message::{self, rfc2047};
use hopsleuth::{Limits, Options, analyze};
use std::path::{Path, PathBuf};

/// Every file under `dir`, in a stable order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// On every field of every message of the corpora that holds an encoded word (Subjects,
/// names in From and To, ...), our decoder gives what mailparse's `get_value` gives.
#[test]
fn decoder_agrees_with_mailparse_on_the_corpora() {
    let Some(dir) = corpora() else { return };
    let (mut compared, mut differ) = (0usize, Vec::new());
    for path in files(&dir.join("messages")) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Ok(split) = message::split(&bytes, &Limits::default()) else {
            continue;
        };
        for field in split
            .fields
            .iter()
            .filter(|f| memchr::memmem::find(f.value, b"=?").is_some())
        {
            let Ok((header, _)) = mailparse::parse_header(field.raw) else {
                continue;
            };
            let ours = rfc2047::decode(header.get_value_raw());
            // A hostile line would make mailparse itself take minutes: not a comparison.
            if ours.mailparse_steps > 1 << 26 {
                continue;
            }
            compared += 1;
            if ours.value != header.get_value() {
                differ.push(format!(
                    "{}: {}",
                    path.display(),
                    String::from_utf8_lossy(field.raw)
                ));
            }
        }
    }
    println!("{compared} fields with encoded words compared");
    assert!(compared > 100, "only {compared} fields with encoded words");
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// Names and addresses decoded on ordinary address headers: the same as mailparse's.
#[test]
fn address_headers_decode_as_before() {
    let fields = b"From: =?iso-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\n\
        To: =?utf-8?B?w6lsw6h2ZQ==?= <eleve@example.com>, \"Bob, B.\" <bob@example.com>\n\
        Subject: =?utf-8?q?caf=C3=A9?=\n =?utf-8?q?_cr=C3=A8me?=\n\nbody\n";
    let split = message::split(fields, &Limits::default()).expect("split");
    let headers = message::headers::key_headers(&split.fields);
    let from = headers.from.expect("from");
    assert_eq!(from.value, "André Pirard <PIRARD@vm1.ulg.ac.be>");
    assert_eq!(from.addresses, ["PIRARD@vm1.ulg.ac.be"]);
    let to = headers.to.expect("to");
    assert_eq!(to.addresses, ["eleve@example.com", "bob@example.com"]);
    assert_eq!(headers.subject.expect("subject").value, "café crème");
}

/// One unfolded To of 100,000 encoded display names (mailparse's scan of it is quadratic):
/// every address is still read, the names decoded.
#[test]
fn a_line_of_encoded_names_keeps_every_address() {
    let n = 100_000;
    let list: Vec<String> = (0..n)
        .map(|i| format!("=?utf-8?q?n=C3=A9?= <u{i}@b.example>"))
        .collect();
    let msg = format!("To: {}\nFrom: a@a.example\n\nbody\n", list.join(", "));
    let split = message::split(msg.as_bytes(), &Limits::default()).expect("split");
    let to = message::headers::key_headers(&split.fields).to.expect("to");
    assert_eq!(to.addresses.len(), n);
    assert_eq!(to.addresses[n - 1], format!("u{}@b.example", n - 1));
    assert!(to.value.starts_with("né <u0@b.example>, né <u1@b.example>"));
}

/// A junk word repeated before the first clause is one counted note; thousands of distinct
/// ones are eight notes and a count.
#[test]
fn repeated_notes_are_counted() {
    let value = format!(
        "{}from a by b; Mon, 1 Jan 2024 00:00:00 +0000",
        "x ".repeat(41)
    );
    let r = hopsleuth::received::parse(value.as_bytes(), &Limits::default());
    let ignored: Vec<&String> = r
        .notes
        .iter()
        .filter(|n| n.starts_with("ignored text"))
        .collect();
    assert_eq!(
        ignored,
        [
            "ignored text before the first clause: x (x8)",
            "ignored text before the first clause: 33 more words"
        ]
    );
    let distinct: String = (0..2000).map(|i| format!("w{i} ")).collect();
    let value = format!("{distinct}from a by b; Mon, 1 Jan 2024 00:00:00 +0000");
    let r = hopsleuth::received::parse(value.as_bytes(), &Limits::default());
    assert_eq!(r.notes.len(), 9, "{:?}", r.notes);
    assert_eq!(
        r.notes.last().map(String::as_str),
        Some("ignored text before the first clause: 1992 more words")
    );
}

/// The report of a message whose header is one crafted shape filling the default 4 MiB
/// limit: analysed, and its JSON at most a few times the input (no part of the report
/// grows faster than the header).
#[test]
fn a_crafted_4_mib_header_makes_a_bounded_report() {
    const HEADER: usize = 4 * 1024 * 1024 - 4096;
    let fill = |prefix: &str, item: &dyn Fn(usize) -> String, sep: &str| {
        let mut v = String::from(prefix);
        let mut i = 0;
        while v.len() < HEADER - 256 {
            if i > 0 {
                v.push_str(sep);
                if i % 4 == 0 {
                    v.push_str("\n ");
                }
            }
            v.push_str(&item(i));
            i += 1;
        }
        v.push('\n');
        v
    };
    let received_line = "Received: from mx.a.example (mx.a.example [192.0.2.1]) by mx.b.example with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000\n";
    let junk = format!(
        "Received: {}from a by b; Mon, 1 Jan 2024 00:00:00 +0000\n",
        (0..8000)
            .map(|i| format!("{} ", i % 10))
            .collect::<String>()
    );
    let shapes: Vec<(&str, String)> = vec![
        (
            "Delivered-To of addresses",
            fill("Delivered-To: ", &|i| format!("u{i}@b.example"), ","),
        ),
        (
            "To of domains",
            fill("To: ", &|i| format!("u@d{i}.com"), ","),
        ),
        (
            "Subject of encoded words",
            fill("Subject: ", &|_| "=?utf-8?q?a?=".into(), " "),
        ),
        (
            "Received headers of junk words",
            junk.repeat(HEADER / junk.len()),
        ),
    ];
    for (name, header) in shapes {
        let msg = format!("{header}{received_line}From: a@a.example\n\nbody\n");
        let report =
            analyze(msg.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let json = report.to_json();
        println!(
            "{name}: {} bytes of message, {} of JSON",
            msg.len(),
            json.len()
        );
        assert!(
            json.len() <= 8 * msg.len(),
            "{name}: {} bytes of JSON for {} of message",
            json.len(),
            msg.len()
        );
        for hop in &report.hops {
            assert!(hop.notes.len() <= 16, "{name}: {} notes", hop.notes.len());
        }
    }
}
