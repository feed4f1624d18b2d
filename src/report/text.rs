//! The report for a person at a terminal: a hop table read at a glance, then the findings.

use super::{Report, view};
use crate::chain::hop::Hop;

/// How the text report is laid out: the width it must fit and whether to colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextOptions {
    /// Columns available (80 when the output is not a terminal).
    pub width: usize,
    /// ANSI colours (a terminal that wants them).
    pub color: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            width: 80,
            color: false,
        }
    }
}

/// Width of the labels before header values (`Return-Path: `).
const LABEL: usize = 13;

/// The narrowest layout the report keeps to, however small the terminal says it is.
const MIN_WIDTH: usize = 40;

/// Renders the report as text, 80 columns, no colour.
pub fn render(report: &Report) -> String {
    render_with(report, TextOptions::default())
}

/// Renders the report as text for `options`. Every value that is not our own words goes
/// through [`crate::text::terminal`] first, so nothing in a message (or a file name, or a
/// DNS answer) can start a new line, move the cursor, reorder or hide text. Long values
/// wrap between words; a word (an address, a host name) is never cut.
pub fn render_with(report: &Report, options: TextOptions) -> String {
    let mut t = Text {
        out: String::new(),
        width: options.width.max(MIN_WIDTH),
        color: options.color,
    };
    let src = match (report.source.index, report.source.offset) {
        (Some(i), Some(o)) => format!("{} (message {i}, offset {o})", report.source.path),
        _ => report.source.path.clone(),
    };
    t.para(&format!("{:<LABEL$}", "Source:"), &clean(&src));
    for p in view::parties(report) {
        let label = format!("{:<LABEL$}", format!("{}:", p.label));
        match &p.mismatch {
            Some(why) => {
                // The reason quotes the addresses' domains: the message's text.
                let why = format!("[{}]", clean(why));
                let marked = format!("{} {}", clean(&p.value), t.paint(RED, &why));
                t.para(&label, &marked);
            }
            None => t.para(&label, &clean(&p.value)),
        }
    }
    let subject = report
        .headers
        .subject
        .as_ref()
        .map_or("-", |h| h.value.as_str());
    t.para(&format!("{:<LABEL$}", "Subject:"), &clean(subject));
    if let Some(m) = &report.envelope.mail_from {
        t.para(
            &format!("{:<LABEL$}", "Envelope:"),
            &format!(
                "MAIL FROM <{}> ({})",
                clean(&m.value),
                view::envelope_source(m.source)
            ),
        );
    }
    for r in &report.envelope.rcpt_to {
        t.para(
            &" ".repeat(LABEL),
            &format!(
                "RCPT TO <{}> ({})",
                clean(&r.value),
                view::envelope_source(r.source)
            ),
        );
    }
    t.line("");
    hop_table(&mut t, report);
    if let Some(total) = report.chain.transit_s {
        let slowest = view::slowest_hop(report)
            .map(|(i, d)| format!("; slowest hop {i} ({})", view::duration(d)))
            .unwrap_or_default();
        t.line("");
        t.say(&format!(
            "Total transit: {}{slowest}",
            view::duration(total)
        ));
    }
    let boundary = match (report.trust.entry_hop, &report.trust.boundary_host) {
        (Some(i), Some(host)) => format!("entered our servers at hop {i} ({})", clean(host)),
        (Some(i), None) => format!("entered our servers at hop {i}"),
        (None, _) => "every hop is ours".to_string(),
    };
    let method = match report.trust.profile {
        Some(profile) => format!("{}, profile {profile}", report.trust.method),
        None => report.trust.method.to_string(),
    };
    t.say(&format!("Trust boundary ({method}): {boundary}"));
    for h in report.hops.iter().filter(|h| h.reason.is_some()) {
        t.para(
            "  ",
            &format!(
                "hop {}: {}",
                h.index,
                clean(h.reason.as_deref().unwrap_or_default())
            ),
        );
    }
    link_lines(&mut t, report);
    auth_lines(&mut t, report);
    dns_lines(&mut t, report);
    t.line("");
    let path: Vec<&crate::rules::Finding> = report
        .findings
        .iter()
        .filter(|f| f.concern == crate::rules::Concern::Path)
        .collect();
    let identity: Vec<&crate::rules::Finding> = report
        .findings
        .iter()
        .filter(|f| f.concern == crate::rules::Concern::Identity)
        .collect();
    if path.is_empty() {
        t.line("Path: no findings.");
    } else {
        t.line("Path findings:");
    }
    finding_lines(&mut t, &path);
    let verdict = t.paint(verdict_color(report.verdict), report.verdict.as_str());
    t.para(
        "",
        &format!(
            "Path score {}: {verdict} ({})",
            view::score(report.score),
            clean(&report.verdict_basis)
        ),
    );
    if !identity.is_empty() {
        t.line("");
        t.line("Identity findings (never judge the path):");
        finding_lines(&mut t, &identity);
        let verdict = t.paint(
            verdict_color(report.identity.verdict),
            report.identity.verdict.as_str(),
        );
        t.para(
            "",
            &format!(
                "Identity score {}: {verdict} ({})",
                view::score(report.identity.score),
                clean(&report.identity.basis)
            ),
        );
    }
    t.out
}

