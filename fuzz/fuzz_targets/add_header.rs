//! The mail filter loses nothing: for every input, the output minus the one header line we
//! add to each message is the input, with each `X-Hopsleuth` field the sender wrote renamed
//! (and nothing else changed); a message we cannot analyse comes back byte for byte.
#![no_main]
use hopsleuth::filter::{self, HEADER, RENAMED};
use hopsleuth::{Limits, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = Options {
        limits: Limits {
            max_header_bytes: 2048,
            ..Limits::default()
        },
        ..Options::default()
    };
    let mut out = Vec::new();
    let mut unchanged = 0usize;
    let analysed = filter::filter(
        Box::new(data),
        None,
        &mut out,
        &options,
        None,
        &mut |_, _| unchanged += 1,
    )
    .expect("reading memory and writing memory cannot fail");
    assert_eq!(analysed, unchanged == 0);

    assert!(aligns(&out, data), "the output is not the input plus our header lines");
});

/// True when `out` is `inp` with lines of ours (`X-Hopsleuth: verdict=…`) inserted at line
/// starts and, at line starts, `X-Hopsleuth` names (any case) written as the renamed name.
/// Where a line of ours could also be a copy of the input's, both readings are tried.
fn aligns(out: &[u8], inp: &[u8]) -> bool {
    let ours = format!("{HEADER}: verdict=");
    let (mut j, mut i) = (0, 0);
    loop {
        let line_start = j == 0 || out[j - 1] == b'\n';
        if line_start && out[j..].starts_with(ours.as_bytes()) {
            let end = out[j..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(out.len(), |k| j + k + 1);
            // Ours, inserted: the input goes on with what follows it.
            if aligns(&out[end..], &inp[i..]) {
                return true;
            }
            // Else it must be the input's own line, copied.
        }
        if line_start
            && out[j..].starts_with(RENAMED.as_bytes())
            && inp.len() >= i + HEADER.len()
            && inp[i..i + HEADER.len()].eq_ignore_ascii_case(HEADER.as_bytes())
            && !inp[i..].starts_with(RENAMED.as_bytes())
        {
            j += RENAMED.len();
            i += HEADER.len();
            continue;
        }
        match (out.get(j), inp.get(i)) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {
                j += 1;
                i += 1;
            }
            _ => return false,
        }
    }
}
