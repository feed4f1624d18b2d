//! Every bundled sample analysed, its report snapshot-tested (tests/integration/snapshots/).
//! The samples are our own; each message of an mbox gets its own snapshot.

use hopsleuth::received::Status;
use hopsleuth::{Options, Source, mbox};

#[test]
fn sample_reports_match_snapshots() {
    insta::glob!("../../samples", "*.{eml,mbox}", |path| {
        let name = path.display();
        let reports = sample_reports(path);
        for report in &reports {
            for hop in &report.hops {
                assert_eq!(
                    hop.parsed,
                    Status::Full,
                    "{name}: hop {} not fully parsed: {:?}",
                    hop.index,
                    hop.reason
                );
            }
            assert!(!report.hops.is_empty(), "{name}: no hops");
        }
        insta::assert_json_snapshot!(reports);
    });
}

/// Each sample's message (or each message of a mailbox), analysed with its header block
/// and digest kept, as the HTML and Markdown reports need, sourced as `samples/NAME`.
pub fn sample_reports(path: &std::path::Path) -> Vec<hopsleuth::Report> {
    let bytes = std::fs::read(path).expect("read sample");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let parts: Vec<(Option<usize>, &[u8])> = if mbox::is_mbox(&bytes) {
        mbox::messages(&bytes)
            .iter()
            .enumerate()
            .map(|(i, m)| (Some(i), m.bytes))
            .collect()
    } else {
        vec![(None, &bytes[..])]
    };
    let options = Options {
        keep_original: true,
        ..Options::default()
    };
    parts
        .into_iter()
        .map(|(index, msg)| {
            let mut report = hopsleuth::analyze(msg, &options).expect("sample is mail");
            report.source = Source {
                path: format!("samples/{name}"),
                index,
                offset: None,
            };
            report
        })
        .collect()
}

#[test]
fn sample_pages_match_snapshots() {
    use hopsleuth::report::{html, markdown, text};
    insta::glob!("../../samples", "*.{eml,mbox}", |path| {
        let reports = sample_reports(path);
        let mut pages = String::new();
        let mut tickets = String::new();
        let mut texts = String::new();
        for r in &reports {
            pages.push_str(&html::render(r, html::HtmlOptions::default()));
            tickets.push_str(&markdown::render(r));
            let t = text::render(r);
            for line in t.lines() {
                // 80 columns, unless a word (an address, a host) is too long to share a
                // line with its label: words are never cut.
                let longest = line
                    .split(' ')
                    .map(|w| w.chars().count())
                    .max()
                    .unwrap_or(0);
                assert!(
                    line.chars().count() <= 80 || longest > 80 - 24,
                    "{}: over 80 columns: {line:?}",
                    path.display()
                );
            }
            texts.push_str(&t);
        }
        insta::assert_snapshot!("html", pages);
        insta::assert_snapshot!("markdown", tickets);
        insta::assert_snapshot!("text", texts);
    });
}

#[test]
fn the_digest_is_the_files_sha256() {
    let path = std::path::Path::new("samples/gmail-to-postfix.eml");
    let bytes = std::fs::read(path).expect("sample");
    let expected: String = ring::digest::digest(&ring::digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let reports = sample_reports(path);
    let original = reports[0].original.as_ref().expect("kept");
    assert_eq!(original.sha256, expected);
    assert!(original.whole);
    let page = hopsleuth::report::html::render(&reports[0], Default::default());
    assert!(page.contains(&expected));
}
