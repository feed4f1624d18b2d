//! Our own check of the message's authentication: every DKIM signature, the ARC chain,
//! SPF for the entry hop's client, DMARC for the From domain, verified with mail-auth.
//!
//! mail-auth asks its DNS questions through caches we hand it; this module answers them
//! from our own DNS answers (live, or a recording) and never lets mail-auth reach the
//! network: its resolver has no servers, so a question we did not answer fails at once.
//! [`run`] returns what it could verify with the answers given and the questions it
//! still needs; the resolver asks those and calls it again (`resolver::verify_auth`), so
//! that every lookup goes through our settings, cache, cap and recording.
//!
//! Time is ours too. A signature's `x=` is judged against the delivery time (the entry
//! hop's), not today's clock: mail-auth reads the expiry from the parsed signature, which we
//! clear before verifying (the signed header bytes are untouched, so the cryptography is
//! the same), and the window is reported apart. A replay years later gives the same report.

use crate::dns::{Answer, QType, Question, Rcode};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::{Atps, DomainKeyReport};
use mail_auth::dmarc::Dmarc;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::spf::Spf;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, DnssecStatus, MX, MessageAuthenticator,
    Parameters, RecordSet, ResolverCache, SpfOutput, SpfResult, Txt,
};
use serde::Serialize;
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, OnceLock};

/// What the verification is given about one message.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The message as kept: its header block, and its body when [`Input::body`] says so.
    pub message: &'a [u8],
    /// Whether the body is all there.
    pub body: Body,
    /// The entry hop's client as our receiver recorded it (SPF's address).
    pub client_ip: Option<IpAddr>,
    /// What that client said in HELO (SPF's HELO identity; the client's claim).
    pub helo: Option<&'a str>,
    /// The envelope sender (Return-Path), `""` for the null sender.
    pub mail_from: Option<&'a str>,
    /// The entry hop's receiver (SPF's `%{r}`).
    pub receiver: &'a str,
    /// When our side received the message (Unix seconds): the time signatures are judged
    /// against.
    pub delivered_at: Option<i64>,
}

/// How much of the body the verification saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// All of it.
    Complete,
    /// Only its first bytes: it is larger than the cap (`max_body_bytes`).
    OverCap {
        /// The cap.
        cap: u64,
        /// The body's length.
        length: u64,
    },
}

/// The result of our own verification (the report's `authentication.verification`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verification {
    /// True when the checks ran (DNS on and a message to read).
    pub performed: bool,
    /// Why they did not run, or what limited them, in a sentence; `null` when nothing did.
    pub note: Option<std::borrow::Cow<'static, str>>,
    /// The time signatures were judged against: the delivery (entry hop) time, RFC 3339.
    pub as_of: Option<String>,
    /// Each DKIM-Signature, topmost first.
    pub dkim: Vec<DkimCheck>,
    /// The ARC chain, when the message has one.
    pub arc: Option<ArcCheck>,
    /// SPF for the entry hop's client: the HELO identity, then MAIL FROM.
    pub spf: Vec<SpfCheck>,
    /// DMARC for the From domain.
    pub dmarc: Option<DmarcCheck>,
    /// The DNS records the checks read (TXT keys and policies, the addresses SPF
    /// matched), with how each lookup ended and when it was asked.
    pub lookups: Vec<LookupUsed>,
}

/// One DKIM-Signature and what became of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DkimCheck {
    /// Its place among the DKIM-Signature fields (0 = topmost).
    pub signature: usize,
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// `a=`.
    pub algorithm: &'static str,
    /// `h=`: the fields it signs.
    pub signed_headers: Vec<String>,
    /// `l=`: how much of the body it covers, when limited.
    pub body_length: Option<u64>,
    /// `t=`, RFC 3339.
    pub signed_at: Option<String>,
    /// `x=`, RFC 3339.
    pub expires_at: Option<String>,
    /// `pass`, `fail`, `neutral`, `permerror`, `unknown` (the key or the body could not be
    /// read: never evidence).
    pub result: &'static str,
    /// Why, in a sentence.
    pub reason: String,
    /// The body hash: `match`, `mismatch`, or `not checked`.
    pub body_hash: &'static str,
    /// The signature over the headers: `valid`, `invalid`, or `not checked`.
    pub header_signature: &'static str,
    /// The `t=`/`x=` window against the delivery time: `no expiry`, `valid at delivery`,
    /// `expired before delivery`, `delivery time unknown`.
    pub window: &'static str,
    /// True when `d=` is the From domain or shares its registrable domain (DMARC's relaxed
    /// alignment).
    pub aligned_with_from: bool,
}

/// The ARC chain.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArcCheck {
    /// `pass`, `fail`, `neutral`, `unknown`, `none`.
    pub result: &'static str,
    /// Why, in a sentence.
    pub reason: String,
    /// Each instance, `i=1` first.
    pub instances: Vec<ArcInstance>,
}

