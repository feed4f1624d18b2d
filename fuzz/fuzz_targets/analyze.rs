//! The whole offline analysis: never panics, and its JSON is always valid and one line.
#![no_main]
use hopsleuth::{Options, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = analyze(data, &Options::default()) {
        let json = report.to_json();
        assert!(!json.contains('\n'));
        let _ = hopsleuth::report::text::render(&report);
    }
});
