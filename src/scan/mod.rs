//! Scanning mailboxes: files, mboxes, Maildirs, MH folders, directory trees and stdin.
//!
//! Inputs are enumerated lazily and in a stable order; messages are analysed in parallel
//! in bounded batches and their reports written in input order, one NDJSON line each, so
//! the output is deterministic and memory stays bounded whatever the mailbox size. Input
//! files are only ever opened for reading.

pub mod reader;
mod walk;

use crate::report::{Report, Source, Verdict};
use crate::resolver::Dns;
use crate::{AnalyzeError, Options, Prepared};
use rayon::prelude::*;
use reader::RawMessage;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use walk::Unit;

/// What a scan does besides analysing.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Analysis options.
    pub options: Options,
    /// Messages analysed in parallel per batch (bounds memory). With DNS, a batch's
    /// questions are resolved together.
    pub batch: usize,
    /// The resolver, or `None` for no DNS.
    pub dns: Option<Arc<Dns>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            options: Options::default(),
            batch: 512,
            dns: None,
        }
    }
}

/// Things the caller may want to tell a person while the scan runs.
#[derive(Debug, Clone)]
pub enum Event {
    /// A message or file could not be read or analysed (an error record was written too).
    Error {
        /// Where.
        source: Source,
        /// What is wrong.
        error: String,
    },
    /// A file was skipped (hidden, not mail, Maildir tmp/).
    Skipped {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Messages done so far.
    Progress {
        /// Count.
        messages: u64,
    },
}

/// The end-of-scan summary (`--summary FILE` writes it as JSON).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Messages analysed.
    pub messages: u64,
    /// Messages per verdict.
    pub verdicts: BTreeMap<&'static str, u64>,
    /// Messages per rule that fired with a score above zero.
    pub rules: BTreeMap<&'static str, u64>,
    /// Messages or files that could not be read or analysed.
    pub errors: u64,
    /// Files skipped, with reasons reported as events.
    pub skipped: u64,
    /// Wall-clock seconds.
    pub elapsed_s: f64,
    /// Messages analysed per second.
    pub messages_per_s: f64,
    /// The most severe verdict seen.
    pub worst: Option<Verdict>,
    /// DNS lookups made, `null` without DNS.
    pub dns: Option<crate::resolver::DnsStats>,
}

/// An NDJSON error record: `{"source": {...}, "error": "..."}`.
#[derive(Serialize)]
struct ErrorRecord<'a> {
    source: &'a Source,
    error: &'a str,
}

/// Prepares a message read as a header block and a body length.
fn prepare_raw(raw: &RawMessage, options: &Options) -> Result<Prepared, AnalyzeError> {
    if raw.header_truncated {
        return Err(AnalyzeError::NotMail(
            crate::message::SplitError::HeaderTooLarge {
                limit: options.limits.max_header_bytes,
            },
        ));
    }
    let mut prepared = crate::prepare(&raw.header, options)?;
    prepared.message.body_length = usize::try_from(raw.body_len).unwrap_or(usize::MAX);
    Ok(prepared)
}

/// A prepared message: finished now without DNS, or left for the batch's DNS stage.
fn prepared_done(
    prepared: Result<Prepared, AnalyzeError>,
    source: Source,
    scan: &ScanOptions,
) -> Done {
    match prepared {
        Err(e) => error_done(source, e.to_string()),
        Ok(p) if scan.dns.is_some() => Done::Pending {
            prepared: Box::new(p),
            source,
        },
        Ok(p) => {
            let mut report = p.finish(None, &scan.options);
            report.source = source;
            report_done(report)
        }
    }
}