/// One ARC set as its headers state it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArcInstance {
    /// `i=`.
    pub instance: u32,
    /// The seal's `cv=` (`none`, `pass`, `fail`): what this sealer said of the chain below.
    pub cv: &'static str,
    /// The sealer: ARC-Seal `d=`.
    pub seal_domain: String,
    /// ARC-Seal `s=`.
    pub seal_selector: String,
    /// ARC-Message-Signature `d=`.
    pub signature_domain: String,
    /// The authserv-id of the instance's ARC-Authentication-Results.
    pub authserv_id: Option<String>,
}

/// One SPF check.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpfCheck {
    /// `helo` or `mailfrom`.
    pub identity: &'static str,
    /// The domain checked.
    pub domain: String,
    /// The client address checked (the entry hop's, as our receiver recorded it).
    pub ip: String,
    /// `pass`, `fail`, `softfail`, `neutral`, `none`, `permerror`, `unknown` (a lookup
    /// failed: never evidence).
    pub result: &'static str,
    /// Why, in a sentence.
    pub reason: String,
}

/// DMARC for the From domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DmarcCheck {
    /// The From domain.
    pub domain: String,
    /// The published policy: `none`, `quarantine`, `reject`, or `unspecified`.
    pub policy: &'static str,
    /// `pass`, `fail`, `none` (no policy), `permerror`, `unknown`.
    pub result: &'static str,
    /// The DKIM side: `pass` when an aligned signature passed.
    pub dkim: &'static str,
    /// The SPF side: `pass` when SPF passed for an aligned MAIL FROM.
    pub spf: &'static str,
    /// Why, in a sentence.
    pub reason: String,
}

/// One DNS record set a check read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LookupUsed {
    /// The name.
    pub name: String,
    /// The type.
    #[serde(rename = "type")]
    pub qtype: &'static str,
    /// How the lookup ended (`NOERROR`, `NXDOMAIN`, `TIMEOUT`, `NOT-RECORDED`, ...).
    pub rcode: &'static str,
    /// When it was asked, RFC 3339.
    pub asked_at: String,
}

impl Verification {
    /// Checks that did not run, and why.
    pub fn not_performed(why: impl Into<std::borrow::Cow<'static, str>>) -> Verification {
        Verification {
            note: Some(why.into()),
            ..Verification::default()
        }
    }

    /// The first SPF check of an identity.
    pub fn spf_of(&self, identity: &str) -> Option<&SpfCheck> {
        self.spf.iter().find(|s| s.identity == identity)
    }
}

/// Copies a body out of a mailbox with its `>From ` quoting undone: a line that starts
/// with one or more `>` before `From ` loses one (mboxrd; mboxo quotes only `From ` lines,
/// which this undoes too). The signer signed the unquoted text.
pub fn unquote_mbox_from(body: &[u8], out: &mut Vec<u8>) {
    for line in body.split_inclusive(|&b| b == b'\n') {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
}

/// mail-auth's authenticator with a resolver that has no servers: it never asks anything
/// itself, and a question our caches leave open fails at once.
fn authenticator() -> &'static MessageAuthenticator {
    static AUTH: OnceLock<MessageAuthenticator> = OnceLock::new();
    AUTH.get_or_init(|| {
        let mut opts = ResolverOpts::default();
        opts.attempts = 0;
        MessageAuthenticator::new(ResolverConfig::from_parts(None, vec![], vec![]), opts)
            .expect("a resolver without servers builds")
    })
}

thread_local! {
    /// The runtime mail-auth's futures run on: they never wait on I/O (every answer is in
    /// a cache, a miss fails at once), so one single-threaded runtime per thread serves.
    static RUNTIME: Option<tokio::runtime::Runtime> =
        tokio::runtime::Builder::new_current_thread().build().ok();
}

/// Verifies what `answers` allow and returns the questions still needed: ask them and run
/// again until none is left (or the cap says stop; then the open ones are `unknown`).
pub fn run(
    input: &Input<'_>,
    answers: &HashMap<Question, Answer>,
) -> (Verification, Vec<Question>) {
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| verify(input, answers)));
    match caught {
        Ok(done) => done,
        // mail-auth reads hostile input; a panic inside it must cost this message's
        // verification only.
        Err(_) => (
            Verification::not_performed("the verification library failed on this message"),
            Vec::new(),
        ),
    }
}

/// Most DKIM-Signature fields verified per message (a real message carries one to three:
/// the author's, an ESP's, a list's). Each one with its own `l=` makes mail-auth hash the
/// body again, so a crafted message of thousands would cost thousands of hashes.
pub const MAX_SIGNATURES: usize = 10;
/// Most ARC sets read (RFC 8617 §4.2.1: a chain of more than 50 fails).
const MAX_ARC_SETS: usize = 50;