/// One line for a message in `scan --format text`: verdict, score, source, the rules that
/// scored, then From and Subject as far as the width allows.
pub fn summary_line(report: &Report, options: TextOptions) -> String {
    let width = options.width.max(MIN_WIDTH);
    let src = view::source_ref(&report.source);
    let rules = report.scored_rules();
    let rules = if rules.is_empty() {
        "-".to_string()
    } else {
        rules.join(",")
    };
    let verdict = format!("{:<10}", report.verdict.as_str());
    let head = format!(
        "{verdict} {:>5}  {}  {rules}",
        view::score(report.score),
        clean(&src)
    );
    let from = report
        .headers
        .from
        .as_ref()
        .map_or("-", |h| h.value.as_str());
    let subject = report
        .headers
        .subject
        .as_ref()
        .map_or("-", |h| h.value.as_str());
    let tail = format!("  {} | {}", clean(from), clean(subject));
    // The source and rules are never cut; From and Subject take what is left.
    let room = width.saturating_sub(head.chars().count());
    let tail = if room > 8 {
        crate::text::clip(&tail, room)
    } else {
        String::new()
    };
    let line = format!("{head}{tail}");
    if options.color {
        let painted = paint_with(true, verdict_color(report.verdict), report.verdict.as_str());
        line.replacen(report.verdict.as_str(), &painted, 1)
    } else {
        line
    }
}

/// The text being written, its width and colour.
struct Text {
    out: String,
    width: usize,
    color: bool,
}

const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const CYAN: &str = "36";
const DIM: &str = "2";

fn verdict_color(v: crate::report::Verdict) -> &'static str {
    match v {
        crate::report::Verdict::Clean => GREEN,
        crate::report::Verdict::Suspicious => YELLOW,
        crate::report::Verdict::Forged => RED,
    }
}

