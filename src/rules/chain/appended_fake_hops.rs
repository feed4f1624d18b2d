//! CHAIN005: Received lines appended below the real ones by a forger.
//!
//! One function per kind of mark (the HELO link in `helo_link.rs`, continuity, time, format,
//! relays), and one small decision, `decide`, holding what each kind weighs. The tests are
//! in `appended_fake_hops/tests.rs`.

mod helo_link;
#[cfg(test)]
mod tests;

use super::tolerance::future_tolerance;
use crate::chain::continuity::LinkVerdict;
use crate::chain::hop::Hop;
use crate::domain;
use crate::netclass;
use crate::received::Kind;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;
use std::net::IpAddr;

/// CHAIN005.
pub const RULE: Rule = Rule {
    id: "CHAIN005",
    name: "appended-fake-hops",
    score: 5.0,
    summary: "Received lines below the entry hop were written by the sender, not by the hosts they name",
    docs: "## What it checks
Everything below the entry hop was written by whoever sent the message. This rule looks for
the marks a forger leaves when appending invented Received lines there, and reports the
hops it judges forger-written in one finding, with each mark and its strength.

**Decisive** marks prove it alone (score 6, the default `forged` threshold):

* *contradicted link*: the sender greeted our server with a name (HELO
  `mx.fernhill-holdings.com`), our server recorded a reverse name in another registrable
  domain (`vps-77-91-3-14.cheaphost.net`; not `unknown`, not `may be forged`), and a hop
  below says a host of the HELO's domain received the message from another host of that
  domain across the internet (a public address other than the sender's, recorded under a
  name in the domain, or no address at all). The lines say the HELO's host relayed the
  message; our server's own record says the machine that handed it over was another;
* with DNS, *invented name*: the HELO name and its whole domain do not exist (NXDOMAIN for
  both, message younger than `dns_fresh_days`) while a hop below claims it.

**Strong** marks need a second kind of mark beside them (score 5): the same HELO/reverse
name split when the hops `by` the HELO's domain only show its own submissions and filters
(authenticated, private, loopback or local hand-offs, or clients of other domains: an honest
server on a provider's address, a list or a forwarder looks like that); continuity breaks;
hops dated after the entry hop, running backwards, or before the Date header; a host
outside the configured relay path.

**Supporting** marks count as that second kind, never alone: no recorded IP on a network
hop in the format of an MTA that always records one (Postfix, Sendmail, Exim, qmail,
Exchange); a line in another format than its `by` host writes at or above the entry.
**Noted** marks never count: a Postfix line without the `(TZ)` comment Postfix writes, a
private address received by a host that then relayed over the internet. A forger who
writes full-format lines gets all of those right, so none of them can decide.

With DNS, a HELO name that resolves to the sender's address was true: the HELO marks are
dropped. An internal name of an existing domain is not invented (NAT'd servers use them).

## Why it matters
Forgers add fake lines at the bottom to make a message look as if it came from somewhere
else (RFC 5321 §4.4: receivers only ever prepend). The lines above the entry hop cannot be
faked; the ones below can, and rarely fit the entry hop our server wrote.

## Example
    Received: from mx.fernhill-holdings.com (vps-77-91-3-14.cheaphost.net [77.91.3.14])
            by mx1.bieberdorf.edu (Postfix) with ESMTPS id 4ZC...
    Received: from exch01.fernhill-holdings.com (exch01.fernhill-holdings.com [193.105.22.17])
            by mx.fernhill-holdings.com (8.16.1/8.16.1) with ESMTPS id 52BH...
Our server saw a cheaphost.net machine; the line below says fernhill's MX relayed the
message from fernhill's Exchange server: it was written by the cheaphost.net machine.

## False positives
A server of an organisation on an address whose reverse name is someone else's (a
provider's generic or hosting name, or a second organisation's: SpamAssassin's hard-ham
has a university host whose PTR names the FreeBSD mirror it also is) that greets with the
organisation's name and relays mail from another of its hosts at a public address (a
branch office, an on-premises Exchange behind a cloud relay). DNS clears it: that HELO name
resolves to the server's address. Old or exotic MTAs, lists and forwarders that re-inject
mail, and badly set clocks add strong and supporting marks.

## References
RFC 5321 §4.4; the classic \"appended Received lines\" case of SMTP forensics texts.",
    source: file!(),
    check,
};

/// MTA families whose Received lines always carry the peer's address.
const ALWAYS_RECORD_IP: &[&str] = &["postfix", "sendmail", "exim", "qmail", "exchange"];

/// The score of a finding a decisive mark proves: the default `forged` threshold, so that
/// proof alone gives a forged verdict (the rule's own score is for circumstantial cases).
const PROOF_SCORE: f64 = 6.0;

/// How much a kind of mark counts in [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Strength {
    /// Proves alone that the lines were written by the sender.
    Decisive,
    /// Evidence of its own; needs a second kind of mark beside it.
    Strong,
    /// Counts as the second kind beside a strong mark, never alone.
    Supporting,
    /// Listed with the finding, never counted.
    Noted,
}