/// The message with the DKIM-Signature fields beyond [`MAX_SIGNATURES`] (and ARC fields
/// beyond [`MAX_ARC_SETS`] sets) left out, and how many signatures were left out.
fn bounded(message: &[u8]) -> (std::borrow::Cow<'_, [u8]>, usize) {
    let open = crate::limits::Limits {
        max_header_bytes: usize::MAX,
        max_headers: usize::MAX,
        ..crate::limits::Limits::default()
    };
    let Ok(split) = crate::message::split(message, &open) else {
        return (message.into(), 0);
    };
    let (mut dkim, mut arc) = (0usize, 0usize);
    let mut drop: Vec<usize> = Vec::new();
    for (i, f) in split.fields.iter().enumerate() {
        if f.is("DKIM-Signature") {
            dkim += 1;
            if dkim > MAX_SIGNATURES {
                drop.push(i);
            }
        } else if f.is("ARC-Message-Signature")
            || f.is("ARC-Seal")
            || f.is("ARC-Authentication-Results")
        {
            arc += 1;
            if arc > 3 * MAX_ARC_SETS {
                drop.push(i);
            }
        }
    }
    if drop.is_empty() {
        return (message.into(), 0);
    }
    let mut out = Vec::with_capacity(message.len());
    let mut at = 0;
    for &i in &drop {
        let field = &split.fields[i];
        let start = field.offset;
        // The field and its line ending.
        let after = (start + field.raw.len()).min(message.len());
        let end = memchr::memchr(b'\n', &message[after..]).map_or(message.len(), |n| after + n + 1);
        out.extend_from_slice(&message[at..start]);
        at = end.max(start);
    }
    out.extend_from_slice(&message[at..]);
    (out.into(), dkim.saturating_sub(MAX_SIGNATURES))
}

fn verify(input: &Input<'_>, answers: &HashMap<Question, Answer>) -> (Verification, Vec<Question>) {
    let (bytes, left_out) = bounded(input.message);
    // Not strict: a signature with `l=` is verified and its unsigned tail reported, not
    // dropped (mail-auth's strict mode refuses `l=` outright).
    let Some(mut message) = AuthenticatedMessage::parse_with_opts(&bytes, None, false) else {
        return (
            Verification::not_performed("no header fields the verification could read"),
            Vec::new(),
        );
    };
    let caches = Caches {
        answers,
        wanted: RefCell::new(BTreeSet::new()),
        used: RefCell::new(BTreeSet::new()),
        client_ip: input.client_ip,
        exists_in_play: answers.values().any(|a| {
            a.qtype == QType::Txt
                && a.answers
                    .iter()
                    .any(|r| r.to_ascii_lowercase().contains("exists:"))
        }),
    };
    // Every key the signatures and seals name is needed: ask them in the first round.
    for key in message
        .dkim_headers
        .iter()
        .map(|h| key_name(&h.header.s, &h.header.d))
        .chain(
            message
                .ams_headers
                .iter()
                .map(|h| key_name(&h.header.s, &h.header.d)),
        )
        .chain(
            message
                .as_headers
                .iter()
                .map(|h| key_name(&h.header.s, &h.header.d)),
        )
    {
        if let Some(q) = Question::txt(&key)
            && !answers.contains_key(&q)
        {
            caches.wanted.borrow_mut().insert(q);
        }
    }
    // Expiry is judged against the delivery time below, not by mail-auth's clock.
    let windows: Vec<(u64, u64)> = message
        .dkim_headers
        .iter()
        .map(|h| (h.header.t, h.header.x))
        .collect();
    for h in message.dkim_headers.iter_mut() {
        h.header.x = 0;
    }
    let arc_expiry: Vec<u64> = message.ams_headers.iter().map(|h| h.header.x).collect();
    for h in message.ams_headers.iter_mut() {
        h.header.x = 0;
    }
    let Some(Ok(outcome)) = RUNTIME.with(|rt| {
        rt.as_ref()
            .map(|rt| Ok::<_, ()>(rt.block_on(checks(input, &message, &caches))))
    }) else {
        return (
            Verification::not_performed("no runtime for the verification on this thread"),
            Vec::new(),
        );
    };
    let (dkim_out, arc_out, spf, dmarc) = outcome;
    let from_domain = message
        .from
        .first()
        .and_then(|f| f.rsplit_once('@'))
        .map(|(_, d)| d.to_ascii_lowercase());
    let body_complete = input.body == Body::Complete;
    let mut dkim = Vec::new();
    for (i, out) in dkim_out.iter().enumerate() {
        let Some(sig) = out.signature() else {
            // A signature mail-auth could not parse.
            dkim.push(DkimCheck {
                signature: i,
                result: "permerror",
                reason: format!("the signature cannot be read: {}", error_text(out.result())),
                body_hash: "not checked",
                header_signature: "not checked",
                window: "delivery time unknown",
                algorithm: "unknown",
                ..DkimCheck::default()
            });
            continue;
        };
        let (t, x) = windows.get(i).copied().unwrap_or((sig.t, sig.x));
        dkim.push(dkim_check(
            i,
            sig,
            out.result(),
            (t, x),
            &message,
            body_complete,
            input,
            from_domain.as_deref(),
        ));
    }
    let arc = (!message.ams_headers.is_empty() || !message.as_headers.is_empty())
        .then(|| arc_check(&arc_out, &message, &arc_expiry, input, body_complete));
    let mut notes: Vec<String> = Vec::new();
    if left_out > 0 {
        notes.push(format!(
            "{left_out} DKIM-Signature fields beyond the first {MAX_SIGNATURES} were not verified"
        ));
    }
    let body_note = match input.body {
        Body::Complete => None,
        Body::OverCap { cap: 0, length } => Some(format!(
            "the body ({length} bytes) was not kept: body hashes not checked"
        )),
        Body::OverCap { cap, length } => Some(format!(
            "the body is {length} bytes, over the {cap}-byte cap: body hashes not checked"
        )),
    };
    notes.extend(body_note);
    let verification = Verification {
        performed: true,
        note: (!notes.is_empty()).then(|| notes.join("; ").into()),
        as_of: input.delivered_at.map(crate::date::rfc3339_utc),
        dkim,
        arc,
        spf,
        dmarc,
        lookups: caches.lookups(),
    };
    let wanted = caches.wanted.into_inner().into_iter().collect();
    (verification, wanted)
}

