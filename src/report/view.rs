//! What the reports a person reads (text, HTML, Markdown) show alike, computed once: a
//! hop's three witnesses of its sender, delays in one format, scores exactly as the JSON
//! writes them, the slowest hop, and the From / Sender / Reply-To / Return-Path addresses
//! with the ones that do not match the From marked.

use super::Report;
use crate::chain::hop::Hop;
use crate::chain::trust::HopTrust;

/// A score exactly as the JSON report writes it (`0.25`, `1.0`, `0.30000000000000004`):
/// never rounded, so two 0.25 findings never read as `0.2 + 0.2` under a `0.5`.
pub fn score(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = x.to_string();
    if s.contains(['.', 'e']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// `+4s`, `-2m05s`, `+1h02m`, `+3d04h`: signed, so backwards time is visible; the one
/// delay format of every report a person reads.
pub fn duration(s: i64) -> String {
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    match a {
        0..=59 => format!("{sign}{a}s"),
        60..=3599 => format!("{sign}{}m{:02}s", a / 60, a % 60),
        3600..=86_399 => format!("{sign}{}h{:02}m", a / 3600, a % 3600 / 60),
        _ => format!("{sign}{}d{:02}h", a / 86_400, a % 86_400 / 3600),
    }
}

/// Who wrote a hop, in the reports' words: `ours`, `entry` (our server, the sender
/// outside) or `outside` (text the sender chose).
pub fn trust_name(h: &Hop) -> &'static str {
    match h.trust {
        Some(HopTrust::Trusted) => "ours",
        Some(HopTrust::Entry) => "entry",
        Some(HopTrust::Untrusted) => "outside",
        None => "-",
    }
}

/// True for a hop the judgement reads as the sender's own text: written below the entry
/// hop, by nobody we trust.
pub fn sender_written(h: &Hop) -> bool {
    h.trust == Some(HopTrust::Untrusted)
}

/// The time of a hop in UTC (`2024-11-12 08:15:03Z`), and the offset its MTA wrote
/// (`-08:00`), when it has a date.
pub fn hop_time(h: &Hop) -> Option<(String, Option<String>)> {
    let utc = h.date.as_deref()?.replacen('T', " ", 1);
    let offset = h.date_local.as_deref().and_then(|local| {
        let tail = local.get(local.len().checked_sub(6)?..)?;
        tail.starts_with(['+', '-']).then(|| tail.to_string())
    });
    Some((utc, offset))
}

/// The sender of a hop as its three witnesses: what the client claimed (HELO), what the
/// receiver recorded (reverse name), and the address.
pub struct Sender<'a> {
    /// The HELO/EHLO name: the client's claim.
    pub helo: Option<&'a str>,
    /// The reverse name as the receiver recorded it.
    pub rdns: Option<&'a str>,
    /// The address the receiver recorded.
    pub ip: Option<String>,
}

/// The three witnesses of `h`'s sender (a reverse name equal to the HELO is still shown:
/// that they agree is what a reader checks).
pub fn sender(h: &Hop) -> Sender<'_> {
    Sender {
        helo: h.from.helo.as_deref(),
        rdns: h.from.rdns.as_deref(),
        ip: h.from.ip.map(crate::text::ip_string),
    }
}

/// Where a message came from in one word: its file, and `#N` for the Nth message of a
/// mailbox (`archive.mbox#3`).
pub fn source_ref(source: &super::Source) -> String {
    match source.index {
        Some(i) => format!("{}#{i}", source.path),
        None => source.path.clone(),
    }
}

/// A hop's protocol as normalised (`ESMTPS`), else as its MTA wrote it, when it says one.
pub fn protocol(h: &Hop) -> Option<String> {
    h.protocol.map(str::to_string).or_else(|| h.with.clone())
}

/// The methods of an Authentication-Results field with their results: `spf=pass dkim=fail`.
pub fn methods(f: &crate::auth::section::ResultField) -> String {
    f.results
        .iter()
        .map(|m| format!("{}={}", m.method, m.result))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The hop that took longest to pass the message on, with its delay.
pub fn slowest_hop(report: &Report) -> Option<(usize, i64)> {
    report
        .hops
        .iter()
        .filter_map(|h| h.delay_s.map(|d| (h.index, d)))
        .max_by_key(|&(i, d)| (d, std::cmp::Reverse(i)))
        .filter(|&(_, d)| d > 0)
}

/// One of the addresses a reader compares with the From.
pub struct Party {
    /// `From`, `Sender`, `Reply-To` or `Return-Path`.
    pub label: &'static str,
    /// The value as decoded.
    pub value: String,
    /// Why it does not match the From (its domain is another), when it does not.
    pub mismatch: Option<String>,
}

/// From, Sender, Reply-To and Return-Path (the envelope sender), each present one with
/// its mismatch against the From's registrable domain marked.
pub fn parties(report: &Report) -> Vec<Party> {
    let h = &report.headers;
    let from_domain = h
        .from
        .as_ref()
        .and_then(|f| f.addresses.first())
        .and_then(|a| domain_of_address(a));
    let compare = |address: Option<&str>| -> Option<String> {
        let theirs = domain_of_address(address?)?;
        let from = from_domain.as_ref()?;
        (!crate::domain::same_registrable(&theirs, from))
            .then(|| format!("domain {theirs} is not the From's {from}"))
    };
    let mut out = Vec::new();
    if let Some(from) = &h.from {
        out.push(Party {
            label: "From",
            value: from.value.clone(),
            mismatch: None,
        });
    }
    for (label, field) in [("Sender", &h.sender), ("Reply-To", &h.reply_to)] {
        if let Some(v) = field {
            out.push(Party {
                label,
                value: v.value.clone(),
                mismatch: compare(v.addresses.first().map(String::as_str)),
            });
        }
    }
    if let Some(m) = &report.envelope.mail_from {
        out.push(Party {
            label: "Return-Path",
            value: format!("<{}>", m.value),
            // The null sender of a bounce has no domain to compare.
            mismatch: compare(Some(m.value.as_str()).filter(|v| !v.is_empty())),
        });
    }
    out
}

fn domain_of_address(address: &str) -> Option<String> {
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain.trim_end_matches('>').trim();
    (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

/// Where an envelope value came from, in the report's words (`return-path`, ...).
pub fn envelope_source(s: crate::message::envelope::EnvelopeSource) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_exact() {
        assert_eq!(score(0.25), "0.25");
        assert_eq!(score(0.5), "0.5");
        assert_eq!(score(1.0), "1.0");
        assert_eq!(score(0.0), "0.0");
        assert_eq!(score(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(score(-2.0), "-2.0");
    }

    #[test]
    fn one_delay_format() {
        assert_eq!(duration(445), "+7m25s");
        assert_eq!(duration(-4), "-4s");
        assert_eq!(duration(3 * 86_400 + 4 * 3600), "+3d04h");
    }
}
