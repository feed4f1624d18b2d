//! ARC001: an ARC instance's sealer is not on the Received chain, or the instances are in
//! another order than the hops.

use super::Instance;
use crate::chain::hop::Hop;
use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;

/// ARC001.
pub const RULE: Rule = Rule {
    id: "ARC001",
    name: "arc-sealer-off-path",
    score: 1.0,
    strength: Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "arc",
    summary: "an ARC instance names a sealer no Received line shows handling the message, or the ARC instances are in another order than the hops",
    docs: "## What it checks
Each ARC set (RFC 8617) is added by an intermediary as it handles the message: instance
`i=1` by the first, `i=2` by the next. The sealer's domain (ARC-Seal `d=`) and the
authserv-id of its ARC-Authentication-Results should therefore name a receiver of the
Received chain (by host, domain, or the same provider: Microsoft seals as `microsoft.com`
on `*.outlook.com` servers), and the instances should follow the hops' order:

* **weak**: an instance whose sealer and authserv-id match no receiver of the chain: the
  seal claims a handler the trace does not show (a set copied from another message, or
  lines removed below it);
* **strong**: two instances whose receivers are in the reverse order of their `i=`: the
  ARC chain and the Received chain tell two different stories of the same path.

The check reads the fields as written; whether the seals verify is the verification's
(`authentication.verification.arc`).

## Why it matters
ARC lets a receiver believe the results an intermediary saw. A forger who copies a
provider's ARC sets onto his own message borrows that provider's word; the Received chain
he writes must then agree with it, and where it does not, one of the two is invented.

## Example
ARC-Seal `i=1; d=google.com` on a message whose Received lines show no Google receiver.

## False positives
A sealer whose servers are named in another domain than its seals and that no provider
profile joins (3 of 470 ARC messages of modern_ham: Strato seals as `strato.com` on
`smtp.strato.de`).

## References
RFC 8617 (ARC) §4, §5.1; SpamAssassin's `arc_trusted_sealers` (why sealers must be known).",
    source: file!(),
    check,
};

/// The hops (indices) whose receiver is the instance's sealer: by host, domain, or the
/// same provider.
fn handled_by(hops: &[Hop], instance: &Instance) -> Vec<usize> {
    let names: Vec<&str> = std::iter::once(instance.sealer.as_str())
        .chain(instance.authserv_id.as_deref())
        .collect();
    // A provider's seal names it by its servers' domain or by the ARC authserv-id its
    // profile lists (Microsoft seals `d=microsoft.com`, `mx.microsoft.com`, on
    // `*.outlook.com` servers).
    let providers: Vec<&str> = names
        .iter()
        .filter_map(|n| crate::profiles::of_server(n))
        .chain(
            instance
                .authserv_id
                .as_deref()
                .and_then(crate::profiles::of_authserv_id),
        )
        .map(|p| p.id.as_str())
        .collect();
    hops.iter()
        .filter(|h| {
            let Some(by) = h.by.host.as_deref() else {
                return false;
            };
            names.iter().any(|n| {
                crate::domain::same_host(by, n)
                    || crate::domain::within(by, n)
                    || crate::domain::same_registrable(by, n)
            }) || crate::profiles::of_server(by).is_some_and(|p| providers.contains(&p.id.as_str()))
        })
        .map(|h| h.index)
        .collect()
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    if ctx.headers.trace.arc_seals.is_empty() {
        return;
    }
    let instances = super::instances(&ctx.headers.trace);
    let placed: Vec<(&Instance, Vec<usize>)> = instances
        .iter()
        .map(|i| (i, handled_by(ctx.hops, i)))
        .collect();
    let off_path: Vec<&Instance> = placed
        .iter()
        .filter(|(_, hops)| hops.is_empty())
        .map(|(i, _)| *i)
        .collect();
    if !off_path.is_empty() {
        let named = off_path
            .iter()
            .map(|i| describe(i))
            .collect::<Vec<_>>()
            .join("; ");
        out.add(
            &RULE,
            Vec::new(),
            format!(
                "ARC {named}: no Received line names a receiver of that domain or provider, so the seal claims a handler the trace does not show."
            ),
            json!({"instances": off_path.iter().map(|i| json!({"i": i.i, "sealer": i.sealer, "authserv_id": i.authserv_id})).collect::<Vec<_>>()}),
        );
    }
    // Order: a later instance whose receivers are all older than an earlier one's.
    for (a, (older, older_hops)) in placed.iter().enumerate() {
        for (newer, newer_hops) in placed.iter().skip(a + 1) {
            let (Some(&first_older), Some(&last_newer)) =
                (older_hops.iter().min(), newer_hops.iter().max())
            else {
                continue;
            };
            if last_newer < first_older {
                out.add_judged(
                    &RULE,
                    Strength::Strong,
                    3.0,
                    vec![last_newer, first_older],
                    format!(
                        "ARC {} was added after {}, but its receiver (hop {last_newer}) handled the message before the earlier sealer's (hop {first_older}): the ARC chain and the Received chain disagree on the path's order.",
                        describe(newer),
                        describe(older)
                    ),
                    json!({"older": {"i": older.i, "sealer": older.sealer, "hops": older_hops}, "newer": {"i": newer.i, "sealer": newer.sealer, "hops": newer_hops}}),
                );
                return;
            }
        }
    }
}

fn describe(i: &Instance) -> String {
    match &i.authserv_id {
        Some(id) if id != &i.sealer => format!(
            "instance i={} (sealed by {}, authserv-id {id})",
            i.i, i.sealer
        ),
        _ => format!("instance i={} (sealed by {})", i.i, i.sealer),
    }
}
