//! The `hopsleuth` command: arguments in, reports out, exit code from what happened.

mod cli;

use clap::CommandFactory;
use clap::Parser;
use cli::{AnalyzeArgs, Cli, Command, FailOn, Format, ScanArgs};
use hopsleuth::resolver::Dns;
use hopsleuth::{Report, Source, mbox};
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::ExitCode;

// Analysis allocates many small strings per message; mimalloc keeps that cheap across
// worker threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A file could not be read or is not mail.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze(&args),
        Command::Rules { format } => list_rules(format, &mut io::stdout().lock()),
        Command::Explain { id } => explain(&id),
        Command::Scan(args) => scan(&args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "hopsleuth", &mut io::stdout());
            Ok(0)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut io::stdout())
            .map(|_| 0)
            .map_err(Into::into),
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
    let (options, dns) = args.setup()?;
    recording(dns.as_ref(), || {
        analyze_inputs(args, &options, dns.as_ref())
    })
}

/// Runs `work`, then writes the DNS recording if one was asked for, also when `work` failed
/// part-way: the answers used so far were evidence for the reports already written.
fn recording<T>(dns: Option<&Dns>, work: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let result = work();
    let finished = dns.map_or(Ok(()), Dns::finish);
    let value = result?;
    finished?;
    Ok(value)
}