type Outcome<'x> = (
    Vec<mail_auth::DkimOutput<'x>>,
    mail_auth::ArcOutput<'x>,
    Vec<SpfCheck>,
    Option<DmarcCheck>,
);

/// The four checks, in the order each needs the one before.
async fn checks<'x>(
    input: &Input<'_>,
    message: &'x AuthenticatedMessage<'x>,
    caches: &'x Caches<'x>,
) -> Outcome<'x> {
    let auth = authenticator();
    let dkim = auth.verify_dkim(caches.params(message)).await;
    let arc = auth.verify_arc(caches.params(message)).await;
    let mut spf = Vec::new();
    let mut mail_from_spf: Option<SpfOutput> = None;
    let helo = input
        .helo
        .filter(|h| crate::dns::fqdn(h).is_some())
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase());
    if let Some(ip) = input.client_ip {
        let helo_name = helo.as_deref().unwrap_or("");
        if let Some(h) = helo.as_deref() {
            let out = auth
                .verify_spf(caches.params(SpfParameters::verify_ehlo(ip, h, input.receiver)))
                .await;
            spf.push(spf_check("helo", &out, ip));
        }
        if let Some(sender) = input.mail_from {
            // The null sender is checked as postmaster at the HELO name (RFC 7208 §2.4).
            let checkable = !sender.is_empty() || !helo_name.is_empty();
            if checkable {
                let out = auth
                    .verify_spf(caches.params(SpfParameters::verify_mail_from(
                        ip,
                        helo_name,
                        input.receiver,
                        sender,
                    )))
                    .await;
                spf.push(spf_check("mailfrom", &out, ip));
                mail_from_spf = Some(out);
            }
        }
    }
    let dmarc = if message.from.is_empty() {
        None
    } else {
        let mail_from_domain = input
            .mail_from
            .and_then(|m| m.rsplit_once('@'))
            .map_or("", |(_, d)| d);
        let spf_out = mail_from_spf.unwrap_or_else(|| SpfOutput::new(String::new()));
        let out = auth
            .verify_dmarc(caches.params(DmarcParameters::new(
                message,
                &dkim,
                mail_from_domain,
                &spf_out,
            )))
            .await;
        Some(dmarc_check(
            &out,
            input.mail_from.is_some() && input.client_ip.is_some(),
        ))
    };
    (dkim, arc, spf, dmarc)
}

/// `s._domainkey.d`.
fn key_name(selector: &str, domain: &str) -> String {
    format!("{selector}._domainkey.{domain}")
}

