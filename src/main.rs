//! The `hopsleuth` command: arguments in, reports out, exit code from what happened.

mod add_header;
mod cli;
mod html_pages;
mod man;

use clap::CommandFactory;
use clap::Parser;
use cli::{AnalyzeArgs, Cli, Command, Format, ScanArgs};
use hopsleuth::resolver::Dns;
use std::io::{self, Write};
use std::process::ExitCode;

// Analysis allocates many small strings per message; mimalloc keeps that cheap across
// worker threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A file could not be read or is not mail (`scan`: added to [`EXIT_FAIL_ON`], so 3 is
/// both).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze(&args),
        Command::Rules { format } => list_rules(format, &mut io::stdout().lock()),
        Command::Explain { id } => explain(&id),
        Command::Profiles { format } => list_profiles(format, &mut io::stdout().lock()),
        Command::Scan(args) => scan(&args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "hopsleuth", &mut io::stdout());
            Ok(0)
        }
        Command::Man { dir } => man(dir.as_deref()),
        Command::Dns {
            command: cli::DnsCommand::Merge { files },
        } => dns_merge(&files),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "hopsleuth: {}",
                hopsleuth::text::terminal(&format!("{e:#}"))
            );
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
    let dns = dns.map(std::sync::Arc::new);
    if args.add_header {
        let code = recording(dns.as_deref(), || {
            Ok(add_header::run(
                &input_paths(args),
                &options,
                dns.as_deref(),
            ))
        });
        // The filter's answer is its exit code: a recording that could not be written
        // loses no mail.
        return Ok(code.unwrap_or_else(|e| {
            eprintln!(
                "hopsleuth: {}",
                hopsleuth::text::terminal(&format!("{e:#}"))
            );
            add_header::EX_TEMPFAIL
        }));
    }
    recording(dns.as_deref(), || {
        analyze_inputs(args, options, dns.clone())
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

/// The paths to analyse: standard input when none are given.
fn input_paths(args: &AnalyzeArgs) -> Vec<std::path::PathBuf> {
    if args.paths.is_empty() {
        vec!["-".into()]
    } else {
        args.paths.clone()
    }
}

/// `analyze` reads its inputs exactly as `scan` does (the same reader, walk and limits),
/// and writes the reports in the format asked for.
fn analyze_inputs(
    args: &AnalyzeArgs,
    options: hopsleuth::Options,
    dns: Option<std::sync::Arc<Dns>>,
) -> anyhow::Result<u8> {
    use hopsleuth::scan::{self, Event, ScanOptions};
    let mut options = options;
    // The HTML and Markdown reports show the header block and the input's SHA-256.
    options.keep_original = matches!(args.format, Format::Html | Format::Markdown);
    let text = text_options(args.color);
    let html = hopsleuth::report::html::HtmlOptions {
        clock_skew_s: options.checks.clock_skew(),
    };
    let render = match args.format {
        Format::Json if args.pretty => scan::Render::new(|report, out| {
            out.extend_from_slice(report.to_json_pretty().as_bytes());
            out.push(b'\n');
        }),
        Format::Json => scan::Render::new(scan::render_ndjson),
        Format::Text => scan::Render::new(move |report, out| {
            let page = hopsleuth::report::text::render_with(report, text);
            out.extend_from_slice(page.as_bytes());
            out.push(b'\n');
        }),
        Format::Html => scan::Render::new(move |report, out| {
            out.extend_from_slice(hopsleuth::report::html::render(report, html).as_bytes());
        }),
        Format::Markdown => scan::Render::new(|report, out| {
            out.extend_from_slice(hopsleuth::report::markdown::render(report).as_bytes());
            out.push(b'\n');
        }),
        Format::Spamassassin => scan::Render::new(|report, out| {
            out.extend_from_slice(hopsleuth::report::spamassassin::render(report).as_bytes());
        }),
    };
    let scan_options = ScanOptions {
        options,
        dns,
        render,
        error_records: false,
        ..ScanOptions::default()
    };
    let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout());
    let mut on_event = |e: Event| {
        if let Some(line) = event_line(&e) {
            eprintln!("{line}");
        }
    };
    let summary = scan::run(&input_paths(args), &scan_options, &mut out, &mut on_event)?;
    out.flush()?;
    Ok(if summary.errors > 0 { EXIT_ERROR } else { 0 })
}

/// The text report's width and colour: the terminal's width on a terminal, 80 when the
/// output is a file or a pipe; colour by `--color` (auto: a terminal, and no NO_COLOR).
fn text_options(color: cli::ColorChoice) -> hopsleuth::report::text::TextOptions {
    use std::io::IsTerminal;
    let tty = io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    hopsleuth::report::text::TextOptions {
        width: if tty {
            terminal_width().unwrap_or(80)
        } else {
            80
        },
        color: match color {
            cli::ColorChoice::Always => true,
            cli::ColorChoice::Never => false,
            cli::ColorChoice::Auto => tty && !no_color,
        },
    }
}

/// Columns of the terminal on standard output, as the kernel knows them.
fn terminal_width() -> Option<usize> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given, which lives
    // across the call; on a descriptor that is no terminal it fails and writes nothing.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// `scan --files-from`: the list read lazily, one path per line (or NUL-separated).
fn path_list(list: &std::path::Path, null: bool) -> anyhow::Result<hopsleuth::scan::PathSource> {
    use std::io::BufRead;
    let name = hopsleuth::text::display_path(list);
    let reader: Box<dyn BufRead + Send> = if list == std::path::Path::new("-") {
        Box::new(io::BufReader::new(io::stdin()))
    } else {
        let file = std::fs::File::open(list)
            .map_err(|e| anyhow::anyhow!("{name}: cannot open the list of paths: {e}"))?;
        Box::new(io::BufReader::new(file))
    };
    let delimiter = if null { b'\0' } else { b'\n' };
    Ok(hopsleuth::scan::PathSource {
        name,
        paths: Box::new(PathList { reader, delimiter }),
    })
}

/// Paths split from a reader, each at most `PATH_MAX` bytes (a longer "path" ends the
/// list with an error instead of filling memory), empty entries skipped.
struct PathList {
    reader: Box<dyn io::BufRead + Send>,
    delimiter: u8,
}

impl Iterator for PathList {
    type Item = io::Result<std::path::PathBuf>;

    fn next(&mut self) -> Option<Self::Item> {
        use std::io::{BufRead, Read};
        use std::os::unix::ffi::OsStringExt;
        const PATH_MAX: u64 = hopsleuth::scan::PATH_MAX as u64;
        loop {
            let mut entry = Vec::new();
            match (&mut self.reader)
                .take(PATH_MAX + 1)
                .read_until(self.delimiter, &mut entry)
            {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            let ended = entry.last() == Some(&self.delimiter);
            if ended {
                entry.pop();
            } else if entry.len() as u64 > PATH_MAX {
                return Some(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("an entry longer than PATH_MAX ({PATH_MAX} bytes): not a path list?"),
                )));
            }
            if self.delimiter == b'\n' && entry.last() == Some(&b'\r') {
                entry.pop();
            }
            if entry.is_empty() {
                continue;
            }
            return Some(Ok(std::path::PathBuf::from(std::ffi::OsString::from_vec(
                entry,
            ))));
        }
    }
}

