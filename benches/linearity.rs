//! Work must grow linearly with hostile input. For each growing input, time the analysis at
//! 1x and 8x the size and print the ratio: about 8 is linear, 64 would be quadratic.
//!
//! Then, for each shape of hostile header, the whole analysis (report written as JSON
//! included) at 1x and 8x, and once at about 4 MiB with the DEFAULT limits, the figure the
//! README promises (under a second), with the size of the JSON report.
//!
//! Run: `cargo bench --bench linearity`

use hopsleuth::{Limits, Options, analyze, received};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Best of several runs, to keep scheduler noise out of the ratio.
fn time(f: &dyn Fn()) -> Duration {
    (0..7)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    // Limits raised so the parser really reads the large inputs instead of refusing them.
    let open = Limits {
        max_received_bytes: usize::MAX,
        max_header_bytes: usize::MAX,
        max_hops: usize::MAX,
        max_headers: usize::MAX,
        ..Limits::default()
    };
    let options = Options {
        limits: open,
        ..Options::default()
    };

    type Make = fn(usize) -> Vec<u8>;
    let inputs: [(&str, Make, usize); 7] = [
        (
            "received header of n bytes",
            |n| {
                format!(
                    "from a ({}) by b; Mon, 1 Jan 2024 00:00:00 +0000",
                    "x ".repeat(n / 2)
                )
                .into_bytes()
            },
            128 * 1024,
        ),
        (
            "n nested parentheses",
            |n| format!("from a {}x{} by b", "(".repeat(n), ")".repeat(n)).into_bytes(),
            16 * 1024,
        ),
        (
            "n unclosed parentheses",
            |n| format!("from a {}", "(".repeat(n)).into_bytes(),
            16 * 1024,
        ),
        (
            "fold over n lines",
            |n| {
                format!(
                    "from a{} by b; Mon, 1 Jan 2024 00:00:00 +0000",
                    "\n\tx".repeat(n)
                )
                .into_bytes()
            },
            16 * 1024,
        ),
        (
            "n Received headers (message)",
            |n| {
                let mut m = Vec::new();
                for i in 0..n {
                    m.extend_from_slice(format!("Received: from h{i} (h{i} [192.0.2.1]) by h{} with ESMTP; Mon, 1 Jan 2024 00:00:00 +0000\n", i + 1).as_bytes());
                }
                m.extend_from_slice(b"\nbody\n");
                m
            },
            1024,
        ),
        (
            "n header fields (message)",
            |n| {
                let mut m = Vec::new();
                for i in 0..n {
                    m.extend_from_slice(format!("X-H{i}: value {i}\n").as_bytes());
                }
                m.extend_from_slice(b"\nbody\n");
                m
            },
            4096,
        ),
        (
            "n words of date-like noise",
            |n| format!("from a by b {}", "Mon 12 Jan ".repeat(n)).into_bytes(),
            4096,
        ),
    ];
    println!(
        "{:<32} {:>10} {:>12} {:>12} {:>7}",
        "input", "n", "1x", "8x", "ratio"
    );
    for (name, make, n) in inputs {
        let small = make(n);
        let large = make(n * 8);
        let is_message = name.ends_with("(message)");
        let run = |bytes: &[u8]| {
            if is_message {
                let _ = black_box(analyze(bytes, &options));
            } else {
                black_box(received::parse(bytes, &open));
            }
        };
        let t1 = time(&|| run(&small));
        let t8 = time(&|| run(&large));
        let ratio = t8.as_secs_f64() / t1.as_secs_f64().max(1e-9);
        println!(
            "{name:<32} {n:>10} {:>12.3?} {:>12.3?} {ratio:>7.1}",
            t1, t8
        );
    }
    println!();
    headers(&options);
}

/// A message: a Received line, From, Date, then `fields` (each a whole field, folded or
/// not), then the body.
fn message(fields: &str) -> Vec<u8> {
    format!(
        "Received: from mx.a.example (mx.a.example [192.0.2.1]) by mx.b.example with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000\n\
         From: a@a.example\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n{fields}\nbody\n"
    )
    .into_bytes()
}

/// `n` items made by `item`, separated by `sep`, folded every few items when `folded`.
fn list(n: usize, sep: &str, folded: bool, item: impl Fn(usize) -> String) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push_str(sep);
            if folded && i % 4 == 0 {
                out.push_str("\n ");
            }
        }
        out.push_str(&item(i));
    }
    out
}