fn paint_with(color: bool, code: &str, s: &str) -> String {
    if color && !s.is_empty() {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Characters a person sees of `s`: ANSI colour sequences take no room.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

impl Text {
    fn paint(&self, code: &str, s: &str) -> String {
        paint_with(self.color, code, s)
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s.trim_end());
        self.out.push('\n');
    }

    /// `text` after `prefix`, wrapped between words at the width; the lines after the
    /// first are indented as far as the prefix is long. A word longer than a line is kept
    /// whole on a line of its own.
    fn para(&mut self, prefix: &str, text: &str) {
        let indent = " ".repeat(visible_len(prefix).min(self.width / 2));
        self.wrap(prefix, &indent, text);
    }

    /// A line of our own layout (leading spaces are its indent), wrapped with the lines
    /// after the first indented four more.
    fn say(&mut self, s: &str) {
        let text = s.trim_start_matches(' ');
        let lead = &s[..s.len() - text.len()];
        let indent = format!("{lead}    ");
        self.wrap(lead, &indent, text);
    }

    /// `items` after `prefix`, two spaces apart, a line breaking only between them (an
    /// item longer than a line is wrapped between its words).
    fn items(&mut self, prefix: &str, items: &[String]) {
        let indent = " ".repeat(visible_len(prefix).min(self.width / 2));
        let mut current = prefix.to_string();
        let mut fresh = true;
        for item in items {
            let len = visible_len(item);
            if !fresh && visible_len(&current) + 2 + len > self.width {
                self.line(&current);
                current = indent.clone();
                fresh = true;
            }
            if visible_len(&current) + len > self.width {
                // Alone it does not fit either: its words wrap.
                let start = std::mem::take(&mut current);
                self.wrap(&start, &indent, item);
                current = indent.clone();
                fresh = true;
                continue;
            }
            if !fresh {
                current.push_str("  ");
            }
            current.push_str(item);
            fresh = false;
        }
        if !fresh || !current.trim().is_empty() {
            self.line(&current);
        }
    }

    fn wrap(&mut self, prefix: &str, indent: &str, text: &str) {
        let mut current = prefix.to_string();
        let mut current_len = visible_len(prefix);
        let mut fresh = true;
        // Split on single spaces: runs of them (a padded column) stay as written.
        for word in text.split(' ') {
            if fresh && word.is_empty() && current_len > visible_len(prefix) {
                continue;
            }
            let len = visible_len(word);
            if !fresh && current_len + 1 + len > self.width && !word.is_empty() {
                self.line(&current);
                current = indent.to_string();
                current_len = visible_len(indent);
                fresh = true;
            }
            if !fresh {
                current.push(' ');
                current_len += 1;
            }
            current.push_str(word);
            current_len += len;
            fresh = fresh && word.is_empty();
        }
        self.line(&current);
    }
}

/// The hops, oldest first: one row each when the whole table fits the width, else a
/// block of lines each (time and delay, then the sender's three witnesses, then the
/// receiver), wrapped between words.
fn hop_table(t: &mut Text, report: &Report) {
    let header = [
        "hop",
        "trust",
        "helo (claimed)",
        "rdns (recorded)",
        "ip",
        "by",
        "with",
        "time (UTC)",
        "delay",
    ]
    .map(String::from);
    let rows: Vec<[String; 9]> = report.hops.iter().map(table_row).collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    if total <= t.width {
        for (i, r) in std::iter::once(&header).chain(rows.iter()).enumerate() {
            let mut line = String::new();
            for (c, (cell, w)) in r.iter().zip(widths).enumerate() {
                if c > 0 {
                    line.push_str("  ");
                }
                let padded = format!("{cell:<w$}");
                let painted = match (i, c) {
                    (0, _) => padded,
                    (_, 1) => t.paint(trust_color(cell), &padded),
                    (_, 8) if cell.starts_with('-') && cell.len() > 1 => t.paint(RED, &padded),
                    _ => padded,
                };
                line.push_str(&painted);
            }
            t.line(&line);
        }
        return;
    }
    for h in &report.hops {
        let time = view::hop_time(h)
            .map(|(utc, offset)| match offset {
                Some(o) => format!("{utc} (written {o})"),
                None => utc,
            })
            .unwrap_or_else(|| "no date".into());
        let delay = h.delay_s.map(view::duration);
        let delay = match delay {
            Some(d) if d.starts_with('-') => format!("  {}", t.paint(RED, &d)),
            Some(d) => format!("  {d}"),
            None => String::new(),
        };
        let trust = t.paint(
            trust_color(view::trust_name(h)),
            &format!("{:<7}", view::trust_name(h)),
        );
        let with = with_badges(h);
        t.para(
            &format!("hop {:<2} ", h.index),
            &format!("{trust}  {time}{delay}  {with}"),
        );
        let s = view::sender(h);
        let mut from = Vec::new();
        if let Some(helo) = s.helo {
            from.push(format!("helo {} (claimed)", clean(helo)));
        }
        if let Some(rdns) = s.rdns {
            from.push(format!("rdns {} (recorded)", clean(rdns)));
        }
        if let Some(ip) = &s.ip {
            from.push(format!("ip {ip}"));
        }
        if from.is_empty() {
            from.push(match h.kind {
                crate::received::Kind::Local => "(local)".into(),
                _ => "-".into(),
            });
        }
        t.items("       from ", &from);
        t.para("       by   ", &clean(h.by.host.as_deref().unwrap_or("-")));
    }
}

fn trust_color(name: &str) -> &'static str {
    match name {
        "ours" => GREEN,
        "entry" => CYAN,
        _ => DIM,
    }
}

