//! AUTH003: a DKIM signature's body hash fails: the body changed after it was signed.

use crate::rules::{Ctx, Findings, Rule, Strength};
use serde_json::json;

/// AUTH003.
pub const RULE: Rule = Rule {
    id: "AUTH003",
    name: "dkim-body-modified",
    score: 1.0,
    strength: Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "dkim",
    summary: "a DKIM signature's body hash does not match: the body was changed after signing, and no result of ours saw it intact",
    docs: "## What it checks
Our verification of each DKIM-Signature (with DNS): a body hash that does not match the
body means the body changed after the signer hashed it. Who changed it:

* **weak**: somewhere between the signer and our side: no Authentication-Results of ours
  (above the entry hop's line) passed this signature;
* **info**: our own side: our server's result passed the signature (`dkim=pass
  header.d=...`), so the body was intact when our server checked it and a hop of ours
  changed it since (a disclaimer, a scanner's banner).

A body over the cap (`--max-body-bytes`) is not checked (`unknown`, never this finding).

## Why it matters
A signature whose headers still verify while the body does not shows the text was edited
in transit: a mailing list's footer, a forwarder's rewrite, or someone altering the content
(a changed link, a changed account number).

## Example
`dkim=fail`: \"the body hash does not match: the body was changed after bank.example signed
it\", on a message that came straight from the bank's server.

## False positives
Mailing lists and forwarders that add footers or rewrite MIME (they usually add ARC and
their own Received line, which the report shows); gateways that re-encode bodies.

## References
RFC 6376 §3.7 (body hash), §6.1.3.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let checks = &ctx.authentication.verification.dkim;
    if checks.is_empty() {
        return;
    }
    let ours = ctx.our_checks();
    for d in checks.iter().filter(|d| d.body_hash == "mismatch") {
        let passed_by_us = ours.iter().any(|r| {
            r.method == "dkim"
                && r.result == "pass"
                && r.property("header.d")
                    .is_some_and(|v| v.eq_ignore_ascii_case(&d.domain))
        });
        let entry: Vec<usize> = ctx.entry().map(|e| e.index).into_iter().collect();
        let evidence = json!({"signature": d.signature, "domain": d.domain, "selector": d.selector, "body_length": d.body_length});
        if passed_by_us {
            out.add_judged(
                &RULE,
                Strength::Info,
                0.0,
                entry,
                format!(
                    "The body no longer matches the DKIM signature of {} (s={}), which our server's own check passed: a hop of ours changed the body after that check.",
                    d.domain, d.selector
                ),
                evidence,
            );
        } else {
            out.add(
                &RULE,
                entry,
                format!(
                    "The body does not match the DKIM signature of {} (s={}): it was changed after {} signed it, before it reached us.",
                    d.domain, d.selector, d.domain
                ),
                evidence,
            );
        }
    }
}