/// The hostile header shapes: (name, message with n items).
type Shape = (&'static str, fn(usize) -> Vec<u8>);

const SHAPES: [Shape; 13] = [
    ("To of n addresses", |n| {
        message(&format!(
            "To: {}\n",
            list(n, ",", true, |i| format!("u{i}@b.example"))
        ))
    }),
    ("Cc of n domains", |n| {
        message(&format!(
            "Cc: {}\n",
            list(n, ",", true, |i| format!("u@d{i}.com"))
        ))
    }),
    ("Delivered-To of n addresses", |n| {
        let to = list(n, ",", true, |i| format!("u{i}@b.example"));
        let mut m = format!("Delivered-To: {to}\n").into_bytes();
        m.extend(message(""));
        m
    }),
    ("Delivered-To of n domains", |n| {
        let to = list(n, ",", true, |i| format!("u@d{i}.com"));
        let mut m = format!("Delivered-To: {to}\n").into_bytes();
        m.extend(message(""));
        m
    }),
    ("Delivered-To and To, n each", |n| {
        let dt = list(n, ",", true, |i| format!("u{i}@b.example"));
        let mut m = format!("Delivered-To: {dt}\n").into_bytes();
        m.extend(message(&format!(
            "To: {}\n",
            list(n, ",", true, |i| format!("v{i}@c.example"))
        )));
        m
    }),
    ("n Delivered-To fields", |n| {
        let mut m = String::new();
        for i in 0..n {
            let _ = writeln!(m, "Delivered-To: u{i}@b.example");
        }
        let mut m = m.into_bytes();
        m.extend(message(""));
        m
    }),
    ("Subject of n encoded words", |n| {
        message(&format!(
            "Subject: {}\n",
            list(n, " ", false, |_| "=?utf-8?q?a?=".into())
        ))
    }),
    ("To of n encoded names", |n| {
        message(&format!(
            "To: {}\n",
            list(n, ",", false, |i| format!("=?utf-8?q?a?= <u{i}@b.example>"))
        ))
    }),
    ("Subject of n unclosed =?", |n| {
        message(&format!(
            "Subject: {}\n",
            list(n, " ", false, |_| "=?a".into())
        ))
    }),
    ("Received of n junk words", |n| {
        message(&format!(
            "Received: {} from a by b; Mon, 1 Jan 2024 00:00:00 +0000\n",
            list(n, " ", true, |_| "x".into())
        ))
    }),
    ("n Received of 8000 junk words", |n| {
        let junk = format!(
            "Received: {} from a by b; Mon, 1 Jan 2024 00:00:00 +0000\n",
            list(8000, " ", true, |_| "x".into())
        );
        message(&junk.repeat(n))
    }),
    ("References of n ids", |n| {
        message(&format!(
            "References: {}\n",
            list(n, " ", true, |i| format!("<m{i}@b.example>"))
        ))
    }),
    ("n Received with for", |n| {
        let mut m = String::new();
        for i in 0..n {
            let _ = writeln!(
                m,
                "Received: from h{i} (h{i} [192.0.2.1]) by h{} with ESMTP id {i} for <u{i}@b.example>; Mon, 1 Jan 2024 00:00:00 +0000",
                i + 1
            );
        }
        message(&m)
    }),
];

/// Each header shape at 1x and 8x (about 1 MiB and 8 MiB, open limits: both well past the
/// processor's caches, so the ratio shows the algorithm, not the cache), then at just under
/// 4 MiB of header with the default limits.
fn headers(open: &Options) {
    const SMALL: usize = 1024 * 1024;
    const LARGE: usize = 4 * 1024 * 1024 - 4 * 1024;
    let defaults = Options::default();
    println!(
        "{:<32} {:>8} {:>10} {:>10} {:>6} {:>10} {:>10} {:>11}",
        "header shape", "n", "1x", "8x", "ratio", "4 MiB n", "4 MiB", "JSON bytes"
    );
    for (name, make) in SHAPES {
        let n = items_within(make, SMALL);
        let (small, large) = (make(n), make(n * 8));
        let run = |bytes: &[u8], options: &Options| match analyze(bytes, options) {
            Ok(report) => {
                let mut json = Vec::new();
                report.write_json(&mut json);
                black_box(json.len()).to_string()
            }
            Err(e) => format!("refused: {e}"),
        };
        let t1 = time(&|| {
            run(&small, open);
        });
        let t8 = time(&|| {
            run(&large, open);
        });
        let ratio = t8.as_secs_f64() / t1.as_secs_f64().max(1e-9);
        let n4 = items_within(make, LARGE);
        let big = make(n4);
        let started = Instant::now();
        let json = run(&big, &defaults);
        let t4 = started.elapsed();
        println!(
            "{name:<32} {n:>8} {t1:>10.3?} {t8:>10.3?} {ratio:>6.1} {n4:>10} {t4:>10.3?} {json:>11}"
        );
    }
}

/// The most items whose message is at most `bytes` long (bisection: item sizes grow with
/// their numbers).
fn items_within(make: fn(usize) -> Vec<u8>, bytes: usize) -> usize {
    let (mut fits, mut over) = (0, 1);
    while make(over).len() <= bytes {
        (fits, over) = (over, over * 2);
    }
    while over - fits > 1 {
        let mid = fits + (over - fits) / 2;
        if make(mid).len() <= bytes {
            fits = mid;
        } else {
            over = mid;
        }
    }
    fits.max(1)
}