#[allow(clippy::too_many_arguments)]
fn dkim_check(
    index: usize,
    sig: &mail_auth::dkim::Signature,
    result: &DkimResult,
    (t, x): (u64, u64),
    message: &AuthenticatedMessage<'_>,
    body_complete: bool,
    input: &Input<'_>,
    from_domain: Option<&str>,
) -> DkimCheck {
    let key = key_name(&sig.s, &sig.d);
    let domain = sig.d.to_ascii_lowercase();
    let body_matches = body_hash_matches(message, sig.cb, sig.a, sig.l, &sig.bh);
    let window = window(t, x, input.delivered_at);
    let body_hash = match (body_complete, body_matches) {
        (false, _) => "not checked",
        (true, Some(true)) => "match",
        (true, Some(false)) => "mismatch",
        (true, None) => "not checked",
    };
    let (mut outcome, header_signature, mut reason): (&'static str, &'static str, String) =
        match result {
            DkimResult::Pass => ("pass", "valid", format!("the signature of {domain} verifies with the key at {key}")),
            DkimResult::None => ("none", "not checked", "nothing to check".into()),
            DkimResult::Neutral(e) | DkimResult::Fail(e) | DkimResult::PermError(e) | DkimResult::TempError(e) => {
                match e {
                    mail_auth::Error::Dkim(mail_auth::dkim::DkimError::FailedBodyHashMatch) if !body_complete => (
                        "unknown",
                        "not checked",
                        "the body is over the cap, so its hash could not be checked (body over cap)".into(),
                    ),
                    mail_auth::Error::Dkim(mail_auth::dkim::DkimError::FailedBodyHashMatch) => (
                        "fail",
                        "not checked",
                        format!("the body hash does not match: the body was changed after {domain} signed it"),
                    ),
                    mail_auth::Error::Dns(mail_auth::DnsError::RecordNotFound(_)) => (
                        "unknown",
                        "not checked",
                        format!("no key at {key} today: the selector was removed or never published (not evidence of forgery)"),
                    ),
                    mail_auth::Error::Dns(err) => (
                        "unknown",
                        "not checked",
                        format!("the key at {key} could not be read: {}", dns_error_text(err)),
                    ),
                    mail_auth::Error::Dkim(mail_auth::dkim::DkimError::RevokedPublicKey) => (
                        "unknown",
                        "not checked",
                        format!("the key at {key} is revoked today (empty p=); it may have been valid at delivery"),
                    ),
                    mail_auth::Error::Crypto(_) => (
                        "fail",
                        "invalid",
                        format!("the signature does not verify with the key at {key}: a signed header was changed, or the key is not the signer's"),
                    ),
                    mail_auth::Error::Dkim(mail_auth::dkim::DkimError::FailedAuidMatch) => (
                        "fail",
                        "not checked",
                        "the i= identity is not allowed by the key (t=s)".into(),
                    ),
                    other => ("permerror", "not checked", format!("the signature cannot be checked: {other}")),
                }
            }
        };
    if window == "expired before delivery" && outcome == "pass" {
        outcome = "neutral";
        reason = format!(
            "{reason}, but it had expired (x={}) before delivery ({})",
            crate::date::rfc3339_utc(x as i64),
            input
                .delivered_at
                .map(crate::date::rfc3339_utc)
                .unwrap_or_default()
        );
    }
    let aligned_with_from = from_domain.is_some_and(|f| {
        f == domain
            || crate::domain::registrable(f)
                .is_some_and(|r| crate::domain::registrable(&domain) == Some(r))
    });
    DkimCheck {
        signature: index,
        domain,
        selector: sig.s.clone(),
        algorithm: match sig.a {
            mail_auth::common::crypto::Algorithm::RsaSha1 => "rsa-sha1",
            mail_auth::common::crypto::Algorithm::RsaSha256 => "rsa-sha256",
            mail_auth::common::crypto::Algorithm::Ed25519Sha256 => "ed25519-sha256",
        },
        signed_headers: sig.h.clone(),
        body_length: (sig.l > 0).then_some(sig.l),
        signed_at: (t > 0).then(|| crate::date::rfc3339_utc(t as i64)),
        expires_at: (x > 0).then(|| crate::date::rfc3339_utc(x as i64)),
        result: outcome,
        reason,
        body_hash,
        header_signature,
        window,
        aligned_with_from,
    }
}

/// Whether the body hash computed for the signature's canonicalization, algorithm and
/// length is the one it carries (`None` when mail-auth computed none for it).
fn body_hash_matches(
    message: &AuthenticatedMessage<'_>,
    cb: mail_auth::dkim::Canonicalization,
    a: mail_auth::common::crypto::Algorithm,
    l: u64,
    bh: &[u8],
) -> Option<bool> {
    let ha = mail_auth::common::crypto::HashAlgorithm::from(a);
    message
        .body_hashes
        .iter()
        .find(|(c, h, len, _)| *c == cb && *h == ha && *len == l)
        .map(|(_, _, _, hash)| hash.as_slice() == bh)
}

/// The `t=`/`x=` window against the delivery time.
fn window(t: u64, x: u64, delivered_at: Option<i64>) -> &'static str {
    if x == 0 {
        return "no expiry";
    }
    let Some(at) = delivered_at else {
        return "delivery time unknown";
    };
    let x = i64::try_from(x).unwrap_or(i64::MAX);
    let _ = t;
    if x <= at {
        "expired before delivery"
    } else {
        "valid at delivery"
    }
}

fn arc_check(
    out: &mail_auth::ArcOutput<'_>,
    message: &AuthenticatedMessage<'_>,
    arc_expiry: &[u64],
    input: &Input<'_>,
    body_complete: bool,
) -> ArcCheck {
    let instances: Vec<ArcInstance> = message
        .as_headers
        .iter()
        .map(|seal| {
            let i = seal.header.i;
            let ams = message.ams_headers.iter().find(|h| h.header.i == i);
            let aar = message.aar_headers.iter().find(|h| h.header.i == i);
            ArcInstance {
                instance: i,
                cv: match seal.header.cv {
                    mail_auth::arc::ChainValidation::None => "none",
                    mail_auth::arc::ChainValidation::Pass => "pass",
                    mail_auth::arc::ChainValidation::Fail => "fail",
                },
                seal_domain: seal.header.d.to_ascii_lowercase(),
                seal_selector: seal.header.s.clone(),
                signature_domain: ams
                    .map(|a| a.header.d.to_ascii_lowercase())
                    .unwrap_or_default(),
                authserv_id: aar.and_then(|a| {
                    super::results::parse(&String::from_utf8_lossy(a.value)).authserv_id
                }),
            }
        })
        .collect();
    let last_expiry = arc_expiry.last().copied().unwrap_or(0);
    let expired = window(0, last_expiry, input.delivered_at) == "expired before delivery";
    let (result, reason): (&'static str, String) = match out.result() {
        DkimResult::Pass if expired => (
            "neutral",
            "the chain verifies, but its newest message signature had expired before delivery".into(),
        ),
        DkimResult::Pass => (
            "pass",
            format!("all {} instances verify: every seal and the newest message signature", instances.len()),
        ),
        DkimResult::None => ("none", "no ARC chain".into()),
        DkimResult::Neutral(mail_auth::Error::Arc(mail_auth::arc::ArcError::FailedBodyHashMatch))
            if !body_complete =>
        {
            ("unknown", "the body is over the cap, so the newest message signature's body hash could not be checked".into())
        }
        DkimResult::Neutral(e) | DkimResult::Fail(e) => match e {
            mail_auth::Error::Dns(err) => ("unknown", format!("a key could not be read: {}", dns_error_text(err))),
            other => ("fail", format!("the chain does not verify: {other}")),
        },
        DkimResult::PermError(e) | DkimResult::TempError(e) => match e {
            mail_auth::Error::Dns(mail_auth::DnsError::RecordNotFound(_)) => (
                "unknown",
                "a sealer's key no longer exists (not evidence of forgery)".into(),
            ),
            mail_auth::Error::Dns(err) => ("unknown", format!("a key could not be read: {}", dns_error_text(err))),
            other => ("fail", format!("the chain cannot be checked: {other}")),
        },
    };
    ArcCheck {
        result,
        reason,
        instances,
    }
}