/// The DNS stage of a batch: the library finishes the pending messages
/// ([`crate::finish_each`]: their questions resolved together, then each message finished
/// and its line written in parallel). Without DNS the batch passes through.
fn resolve_pending(done: Vec<Done>, scan: &ScanOptions) -> Vec<Done> {
    let Some(dns) = &scan.dns else { return done };
    let mut flat: Vec<Done> = Vec::with_capacity(done.len());
    for d in done {
        match d {
            Done::Many(many) => flat.extend(many),
            other => flat.push(other),
        }
    }
    let prepared: Vec<Result<(Prepared, Source), Done>> = flat
        .into_iter()
        .map(|d| match d {
            Done::Pending { prepared, source } => Ok((*prepared, source)),
            other => Err(other),
        })
        .collect();
    // Anything not pending passes through as the "error" the library hands back untouched.
    let write = |finished: Result<(Report, Source), Done>| match finished {
        Ok((mut report, source)) => {
            report.source = source;
            report_done(report)
        }
        Err(passed) => passed,
    };
    crate::finish_each(prepared, &scan.options, Some(dns.as_ref()), write)
}

fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Clean => 0,
        Verdict::Suspicious => 1,
        Verdict::Forged => 2,
    }
}

/// The outcome of one unit, computed in parallel and written in order.
enum Done {
    /// `line` is the NDJSON line, newline included.
    Report {
        line: Vec<u8>,
        verdict: Verdict,
        rules: Vec<&'static str>,
    },
    Error {
        line: Vec<u8>,
        source: Source,
        error: String,
    },
    Skipped {
        path: String,
        reason: String,
    },
    /// The file is a large mbox: the driver streams it here, in order.
    Mbox {
        name: String,
        stream: Box<dyn Read + Send>,
    },
    /// The outcomes of a small mbox's messages, analysed by one worker.
    Many(Vec<Done>),
    /// Parsed, waiting for the batch's DNS answers.
    Pending {
        prepared: Box<Prepared>,
        source: Source,
    },
}

/// Mbox files up to this size are analysed whole by one worker (most mailbox files, and
/// every single-message file with a `From ` line); larger ones are streamed in batches.
const SMALL_MBOX: u64 = 4 * 1024 * 1024;

/// Opens a file and reads its start: an mbox is handed back for streaming, a message is
/// read (header block and body length only) and analysed.
fn process_file(path: &std::path::Path, explicit: bool, scan: &ScanOptions) -> Done {
    let name = path
        .to_str()
        .map_or_else(|| path.display().to_string(), str::to_owned);
    let cannot = |e: io::Error| read_error(name.clone(), e);
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return cannot(e),
    };
    let len = file.metadata().map_or(u64::MAX, |m| m.len());
    if len > SMALL_MBOX {
        return process_large_file(name, file, explicit, scan);
    }
    // Small files (nearly all): read into this worker's reused buffer, as many bytes as the
    // size just seen (one read call, no probe for the end), and analysed in place.
    READ_BUFFER.with_borrow_mut(|bytes| {
        bytes.clear();
        bytes.reserve(usize::try_from(len).unwrap_or(0));
        match file.take(len).read_to_end(bytes) {
            Ok(_) => process_small_file(name, bytes, explicit, scan),
            Err(e) => read_error(name, e),
        }
    })
}

