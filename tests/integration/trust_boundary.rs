//! The trust boundary against text the sender writes (RFC 5321 §4.4).
//!
//! Walking down from the topmost Received, a hop is trusted while its sender is ours; the
//! first hop whose sender is not ours is the entry hop. Everything below the entry hop, and
//! every header among the sender's own, was written by the sender, and the client's HELO is
//! his text even inside our own line. None of it may move the boundary.
//!
//! Each reproduction of `tests/fixtures/trust/repro/` (its README lists the files) is
//! either a pair, a base message and the same message with one trick of the sender's added,
//! where the tricked one must keep the base's entry hop and be judged at least as badly
//! (path and identity verdicts, path score: a trick may add a finding of its own, such as
//! the HELO injection it is, but never hide one); or, for the
//! configured and hosted chains, a message whose entry hop is named outright. Every run is
//! `analyze --no-dns`.

use crate::common;
use serde_json::Value;

/// Where the reproductions are, relative to the project folder (where the binary runs).
const DIR: &str = "tests/fixtures/trust/repro";

/// The JSON report of `hopsleuth analyze --no-dns ARGS DIR/FILE`.
fn analyze(file: &str, args: &[&str]) -> Value {
    let path = format!("{DIR}/{file}");
    let mut argv = vec!["analyze", "--no-dns"];
    argv.extend_from_slice(args);
    argv.push(&path);
    let out = common::hopsleuth(&argv, None);
    assert!(
        out.status.success(),
        "hopsleuth {argv:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON report")
}

/// The entry hop as the report names it: its position among the Received headers (0 the
/// topmost), the address our server recorded, and the first line of its text.
struct Entry {
    header_index: u64,
    ip: Option<String>,
    first_line: String,
}

impl Entry {
    /// Where the entry is: what a trick must not change (the trick may have changed the
    /// line's text, so the text is not compared).
    fn place(&self) -> (u64, Option<&str>) {
        (self.header_index, self.ip.as_deref())
    }

    fn show(&self) -> String {
        format!(
            "Received header {} from {} ({})",
            self.header_index,
            self.ip.as_deref().unwrap_or("no address"),
            self.first_line
        )
    }
}

/// What a trick must not change.
struct Outcome {
    verdict: String,
    identity: String,
    score: f64,
    entry: Option<Entry>,
}

/// A verdict's rank: a trick may raise it, never lower it.
fn rank(verdict: &str) -> u8 {
    match verdict {
        "clean" => 0,
        "suspicious" => 1,
        _ => 2,
    }
}

impl Outcome {
    fn show(&self) -> String {
        let entry = self.entry.as_ref().map_or("none".to_string(), Entry::show);
        format!(
            "{} {} (identity {}), entry {entry}",
            self.verdict, self.score, self.identity
        )
    }
}

fn entry(report: &Value) -> Option<Entry> {
    let i = report["trust"]["entry_hop"].as_u64()?;
    let hop = report["hops"]
        .as_array()
        .expect("hops")
        .iter()
        .find(|h| h["index"].as_u64() == Some(i))
        .expect("the entry hop is among the hops");
    Some(Entry {
        header_index: hop["header_index"].as_u64().expect("header_index"),
        ip: hop["from"]["ip"].as_str().map(str::to_string),
        first_line: hop["raw"]
            .as_str()
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
    })
}

fn outcome(report: &Value) -> Outcome {
    Outcome {
        verdict: report["verdict"].as_str().expect("verdict").to_string(),
        identity: report["identity"]["verdict"]
            .as_str()
            .expect("identity verdict")
            .to_string(),
        score: report["score"].as_f64().expect("score"),
        entry: entry(report),
    }
}

/// The rules that fired, for failure messages.
fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap_or("?"), f["score"]))
        .collect()
}

