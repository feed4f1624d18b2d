//! The report for a person at a terminal: a hop table read at a glance, then the findings.

use super::Report;
use crate::chain::hop::Hop;
use std::fmt::Write;

/// Renders the report as text. Every value that is not our own words goes through
/// [`crate::text::terminal`] first, so nothing in a message (or a file name, or a DNS
/// answer) can start a new line, move the cursor, reorder or hide text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let src = match (report.source.index, report.source.offset) {
        (Some(i), Some(o)) => format!("{} (message {i}, offset {o})", report.source.path),
        _ => report.source.path.clone(),
    };
    let _ = writeln!(out, "Source:   {}", clean(&src));
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
    let _ = writeln!(out, "From:     {}", clean(from));
    let _ = writeln!(out, "Subject:  {}", clean(subject));
    if let Some(m) = &report.envelope.mail_from {
        let _ = writeln!(
            out,
            "Envelope: MAIL FROM <{}> ({})",
            clean(&m.value),
            source_name(m.source)
        );
    }
    for r in &report.envelope.rcpt_to {
        let _ = writeln!(
            out,
            "          RCPT TO <{}> ({})",
            clean(&r.value),
            source_name(r.source)
        );
    }
    let _ = writeln!(out);

    let rows: Vec<[String; 7]> = report.hops.iter().map(row).collect();
    let header = ["hop", "trust", "from", "by", "with", "time (UTC)", "delay"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for r in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::new();
        for (i, (cell, w)) in r.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let _ = write!(line, "{cell:<w$}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if let Some(t) = report.chain.transit_s {
        let _ = writeln!(out, "\nTotal transit: {}", duration(t));
    }
    let boundary = match (report.trust.entry_hop, &report.trust.boundary_host) {
        (Some(i), Some(host)) => format!("entered our servers at hop {i} ({})", clean(host)),
        (Some(i), None) => format!("entered our servers at hop {i}"),
        (None, _) => "every hop is ours".to_string(),
    };
    match report.trust.profile {
        Some(profile) => {
            let _ = writeln!(
                out,
                "Trust boundary ({}, profile {profile}): {boundary}",
                report.trust.method
            );
        }
        None => {
            let _ = writeln!(out, "Trust boundary ({}): {boundary}", report.trust.method);
        }
    }
    for h in report.hops.iter().filter(|h| h.reason.is_some()) {
        let _ = writeln!(
            out,
            "hop {}: {}",
            h.index,
            clean(h.reason.as_deref().unwrap_or_default())
        );
    }
    link_lines(&mut out, report);
    auth_lines(&mut out, report);
    dns_lines(&mut out, report);
    let _ = writeln!(out);
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
        let _ = writeln!(out, "Path: no findings.");
    } else {
        let _ = writeln!(out, "Path findings:");
    }
    finding_lines(&mut out, &path);
    let _ = writeln!(
        out,
        "Path score {:.1}: {} ({})",
        report.score,
        report.verdict.as_str(),
        clean(&report.verdict_basis)
    );
    if !identity.is_empty() {
        let _ = writeln!(out, "\nIdentity findings (never judge the path):");
        finding_lines(&mut out, &identity);
        let _ = writeln!(
            out,
            "Identity score {:.1}: {} ({})",
            report.identity.score,
            report.identity.verdict.as_str(),
            clean(&report.identity.basis)
        );
    }
    out
}

/// One line per finding: score, strength, rule and the sentence.
fn finding_lines(out: &mut String, findings: &[&crate::rules::Finding]) {
    for f in findings {
        let _ = writeln!(
            out,
            "{:>5.1}  {:<6} {} {}  {}",
            f.score,
            f.strength.as_str(),
            f.rule,
            f.name,
            clean(&f.message)
        );
    }
}

/// What joins each pair of hops, with who recorded it: only the links that are not
/// verified, which are the ones a reader has to weigh.
fn link_lines(out: &mut String, report: &Report) {
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
    let _ = writeln!(
        out,
        "Links: {verified_by_ours} verified by our servers' record, {verified_outside} by lines of the outside (the sender's word), {} to weigh",
        weighed.len()
    );
    for l in weighed {
        let by = match l.recorded_by {
            Some(who) => format!(", recorded by {who}"),
            None => String::new(),
        };
        let note = l
            .witness_note
            .as_deref()
            .map_or(String::new(), |n| format!(": {}", clean(n)));
        let _ = writeln!(
            out,
            "  hop {} -> {}: {}{by}{note}",
            l.from_hop,
            l.to_hop,
            l.witness.as_str()
        );
    }
}

