//! The trust boundary against entry hops judged by hand: real phishing received by
//! Microsoft 365, Gmail, Proton and self-hosted servers
//! (`tests/fixtures/trust/phishing_pot_dev_entries.json`, over the shared
//! `messages/phishing_pot_dev`, read in place). Each case names the Received header (0 =
//! topmost) a person reading the headers took for the entry: the first whose sender is
//! outside the recipient's mail system.

use crate::common::corpora;
use serde_json::Value;

/// The share of cases the inferred boundary must get right (the target).
const TARGET: f64 = 0.95;

#[test]
fn entry_hops_agree_with_the_hand_labelled_phishing_set() {
    let Some(dir) = corpora() else { return };
    let base = dir.join("messages/phishing_pot_dev");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/trust/phishing_pot_dev_entries.json");
    let labels: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).expect("read the labels"))
            .expect("labels are JSON");
    let cases = labels["cases"].as_array().expect("cases");
    assert!(
        cases.len() >= 50,
        "the issue asks for at least 50 labelled messages"
    );
    let options = hopsleuth::Options::default();
    let mut right = 0;
    let mut wrong = Vec::new();
    let mut by_profile: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for case in cases {
        let file = case["file"].as_str().expect("file");
        let want = case["entry"].as_u64().map(|i| i as usize);
        let path = base.join(file);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let report = hopsleuth::analyze(&bytes, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            report.message.received_count,
            case["received_count"].as_u64().unwrap_or(0) as usize,
            "{file}: the label counts another number of Received headers"
        );
        let got = report
            .trust
            .entry_hop
            .and_then(|i| report.hops.get(i))
            .map(|h| h.header_index);
        let tally = by_profile
            .entry(report.trust.profile.unwrap_or("none").to_string())
            .or_default();
        tally.1 += 1;
        if got == want {
            right += 1;
            tally.0 += 1;
        } else {
            wrong.push(format!(
                "  {file}: labelled {want:?}, inferred {got:?} ({})\n    label: {}\n    basis: {}",
                report.trust.profile.unwrap_or("no profile"),
                case["why"].as_str().unwrap_or(""),
                report.trust.basis.join("; ")
            ));
        }
    }
    let share = right as f64 / cases.len() as f64;
    println!(
        "trust boundary vs hand-labelled phishing_pot_dev: {right}/{} entry hops agree ({:.1}%)",
        cases.len(),
        share * 100.0
    );
    for (profile, (r, n)) in &by_profile {
        println!("  profile {profile}: {r}/{n}");
    }
    for w in &wrong {
        println!("{w}");
    }
    assert!(
        share >= TARGET,
        "{:.1}% of entry hops agree, under the target of {:.0}%",
        share * 100.0,
        TARGET * 100.0
    );
}
