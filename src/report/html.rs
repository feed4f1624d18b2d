//! The report as one self-contained HTML page: a header band with the verdicts, the
//! addresses and authentication, then the hop timeline, oldest first, with the trust
//! boundary drawn between rows and each finding on its hop.
//!
//! The page needs nothing but itself: the CSS is inline and allowed by its hash alone
//! (`Content-Security-Policy: default-src 'none'`), there is no script to run (the JSON
//! report rides along as an inert `application/json` block) and nothing is fetched. Every
//! value from the message is escaped, and characters that would hide or reorder text
//! (controls, bidi overrides, zero-width characters) are shown as their code point. The
//! same report gives the same bytes: nothing here reads a clock.

use super::{Report, view};
use crate::chain::continuity::{Link, Witness};
use crate::chain::hop::Hop;
use crate::rules::{Concern, Finding};
use std::fmt::Write;
use std::sync::OnceLock;

/// How the page is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtmlOptions {
    /// The clock-skew tolerance, seconds: delay bars beyond it are outlined.
    pub clock_skew_s: i64,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            clock_skew_s: crate::rules::CheckSettings::default().clock_skew_s,
        }
    }
}

/// Steps of a delay bar's length: a log scale from one second to a day and more.
const BAR_STEPS: usize = 40;

/// The page's style sheet, built once (the bar widths are generated).
fn css() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let mut css = String::from(STYLE);
        for step in 0..=BAR_STEPS {
            // Half the track at most: negative delays grow leftwards from its middle.
            let _ = write!(
                css,
                ".w{step}{{width:{:.2}%}}",
                step as f64 * 50.0 / BAR_STEPS as f64
            );
        }
        css.push('\n');
        css
    })
}

/// The Content-Security-Policy: nothing allowed but the page's own style sheet, by its
/// SHA-256.
fn policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let digest = ring::digest::digest(&ring::digest::SHA256, css().as_bytes());
        format!(
            "default-src 'none'; style-src '{}'; base-uri 'none'; form-action 'none'",
            base64_sha(digest.as_ref())
        )
    })
}

fn base64_sha(bytes: &[u8]) -> String {
    format!("sha256-{}", data_encoding::BASE64.encode(bytes))
}

