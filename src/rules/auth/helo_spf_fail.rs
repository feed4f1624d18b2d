//! AUTH002: our SPF check of the entry's HELO name fails: the domain the client named
//! says the address is not one of its senders.

use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;

/// AUTH002.
pub const RULE: Rule = Rule {
    id: "AUTH002",
    name: "helo-spf-fail",
    score: 3.0,
    strength: Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "auth-witness",
    summary: "our SPF check of the entry client's HELO name fails: the name's own DNS says the address may not send as it",
    docs: "## What it checks
The SPF result for the HELO identity (RFC 7208 §2.3) of the entry hop's client, at the
address our receiver recorded: from our own verification (with DNS), or from an
Authentication-Results our side wrote (`spf=fail smtp.helo=...`, above the entry hop's
line):

* **strong**: `fail`: the domain the client greeted as publishes an SPF record that
  excludes the address (`-all`): the client's claim and the name owner's word contradict;
* **weak**: `softfail` (`~all`);
* nothing for `pass`, `neutral`, `none` (most HELO names publish no SPF record), or a lookup
  that failed (`unknown`: never evidence).

## Why it matters
A client that greets as `outlook.com` or as a bank's host borrows the name; when the name's
owner lists the addresses it sends from and this one is not among them, the greeting is
false, and the path's entry is not who it says.

## Example
    Received: from outlook.com (vps-77-91-3-14.cheaphost.example [77.91.3.14]) by mx.ours.example
    authentication.verification.spf: helo outlook.com fail (outlook.com does not permit 77.91.3.14)

## False positives
A domain whose SPF record forgets one of its own servers that greets with the domain's
name; a HELO name shared by a farm some of whose addresses the record omits.

## References
RFC 7208 §2.3 (the HELO identity), §8.4 (fail).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    // A witness first: our verification's SPF checks, or a result our servers wrote.
    if ctx.authentication.verification.spf.is_empty() && ctx.our_auth_results().next().is_none() {
        return;
    }
    let Some(entry) = ctx.entry() else { return };
    let Some(helo) = entry.helo_name() else {
        return;
    };
    if crate::rules::our_names::is_submission(entry) || crate::dns::fqdn(helo).is_none() {
        return;
    }
    let Some(ip) = entry.from.ip else { return };
    // Ours: the verification's check of this HELO at this address, else our server's.
    let verified = ctx
        .authentication
        .verification
        .spf_of("helo")
        .filter(|s| s.domain.eq_ignore_ascii_case(helo.trim_end_matches('.')))
        .map(|s| (s.result.to_string(), s.reason.clone(), "our verification"));
    let written = || {
        ctx.our_checks().into_iter().find_map(|r| {
            (r.method == "spf"
                && r.property("smtp.helo")
                    .is_some_and(|h| h.eq_ignore_ascii_case(helo.trim_end_matches('.'))))
            .then(|| {
                (
                    r.result.clone(),
                    format!("spf={}", r.result),
                    "our server's Authentication-Results",
                )
            })
        })
    };
    let Some((result, why, witness)) = verified.or_else(written) else {
        return;
    };
    let (strength, score) = match result.as_str() {
        "fail" => (Strength::Strong, RULE.score),
        "softfail" => (Strength::Weak, 1.0),
        _ => return,
    };
    out.add_judged(
        &RULE,
        strength,
        score,
        vec![entry.index],
        format!(
            "At {}, the sender {} greeted as {helo}, but SPF for {helo} says it may not send from there ({why}; {witness}).",
            hop_label(entry),
            crate::text::ip_string(ip)
        ),
        json!({"hop": entry.index, "helo": helo, "ip": ip.to_string(), "spf": result, "witness": witness}),
    );
}