/// Asserts that `tricked` is judged at least as badly as `base`: the same entry hop (the
/// same Received header, with the same recorded address; the trick may have changed that
/// line's text, which is why the text is not compared), and path verdict, identity verdict
/// and path score no lower. The base must show its forgery (path or identity `suspicious`
/// or `forged`), or the pair proves nothing.
fn assert_trick_fails(base: &str, tricked: &str) {
    let b = analyze(base, &[]);
    let t = analyze(tricked, &[]);
    let (ob, ot) = (outcome(&b), outcome(&t));
    assert!(
        ob.verdict != "clean" || ob.identity != "clean",
        "{base}: the base must show its forgery: {}, rules {:?}",
        ob.show(),
        rules(&b)
    );
    assert!(ob.entry.is_some(), "{base}: the base has an entry hop");
    let judged = |o: &Outcome| (rank(&o.verdict), rank(&o.identity));
    assert_eq!(
        (
            judged(&ot).0.max(judged(&ob).0),
            judged(&ot).1.max(judged(&ob).1),
            ot.score.max(ob.score),
            ot.entry.as_ref().map(Entry::place),
        ),
        (
            judged(&ot).0,
            judged(&ot).1,
            ot.score,
            ob.entry.as_ref().map(Entry::place)
        ),
        "{tricked} must be judged as {base}\n  base:    {}\n           rules {:?}\n           basis {}\n  tricked: {}\n           rules {:?}\n           basis {}",
        ob.show(),
        rules(&b),
        b["trust"]["basis"],
        ot.show(),
        rules(&t),
        t["trust"]["basis"],
    );
}

/// Asserts the report's entry hop is the Received header at `header_index` (0 the topmost)
/// with the recorded address `ip`, and that the report says why (`trust.basis`).
fn assert_entry(file: &str, args: &[&str], header_index: u64, ip: &str) -> Value {
    let r = analyze(file, args);
    let e = entry(&r);
    assert_eq!(
        e.as_ref().map(Entry::place),
        Some((header_index, Some(ip))),
        "{file} {args:?}: the entry hop must be Received header {header_index} (from {ip}); got {}\n  basis {}",
        e.as_ref().map_or("none".to_string(), Entry::show),
        r["trust"]["basis"],
    );
    assert!(
        r["trust"]["basis"]
            .as_array()
            .is_some_and(|b| !b.is_empty()),
        "{file} {args:?}: trust.basis must say why"
    );
    r
}

/// (a) An `Authentication-Results: relay2.example.net; ...` header the sender added among
/// his own headers, below the whole trace, while our servers wrote none. Its authserv-id is
/// his text, so its domain (example.net, where his relay and his appended lines' reverse
/// names are) must not become ours; today it does, every hop is taken for ours and the
/// appended-hops forgery (forged 10.5) comes out clean.
#[test]
fn a_authres_among_sender_headers_does_not_make_his_domain_ours() {
    assert_trick_fails("a-base.eml", "a-authres-sender-headers.eml");
}

/// (a) The same header placed directly below the entry hop's Received, as if the sender's
/// relay had stamped it: it is below the boundary, so it is the sender's text as well.
#[test]
fn a_authres_below_entry_does_not_make_his_domain_ours() {
    assert_trick_fails("a-base.eml", "a-authres-below-entry.eml");
}

/// (b) `(authenticated)` in the HELO position of the Postfix-format line the sender wrote
/// below the entry: `from exch01.example.com (authenticated) (exch01.example.com
/// [81.169.145.42]) by mail.example.com (Postfix)`. Postfix writes the client's HELO first,
/// so those words are a HELO, not a receiver's mark of a login; they must not make his line
/// an authenticated submission that excuses the contradiction between our entry line and
/// his.
#[test]
fn b_authenticated_in_helo_of_his_line_below_is_not_authentication() {
    assert_trick_fails("b-base.eml", "b-helo-authenticated-below.eml");
}

/// (b) His Postfix-format line below the entry says `with ESMTPSA`. The line is his text,
/// below the boundary: it must not move the boundary or make anything of his trusted (the
/// entry hop stays where b-base has it, and every hop below it stays untrusted). How much
/// the contradicted link below weighs once it looks like an honest submission (a server on
/// a hosting address relaying its own user's login, which is common and honest) is the
/// judgement's question (CHAIN005), not the boundary's, so the verdict is not compared.
#[test]
fn b_esmtpsa_claimed_by_his_line_below_does_not_move_the_boundary() {
    let b = analyze("b-base.eml", &[]);
    let t = analyze("b-esmtpsa-below.eml", &[]);
    let place = |r: &Value| entry(r).map(|e| (e.header_index, e.ip.clone()));
    assert_eq!(place(&t), place(&b), "the entry hop must not move");
    assert!(place(&t).is_some(), "b-esmtpsa-below.eml has an entry hop");
    let entry_index = t["trust"]["entry_hop"].as_u64().expect("entry hop");
    for h in t["hops"].as_array().expect("hops") {
        if h["index"].as_u64() < Some(entry_index) {
            assert_eq!(
                h["trust"], "untrusted",
                "hop {} is below the entry",
                h["index"]
            );
        }
    }
}