thread_local! {
    /// Each worker reads files into one buffer it keeps: fresh memory costs a page fault
    /// and a zeroed page per 4 KiB, more than reading the file does.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A whole small file, read: a message, a mailbox (usually of one message), or not mail.
fn process_small_file(name: String, bytes: &[u8], explicit: bool, scan: &ScanOptions) -> Done {
    let head = &bytes[..bytes.len().min(512)];
    if !explicit && !walk::looks_like_mail(head) {
        let reason = if bytes.is_empty() {
            "empty file"
        } else {
            "not a mail message"
        };
        return Done::Skipped {
            path: name,
            reason: reason.into(),
        };
    }
    if crate::mbox::is_mbox(head) {
        // Most mailbox-format files hold one message: analyse it in place.
        if let Some(body_len) = reader::single_message_body_len(bytes) {
            let prepared = crate::prepare(bytes, &scan.options).map(|mut p| {
                p.message.body_length = usize::try_from(body_len).unwrap_or(usize::MAX);
                p
            });
            let source = Source {
                path: name,
                index: Some(0),
                offset: Some(0),
            };
            return prepared_done(prepared, source, scan);
        }
        let reader =
            reader::MboxReader::new(io::Cursor::new(bytes), scan.options.limits.max_header_bytes);
        let done = reader
            .map(|item| match item {
                Ok(raw) => process(
                    Unit::Message {
                        path: name.clone(),
                        raw,
                    },
                    scan,
                ),
                Err(e) => read_error(name.clone(), e),
            })
            .collect();
        return Done::Many(done);
    }
    let source = Source {
        path: name,
        index: None,
        offset: None,
    };
    prepared_done(crate::prepare(bytes, &scan.options), source, scan)
}

/// A file over [`SMALL_MBOX`]: an mbox is streamed by the driver, a single message is read
/// as its header block plus a count of body bytes.
fn process_large_file(
    name: String,
    mut file: std::fs::File,
    explicit: bool,
    scan: &ScanOptions,
) -> Done {
    let cannot = |e: io::Error| read_error(name.clone(), e);
    let mut head = [0u8; 512];
    let n = match walk::read_up_to(&mut file, &mut head) {
        Ok(n) => n,
        Err(e) => return cannot(e),
    };
    let head = &head[..n];
    if !explicit && !walk::looks_like_mail(head) {
        return Done::Skipped {
            path: name,
            reason: "not a mail message".into(),
        };
    }
    stream_or_single(name, head, Box::new(file), scan)
}

/// Input whose first bytes `head` were already read from `rest`: an mbox goes back to the
/// driver to be streamed; a single message is read as its header block plus a body count.
fn stream_or_single(
    name: String,
    head: &[u8],
    rest: Box<dyn Read + Send>,
    scan: &ScanOptions,
) -> Done {
    let stream: Box<dyn Read + Send> = Box::new(io::Cursor::new(head.to_vec()).chain(rest));
    if crate::mbox::is_mbox(head) {
        return Done::Mbox { name, stream };
    }
    match reader::read_single(stream, scan.options.limits.max_header_bytes) {
        Ok((header, body_len, header_truncated)) => {
            let raw = RawMessage {
                index: None,
                offset: 0,
                header,
                body_len,
                header_truncated,
            };
            process(Unit::Message { path: name, raw }, scan)
        }
        Err(e) => read_error(name, e),
    }
}

/// Line buffers the writer has finished with, for the workers to fill again.
///
/// Workers allocate lines and the writer thread frees them; memory freed on another thread
/// returns to its allocating thread lazily, so lines kept taking fresh pages (which the
/// kernel zeroes on first touch). Recycled buffers keep a scan's memory to the lines in
/// flight.
static LINE_POOL: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// Buffers kept in the pool at most (three default batches in flight, with room).
const LINE_POOL_MAX: usize = 2048;
/// Buffers larger than this are not kept (a rare huge report must not pin its memory): the
/// pool holds at most 128 MiB, and about 25 MiB on ordinary mail.
const LINE_KEEP_MAX: usize = 64 * 1024;

fn take_line_buffer() -> Vec<u8> {
    let recycled = LINE_POOL.lock().ok().and_then(|mut pool| pool.pop());
    recycled.unwrap_or_else(|| Vec::with_capacity(16 * 1024))
}

fn recycle_line_buffers(lines: impl Iterator<Item = Vec<u8>>) {
    if let Ok(mut pool) = LINE_POOL.lock() {
        for mut line in lines {
            if pool.len() < LINE_POOL_MAX && line.capacity() <= LINE_KEEP_MAX {
                line.clear();
                pool.push(line);
            }
        }
    }
}

/// A finished report as an NDJSON line.
fn report_done(report: Report) -> Done {
    let rules = report.scored_rules();
    let mut line = take_line_buffer();
    report.write_json(&mut line);
    line.push(b'\n');
    Done::Report {
        line,
        verdict: report.verdict,
        rules,
    }
}

fn process(unit: Unit, scan: &ScanOptions) -> Done {
    match unit {
        Unit::File { path, explicit } => process_file(&path, explicit, scan),
        Unit::Stdin => {
            let mut head = [0u8; 512];
            let mut stdin = io::stdin();
            match walk::read_up_to(&mut stdin, &mut head) {
                Ok(n) => stream_or_single("-".into(), &head[..n], Box::new(stdin), scan),
                Err(e) => read_error("-".into(), e),
            }
        }
        Unit::Message { path, raw } => {
            let source = Source {
                path,
                index: raw.index,
                offset: raw.index.map(|_| raw.offset),
            };
            prepared_done(prepare_raw(&raw, &scan.options), source, scan)
        }
        Unit::Error {
            path,
            index,
            offset,
            error,
        } => error_done(
            Source {
                path,
                index,
                offset,
            },
            error,
        ),
        Unit::Skipped { path, reason } => Done::Skipped { path, reason },
    }
}

/// An input that could not be read.
fn read_error(path: String, e: io::Error) -> Done {
    error_done(
        Source {
            path,
            index: None,
            offset: None,
        },
        format!("cannot read: {e}"),
    )
}

fn error_done(source: Source, error: String) -> Done {
    let mut line = serde_json::to_vec(&ErrorRecord {
        source: &source,
        error: &error,
    })
    .unwrap_or_else(|_| b"{\"error\":\"unserialisable error\"}".to_vec());
    line.push(b'\n');
    Done::Error {
        line,
        source,
        error,
    }
}

/// Scans `paths` (`-` is standard input), writing one NDJSON line per message to `out`
/// in input order, and returns the summary. Errors in single inputs never stop the scan.
///
/// Finding and analysing the next batch overlaps with writing the last one: a writer
/// thread takes finished batches in order (at most one waiting), so the workers never
/// wait for output.
pub fn run(
    paths: &[PathBuf],
    scan: &ScanOptions,
    out: &mut (dyn Write + Send),
    on_event: &mut (dyn FnMut(Event) + Send),
) -> io::Result<Summary> {
    let start = Instant::now();
    let mut units = walk::units(paths);
    let batch = scan.batch.max(1);
    let (to_writer, batches) = std::sync::mpsc::sync_channel::<Vec<Done>>(1);
    let mut summary = std::thread::scope(|threads| {
        let writer = threads.spawn(move || -> io::Result<Summary> {
            let mut summary = Summary::default();
            for done in batches {
                write_done(done, scan, &mut summary, out, on_event)?;
                on_event(Event::Progress {
                    messages: summary.messages + summary.errors,
                });
            }
            out.flush()?;
            Ok(summary)
        });
        loop {
            // Standard input cannot be read by a worker while others wait on it: alone.
            let mut chunk: Vec<Unit> = Vec::with_capacity(batch);
            for u in units.by_ref() {
                let stdin = matches!(u, Unit::Stdin);
                chunk.push(u);
                if stdin || chunk.len() == batch {
                    break;
                }
            }
            if chunk.is_empty() {
                break;
            }
            let done: Vec<Done> = chunk.into_par_iter().map(|u| process(u, scan)).collect();
            let done = resolve_pending(done, scan);
            // A send fails only when the writer stopped on an error, which join reports.
            if to_writer.send(done).is_err() {
                break;
            }
        }
        drop(to_writer);
        writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the output thread panicked")))
    })?;
    summary.elapsed_s = start.elapsed().as_secs_f64();
    summary.messages_per_s = summary.messages as f64 / summary.elapsed_s.max(1e-9);
    summary.dns = scan.dns.as_ref().map(|d| d.stats());
    Ok(summary)
}

/// Streams an mbox: its messages are read in order, analysed in parallel batches, and
/// written in order. Reading runs on a thread of its own, one batch ahead: splitting a
/// mailbox into messages is serial work, and the workers would otherwise wait for it.
fn stream_mbox(
    name: String,
    stream: Box<dyn Read + Send>,
    scan: &ScanOptions,
    summary: &mut Summary,
    out: &mut dyn Write,
    on_event: &mut dyn FnMut(Event),
) -> io::Result<()> {
    let batch = scan.batch.max(1);
    let max_header = scan.options.limits.max_header_bytes;
    std::thread::scope(|threads| {
        let (to_analyse, chunks) = std::sync::mpsc::sync_channel::<Vec<Unit>>(1);
        threads.spawn(move || {
            let mut reader = reader::MboxReader::new(
                io::BufReader::with_capacity(256 * 1024, stream),
                max_header,
            );
            loop {
                let chunk: Vec<Unit> = reader
                    .by_ref()
                    .take(batch)
                    .map(|item| match item {
                        Ok(raw) => Unit::Message {
                            path: name.clone(),
                            raw,
                        },
                        Err(e) => Unit::Error {
                            path: name.clone(),
                            index: None,
                            offset: None,
                            error: format!("cannot read: {e}"),
                        },
                    })
                    .collect();
                // A send fails only when the analysis stopped (an output error).
                if chunk.is_empty() || to_analyse.send(chunk).is_err() {
                    return;
                }
            }
        });
        for chunk in chunks {
            let done: Vec<Done> = chunk.into_par_iter().map(|u| process(u, scan)).collect();
            let done = resolve_pending(done, scan);
            write_done(done, scan, summary, out, on_event)?;
            on_event(Event::Progress {
                messages: summary.messages + summary.errors,
            });
        }
        Ok(())
    })
}

fn write_done(
    done: Vec<Done>,
    scan: &ScanOptions,
    summary: &mut Summary,
    out: &mut dyn Write,
    on_event: &mut dyn FnMut(Event),
) -> io::Result<()> {
    // Lines ready to go out, written together before anything that writes by itself.
    let mut ready: Vec<Vec<u8>> = Vec::with_capacity(done.len());
    for d in done {
        match d {
            Done::Report {
                line,
                verdict,
                rules,
            } => {
                ready.push(line);
                summary.messages += 1;
                *summary.verdicts.entry(verdict.as_str()).or_default() += 1;
                for r in rules {
                    *summary.rules.entry(r).or_default() += 1;
                }
                if summary
                    .worst
                    .is_none_or(|w| severity(verdict) > severity(w))
                {
                    summary.worst = Some(verdict);
                }
            }
            Done::Error {
                line,
                source,
                error,
            } => {
                ready.push(line);
                summary.errors += 1;
                on_event(Event::Error { source, error });
            }
            Done::Skipped { path, reason } => {
                summary.skipped += 1;
                on_event(Event::Skipped { path, reason });
            }
            Done::Mbox { name, stream } => {
                write_lines(out, &mut ready)?;
                stream_mbox(name, stream, scan, summary, out, on_event)?
            }
            Done::Many(many) => {
                write_lines(out, &mut ready)?;
                write_done(many, scan, summary, out, on_event)?
            }
            Done::Pending { prepared, source } => {
                // Only reached when a batch skipped the DNS stage: finish without it.
                write_lines(out, &mut ready)?;
                let mut report = prepared.finish(None, &scan.options);
                report.source = source;
                write_done(vec![report_done(report)], scan, summary, out, on_event)?
            }
        }
    }
    write_lines(out, &mut ready)
}

/// Writes whole lines in order, many per call (a batch's lines are megabytes: handing them
/// over as they are saves copying them into the output buffer), and recycles their buffers.
fn write_lines(out: &mut dyn Write, lines: &mut Vec<Vec<u8>>) -> io::Result<()> {
    // Writes take at most IOV_MAX (1024) slices on Linux.
    for group in lines.chunks(1024) {
        let mut slices: Vec<io::IoSlice<'_>> = group.iter().map(|l| io::IoSlice::new(l)).collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match out.write_vectored(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => io::IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    recycle_line_buffers(lines.drain(..));
    Ok(())
}