fn analyze_inputs(
    args: &AnalyzeArgs,
    options: &hopsleuth::Options,
    dns: Option<&Dns>,
) -> anyhow::Result<u8> {
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
        // Every message of the file is prepared first, so that their DNS questions are
        // resolved together.
        let prepared: Vec<_> = parts
            .iter()
            .map(|(_, _, msg)| hopsleuth::prepare(msg, options))
            .collect();
        let reports = hopsleuth::finish_all(prepared, options, dns);
        for ((index, offset, msg), result) in parts.into_iter().zip(reports) {
            if args.add_header {
                if let Err(e) = &result {
                    let at = index.map(|i| format!(" (message {i})")).unwrap_or_default();
                    eprintln!("hopsleuth: {name}{at}: {e}; passed through unchanged");
                    code = EXIT_ERROR;
                }
                write_with_header(&mut out, msg, result.ok().as_ref())?;
                continue;
            }
            match result {
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

/// A rule as `rules --format json` lists it.
#[derive(serde::Serialize)]
struct RuleListing {
    id: &'static str,
    name: &'static str,
    score: f64,
    summary: &'static str,
    source: &'static str,
}

fn list_rules(format: cli::RulesFormat, out: &mut impl Write) -> anyhow::Result<u8> {
    for r in hopsleuth::rules::registry::ALL {
        match format {
            cli::RulesFormat::Text => writeln!(
                out,
                "{:<9} {:>4.1}  {:<28} {}",
                r.id, r.score, r.name, r.summary
            )?,
            cli::RulesFormat::Json => {
                let listing = RuleListing {
                    id: r.id,
                    name: r.name,
                    score: r.score,
                    summary: r.summary,
                    source: r.source,
                };
                // A string first: a closed pipe is then an I/O error, which ends quietly.
                writeln!(out, "{}", serde_json::to_string(&listing)?)?;
            }
        }
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
        "{} {} (default score {})\nSource: {}\n\n{}\n\n{}",
        r.id, r.name, r.score, r.source, r.summary, r.docs
    )?;
    Ok(0)
}

/// A message was at or above `--fail-on`.
const EXIT_FAIL_ON: u8 = 1;

fn scan(args: &ScanArgs) -> anyhow::Result<u8> {
    use hopsleuth::scan::{self, Event, ScanOptions};
    use std::io::IsTerminal;
    let (options, dns) = args.analysis.setup()?;
    let dns = dns.map(std::sync::Arc::new);
    let scan_options = ScanOptions {
        options,
        dns: dns.clone(),
        ..ScanOptions::default()
    };
    if let Some(asked) = args.jobs {
        // More workers than cores only add memory and contention; a typo like 100000 would
        // start that many threads.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let jobs = asked.clamp(1, 4 * cores);
        if jobs != asked {
            eprintln!("hopsleuth: --jobs {asked}: using {jobs} (1 to 4 per core, {cores} cores)");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global()
            .ok();
    }
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} messages ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    // Not a locked handle: the scan writes from its own output thread.
    let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout());
    let mut on_event = |e: Event| match e {
        Event::Error { source, error } => {
            let at = source
                .index
                .map(|i| format!(" (message {i})"))
                .unwrap_or_default();
            let line = format!("hopsleuth: {}{at}: {error}", source.path);
            match &progress {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
        Event::Skipped { path, reason } => {
            let line = format!("hopsleuth: {path}: skipped ({reason})");
            match &progress {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
        Event::Progress { messages } => {
            if let Some(bar) = &progress {
                bar.set_position(messages);
            }
        }
    };
    let summary = recording(dns.as_deref(), || {
        Ok(scan::run(
            &args.paths,
            &scan_options,
            &mut out,
            &mut on_event,
        )?)
    })?;
    drop(out);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let verdicts: Vec<String> = ["clean", "suspicious", "forged"]
        .iter()
        .map(|v| format!("{v} {}", summary.verdicts.get(v).copied().unwrap_or(0)))
        .collect();
    let mut top: Vec<(&&str, &u64)> = summary.rules.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rules: Vec<String> = top
        .iter()
        .take(10)
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    eprintln!(
        "hopsleuth: {} messages ({}), {} errors, {} skipped, {:.2}s, {:.0} messages/s; rules: {}",
        summary.messages,
        verdicts.join(", "),
        summary.errors,
        summary.skipped,
        summary.elapsed_s,
        summary.messages_per_s,
        if rules.is_empty() {
            "none".to_string()
        } else {
            rules.join(", ")
        }
    );
    if let Some(d) = summary.dns {
        let silent = if d.lookups > 0 && d.failed == d.lookups {
            "; no DNS answer at all: is the resolver reachable? (--no-dns turns lookups off)"
        } else {
            ""
        };
        eprintln!(
            "hopsleuth: DNS ({}): {} lookups, {} without an answer{silent}",
            d.mode.as_str(),
            d.lookups,
            d.failed
        );
    }
    if let Some(path) = &args.summary {
        std::fs::write(path, serde_json::to_string_pretty(&summary)? + "\n")
            .map_err(|e| anyhow::anyhow!("{}: cannot write summary: {e}", path.display()))?;
    }
    let failed = match (args.fail_on, summary.worst) {
        (FailOn::Never, _) | (_, None) => false,
        (FailOn::Suspicious, Some(v)) => v != hopsleuth::Verdict::Clean,
        (FailOn::Forged, Some(v)) => v == hopsleuth::Verdict::Forged,
    };
    Ok(if summary.errors > 0 {
        EXIT_ERROR
    } else if failed {
        EXIT_FAIL_ON
    } else {
        0
    })
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
        Format::Spamassassin => write!(out, "{}", hopsleuth::report::spamassassin::render(report)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rules_as_json_lines() {
        let mut out = Vec::new();
        super::list_rules(super::cli::RulesFormat::Json, &mut out).expect("listing");
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), hopsleuth::rules::registry::ALL.len());
        for (line, rule) in lines.iter().zip(hopsleuth::rules::registry::ALL) {
            let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
            assert_eq!(v["id"], rule.id);
            assert_eq!(v["name"], rule.name);
            assert_eq!(v["score"], rule.score);
            assert_eq!(v["summary"], rule.summary);
            assert_eq!(v["source"], rule.source);
        }
        assert!(
            lines[0]
                .starts_with(r#"{"id":"CHAIN001","name":"continuity-break-outside","score":1.0,"#),
            "{}",
            lines[0]
        );
    }
}
