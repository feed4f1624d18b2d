//! CHAIN006: the message passed a host that the configured relay path does not contain.

use crate::domain;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// CHAIN006.
pub const RULE: Rule = Rule {
    id: "CHAIN006",
    name: "relay-path-violation",
    score: 3.0,
    strength: crate::rules::Strength::Strong,
    concern: crate::rules::Concern::Path,
    group: "relay-path",
    summary: "with --relay-path A,B: the chain shows a host between A and B that is not in the path",
    docs: "## What it checks
When the path mail between two organisations must take is known (`--relay-path A,B`, or
`[checks] relay_path` in the config file: e.g. the sender's outbound firewall A, then our
inbound firewall B), the hosts the Received lines name are laid out in order (each hop's
sender, then its receiver). Every host from the first path host to the last must be one
of the path's hosts; a path host that never appears is reported too.

## Why it matters
If mail between the two companies can only pass A and then B, a line showing it passing C
was written by someone who did not know the real path: the lines are forged, or the mail
took a route it must not take.

## Example
Path `fw-a.galangal-foods.com,fw-b.bieberdorf.edu`; the chain shows fw-a, then
relay.cardamom-hosting.net, then fw-b.

## False positives
A path configured incompletely (a new relay, a backup MX); hosts written under another
name than the one configured.

## References
The classic SMTP forensics scenario of two firewalls.",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let path = &ctx.settings.relay_path;
    if path.is_empty() {
        return;
    }
    // Hosts in chronological order: each hop's sender, then its receiver.
    let mut seq: Vec<(String, usize)> = Vec::new();
    for h in ctx.hops {
        let sender = h
            .from
            .rdns
            .as_deref()
            .or(h.from.helo.as_deref())
            .and_then(|s| s.split_whitespace().next());
        for host in [sender, h.by.host.as_deref()].into_iter().flatten() {
            let host = domain::normalize(host);
            if host.is_empty()
                || seq
                    .last()
                    .is_some_and(|(last, _)| domain::same_host(last, &host))
            {
                continue;
            }
            seq.push((host, h.index));
        }
    }
    let in_path = |host: &str| path.iter().any(|p| domain::same_host(p, host));
    let first = seq.iter().position(|(h, _)| in_path(h));
    let last = seq.iter().rposition(|(h, _)| in_path(h));
    let missing: Vec<&String> = path
        .iter()
        .filter(|p| !seq.iter().any(|(h, _)| domain::same_host(p, h)))
        .collect();
    let strangers: Vec<&(String, usize)> = match (first, last) {
        (Some(f), Some(l)) => seq[f..=l].iter().filter(|(h, _)| !in_path(h)).collect(),
        _ => Vec::new(),
    };
    if missing.is_empty() && strangers.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if !strangers.is_empty() {
        let names: Vec<&str> = strangers.iter().map(|(h, _)| h.as_str()).collect();
        parts.push(format!(
            "it passed {} between the path's hosts",
            names.join(", ")
        ));
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        parts.push(format!("it never passed {}", names.join(", ")));
    }
    let mut hops: Vec<usize> = strangers.iter().map(|(_, i)| *i).collect();
    hops.dedup();
    out.add(
        &RULE,
        hops,
        format!("The message did not take the configured relay path ({}): {}.", path.join(" -> "), parts.join("; ")),
        json!({
            "relay_path": path,
            "hosts_in_order": seq.iter().map(|(h, i)| json!({"host": h, "hop": i})).collect::<Vec<_>>(),
            "not_in_path": strangers.iter().map(|(h, _)| h).collect::<Vec<_>>(),
            "path_hosts_not_seen": missing,
        }),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_support::msg;

    fn fired_with_path(m: &str, path: &[&str]) -> bool {
        let mut o = crate::Options::default();
        o.checks.relay_path = path.iter().map(|s| s.to_string()).collect();
        crate::analyze(m.as_bytes(), &o)
            .unwrap()
            .findings
            .iter()
            .any(|f| f.rule == "CHAIN006")
    }

    #[test]
    fn a_host_between_the_firewalls() {
        let via_c = msg(&[
            "from relay.c-net.com (relay.c-net.com [81.169.145.20]) by fw-b.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "from fw-a.a-corp.com (fw-a.a-corp.com [81.169.145.10]) by relay.c-net.com (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)",
        ]);
        assert!(fired_with_path(
            &via_c,
            &["fw-a.a-corp.com", "fw-b.b-corp.com"]
        ));
        let direct = msg(&[
            "from fw-a.a-corp.com (fw-a.a-corp.com [81.169.145.10]) by fw-b.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
        ]);
        assert!(!fired_with_path(
            &direct,
            &["fw-a.a-corp.com", "fw-b.b-corp.com"]
        ));
        assert!(
            !fired_with_path(&via_c, &[]),
            "no path configured, no finding"
        );
    }
}
