//! Where the time per message goes: analysis and JSON serialisation, single-threaded, on
//! messages already in memory (no file system). The serialisation timed is our own writer
//! (`Report::write_json`), the one `scan` and `analyze` use; serde_json on the same model is
//! timed beside it as the reference it is tested against. Run:
//! `cargo bench --bench analyze [DIR]` (default:
//! ../shared/corpora/messages/spamassassin_public_corpus).

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .filter(|a| !a.starts_with('-'))
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/corpora/messages/spamassassin_public_corpus"
            )
            .to_string()
        });
    let mut messages = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(&dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                messages.push(b);
            }
        }
    }
    if messages.is_empty() {
        eprintln!("no messages under {dir}");
        return;
    }
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let options = hopsleuth::Options::default();
    let mut reports = Vec::with_capacity(messages.len());
    let t = Instant::now();
    for m in &messages {
        if let Ok(r) = hopsleuth::analyze(black_box(m), &options) {
            reports.push(r);
        }
    }
    let analyze = t.elapsed();
    // Our writer into one reused buffer, as scan's workers write.
    let t = Instant::now();
    let mut json_bytes = 0;
    let mut buffer = Vec::with_capacity(64 * 1024);
    for r in &reports {
        buffer.clear();
        black_box(r).write_json(&mut buffer);
        json_bytes += black_box(buffer.len());
    }
    let json = t.elapsed();
    let t = Instant::now();
    let mut serde_bytes = 0;
    for r in &reports {
        serde_bytes += black_box(serde_json::to_vec(r).map(|v| v.len()).unwrap_or(0));
    }
    let serde = t.elapsed();
    assert_eq!(
        json_bytes, serde_bytes,
        "the two serialisers wrote different lengths"
    );
    let n = messages.len() as f64;
    println!(
        "{} messages, {:.1} MiB in, {:.1} MiB of JSON out",
        messages.len(),
        bytes as f64 / 1048576.0,
        json_bytes as f64 / 1048576.0
    );
    println!(
        "analyze:   {:7.1} µs/message  {:8.0} messages/s (one core)",
        analyze.as_secs_f64() * 1e6 / n,
        n / analyze.as_secs_f64()
    );
    println!(
        "write_json:{:7.1} µs/message  {:8.0} messages/s (one core; what scan uses)",
        json.as_secs_f64() * 1e6 / n,
        n / json.as_secs_f64()
    );
    println!(
        "serde_json:{:7.1} µs/message  {:8.0} messages/s (one core; the reference)",
        serde.as_secs_f64() * 1e6 / n,
        n / serde.as_secs_f64()
    );
}