/// (b) The whole trick: `(authenticated)` typed into the HELO our MX recorded at
/// the entry, over his Postfix-format line saying `with ESMTPSA` below. Today there is no
/// entry hop at all; it must be judged exactly as the same message without the HELO words.
#[test]
fn b_authenticated_helo_over_an_esmtpsa_line_is_judged_as_without_it() {
    let b = analyze("b-esmtpsa-below.eml", &[]);
    let t = analyze("b-esmtpsa-below-helo-authenticated.eml", &[]);
    let (ob, ot) = (outcome(&b), outcome(&t));
    assert!(ob.entry.is_some(), "b-esmtpsa-below.eml has an entry hop");
    // The HELO's words are an injection of their own (HELO009): the tricked message may be
    // judged worse, never better, and keeps the entry.
    assert_eq!(
        (
            rank(&ot.verdict).max(rank(&ob.verdict)),
            ot.score.max(ob.score),
            ot.entry.as_ref().map(Entry::place)
        ),
        (
            rank(&ot.verdict),
            ot.score,
            ob.entry.as_ref().map(Entry::place)
        ),
        "the HELO's `(authenticated)` changed the judgement\n  without: {}\n  with:    {}",
        ob.show(),
        ot.show()
    );
}

/// (b) The HELO written by our own receiver's entry line: the client greeted with
/// `mail.example.com (authenticated)` and our Postfix wrote it as it came,
/// `from mail.example.com (authenticated) (srv417.example.net [198.51.100.77])`. The
/// client's HELO text must not make the entry authenticated.
#[test]
fn b_authenticated_typed_into_helo_at_our_entry_is_not_authentication() {
    assert_trick_fails("b-base.eml", "b-helo-authenticated-entry.eml");
}

/// (b) The same at our entry with the word glued to the HELO and no reverse name:
/// `from evilhelo(authenticated) (unknown [198.51.100.27]) by mx.example.org (Postfix)`.
/// Still the client's HELO text: the entry is not authenticated.
#[test]
fn b_authenticated_glued_to_helo_at_our_entry_is_not_authentication() {
    assert_trick_fails("b-unknown-base.eml", "b-unknown-helo-authenticated.eml");
}

/// (c) A reverse name in the recipient's domain that our Sendmail itself marked
/// `(may be forged)`: the PTR says `mail.example.org`, the forward lookup did not confirm
/// it, and the sender controls his own PTR. It must not make the sender ours; today it
/// does, and so do his appended lines named in example.org (forged 11.0 becomes clean).
#[test]
fn c_may_be_forged_reverse_name_in_recipient_domain_is_not_ours() {
    assert_trick_fails("c-base.eml", "c-may-be-forged-ours.eml");
}

/// (d) One fake `Received: from mail-wr1-f54.google.com (... [209.85.221.54])` line below
/// the entry hop. A gmail.com From that entered from a dynamic host never passed Google
/// (ENV004); a line the sender wrote below the boundary cannot show that it did.
#[test]
fn d_fake_google_line_below_entry_does_not_hide_forged_provider_from() {
    assert_trick_fails("d-base.eml", "d-fake-google-hop.eml");
}

/// (e) Configured trust, Postfix MX -> Dovecot LMTP (samples/gmail-to-postfix.eml): with
/// `--trusted-networks 10.0.0.0/8` the entry is the hop mx1 received from outside (Google,
/// Received header 2), not the LMTP hand-off at the top, which records no address because
/// the mail store handed the message to itself.
#[test]
fn e_trusted_networks_entry_is_the_hop_mx1_received_from_outside() {
    let r = assert_entry(
        "e-lmtp.eml",
        &["--trusted-networks", "10.0.0.0/8"],
        2,
        "209.85.221.54",
    );
    assert_eq!(r["trust"]["method"], "configured");
}

/// (e) The same with the receiving host named in `--trusted-hosts` (and the internal
/// network trusted): the host's hand-off to itself is still ours.
#[test]
fn e_trusted_hosts_naming_the_receiving_host_entry_is_the_google_hop() {
    assert_entry(
        "e-lmtp.eml",
        &[
            "--trusted-hosts",
            "mailstore.corp.example.com",
            "--trusted-networks",
            "10.0.0.0/8",
        ],
        2,
        "209.85.221.54",
    );
}

