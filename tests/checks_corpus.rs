//! The checks against corpora written by others (`../shared/corpora`, read in place):
//! SpamAssassin's trust-path cases, and the false-positive budget over its public corpus.

mod common;
use common::corpora;
use hopsleuth::chain::netset::NetSet;
use hopsleuth::chain::trust::HopTrust;
use hopsleuth::{Options, Verdict, analyze};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The `ip=` values of SpamAssassin relay strings.
fn ips(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            r.as_str()?
                .split_whitespace()
                .find_map(|w| w.strip_prefix("ip="))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn spamassassin_trust_path_split() {
    let Some(dir) = corpora() else { return };
    let text = std::fs::read_to_string(dir.join("sa_trust_path.json")).expect("read");
    let cases: Value = serde_json::from_str(&text).expect("json");
    let (mut agree, mut counted, mut all_agree) = (0, 0, 0);
    let mut diffs = Vec::new();
    for case in cases.as_array().expect("array") {
        let flags: Vec<&str> = case["expected_flags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let excluded = flags.contains(&"Lint-Error") || flags.contains(&"Patricia-Failure");
        let mut msg = String::new();
        for r in case["received"].as_array().expect("received") {
            msg.push_str(&format!("Received: {}\n", r.as_str().expect("string")));
        }
        for h in case["other_headers"].as_array().into_iter().flatten() {
            msg.push_str(&format!(
                "{}: {}\n",
                h["name"].as_str().unwrap_or(""),
                h["value"].as_str().unwrap_or("")
            ));
        }
        msg.push_str("Subject: trust path\n\nbody\n");
        let mut options = Options::default();
        let config = &case["config"];
        let set = |key: &str| {
            config
                .get(key)
                .and_then(Value::as_str)
                .map(|s| NetSet::parse(s).expect("netset"))
        };
        options.checks.trust.trusted_networks = set("trusted_networks");
        options.checks.trust.internal_networks = set("internal_networks");
        options.checks.trust.msa_networks = set("msa_networks");
        let report = analyze(msg.as_bytes(), &options).expect("analysed");

        // Newest first, as SpamAssassin lists relays; X-Originating-IP last.
        let mut trusted = Vec::new();
        let mut untrusted = Vec::new();
        for h in report.hops.iter().rev() {
            let Some(ip) = h.from.ip.clone() else {
                continue;
            };
            match h.trust {
                Some(HopTrust::Trusted) => trusted.push(ip),
                _ => untrusted.push(ip),
            }
        }
        if let Some(o) = &report.trust.originating {
            match o.trust {
                HopTrust::Trusted => trusted.push(o.ip.clone()),
                _ => untrusted.push(o.ip.clone()),
            }
        }
        let norm = |v: Vec<String>| -> Vec<String> {
            v.iter()
                .map(|s| {
                    s.parse::<std::net::IpAddr>()
                        .map(|ip| ip.to_string())
                        .unwrap_or_else(|_| s.clone())
                })
                .collect()
        };
        let (want_t, want_u) = (
            norm(ips(&case["expected"]["trusted"])),
            norm(ips(&case["expected"]["untrusted"])),
        );
        let same = norm(trusted.clone()) == want_t && norm(untrusted.clone()) == want_u;
        if same {
            all_agree += 1;
        }
        if excluded {
            continue;
        }
        counted += 1;
        if same {
            agree += 1;
        } else {
            diffs.push(format!(
                "  case {}: config {}\n    expected trusted {want_t:?} untrusted {want_u:?}\n    got      trusted {trusted:?} untrusted {untrusted:?}",
                case["case"], config
            ));
        }
    }
    let pct = 100.0 * agree as f64 / counted.max(1) as f64;
    println!(
        "SpamAssassin trust path: {agree}/{counted} cases split alike ({pct:.1}%), excluding Lint-Error/Patricia-Failure; {all_agree}/{} including them",
        cases.as_array().map_or(0, Vec::len)
    );
    for d in &diffs {
        println!("{d}");
    }
    assert!(pct >= 90.0, "trust-path agreement {pct:.1}% is below 90%");
}

/// Verdict shares and rule frequencies over one corpus folder.
fn scan(
    dir: &std::path::Path,
) -> (
    usize,
    BTreeMap<&'static str, usize>,
    BTreeMap<&'static str, usize>,
) {
    let mut verdicts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut rules: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut n = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries.iter().filter(|p| p.is_file()) {
        let bytes = std::fs::read(path).expect("read");
        let Ok(report) = analyze(&bytes, &Options::default()) else {
            continue;
        };
        n += 1;
        let v = match report.verdict {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Forged => "forged",
        };
        *verdicts.entry(v).or_default() += 1;
        let mut seen: Vec<&'static str> = report
            .findings
            .iter()
            .filter(|f| f.score > 0.0)
            .map(|f| f.rule)
            .collect();
        seen.dedup();
        for r in seen {
            *rules.entry(r).or_default() += 1;
        }
    }
    (n, verdicts, rules)
}

fn share(count: usize, n: usize) -> f64 {
    100.0 * count as f64 / n.max(1) as f64
}

fn print_folder(
    name: &str,
    n: usize,
    verdicts: &BTreeMap<&str, usize>,
    rules: &BTreeMap<&str, usize>,
) {
    let get = |k: &str| verdicts.get(k).copied().unwrap_or(0);
    println!(
        "{name}: {n} messages: clean {:.1}%, suspicious {:.1}%, forged {:.1}%",
        share(get("clean"), n),
        share(get("suspicious"), n),
        share(get("forged"), n)
    );
    let mut top: Vec<(&&str, &usize)> = rules.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let line: Vec<String> = top
        .iter()
        .take(10)
        .map(|(r, c)| format!("{r} {:.1}%", share(**c, n)))
        .collect();
    println!("  top rules: {}", line.join(", "));
}

#[test]
fn false_positive_budget_on_the_public_corpus() {
    let Some(dir) = corpora() else { return };
    let base = dir.join("messages/spamassassin_public_corpus");
    for folder in ["easy-ham-1", "easy-ham-2"] {
        let (n, verdicts, rules) = scan(&base.join(folder));
        print_folder(folder, n, &verdicts, &rules);
        assert!(n > 1000, "{folder}: only {n} messages");
        let forged = share(verdicts.get("forged").copied().unwrap_or(0), n);
        let suspicious = share(verdicts.get("suspicious").copied().unwrap_or(0), n);
        assert!(forged <= 2.0, "{folder}: {forged:.1}% forged, budget 2%");
        assert!(
            suspicious <= 10.0,
            "{folder}: {suspicious:.1}% suspicious, budget 10%"
        );
    }
    for folder in ["hard-ham-1", "spam-1", "spam-2"] {
        let (n, verdicts, rules) = scan(&base.join(folder));
        print_folder(folder, n, &verdicts, &rules);
    }
}
