//! Received formats per MTA family: our own cases (every `*.json` in tests/fixtures/received/),
//! each written in the format the MTA's source or documentation shows, with the fields a
//! forensic reader must get from it. A case is `{family, received, expect: {field: value},
//! why}`; a field missing from `expect` is not checked, `null` means it must be absent.

use hopsleuth::Limits;
use hopsleuth::received::{self, Kind};
use serde_json::Value;

#[test]
fn every_family_parses_to_the_expected_fields() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/received");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read the fixture folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let parsed: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        cases.extend(
            parsed
                .as_array()
                .expect("an array of cases")
                .iter()
                .cloned(),
        );
    }
    let limits = Limits::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut families = std::collections::BTreeMap::<String, usize>::new();
    for case in &cases {
        let family = case["family"].as_str().unwrap_or("?");
        *families.entry(family.to_string()).or_default() += 1;
        let header = case["received"].as_str().expect("received");
        let r = received::parse(header.as_bytes(), &limits);
        let text = |b: Option<&[u8]>| b.map(hopsleuth::text::field);
        let got = |field: &str| -> Value {
            let s = match field {
                "from" => text(r.from_name),
                "helo" => text(r.helo),
                "helo_explicit" => return Value::Bool(r.helo_explicit),
                "ip_source" => r.ip_source.map(|s| s.as_str().to_string()),
                "rdns_source" => r.rdns_source.map(|s| s.as_str().to_string()),
                "mta" => r.mta.map(|m| m.name().to_string()),
                "auth_user" => text(r.auth.as_ref().and_then(|a| a.user)),
                "status" => r.status.map(|s| s.as_str().to_string()),
                "rdns" => text(r.rdns).map(|s| s.trim_end_matches('.').to_string()),
                "ip" => r.ip.map(|i| i.addr.to_string()),
                "ident" => text(r.ident),
                "by" => text(r.by_host),
                "with" => text(r.with),
                "id" => text(r.id),
                "for" => text(r.for_addr),
                "envelope_from" => text(r.envelope_from),
                "tls" => return Value::Bool(r.tls.is_some()),
                "auth" => return Value::Bool(r.auth.is_some()),
                "kind" => {
                    return Value::String(
                        match r.kind {
                            Some(Kind::Local) => "local",
                            Some(Kind::Http) => "http",
                            _ => "smtp",
                        }
                        .into(),
                    );
                }
                _ => return Value::Null,
            };
            s.map_or(Value::Null, Value::String)
        };
        for (field, want) in case["expect"].as_object().expect("expect") {
            checked += 1;
            let have = got(field);
            let same = match (want, &have) {
                (Value::String(w), Value::String(h)) => {
                    w.eq_ignore_ascii_case(h)
                        || w.parse::<std::net::IpAddr>().ok() == h.parse::<std::net::IpAddr>().ok()
                            && h.parse::<std::net::IpAddr>().is_ok()
                }
                (w, h) => w == h,
            };
            if !same {
                failures.push(format!(
                    "[{family}] {field}: expected {want}, got {have}\n    {}",
                    header.replace('\n', "\n    ")
                ));
            }
        }
    }
    println!(
        "MTA format cases: {} cases in {} families, {} of {checked} field checks pass",
        cases.len(),
        families.len(),
        checked - failures.len()
    );
    for (family, n) in &families {
        println!("  {family}: {n}");
    }
    assert!(
        failures.is_empty(),
        "{} field checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