/// The kinds of mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    ContradictedLink,
    InventedName,
    FalseHeloName,
    ContinuityBreak,
    DatedAfterEntry,
    TimeBackwards,
    BeforeDateHeader,
    OutsideRelayPath,
    NoRecordedIp,
    FormatMismatch,
    MissingTzComment,
    PrivateThenInternet,
}

impl Mark {
    /// The name in the evidence, and the weight: what the kind of mark can decide.
    fn spec(self) -> (&'static str, Strength) {
        use Strength::{Decisive, Noted, Strong, Supporting};
        match self {
            Mark::ContradictedLink => ("contradicted-link", Decisive),
            Mark::InventedName => ("received-by-invented-name", Decisive),
            Mark::FalseHeloName => ("received-by-false-helo-name", Strong),
            Mark::ContinuityBreak => ("continuity-break", Strong),
            Mark::DatedAfterEntry => ("dated-after-entry", Strong),
            Mark::TimeBackwards => ("time-backwards", Strong),
            Mark::BeforeDateHeader => ("before-date-header", Strong),
            Mark::OutsideRelayPath => ("outside-relay-path", Strong),
            Mark::NoRecordedIp => ("no-recorded-ip", Supporting),
            Mark::FormatMismatch => ("format-mismatch", Supporting),
            Mark::MissingTzComment => ("missing-tz-comment", Noted),
            Mark::PrivateThenInternet => ("private-then-internet", Noted),
        }
    }

    fn strength(self) -> Strength {
        self.spec().1
    }
}

/// One mark on one hop.
struct Signal {
    hop: usize,
    mark: Mark,
    detail: String,
}

impl Signal {
    fn new(hop: usize, mark: Mark, detail: String) -> Signal {
        Signal { hop, mark, detail }
    }
}

/// The decision: the finding's score and basis, or `None` when the marks do not add up. A
/// decisive mark proves it; otherwise at least two kinds must count, one of them strong.
fn decide(signals: &[Signal]) -> Option<(f64, &'static str)> {
    if signals
        .iter()
        .any(|s| s.mark.strength() == Strength::Decisive)
    {
        return Some((PROOF_SCORE, "proof"));
    }
    let mut counted: Vec<Mark> = signals
        .iter()
        .map(|s| s.mark)
        .filter(|m| matches!(m.strength(), Strength::Strong | Strength::Supporting))
        .collect();
    counted.sort();
    counted.dedup();
    let strong = counted.iter().any(|m| m.strength() == Strength::Strong);
    (strong && counted.len() >= 2).then_some((RULE.score, "circumstantial"))
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    let below = ctx.below_entry();
    if below.is_empty() {
        return;
    }
    let mut signals: Vec<Signal> = Vec::new();
    helo_link::marks(ctx, entry, below, &mut signals);
    continuity_marks(ctx, entry, &mut signals);
    time_marks(ctx, entry, below, &mut signals);
    for h in below {
        format_marks(ctx, entry, h, &mut signals);
        private_relay_mark(entry, h, &mut signals);
        relay_path_mark(ctx, h, &mut signals);
    }
    if let Some(decision) = decide(&signals) {
        report(entry, below, &signals, decision, out);
    }
}

fn ip_of(h: &Hop) -> Option<IpAddr> {
    h.from.ip
}

/// Continuity breaks below the entry hop: the older hop's receiver never sent the newer.
fn continuity_marks(ctx: &Ctx<'_>, entry: &Hop, out: &mut Vec<Signal>) {
    for l in ctx
        .links
        .iter()
        .filter(|l| l.to_hop <= entry.index && l.verdict == LinkVerdict::Mismatch)
    {
        out.push(Signal::new(
            l.from_hop,
            Mark::ContinuityBreak,
            format!(
                "received by {} but the next hop came from {}",
                l.receiver.as_deref().unwrap_or("?"),
                l.sender_rdns
                    .as_deref()
                    .or(l.sender_helo.as_deref())
                    .or(l.sender_ip.map(crate::text::ip_string).as_deref())
                    .unwrap_or("?")
            ),
        ));
    }
}

/// Time: after the entry hop, backwards, or before the Date header (one mark per hop).
fn time_marks(ctx: &Ctx<'_>, entry: &Hop, below: &[Hop], out: &mut Vec<Signal>) {
    let tolerance = future_tolerance(ctx.settings);
    let date_header = ctx.headers.date.as_ref().and_then(|d| d.timestamp);
    for (i, h) in below.iter().enumerate() {
        let Some(ts) = h.timestamp else { continue };
        let next = below.get(i + 1).and_then(|n| n.timestamp);
        let (mark, detail) = if let Some(ets) = entry.timestamp.filter(|e| ts - e > tolerance) {
            (
                Mark::DatedAfterEntry,
                format!("dated {}s after the entry hop", ts - ets),
            )
        } else if let Some(nts) = next.filter(|n| ts - n > tolerance) {
            (
                Mark::TimeBackwards,
                format!("dated {}s after the hop above it", ts - nts),
            )
        } else if let Some(dts) = date_header.filter(|d| d - ts > tolerance) {
            (
                Mark::BeforeDateHeader,
                format!("dated {}s before the message's Date", dts - ts),
            )
        } else {
            continue;
        };
        out.push(Signal::new(h.index, mark, detail));
    }
}

