//! Exact lists of known differences for the conformance suites: each suite records the
//! fields on which a corpus and we differ, and [`assert_known`] compares them with the list
//! in `tests/fixtures/conformance/<suite>.json`, where each has the reason ours differs.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

/// IPs compare by value (`::ffff:1.2.3.4` equals `1.2.3.4`, zero-compression ignored).
pub fn same_ip(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.parse::<IpAddr>().ok().map(|ip| ip.to_canonical());
    match (norm(a), norm(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// The stable part of a case's key: its header's first words, on one line.
fn key_text(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(48).collect()
}

/// One case of a suite: its position in the corpus file and the start of its header.
pub struct Case {
    /// Position in the corpus file (from 0).
    pub index: usize,
    /// The start of its header (or another name), on one line.
    pub header: String,
}

impl Case {
    pub fn new(index: usize, header: &str) -> Case {
        Case {
            index,
            header: key_text(header),
        }
    }
}

/// A field on which the corpus and we differ, keyed by (case, header, field). In the list
/// files, `reason` says why ours differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    /// The case's position in the corpus file.
    pub case: usize,
    /// The start of its header, as [`Case`] keeps it.
    pub header: String,
    /// The field (or the check) that differs.
    pub field: String,
    /// What the corpus says.
    pub expected: Option<String>,
    /// What we have.
    pub got: Option<String>,
    /// Why ours differs (list files only).
    #[serde(default)]
    pub reason: String,
}

impl Diff {
    fn key(&self) -> (usize, &str, &str) {
        (self.case, &self.header, &self.field)
    }

    fn describe(&self) -> String {
        format!(
            "#{} {:?} {}: expected {:?}, got {:?}",
            self.case, self.header, self.field, self.expected, self.got
        )
    }
}

/// The differences `suite` is known to have (`tests/fixtures/conformance/<suite>.json`).
fn known(suite: &str) -> Vec<Diff> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/conformance")
        .join(format!("{suite}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list: Vec<Diff> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut keys = std::collections::BTreeSet::new();
    for d in &list {
        assert!(
            !d.reason.trim().is_empty(),
            "{}: {} has no reason",
            path.display(),
            d.describe()
        );
        assert!(
            keys.insert(d.key()),
            "{}: {} is listed twice",
            path.display(),
            d.describe()
        );
    }
    list
}

/// Prints the differences with their reasons, then fails on any difference that is not
/// listed for `suite`, any listed one that no longer occurs, and any whose values changed.
///
/// With `HOPSLEUTH_KNOWN_DUMP=DIR` set, the differences as they are now (with the listed
/// reasons kept, `TODO` for new ones) are also written to `DIR/<suite>.json`, the list
/// file's format, for a person to complete and copy over.
pub fn assert_known(suite: &str, diffs: &[Diff]) {
    let listed = known(suite);
    let by_key: BTreeMap<_, &Diff> = listed.iter().map(|d| (d.key(), d)).collect();
    if let Some(dir) = std::env::var_os("HOPSLEUTH_KNOWN_DUMP") {
        let lines: Vec<String> = diffs
            .iter()
            .map(|d| {
                let reason = by_key
                    .get(&d.key())
                    .map_or("TODO: why ours differs".to_string(), |l| l.reason.clone());
                let entry = Diff {
                    reason,
                    ..d.clone()
                };
                serde_json::to_string(&entry).expect("json")
            })
            .collect();
        let path = PathBuf::from(dir).join(format!("{suite}.json"));
        std::fs::write(&path, format!("[\n{}\n]\n", lines.join(",\n")))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let seen: std::collections::BTreeSet<_> = diffs.iter().map(Diff::key).collect();
    let (mut new, mut changed) = (Vec::new(), Vec::new());
    println!(
        "{suite}: {} differences, {} listed",
        diffs.len(),
        listed.len()
    );
    for d in diffs {
        match by_key.get(&d.key()) {
            Some(l) if l.expected == d.expected && l.got == d.got => {
                println!("  {}\n      known: {}", d.describe(), l.reason);
            }
            Some(l) => {
                println!(
                    "  {}\n      CHANGED (listed: {})",
                    d.describe(),
                    l.describe()
                );
                changed.push(format!(
                    "  now    {}\n  listed {}",
                    d.describe(),
                    l.describe()
                ));
            }
            None => {
                println!("  {}\n      NEW", d.describe());
                let entry = Diff {
                    reason: "TODO: why ours differs".into(),
                    ..d.clone()
                };
                new.push(serde_json::to_string(&entry).expect("json"));
            }
        }
    }
    let fixed: Vec<String> = listed
        .iter()
        .filter(|l| !seen.contains(&l.key()))
        .map(|l| format!("  {}", l.describe()))
        .collect();
    let mut problems = Vec::new();
    if !new.is_empty() {
        problems.push(format!(
            "{} new differences (find why, then list each with its reason in tests/fixtures/conformance/{suite}.json):\n{}",
            new.len(),
            new.join(",\n")
        ));
    }
    if !changed.is_empty() {
        problems.push(format!(
            "{} listed differences changed their values:\n{}",
            changed.len(),
            changed.join("\n")
        ));
    }
    if !fixed.is_empty() {
        problems.push(format!(
            "{} listed differences no longer occur (fixed: remove them from the list):\n{}",
            fixed.len(),
            fixed.join("\n")
        ));
    }
    assert!(problems.is_empty(), "{suite}:\n{}", problems.join("\n"));
}

/// Tallies agreement per field, over the fields that either side has.
#[derive(Default)]
pub struct Tally {
    /// Per field (or op): agreeing, counted.
    pub fields: BTreeMap<&'static str, (usize, usize)>,
    /// The differences, in the order met.
    pub diffs: Vec<Diff>,
}

impl Tally {
    pub fn compare(
        &mut self,
        case: &Case,
        field: &'static str,
        expected: Option<String>,
        got: Option<String>,
        ip: bool,
    ) {
        if expected.is_none() && got.is_none() {
            return;
        }
        self.check(case, field, expected, got, ip);
    }

    /// Counts the field even when both sides are empty (an asserted absence).
    pub fn check(
        &mut self,
        case: &Case,
        field: &'static str,
        expected: Option<String>,
        got: Option<String>,
        ip: bool,
    ) {
        let agree = match (&expected, &got) {
            (None, None) => true,
            (Some(e), Some(g)) if ip => same_ip(e, g),
            (Some(e), Some(g)) => e.eq_ignore_ascii_case(g),
            _ => false,
        };
        self.record(case, field, agree, (field.to_string(), expected, got));
    }

    /// Counts one check under `tally` (a field, or an op); a failed one is a difference
    /// named by `label`, with what the corpus wants and what we have.
    pub fn record(
        &mut self,
        case: &Case,
        tally: &'static str,
        ok: bool,
        (label, expected, got): (String, Option<String>, Option<String>),
    ) {
        let entry = self.fields.entry(tally).or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        } else {
            self.diffs.push(Diff {
                case: case.index,
                header: case.header.clone(),
                field: label,
                expected,
                got,
                reason: String::new(),
            });
        }
    }

    /// Prints the figure, `unit` naming what was counted (fields, checks, dates).
    pub fn report(&self, suite: &str, unit: &str) {
        let (agree, total) = self
            .fields
            .values()
            .fold((0, 0), |(a, t), (x, y)| (a + x, t + y));
        let pct = 100.0 * agree as f64 / total.max(1) as f64;
        println!("{suite}: {agree}/{total} {unit} agree ({pct:.1}%)");
        for (f, (a, t)) in &self.fields {
            println!("  {f:>6}: {a}/{t}");
        }
    }
}
