//! Every bundled sample analysed, its report snapshot-tested (tests/integration/snapshots/).
//! The samples are our own; each message of an mbox gets its own snapshot.

use hopsleuth::received::Status;
use hopsleuth::{Options, Source, mbox};

#[test]
fn sample_reports_match_snapshots() {
    insta::glob!("../../samples", "*.{eml,mbox}", |path| {
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
        let mut reports = Vec::new();
        for (index, msg) in parts {
            let mut report = hopsleuth::analyze(msg, &Options::default()).expect("sample is mail");
            report.source = Source {
                path: format!("samples/{name}"),
                index,
                offset: None,
            };
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
            reports.push(report);
        }
        insta::assert_json_snapshot!(reports);
    });
}