/// The authentication results with who wrote them, then our own verification.
fn auth_lines(out: &mut String, report: &Report) {
    let a = &report.authentication;
    if !a.results.is_empty() {
        let _ = writeln!(
            out,
            "Authentication results (trusted: our side wrote them; claimed: anybody's text):"
        );
    }
    for f in &a.results {
        let id = f.authserv_id.as_deref().unwrap_or("(no authserv-id)");
        let instance = f.instance.map_or(String::new(), |i| format!(" i={i}"));
        let methods = f
            .results
            .iter()
            .map(|r| format!("{}={}", r.method, r.result))
            .collect::<Vec<_>>()
            .join(" ");
        let name = if f.field == "ARC-Authentication-Results" {
            "ARC-A-R"
        } else {
            "A-R"
        };
        let _ = writeln!(
            out,
            "  {:<7} {name}{instance} {}: {}",
            f.trust,
            clean(id),
            clean(&methods)
        );
    }
    let v = &a.verification;
    if !v.performed {
        let _ = writeln!(
            out,
            "Verification: not performed ({})",
            clean(v.note.as_deref().unwrap_or("-"))
        );
        return;
    }
    let as_of = v
        .as_of
        .as_deref()
        .map_or(String::new(), |t| format!(" as of delivery {t}"));
    let _ = writeln!(out, "Verification{as_of}:");
    for d in &v.dkim {
        let _ = writeln!(
            out,
            "  dkim     {:<9} d={} s={} ({}; body {}, headers {}, {})",
            d.result,
            clean(&d.domain),
            clean(&d.selector),
            clean(&d.reason),
            d.body_hash,
            d.header_signature,
            d.window
        );
    }
    if let Some(arc) = &v.arc {
        let sealers = arc
            .instances
            .iter()
            .map(|i| format!("i={} {} cv={}", i.instance, i.seal_domain, i.cv))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "  arc      {:<9} {} ({})",
            arc.result,
            clean(&sealers),
            clean(&arc.reason)
        );
    }
    for s in &v.spf {
        let _ = writeln!(
            out,
            "  spf      {:<9} {} {} at {} ({})",
            s.result,
            s.identity,
            clean(&s.domain),
            s.ip,
            clean(&s.reason)
        );
    }
    if let Some(d) = &v.dmarc {
        let _ = writeln!(
            out,
            "  dmarc    {:<9} {} p={} ({})",
            d.result,
            clean(&d.domain),
            d.policy,
            clean(&d.reason)
        );
    }
    if let Some(note) = &v.note {
        let _ = writeln!(out, "  note: {}", clean(note));
    }
}

/// The DNS mode and, when lookups were made, each answer on one line.
fn dns_lines(out: &mut String, report: &Report) {
    let d = &report.dns;
    if d.mode == crate::dns::Mode::Off {
        let _ = writeln!(out, "DNS: off");
        return;
    }
    let mode = d.mode.as_str();
    let skipped = if d.skipped > 0 {
        format!(", {} not asked", d.skipped)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "DNS ({mode}): {} lookups (cap {}){skipped}",
        d.lookups, d.cap
    );
    if let Some(warning) = &d.warning {
        let _ = writeln!(out, "DNS warning: {}", crate::text::terminal(warning));
    }
    for a in &d.answers {
        let records = if a.answers.is_empty() {
            "-".to_string()
        } else {
            a.answers.join(", ")
        };
        let ttl = a.ttl.map(|t| format!(" ttl {t}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<5} {} {} {}{ttl}  ({})",
            a.qtype.as_str(),
            clean(&a.name),
            a.rcode.as_str(),
            clean(&records),
            clean(&a.asked_at)
        );
    }
}

fn row(h: &Hop) -> [String; 7] {
    let from = match (&h.from.helo, &h.from.rdns, &h.from.ip) {
        (helo, rdns, Some(ip)) => match rdns.as_deref().or(helo.as_deref()) {
            Some(who) => format!("{who} [{ip}]"),
            None => format!("[{ip}]"),
        },
        (Some(helo), _, None) => helo.clone(),
        (None, _, None) => match h.kind {
            crate::received::Kind::Local => "(local)".into(),
            _ => "-".into(),
        },
    };
    let by = h.by.host.clone().unwrap_or_else(|| "-".into());
    let with = h
        .protocol
        .map(str::to_string)
        .or_else(|| h.with.clone())
        .unwrap_or_else(|| "-".into());
    let time = h.date.as_deref().map_or_else(|| "-".into(), clean);
    let delay = h.delay_s.map(duration).unwrap_or_else(|| "-".into());
    let trust = match h.trust {
        Some(crate::chain::trust::HopTrust::Trusted) => "ours",
        Some(crate::chain::trust::HopTrust::Entry) => "entry",
        Some(crate::chain::trust::HopTrust::Untrusted) => "outside",
        None => "-",
    };
    [
        h.index.to_string(),
        trust.to_string(),
        crate::text::clip(&clean(&from), 48),
        crate::text::clip(&clean(&by), 40),
        crate::text::clip(&clean(&with), 12),
        time,
        delay,
    ]
}

/// `+4s`, `-2m05s`, `+1h02m`: signed, so backwards time is visible.
fn duration(s: i64) -> String {
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    match a {
        0..=59 => format!("{sign}{a}s"),
        60..=3599 => format!("{sign}{}m{:02}s", a / 60, a % 60),
        3600..=86_399 => format!("{sign}{}h{:02}m", a / 3600, a % 3600 / 60),
        _ => format!("{sign}{}d{:02}h", a / 86_400, a % 86_400 / 3600),
    }
}

fn source_name(s: crate::message::envelope::EnvelopeSource) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn clean(s: &str) -> String {
    crate::text::terminal(s).into_owned()
}
