//! Authentication verification against a real DNS server: keys generated here (Ed25519)
//! or by us with openssl (RSA-2048, tests/fixtures/auth), messages signed and sealed here
//! with mail-auth's signer, the keys, SPF and DMARC records served by hickory-server on
//! 127.0.0.1 from zone files written here. Every answer crosses a socket.

use crate::common;
use crate::dns_server::{self, Behaviour};
use hopsleuth::auth::verify::{DkimCheck, SpfCheck, Verification};
use hopsleuth::resolver::{Dns, DnsSettings};
use hopsleuth::{Options, Report};
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use std::path::PathBuf;
use std::time::Duration;

const ORIGIN: &str = "auth.test";
/// The entry hop's client: the signer's outbound server.
const SIGNER_IP: &str = "93.184.216.40";
/// A client no SPF record permits.
const STRANGER_IP: &str = "93.184.216.99";
const FORWARDER_IP: &str = "93.184.216.41";

/// The keys of the test domains and their DNS records.
struct Keys {
    rsa_pem: String,
    rsa_public: String,
    ed_pkcs8: Vec<u8>,
    ed_public: String,
}

fn keys() -> Keys {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth");
    let ed_pkcs8 = Ed25519Key::generate_pkcs8().expect("ed25519 key");
    let ed = Ed25519Key::from_pkcs8_der(&ed_pkcs8).expect("ed25519 key");
    Keys {
        rsa_pem: std::fs::read_to_string(dir.join("rsa2048.pem")).expect("RSA key"),
        rsa_public: std::fs::read_to_string(dir.join("rsa2048.pub.b64"))
            .expect("RSA public key")
            .trim()
            .to_string(),
        ed_pkcs8,
        ed_public: data_encoding::BASE64.encode(&ed.public_key()),
    }
}

impl Keys {
    fn rsa(&self) -> RsaKey<Sha256> {
        use rustls_pki_types::pem::PemObject;
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(self.rsa_pem.as_bytes())
            .expect("PKCS#8 PEM");
        RsaKey::<Sha256>::from_key_der(der.into()).expect("RSA key")
    }
    fn ed(&self) -> Ed25519Key {
        Ed25519Key::from_pkcs8_der(&self.ed_pkcs8).expect("ed25519 key")
    }
}

/// A TXT record's text as zone-file strings of at most 255 bytes.
fn txt(text: &str) -> String {
    text.as_bytes()
        .chunks(200)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The zone of the test domains, in a folder of its own.
fn zone_dir(keys: &Keys) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hopsleuth-auth-{}-{}",
        std::process::id(),
        common::unique()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let rsa = txt(&format!("v=DKIM1; k=rsa; p={}", keys.rsa_public));
    let ed = txt(&format!("v=DKIM1; k=ed25519; p={}", keys.ed_public));
    let zone = format!(
        "$ORIGIN {ORIGIN}.
$TTL 3600
@ IN SOA ns.{ORIGIN}. hostmaster.{ORIGIN}. 1 3600 600 86400 300
@ IN NS ns.{ORIGIN}.
ns IN A 93.184.216.53
signer IN TXT \"v=spf1 ip4:{SIGNER_IP} -all\"
_dmarc.signer IN TXT \"v=DMARC1; p=reject\"
rsa._domainkey.signer IN TXT {rsa}
ed._domainkey.signer IN TXT {ed}
mail.signer IN A {SIGNER_IP}
soft IN TXT \"v=spf1 ip4:{SIGNER_IP} ~all\"
broken IN TXT \"v=spf1 include:nowhere.{ORIGIN} ip4:{SIGNER_IP} -all\"
nested IN TXT \"v=spf1 include:inner.{ORIGIN} -all\"
inner IN TXT \"v=spf1 include:signer.{ORIGIN} -all\"
forwarder IN TXT \"v=spf1 ip4:{FORWARDER_IP} -all\"
arc._domainkey.forwarder IN TXT {ed}
arc._domainkey.lists IN TXT {rsa}
mech-a IN TXT \"v=spf1 a -all\"
mech-a IN A {SIGNER_IP}
mech-mx IN TXT \"v=spf1 mx -all\"
mech-mx IN MX 10 mail.signer
mech-ptr IN TXT \"v=spf1 ptr:signer.{ORIGIN} -all\"
mech-exists IN TXT \"v=spf1 exists:%{{i}}.ok.{ORIGIN} -all\"
{SIGNER_IP}.ok IN A 127.0.0.2
"
    );
    std::fs::write(dir.join(format!("{ORIGIN}.zone")), zone).unwrap();
    // DMARC's tree walk asks up to the top-level domain (`_dmarc.test.`): the server
    // answers for it too, as the root's servers would (the name does not exist).
    let tld = "$ORIGIN test.\n$TTL 3600\n@ IN SOA ns.auth.test. hostmaster.auth.test. 1 3600 600 86400 300\n@ IN NS ns.auth.test.\n";
    std::fs::write(dir.join("test.zone"), tld).unwrap();
    // The signer's reverse name, for SPF's ptr mechanism.
    let last = SIGNER_IP.rsplit('.').next().unwrap();
    let reverse = format!(
        "$ORIGIN 216.184.93.in-addr.arpa.\n$TTL 3600\n@ IN SOA ns.{ORIGIN}. hostmaster.{ORIGIN}. 1 3600 600 86400 300\n@ IN NS ns.{ORIGIN}.\n{last} IN PTR mail.signer.{ORIGIN}.\n"
    );
    std::fs::write(dir.join("216.184.93.in-addr.arpa.zone"), reverse).unwrap();
    dir
}

