//! HELO006: the name the sender claimed and the name its address has differ.

use crate::domain;
use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// HELO006.
pub const RULE: Rule = Rule {
    id: "HELO006",
    name: "helo-rdns-mismatch",
    score: 0.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "helo",
    summary: "the entry hop's claimed name and the reverse name our server recorded are in different domains",
    docs: "## What it checks
The entry hop's HELO name against the reverse name our server recorded for the address:
both names, in different registrable domains. A name under a suffix the public suffix list
does not know (`.local`, `.corp`, `.prv`, ...) is an internal name and is not compared: it
claims no other internet host.

## Why it matters
This is the classic sign of a sender lying about who it is: `from galangal.org
(turmeric.com [104.128.23.115])` — it said galangal.org, its address belongs to
turmeric.com. On its own it is weak (many honest servers have a HELO that differs from
their PTR); combined with lines below claiming the false name, it is how appended hops are
caught (CHAIN005).

## Example
`Received: from galangal.org (turmeric.com [104.128.23.115]) by mail.bieberdorf.edu`.

## False positives
Hosting providers whose PTR names the provider while HELO names the customer; servers
with several domains; mail relayed through an ISP smarthost.

## References
RFC 5321 §4.1.4 (the receiver may check the HELO but must not refuse on it alone).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(e) = ctx.entry() else { return };
    let (Some(helo), Some(rdns)) = (e.helo_name(), e.from.rdns.as_deref()) else {
        return;
    };
    let (Some(hd), Some(rd)) = (domain::registrable(helo), domain::registrable(rdns)) else {
        return;
    };
    // A name under a suffix that is not a public one (`.prv`, `.local`, `.corp`) is an
    // internal name, the host's own behind NAT: it claims no other internet host, so it
    // cannot contradict the reverse name. Its domain (the last two labels) serves the
    // comparisons that find two names the same, not this one.
    if hd == rd || domain::fallback_note(&hd).is_some() || domain::fallback_note(&rd).is_some() {
        return;
    }
    out.add(
        &RULE,
        vec![e.index],
        format!("At {}, the sender called itself {helo} but its address {} has the name {rdns}.", hop_label(e), e.from.ip_or("?")),
        json!({"hop": e.index, "helo": helo, "helo_domain": hd, "rdns": rdns, "rdns_domain": rd, "ip": e.from.ip}),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

    #[test]
    fn galangal_and_turmeric() {
        let m = msg(&[
            "from galangal.org (turmeric.com [104.128.23.115]) by mail.bieberdorf.edu (8.8.5/8.8.5) with SMTP id A1; Mon, 1 Jan 2024 10:00:00 +0000",
        ]);
        assert!(fired(&m, "HELO006"));
        let same = msg(&[
            "from mx1.galangal.org (out.galangal.org [104.128.23.115]) by mail.bieberdorf.edu (8.8.5/8.8.5) with SMTP id A1; Mon, 1 Jan 2024 10:00:00 +0000",
        ]);
        assert!(!fired(&same, "HELO006"));
    }
}
