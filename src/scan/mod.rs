//! Scanning mailboxes: files, mboxes, Maildirs, MH folders, directory trees and stdin.
//!
//! Inputs are enumerated lazily and in a stable order; messages are analysed in parallel
//! in bounded batches and their reports written in input order, one NDJSON line each, so
//! the output is deterministic and memory stays bounded whatever the mailbox size. Input
//! files are only ever opened for reading.

mod batch;
pub mod open;
mod walk;

use crate::mbox::{Layout, Reader};
use crate::report::{Report, Source, Verdict};
use crate::resolver::Dns;
use crate::{AnalyzeError, Options, Prepared};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use walk::{PATH_MAX, PathSource, Shard, Unit};

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
    /// How a report is written (NDJSON unless told otherwise).
    pub render: Render,
    /// Write an error record (`{"source":…,"error":…}`) to the output for an input that
    /// could not be read; the error is an [`Event`] either way.
    pub error_records: bool,
    /// Bytes of finished reports a batch may hold before it is written: batches shrink
    /// when reports are large, so memory stays bounded whatever the messages.
    pub batch_bytes: usize,
    /// Scan only this part of the inputs (`--shard K/N`).
    pub shard: Option<Shard>,
}

/// Writes a report into a line buffer (newline included). Called on the worker that
/// finished the report; it may carry settings (the text report's width) or write files
/// of its own (`scan --html`).
#[derive(Clone)]
pub struct Render(Arc<RenderFn>);

/// What a [`Render`] calls.
type RenderFn = dyn Fn(&Report, &mut Vec<u8>) + Send + Sync;

impl Render {
    /// A renderer from a function or closure.
    pub fn new(render: impl Fn(&Report, &mut Vec<u8>) + Send + Sync + 'static) -> Self {
        Render(Arc::new(render))
    }

    /// Writes `report` into `out`.
    pub fn write(&self, report: &Report, out: &mut Vec<u8>) {
        (self.0)(report, out);
    }
}

impl Default for Render {
    fn default() -> Self {
        Render::new(render_ndjson)
    }
}

impl std::fmt::Debug for Render {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Render")
    }
}

/// The scan's own format: one line of JSON.
pub fn render_ndjson(report: &Report, out: &mut Vec<u8>) {
    report.write_json(out);
    out.push(b'\n');
}

impl ScanOptions {
    /// How many bytes of each body to keep for DKIM: only when the scan verifies (DNS on,
    /// verification not turned off).
    fn body_cap(&self) -> Option<usize> {
        (self.dns.is_some() && self.options.verify).then_some(self.options.limits.max_body_bytes)
    }

    /// Messages per batch: while bodies are kept, as many as `batch_bytes` holds at the
    /// body cap, so the bodies in flight stay bounded like the reports.
    fn batch_limit(&self) -> usize {
        match self.body_cap() {
            Some(cap) => self.batch.min((self.batch_bytes / cap.max(1)).max(1)),
            None => self.batch,
        }
    }
}

/// [`crate::prepare`] of a whole message in memory (it keeps the body when verifying).
fn prepare_whole(bytes: &[u8], scan: &ScanOptions) -> Result<Prepared, AnalyzeError> {
    crate::prepare(bytes, &scan.options)
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            options: Options::default(),
            batch: 512,
            dns: None,
            render: Render::default(),
            error_records: true,
            batch_bytes: 32 << 20,
            shard: None,
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
            report_done(report, scan)
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
            report_done(report, scan)
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
        /// Look-ahead into the file, to check `Content-Length` (none for a pipe).
        peek: Option<crate::mbox::reader::Peek<'static>>,
    },
    /// The outcomes of a small mbox's messages, analysed by one worker.
    Many(Vec<Done>),
    /// Parsed, waiting for the batch's DNS answers.
    Pending {
        prepared: Box<Prepared>,
        source: Source,
    },
}

/// Files up to this size are read whole and analysed by one worker (nearly every message
/// file, and most mailbox files); larger ones are read as a stream.
const SMALL_FILE: u64 = 4 * 1024 * 1024;