struct World {
    server: Option<dns_server::TestDns>,
    keys: Keys,
    dir: PathBuf,
}

impl Drop for World {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

impl World {
    fn addr(&self) -> std::net::SocketAddr {
        self.server.as_ref().expect("server running").addr
    }
}

fn world() -> World {
    let keys = keys();
    let dir = zone_dir(&keys);
    let server = dns_server::start(&dns_server::zones_in(&dir), Behaviour::default());
    World {
        server: Some(server),
        keys,
        dir,
    }
}

fn resolver(world: &World) -> Dns {
    Dns::new(&DnsSettings {
        servers: vec![world.addr()],
        timeout: Duration::from_secs(2),
        ..DnsSettings::default()
    })
    .expect("resolver")
}

/// Now, in Unix seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A Unix time as RFC 5322 writes it (UTC).
fn rfc5322(ts: i64) -> String {
    let (year, month, day, h, m, sec) = hopsleuth::date::civil_from_timestamp(ts);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        [ts.div_euclid(86_400).rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!("{weekday}, {day} {mon} {year} {h:02}:{m:02}:{sec:02} +0000")
}

/// The message as the signer's server sends it: From the signer's domain, a body.
fn unsigned(body: &str) -> String {
    format!(
        "From: Alice <alice@signer.{ORIGIN}>\r\nTo: user@ours.test\r\nSubject: quarterly figures\r\nDate: {}\r\nMessage-ID: <1@signer.{ORIGIN}>\r\n\r\n{body}",
        rfc5322(now())
    )
}

/// Our MX's lines on top: Delivered-To, Return-Path and the entry hop's Received line from
/// `client_ip`, received at `received_at`.
fn delivered(message: &str, client_ip: &str, mail_from: &str, received_at: i64) -> String {
    format!(
        "Delivered-To: user@ours.test\r\nReturn-Path: <{mail_from}>\r\nReceived: from mail.signer.{ORIGIN} (mail.signer.{ORIGIN} [{client_ip}]) by mx.ours.test (Postfix) with ESMTPS id 4AB1C2D3E4; {}\r\n{message}",
        rfc5322(received_at)
    )
}

fn sign_rsa(
    keys: &Keys,
    message: &str,
    configure: impl FnOnce(
        DkimSigner<RsaKey<Sha256>, mail_auth::dkim::Done>,
    ) -> DkimSigner<RsaKey<Sha256>, mail_auth::dkim::Done>,
) -> String {
    let signer = DkimSigner::from_key(keys.rsa())
        .domain(format!("signer.{ORIGIN}"))
        .selector("rsa")
        .headers(["From", "To", "Subject", "Date", "Message-ID"]);
    let signature = configure(signer).sign(message.as_bytes()).expect("sign");
    format!("{}{message}", signature.to_header())
}

fn sign_ed(keys: &Keys, message: &str) -> String {
    let signature = DkimSigner::from_key(keys.ed())
        .domain(format!("signer.{ORIGIN}"))
        .selector("ed")
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .sign(message.as_bytes())
        .expect("sign");
    format!("{}{message}", signature.to_header())
}

/// Options that verify (the library's default does not).
fn verifying() -> Options {
    Options {
        verify: true,
        ..Options::default()
    }
}

fn analyze(dns: &Dns, message: &str) -> Report {
    hopsleuth::analyze_with_dns(message.as_bytes(), &verifying(), dns).expect("mail")
}

fn verification(r: &Report) -> &Verification {
    &r.authentication.verification
}

fn dkim(r: &Report) -> &DkimCheck {
    let v = verification(r);
    assert!(v.performed, "{v:#?}");
    v.dkim
        .first()
        .unwrap_or_else(|| panic!("no DKIM check: {v:#?}"))
}

fn spf<'r>(r: &'r Report, identity: &str) -> &'r SpfCheck {
    verification(r)
        .spf_of(identity)
        .unwrap_or_else(|| panic!("no {identity} SPF check: {:#?}", verification(r)))
}

