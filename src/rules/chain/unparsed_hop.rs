//! CHAIN007: a Received header outside our trust boundary that could not be read.

use crate::received::Status;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// CHAIN007.
pub const RULE: Rule = Rule {
    id: "CHAIN007",
    name: "unparsed-hop",
    score: 0.5,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "format",
    summary: "a Received header at or below the entry hop could not be parsed",
    docs: "## What it checks
Received headers at or below the entry hop that the parser marks `unparsed` (no `by`
host on a network hop, nothing recognisable, or over the length limit).

A filter's stamp is not counted: a line that is only a comment and a valid date, which
outbound filters and gateways write to mark that the message passed them
(`Received: (\"Tessian outbound 49bfb235ebbe:v403\"); Mon, 19 Aug 2024 14:25:59 +0000`,
`Received: (Haraka outbound); ...`, eGroups' `(EGP: mail-8_2_3_0); ...`). It names no
host, so there is no path in it to forge.

## Why it matters
Every MTA writes a structured line. Garbage among the Received headers was written by hand
or by software imitating an MTA badly, or crafted to confuse parsers.

## Example
`Received: ; Tue, 23 May 2006 13:06:35 -0400` or a 20 KB line of noise.

## False positives
Rare MTAs and filters with unusual formats (virus scanners, list managers) that our parser
does not know. Filter stamps (a comment and a date) were among them until they were left
out: 0.2% of the modern ham corpus and 4% of the SpamAssassin easy ham (eGroups' stamp).

## References
RFC 5321 §4.4 (the Received grammar).",
    source: file!(),
    check,
};

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let bad: Vec<&crate::chain::hop::Hop> = ctx
        .outside()
        .iter()
        .filter(|h| h.parsed == Status::Unparsed && !is_filter_stamp(h))
        .collect();
    if bad.is_empty() {
        return;
    }
    out.add(
        &RULE,
        bad.iter().map(|h| h.index).collect(),
        format!(
            "{} Received header(s) from outside our servers could not be parsed: {}.",
            bad.len(),
            bad.iter().map(|h| format!("hop {} ({})", h.index, h.reason.as_deref().unwrap_or("unreadable"))).collect::<Vec<_>>().join("; ")
        ),
        json!(bad.iter().map(|h| json!({"hop": h.index, "reason": h.reason, "raw": h.raw.chars().take(200).collect::<String>()})).collect::<Vec<_>>()),
    );
}

/// A comment and a date, nothing else: `(Tessian outbound ...); Mon, 19 Aug 2024 ...`.
fn is_filter_stamp(h: &crate::chain::hop::Hop) -> bool {
    if h.timestamp.is_none() {
        return false;
    }
    let raw = h.raw.trim_start();
    if !raw.starts_with('(') {
        return false;
    }
    let mut depth = 0usize;
    for (i, c) in raw.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return raw[i + 1..].trim_start().starts_with(';');
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::test_support::{fired, msg};

    #[test]
    fn garbage_below_the_entry() {
        let m = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "; Mon, 1 Jan 2024 10:00:05 +0000",
        ]);
        assert!(fired(&m, "CHAIN007"));
    }

    #[test]
    fn a_filter_stamp_is_not_garbage() {
        let m = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "(\"Tessian outbound 49bfb235ebbe:v403\"); Mon, 1 Jan 2024 10:00:05 +0000",
        ]);
        assert!(!fired(&m, "CHAIN007"));
        let undated = msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
            "(Tessian outbound) garbage",
        ]);
        assert!(fired(&undated, "CHAIN007"));
    }
}
