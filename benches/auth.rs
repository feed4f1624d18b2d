//! Authentication benchmark (run by hand: `cargo bench --bench auth`): DKIM, SPF and
//! DMARC verified for signed messages with bodies, against hickory-server on 127.0.0.1
//! serving the keys and policies, then again from a recording of its answers (the
//! verification's own cost, no network), and the same mailbox scanned with verification
//! off. Prints messages per second; no target is asserted (figures, not a timed test).

// The integration tests' DNS server. `pub`: this bench uses only part of it.
#[path = "../tests/integration/dns_server.rs"]
pub mod dns_server;

use hopsleuth::resolver::{Dns, DnsSettings};
use hopsleuth::scan::{self, ScanOptions};
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Messages in the mailbox, half signed with RSA-2048, half with Ed25519.
const MESSAGES: usize = 2_000;
/// Body size of each message.
const BODY_BYTES: usize = 8 * 1024;

fn zones(dir: &Path, rsa_public: &str, ed_public: &str) -> Vec<(String, PathBuf)> {
    std::fs::create_dir_all(dir).unwrap();
    let txt = |t: String| {
        t.as_bytes()
            .chunks(200)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let zone = format!(
        "$ORIGIN bench.test.\n$TTL 3600\n@ IN SOA ns.bench.test. h.bench.test. 1 3600 600 86400 300\n@ IN NS ns.bench.test.\nns IN A 45.33.255.53\n\
         @ IN TXT \"v=spf1 ip4:45.33.0.0/16 -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n\
         rsa._domainkey IN TXT {}\ned._domainkey IN TXT {}\nmail IN A 45.33.1.1\n",
        txt(format!("v=DKIM1; k=rsa; p={rsa_public}")),
        txt(format!("v=DKIM1; k=ed25519; p={ed_public}"))
    );
    std::fs::write(dir.join("bench.test.zone"), zone).unwrap();
    std::fs::write(
        dir.join("test.zone"),
        "$ORIGIN test.\n$TTL 3600\n@ IN SOA ns.bench.test. h.bench.test. 1 3600 600 86400 300\n@ IN NS ns.bench.test.\n",
    )
    .unwrap();
    dns_server::zones_in_with_ours(dir)
}

fn main() {
    let tmp = std::env::temp_dir().join(format!("hopsleuth-auth-bench-{}", std::process::id()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pem = std::fs::read_to_string(root.join("tests/fixtures/auth/rsa2048.pem")).unwrap();
    let rsa_public =
        std::fs::read_to_string(root.join("tests/fixtures/auth/rsa2048.pub.b64")).unwrap();
    let ed_der = Ed25519Key::generate_pkcs8().unwrap();
    let ed_public = {
        let k = Ed25519Key::from_pkcs8_der(&ed_der).unwrap();
        data_encoding::BASE64.encode(&k.public_key())
    };
    let server = dns_server::start(
        &zones(&tmp.join("zones"), rsa_public.trim(), &ed_public),
        dns_server::Behaviour::default(),
    );
    // The mailbox: signed messages with bodies of BODY_BYTES.
    let rsa = || {
        use rustls_pki_types::pem::PemObject;
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).unwrap();
        RsaKey::<Sha256>::from_key_der(der.into()).unwrap()
    };
    let line = "The quarterly figures are in the shared folder; see the summary below.\r\n";
    let body: String = line.repeat(BODY_BYTES / line.len() + 1);
    let mut mbox = String::new();
    let started = Instant::now();
    for m in 0..MESSAGES {
        let message = format!(
            "From: Alice <alice@bench.test>\r\nTo: user@ours.test\r\nSubject: figures {m}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{m}@bench.test>\r\n\r\n{body}"
        );
        let headers = ["From", "To", "Subject", "Date", "Message-ID"];
        let signature = if m % 2 == 0 {
            DkimSigner::from_key(rsa())
                .domain("bench.test")
                .selector("rsa")
                .headers(headers)
                .sign(message.as_bytes())
                .unwrap()
                .to_header()
        } else {
            let ed = Ed25519Key::from_pkcs8_der(&ed_der).unwrap();
            DkimSigner::from_key(ed)
                .domain("bench.test")
                .selector("ed")
                .headers(headers)
                .sign(message.as_bytes())
                .unwrap()
                .to_header()
        };
        write!(
            mbox,
            "From alice@bench.test Mon Nov 23 10:00:05 2026\nDelivered-To: user@ours.test\nReturn-Path: <bounce@bench.test>\n\
             Received: from mail.bench.test (mail.bench.test [45.33.1.{}]) by mx.ours.test (Postfix) with ESMTPS id Q{m}; Mon, 23 Nov 2026 10:00:05 +0000\n{}{}\n",
            m % 250 + 1,
            signature.replace("\r\n", "\n"),
            message.replace("\r\n", "\n")
        )
        .unwrap();
    }
    println!(
        "signed {MESSAGES} messages ({BODY_BYTES}-byte bodies) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let path = tmp.join("signed.mbox");
    std::fs::write(&path, &mbox).unwrap();
    let recording = tmp.join("answers.json");
    let run = |settings: DnsSettings, verify: bool| -> (Duration, Vec<u8>) {
        let dns = Dns::new(&settings).expect("resolver");
        let mut options = ScanOptions {
            dns: Some(Arc::new(dns)),
            ..ScanOptions::default()
        };
        options.options.verify = verify;
        let mut out = Vec::new();
        let t = Instant::now();
        let summary =
            scan::run(std::slice::from_ref(&path), &options, &mut out, &mut |_| {}).expect("scan");
        assert_eq!(summary.errors, 0);
        if let Some(dns) = &options.dns {
            dns.finish().unwrap();
        }
        (t.elapsed(), out)
    };
    let live = DnsSettings {
        servers: vec![server.addr],
        timeout: Duration::from_secs(5),
        record: Some(recording.clone()),
        ..DnsSettings::default()
    };
    let (elapsed, out) = run(live, true);
    let passes = String::from_utf8_lossy(&out)
        .matches("\"result\":\"pass\",\"reason\":\"the signature of")
        .count();
    println!(
        "live DNS, verifying: {MESSAGES} messages in {:.2} s = {:.0} messages/s ({passes} DKIM passes)",
        elapsed.as_secs_f64(),
        MESSAGES as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(passes, MESSAGES, "every signature verifies");
    let replay = || DnsSettings {
        replay: Some(recording.clone()),
        ..DnsSettings::default()
    };
    let (elapsed, _) = run(replay(), true);
    println!(
        "replayed DNS, verifying: {:.2} s = {:.0} messages/s (DKIM, SPF and DMARC without network)",
        elapsed.as_secs_f64(),
        MESSAGES as f64 / elapsed.as_secs_f64()
    );
    let (elapsed, _) = run(replay(), false);
    println!(
        "replayed DNS, --no-verify: {:.2} s = {:.0} messages/s",
        elapsed.as_secs_f64(),
        MESSAGES as f64 / elapsed.as_secs_f64()
    );
    std::fs::remove_dir_all(&tmp).ok();
}