fn spf_check(identity: &'static str, out: &SpfOutput, ip: IpAddr) -> SpfCheck {
    let domain = out.domain().to_ascii_lowercase();
    let (result, reason): (&'static str, String) = match out.result() {
        SpfResult::Pass => ("pass", format!("{domain} permits {ip}")),
        SpfResult::Fail => ("fail", format!("{domain} does not permit {ip} (-all)")),
        SpfResult::SoftFail => (
            "softfail",
            format!("{domain} says {ip} is probably not permitted (~all)"),
        ),
        SpfResult::Neutral => (
            "neutral",
            format!("{domain} says nothing about {ip} (?all)"),
        ),
        SpfResult::None => ("none", format!("{domain} publishes no SPF record")),
        SpfResult::PermError => (
            "permerror",
            format!("the SPF record of {domain} is broken or needs too many lookups"),
        ),
        SpfResult::TempError => (
            "unknown",
            format!("a lookup for the SPF record of {domain} failed (temperror; not evidence)"),
        ),
    };
    SpfCheck {
        identity,
        domain,
        ip: ip.to_string(),
        result,
        reason,
    }
}

fn dmarc_check(out: &mail_auth::DmarcOutput, spf_checked: bool) -> DmarcCheck {
    let side = |r: &DmarcResult| -> &'static str {
        match r {
            DmarcResult::Pass => "pass",
            DmarcResult::Fail(_) => "fail",
            DmarcResult::TempError(_) => "unknown",
            DmarcResult::PermError(_) => "permerror",
            DmarcResult::None => "none",
        }
    };
    let dkim = side(out.dkim_result());
    let spf = if spf_checked {
        side(out.spf_result())
    } else {
        "unknown"
    };
    let policy = match out.dmarc_record().map(|r| r.p) {
        Some(mail_auth::dmarc::Policy::None) => "none",
        Some(mail_auth::dmarc::Policy::Quarantine) => "quarantine",
        Some(mail_auth::dmarc::Policy::Reject) => "reject",
        Some(mail_auth::dmarc::Policy::Unspecified) | None => "unspecified",
    };
    let domain = out.domain().to_ascii_lowercase();
    let temp = matches!(out.dkim_result(), DmarcResult::TempError(_))
        || matches!(out.spf_result(), DmarcResult::TempError(_));
    let (result, reason): (&'static str, String) = if out.dmarc_record().is_none() {
        if temp {
            (
                "unknown",
                format!("the DMARC record of {domain} could not be read (not evidence)"),
            )
        } else {
            ("none", format!("{domain} publishes no DMARC policy"))
        }
    } else if dkim == "pass" || spf == "pass" {
        (
            "pass",
            format!(
                "an aligned {} passed for {domain}",
                if dkim == "pass" {
                    "DKIM signature"
                } else {
                    "SPF check"
                }
            ),
        )
    } else if temp {
        (
            "unknown",
            format!("a lookup failed while checking {domain}'s alignment (not evidence)"),
        )
    } else if !spf_checked && dkim != "pass" {
        (
            "unknown",
            format!(
                "no aligned DKIM signature passed, and SPF could not be checked (no entry hop client or envelope sender) for {domain}"
            ),
        )
    } else {
        (
            "fail",
            format!(
                "neither an aligned DKIM signature nor an aligned SPF pass for {domain} (policy {policy})"
            ),
        )
    };
    DmarcCheck {
        domain,
        policy,
        result,
        dkim,
        spf,
        reason,
    }
}

fn error_text(r: &DkimResult) -> String {
    match r {
        DkimResult::Neutral(e)
        | DkimResult::Fail(e)
        | DkimResult::PermError(e)
        | DkimResult::TempError(e) => e.to_string(),
        DkimResult::Pass => "pass".into(),
        DkimResult::None => "none".into(),
    }
}

