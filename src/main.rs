//! The `hopsleuth` command: arguments in, reports out, exit code from what happened.

use clap::Parser;
use hopsleuth::cli::{AnalyzeArgs, Cli, Command, Format};
use hopsleuth::{Report, Source, mbox};
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// A file could not be read or is not mail.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze(&args),
        Command::Rules => list_rules(),
        Command::Explain { id } => explain(&id),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hopsleuth: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn analyze(args: &AnalyzeArgs) -> anyhow::Result<u8> {
    let options = args.options()?;
    let stdin_only = [Path::new("-").to_path_buf()];
    let paths = if args.paths.is_empty() {
        &stdin_only[..]
    } else {
        &args.paths[..]
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut code = 0;
    for path in paths {
        let name = path.display().to_string();
        let bytes = match read_input(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("hopsleuth: {name}: cannot read: {e}");
                code = EXIT_ERROR;
                continue;
            }
        };
        let parts: Vec<(Option<usize>, Option<u64>, &[u8])> = if mbox::is_mbox(&bytes) {
            mbox::messages(&bytes)
                .iter()
                .enumerate()
                .map(|(i, m)| (Some(i), Some(m.offset as u64), m.bytes))
                .collect()
        } else {
            vec![(None, None, &bytes[..])]
        };
        for (index, offset, msg) in parts {
            if args.add_header {
                let result = hopsleuth::analyze(msg, &options);
                if let Err(e) = &result {
                    let at = index.map(|i| format!(" (message {i})")).unwrap_or_default();
                    eprintln!("hopsleuth: {name}{at}: {e}; passed through unchanged");
                    code = EXIT_ERROR;
                }
                write_with_header(&mut out, msg, result.ok().as_ref())?;
                continue;
            }
            match hopsleuth::analyze(msg, &options) {
                Ok(mut report) => {
                    report.source = Source {
                        path: name.clone(),
                        index,
                        offset,
                    };
                    write_report(&mut out, &report, args)?;
                }
                Err(e) => {
                    let at = index.map(|i| format!(" (message {i})")).unwrap_or_default();
                    eprintln!("hopsleuth: {name}{at}: {e}");
                    code = EXIT_ERROR;
                }
            }
        }
    }
    out.flush()?;
    Ok(code)
}

fn list_rules() -> anyhow::Result<u8> {
    let mut out = io::stdout().lock();
    for r in hopsleuth::rules::registry::ALL {
        writeln!(
            out,
            "{:<9} {:>4.1}  {:<28} {}",
            r.id, r.score, r.name, r.summary
        )?;
    }
    Ok(0)
}

fn explain(id: &str) -> anyhow::Result<u8> {
    let Some(r) = hopsleuth::rules::registry::find(id) else {
        eprintln!("hopsleuth: no rule {id:?}; `hopsleuth rules` lists them");
        return Ok(EXIT_ERROR);
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{} {} (default score {})\n\n{}\n\n{}",
        r.id, r.name, r.score, r.summary, r.docs
    )?;
    Ok(0)
}

fn read_input(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// Writes `msg` unchanged except for one `X-Hopsleuth` header at the top (after an mbox
/// `From ` line), using the message's own line ending. Without a report, `msg` as is.
fn write_with_header(out: &mut impl Write, msg: &[u8], report: Option<&Report>) -> io::Result<()> {
    let Some(report) = report else {
        return out.write_all(msg);
    };
    let first_line_end = msg.iter().position(|&b| b == b'\n');
    let crlf = first_line_end.is_some_and(|i| i > 0 && msg[i - 1] == b'\r');
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let split_at = if msg.starts_with(b"From ") {
        first_line_end.map_or(msg.len(), |i| i + 1)
    } else {
        0
    };
    out.write_all(&msg[..split_at])?;
    if split_at == msg.len() && split_at > 0 && !msg.ends_with(b"\n") {
        out.write_all(eol)?;
    }
    out.write_all(b"X-Hopsleuth: ")?;
    out.write_all(report.filter_header_value().as_bytes())?;
    out.write_all(eol)?;
    out.write_all(&msg[split_at..])
}

fn write_report(out: &mut impl Write, report: &Report, args: &AnalyzeArgs) -> io::Result<()> {
    match args.format {
        Format::Json if args.pretty => writeln!(out, "{}", report.to_json_pretty()),
        Format::Json => writeln!(out, "{}", report.to_json()),
        Format::Text => writeln!(out, "{}", hopsleuth::report::text::render(report)),
    }
}