const BODY: &str = "Figures attached.\r\n-- \r\nAlice\r\n";

#[test]
fn rsa_and_ed25519_signatures_pass_with_spf_and_dmarc() {
    let w = world();
    let dns = resolver(&w);
    let bounce = format!("bounce@signer.{ORIGIN}");
    for signed in [
        sign_rsa(&w.keys, &unsigned(BODY), |s| s),
        sign_ed(&w.keys, &unsigned(BODY)),
    ] {
        let r = analyze(&dns, &delivered(&signed, SIGNER_IP, &bounce, now()));
        let d = dkim(&r);
        assert_eq!(
            (d.result, d.body_hash, d.header_signature),
            ("pass", "match", "valid"),
            "{d:#?}"
        );
        assert!(d.aligned_with_from);
        assert_eq!(spf(&r, "mailfrom").result, "pass");
        let dmarc = verification(&r).dmarc.as_ref().expect("DMARC");
        assert_eq!(
            (dmarc.result, dmarc.policy, dmarc.dkim),
            ("pass", "reject", "pass"),
            "{:#?}",
            verification(&r)
        );
        // The keys and the policy read are listed with how their lookups ended.
        let names: Vec<&str> = verification(&r)
            .lookups
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        assert!(names.contains(&"_dmarc.signer.auth.test."), "{names:?}");
        assert!(
            names
                .iter()
                .any(|n| n.contains("._domainkey.signer.auth.test."))
        );
    }
    let rsa = analyze(
        &dns,
        &delivered(
            &sign_rsa(&w.keys, &unsigned(BODY), |s| s),
            SIGNER_IP,
            &bounce,
            now(),
        ),
    );
    assert_eq!(dkim(&rsa).algorithm, "rsa-sha256");
}

#[test]
fn a_changed_body_or_header_fails_and_a_missing_key_is_unknown() {
    let w = world();
    let dns = resolver(&w);
    let bounce = format!("bounce@signer.{ORIGIN}");
    let signed = sign_rsa(&w.keys, &unsigned(BODY), |s| s);
    // The body changed after signing: the body hash says so; the headers were not checked.
    let body_changed = signed.replace("Figures attached.", "Figures attached, and a link.");
    let r = analyze(&dns, &delivered(&body_changed, SIGNER_IP, &bounce, now()));
    let d = dkim(&r);
    assert_eq!((d.result, d.body_hash), ("fail", "mismatch"), "{d:#?}");
    assert!(d.reason.contains("body was changed"), "{}", d.reason);
    // A signed header changed: the body still matches, the signature does not verify.
    let header_changed = signed.replace("quarterly figures", "urgent: wire transfer");
    let r = analyze(&dns, &delivered(&header_changed, SIGNER_IP, &bounce, now()));
    let d = dkim(&r);
    assert_eq!(
        (d.result, d.body_hash, d.header_signature),
        ("fail", "match", "invalid"),
        "{d:#?}"
    );
    // The selector has no key (removed since, or never published): unknown, not fail.
    let no_key = signed.replace("s=rsa;", "s=gone;");
    let r = analyze(&dns, &delivered(&no_key, SIGNER_IP, &bounce, now()));
    let d = dkim(&r);
    assert_eq!(d.result, "unknown", "{d:#?}");
    assert!(d.reason.contains("gone._domainkey"), "{}", d.reason);
    // None of these is a forged path by itself.
    assert_eq!(r.verdict, hopsleuth::Verdict::Clean, "{:#?}", r.findings);
}

