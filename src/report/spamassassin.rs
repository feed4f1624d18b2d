//! SpamAssassin's relay lines, so existing rules and scripts can consume our chain:
//! `X-Spam-Relays-Trusted: [ ip=... rdns=... helo=... by=... ident=... envfrom=... intl=...
//! id=... auth=... msa=... ] ...` and the same for the untrusted relays, newest first.

use super::Report;
use crate::chain::hop::Hop;
use crate::chain::trust::HopTrust;

/// A value as SpamAssassin's relay format can carry it: no white space, no brackets, and
/// nothing that could end the header line or hide and reorder text (escaped as
/// [`crate::text::terminal`] escapes it).
fn token(s: Option<&str>) -> String {
    crate::text::terminal(s.unwrap_or_default())
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '[' || c == ']' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn relay(h: &Hop) -> String {
    let helo = h
        .from
        .helo
        .as_deref()
        .and_then(|s| s.split_whitespace().next());
    // An address-literal HELO is written `!1.2.3.4!`.
    let helo = match helo {
        Some(l) if l.starts_with('[') => {
            let inner = l.trim_matches(['[', ']']);
            format!(
                "!{}!",
                token(Some(inner.strip_prefix("IPv6:").unwrap_or(inner)))
            )
        }
        other => token(other),
    };
    let auth = h.auth.as_ref().map(|a| match a.evidence {
        "with-protocol" => h.protocol.unwrap_or("yes").to_string(),
        "Authenticated sender" => "Postfix".to_string(),
        "authenticated" => "Sendmail".to_string(),
        other => token(Some(other)),
    });
    format!(
        "[ ip={} rdns={} helo={} by={} ident={} envfrom={} intl={} id={} auth={} msa={} ]",
        token(h.from.ip.map(crate::text::ip_string).as_deref()),
        token(h.from.rdns.as_deref()),
        helo,
        token(h.by.host.as_deref()),
        token(h.from.ident.as_deref()),
        token(h.envelope_from.as_deref()),
        u8::from(h.trust == Some(HopTrust::Trusted) && h.internal),
        token(h.id.as_deref()),
        token(auth.as_deref()),
        u8::from(h.msa),
    )
}

/// The two header lines for a report.
pub fn render(report: &Report) -> String {
    let mut trusted = Vec::new();
    let mut untrusted = Vec::new();
    // SpamAssassin lists relays newest first and only those with an address.
    for h in report.hops.iter().rev().filter(|h| h.from.ip.is_some()) {
        if h.trust == Some(HopTrust::Trusted) {
            trusted.push(relay(h));
        } else {
            untrusted.push(relay(h));
        }
    }
    if let Some(o) = &report.trust.originating {
        let r = format!(
            "[ ip={} rdns= helo= by= ident= envfrom= intl={} id= auth= msa=0 ]",
            token(Some(&o.ip)),
            u8::from(o.internal && o.trust == HopTrust::Trusted)
        );
        if o.trust == HopTrust::Trusted {
            trusted.push(r)
        } else {
            untrusted.push(r)
        }
    }
    format!(
        "X-Spam-Relays-Trusted: {}\nX-Spam-Relays-Untrusted: {}\n",
        trusted.join(" "),
        untrusted.join(" ")
    )
}