/// (e) Both of our servers named in `--trusted-hosts`, no networks: the same boundary.
#[test]
fn e_trusted_hosts_naming_both_servers_entry_is_the_google_hop() {
    assert_entry(
        "e-lmtp.eml",
        &[
            "--trusted-hosts",
            "mailstore.corp.example.com,mx1.corp.example.com",
        ],
        2,
        "209.85.221.54",
    );
}

/// (e) A forged entry (a Google HELO from a VPS address) is judged at the right boundary
/// without configuration; with `--trusted-networks 10.0.0.0/8` the entry must be the same
/// hop and the message must keep its verdict and score, not lose the entry hop's findings
/// to a boundary moved up to the LMTP hand-off.
#[test]
fn e_forged_entry_keeps_its_score_with_trusted_networks() {
    let inferred = assert_entry("e-lmtp-forged-entry.eml", &[], 2, "198.51.100.54");
    let configured = assert_entry(
        "e-lmtp-forged-entry.eml",
        &["--trusted-networks", "10.0.0.0/8"],
        2,
        "198.51.100.54",
    );
    let (oi, oc) = (outcome(&inferred), outcome(&configured));
    assert_ne!(
        oi.verdict,
        "clean",
        "the forged entry is seen without configuration: {:?}",
        rules(&inferred)
    );
    assert_eq!(
        (&oc.verdict, oc.score),
        (&oi.verdict, oi.score),
        "with --trusted-networks the forged entry keeps its findings\n  inferred:   {:?}\n  configured: {:?}",
        rules(&inferred),
        rules(&configured),
    );
}

/// (e) SpamAssassin's relay lines with `--trusted-networks 10.0.0.0/8`: mx1 (10.20.0.11)
/// handed the message to the mail store, so it is a trusted relay, and the first untrusted
/// relay is Google's, the entry.
#[test]
fn e_spamassassin_lists_mx1_as_a_trusted_relay() {
    let path = format!("{DIR}/e-lmtp.eml");
    let out = common::hopsleuth(
        &[
            "analyze",
            "--no-dns",
            "--format",
            "spamassassin",
            "--trusted-networks",
            "10.0.0.0/8",
            &path,
        ],
        None,
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} line in\n{text}"))
            .trim()
            .to_string()
    };
    let trusted = line("X-Spam-Relays-Trusted:");
    let untrusted = line("X-Spam-Relays-Untrusted:");
    assert!(
        trusted.contains("[ ip=10.20.0.11 "),
        "10.20.0.11 must be a trusted relay:\n{text}"
    );
    assert!(
        untrusted.starts_with("[ ip=209.85.221.54 "),
        "the first untrusted relay must be Google's, the entry:\n{text}"
    );
}

/// (f) A Gmail-hosted mailbox: the topmost `Received: by 2002:a05:6a10:... with SMTP id`
/// (no from: Google's internal delivery) is Google's own hand-off, and the entry is the hop
/// mx.google.com received from the sender's server (Received header 1, 203.0.113.9), with
/// no configuration and with `--trusted-hosts google.com`.
#[test]
fn f_gmail_hosted_entry_is_the_mx_google_hop() {
    assert_entry("f-gmail.eml", &[], 1, "203.0.113.9");
    assert_entry(
        "f-gmail.eml",
        &["--trusted-hosts", "google.com"],
        1,
        "203.0.113.9",
    );
}

/// (f) The Gmail-hosted mailbox with the sender greeting mx.google.com as
/// `mail-wr1-f54.google.com` from a VPS: the name is his HELO, the address is not Google's,
/// so the entry stays the mx.google.com hop.
#[test]
fn f_gmail_hosted_forged_google_helo_entry_stays() {
    assert_entry("f-gmail-forged-helo.eml", &[], 1, "203.0.113.9");
    assert_entry(
        "f-gmail-forged-helo.eml",
        &["--trusted-hosts", "google.com"],
        1,
        "203.0.113.9",
    );
}

/// (f) A Microsoft 365 mailbox: mailbox (HTTPS from ::1), mailbox server, client-access
/// front end and Exchange Online Protection are Microsoft's; the entry is the frontend hop
/// EOP received from the sender (`from smtp.sender.example (198.51.100.20) by
/// HE1EUR01FT029.mail.protection.outlook.com`, Received header 3), with no configuration and
/// with `--trusted-hosts outlook.com`.
#[test]
fn f_microsoft_365_entry_is_the_frontend_hop() {
    assert_entry("f-m365.eml", &[], 3, "198.51.100.20");
    assert_entry(
        "f-m365.eml",
        &["--trusted-hosts", "outlook.com"],
        3,
        "198.51.100.20",
    );
}

