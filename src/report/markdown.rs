//! The report as Markdown for a ticket: the verdicts, the addresses, a hop table, the
//! findings, and the raw header block in a fenced block (as written, so the ticket keeps
//! the evidence).
//!
//! Values from the message cannot break the layout or run as markup: table cells and
//! list items escape Markdown's and HTML's punctuation, characters that would hide or
//! reorder text are written as their code points, and the fence around the raw headers
//! is longer than any run of backticks inside them.

use super::{Report, view};
use crate::rules::Concern;
use std::fmt::Write;

/// Renders the report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let r = report;
    let source = match r.source.index {
        Some(i) => format!("{} (message {i})", r.source.path),
        None => r.source.path.clone(),
    };
    let _ = writeln!(
        out,
        "### hopsleuth: **{}** delivery path, score {}\n",
        r.verdict.as_str(),
        view::score(r.score)
    );
    let _ = writeln!(out, "{}\n", inline(&r.verdict_basis));
    let _ = writeln!(
        out,
        "Identity (judged apart from the path): **{}**, score {}: {}\n",
        r.identity.verdict.as_str(),
        view::score(r.identity.score),
        inline(&r.identity.basis)
    );
    let _ = writeln!(out, "- Source: `{}`", code(&source));
    for p in view::parties(r) {
        let mark = p
            .mismatch
            .as_deref()
            .map(|m| format!(" **≠ {}**", inline(m)))
            .unwrap_or_default();
        let _ = writeln!(out, "- {}: {}{mark}", p.label, inline(&p.value));
    }
    if let Some(s) = &r.headers.subject {
        let _ = writeln!(out, "- Subject: {}", inline(&s.value));
    }
    if let Some(m) = &r.envelope.mail_from {
        let _ = writeln!(
            out,
            "- Envelope MAIL FROM: `{}` ({})",
            code(&m.value),
            view::envelope_source(m.source)
        );
    }
    for rc in &r.envelope.rcpt_to {
        let _ = writeln!(
            out,
            "- Envelope RCPT TO: `{}` ({})",
            code(&rc.value),
            view::envelope_source(rc.source)
        );
    }
    if let Some(total) = r.chain.transit_s {
        let slowest = view::slowest_hop(r)
            .map(|(i, d)| format!("; slowest hop {i} ({})", view::duration(d)))
            .unwrap_or_default();
        let _ = writeln!(out, "- Transit: {}{slowest}", view::duration(total));
    }
    let boundary = match (r.trust.entry_hop, &r.trust.boundary_host) {
        (Some(i), Some(host)) => format!("entered our servers at hop {i} ({})", inline(host)),
        (Some(i), None) => format!("entered our servers at hop {i}"),
        (None, _) => "every hop is ours".to_string(),
    };
    let _ = writeln!(out, "- Trust boundary ({}): {boundary}", r.trust.method);
    for a in &r.authentication.results {
        let _ = writeln!(
            out,
            "- {} ({}) by `{}`: `{}`",
            a.field,
            a.trust,
            code(a.authserv_id.as_deref().unwrap_or("(no authserv-id)")),
            code(&view::methods(a))
        );
    }
    out.push_str("\n#### Hops, oldest first\n\n");
    out.push_str(
        "| # | trust | HELO (claimed) | rDNS (recorded) | IP | by | with | time (UTC) | delay |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for h in &r.hops {
        let s = view::sender(h);
        let with = view::protocol(h).unwrap_or_else(|| "-".into());
        let mut with = cell(&with);
        if h.tls.is_some() {
            with.push_str(" TLS");
        }
        if h.auth.is_some() {
            with.push_str(" AUTH");
        }
        let time = view::hop_time(h).map_or_else(|| "-".into(), |(utc, _)| utc);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {with} | {} | {} |",
            h.index,
            view::trust_name(h),
            s.helo.map_or_else(|| "-".into(), cell),
            s.rdns.map_or_else(|| "-".into(), cell),
            s.ip.as_deref().map_or_else(|| "-".into(), cell),
            cell(h.by.host.as_deref().unwrap_or("-")),
            cell(&time),
            h.delay_s.map_or_else(|| "-".into(), view::duration),
        );
    }
    for (title, concern) in [
        ("Path findings", Concern::Path),
        ("Identity findings", Concern::Identity),
    ] {
        let findings: Vec<_> = r.findings.iter().filter(|f| f.concern == concern).collect();
        let _ = writeln!(out, "\n#### {title}\n");
        if findings.is_empty() {
            out.push_str("None.\n");
        }
        for f in findings {
            let hops = if f.hops.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = f.hops.iter().map(usize::to_string).collect();
                format!(" (hop {})", list.join(", "))
            };
            let _ = writeln!(
                out,
                "- **{}** {} · {} · score {}{hops}: {}",
                f.rule,
                f.name,
                f.strength.as_str(),
                view::score(f.score),
                inline(&f.message)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n#### Header block\n\n{}",
        fenced(
            r.original
                .as_ref()
                .map_or_else(|| raw_received(r), |o| o.header.clone())
        )
    );
    let digest = match &r.original {
        Some(o) if o.whole => format!(
            "SHA-256 of the input ({} bytes): `{}`",
            o.digest_bytes, o.sha256
        ),
        Some(o) => format!(
            "SHA-256 of the header block ({} bytes; the body was read past, not hashed): `{}`",
            o.digest_bytes, o.sha256
        ),
        None => "the header block was not kept: the Received headers only".to_string(),
    };
    let _ = writeln!(
        out,
        "\n<sub>hopsleuth {} · schema {} · {digest} · DNS {}</sub>",
        env!("CARGO_PKG_VERSION"),
        super::SCHEMA,
        r.dns.mode.as_str()
    );
    out
}

/// The Received headers as written, newest first, when the header block was not kept.
fn raw_received(r: &Report) -> String {
    let mut out = String::new();
    for h in r.hops.iter().rev() {
        let _ = writeln!(out, "Received: {}", h.raw);
    }
    out.trim_end().to_string()
}

/// Text in a fenced block: the fence is longer than any backtick run inside, and
/// characters that would hide or reorder text are written as code points.
fn fenced(text: String) -> String {
    let text = visible(&text, true);
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{text}\n{fence}")
}

/// Unsafe characters as `[U+XXXX]`; line breaks kept only when `keep_lines`.
fn visible(s: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' if keep_lines => out.push(c),
            '\r' if keep_lines => {}
            c if crate::text::is_unsafe_to_show(c) => {
                let _ = write!(out, "[U+{:04X}]", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Text in running Markdown: every punctuation mark Markdown or HTML reads escaped.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in visible(s, false).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '~' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A table cell: [`inline`] (a `|` escaped cannot end the cell).
fn cell(s: &str) -> String {
    inline(s)
}

/// Text inside a code span: a backtick cannot close it (replaced by `'`) and unsafe
/// characters are code points.
fn code(s: &str) -> String {
    visible(s, false).replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outlast_backticks() {
        let f = fenced("a ```` b".into());
        assert!(f.starts_with("`````text\n"), "{f}");
        assert!(f.ends_with("\n`````"), "{f}");
    }

    #[test]
    fn cells_cannot_break_tables_or_run_markup() {
        let c = cell("a|b <img src=x onerror=y> \u{202e}");
        assert_eq!(c, "a\\|b &lt;img src=x onerror=y&gt; \\[U+202E\\]");
    }
}
