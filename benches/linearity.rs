//! Work must grow linearly with hostile input. For each growing input, time the analysis at
//! 1x and 8x the size and print the ratio: about 8 is linear, 64 would be quadratic.
//!
//! Run: `cargo bench --bench linearity`

use hopsleuth::{Limits, Options, analyze, received};
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
}
