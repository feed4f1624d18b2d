//! `analyze --add-header`: the exit codes and messages of the mail-filter mode
//! (the copying itself is [`hopsleuth::filter`]).
//!
//! - 0: every message was analysed, and every byte was written and flushed;
//! - 2: every byte was written, but a message was not mail (or not analysable) and was
//!   passed back unchanged, without our header; a line on stderr says which and why;
//! - 75 (`EX_TEMPFAIL`): the output is incomplete (a write failed, the pipe closed, an input
//!   could not be opened or read, or a message was over `max_message_bytes`); a line on
//!   stderr says why. The mail system keeps the message and tries again later.

use hopsleuth::filter::{Failure, filter};
use hopsleuth::mbox::reader::Peek;
use hopsleuth::resolver::Dns;
use hopsleuth::scan::open;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The output is incomplete: the mail system should try again (sysexits.h).
pub const EX_TEMPFAIL: u8 = 75;
/// A message was passed back unchanged (not mail, or not analysable).
const PASSED_UNCHANGED: u8 = 2;

/// Filters every input to standard output; returns the exit code.
pub fn run(paths: &[PathBuf], options: &hopsleuth::Options, dns: Option<&Dns>) -> u8 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut code = 0;
    for path in paths {
        let name = hopsleuth::text::display_path(path);
        let mut on_unchanged = |index: Option<usize>, e: &hopsleuth::AnalyzeError| {
            let at = index.map(|i| format!(" (message {i})")).unwrap_or_default();
            let e = hopsleuth::text::terminal(&e.to_string()).into_owned();
            eprintln!("hopsleuth: {name}{at}: {e}; passed through unchanged");
        };
        let outcome = open_input(path).and_then(|(input, peek)| {
            filter(input, peek, &mut out, options, dns, &mut on_unchanged)
        });
        match outcome {
            Ok(true) => {}
            Ok(false) => code = PASSED_UNCHANGED,
            Err(e) => return tempfail(&name, &e),
        }
    }
    match out.flush() {
        Ok(()) => code,
        Err(e) => tempfail("standard output", &Failure::Write(e)),
    }
}

type Input = (Box<dyn Read + Send>, Option<Peek<'static>>);

/// Standard input, or a regular file with look-ahead.
fn open_input(path: &Path) -> Result<Input, Failure> {
    if path == Path::new("-") {
        return Ok((Box::new(io::stdin()), None));
    }
    let file = open::regular_file(path).map_err(|e| Failure::Read(e.to_string()))?;
    let peek = open::look_ahead(&file);
    Ok((Box::new(file), peek))
}

fn tempfail(name: &str, failure: &Failure) -> u8 {
    let failure = hopsleuth::text::terminal(&failure.to_string()).into_owned();
    eprintln!(
        "hopsleuth: {name}: {failure}; exit {EX_TEMPFAIL} (temporary failure): the output is incomplete, the mail system keeps the message"
    );
    EX_TEMPFAIL
}