#[test]
fn body_length_and_expiry_are_judged_at_delivery() {
    let w = world();
    let dns = resolver(&w);
    let bounce = format!("bounce@signer.{ORIGIN}");
    // l=: the signature covers the body as signed; text appended after it is not covered.
    let signed = sign_rsa(&w.keys, &unsigned(BODY), |s| s.body_length(true));
    let appended = format!("{signed}P.S. appended by someone later\r\n");
    let r = analyze(&dns, &delivered(&appended, SIGNER_IP, &bounce, now()));
    let d = dkim(&r);
    assert_eq!(d.result, "pass", "{d:#?}");
    assert_eq!(d.body_length, Some(BODY.len() as u64));
    // x=: a minute after signing. Delivered within it: valid at delivery, whatever the day
    // of the analysis (the library's clock is not asked).
    let expiring = sign_rsa(&w.keys, &unsigned(BODY), |s| s.expiration(60));
    let r = analyze(&dns, &delivered(&expiring, SIGNER_IP, &bounce, now()));
    let d = dkim(&r);
    assert_eq!(
        (d.result, d.window),
        ("pass", "valid at delivery"),
        "{d:#?}"
    );
    assert!(d.expires_at.is_some());
    // Delivered a day after it expired: the signature verifies, but was stale on arrival.
    let r = analyze(
        &dns,
        &delivered(&expiring, SIGNER_IP, &bounce, now() + 86_400),
    );
    let d = dkim(&r);
    assert_eq!(
        (d.result, d.window, d.header_signature),
        ("neutral", "expired before delivery", "valid"),
        "{d:#?}"
    );
}

/// Seals `message` as ARC instance `n` by `domain` (selector `arc`) with `key`.
fn seal<K: mail_auth::common::crypto::SigningKey<Hasher = Sha256>>(
    message: &str,
    key: K,
    domain: &str,
    authserv_id: &str,
) -> String {
    let parsed = mail_auth::AuthenticatedMessage::parse(message.as_bytes()).expect("message");
    // The chain so far, as a verifier that found it valid would hand it to the sealer.
    let mut chain = mail_auth::ArcOutput::default();
    let sets = parsed.as_headers.len();
    for i in 0..sets {
        chain = chain.with_set(mail_auth::arc::Set {
            signature: mail_auth::common::headers::Header::new(
                parsed.ams_headers[i].name,
                parsed.ams_headers[i].value,
                &parsed.ams_headers[i].header,
            ),
            seal: mail_auth::common::headers::Header::new(
                parsed.as_headers[i].name,
                parsed.as_headers[i].value,
                &parsed.as_headers[i].header,
            ),
            results: mail_auth::common::headers::Header::new(
                parsed.aar_headers[i].name,
                parsed.aar_headers[i].value,
                &parsed.aar_headers[i].header,
            ),
        });
    }
    if sets > 0 {
        chain = chain.with_result(mail_auth::DkimResult::Pass);
    }
    let results = mail_auth::AuthenticationResults::new(authserv_id)
        .with_dkim_result(&mail_auth::DkimOutput::pass(), &format!("signer.{ORIGIN}"));
    let set = mail_auth::arc::ArcSealer::from_key(key)
        .domain(domain)
        .selector("arc")
        .headers(["From", "To", "Subject", "DKIM-Signature"])
        .seal(&parsed, &results, &chain)
        .expect("seal");
    format!("{}{message}", set.to_header())
}

/// A signed message forwarded through two ARC sealers (forwarder, then lists), each
/// adding its Received line, then delivered to us by lists.
fn forwarded_twice(keys: &Keys) -> String {
    let signed = sign_rsa(keys, &unsigned(BODY), |s| s);
    let at = rfc5322(now());
    let first = format!(
        "Received: from mail.signer.{ORIGIN} (mail.signer.{ORIGIN} [{SIGNER_IP}]) by forwarder.{ORIGIN} with ESMTPS id F1; {at}\r\n{signed}"
    );
    let first = seal(
        &first,
        keys.ed(),
        &format!("forwarder.{ORIGIN}"),
        &format!("forwarder.{ORIGIN}"),
    );
    let second = format!(
        "Received: from forwarder.{ORIGIN} (forwarder.{ORIGIN} [{FORWARDER_IP}]) by lists.{ORIGIN} with ESMTPS id L1; {at}\r\n{first}"
    );
    seal(
        &second,
        keys.rsa(),
        &format!("lists.{ORIGIN}"),
        &format!("lists.{ORIGIN}"),
    )
}

