//! CHAIN008: the sender's lines claim our own servers, or the sender greets with our name.

use crate::chain::continuity::Witness;
use crate::rules::hops::hop_label;
use crate::rules::our_names::OurNames;
use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;

/// CHAIN008.
pub const RULE: Rule = Rule {
    id: "CHAIN008",
    name: "our-name-below-entry",
    score: 6.0,
    strength: Strength::Proof,
    concern: crate::rules::Concern::Path,
    group: "our-names",
    summary: "a line below the entry hop claims one of our servers received the message, or the sender greeted us with our own server's name",
    docs: "## What it checks
Our names are the `by` hosts of the hops our side wrote (the entry hop and above) and our
domains (the recipients' and the ones the trust walk found), a mail provider's shared hosts
and domains left out. Three shapes:

* **proof**: the line right below the entry hop says one of our hosts received the
  message (`by mx1.ours.example`): our server would then have handed the message to the
  outside sender, who gave it back; the line was written by the sender to look handled;
* **proof**: the entry hop's client greeted our server with the name of one of our own
  hosts (`from mx1.ours.example (unknown [77.91.3.14])`), unauthenticated, from a public
  address: our server knows its own name, the client does not own it;
* **strong**: the line right below the entry claims a host in our domain that is not one
  of our hops, and nothing joins it to the entry's sender (no HELO or reverse name of
  that host: the link is `unknown` or `contradicted`).

## Why it matters
Forgers plant our own names to make a message look internal (`IT Service Desk`, password
expiry notices). Our own servers are the one thing the recipient's side knows for sure.

## Example
    Received: from srv-4471.vps-fastnet.example (... [194.87.31.205]) by mx1.ours.example ...
    Received: from mail.ours.example (mail.ours.example [10.44.0.25]) by mx1.ours.example ...
The second line claims our mail.ours.example handed the message to our mx1, yet our mx1
recorded a VPS as the sender.

## False positives
A message of ours that went out and came back (a list post, a forward) carries our
outbound server's lines, but deeper: the list's or the forwarder's own line is right below
the entry, and those deeper lines are not flagged. A server of ours outside our network
(a web server at a hosting company) greets with its own name in our domain and its line
below names itself: the link is claimed or verified, so no finding; configure it in
`trusted_hosts` to make it ours.

## References
RFC 5321 §4.4 (receivers only prepend); the \"internal-looking\" phishing of incident reports.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    let ours = OurNames::of(ctx);
    if ours.hosts.is_empty() && ours.domains.is_empty() {
        return;
    }
    greeting_with_our_name(ctx, entry, &ours, out);
    // The first line below the entry that names its receiver: a line without one (qmail's
    // `invoked by uid`, a local pickup) hands nothing over and cannot hide the one below.
    let Some((below, by)) = ctx
        .below_entry()
        .iter()
        .rev()
        .find_map(|h| h.by.host.as_deref().map(|b| (h, b)))
    else {
        return;
    };
    // An entry receiver that wrote no name of its own (`by localhost`, `by newmail`) gives
    // our side no name to set against the line (its short name may be the host below).
    let entry_named =
        entry.by.host.as_deref().is_some_and(|h| {
            h.contains('.') && !crate::domain::normalize(h).starts_with("localhost")
        });
    // Our entry line must record a network hand-off: a local one (qmail-scanner's
    // `from user@domain by host with qmail-scanner`) has no outside sender to set against.
    // A scanner's stamp on the same machine (`from user@domain by host with qmail-scanner`:
    // a mailbox where the peer belongs, no address) is no hand-off either.
    let scanner_stamp =
        entry.from.ip.is_none() && entry.from.name.as_deref().is_some_and(|n| n.contains('@'));
    if !entry_named || entry.kind != crate::received::Kind::Smtp || scanner_stamp {
        return;
    }
    let link = ctx
        .links
        .iter()
        .find(|l| l.from_hop == below.index && l.to_hop == below.index + 1);
    if let Some(host) = ours.host(by) {
        out.add(
            &RULE,
            vec![below.index],
            format!(
                "Hop {} below our entry {} claims our own {host} received the message, but our {} recorded the sender as {}: our server never handed it to the outside, the line was written by the sender.",
                below.index,
                hop_label(entry),
                entry.by.host.as_deref().unwrap_or("server"),
                sender(entry)
            ),
            json!({"hop": below.index, "entry_hop": entry.index, "claimed_by": by, "our_host": host, "entry_sender": sender(entry)}),
        );
        return;
    }
    let unjoined =
        link.is_none_or(|l| matches!(l.witness, Witness::Unknown | Witness::Contradicted));
    if let Some(domain) = ours.domain(by)
        && unjoined
        && entry.from.ip.is_some()
    {
        out.add_judged(
            &RULE,
            Strength::Strong,
            4.0,
            vec![below.index],
            format!(
                "Hop {} below our entry {} claims {by}, a host in our domain {domain}, received the message, but nothing joins it to the sender our server recorded ({}).",
                below.index,
                hop_label(entry),
                sender(entry)
            ),
            json!({"hop": below.index, "entry_hop": entry.index, "claimed_by": by, "our_domain": domain, "entry_sender": sender(entry)}),
        );
    }
}