/// `hopsleuth dns merge`: the recordings joined on standard output.
fn dns_merge(files: &[std::path::PathBuf]) -> anyhow::Result<u8> {
    let merged = hopsleuth::resolver::record::merge(files)?;
    if merged.differing > 0 {
        eprintln!(
            "hopsleuth: {} questions answered differently in a later recording; the first recording's answers kept",
            merged.differing
        );
    }
    let text = hopsleuth::resolver::record::to_text(&merged.recording);
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

/// `hopsleuth man`: one page with every subcommand, or one page per subcommand in `dir`.
fn man(dir: Option<&std::path::Path>) -> anyhow::Result<u8> {
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("{}: cannot create: {e}", hopsleuth::text::display_path(dir))
            })?;
            clap_mangen::generate_to(Cli::command(), dir).map_err(|e| {
                anyhow::anyhow!(
                    "{}: cannot write the pages: {e}",
                    hopsleuth::text::display_path(dir)
                )
            })?;
        }
        None => io::stdout()
            .lock()
            .write_all(man::single_page().as_bytes())?,
    }
    Ok(0)
}

/// What a scan event tells a person on stderr (nothing for progress).
fn event_line(e: &hopsleuth::scan::Event) -> Option<String> {
    use hopsleuth::scan::Event;
    match e {
        Event::Error { source, error } => {
            let at = source
                .index
                .map(|i| format!(" (message {i})"))
                .unwrap_or_default();
            // Paths are made terminal-safe where they are named; error texts quote headers.
            let error = hopsleuth::text::terminal(error);
            Some(format!("hopsleuth: {}{at}: {error}", source.path))
        }
        Event::Skipped { path, reason } => {
            let reason = hopsleuth::text::terminal(reason);
            Some(format!("hopsleuth: {path}: skipped ({reason})"))
        }
        Event::Progress { .. } => None,
    }
}

