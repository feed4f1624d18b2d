//! Received formats per MTA family: our own cases (tests/fixtures/received/mta_cases.json),
//! each written in the format the MTA's source or documentation shows, with the fields a
//! forensic reader must get from it.

use hopsleuth::Limits;
use hopsleuth::received::{self, Kind};
use serde_json::Value;

#[test]
fn every_family_parses_to_the_expected_fields() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/received/mta_cases.json"
    );
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let limits = Limits::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases.as_array().expect("array") {
        let family = case["family"].as_str().unwrap_or("?");
        let header = case["received"].as_str().expect("received");
        let r = received::parse(header.as_bytes(), &limits);
        let text = |b: Option<&[u8]>| b.map(hopsleuth::text::field);
        let got = |field: &str| -> Value {
            let s = match field {
                "helo" => text(r.helo),
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
        "MTA format cases: {} of {checked} field checks pass",
        checked - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} field checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