#[test]
fn an_arc_chain_of_two_instances_verifies_and_a_broken_one_does_not() {
    let w = world();
    let dns = resolver(&w);
    let message = forwarded_twice(&w.keys);
    let bounce = format!("bounce@signer.{ORIGIN}");
    let r = analyze(&dns, &delivered(&message, FORWARDER_IP, &bounce, now()));
    let arc = verification(&r).arc.as_ref().expect("ARC");
    assert_eq!(arc.result, "pass", "{arc:#?}");
    let sealers: Vec<(&str, &str)> = arc
        .instances
        .iter()
        .map(|i| (i.seal_domain.as_str(), i.cv))
        .collect();
    assert_eq!(
        sealers,
        [("forwarder.auth.test", "none"), ("lists.auth.test", "pass")]
    );
    // Without lists.auth.test among the trusted sealers its results stay claims; with it,
    // the newest instance's ARC-Authentication-Results are believed.
    let aar = |r: &Report| -> Vec<&'static str> {
        r.authentication
            .results
            .iter()
            .filter(|f| f.field == "ARC-Authentication-Results")
            .map(|f| f.trust)
            .collect()
    };
    assert_eq!(aar(&r), ["claimed", "claimed"]);
    let mut options = verifying();
    options.trust.arc_trusted_sealers = vec![format!("lists.{ORIGIN}")];
    let trusted = hopsleuth::analyze_with_dns(
        delivered(&message, FORWARDER_IP, &bounce, now()).as_bytes(),
        &options,
        &dns,
    )
    .unwrap();
    assert_eq!(aar(&trusted), ["trusted", "claimed"]);
    // A sealed header changed after sealing: the chain no longer verifies.
    let broken = message.replace("quarterly figures", "quarterly figures (updated)");
    let r = analyze(&dns, &delivered(&broken, FORWARDER_IP, &bounce, now()));
    let arc = verification(&r).arc.as_ref().expect("ARC");
    assert_eq!(arc.result, "fail", "{arc:#?}");
}

#[test]
fn spf_pass_fail_softfail_permerror_and_dmarc_fail() {
    let w = world();
    let dns = resolver(&w);
    let cases = [
        ("signer", SIGNER_IP, "pass"),
        ("signer", STRANGER_IP, "fail"),
        ("soft", STRANGER_IP, "softfail"),
        ("broken", SIGNER_IP, "permerror"),
        ("nested", SIGNER_IP, "pass"),
        ("nested", STRANGER_IP, "fail"),
        // Each mechanism that makes the library ask for more than TXT, through our
        // answers: addresses, exchangers, the client's reverse name, a macro.
        ("mech-a", SIGNER_IP, "pass"),
        ("mech-a", STRANGER_IP, "fail"),
        ("mech-mx", SIGNER_IP, "pass"),
        ("mech-mx", STRANGER_IP, "fail"),
        ("mech-ptr", SIGNER_IP, "pass"),
        ("mech-ptr", STRANGER_IP, "fail"),
        ("mech-exists", SIGNER_IP, "pass"),
        // mail-auth's `exists` takes any cached set, an empty one too, as a match, so a
        // denied name is left unanswered: unknown, never a false pass.
        ("mech-exists", STRANGER_IP, "unknown"),
    ];
    for (domain, ip, want) in cases {
        let m = delivered(
            &unsigned(BODY),
            ip,
            &format!("bounce@{domain}.{ORIGIN}"),
            now(),
        );
        let r = analyze(&dns, &m);
        let s = spf(&r, "mailfrom");
        assert_eq!(s.result, want, "{domain} from {ip}: {s:#?}");
        assert_eq!(s.ip, ip);
    }
    // Unsigned, from a stranger: neither aligned DKIM nor aligned SPF, DMARC fails.
    let m = delivered(
        &unsigned(BODY),
        STRANGER_IP,
        &format!("bounce@signer.{ORIGIN}"),
        now(),
    );
    let r = analyze(&dns, &m);
    let dmarc = verification(&r).dmarc.as_ref().expect("DMARC");
    assert_eq!(dmarc.result, "fail", "{dmarc:#?}");
    // The HELO identity is checked too: mail.signer.auth.test has no SPF record.
    assert_eq!(spf(&r, "helo").result, "none");
}

#[test]
fn verification_is_off_without_dns_and_says_so() {
    let w = world();
    let signed = sign_rsa(&w.keys, &unsigned(BODY), |s| s);
    let m = delivered(
        &signed,
        SIGNER_IP,
        &format!("bounce@signer.{ORIGIN}"),
        now(),
    );
    let r = hopsleuth::analyze(m.as_bytes(), &verifying()).unwrap();
    let v = verification(&r);
    assert!(!v.performed && v.dkim.is_empty());
    assert!(v.note.as_deref().unwrap().contains("--no-dns"), "{v:?}");
    // --no-verify keeps DNS for the path checks and verifies nothing.
    let dns = resolver(&w);
    let options = Options {
        verify: false,
        ..Options::default()
    };
    let r = hopsleuth::analyze_with_dns(m.as_bytes(), &options, &dns).unwrap();
    assert!(!verification(&r).performed);
    assert_eq!(r.dns.mode, hopsleuth::dns::Mode::Live);
}