/// A rule as `rules --format json` lists it.
#[derive(serde::Serialize)]
struct RuleListing {
    id: &'static str,
    name: &'static str,
    score: f64,
    strength: &'static str,
    concern: &'static str,
    group: &'static str,
    summary: &'static str,
    source: &'static str,
}

fn list_rules(format: cli::RulesFormat, out: &mut impl Write) -> anyhow::Result<u8> {
    for r in hopsleuth::rules::registry::ALL {
        match format {
            cli::RulesFormat::Text => writeln!(
                out,
                "{:<9} {:>4.1}  {:<6} {:<8} {:<28} {}",
                r.id,
                r.score,
                r.strength.as_str(),
                r.concern.as_str(),
                r.name,
                r.summary
            )?,
            cli::RulesFormat::Json => {
                let listing = RuleListing {
                    id: r.id,
                    name: r.name,
                    score: r.score,
                    strength: r.strength.as_str(),
                    concern: r.concern.as_str(),
                    group: r.group,
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

fn list_profiles(format: cli::RulesFormat, out: &mut impl Write) -> anyhow::Result<u8> {
    for p in hopsleuth::profiles::all() {
        let sending: Vec<serde_json::Value> = p
            .sending
            .iter()
            .map(|s| {
                serde_json::json!({
                    "source": s.source,
                    "retrieved": s.retrieved,
                    "complete": s.complete,
                    "networks": s.networks.len(),
                })
            })
            .collect();
        match format {
            cli::RulesFormat::Text => {
                writeln!(out, "{:<13} checked {}  {}", p.id, p.checked, p.name)?;
                writeln!(
                    out,
                    "              receivers: {}; frontends: {}; internal networks: {}",
                    join_or_none(&p.receiver_suffixes),
                    join_or_none(&p.frontend_suffixes),
                    p.internal_networks.len() + p.receiver_networks.len()
                )?;
                if p.sending.is_empty() {
                    writeln!(
                        out,
                        "              sending networks: none published in the profile"
                    )?;
                }
                for s in &p.sending {
                    writeln!(
                        out,
                        "              sending networks: {} ({}) from {} ({})",
                        s.networks.len(),
                        if s.complete { "complete" } else { "partial" },
                        s.source,
                        s.retrieved
                    )?;
                }
            }
            cli::RulesFormat::Json => {
                let listing = serde_json::json!({
                    "id": p.id,
                    "name": p.name,
                    "checked": p.checked,
                    "address_domains": p.address_domains,
                    "receiver_suffixes": p.receiver_suffixes,
                    "frontend_suffixes": p.frontend_suffixes,
                    "authserv_ids": p.authserv_ids,
                    "sending": sending,
                });
                writeln!(out, "{}", serde_json::to_string(&listing)?)?;
            }
        }
    }
    Ok(0)
}

fn join_or_none(list: &[String]) -> String {
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

fn explain(id: &str) -> anyhow::Result<u8> {
    if id.eq_ignore_ascii_case("verdict") {
        writeln!(
            io::stdout().lock(),
            "{}",
            hopsleuth::rules::judgement::CALCULUS
        )?;
        return Ok(0);
    }
    let Some(r) = hopsleuth::rules::registry::find(id) else {
        eprintln!(
            "hopsleuth: no rule {id:?}; `hopsleuth rules` lists them, `hopsleuth explain verdict` explains the verdict"
        );
        return Ok(EXIT_ERROR);
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{} {} (default score {}, strength {}, {} finding, group {})\nSource: {}\n\n{}\n\n{}",
        r.id,
        r.name,
        r.score,
        r.strength.as_str(),
        r.concern.as_str(),
        r.group,
        r.source,
        r.summary,
        r.docs
    )?;
    Ok(0)
}

/// A message was at or above `--fail-on`.
const EXIT_FAIL_ON: u8 = 1;

fn scan(args: &ScanArgs) -> anyhow::Result<u8> {
    use hopsleuth::scan::{self, Event, ScanOptions};
    use std::io::IsTerminal;
    let (mut options, dns) = args.analysis.setup()?;
    let dns = dns.map(std::sync::Arc::new);
    options.keep_original = args.html.is_some();
    let pages = match &args.html {
        Some(dir) => Some(std::sync::Arc::new(html_pages::Pages::create(
            dir,
            args.fail_on,
            options.checks.clock_skew(),
        )?)),
        None => None,
    };
    let text = text_options(args.color);
    let line_render: fn(&hopsleuth::Report, &mut Vec<u8>, hopsleuth::report::text::TextOptions) =
        match (args.emit, args.format) {
            (cli::Emit::Findings, _) => |report, out, _| {
                hopsleuth::report::rows::write_findings(report, out);
            },
            (cli::Emit::Hops, _) => {
                |report, out, _| hopsleuth::report::rows::write_hops(report, out)
            }
            (cli::Emit::Reports, cli::ScanFormat::Ndjson) => {
                |report, out, _| scan::render_ndjson(report, out)
            }
            (cli::Emit::Reports, cli::ScanFormat::Text) => |report, out, text| {
                out.extend_from_slice(
                    hopsleuth::report::text::summary_line(report, text).as_bytes(),
                );
                out.push(b'\n');
            },
        };
    let page_writer = pages.clone();
    let scan_options = ScanOptions {
        options,
        dns: dns.clone(),
        render: scan::Render::new(move |report, out| {
            line_render(report, out, text);
            if let Some(pages) = &page_writer {
                pages.write(report);
            }
        }),
        shard: args.shard,
        // Flat rows carry no error records: an input that cannot be read is said on
        // stderr (and in the exit code), as always.
        error_records: args.emit == cli::Emit::Reports,
        ..ScanOptions::default()
    };
    let source = match &args.files_from {
        Some(list) => Some(path_list(list, args.null)?),
        None => None,
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
        Event::Progress { messages } => {
            if let Some(bar) = &progress {
                bar.set_position(messages);
            }
        }
        other => {
            if let Some(line) = event_line(&other) {
                match &progress {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
        }
    };
    let summary = recording(dns.as_deref(), || {
        Ok(scan::run_with_source(
            &args.paths,
            source,
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
    if let Some(pages) = &pages {
        pages.finish(summary.messages)?;
    }
    let summary_line = format!(
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
    // A person reading the text lines gets the summary after them; NDJSON keeps stdout
    // for reports.
    if args.format == cli::ScanFormat::Text {
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "{summary_line}")?;
        stdout.flush()?;
    } else {
        eprintln!("{summary_line}");
    }
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
        if d.distrusted_batches > 0 {
            eprintln!(
                "hopsleuth: DNS: {} batches not believed: the resolver answered NXDOMAIN for every name, the canary included (no network?); their DNS checks are unknown",
                d.distrusted_batches
            );
        }
        if d.over_budget > 0 {
            eprintln!(
                "hopsleuth: DNS: {} questions left unanswered by the time budgets (--dns-message-budget, --dns-scan-budget)",
                d.over_budget
            );
        }
    }
    if let Some(path) = &args.summary {
        std::fs::write(path, serde_json::to_string_pretty(&summary)? + "\n").map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot write summary: {e}",
                hopsleuth::text::display_path(path)
            )
        })?;
    }
    let failed = summary.worst.is_some_and(|v| args.fail_on.reached(v));
    // A verdict at or above --fail-on is never hidden by an error elsewhere: the two add.
    let mut code = 0;
    if failed {
        code |= EXIT_FAIL_ON;
    }
    if summary.errors > 0 {
        code |= EXIT_ERROR;
    }
    Ok(code)
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
            assert_eq!(v["strength"], rule.strength.as_str());
            assert_eq!(v["concern"], rule.concern.as_str());
            assert_eq!(v["summary"], rule.summary);
            assert_eq!(v["source"], rule.source);
        }
        assert!(
            lines[0]
                .starts_with(r#"{"id":"ARC001","name":"arc-sealer-off-path","score":1.0,"strength":"weak","concern":"path","#),
            "{}",
            lines[0]
        );
    }
}