/// Protocol, then TLS and authentication when the hop says so.
fn with_badges(h: &Hop) -> String {
    let mut out = clean(view::protocol(h).as_deref().unwrap_or("-"));
    if let Some(tls) = &h.tls {
        out.push_str(" TLS");
        if let Some(v) = &tls.version {
            out.push(' ');
            out.push_str(&clean(v));
        }
    }
    if h.auth.is_some() {
        out.push_str(" AUTH");
    }
    out
}

fn table_row(h: &Hop) -> [String; 9] {
    let s = view::sender(h);
    let none = || "-".to_string();
    let helo = s.helo.map_or_else(none, clean);
    let rdns = s.rdns.map_or_else(none, clean);
    let ip = match (s.ip, h.kind) {
        (Some(ip), _) => ip,
        (None, crate::received::Kind::Local) => "(local)".into(),
        (None, _) => none(),
    };
    let time = view::hop_time(h).map_or_else(none, |(utc, _)| utc);
    [
        h.index.to_string(),
        view::trust_name(h).to_string(),
        helo,
        rdns,
        ip,
        clean(h.by.host.as_deref().unwrap_or("-")),
        with_badges(h),
        time,
        h.delay_s.map_or_else(none, view::duration),
    ]
}

/// One paragraph per finding: score (exact), strength, rule and the sentence.
fn finding_lines(t: &mut Text, findings: &[&crate::rules::Finding]) {
    let score_width = findings
        .iter()
        .map(|f| view::score(f.score).len())
        .max()
        .unwrap_or(0);
    for f in findings {
        let strength = format!("{:<6}", f.strength.as_str());
        let strength = match f.strength {
            crate::rules::Strength::Proof | crate::rules::Strength::Strong => {
                t.paint(RED, &strength)
            }
            crate::rules::Strength::Weak => t.paint(YELLOW, &strength),
            crate::rules::Strength::Info => strength,
        };
        let prefix = format!("  {:>score_width$}  {strength} ", view::score(f.score));
        t.para(
            &prefix,
            &format!("{} {}  {}", f.rule, f.name, clean(&f.message)),
        );
    }
}

/// What joins each pair of hops, with who recorded it: only the links that are not
/// verified, which are the ones a reader has to weigh.
fn link_lines(t: &mut Text, report: &Report) {
    use crate::chain::continuity::Witness;
    let weighed: Vec<_> = report
        .links
        .iter()
        .filter(|l| l.witness != Witness::Verified)
        .collect();
    if report.links.is_empty() {
        return;
    }
    let ours = |l: &&crate::chain::continuity::Link| l.recorded_by == Some("ours");
    let verified_by_ours = report
        .links
        .iter()
        .filter(|l| l.witness == Witness::Verified && ours(l))
        .count();
    let verified_outside = report.links.len() - weighed.len() - verified_by_ours;
    t.say(&format!("Links: {verified_by_ours} verified by our servers' record, {verified_outside} by lines of the outside (the sender's word), {} to weigh",
        weighed.len()
    ));
    for l in weighed {
        let by = match l.recorded_by {
            Some(who) => format!(", recorded by {who}"),
            None => String::new(),
        };
        let note = l
            .witness_note
            .as_deref()
            .map_or(String::new(), |n| format!(": {}", clean(n)));
        t.say(&format!(
            "  hop {} -> {}: {}{by}{note}",
            l.from_hop,
            l.to_hop,
            l.witness.as_str()
        ));
    }
}

