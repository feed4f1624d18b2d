//! The checks against corpora written by others (`../shared/corpora`, read in place):
//! SpamAssassin's trust-path cases, and the false-positive budget over its public corpus.

use crate::common::corpora;
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
        options.trust.trusted_networks = set("trusted_networks");
        options.trust.internal_networks = set("internal_networks");
        options.trust.msa_networks = set("msa_networks");
        let report = analyze(msg.as_bytes(), &options).expect("analysed");

        // Newest first, as SpamAssassin lists relays; X-Originating-IP last.
        let mut trusted = Vec::new();
        let mut untrusted = Vec::new();
        for h in report.hops.iter().rev() {
            let Some(ip) = h.from.ip.map(|ip| ip.to_string()) else {
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
        } else {
            let id = case["case"].as_u64().expect("case number");
            diffs.push((id, format!(
                "  case {id}{}: config {}\n    expected trusted {want_t:?} untrusted {want_u:?}\n    got      trusted {trusted:?} untrusted {untrusted:?}",
                if excluded { " (flagged, not counted)" } else { "" },
                config
            )));
        }
        if excluded {
            continue;
        }
        counted += 1;
        if same {
            agree += 1;
        }
    }
    let total = cases.as_array().map_or(0, Vec::len);
    let pct = 100.0 * agree as f64 / counted.max(1) as f64;
    println!(
        "SpamAssassin trust path: {agree}/{counted} cases split alike ({pct:.1}%), excluding Lint-Error/Patricia-Failure; {all_agree}/{total} including them"
    );
    assert_eq!(
        total, 32,
        "sa_trust_path.json: the corpus README says 32 chains"
    );
    // The cases that split differently today, each with why ours differs: none at present.
    // Flagged cases stay out of the percentage but not out of this list.
    const KNOWN: &[(u64, &str)] = &[];
    for (id, d) in &diffs {
        let known = KNOWN.iter().find(|(k, _)| k == id);
        println!("{d}\n    {}", known.map_or("NEW", |(_, why)| why));
    }
    let new: Vec<&str> = diffs
        .iter()
        .filter(|(id, _)| !KNOWN.iter().any(|(k, _)| k == id))
        .map(|(_, d)| d.as_str())
        .collect();
    let fixed: Vec<String> = KNOWN
        .iter()
        .filter(|(k, _)| !diffs.iter().any(|(id, _)| id == k))
        .map(|(k, why)| format!("  case {k}: {why}"))
        .collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "trust path: {} cases split differently and are not in KNOWN (list each with why):\n{}\n{} listed cases now split alike (fixed: remove them from KNOWN):\n{}",
        new.len(),
        new.join("\n"),
        fixed.len(),
        fixed.join("\n")
    );
}

/// What one corpus folder measured.
struct Folder {
    /// Files in the folder.
    files: usize,
    /// Messages analysed.
    n: usize,
    verdicts: BTreeMap<&'static str, usize>,
    /// Messages on which each rule scored.
    rules: BTreeMap<&'static str, usize>,
    /// Files that could not be analysed at all, each with the error.
    rejected: Vec<String>,
}

impl Folder {
    /// The share of analysed messages with `verdict`, in percent.
    fn share(&self, verdict: &str) -> f64 {
        share(self.verdicts.get(verdict).copied().unwrap_or(0), self.n)
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: {} messages: clean {:.1}%, suspicious {:.1}%, forged {:.1}%; {} of {} files not analysed",
            self.n,
            self.share("clean"),
            self.share("suspicious"),
            self.share("forged"),
            self.rejected.len(),
            self.files
        );
        for r in &self.rejected {
            println!("  not analysed: {r}");
        }
        let mut top: Vec<(&&str, &usize)> = self.rules.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let line: Vec<String> = top
            .iter()
            .take(10)
            .map(|(r, c)| format!("{r} {:.1}%", share(**c, self.n)))
            .collect();
        println!("  top rules: {}", line.join(", "));
    }

    /// Every file of these folders is a mail message: one that fails to analyse is a bug
    /// that also leaves the shares above unmeasured. A handful (0.5% of the folder) is
    /// tolerated so that one odd file does not hide the figures; more fails, naming them.
    fn assert_analysed(&self, name: &str) {
        assert!(
            self.rejected.len() * 200 <= self.files,
            "{name}: {} of {} files not analysed (over 0.5%):\n{}",
            self.rejected.len(),
            self.files,
            self.rejected.join("\n")
        );
    }
}