/// The entry's sender as our server recorded it.
fn sender(entry: &crate::chain::hop::Hop) -> String {
    match (entry.confirmed_rdns(), entry.from.ip) {
        (Some(r), Some(ip)) => format!("{r} [{}]", crate::text::ip_string(ip)),
        (None, Some(ip)) => crate::text::ip_string(ip),
        (Some(r), None) => r.to_string(),
        (None, None) => "an unrecorded host".into(),
    }
}

/// The entry's client greeted with a name in our domain (not one of our hosts) while our
/// server recorded a reverse name outside it, or none: strong, not proof, since a server of
/// ours outside our network (a web server at a hosting company) greets that way too.
fn claims_our_domain(
    ctx_profile: bool,
    entry: &crate::chain::hop::Hop,
    below: &[crate::chain::hop::Hop],
    helo: &str,
    ours: &OurNames<'_>,
    out: &mut Findings<'_>,
) {
    let Some(domain) = ours.domain(helo) else {
        return;
    };
    // A reverse name recorded in our domain, a submission, or a private address is ours.
    let rdns = entry.confirmed_rdns();
    if rdns.is_some_and(|r| ours.domain(r) == Some(domain))
        || crate::rules::our_names::is_submission(entry)
        || entry.from.ip.is_none_or(crate::netclass::is_non_public)
    {
        return;
    }
    // The lines below that claim hosts of our domain go with the greeting. They make it
    // strong when they show our own inside (a sender in our domain or at a private
    // address): the message dresses as internal. A line that only shows a third party's
    // ordinary inbound delivery is what our own MX at a hosting company writes: weak.
    let claimed: Vec<&crate::chain::hop::Hop> = below
        .iter()
        .filter(|h| {
            h.by.host
                .as_deref()
                .is_some_and(|b| ours.domain(b) == Some(domain))
        })
        .collect();
    let dresses_as_internal = claimed.iter().any(|h| {
        h.from.ip.is_some_and(crate::netclass::is_internal_range)
            || [h.helo_name(), h.from.rdns.as_deref()]
                .into_iter()
                .flatten()
                .any(|n| ours.domain(n) == Some(domain))
    });
    let mut hops: Vec<usize> = claimed.iter().map(|h| h.index).collect();
    hops.push(entry.index);
    // At a provider's frontend, which records no reverse name, a client greeting in our
    // domain is first of all our own gateway (hybrid Exchange, an inbound filter in front of
    // the hosted mailbox): weak until the trust walk is told it is ours.
    let our_gateway_likely = ctx_profile && rdns.is_none();
    // Our record contradicts the greeting only where it holds a name, or says there is none
    // (`unknown`): an address recorded with no look-up at all names nobody.
    let record_says_other = rdns.is_some() || entry.from.rdns_unknown;
    // No line below naming a host of ours: nothing but the greeting, against our record.
    let bare_claim = claimed.is_empty() && rdns.is_some();
    let (strength, score) =
        if (dresses_as_internal || bare_claim) && record_says_other && !our_gateway_likely {
            (Strength::Strong, 4.0)
        } else {
            (Strength::Weak, 1.0)
        };
    out.add_judged(
        &RULE,
        strength,
        score,
        hops,
        format!(
            "At {}, the client greeted our server as {helo}, a name in our own domain {domain}, but our server recorded it as {}{}.",
            hop_label(entry),
            sender(entry),
            if dresses_as_internal {
                "; the lines below claim our own inside handed it over, which our record contradicts"
            } else {
                ""
            }
        ),
        json!({"hop": entry.index, "helo": helo, "our_domain": domain, "entry_sender": sender(entry)}),
    );
}

/// The entry's client greeted with the name of one of our hosts.
fn greeting_with_our_name(
    ctx: &Ctx<'_>,
    entry: &crate::chain::hop::Hop,
    ours: &OurNames<'_>,
    out: &mut Findings<'_>,
) {
    let Some(helo) = entry.helo_name() else {
        return;
    };
    let Some(ip) = entry.from.ip else { return };
    if crate::netclass::is_non_public(ip) || crate::rules::our_names::is_submission(entry) {
        return;
    }
    let Some(host) = ours.host(helo) else {
        claims_our_domain(
            ctx.trust.profile.is_some(),
            entry,
            ctx.below_entry(),
            helo,
            ours,
            out,
        );
        return;
    };
    // Our own host's name recorded as the reverse name of the address is our host.
    if entry
        .confirmed_rdns()
        .is_some_and(|r| crate::domain::same_host(r, helo))
    {
        return;
    }
    // Our own server handing mail back to itself over its public address.
    let our_address = ctx.ours_and_entry().iter().any(|h| {
        h.by.ip
            .is_some_and(|a| a.to_canonical() == ip.to_canonical())
            || (h.index != entry.index
                && h.from
                    .ip
                    .is_some_and(|a| a.to_canonical() == ip.to_canonical()))
    });
    if our_address {
        return;
    }
    out.add(
        &RULE,
        vec![entry.index],
        format!(
            "At {}, the client greeted our server as {helo}, our own host {host}, from {}: our server knows its own name, and the client does not own it.",
            hop_label(entry),
            sender(entry)
        ),
        json!({"hop": entry.index, "helo": helo, "our_host": host, "entry_sender": sender(entry)}),
    );
}
