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
    strength: crate::rules::Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "appended",
    summary: "Received lines below the entry hop were written by the sender, not by the hosts they name",
    docs: "## What it checks
Everything below the entry hop was written by whoever sent the message. This rule looks for
the marks a forger leaves when appending invented Received lines there, and reports the
hops it judges forger-written in one finding, with each mark and its strength.

The finding's strength follows its marks: a **decisive** mark, or **strong** marks of two
kinds, make it a `proof`; one strong mark a `strong` finding; supporting marks of two kinds
(one of them not another rule's own finding) a `weak` one.

**Decisive** marks, each a contradiction between two witnesses:

* *contradicted link*: the sender greeted our server with a name (HELO
  `mx.fernhill-holdings.com`), our server recorded a reverse name in another registrable
  domain (`vps-77-91-3-14.cheaphost.net`; not `unknown`, not `may be forged`), and a hop
  below says a host of the HELO's domain received the message from another host of that
  domain across the internet (a public address other than the sender's, recorded under a
  name in the domain, or no address at all);
* with DNS, *DNS contradicts the claimed link*: the host the line below names as its
  receiver (and the client claimed to be) resolves, fresh, to addresses none of which is
  the one our server recorded, nor in its /24, and the address's reverse name is outside
  that host's domain (the link's witness is `contradicted` by `dns`);
* with DNS, *invented name*: the HELO name and its whole domain do not exist (NXDOMAIN for
  both, message younger than `dns_fresh_days`) while a hop below claims it.

**Strong** marks:

* *provider network contradicts the entry link*: the line below the entry says a server of
  a provider that publishes all its sending networks (Google, Microsoft, ... see `hopsleuth
  profiles`) received the message, and our server recorded the next sender at an address
  outside them (`by mail-lf1-f41.google.com` below an entry from 89.144.44.26); also
  between two lines of the outside when the older one is a final delivery into a mailbox
  (a delivered message sent on by someone else);
* *Gmail format not Google's*: a line by one of Google's SMTP servers dated in another zone
  than Pacific time (Google writes `-0800 (PST)` or `-0700 (PDT)`: all 1,063 such lines of
  modern_ham);
* *a date where the address belongs* (`from unknown (HELO x) (Wed, 12 Jun 2024 09:45:27
  +0200) by ...`): a template filled with the wrong field;
* *a protocol outside its deployment*: `with NNFMP`, which only Yahoo's own servers wrote;
* with DNS, *DNS contradicts a link* nobody claimed.

