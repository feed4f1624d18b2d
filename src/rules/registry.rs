//! Every rule, once, beside its id. Ids are never reused: a retired rule keeps its id out of
//! use.

use super::{Rule, arc, auth, chain, date, dns, envelope, helo, ip, limit, rdns, route};

/// Lists the rules beside their ids: [`ALL`] holds them in that order, and the build fails
/// when an id is not the one its rule carries.
macro_rules! registry {
    ($($id:ident => $rule:path,)*) => {
        /// All rules, in id order.
        pub const ALL: &[Rule] = &[$($rule),*];

        const _: () = {
            $(assert!(
                same_id($rule.id, stringify!($id)),
                concat!("registry: the rule listed as ", stringify!($id), " has another id")
            );)*
        };
    };
}

registry! {
    ARC001 => arc::arc_sealer_off_path::RULE,
    AUTH001 => auth::forged_auth_results::RULE,
    AUTH002 => auth::helo_spf_fail::RULE,
    AUTH003 => auth::dkim_body_modified::RULE,
    CHAIN001 => chain::continuity_break_outside::RULE,
    CHAIN002 => chain::continuity_break_inside::RULE,
    CHAIN003 => chain::time_reversal::RULE,
    CHAIN004 => chain::hop_after_delivery::RULE,
    CHAIN005 => chain::appended_fake_hops::RULE,
    CHAIN006 => chain::relay_path_violation::RULE,
    CHAIN007 => chain::unparsed_hop::RULE,
    CHAIN008 => chain::our_name_below_entry::RULE,
    CHAIN009 => chain::replayed_chain::RULE,
    DATE001 => date::date_missing::RULE,
    DATE002 => date::date_invalid::RULE,
    DATE003 => date::date_in_past::RULE,
    DATE004 => date::date_in_future::RULE,
    DATE005 => date::absurd_timezone::RULE,
    DNS001 => dns::dns_lookup_cap::RULE,
    DNS002 => dns::dns_unknown::RULE,
    ENV001 => envelope::envelope_from_mismatch::RULE,
    ENV002 => envelope::reply_to_other_domain::RULE,
    ENV003 => envelope::message_id_domain_mismatch::RULE,
    ENV004 => envelope::forged_provider_from::RULE,
    ENV005 => envelope::bcc_recipient::RULE,
    HELO001 => helo::helo_literal_mismatch::RULE,
    HELO002 => helo::helo_localhost::RULE,
    HELO003 => helo::helo_bare_ip::RULE,
    HELO004 => helo::helo_not_fqdn::RULE,
    HELO005 => helo::helo_claims_provider::RULE,
    HELO006 => helo::helo_rdns_mismatch::RULE,
    HELO007 => helo::helo_dns_mismatch::RULE,
    HELO008 => helo::helo_claims_sender_domain::RULE,
    HELO009 => helo::helo_trace_syntax::RULE,
    IP001 => ip::non_public_ip_outside::RULE,
    IP002 => ip::forged_originating_ip::RULE,
    LIMIT001 => limit::too_many_received_headers::RULE,
    RDNS001 => rdns::rdns_unknown::RULE,
    RDNS002 => rdns::dynamic_rdns::RULE,
    RDNS003 => rdns::rdns_ptr_mismatch::RULE,
    RDNS004 => rdns::no_ptr::RULE,
    RDNS005 => rdns::fcrdns_fail::RULE,
    ROUTE001 => route::not_via_mx::RULE,
}

/// String equality the compiler can evaluate (for the check in [`registry!`]).
const fn same_id(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The rule with this id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// The folder of an id's family under `src/rules/`: `CHAIN005` is in `chain/`.
    fn family_folder(id: &str) -> Option<&'static str> {
        Some(match id.trim_end_matches(|c: char| c.is_ascii_digit()) {
            "ARC" => "arc",
            "AUTH" => "auth",
            "CHAIN" => "chain",
            "DATE" => "date",
            "DNS" => "dns",
            "ENV" => "envelope",
            "HELO" => "helo",
            "IP" => "ip",
            "LIMIT" => "limit",
            "RDNS" => "rdns",
            "ROUTE" => "route",
            _ => return None,
        })
    }

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
        let mut names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "duplicate rule name");
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

    /// `appended-fake-hops` (CHAIN005) is `src/rules/chain/appended_fake_hops.rs`: each rule
    /// in a file named after it, in the folder of its id's family.
    #[test]
    fn each_rule_is_in_a_file_named_after_it_in_its_familys_folder() {
        for r in ALL {
            let source = Path::new(r.source);
            let stem = r.name.replace('-', "_");
            assert_eq!(
                source.file_stem().and_then(|s| s.to_str()),
                Some(stem.as_str()),
                "{} {} is in {}",
                r.id,
                r.name,
                r.source
            );
            assert_eq!(source.extension().and_then(|s| s.to_str()), Some("rs"));
            let folder = family_folder(r.id).unwrap_or_else(|| panic!("{}: no family", r.id));
            assert_eq!(
                source.parent(),
                Some(Path::new("src/rules").join(folder).as_path()),
                "{} is in {}",
                r.id,
                r.source
            );
            assert!(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(source).is_file(),
                "{}: {} does not exist",
                r.id,
                r.source
            );
        }
    }

    /// Every file under `src/rules/` that defines a rule is in the registry (no rule is
    /// written and forgotten), and holds only that one.
    #[test]
    fn every_rule_file_is_registered() {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("src/rules is readable") {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("src/rules"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("rule file is UTF-8");
            // Split so that this file's own source does not match.
            let defined = text
                .matches([": Rule = ", "Rule {"].concat().as_str())
                .count();
            let relative = file.strip_prefix(root).expect("under the crate");
            let registered = ALL
                .iter()
                .filter(|r| Path::new(r.source) == relative)
                .count();
            assert_eq!(
                defined,
                registered,
                "{} defines {defined} rule(s), the registry lists {registered} there",
                relative.display()
            );
        }
    }

    #[test]
    fn find_by_id_or_name() {
        assert_eq!(find("chain005").map(|r| r.id), Some("CHAIN005"));
        assert_eq!(find("appended-fake-hops").map(|r| r.id), Some("CHAIN005"));
        assert!(find("NOPE999").is_none());
    }
}