/// The line's format against what its MTA always writes and what its `by` host writes at
/// or above the entry hop.
fn format_marks(ctx: &Ctx<'_>, entry: &Hop, h: &Hop, out: &mut Vec<Signal>) {
    let mut push = |mark, detail| out.push(Signal::new(h.index, mark, detail));
    if h.kind == Kind::Smtp
        && h.from.ip.is_none()
        && h.from.name.is_some()
        && let Some(mta) = h.mta.filter(|m| ALWAYS_RECORD_IP.contains(m))
    {
        push(
            Mark::NoRecordedIp,
            format!("{mta} format but no peer address recorded"),
        );
    }
    if h.mta == Some("postfix") && h.date.is_some() && !h.raw.trim_end().ends_with(')') {
        push(
            Mark::MissingTzComment,
            "Postfix format without the (TZ) comment Postfix writes after the date".into(),
        );
    }
    // `localhost` and bare labels name many machines, and fetchmail is a retrieval
    // client, not the host's MTA.
    let comparable = |by: &str| by.contains('.') && !domain::normalize(by).starts_with("localhost");
    let Some(by) = h.by.host.as_deref().filter(|b| comparable(b)) else {
        return;
    };
    let other = ctx.hops.iter().find(|o| {
        o.index >= entry.index
            && o.mta.is_some_and(|m| m != "fetchmail")
            && h.mta != Some("fetchmail")
            && o.mta != h.mta
            && o.by
                .host
                .as_deref()
                .is_some_and(|ob| domain::same_host(ob, by))
    });
    if let Some(o) = other {
        push(
            Mark::FormatMismatch,
            format!(
                "{by} writes {} format in hop {} but this line is {}",
                o.mta.unwrap_or("?"),
                o.index,
                h.mta.unwrap_or("unrecognised")
            ),
        );
    }
}

/// A private address received by a host that then sent the message over the internet.
/// Loopback is the same machine handing mail to itself (a content filter): no relay.
fn private_relay_mark(entry: &Hop, h: &Hop, out: &mut Vec<Signal>) {
    let private = ip_of(h).is_some_and(|ip| netclass::is_internal_range(ip) && !ip.is_loopback());
    let relayed_out = h.by.host.as_deref().is_some_and(|by| {
        [entry.from.rdns.as_deref(), entry.helo_name()]
            .into_iter()
            .flatten()
            .any(|s| domain::same_host(s, by))
    });
    if private && relayed_out {
        out.push(Signal::new(
            h.index,
            Mark::PrivateThenInternet,
            format!(
                "private address {} received by {}, which then sent the message over the internet",
                h.from.ip_or("?"),
                h.by.host.as_deref().unwrap_or("?")
            ),
        ));
    }
}

/// Outside the configured relay path.
fn relay_path_mark(ctx: &Ctx<'_>, h: &Hop, out: &mut Vec<Signal>) {
    let path = &ctx.settings.relay_path;
    if path.is_empty() {
        return;
    }
    if let Some(by) =
        h.by.host
            .as_deref()
            .filter(|by| !path.iter().any(|p| domain::same_host(p, by)))
    {
        out.push(Signal::new(
            h.index,
            Mark::OutsideRelayPath,
            format!("received by {by}, which is not in the relay path"),
        ));
    }
}

fn report(
    entry: &Hop,
    below: &[Hop],
    signals: &[Signal],
    (score, basis): (f64, &str),
    out: &mut Findings<'_>,
) {
    let deepest = signals.iter().map(|s| s.hop).max().unwrap_or(0);
    let forged: Vec<usize> = below
        .iter()
        .map(|h| h.index)
        .filter(|&i| i <= deepest)
        .collect();
    let proof = basis == "proof";
    let reasons: Vec<String> = signals
        .iter()
        .map(|s| format!("hop {}: {}", s.hop, s.detail))
        .collect();
    out.add_scored(
        &RULE,
        score,
        forged.clone(),
        format!(
            "{} {} below our entry hop {} {} written by the sender, not by the hosts they name: {}.",
            if forged.len() == 1 { "Hop" } else { "Hops" },
            forged.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "),
            entry.index,
            match (proof, forged.len() == 1) {
                (true, true) => "was",
                (true, false) => "were",
                (false, true) => "looks",
                (false, false) => "look",
            },
            reasons.join("; ")
        ),
        json!({
            "entry_hop": entry.index,
            "forged_hops": forged,
            "basis": basis,
            "signals": signals.iter().map(|s| json!({
                "hop": s.hop,
                "signal": s.mark.spec().0,
                "strength": s.mark.strength(),
                "detail": s.detail,
            })).collect::<Vec<_>>(),
        }),
    );
}