**Supporting** marks: the provider's networks contradicting a link between two lines of the
outside (a relay that writes no line, a DLP gateway, explains it too); the sender's false
HELO claimed by a line below (`received-by-false-helo-name`: an honest server on a
provider's address, a list or a forwarder looks like that); no recorded IP on a network hop
in the format of an MTA that always records one (Postfix, Sendmail, Exim, qmail, Exchange);
QMQP, ASMTP or `with LOCAL` from a public address outside the deployments that write them;
a line in another format than its `by` host writes at or above the entry; and, reported
here but counted by their own rules, continuity breaks (CHAIN001), hops dated after the
entry, backwards or before the Date header (CHAIN003, CHAIN004), hosts outside the relay
path (CHAIN006). **Noted** marks never count: a Postfix line without the `(TZ)` comment
Postfix writes, a private address received by a host that then relayed over the internet.

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

/// The score of a finding made of supporting marks only.
const SUPPORTING_SCORE: f64 = 1.0;

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
    DnsContradictsClaim,
    DnsContradicts,
    ProviderNetworkContradicts,
    ProviderNetworkBelow,
    ForeignGmailFormat,
    DateAsAddress,
    InventedProtocol,
    NetworkHopUnusualProtocol,
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
            Mark::DnsContradictsClaim => ("dns-contradicts-claimed-link", Decisive),
            Mark::DnsContradicts => ("dns-contradicts-link", Strong),
            Mark::ProviderNetworkContradicts => ("provider-network-contradicts-link", Strong),
            Mark::ProviderNetworkBelow => ("provider-network-contradicts-outside-link", Supporting),
            Mark::ForeignGmailFormat => ("gmail-format-not-google", Strong),
            Mark::DateAsAddress => ("date-where-address-belongs", Strong),
            Mark::InventedProtocol => ("protocol-outside-its-deployment", Strong),
            Mark::NetworkHopUnusualProtocol => ("network-hop-unusual-protocol", Supporting),
            Mark::InventedName => ("received-by-invented-name", Decisive),
            Mark::FalseHeloName => ("received-by-false-helo-name", Supporting),
            Mark::ContinuityBreak => ("continuity-break", Supporting),
            Mark::DatedAfterEntry => ("dated-after-entry", Supporting),
            Mark::TimeBackwards => ("time-backwards", Supporting),
            Mark::BeforeDateHeader => ("before-date-header", Supporting),
            Mark::OutsideRelayPath => ("outside-relay-path", Supporting),
            Mark::NoRecordedIp => ("no-recorded-ip", Supporting),
            Mark::FormatMismatch => ("format-mismatch", Supporting),
            Mark::MissingTzComment => ("missing-tz-comment", Noted),
            Mark::PrivateThenInternet => ("private-then-internet", Noted),
        }
    }

    fn strength(self) -> Strength {
        self.spec().1
    }

    /// True for marks another rule reports as its own finding (continuity, time, the
    /// relay path).
    fn restated_elsewhere(self) -> bool {
        matches!(
            self,
            Mark::ContinuityBreak
                | Mark::DatedAfterEntry
                | Mark::TimeBackwards
                | Mark::BeforeDateHeader
                | Mark::OutsideRelayPath
                | Mark::ProviderNetworkBelow
        )
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

/// The decision: the finding's strength, score and basis, or `None` when the marks do not
/// add up. A decisive mark, or strong marks of two kinds, prove it; one strong mark is a
/// strong finding; supporting marks of two kinds, with no strong one, a weak finding (breaks
/// and odd times below the entry are what lists, forwarders and bad clocks leave too).
fn decide(signals: &[Signal]) -> Option<(crate::rules::Strength, f64, &'static str)> {
    use crate::rules::Strength as Finding;
    if signals
        .iter()
        .any(|s| s.mark.strength() == Strength::Decisive)
    {
        return Some((Finding::Proof, PROOF_SCORE, "proof"));
    }
    let mut counted: Vec<Mark> = signals
        .iter()
        .map(|s| s.mark)
        .filter(|m| matches!(m.strength(), Strength::Strong | Strength::Supporting))
        .collect();
    counted.sort();
    counted.dedup();
    let strong = counted
        .iter()
        .filter(|m| m.strength() == Strength::Strong)
        .count();
    match (strong, counted.len()) {
        (2.., _) => Some((Finding::Proof, PROOF_SCORE, "two-strong")),
        (1, _) => Some((Finding::Strong, RULE.score, "strong")),
        // Continuity breaks and odd times are CHAIN001's, CHAIN003's and CHAIN004's own
        // findings: restated here they would count twice.
        (0, 2..) if counted.iter().any(|m| !m.restated_elsewhere()) => {
            Some((Finding::Weak, SUPPORTING_SCORE, "supporting"))
        }
        (0, 2..) => Some((Finding::Info, 0.0, "restated")),
        _ => None,
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    let below = ctx.below_entry();
    if below.is_empty() {
        return;
    }
    let mut signals: Vec<Signal> = Vec::new();
    helo_link::marks(ctx, entry, below, &mut signals);
    witness_marks(ctx, entry, &mut signals);
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

/// Links at or below the entry hop that a witness contradicts: DNS, a provider's published
/// networks or the recorded addresses say the sender was not the host the line below names
/// as its receiver.
///
/// DNS that contradicts a link the client claimed (its HELO named the host that DNS puts
/// elsewhere) proves it. A provider's networks, or DNS on a link nobody claimed, do not
/// alone: a relay that writes no Received line of its own (a DLP gateway, an appliance)
/// between the provider and the next hop looks the same.
fn witness_marks(ctx: &Ctx<'_>, entry: &Hop, out: &mut Vec<Signal>) {
    for l in ctx.links.iter().filter(|l| {
        l.to_hop <= entry.index && l.witness == crate::chain::continuity::Witness::Contradicted
    }) {
        let claimed = match (l.sender_helo.as_deref(), l.receiver.as_deref()) {
            (Some(h), Some(r)) => domain::same_host(h, r),
            _ => false,
        };
        let ours = l.recorded_by == Some("ours");
        // Decisive only when the line below claims a relay (a server handing the message
        // on); under a submission (authenticated, HTTP, local) a shared `mail.` name that
        // resolves to another of the organisation's machines explains it.
        let relayed = ctx
            .hops
            .get(l.from_hop)
            .is_some_and(|h| !crate::rules::our_names::is_submission(h));
        let mark = match l.witness_source {
            Some("dns") if claimed && relayed => Mark::DnsContradictsClaim,
            Some("dns") => Mark::DnsContradicts,
            // Between two lines of the outside, a silent relay (a DLP gateway) explains
            // it as well as a forger does.
            // After a final delivery into a provider's mailbox, only the provider itself
            // sends the message on (a forward); someone outside it re-sent a delivered
            // message with its old trace.
            _ if !ours
                && ctx
                    .hops
                    .get(l.from_hop)
                    .is_some_and(crate::chain::hop::Hop::is_mailbox_delivery) =>
            {
                Mark::ProviderNetworkContradicts
            }
            _ if !ours => Mark::ProviderNetworkBelow,
            _ => Mark::ProviderNetworkContradicts,
        };
        out.push(Signal::new(
            l.from_hop,
            mark,
            l.witness_note
                .clone()
                .unwrap_or_else(|| "the link to the hop above is contradicted".into()),
        ));
    }
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
    if let Some(date) = date_in_from_part(h) {
        push(
            Mark::DateAsAddress,
            format!(
                "a date ({date}) written where the sender's address belongs: no MTA records a connection that way"
            ),
        );
    }
    if let Some(with) = h.with.as_deref() {
        let upper = with.to_ascii_uppercase();
        let unusual = matches!(upper.as_str(), "NNFMP" | "QMQP" | "LOCAL" | "ASMTP");
        // Only the rare protocols ask whose deployment this is.
        let by_yahoo = || {
            h.by.host
                .as_deref()
                .is_some_and(|b| crate::profiles::by_id("yahoo").is_some_and(|y| y.names_host(b)))
        };
        let public_peer = h.from.ip.is_some_and(|ip| !netclass::is_non_public(ip));
        if !unusual {
        } else if upper == "NNFMP" && !by_yahoo() {
            push(
                Mark::InventedProtocol,
                format!(
                    "`with {with}` by {}: only Yahoo's own servers wrote that protocol (Yahoo Groups, 2002); forgers' templates copy it",
                    h.by.host.as_deref().unwrap_or("?")
                ),
            );
        } else if public_peer
            && upper != "NNFMP"
            && !(upper == "ASMTP" && h.raw.to_ascii_lowercase().contains("icewarp"))
            && !by_yahoo()
        {
            push(
                Mark::NetworkHopUnusualProtocol,
                format!(
                    "`with {with}` on a hop from the public address {}: outside the deployments that write it (qmail's QMQP between its own servers, IceWarp's ASMTP, local pickups)",
                    h.from.ip_or("?")
                ),
            );
        }
    }
    if let Some(zone) = foreign_google_zone(h) {
        push(
            Mark::ForeignGmailFormat,
            format!(
                "a line by Google's {} dated in zone {zone}: Google's mail servers write Pacific time (-0800 PST or -0700 PDT)",
                h.by.host.as_deref().unwrap_or("?")
            ),
        );
    }
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

/// A date written in the from part (`from unknown (HELO x) (Wed, 12 Jun 2024 09:45:27
/// +0200) by ...`, `from smtp.x ([Tue, 18 Jun 2024 00:44:36 +0200]) by ...`), where MTAs
/// record the peer's name and address: the mark of a template filled with the wrong field.
fn date_in_from_part(h: &Hop) -> Option<String> {
    let raw = h.raw.as_str();
    // Where the receiver's `by` clause starts (any case, after a space or a fold).
    let end = raw.as_bytes().windows(4).position(|w| {
        w[0].is_ascii_whitespace()
            && w[1..3].eq_ignore_ascii_case(b"by")
            && w[3].is_ascii_whitespace()
    })?;
    let from_part = raw.get(..end)?;
    // Bounded: the first few brackets, each read for at most 64 bytes (a date is ~31), so a
    // crafted line of thousands of `(` costs no more than a short one.
    for (i, _) in from_part.match_indices(['(', '[']).take(8) {
        let inner = from_part.get(i + 1..)?;
        let window = &inner[..inner.floor_char_boundary(64)];
        let candidate = window
            .trim_start_matches(['(', '['])
            .split([')', ']'])
            .next()
            .unwrap_or("")
            .trim();
        // A date has a time of day: no colon, no date (and no parse to pay for).
        if candidate.len() >= 16
            && candidate.contains(':')
            && crate::date::parse_date(candidate.as_bytes()).is_some()
        {
            return Some(candidate.to_string());
        }
    }
    None
}

/// The zone of a mail line written by one of Google's servers when it is not Pacific time.
/// Google's SMTP servers date every line they write `-0800 (PST)` or `-0700 (PDT)`
/// (measured: 1,063 of 1,063 in modern_ham, 229 of 229 genuine ones in phishing_pot_dev);
/// its Gmail API line (`with HTTPREST`) carries the client's zone and is left out.
fn foreign_google_zone(h: &Hop) -> Option<String> {
    let by = h.by.host.as_deref()?;
    // The zone first: it is cheap, and Pacific time needs no provider look-up.
    let date = h.raw.rsplit(';').next()?.trim();
    let zone = date
        .split_whitespace()
        .find(|w| (w.starts_with('+') || w.starts_with('-')) && w.len() == 5)?;
    if zone == "-0800" || zone == "-0700" {
        return None;
    }
    if h.kind != Kind::Smtp {
        return None;
    }
    let google = crate::profiles::by_id("google")?;
    // Google's address literals (`by 2002:a05:...`) are known to its receivers list; a
    // name to its host domains.
    let written_by_google = google.names_host(by)
        || (by.parse::<std::net::IpAddr>().is_ok()
            && crate::profiles::receiver_of(by).is_some_and(|(p, _)| p.id == google.id));
    if !written_by_google {
        return None;
    }
    if h.with
        .as_deref()
        .is_some_and(|w| w.to_ascii_uppercase().contains("HTTP"))
    {
        return None;
    }
    Some(zone.to_string())
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
    (strength, score, basis): (crate::rules::Strength, f64, &str),
    out: &mut Findings<'_>,
) {
    let deepest = signals.iter().map(|s| s.hop).max().unwrap_or(0);
    let forged: Vec<usize> = below
        .iter()
        .map(|h| h.index)
        .filter(|&i| i <= deepest)
        .collect();
    let proof = strength == crate::rules::Strength::Proof;
    let reasons: Vec<String> = signals
        .iter()
        .map(|s| format!("hop {}: {}", s.hop, s.detail))
        .collect();
    out.add_judged(
        &RULE,
        strength,
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
