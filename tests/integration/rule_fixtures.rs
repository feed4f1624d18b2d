//! Every rule has a message that fires it, and clean messages fire nothing; the three
//! scenarios of a classic SMTP forensics text give their expected findings. Expectations
//! live beside the fixtures (tests/fixtures/{rules,scenarios}/expected.json): `fires` must
//! all fire, nothing outside `fires` + `may_fire` may fire, and the verdict must match.
//! Beyond the ids, each fixture's findings (rule, score, hops, message, evidence) are an
//! insta snapshot (tests/integration/snapshots/integration__rule_fixtures__*.snap): a rule
//! that names the wrong hop or says the wrong thing fails here.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

pub(crate) fn run_folder(folder: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
    )
    .expect("json");
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    let mut checked = 0;
    for (file, want) in expected.as_object().expect("object") {
        let mut args: Vec<String> = vec!["analyze".into()];
        args.extend(
            want["args"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string)),
        );
        args.push(dir.join(file).display().to_string());
        // DNS fixtures replay their recording; the rest run without DNS.
        let mut command = Command::new(env!("CARGO_BIN_EXE_hopsleuth"));
        command.env_remove("HOPSLEUTH_NO_DNS");
        command.env("HOPSLEUTH_NOW", crate::common::TEST_NOW);
        if !args.iter().any(|a| a == "--dns-replay") {
            command.env("HOPSLEUTH_NO_DNS", "1");
        } else if want["verify"] != true {
            // Most recordings hold the path checks' answers only; a fixture of the
            // authentication checks says `"verify": true` and its recording holds the keys
            // and policies too.
            args.insert(1, "--no-verify".into());
        }
        let out = command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .output()
            .expect("run hopsleuth");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
        let findings: Vec<Value> = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                serde_json::json!({
                    "rule": f["rule"],
                    "score": f["score"],
                    "strength": f["strength"],
                    "hops": f["hops"],
                    "message": f["message"],
                    "evidence": f["evidence"],
                })
            })
            .collect();
        snapshots.push((
            format!("{folder}@{file}"),
            serde_json::json!({
                "verdict": report["verdict"],
                "verdict_basis": report["verdict_basis"],
                "identity": report["identity"]["verdict"],
                "score": report["score"],
                "entry_hop": report["trust"]["entry_hop"],
                "findings": findings,
            }),
        ));
        let fired: BTreeSet<String> = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["rule"].as_str().map(str::to_string))
            .collect();
        let list = |k: &str| -> BTreeSet<String> {
            want[k]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let (must, may) = (list("fires"), list("may_fire"));
        let missing: Vec<&String> = must.difference(&fired).collect();
        let extra: Vec<&String> = fired
            .iter()
            .filter(|r| !must.contains(*r) && !may.contains(*r))
            .collect();
        let verdict = report["verdict"].as_str().unwrap_or("?");
        let want_verdict = want["verdict"].as_str().unwrap_or("?");
        if !missing.is_empty() || !extra.is_empty() || verdict != want_verdict {
            let messages: Vec<String> = report["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    format!(
                        "      {} {}: {}",
                        f["rule"].as_str().unwrap_or(""),
                        f["score"],
                        f["message"].as_str().unwrap_or("")
                    )
                })
                .collect();
            failures.push(format!(
                "  {folder}/{file}: missing {missing:?}, unexpected {extra:?}, verdict {verdict} (want {want_verdict}, score {})\n{}",
                report["score"],
                messages.join("\n")
            ));
        }
        checked += 1;
    }
    println!(
        "{folder}: {} of {checked} fixtures as expected",
        checked - failures.len()
    );
    assert!(
        failures.is_empty(),
        "fixtures not as expected:\n{}",
        failures.join("\n")
    );
    for (name, findings) in snapshots {
        insta::assert_json_snapshot!(name, findings);
    }
    checked
}

#[test]
fn every_rule_has_a_firing_fixture_and_clean_ones_fire_nothing() {
    let n = run_folder("rules");
    // The rules' own fixtures and the forgery classes' (tests/fixtures/forgery/, checked by
    // the judgement suite) together cover every rule.
    let read = |folder: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures")
                    .join(folder)
                    .join("expected.json"),
            )
            .expect("read"),
        )
        .expect("json")
    };
    let (rules, forgery) = (read("rules"), read("forgery"));
    for rule in hopsleuth::rules::registry::ALL
        .iter()
        .filter(|r| r.id != "LIMIT001")
    {
        let covered = [&rules, &forgery].iter().any(|expected| {
            expected.as_object().expect("object").values().any(|v| {
                v["fires"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| r.as_str() == Some(rule.id))
            })
        });
        assert!(covered, "no fixture fires {}", rule.id);
    }
    assert!(n > 20);
}

#[test]
fn forensics_scenarios() {
    run_folder("scenarios");
}