const STYLE: &str = r#"
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:0;background:#fff}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px}
pre{white-space:pre-wrap;word-break:break-all;background:#f4f5f7;border:1px solid #d8dbe0;padding:6px 8px;margin:4px 0}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px}
.band{padding:14px 20px;border-bottom:3px solid #888;background:#f7f7f9}
.band.v-forged{border-color:#b3261e;background:#fdf1f0}
.band.v-suspicious{border-color:#b7791f;background:#fdf8ec}
.band.v-clean{border-color:#2e7d32;background:#f1f8f2}
.verdict{display:inline-block;padding:1px 8px;border-radius:4px;color:#fff;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.verdict.forged{background:#b3261e}.verdict.suspicious{background:#b7791f}.verdict.clean{background:#2e7d32}
.basis{margin:2px 0 8px;color:#3a3f45}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:6px 24px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:4px 0}
dt{font-weight:600;color:#444}dd{margin:0;overflow-wrap:anywhere}
.mismatch{display:inline-block;margin-left:6px;padding:0 6px;border-radius:3px;background:#fde2df;color:#8c1d18;font-size:12px;border:1px solid #e8a39d}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:4px 6px}
th{font-size:12px;color:#555;border-bottom:2px solid #ccd}
main{padding:0 20px 10px}
table.hops td{border-top:1px solid #e3e5e8}
tr.hop.trust-ours{background:#eef7ef}
tr.hop.trust-entry{background:#e8f0fc}
tr.hop.trust-outside{background:#fbfbfb}
tr.hop.sender-written{background-image:repeating-linear-gradient(135deg,rgba(0,0,0,.045) 0 6px,transparent 6px 12px)}
.trust{font-size:11px;font-weight:600;text-transform:uppercase;color:#555}
.witness{display:block;overflow-wrap:anywhere}
.witness .k{display:inline-block;min-width:3.2em;font-size:11px;color:#666}
.witness.claimed .v{font-style:italic}
.note{font-size:11px;color:#666}
.badge{display:inline-block;margin:1px 2px 1px 0;padding:0 5px;border-radius:3px;border:1px solid #aab;font-size:11px;background:#fff;white-space:nowrap}
.badge.tls{border-color:#2e7d32;color:#1e5a22}.badge.auth{border-color:#1a56b0;color:#1a3f80}
tr.link td{padding:1px 6px 1px 28px;font-size:12px;color:#555;border-top:none;background:#fff}
tr.link.w-contradicted td{color:#8c1d18;font-weight:600}
tr.link.w-verified td{color:#1e5a22}
tr.link.w-claimed td,tr.link.w-unknown td{color:#7a6a3a}
tr.boundary td{border-top:3px dashed #1a56b0;border-bottom:3px dashed #1a56b0;background:#f0f5ff;color:#123c7a;font-weight:600;padding:5px 8px}
tr.boundary details{font-weight:400}
.delay{white-space:nowrap}
.delay .num{display:inline-block;min-width:4.5em;text-align:right;margin-right:6px}
.delay .num.neg{color:#b3261e;font-weight:600}
.track{display:inline-block;position:relative;width:11em;height:10px;vertical-align:middle;background:linear-gradient(#99a,#99a) center/1px 100% no-repeat}
.bar{position:absolute;top:1px;bottom:1px;background:#5a7bb5}
.bar.pos{left:50%}.bar.neg{right:50%;background:#b3261e}
.bar.skew{outline:2px solid #111;outline-offset:0}
details.finding{margin:2px 0;border-left:4px solid #99a;padding-left:6px}
details.finding>summary{cursor:pointer;list-style-position:outside}
details.finding.s-proof{border-color:#7d140e}details.finding.s-strong{border-color:#b3261e}
details.finding.s-weak{border-color:#b7791f}details.finding.s-info{border-color:#99a}
.rule{font-weight:600}
.strength{font-size:11px;text-transform:uppercase;color:#555}
.evidence{padding:2px 0 6px}
.evidence table td{border-top:1px solid #eee;font-size:12px}
details.raw>summary{font-size:11px;color:#555;cursor:pointer}
.cc{display:inline-block;border:1px solid #b3261e;color:#b3261e;border-radius:2px;padding:0 2px;font-size:10px;font-family:ui-monospace,monospace;line-height:1.2}
.trusted{color:#1e5a22;font-weight:600}.claimed{color:#7a6a3a;font-weight:600}
footer{padding:10px 20px;border-top:1px solid #ddd;color:#555;font-size:12px}
footer code{overflow-wrap:anywhere}
.index td{border-top:1px solid #e3e5e8}
@media print{
body{font-size:10.5px}.band{padding:6px 8px}main{padding:0 8px}
tr{break-inside:avoid}
details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none}
.track{width:7em}
}
"#;

/// Renders the report as an HTML page.
pub fn render(report: &Report, options: HtmlOptions) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let subject = report
        .headers
        .subject
        .as_ref()
        .map_or("(no subject)", |h| h.value.as_str());
    page_start(
        &mut out,
        &format!(
            "hopsleuth: {} path, {}",
            report.verdict.as_str(),
            plain(subject)
        ),
    );
    band(&mut out, report);
    let _ = write!(out, "<main>\n<h2>Hop timeline, oldest first</h2>\n");
    timeline(&mut out, report, options);
    out.push_str("</main>\n");
    footer(&mut out, report);
    out.push_str("<script type=\"application/json\" id=\"hopsleuth-report\">");
    out.push_str(&embedded_json(&report.to_json()));
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// One entry of `scan --html`'s index page.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    /// The page's file name, next to the index.
    pub page: String,
    /// The message's source as a person reads it (`mbox#3`).
    pub source: String,
    /// `clean`, `suspicious` or `forged`.
    pub verdict: &'static str,
    /// The path's score.
    pub score: f64,
    /// The rules that scored.
    pub rules: Vec<&'static str>,
    /// The From.
    pub from: String,
    /// Subject.
    pub subject: String,
}

/// The index of a `scan --html` directory: one row per page, in input order.
pub fn index(entries: &[IndexEntry], scanned: u64) -> String {
    let mut out = String::new();
    page_start(&mut out, "hopsleuth: scan");
    let _ = writeln!(
        out,
        "<header class=\"band\"><h1>hopsleuth scan</h1><p class=\"basis\">{} of {scanned} messages at or above the threshold, in input order.</p></header>\n<main>",
        entries.len()
    );
    out.push_str("<table class=\"index\">\n<thead><tr><th>Verdict</th><th>Score</th><th>Top rules</th><th>Source</th><th>From</th><th>Subject</th></tr></thead>\n<tbody>\n");
    for e in entries {
        let rules: Vec<&str> = e.rules.iter().take(5).copied().collect();
        let _ = writeln!(
            out,
            "<tr><td><span class=\"verdict {v}\">{v}</span></td><td>{}</td><td class=\"mono\">{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            view::score(e.score),
            esc(&rules.join(" ")),
            esc_attr(&e.page),
            esc(&e.source),
            esc(&e.from),
            esc(&e.subject),
            v = e.verdict,
        );
    }
    out.push_str("</tbody>\n</table>\n</main>\n");
    let _ = writeln!(
        out,
        "<footer>hopsleuth {} · schema {}</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        super::SCHEMA
    );
    out
}

fn page_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        // Ours, and free of `"`: the quotes of its sources stay as CSP reads them.
        policy(),
        esc(title),
        css()
    );
}

/// Text for the title, where no markup may go: unsafe characters as their code points.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if crate::text::is_unsafe_to_show(c) {
            let _ = write!(out, "[U+{:04X}]", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` as HTML text: markup escaped, and every character that would hide, reorder or
/// break text shown as a visible code point (`U+202E`).
pub fn esc(s: &str) -> String {
    escape(s, false)
}

/// [`esc`] keeping line breaks and tabs (a raw header in `<pre>`).
fn esc_pre(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' if keep_lines => out.push(c),
            '\r' if keep_lines => {}
            c if crate::text::is_unsafe_to_show(c) => {
                let _ = write!(out, "<span class=\"cc\">U+{:04X}</span>", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// An attribute value: markup escaped, unsafe characters as `[U+XXXX]` (no markup inside
/// an attribute).
fn esc_attr(s: &str) -> String {
    plain(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The JSON report made safe inside `<script>`: `<` (so `</script>` and `<!--`) and every
/// character that would hide or reorder text written as `\u` escapes, which JSON reads
/// back as the same string.
fn embedded_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        if c == '<' || c == '>' || c == '&' || crate::text::is_unsafe_to_show(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn band(out: &mut String, r: &Report) {
    let v = r.verdict.as_str();
    let _ = writeln!(
        out,
        "<header class=\"band v-{v}\">\n<h1><span class=\"verdict {v}\">{v}</span> delivery path · score {}</h1>\n<p class=\"basis\">{}</p>",
        view::score(r.score),
        esc(&r.verdict_basis)
    );
    out.push_str("<div class=\"facts\">\n<section>\n<dl class=\"parties\">\n");
    for p in view::parties(r) {
        let mark = p
            .mismatch
            .as_deref()
            .map(|m| format!("<span class=\"mismatch\">{}</span>", esc(m)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd class=\"party\">{}{mark}</dd>",
            p.label,
            esc(&p.value)
        );
    }
    if let Some(s) = &r.headers.subject {
        let _ = writeln!(out, "<dt>Subject</dt><dd>{}</dd>", esc(&s.value));
    }
    if let Some(d) = &r.headers.date {
        let _ = writeln!(out, "<dt>Date</dt><dd>{}</dd>", esc(&d.value));
    }
    out.push_str("</dl>\n<dl class=\"envelope\">\n");
    if let Some(m) = &r.envelope.mail_from {
        let _ = writeln!(
            out,
            "<dt>MAIL FROM</dt><dd class=\"mono\">&lt;{}&gt; <span class=\"note\">({})</span></dd>",
            esc(&m.value),
            view::envelope_source(m.source)
        );
    }
    for rc in &r.envelope.rcpt_to {
        let _ = writeln!(
            out,
            "<dt>RCPT TO</dt><dd class=\"mono\">&lt;{}&gt; <span class=\"note\">({})</span></dd>",
            esc(&rc.value),
            view::envelope_source(rc.source)
        );
    }
    if let Some(total) = r.chain.transit_s {
        let slowest = view::slowest_hop(r)
            .map(|(i, d)| {
                format!(
                    "; slowest <a href=\"#hop-{i}\">hop {i}</a> ({})",
                    view::duration(d)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<dt>Transit</dt><dd>{}{slowest}</dd>",
            view::duration(total)
        );
    }
    out.push_str("</dl>\n</section>\n<section>\n");
    identity(out, r);
    authentication(out, r);
    out.push_str("</section>\n</div>\n");
    let unplaced: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.concern == Concern::Path && f.hops.is_empty())
        .collect();
    if !unplaced.is_empty() {
        out.push_str("<h2>Findings on the whole path</h2>\n");
        for f in unplaced {
            finding(out, r, f);
        }
    }
    out.push_str("</header>\n");
}

fn identity(out: &mut String, r: &Report) {
    let id = &r.identity;
    let v = id.verdict.as_str();
    let _ = writeln!(
        out,
        "<h2>Identity <span class=\"verdict {v}\">{v}</span> score {}</h2>\n<p class=\"basis\">{} <span class=\"note\">(judged apart from the path)</span></p>",
        view::score(id.score),
        esc(&id.basis)
    );
    for f in r.findings.iter().filter(|f| f.concern == Concern::Identity) {
        finding(out, r, f);
    }
}

fn authentication(out: &mut String, r: &Report) {
    let a = &r.authentication;
    out.push_str("<h2>Authentication</h2>\n");
    if a.results.is_empty() {
        out.push_str("<p class=\"note\">No Authentication-Results fields.</p>\n");
    } else {
        out.push_str("<table class=\"auth\">\n<thead><tr><th>Written by</th><th>Field</th><th>Results</th></tr></thead>\n<tbody>\n");
        for f in &a.results {
            let id = f.authserv_id.as_deref().unwrap_or("(no authserv-id)");
            let instance = f.instance.map(|i| format!(" i={i}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr class=\"auth-{t}\"><td><span class=\"{t}\">{t}</span><br><span class=\"note\">{}</span></td><td>{}{instance}<br><span class=\"mono\">{}</span></td><td class=\"mono\">{}</td></tr>",
                esc(&f.why),
                f.field,
                esc(id),
                esc(&view::methods(f)),
                t = f.trust
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let v = &a.verification;
    if !v.performed {
        let _ = writeln!(
            out,
            "<p class=\"note\">Our verification: not performed ({}).</p>",
            esc(v.note.as_deref().unwrap_or("-"))
        );
        return;
    }
    let as_of = v
        .as_of
        .as_deref()
        .map(|t| format!(" as of delivery {}", esc(t)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<p>Our verification{as_of}:</p>\n<ul class=\"verification\">"
    );
    for d in &v.dkim {
        let _ = writeln!(
            out,
            "<li><b>dkim {}</b> d={} s={}: {}</li>",
            d.result,
            esc(&d.domain),
            esc(&d.selector),
            esc(&d.reason)
        );
    }
    if let Some(arc) = &v.arc {
        let _ = writeln!(
            out,
            "<li><b>arc {}</b>: {}</li>",
            arc.result,
            esc(&arc.reason)
        );
    }
    for s in &v.spf {
        let _ = writeln!(
            out,
            "<li><b>spf {}</b> {} {} at {}: {}</li>",
            s.result,
            s.identity,
            esc(&s.domain),
            esc(&s.ip),
            esc(&s.reason)
        );
    }
    if let Some(d) = &v.dmarc {
        let _ = writeln!(
            out,
            "<li><b>dmarc {}</b> {} p={}: {}</li>",
            d.result,
            esc(&d.domain),
            d.policy,
            esc(&d.reason)
        );
    }
    if let Some(note) = &v.note {
        let _ = writeln!(out, "<li class=\"note\">{}</li>", esc(note));
    }
    out.push_str("</ul>\n");
}

const COLUMNS: usize = 6;

fn timeline(out: &mut String, r: &Report, options: HtmlOptions) {
    out.push_str("<table class=\"hops\">\n<thead><tr><th>#</th><th>Sender: HELO (claimed), reverse name (recorded), IP</th><th>Received by</th><th>Time (UTC)</th><th>Delay</th><th>Findings and the header</th></tr></thead>\n<tbody>\n");
    // The boundary lies below the entry hop (every hop is ours without one: above hop 0).
    let boundary_above = r.trust.entry_hop.unwrap_or(0);
    for h in &r.hops {
        if h.index == boundary_above {
            boundary(out, r);
        }
        hop_row(out, r, h, options);
        if let Some(l) = r.links.iter().find(|l| l.from_hop == h.index) {
            link_row(out, l);
        }
    }
    if r.hops.is_empty() {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"{COLUMNS}\" class=\"note\">No Received headers.</td></tr>"
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn boundary(out: &mut String, r: &Report) {
    let t = &r.trust;
    let what = match (t.entry_hop, &t.boundary_host) {
        (Some(i), Some(host)) => format!(
            "Trust boundary: from hop {i} up, our servers wrote the lines (entry at {}); below it, text the sender chose",
            esc(host)
        ),
        (Some(i), None) => format!(
            "Trust boundary: from hop {i} up, our servers wrote the lines; below it, text the sender chose"
        ),
        (None, _) => "Trust boundary: every hop is ours".to_string(),
    };
    let profile = t
        .profile
        .map(|p| format!(", profile {p}"))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<tr class=\"boundary\"><td colspan=\"{COLUMNS}\">{what} <span class=\"note\">({}{profile})</span>\n<details><summary>Why here</summary><ul>",
        t.method
    );
    for b in &t.basis {
        let _ = write!(out, "<li>{}</li>", esc(b));
    }
    for w in &t.warnings {
        let _ = write!(out, "<li class=\"claimed\">{}</li>", esc(w));
    }
    out.push_str("</ul></details></td></tr>\n");
}

fn hop_row(out: &mut String, r: &Report, h: &Hop, options: HtmlOptions) {
    let trust = view::trust_name(h);
    let hatched = if view::sender_written(h) {
        " sender-written"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<tr class=\"hop trust-{trust}{hatched}\" id=\"hop-{i}\" data-hop=\"{i}\"><td><b>{i}</b><br><span class=\"trust\">{trust}</span></td><td>",
        i = h.index
    );
    let s = view::sender(h);
    let mut any = false;
    if let Some(helo) = s.helo {
        let _ = write!(
            out,
            "<span class=\"witness claimed\"><span class=\"k\">HELO</span> <span class=\"v mono\">{}</span> <span class=\"note\">claimed</span></span>",
            esc(helo)
        );
        any = true;
    }
    if let Some(rdns) = s.rdns {
        let _ = write!(
            out,
            "<span class=\"witness recorded\"><span class=\"k\">rDNS</span> <span class=\"v mono\">{}</span> <span class=\"note\">recorded</span></span>",
            esc(rdns)
        );
        any = true;
    }
    if let Some(ip) = &s.ip {
        let _ = write!(
            out,
            "<span class=\"witness ip\"><span class=\"k\">IP</span> <span class=\"v mono\">{}</span></span>",
            esc(ip)
        );
        any = true;
    }
    if !any {
        let what = match h.kind {
            crate::received::Kind::Local => "(local)",
            _ => "(no sender written)",
        };
        let _ = write!(out, "<span class=\"note\">{what}</span>");
    }
    let _ = write!(
        out,
        "</td><td><span class=\"mono\">{}</span><br>",
        esc(h.by.host.as_deref().unwrap_or("-"))
    );
    badges(out, h);
    out.push_str("</td><td>");
    match view::hop_time(h) {
        Some((utc, offset)) => {
            let _ = write!(out, "<span class=\"mono\">{}</span>", esc(&utc));
            if let Some(o) = offset {
                let _ = write!(out, "<br><span class=\"note\">written {}</span>", esc(&o));
            }
        }
        None => out.push_str("<span class=\"note\">no date</span>"),
    }
    out.push_str("</td><td class=\"delay\">");
    delay(out, h.delay_s, options.clock_skew_s);
    out.push_str("</td><td>");
    for f in r.findings.iter().filter(|f| f.hops.contains(&h.index)) {
        finding(out, r, f);
    }
    let _ = write!(
        out,
        "<details class=\"raw\"><summary>Received as written</summary><pre>{}</pre></details>",
        esc_pre(&h.raw)
    );
    out.push_str("</td></tr>\n");
}

fn badges(out: &mut String, h: &Hop) {
    let with = view::protocol(h);
    if let Some(w) = with {
        let _ = write!(out, "<span class=\"badge proto\">{}</span>", esc(&w));
    }
    if let Some(tls) = &h.tls {
        let version = tls.version.as_deref().map(esc).unwrap_or_default();
        let _ = write!(out, "<span class=\"badge tls\">TLS {version}</span>");
    }
    if let Some(auth) = &h.auth {
        let user = auth
            .user
            .as_deref()
            .map(|u| format!(" {}", esc(u)))
            .unwrap_or_default();
        let _ = write!(out, "<span class=\"badge auth\">AUTH{user}</span>");
    }
}

/// The delay and its bar: log-scaled, drawn right of the middle for a positive delay,
/// left and red for time running backwards, outlined beyond the skew tolerance.
fn delay(out: &mut String, delay_s: Option<i64>, skew: i64) {
    let Some(d) = delay_s else {
        out.push_str("<span class=\"num\">-</span>");
        return;
    };
    let negative = d < 0;
    let magnitude = d.unsigned_abs() as f64;
    // One step per ~0.125 decade: 1 s is 3 steps, a minute 14, an hour 28, a day 39.
    let steps = ((1.0 + magnitude).log10() * 8.0).ceil() as usize;
    let steps = steps.min(BAR_STEPS);
    let direction = if negative { "neg" } else { "pos" };
    let skewed = if d.unsigned_abs() > skew.unsigned_abs() {
        " skew"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<span class=\"num {direction}\">{}</span><span class=\"track\"><span class=\"bar {direction} w{steps}{skewed}\"></span></span>",
        view::duration(d)
    );
}

fn link_row(out: &mut String, l: &Link) {
    let w = l.witness.as_str();
    let what = match l.witness {
        Witness::Verified => "verified",
        Witness::Claimed => "claimed (same domain, or the sender's word only)",
        Witness::Contradicted => "contradicted",
        Witness::Unknown => "unknown",
    };
    let on = l
        .matched_on
        .map(|m| format!(", matched on {m}"))
        .unwrap_or_default();
    let by = l
        .recorded_by
        .map(|b| format!(", recorded by {b}"))
        .unwrap_or_default();
    let note = l
        .witness_note
        .as_deref()
        .map(|n| format!(": {}", esc(n)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<tr class=\"link w-{w}\"><td colspan=\"{COLUMNS}\">↑ hop {} → hop {}: {what}{on}{by}{note}</td></tr>",
        l.from_hop, l.to_hop
    );
}

fn finding(out: &mut String, r: &Report, f: &Finding) {
    let s = f.strength.as_str();
    let _ = write!(
        out,
        "<details class=\"finding s-{s}\" data-rule=\"{}\"><summary><span class=\"badge\"><span class=\"rule\">{}</span> {}</span> <span class=\"strength\">{s}</span> {}</summary><div class=\"evidence\"><p>{}</p>",
        f.rule,
        f.rule,
        f.name,
        view::score(f.score),
        esc(&f.message)
    );
    if let Some(map) = f.evidence.as_object().filter(|m| !m.is_empty()) {
        out.push_str("<table><tbody>");
        for (k, v) in map {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = write!(
                out,
                "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
                esc(k),
                esc(&value)
            );
        }
        out.push_str("</tbody></table>");
    }
    let hops: Vec<&Hop> = f.hops.iter().filter_map(|&i| r.hops.get(i)).collect();
    let answers: Vec<&crate::dns::Answer> = r
        .dns
        .answers
        .iter()
        .filter(|a| hops.iter().any(|h| answer_concerns(a, h)))
        .collect();
    if !answers.is_empty() {
        out.push_str("<p>DNS answers:</p><table><tbody>");
        for a in answers {
            let records = if a.answers.is_empty() {
                "-".to_string()
            } else {
                a.answers.join(", ")
            };
            let ttl = a.ttl.map(|t| format!("ttl {t}")).unwrap_or_default();
            let _ = write!(
                out,
                "<tr><td class=\"mono\">{} {}</td><td class=\"mono\">{} {}</td><td>{}</td><td class=\"note\">{}</td></tr>",
                a.qtype.as_str(),
                esc(&a.name),
                a.rcode.as_str(),
                esc(&records),
                ttl,
                esc(&a.asked_at)
            );
        }
        out.push_str("</tbody></table>");
    }
    for h in hops {
        let _ = write!(
            out,
            "<p class=\"note\">Hop {} as written:</p><pre>{}</pre>",
            h.index,
            esc_pre(&h.raw)
        );
    }
    out.push_str("</div></details>");
}

/// True when a DNS answer is about `h`'s sender: the PTR of its address, or a lookup of
/// its HELO or reverse name.
fn answer_concerns(a: &crate::dns::Answer, h: &Hop) -> bool {
    let name = a.name.trim_end_matches('.');
    let same = |n: Option<&str>| n.is_some_and(|n| n.eq_ignore_ascii_case(name));
    same(h.from.helo.as_deref())
        || same(h.from.rdns.as_deref())
        || h.from
            .ip
            .is_some_and(|ip| reverse_name(ip).eq_ignore_ascii_case(name))
}

/// The PTR name of an address (`4.3.2.1.in-addr.arpa`).
fn reverse_name(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        std::net::IpAddr::V6(v6) => {
            let mut s = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                let _ = write!(s, "{:x}.{:x}.", byte & 0xf, byte >> 4);
            }
            s.push_str("ip6.arpa");
            s
        }
    }
}

fn footer(out: &mut String, r: &Report) {
    let digest = match &r.original {
        Some(o) if o.whole => format!(
            "SHA-256 of the input ({} bytes): <code>{}</code>",
            o.digest_bytes, o.sha256
        ),
        Some(o) => format!(
            "SHA-256 of the header block ({} bytes; the body was read past, not hashed): <code>{}</code>",
            o.digest_bytes, o.sha256
        ),
        None => "SHA-256 of the input: not kept".to_string(),
    };
    let source = match r.source.index {
        Some(i) => format!("{} (message {i})", r.source.path),
        None => r.source.path.clone(),
    };
    let _ = writeln!(
        out,
        "<footer>hopsleuth {} · schema {} · source {} · {digest} · DNS {} ({} lookups)</footer>",
        env!("CARGO_PKG_VERSION"),
        super::SCHEMA,
        esc(&source),
        r.dns.mode.as_str(),
        r.dns.lookups
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_and_visible() {
        let s = esc("<script>alert(1)</script> a\u{202e}b \u{200b}\"x\" onerror='y'");
        assert!(!s.contains("<script"), "{s}");
        assert!(s.contains("&lt;script&gt;"), "{s}");
        assert!(s.contains("<span class=\"cc\">U+202E</span>"), "{s}");
        assert!(s.contains("<span class=\"cc\">U+200B</span>"), "{s}");
        assert!(!s.contains('\u{202e}'));
        assert!(s.contains("&#39;y&#39;"), "{s}");
    }

    #[test]
    fn embedded_json_cannot_close_its_script() {
        let j = embedded_json(r#"{"a":"</script><!-- x \u202e"}"#);
        assert!(!j.contains('<'), "{j}");
        let j2 = embedded_json("{\"a\":\"\u{202e}\u{1F600}</\"}");
        let back: serde_json::Value = serde_json::from_str(&j2).expect("still JSON");
        assert_eq!(back["a"], "\u{202e}\u{1F600}</");
    }

    #[test]
    fn policy_names_the_style_sheet_hash() {
        let digest = ring::digest::digest(&ring::digest::SHA256, css().as_bytes());
        assert!(policy().contains(&base64_sha(digest.as_ref())));
        assert!(policy().starts_with("default-src 'none'"));
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("81.169.145.40".parse().unwrap()),
            "40.145.169.81.in-addr.arpa"
        );
        assert!(reverse_name("2001:db8::1".parse().unwrap()).starts_with("1.0.0.0."));
        assert!(reverse_name("2001:db8::1".parse().unwrap()).ends_with("8.b.d.0.1.0.0.2.ip6.arpa"));
    }
}