fn dns_error_text(e: &mail_auth::DnsError) -> String {
    match e {
        mail_auth::DnsError::Resolver(why) => why.clone(),
        other => other.to_string(),
    }
}

/// Our answers as mail-auth's caches, and the questions it asked that we had no answer
/// for.
struct Caches<'a> {
    answers: &'a HashMap<Question, Answer>,
    wanted: RefCell<BTreeSet<Question>>,
    used: RefCell<BTreeSet<Question>>,
    client_ip: Option<IpAddr>,
    /// An SPF record read so far has an `exists:` mechanism. mail-auth's `exists` takes any
    /// cached address set, even an empty one, as "the name exists", so a name DNS denied
    /// is then left to its resolver (which has no servers: the check is `unknown`) rather
    /// than handed over as an empty set (a false match).
    exists_in_play: bool,
}

/// Why a question was left open (mail-auth then reports a temporary error).
const NOT_ANSWERED: &str = "not asked (the message's lookup cap, or no DNS)";

impl<'a> Caches<'a> {
    fn params<P>(&self, p: P) -> Parameters<'_, P, Self, Self, Self, Self, Self> {
        Parameters::new(p)
            .with_txt_cache(self)
            .with_mx_cache(self)
            .with_ipv4_cache(self)
            .with_ipv6_cache(self)
            .with_ptr_cache(self)
    }

    /// The answer to a question, noting it as used, or as wanted when we have none.
    fn answer(&self, name: String, qtype: QType) -> Option<&'a Answer> {
        let q = Question {
            name: crate::dns::fqdn(&name)?,
            qtype,
        };
        match self.answers.get(&q) {
            Some(a) => {
                self.used.borrow_mut().insert(q);
                Some(a)
            }
            None => {
                self.wanted.borrow_mut().insert(q);
                None
            }
        }
    }

    /// An address answer as mail-auth's record set: `None` for a failure, and for a denial
    /// while an `exists:` mechanism may be asking (see [`Caches::exists_in_play`]).
    fn addresses<T: std::str::FromStr>(&self, a: &Answer) -> Option<RecordSet<T>> {
        let found: Vec<T> = a.answers.iter().filter_map(|r| r.parse().ok()).collect();
        if a.rcode.is_failure() || (found.is_empty() && self.exists_in_play) {
            return None;
        }
        Some(records(found))
    }

    fn lookups(&self) -> Vec<LookupUsed> {
        let mut out: Vec<LookupUsed> = self
            .used
            .borrow()
            .iter()
            .filter_map(|q| self.answers.get(q))
            .map(|a| LookupUsed {
                name: a.name.clone(),
                qtype: a.qtype.as_str(),
                rcode: a.rcode.as_str(),
                asked_at: a.asked_at.clone(),
            })
            .collect();
        out.sort();
        out
    }
}

/// The name mail-auth looks up, read back from the key it hashes: its caches are keyed by
/// `str` (and `IpAddr`), and a generic key can only be seen through its `Hash`.
#[derive(Default)]
struct KeyBytes(Vec<u8>);

impl Hasher for KeyBytes {
    fn write(&mut self, bytes: &[u8]) {
        if self.0.len() < 1024 {
            self.0.extend_from_slice(bytes);
        }
    }
    fn finish(&self) -> u64 {
        0
    }
}

/// The name a `str` key spells (`str` hashes its bytes and then `0xff`).
fn key_text<Q: Hash + ?Sized>(key: &Q) -> String {
    let mut bytes = KeyBytes::default();
    key.hash(&mut bytes);
    if bytes.0.last() == Some(&0xff) {
        bytes.0.pop();
    }
    String::from_utf8_lossy(&bytes.0).to_ascii_lowercase()
}

/// True when the key is `ip` (compared through their hashes' bytes).
fn key_is_ip<Q: Hash + ?Sized>(key: &Q, ip: IpAddr) -> bool {
    let (mut a, mut b) = (KeyBytes::default(), KeyBytes::default());
    key.hash(&mut a);
    ip.hash(&mut b);
    a.0 == b.0
}

fn failure(a: &Answer) -> mail_auth::Error {
    mail_auth::Error::Dns(match a.rcode {
        Rcode::NxDomain => mail_auth::DnsError::RecordNotFound(ResponseCode::NXDomain),
        Rcode::NoError => mail_auth::DnsError::RecordNotFound(ResponseCode::NoError),
        other => mail_auth::DnsError::Resolver(format!(
            "{}{}",
            other.as_str(),
            a.error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        )),
    })
}