/// Verdict shares and rule frequencies over one corpus folder.
fn scan(dir: &std::path::Path) -> Folder {
    let mut folder = Folder {
        files: 0,
        n: 0,
        verdicts: BTreeMap::new(),
        rules: BTreeMap::new(),
        rejected: Vec::new(),
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries.iter().filter(|p| p.is_file()) {
        folder.files += 1;
        let bytes = std::fs::read(path).expect("read");
        let report = match analyze(&bytes, &Options::default()) {
            Ok(report) => report,
            Err(e) => {
                folder.rejected.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        folder.n += 1;
        let v = match report.verdict {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Forged => "forged",
        };
        *folder.verdicts.entry(v).or_default() += 1;
        let mut seen: Vec<&'static str> = report
            .findings
            .iter()
            .filter(|f| f.score > 0.0)
            .map(|f| f.rule)
            .collect();
        // Findings come in hop order: one rule can fire on several hops, apart.
        seen.sort_unstable();
        seen.dedup();
        for r in seen {
            *folder.rules.entry(r).or_default() += 1;
        }
    }
    folder
}

fn share(count: usize, n: usize) -> f64 {
    100.0 * count as f64 / n.max(1) as f64
}

/// The product's false-positive budget on ham, as the README documents it (the path
/// verdict; identity findings never judge the path).
const HAM_FORGED_BUDGET: f64 = 0.5;
const HAM_SUSPICIOUS_BUDGET: f64 = 2.0;

#[test]
fn false_positive_budget_on_the_public_corpus() {
    let Some(dir) = corpora() else { return };
    let base = dir.join("messages/spamassassin_public_corpus");
    // Ham: (folder, files, most forged %, most suspicious %); the file counts are the
    // corpus README's (6,046 with spam). Easy ham is held to the documented budget (the
    // issue's targets). Hard ham (ham chosen for looking like spam) is held to 1% forged:
    // its two forged messages are the documented CHAIN005 false positive (a university host
    // whose PTR names the FreeBSD mirror it also is).
    for (folder, files, forged_max, suspicious_max) in [
        ("easy-ham-1", 2500, HAM_FORGED_BUDGET, HAM_SUSPICIOUS_BUDGET),
        ("easy-ham-2", 1400, HAM_FORGED_BUDGET, HAM_SUSPICIOUS_BUDGET),
        ("hard-ham-1", 250, 1.0, HAM_SUSPICIOUS_BUDGET),
    ] {
        let f = scan(&base.join(folder));
        f.print(folder);
        assert_eq!(f.files, files, "{folder}: the corpus has {files} files");
        f.assert_analysed(folder);
        let (forged, suspicious) = (f.share("forged"), f.share("suspicious"));
        assert!(
            forged <= forged_max,
            "{folder}: {forged:.1}% forged, bound {forged_max}%"
        );
        assert!(
            suspicious <= suspicious_max,
            "{folder}: {suspicious:.1}% suspicious, bound {suspicious_max}%"
        );
    }
    // Spam: detection must not silently fall to nothing. The corpus's spam mostly predates
    // forged chains: most of it came straight from its own hosts with honest lines, and its
    // lies are in the From, the Date and the envelope (the identity section). So the floor
    // is that its paths are flagged more often than ham's may be (2.5%, the whole budget);
    // the path verdict `forged` needs a proof, which 2002 spam rarely leaves.
    for (folder, files) in [("spam-1", 500), ("spam-2", 1396)] {
        let f = scan(&base.join(folder));
        f.print(folder);
        assert_eq!(f.files, files, "{folder}: the corpus has {files} files");
        f.assert_analysed(folder);
        let flagged = f.share("suspicious") + f.share("forged");
        let floor = HAM_FORGED_BUDGET + HAM_SUSPICIOUS_BUDGET;
        assert!(
            flagged > floor,
            "{folder}: {flagged:.1}% flagged, no more than ham may be ({floor}%)"
        );
    }
}