/// The authentication results with who wrote them, then our own verification.
fn auth_lines(t: &mut Text, report: &Report) {
    let a = &report.authentication;
    if !a.results.is_empty() {
        t.say("Authentication results (trusted: our side wrote them; claimed: anybody's text):");
    }
    for f in &a.results {
        let id = f.authserv_id.as_deref().unwrap_or("(no authserv-id)");
        let instance = f.instance.map_or(String::new(), |i| format!(" i={i}"));
        let methods = view::methods(f);
        let name = if f.field == "ARC-Authentication-Results" {
            "ARC-A-R"
        } else {
            "A-R"
        };
        t.say(&format!(
            "  {:<7} {name}{instance} {}: {}",
            f.trust,
            clean(id),
            clean(&methods)
        ));
    }
    let v = &a.verification;
    if !v.performed {
        t.say(&format!(
            "Verification: not performed ({})",
            clean(v.note.as_deref().unwrap_or("-"))
        ));
        return;
    }
    let as_of = v
        .as_of
        .as_deref()
        .map_or(String::new(), |t| format!(" as of delivery {t}"));
    t.say(&format!("Verification{as_of}:"));
    for d in &v.dkim {
        t.say(&format!(
            "  dkim     {:<9} d={} s={} ({}; body {}, headers {}, {})",
            d.result,
            clean(&d.domain),
            clean(&d.selector),
            clean(&d.reason),
            d.body_hash,
            d.header_signature,
            d.window
        ));
    }
    if let Some(arc) = &v.arc {
        let sealers = arc
            .instances
            .iter()
            .map(|i| format!("i={} {} cv={}", i.instance, i.seal_domain, i.cv))
            .collect::<Vec<_>>()
            .join(", ");
        t.say(&format!(
            "  arc      {:<9} {} ({})",
            arc.result,
            clean(&sealers),
            clean(&arc.reason)
        ));
    }
    for s in &v.spf {
        t.say(&format!(
            "  spf      {:<9} {} {} at {} ({})",
            s.result,
            s.identity,
            clean(&s.domain),
            s.ip,
            clean(&s.reason)
        ));
    }
    if let Some(d) = &v.dmarc {
        t.say(&format!(
            "  dmarc    {:<9} {} p={} ({})",
            d.result,
            clean(&d.domain),
            d.policy,
            clean(&d.reason)
        ));
    }
    if let Some(note) = &v.note {
        t.say(&format!("  note: {}", clean(note)));
    }
}

/// The DNS mode and, when lookups were made, each answer on one line.
fn dns_lines(t: &mut Text, report: &Report) {
    let d = &report.dns;
    if d.mode == crate::dns::Mode::Off {
        t.say("DNS: off");
        return;
    }
    let mode = d.mode.as_str();
    let skipped = if d.skipped > 0 {
        format!(", {} not asked", d.skipped)
    } else {
        String::new()
    };
    t.say(&format!(
        "DNS ({mode}): {} lookups (cap {}){skipped}",
        d.lookups, d.cap
    ));
    if let Some(warning) = &d.warning {
        t.say(&format!("DNS warning: {}", crate::text::terminal(warning)));
    }
    for a in &d.answers {
        let records = if a.answers.is_empty() {
            "-".to_string()
        } else {
            a.answers.join(", ")
        };
        let ttl = a.ttl.map(|t| format!(" ttl {t}")).unwrap_or_default();
        t.say(&format!(
            "  {:<5} {} {} {}{ttl}  ({})",
            a.qtype.as_str(),
            clean(&a.name),
            a.rcode.as_str(),
            clean(&records),
            clean(&a.asked_at)
        ));
    }
}

fn clean(s: &str) -> String {
    crate::text::terminal(s).into_owned()
}
