//! The whole offline analysis: never panics, and its JSON is always one line, written by our
//! own writer exactly as serde_json would write it (the writer is checked against it here on
//! every input, escapes and all).
#![no_main]
use hopsleuth::{Options, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = analyze(data, &Options::default()) {
        let json = report.to_json();
        assert!(!json.contains('\n'));
        let reference = serde_json::to_string(&report).expect("a report serialises");
        assert_eq!(json, reference);
        let _ = hopsleuth::report::text::render(&report);
    }
});
