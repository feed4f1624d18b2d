//! Provider profiles on real headers: each profile's shapes, in messages of the shared
//! corpora (read in place) and in published lines of providers the corpora do not show on
//! the receiving side (`tests/fixtures/profiles/`).

use crate::common::{corpora, hopsleuth};
use hopsleuth::profiles;
use serde_json::Value;
use std::path::Path;

/// What one case says of one Received header (0 = topmost).
#[derive(Clone, Copy, Debug)]
enum Role {
    /// The mailbox is hosted by the profile and this hop is its own, trusted.
    Internal,
    /// The mailbox is hosted by the profile and this hop is the entry.
    Entry,
    /// The hop's receiver is one of the profile's servers (wherever the hop is).
    Receiver,
    /// The hop's sender address is in the profile's published sending networks.
    SendingNetwork,
    /// The hop's sender claims the provider in its HELO from outside its networks.
    ClaimFromOutside,
}

fn report(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let r = hopsleuth::analyze(&bytes, &hopsleuth::Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(&r).expect("report JSON")
}

fn hop(r: &Value, header_index: u64) -> &Value {
    r["hops"]
        .as_array()
        .and_then(|hops| hops.iter().find(|h| h["header_index"] == header_index))
        .unwrap_or_else(|| panic!("no Received header {header_index}"))
}

fn check(id: &str, path: &Path, header_index: u64, role: Role) -> Result<(), String> {
    let p = profiles::by_id(id).ok_or(format!("no profile {id}"))?;
    let r = report(path);
    let h = hop(&r, header_index);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let fail = |what: &str| {
        Err(format!(
            "{id} {name} Received {header_index} ({role:?}): {what}\n    line: {}\n    basis: {}",
            h["raw"].as_str().unwrap_or("").replace(['\r', '\n'], " "),
            r["trust"]["basis"]
        ))
    };
    let ip = || h["from"]["ip"].as_str().and_then(|s| s.parse().ok());
    match role {
        Role::Internal | Role::Entry => {
            if r["trust"]["profile"] != id {
                return fail(&format!("profile {} found", r["trust"]["profile"]));
            }
            let want = if matches!(role, Role::Entry) {
                "entry"
            } else {
                "trusted"
            };
            if h["trust"] != want {
                return fail(&format!("trust {}", h["trust"]));
            }
        }
        Role::Receiver => {
            let by = h["by"]["host"].as_str().unwrap_or("");
            if p.receiver(by).is_none() {
                return fail(&format!("receiver {by} not recognised"));
            }
        }
        Role::SendingNetwork => {
            if ip().is_none_or(|ip| p.sending_network(ip).is_none()) {
                return fail("sender not in the sending networks");
            }
        }
        Role::ClaimFromOutside => {
            let helo = h["from"]["helo"].as_str().unwrap_or("");
            if !p.names_host(helo) || ip().is_none_or(|ip| p.sending_network(ip).is_some()) {
                return fail("not a claim of the provider from outside its networks");
            }
        }
    }
    Ok(())
}

/// Cases in the shared corpora: (profile, file under `messages/`, Received index, role).
const CORPUS_CASES: &[(&str, &str, u64, Role)] = &[
    // Exchange Online: mailbox delivery over HTTPS from ::1, a hub from 2603:10a6::/32, the
    // frontend's hand-off under its second name, then the frontend's entry.
    (
        "microsoft365",
        "phishing_pot_dev/sample-1005.eml",
        0,
        Role::Internal,
    ),
    (
        "microsoft365",
        "phishing_pot_dev/sample-1005.eml",
        1,
        Role::Internal,
    ),
    (
        "microsoft365",
        "phishing_pot_dev/sample-1005.eml",
        2,
        Role::Internal,
    ),
    (
        "microsoft365",
        "phishing_pot_dev/sample-1005.eml",
        3,
        Role::Entry,
    ),
    // A PEPF-named frontend.
    (
        "microsoft365",
        "phishing_pot_dev/sample-5823.eml",
        3,
        Role::Entry,
    ),
    // Hubs in 2603:10c6::/32 and under prod.exchangelabs.com (2603:1096::/32).
    (
        "microsoft365",
        "phishing_pot_dev/sample-4677.eml",
        1,
        Role::Internal,
    ),
    (
        "microsoft365",
        "phishing_pot_dev/sample-4677.eml",
        3,
        Role::Internal,
    ),
    // A frontend handing to a hub from 2a01:111:f400::/48, Microsoft's published network.
    (
        "microsoft365",
        "phishing_pot_dev/sample-2044.eml",
        4,
        Role::Internal,
    ),
    // Another tenant's outbound server (Microsoft's sending network) into our frontend: the
    // entry, not an internal hop.
    (
        "microsoft365",
        "phishing_pot_dev/sample-3006.eml",
        3,
        Role::Entry,
    ),
    (
        "microsoft365",
        "phishing_pot_dev/sample-3006.eml",
        3,
        Role::SendingNetwork,
    ),
    // HELOs claiming Microsoft from outside its networks.
    (
        "microsoft365",
        "phishing_pot_dev/sample-3376.eml",
        5,
        Role::ClaimFromOutside,
    ),
    (
        "microsoft365",
        "phishing_pot_dev/sample-7874.eml",
        6,
        Role::ClaimFromOutside,
    ),
    // EOP's 2a01:111:e400::/48 hop of 2020.
    (
        "microsoft365",
        "rspamd_functional/arcallow.eml",
        2,
        Role::Receiver,
    ),
    // Gmail: the `by 2002:a05:...` delivery line, then mx.google.com's entry.
    (
        "google",
        "phishing_pot_dev/sample-2289.eml",
        0,
        Role::Internal,
    ),
    ("google", "phishing_pot_dev/sample-2289.eml", 1, Role::Entry),
    // Gmail to Gmail: mail-sor-f41.google.com, in Google's sending networks, is the entry.
    ("google", "phishing_pot_dev/sample-1254.eml", 1, Role::Entry),
    (
        "google",
        "phishing_pot_dev/sample-1254.eml",
        1,
        Role::SendingNetwork,
    ),
    // Google Groups' receiver.
    (
        "google",
        "modern_ham/linux-mailinglist-archives/jailhouse-dev.googlegroups.com.0/ec2656f742dfefc4bb78c4541f48c3db5f5ad4e5.eml",
        3,
        Role::Receiver,
    ),
    // Proton's MX is the topmost line and the entry.
    ("proton", "phishing_pot_dev/sample-1185.eml", 0, Role::Entry),
    ("proton", "phishing_pot_dev/sample-5167.eml", 0, Role::Entry),
    // Mail.ru's MX, the topmost line and the entry.
    ("mailru", "phishing_pot_dev/sample-427.eml", 0, Role::Entry),
    // Yandex's outbound relay, on the sending side of a list post.
    (
        "yandex",
        "modern_ham/linux-mailinglist-archives/spice-devel.lists.freedesktop.org.0/9c67ad6512986e65a6b19fa43247315b682b950a.eml",
        3,
        Role::Receiver,
    ),
    // Zoho's and 1&1's receivers on the sending side of other messages.
    (
        "zoho",
        "phishing_pot_dev/sample-2297.eml",
        4,
        Role::Receiver,
    ),
    ("gmx", "phishing_pot_dev/sample-5096.eml", 4, Role::Receiver),
    // Fastmail's submission server. (Its outbound relay here, 64.147.123.25, is outside the
    // one /27 of 64.147.123.0/24 the profile could source: its networks are partial.)
    (
        "fastmail",
        "modern_ham/linux-mailinglist-archives/linux-nfc.lists.01.org.0/ecc6d93c9f624180c031fd04c435d83f6763a01a.eml",
        5,
        Role::Receiver,
    ),
];

/// Published lines (`tests/fixtures/profiles/`, README there says where from).
const FIXTURE_CASES: &[(&str, &str, u64, Role)] = &[
    ("yahoo", "yahoo-hosted.eml", 0, Role::Internal),
    ("yahoo", "yahoo-hosted.eml", 1, Role::Entry),
    ("icloud", "icloud-hosted.eml", 0, Role::Internal),
    ("icloud", "icloud-hosted.eml", 1, Role::Entry),
    ("zoho", "icloud-hosted.eml", 1, Role::SendingNetwork),
];

#[test]
fn profiles_on_published_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/profiles");
    let failures: Vec<String> = FIXTURE_CASES
        .iter()
        .filter_map(|(id, file, i, role)| check(id, &dir.join(file), *i, *role).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn profiles_on_the_shared_corpora() {
    let Some(dir) = corpora() else { return };
    let base = dir.join("messages");
    let failures: Vec<String> = CORPUS_CASES
        .iter()
        .filter_map(|(id, file, i, role)| check(id, &base.join(file), *i, *role).err())
        .collect();
    println!(
        "profiles: {} of {} corpus cases as expected",
        CORPUS_CASES.len() - failures.len(),
        CORPUS_CASES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every profile has a case, and `hopsleuth profiles` lists them all with their dates.
#[test]
fn every_profile_is_tested_and_listed() {
    for p in profiles::all() {
        assert!(
            CORPUS_CASES
                .iter()
                .chain(FIXTURE_CASES)
                .any(|(id, ..)| *id == p.id),
            "profile {} has no case on real headers",
            p.id
        );
    }
    let out = hopsleuth(&["profiles"], None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for p in profiles::all() {
        assert!(
            text.contains(&p.id) && text.contains(&p.checked),
            "`hopsleuth profiles` lists {} with its date\n{text}",
            p.id
        );
    }
    let out = hopsleuth(&["profiles", "--format", "json"], None);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), profiles::all().len());
    assert!(lines.iter().all(|l| l["sending"].is_array()));
}
