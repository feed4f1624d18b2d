//! AUTH001: an authentication result in our name, written where only the sender writes.

use crate::message::headers::AuthResults;
use crate::rules::hops::hop_label;
use crate::rules::our_names::OurNames;
use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;

/// AUTH001.
pub const RULE: Rule = Rule {
    id: "AUTH001",
    name: "forged-auth-results",
    score: 6.0,
    strength: Strength::Proof,
    concern: crate::rules::Concern::Path,
    group: "auth-results",
    summary: "an Authentication-Results or ARC-Authentication-Results in our authserv-id sits below the entry hop's line: the sender wrote it",
    docs: "## What it checks
Where each Authentication-Results and ARC-Authentication-Results field sits among the
Received fields. Our side writes its results above the entry hop's Received line (after it
took the message); a field below that line was in the message when it arrived, so the sender
wrote it. Our authserv-ids are those of the results above the entry, and the hosts and
domains of our hops (a provider's shared ids, such as `mx.google.com`, are every customer's
and not ours):

* **proof**: a field below the entry in our authserv-id: the sender forged our verdict
  (typically `spf=pass dkim=pass dmarc=pass`, for a reader or a filter that trusts it);
* **info**: fields below the entry in other authserv-ids: what another system claims to
  have checked on the way, reported as claimed, never counted (a list's own results).

## Why it matters
Filters and people read Authentication-Results as the receiving system's word (RFC 8601
§5 asks receivers to remove fields in their own id that arrive with the message).

## Example
    Received: from vps (vps [77.91.3.14]) by mx1.ours.example ...
    Authentication-Results: mx1.ours.example; spf=pass smtp.mailfrom=bank.example; dkim=pass

## False positives
A message of ours that went out and came back carries our results deeper down, below the
list's lines; a system that re-injects mail to itself over the public network with an
unrecognised address. Configure such servers as trusted.

## References
RFC 8601 §5 (removal of forged fields); RFC 8617 (ARC).",
    source: file!(),
    check,
};

/// The authserv-id of an ARC-Authentication-Results value (`i=1; id; results`), read as
/// every such field is read ([`crate::auth::results`]).
fn arc_authserv_id(value: &str) -> Option<String> {
    let parsed = crate::auth::results::parse(value);
    parsed.instance.and(parsed.authserv_id)
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(entry) = ctx.entry() else { return };
    let above = |a: &AuthResults| a.received_above <= entry.header_index;
    // Most messages carry no result below the entry: nothing to ask.
    let any_below = ctx.headers.authentication_results.iter().any(|a| !above(a))
        || ctx
            .headers
            .trace
            .arc_authentication_results
            .iter()
            .any(|a| !above(a));
    if !any_below {
        return;
    }
    let ours = OurNames::of(ctx);
    let provider_id = |id: &str| crate::profiles::of_authserv_id(id).is_some();
    let mut our_ids: Vec<&str> = ctx
        .our_auth_results()
        .filter_map(AuthResults::authserv_id)
        .filter(|id| !provider_id(id))
        .collect();
    our_ids.sort_unstable();
    our_ids.dedup();
    let is_ours = |id: &str| {
        !provider_id(id)
            && (our_ids.iter().any(|o| o.eq_ignore_ascii_case(id))
                || ours.host(id).is_some()
                || ours.domain(id).is_some())
    };
    let below = |a: &&AuthResults| !above(a);
    let fields = ctx
        .headers
        .authentication_results
        .iter()
        .filter(below)
        .map(|a| {
            (
                "Authentication-Results",
                a.authserv_id().map(str::to_string),
                a,
            )
        })
        .chain(
            ctx.headers
                .trace
                .arc_authentication_results
                .iter()
                .filter(below)
                .map(|a| ("ARC-Authentication-Results", arc_authserv_id(&a.value), a)),
        );
    // A result our own MTA's filter wrote can sit right below one of our lines (Postfix
    // puts milter fields under its own Received line). It is ours unless our side also
    // wrote one where only it writes (above the entry), or the line above it is not ours.
    let ours_above = !our_ids.is_empty();
    // The line a field sits under: a result right under a line our side wrote (our entry,
    // our own gateway or submission server below a provider's frontend, our server's line
    // in a post of ours that came back from a list) is our filter's.
    let under_our_line = |field: &AuthResults| {
        field
            .received_above
            .checked_sub(1)
            .and_then(|i| ctx.hops.iter().find(|h| h.header_index == i))
            .and_then(|h| h.by.host.as_deref())
            .is_some_and(|by| ours.host(by).is_some() || ours.domain(by).is_some())
    };
    let hosted_by = ctx.trust.profile.and_then(crate::profiles::by_id);
    let mut claimed: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut more = 0usize;
    for (name, id, field) in fields {
        let Some(id) = id.as_deref() else { continue };
        // Under a line of the outside, or right under our entry's line when our side wrote
        // its own result above the entry (then the field there is not our filter's).
        let forged_place = !under_our_line(field)
            || (ours_above && field.received_above == entry.header_index + 1);
        if is_ours(id) && forged_place {
            out.add(
                &RULE,
                vec![entry.index],
                format!(
                    "An {name} field in our authserv-id {id} sits below {}'s Received line, where only the sender writes: our side never wrote it (it says: {}).",
                    hop_label(entry),
                    crate::text::clip(&field.value, 161)
                ),
                json!({"field": name, "authserv_id": id, "received_above": field.received_above, "entry_header_index": entry.header_index, "value": field.value}),
            );
            return;
        }
        // The hosting provider's own results (Gmail's under its own line) are its record,
        // not a claim.
        if hosted_by
            .is_some_and(|p| crate::profiles::of_authserv_id(id).is_some_and(|q| q.id == p.id))
        {
            continue;
        }
        if seen.insert(id.to_ascii_lowercase()) {
            if claimed.len() < 10 {
                claimed.push(id.to_string());
            } else {
                more += 1;
            }
        }
    }
    if !claimed.is_empty() {
        out.add_judged(
            &RULE,
            Strength::Info,
            0.0,
            vec![entry.index],
            format!(
                "Authentication results below {}'s line, claimed by {}{}: what those systems say they checked on the way, not checked by us.",
                hop_label(entry),
                claimed.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
            json!({"claimed_by": claimed}),
        );
    }
}
