//! Every rule, once. Ids are never reused: a retired rule keeps its id out of use.

use super::{Rule, chain, date, dns, envelope, helo, ip, limit, rdns, route};

/// All rules, in id order.
pub const ALL: &[Rule] = &[
    chain::continuity::OUTSIDE,
    chain::continuity::INSIDE,
    chain::time_reversal::RULE,
    chain::hop_after_delivery::RULE,
    chain::appended_hops::RULE,
    chain::relay_path::RULE,
    chain::unparsed_hop::RULE,
    date::date_header::MISSING,
    date::date_header::INVALID,
    date::date_header::PAST,
    date::date_header::FUTURE,
    date::timezone::RULE,
    dns::lookup_cap::RULE,
    dns::unknown::RULE,
    envelope::domains::ENVELOPE_FROM,
    envelope::domains::REPLY_TO,
    envelope::domains::MESSAGE_ID,
    envelope::forged_provider::RULE,
    envelope::bcc::RULE,
    helo::helo_form::LITERAL_MISMATCH,
    helo::helo_form::LOCALHOST,
    helo::helo_form::BARE_IP,
    helo::helo_form::NOT_FQDN,
    helo::helo_provider::RULE,
    helo::helo_rdns::RULE,
    helo::helo_dns::RULE,
    ip::non_public_ip::RULE,
    limit::RULE,
    rdns::rdns_unknown::RULE,
    rdns::dynamic_rdns::RULE,
    rdns::ptr_mismatch::RULE,
    rdns::no_ptr::RULE,
    rdns::fcrdns::RULE,
    route::not_via_mx::RULE,
];

/// The rule with this id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_unique_sorted_and_docs_complete() {
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        let sorted = {
            let mut s = ids.clone();
            s.sort();
            s
        };
        assert_eq!(ids, sorted, "registry must list rules in id order");
        ids.dedup();
        assert_eq!(ids.len(), ALL.len(), "duplicate rule id");
        for r in ALL {
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## False positives",
                "## References",
            ] {
                assert!(r.docs.contains(section), "{} docs lack {section}", r.id);
            }
            assert!(!r.summary.is_empty() && !r.name.is_empty(), "{}", r.id);
            assert!(r.score >= 0.0, "{}", r.id);
        }
    }
}