#[test]
fn record_then_replay_gives_the_same_report_offline() {
    let w = world();
    let tmp = w.dir.join("run");
    std::fs::create_dir_all(&tmp).unwrap();
    let bounce = format!("bounce@signer.{ORIGIN}");
    let message = tmp.join("signed.eml");
    std::fs::write(
        &message,
        delivered(&forwarded_twice(&w.keys), FORWARDER_IP, &bounce, now()),
    )
    .unwrap();
    let rec = tmp.join("answers.json");
    let addr = w.addr().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["analyze", "--now", "1796000000"];
        args.extend_from_slice(extra);
        args.push(message.to_str().unwrap());
        let out = common::hopsleuth_with_dns(&args, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let live = run(&["--dns-server", &addr, "--dns-record", rec.to_str().unwrap()]);
    let recording = std::fs::read_to_string(&rec).unwrap();
    assert!(recording.contains("\"TXT\""), "TXT answers recorded");
    assert!(recording.contains("rsa._domainkey.signer.auth.test."));
    // The server is gone: the replay answers from the recording alone.
    let mut w = w;
    w.server = None;
    let replay = run(&["--dns-replay", rec.to_str().unwrap()]);
    let again = run(&["--dns-replay", rec.to_str().unwrap()]);
    assert_eq!(replay, again, "replays are byte for byte identical");
    let (mut l, mut r): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&live).unwrap(),
        serde_json::from_slice(&replay).unwrap(),
    );
    assert_eq!(r["authentication"]["verification"]["arc"]["result"], "pass");
    assert_eq!(
        r["authentication"]["verification"]["dkim"][0]["result"],
        "pass"
    );
    l["dns"]["mode"] = serde_json::Value::Null;
    r["dns"]["mode"] = serde_json::Value::Null;
    assert_eq!(l, r, "the replayed report is the live one");
    // A recording without the keys: what is not recorded is unknown, never a failure.
    let stripped: serde_json::Value = {
        let mut v: serde_json::Value = serde_json::from_str(&recording).unwrap();
        v["answers"]
            .as_array_mut()
            .unwrap()
            .retain(|a| !a["name"].as_str().unwrap().contains("_domainkey"));
        v
    };
    std::fs::write(&rec, stripped.to_string()).unwrap();
    let partial: serde_json::Value =
        serde_json::from_slice(&run(&["--dns-replay", rec.to_str().unwrap()])).unwrap();
    let d = &partial["authentication"]["verification"]["dkim"][0];
    assert_eq!(d["result"], "unknown", "{d}");
    assert!(
        d["reason"].as_str().unwrap().contains("NOT-RECORDED"),
        "{d}"
    );
    assert!(
        partial["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "DNS002"),
        "the unrecorded keys are a DNS002 finding"
    );
}

#[test]
fn a_crafted_message_of_thousands_of_signatures_stays_bounded() {
    let w = world();
    let dns = resolver(&w);
    // Each signature with its own l= would make the library hash the 1 MiB body again.
    let mut m = String::new();
    for i in 0..5_000 {
        m.push_str(&format!(
            "DKIM-Signature: v=1; a=rsa-sha256; d=signer.{ORIGIN}; s=s{i}; l={}; h=From; bh=AAAA; b=AAAA\r\n",
            i + 1
        ));
    }
    let body = "x".repeat(1 << 20);
    let message = delivered(
        &format!("{m}{}", unsigned(&body)),
        SIGNER_IP,
        &format!("bounce@signer.{ORIGIN}"),
        now(),
    );
    let started = std::time::Instant::now();
    let r = analyze(&dns, &message);
    let v = verification(&r);
    assert_eq!(
        v.dkim.len(),
        hopsleuth::auth::verify::MAX_SIGNATURES,
        "{:?}",
        v.note
    );
    assert!(
        v.note
            .as_deref()
            .unwrap()
            .contains("4990 DKIM-Signature fields"),
        "{:?}",
        v.note
    );
    // Printed, not asserted: a figure, not a timed test.
    println!(
        "5,000 signatures over a 1 MiB body: {:.2} s",
        started.elapsed().as_secs_f64()
    );
}
