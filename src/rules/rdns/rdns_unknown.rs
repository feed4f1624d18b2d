//! RDNS001: our server looked up the sender's address and found no name.

use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// RDNS001.
pub const RULE: Rule = Rule {
    id: "RDNS001",
    name: "rdns-unknown",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "rdns",
    summary: "the entry hop's sender had no reverse DNS name when our server looked it up",
    docs: "## What it checks
Whether the entry hop records the reverse name as `unknown`, in the format of an MTA that
always looks it up (Postfix, Sendmail, Exim, qmail, Courier). Only there is a missing name
evidence: other MTAs never record one.

## Why it matters
Mail servers on the internet have reverse DNS (most receivers insist on it). A sender
without it is usually a compromised home machine or a throw-away host.

## Example
`Received: from mail.a-corp.com (unknown [81.169.145.4]) by mx.ours.example (Postfix)`.

## False positives
A DNS outage at the receiving side when the message arrived; small senders whose ISP never
set a PTR record.

## References
RFC 1912 §2.1; SpamAssassin RDNS_NONE.",
    source: file!(),
    check,
};

const LOOKS_UP: &[&str] = &["postfix", "sendmail", "exim", "qmail", "courier"];

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(e) = ctx.entry() else { return };
    if !e.from.rdns_unknown || e.from.rdns.is_some() {
        return;
    }
    let Some(mta) = e.mta.filter(|m| LOOKS_UP.contains(m)) else {
        return;
    };
    out.add(
        &RULE,
        vec![e.index],
        format!(
            "At {}, our {mta} server found no reverse DNS name for the sender {}.",
            hop_label(e),
            e.from.ip_or("?")
        ),
        json!({"hop": e.index, "mta": mta, "ip": e.from.ip, "rdns": "unknown"}),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

    #[test]
    fn postfix_unknown() {
        let m = msg(&[
            "from mail.a-corp.com (unknown [81.169.145.4]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
        ]);
        assert!(fired(&m, "RDNS001"));
        let named = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.4]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
        ]);
        assert!(!fired(&named, "RDNS001"));
    }
}