/// (f) The Microsoft 365 mailbox with the sender greeting EOP as
/// `AM0PR01MB1234.eurprd01.prod.outlook.com`: Exchange records the client's HELO, the
/// address (198.51.100.20) is not Microsoft's, so even with `--trusted-hosts outlook.com`
/// the entry stays the frontend hop.
#[test]
fn f_microsoft_365_forged_outlook_helo_entry_stays() {
    assert_entry("f-m365-forged-helo.eml", &[], 3, "198.51.100.20");
    assert_entry(
        "f-m365-forged-helo.eml",
        &["--trusted-hosts", "outlook.com"],
        3,
        "198.51.100.20",
    );
}

/// Asserts that `tricked` has its base's entry hop (the same Received header) and a verdict
/// no better than its base's.
/// The trick here makes the entry's address unreadable, so the address is not compared.
fn assert_same_entry_and_verdict(base: &str, tricked: &str) {
    let b = analyze(base, &[]);
    let t = analyze(tricked, &[]);
    let place = |r: &Value| entry(r).map(|e| e.header_index);
    let verdict = |r: &Value| rank(r["verdict"].as_str().unwrap_or("clean"));
    assert!(place(&b).is_some(), "{base} has an entry hop");
    assert_eq!(
        (place(&t), verdict(&t).max(verdict(&b))),
        (place(&b), verdict(&t)),
        "{tricked} must keep {base}'s entry and verdict\n  base basis {}\n  tricked basis {}",
        b["trust"]["basis"],
        t["trust"]["basis"]
    );
}

/// (g, from a review) Trace syntax in the HELO (`[6.6.6.6](HELO mail.example.org)`) makes
/// the parser leave our receiver's address unread; the HELO names a host in our domain.
/// A HELO is a claim: the entry stays our MX's line, and the fake Google line below it
/// does not hide ENV004.
#[test]
fn g_a_helo_in_our_domain_on_a_line_without_an_address_is_not_ours() {
    assert_same_entry_and_verdict("g-helo-noaddr-base.eml", "g-helo-noaddr-trick.eml");
}

/// (g) `pickup service` typed into the HELO must not make our MX's line a local hand-off:
/// Exchange's pickup line is `from mail pickup service by ...`, nothing else.
#[test]
fn g_pickup_service_in_a_helo_is_not_a_local_hand_off() {
    assert_same_entry_and_verdict("g-pickup-base.eml", "g-pickup-trick.eml");
}

/// (g) On a Yahoo-hosted mailbox, a Yahoo customer's authenticated submission over lines he
/// wrote: the walk stops at the hop from Yahoo's outbound relay, and his lines below (a
/// fake Google hop) are not taken for Yahoo's.
#[test]
fn g_a_provider_customers_submission_is_not_the_providers_own() {
    assert_same_entry_and_verdict(
        "g-yahoo-submission-base.eml",
        "g-yahoo-submission-trick.eml",
    );
    let r = analyze("g-yahoo-submission-trick.eml", &[]);
    assert!(
        rules(&r).iter().any(|f| f.starts_with("ENV004")),
        "{:?}",
        rules(&r)
    );
}

/// (g) An outlook.com From on a Microsoft 365 mailbox, entered from outside Microsoft: the
/// provider's own delivery hops above the entry are not its sending, so ENV004 fires.
#[test]
fn g_microsoft_hosted_mailbox_still_asks_whether_microsoft_sent_it() {
    let r = analyze("g-m365-outlook-from.eml", &[]);
    assert!(
        rules(&r).iter().any(|f| f.starts_with("ENV004")),
        "{:?}",
        rules(&r)
    );
}

/// (g) Our MX named by its hosting company (`static.88-198-1-2.clients.your-server.de`):
/// the hoster's domain is every customer's, so a sender under it is not ours.
#[test]
fn g_a_hosting_companys_machine_name_does_not_make_its_customers_ours() {
    let r = analyze("g-hoster-receiver.eml", &[]);
    assert_eq!(
        entry(&r).map(|e| e.header_index),
        Some(0),
        "{}",
        r["trust"]["basis"]
    );
}