/// Opens a file (a regular file only: see [`open`]) and reads it.
fn process_file(path: &std::path::Path, explicit: bool, scan: &ScanOptions) -> Done {
    let name = walk::display(path);
    let file = match open::regular_file(path) {
        Ok(f) => f,
        Err(open::Refused::NotRegular(kind)) if !explicit => {
            return Done::Skipped {
                path: name,
                reason: format!("{kind}, not a regular file"),
            };
        }
        Err(e) => return error_done(source_of(name), e.to_string()),
    };
    let len = file.metadata().map_or(u64::MAX, |m| m.len());
    if len > SMALL_FILE {
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

fn source_of(path: String) -> Source {
    Source {
        path,
        index: None,
        offset: None,
    }
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
    let limits = &scan.options.limits;
    if !crate::mbox::is_mbox(head) {
        // The whole message is in memory: what the reader would keep of it, and more.
        return prepared_done(prepare_whole(bytes, scan), source_of(name), scan);
    }
    // Most mailbox-format files hold one message: analyse it in place.
    if crate::mbox::reader::is_single_message(bytes)
        && bytes.len() as u64 <= limits.max_message_bytes
    {
        let source = Source {
            path: name,
            index: Some(0),
            offset: Some(0),
        };
        return prepared_done(prepare_whole(bytes, scan), source, scan);
    }
    let mut reader = Reader::in_memory(
        bytes,
        Layout::Mbox,
        limits.max_header_bytes,
        limits.max_message_bytes,
    )
    .digest(scan.options.keep_original);
    if let Some(cap) = scan.body_cap() {
        reader = reader.keep_body(cap);
    }
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
    Done::Many(done)
}

/// A file over [`SMALL_FILE`]: an mbox is streamed by the driver, a single message is read
/// as its header block plus a count of the bytes after it.
fn process_large_file(
    name: String,
    mut file: std::fs::File,
    explicit: bool,
    scan: &ScanOptions,
) -> Done {
    let mut head = [0u8; 512];
    let n = match walk::read_up_to(&mut file, &mut head) {
        Ok(n) => n,
        Err(e) => return read_error(name, e),
    };
    let head = &head[..n];
    if !explicit && !walk::looks_like_mail(head) {
        return Done::Skipped {
            path: name,
            reason: "not a mail message".into(),
        };
    }
    let peek = open::look_ahead(&file);
    stream_or_single(name, head, Box::new(file), peek, scan)
}

/// Input whose first bytes `head` were already read from `rest`: an mbox goes back to the
/// driver to be streamed; a single message is read as its header block plus a count.
fn stream_or_single(
    name: String,
    head: &[u8],
    rest: Box<dyn Read + Send>,
    peek: Option<crate::mbox::reader::Peek<'static>>,
    scan: &ScanOptions,
) -> Done {
    let stream: Box<dyn Read + Send> = Box::new(io::Cursor::new(head.to_vec()).chain(rest));
    if crate::mbox::is_mbox(head) {
        return Done::Mbox { name, stream, peek };
    }
    let limits = &scan.options.limits;
    let mut reader = Reader::new(
        io::BufReader::with_capacity(64 * 1024, stream),
        Layout::Single,
        limits.max_header_bytes,
        limits.max_message_bytes,
    )
    .digest(scan.options.keep_original);
    // The header decides first: input that is not mail (`/dev/zero` on standard input) is
    // not read on to its end.
    let mut raw = match reader.read_head() {
        Ok(Some(raw)) => raw,
        Ok(None) => return error_done(source_of(name), "empty input: no header block".into()),
        Err(e) => return read_error(name, e),
    };
    let prepared = match crate::prepare(&raw.header, &scan.options) {
        Ok(p) => p,
        Err(e) => return error_done(source_of(name), e.to_string()),
    };
    let mut kept = scan.body_cap().map(crate::mbox::reader::Capped::new);
    let sink = kept.as_mut().map(|k| k as &mut dyn Write);
    if let Err(e) = reader.read_body(&mut raw, sink) {
        return read_error(name, e);
    }
    let mut prepared = prepared;
    prepared.count_bytes_after_header(raw.body_len);
    prepared.original_streamed(raw.digest.as_ref(), raw.body_len);
    if let Some(kept) = kept {
        prepared.keep_parts(&raw.header, &kept.bytes, raw.body_len, false);
    }
    prepared_done(Ok(prepared), source_of(name), scan)
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

/// A finished report as an output line.
fn report_done(report: Report, scan: &ScanOptions) -> Done {
    let rules = report.scored_rules();
    let mut line = take_line_buffer();
    scan.render.write(&report, &mut line);
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
                Ok(n) => stream_or_single("-".into(), &head[..n], Box::new(stdin), None, scan),
                Err(e) => read_error("-".into(), e),
            }
        }
        Unit::Message { path, raw } => {
            let source = Source {
                path,
                index: raw.index,
                offset: raw.index.map(|_| raw.offset),
            };
            prepared_done(crate::prepare_read(&raw, &scan.options), source, scan)
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
    run_with_source(paths, None, scan, out, on_event)
}

/// [`run`] over `paths`, then the paths a list gives, read as the scan goes (a list of a
/// hundred million paths is never held in memory).
pub fn run_with_source(
    paths: &[PathBuf],
    source: Option<PathSource>,
    scan: &ScanOptions,
    out: &mut (dyn Write + Send),
    on_event: &mut (dyn FnMut(Event) + Send),
) -> io::Result<Summary> {
    let start = Instant::now();
    let mut units = walk::units(paths)
        .with_source(source)
        .with_shard(scan.shard);
    let mut batch = batch::BatchSize::new(scan.batch_limit(), scan.batch_bytes);
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
            let size = batch.next();
            let mut chunk: Vec<Unit> = Vec::with_capacity(size.min(4096));
            for u in units.by_ref() {
                let stdin = matches!(u, Unit::Stdin);
                chunk.push(u);
                if stdin || chunk.len() >= size {
                    break;
                }
            }
            if chunk.is_empty() {
                break;
            }
            let inputs = chunk.len();
            let done: Vec<Done> = chunk.into_par_iter().map(|u| process(u, scan)).collect();
            let done = resolve_pending(done, scan);
            batch.observe(inputs, output_bytes(&done));
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
    peek: Option<crate::mbox::reader::Peek<'static>>,
    scan: &ScanOptions,
    summary: &mut Summary,
    out: &mut dyn Write,
    on_event: &mut dyn FnMut(Event),
) -> io::Result<()> {
    let limits = scan.options.limits;
    // The reader learns each batch's size from the analysis, one batch behind.
    let size = std::sync::atomic::AtomicUsize::new(
        batch::BatchSize::new(scan.batch_limit(), scan.batch_bytes).next(),
    );
    let mut batch = batch::BatchSize::new(scan.batch_limit(), scan.batch_bytes);
    std::thread::scope(|threads| {
        let (to_analyse, chunks) = std::sync::mpsc::sync_channel::<Vec<Unit>>(1);
        let size = &size;
        threads.spawn(move || {
            let mut reader = Reader::new(
                io::BufReader::with_capacity(256 * 1024, stream),
                Layout::Mbox,
                limits.max_header_bytes,
                limits.max_message_bytes,
            )
            .digest(scan.options.keep_original);
            if let Some(peek) = peek {
                reader = reader.with_peek(peek);
            }
            if let Some(cap) = scan.body_cap() {
                reader = reader.keep_body(cap);
            }
            loop {
                let take = size.load(std::sync::atomic::Ordering::Relaxed);
                let chunk: Vec<Unit> = reader
                    .by_ref()
                    .take(take)
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
            let inputs = chunk.len();
            let done: Vec<Done> = chunk.into_par_iter().map(|u| process(u, scan)).collect();
            let done = resolve_pending(done, scan);
            batch.observe(inputs, output_bytes(&done));
            size.store(batch.next(), std::sync::atomic::Ordering::Relaxed);
            write_done(done, scan, summary, out, on_event)?;
            on_event(Event::Progress {
                messages: summary.messages + summary.errors,
            });
        }
        Ok(())
    })
}

/// Bytes of output a batch's outcomes hold.
fn output_bytes(done: &[Done]) -> usize {
    done.iter()
        .map(|d| match d {
            Done::Report { line, .. } | Done::Error { line, .. } => line.len(),
            Done::Many(many) => output_bytes(many),
            _ => 0,
        })
        .sum()
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
                if scan.error_records {
                    ready.push(line);
                }
                summary.errors += 1;
                on_event(Event::Error { source, error });
            }
            Done::Skipped { path, reason } => {
                summary.skipped += 1;
                on_event(Event::Skipped { path, reason });
            }
            Done::Mbox { name, stream, peek } => {
                write_lines(out, &mut ready)?;
                stream_mbox(name, stream, peek, scan, summary, out, on_event)?
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
                write_done(
                    vec![report_done(report, scan)],
                    scan,
                    summary,
                    out,
                    on_event,
                )?
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