/// A TXT answer as the record type its name holds.
fn txt_value(name: &str, a: &Answer) -> Txt {
    if a.rcode != Rcode::NoError || a.answers.is_empty() {
        return Txt::Error(failure(a));
    }
    fn first<T: TxtRecordParser + Into<Txt>>(records: &[String]) -> Txt {
        let mut result: mail_auth::Result<T> = Err(mail_auth::Error::Dns(
            mail_auth::DnsError::InvalidRecordType,
        ));
        for r in records {
            result = T::parse(r.as_bytes());
            if result.is_ok() {
                break;
            }
        }
        result.into()
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.contains(&"_domainkey") {
        if labels.first() == Some(&"_report") {
            first::<DomainKeyReport>(&a.answers)
        } else {
            first::<DomainKey>(&a.answers)
        }
    } else if labels.contains(&"_atps") {
        first::<Atps>(&a.answers)
    } else if labels.first() == Some(&"_dmarc") {
        first::<Dmarc>(&a.answers)
    } else {
        first::<Spf>(&a.answers)
    }
}

/// Implements one of mail-auth's cache traits on [`Caches`]: `get` answers from our
/// answers, nothing is ever stored (our own cache and recording are the resolver's).
macro_rules! cache_of {
    ($key:ty, $value:ty, |$caches:ident, $q:ident| $get:expr) => {
        impl ResolverCache<$key, $value> for Caches<'_> {
            fn get<Q>(&self, $q: &Q) -> Option<$value>
            where
                $key: Borrow<Q>,
                Q: Hash + Eq + ?Sized,
            {
                let $caches = self;
                $get
            }
            fn remove<Q>(&self, _: &Q) -> Option<$value>
            where
                $key: Borrow<Q>,
                Q: Hash + Eq + ?Sized,
            {
                None
            }
            fn insert(&self, _: $key, _: $value, _: std::time::Instant) {}
        }
    };
}

cache_of!(Box<str>, Txt, |caches, key| {
    let name = key_text(key);
    Some(match caches.answer(name.clone(), QType::Txt) {
        Some(a) => txt_value(&name, a),
        None => Txt::Error(mail_auth::Error::Dns(mail_auth::DnsError::Resolver(
            NOT_ANSWERED.into(),
        ))),
    })
});

cache_of!(Box<str>, RecordSet<MX>, |caches, key| {
    let a = caches.answer(key_text(key), QType::Mx)?;
    if a.rcode.is_failure() {
        return None;
    }
    let mut rrset: Vec<MX> = Vec::new();
    for record in &a.answers {
        let Some((pref, host)) = record.split_once(' ') else {
            continue;
        };
        rrset.push(MX {
            exchanges: vec![Box::<str>::from(format!("{host}."))].into_boxed_slice(),
            preference: pref.parse().unwrap_or(u16::MAX),
        });
    }
    rrset.sort_by_key(|m| m.preference);
    Some(records(rrset))
});

cache_of!(Box<str>, RecordSet<Ipv4Addr>, |caches, key| {
    let a = caches.answer(key_text(key), QType::A)?;
    caches.addresses(a)
});

cache_of!(Box<str>, RecordSet<Ipv6Addr>, |caches, key| {
    let a = caches.answer(key_text(key), QType::Aaaa)?;
    caches.addresses(a)
});

cache_of!(IpAddr, RecordSet<Box<str>>, |caches, key| {
    // SPF's `ptr` asks for the client's name only.
    let ip = caches.client_ip.filter(|ip| key_is_ip(key, *ip))?;
    let q = Question::ptr(ip);
    let Some(a) = caches.answers.get(&q) else {
        caches.wanted.borrow_mut().insert(q);
        return None;
    };
    caches.used.borrow_mut().insert(q);
    (!a.rcode.is_failure()).then(|| {
        records(
            a.answers
                .iter()
                .map(|n| Box::<str>::from(format!("{n}.")))
                .collect(),
        )
    })
});

fn records<T>(rrset: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(rrset),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_beyond_the_bound_are_left_out_with_their_line_endings() {
        let mut m = String::new();
        for i in 0..(MAX_SIGNATURES + 3) {
            m.push_str(&format!(
                "DKIM-Signature: v=1; d=x.example; s=s{i};\r\n\tl={i}; b=AA==\r\n"
            ));
        }
        m.push_str("From: a@x.example\r\n\r\nbody\r\n");
        let (kept, left_out) = bounded(m.as_bytes());
        assert_eq!(left_out, 3);
        let kept = String::from_utf8(kept.into_owned()).unwrap();
        assert_eq!(kept.matches("DKIM-Signature:").count(), MAX_SIGNATURES);
        assert!(
            kept.ends_with("s=s9;\r\n\tl=9; b=AA==\r\nFrom: a@x.example\r\n\r\nbody\r\n"),
            "{kept}"
        );
        let plain = b"From: a@x.example\n\nbody\n";
        assert!(matches!(bounded(plain).0, std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn mbox_quoting_is_undone_one_level() {
        let mut out = Vec::new();
        unquote_mbox_from(b">From a\n>>From b\n> From c\nFrom d\n", &mut out);
        assert_eq!(out, b"From a\n>From b\n> From c\nFrom d\n");
    }

    #[test]
    fn the_window_is_judged_at_delivery() {
        assert_eq!(window(0, 0, Some(10)), "no expiry");
        assert_eq!(window(0, 100, Some(10)), "valid at delivery");
        assert_eq!(window(0, 100, Some(100)), "expired before delivery");
        assert_eq!(window(0, 100, None), "delivery time unknown");
    }
}
