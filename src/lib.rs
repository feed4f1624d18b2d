//! hopsleuth: email header forensics.
//!
//! Give it a message, get back a [`Report`]: the envelope, the key headers and the Received
//! chain rebuilt hop by hop in chronological order, with the findings of the checks, a score
//! and a verdict. The library never prints and never touches the network.
//!
//! ```
//! let msg = b"Received: from a.example (a.example [192.0.2.1]) by mx.b.example (Postfix) \
//! with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000 (UTC)\nFrom: x@a.example\n\nhi\n";
//! let report = hopsleuth::analyze(msg, &hopsleuth::Options::default()).unwrap();
//! assert_eq!(report.hops[0].from.ip, Some("192.0.2.1".parse().unwrap()));
//! assert_eq!(report.hops[0].by.host.as_deref(), Some("mx.b.example"));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod auth;
pub mod chain;
pub mod config;
pub mod date;
pub mod dns;
pub mod domain;
pub mod filter;
pub mod limits;
pub mod mbox;
pub mod message;
pub mod netclass;
pub mod profiles;
pub mod received;
pub mod report;
pub mod resolver;
pub mod rules;
pub mod scan;
pub mod small_map;
pub mod text;

// Whole-message helpers for the rules' unit tests; outside `rules/`, because running a
// message through DNS replay needs the resolver, which no rule may import.
#[cfg(test)]
mod test_support;

pub use limits::Limits;
pub use message::envelope::EnvelopeOverride;
pub use report::{Report, Source, Verdict};
pub use rules::Finding;

use message::MessageInfo;
use report::SCHEMA;

/// What the analysis is allowed to do and told in advance.
///
/// Every value a caller can put here is safe: limits at 0 or `usize::MAX` (see [`Limits`]),
/// a clock skew outside 0 to a year (clamped, [`rules::CheckSettings::clock_skew`]), DNS
/// freshness at either end of `i64`, scores and bands that are NaN or infinite (they give
/// meaningless verdicts, not panics; the configuration file refuses them), and an entry hop
/// past the last hop handed to the planner or the rules (every hop is then outside).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Bounds on parsing.
    pub limits: Limits,
    /// Envelope values given by the caller (they win over the message's own).
    pub envelope: EnvelopeOverride,
    /// Which hosts and networks are ours: where the trust boundary lies.
    pub trust: chain::trust::TrustConfig,
    /// Tolerances, score overrides and verdict bands.
    pub checks: rules::CheckSettings,
    /// Verify DKIM, ARC, SPF and DMARC when DNS answers are at hand: [`prepare`] then
    /// keeps each message's header block and the first `limits.max_body_bytes` of its body.
    /// Off in [`Options::default`] (no copy of the body, nothing verified); the binary turns
    /// it on with DNS unless told `--no-verify`.
    pub verify: bool,
    /// Keep each message's header block and SHA-256 in [`Report::original`], for the
    /// reports a person reads (HTML, Markdown). Off by default: a scan hashes nothing.
    pub keep_original: bool,
}

/// Why a message could not be analysed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalyzeError {
    /// The input is not a mail message, or is over the limits.
    #[error(transparent)]
    NotMail(#[from] message::SplitError),
}

/// Analyses one message without DNS. The source in the report is `-`; set it with
/// [`Report::source`].
pub fn analyze(input: &[u8], options: &Options) -> Result<Report, AnalyzeError> {
    Ok(prepare(input, options)?.finish(None, options))
}

/// Analyses one message with DNS evidence from `dns` (looked up before the rules run).
pub fn analyze_with_dns(
    input: &[u8],
    options: &Options,
    dns: &resolver::Dns,
) -> Result<Report, AnalyzeError> {
    let mut prepared = prepare(input, options)?;
    let answers = resolver::resolve_batch(
        &[prepared.dns_subject()],
        dns,
        options.limits.max_dns_lookups,
    );
    prepared.verify(dns, options);
    Ok(prepared.finish(answers.first(), options))
}

/// Finishes prepared messages, in parallel, and returns their reports in order. With a
/// resolver, all their DNS questions are asked together first (each distinct question
/// once); messages that could not be prepared keep their error.
pub fn finish_all<E: Send>(
    prepared: Vec<Result<Prepared, E>>,
    options: &Options,
    dns: Option<&resolver::Dns>,
) -> Vec<Result<Report, E>> {
    let keyed = prepared.into_iter().map(|p| p.map(|p| (p, ()))).collect();
    finish_each(keyed, options, dns, |r| r.map(|(report, ())| report))
}

/// [`finish_all`] for callers that carry something along with each message (`K`, e.g. its
/// source) and do more with each result on the worker that finished it (`then`, e.g.
/// writing the report's line while it is fresh). This is the one place a batch's messages
/// are paired with their DNS answers; `scan` finishes its batches here too.
pub fn finish_each<K: Send, E: Send, T: Send>(
    prepared: Vec<Result<(Prepared, K), E>>,
    options: &Options,
    dns: Option<&resolver::Dns>,
    then: impl Fn(Result<(Report, K), E>) -> T + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let mut answers = match dns {
        Some(dns) => {
            let subjects: Vec<_> = prepared
                .iter()
                .filter_map(|p| p.as_ref().ok().map(|(p, _)| p.dns_subject()))
                .collect();
            resolver::resolve_batch(&subjects, dns, options.limits.max_dns_lookups)
        }
        None => Vec::new(),
    }
    .into_iter();
    // The authentication checks of the batch, their questions asked together.
    let mut prepared = prepared;
    if let Some(dns) = dns {
        let mut batch: Vec<&mut Prepared> = prepared
            .iter_mut()
            .filter_map(|p| p.as_mut().ok().map(|(p, _)| p))
            .collect();
        verify_all(&mut batch, dns, options);
    }
    // One answer set per prepared message, in order (none without a resolver).
    let jobs: Vec<_> = prepared
        .into_iter()
        .map(|p| {
            let a = p.is_ok().then(|| answers.next()).flatten();
            (p, a)
        })
        .collect();
    jobs.into_par_iter()
        .map(|(p, a)| then(p.map(|(p, k)| (p.finish(a.as_ref(), options), k))))
        .collect()
}

/// Verifies the authentication of prepared messages together (their DNS questions asked
/// in shared rounds, see [`resolver::verify_auth`]); each keeps its result for
/// [`Prepared::finish`] and drops its kept body.
pub fn verify_all(prepared: &mut [&mut Prepared], dns: &resolver::Dns, options: &Options) {
    let results = {
        let inputs: Vec<Option<auth::verify::Input<'_>>> =
            prepared.iter().map(|p| p.auth_input(options)).collect();
        if inputs.iter().all(Option::is_none) {
            return;
        }
        resolver::verify_auth(dns, &inputs, options.limits.max_dns_lookups)
    };
    for (p, v) in prepared.iter_mut().zip(results) {
        if v.is_some() {
            p.verification = v;
        }
        // The bytes are not needed any more; a batch holds reports, not bodies.
        p.kept = None;
    }
}

/// A message parsed and its chain rebuilt, waiting for its DNS answers and the rules.
///
/// Batches prepare every message first, resolve all their questions together (each
/// distinct question once, concurrently), then finish each message.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Layout facts.
    pub message: MessageInfo,
    envelope: message::envelope::Envelope,
    headers: message::headers::KeyHeaders,
    hops: Vec<chain::hop::Hop>,
    chain: chain::ChainSummary,
    trust: chain::trust::TrustReport,
    links: Vec<chain::continuity::Link>,
    /// What the trust walk read besides the hops (the recipients among it), kept to walk
    /// again once DNS has said whether the reverse names it trusted resolve back.
    hints: chain::trust::TrustHints,
    /// The message as the authentication checks read it, when kept for them.
    kept: Option<KeptMessage>,
    /// Our verification of DKIM, ARC, SPF and DMARC, once run.
    verification: Option<auth::verify::Verification>,
    /// The header block and digest, when [`Options::keep_original`] asks.
    original: Option<message::original::Original>,
}

/// A message's header block and the first bytes of its body, for DKIM.
#[derive(Debug, Clone)]
struct KeptMessage {
    bytes: Vec<u8>,
    body: auth::verify::Body,
}

/// [`prepare`] for a message as [`mbox::Reader`] read it: its header block, and the count
/// of bytes after it, which the body length includes.
pub fn prepare_read(raw: &mbox::RawMessage, options: &Options) -> Result<Prepared, AnalyzeError> {
    let mut prepared = prepare(&raw.header, options)?;
    prepared.count_bytes_after_header(raw.body_len);
    prepared.original_streamed(raw.digest.as_ref(), raw.body_len);
    match &raw.body {
        Some(body) => prepared.keep_parts(&raw.header, body, raw.body_len, true),
        // Verifying, but the reader kept no body (the filter streams it through): a body
        // hash over nothing would read as a changed body, so say it was not kept.
        None if prepared.kept.is_some() => {
            prepared.keep_parts(&raw.header, &[], raw.body_len, false)
        }
        None => {}
    }
    Ok(prepared)
}

/// Parses a message and rebuilds its chain and trust boundary.
pub fn prepare(input: &[u8], options: &Options) -> Result<Prepared, AnalyzeError> {
    let limits = &options.limits;
    // The mbox `From ` line is bounded alone by the header limit, as the reader keeps it.
    if input.starts_with(b"From ") {
        let line = memchr::memchr(b'\n', input).map_or(input.len(), |i| i + 1);
        if line > limits.max_header_bytes {
            return Err(message::SplitError::HeaderTooLarge {
                limit: limits.max_header_bytes,
            }
            .into());
        }
    }
    let split = message::split(input, limits)?;
    // An mbox `From ` line with nothing after it is not a message.
    if split.fields.is_empty() {
        return Err(message::SplitError::Empty.into());
    }
    let received_fields: Vec<&message::Field<'_>> =
        split.fields.iter().filter(|f| f.is("Received")).collect();
    let skipped = received_fields.len().saturating_sub(limits.max_hops);
    let parsed: Vec<(usize, &[u8], received::Received<'_>)> = received_fields
        .iter()
        .take(limits.max_hops)
        .enumerate()
        .map(|(i, f)| (i, f.value, received::parse(f.value, limits)))
        .collect();
    let in_header_order: Vec<&received::Received<'_>> = parsed.iter().map(|(_, _, r)| r).collect();
    let envelope = message::envelope::envelope(
        &split.fields,
        &in_header_order,
        split.mbox_from,
        &options.envelope,
    );
    let headers = message::headers::key_headers(&split.fields);
    let (mut hops, summary) = chain::build(&parsed, skipped);

    let hints = chain::trust::hints(&split.fields, &headers.authentication_results, &envelope);
    let (details, trust) = chain::trust::walk(&hops, &options.trust, &hints);
    chain::trust::apply(&mut hops, &details);
    let links = chain::continuity::links(&hops);
    // Header blocks are nearly always ASCII: one pass over the span of the fields says so,
    // and only the others are checked field by field.
    let fields_span = match (split.fields.first(), split.fields.last()) {
        (Some(first), Some(last)) => &input[first.offset..last.offset + last.raw.len()],
        _ => &[][..],
    };
    let lossy = !fields_span.is_ascii()
        && split
            .fields
            .iter()
            .any(|f| std::str::from_utf8(f.raw).is_err());
    let mut prepared = Prepared {
        message: MessageInfo {
            header_bytes: split.header_bytes,
            header_count: split.fields.len(),
            received_count: received_fields.len(),
            body_offset: split.body_offset,
            body_length: split.body_len,
            line_endings: split.line_endings,
            no_separator: split.no_separator,
            lossy,
        },
        envelope,
        headers,
        hops,
        chain: summary,
        trust,
        links,
        hints,
        kept: None,
        verification: None,
        original: options
            .keep_original
            .then(|| message::original::Original::of_whole(input, split.body_offset)),
    };
    if options.verify {
        prepared.keep_message(input, limits.max_body_bytes);
    }
    Ok(prepared)
}

impl Prepared {
    /// Keeps the message for the authentication checks: its header block and at most
    /// `cap` bytes of its body. `input` is the whole message, as given to [`prepare`].
    pub fn keep_message(&mut self, input: &[u8], cap: usize) {
        let start = self.message.body_offset.min(input.len());
        let (header, body) = input.split_at(start);
        let body_len = body.len() as u64;
        let from_mbox = input.starts_with(b"From ");
        self.keep_parts(header, &body[..body.len().min(cap)], body_len, from_mbox);
    }

    /// Keeps a header block (an mbox `From ` line at its start is left out) and the kept
    /// start of a body `body_length` bytes long. A body out of a mailbox has its `>From `
    /// lines unquoted (the mailbox's quoting, not the sender's text).
    pub fn keep_parts(&mut self, header: &[u8], body: &[u8], body_length: u64, from_mbox: bool) {
        let header = match header.strip_prefix(b"From ") {
            Some(_) => memchr::memchr(b'\n', header).map_or(&[][..], |nl| &header[nl + 1..]),
            None => header,
        };
        let mut bytes = Vec::with_capacity(header.len() + body.len());
        bytes.extend_from_slice(header);
        if from_mbox {
            auth::verify::unquote_mbox_from(body, &mut bytes);
        } else {
            bytes.extend_from_slice(body);
        }
        let kept_body = (bytes.len() - header.len()) as u64;
        let complete = body.len() as u64 >= body_length;
        self.kept = Some(KeptMessage {
            bytes,
            body: if complete {
                auth::verify::Body::Complete
            } else {
                auth::verify::Body::OverCap {
                    cap: kept_body,
                    length: body_length,
                }
            },
        });
    }

    /// Verifies DKIM, ARC, SPF and DMARC with `dns` (see [`resolver::verify_auth`]), when
    /// the message was kept for it and verification is on. A batch verifies together with
    /// [`verify_all`].
    pub fn verify(&mut self, dns: &resolver::Dns, options: &Options) {
        verify_all(&mut [self], dns, options);
    }

    /// What the verification is given, when the message was kept for it.
    fn auth_input(&self, options: &Options) -> Option<auth::verify::Input<'_>> {
        if !options.verify {
            return None;
        }
        let kept = self.kept.as_ref()?;
        let entry = self.trust.entry_hop.and_then(|i| self.hops.get(i));
        Some(auth::verify::Input {
            message: &kept.bytes,
            body: kept.body,
            client_ip: entry.and_then(|e| e.from.ip),
            helo: entry.and_then(|e| e.helo_name()),
            mail_from: self.envelope.mail_from.as_ref().map(|m| m.value.as_str()),
            receiver: entry
                .and_then(|e| e.by.host.as_deref())
                .unwrap_or("unknown"),
            delivered_at: entry.or(self.hops.last()).and_then(|h| h.timestamp),
        })
    }

    /// For a message whose body the reader streamed past ([`prepare`] saw the header
    /// block only, and hashed just that): the digest is the one the reader computed over
    /// the whole message, or, when it computed none, the header block's (said so: not
    /// `whole` unless there is no body).
    pub fn original_streamed(
        &mut self,
        digest: Option<&message::original::StreamDigest>,
        body_len: u64,
    ) {
        let Some(original) = &mut self.original else {
            return;
        };
        match digest {
            Some(d) => {
                original.sha256.clone_from(&d.sha256);
                original.digest_bytes = d.bytes;
                original.whole = d.whole;
            }
            None => original.whole = body_len == 0,
        }
    }

    /// Adds to the body length the bytes a reader counted after the header block it kept.
    pub fn count_bytes_after_header(&mut self, bytes: u64) {
        let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        self.message.body_length = self.message.body_length.saturating_add(bytes);
    }

    /// Walks the trust boundary again when DNS does not resolve a reverse name it trusted
    /// back to its hop's address: a name the address's owner wrote into his PTR makes
    /// nobody ours. Only for a fresh message (received within `dns_fresh_days` of the
    /// lookup): records change, and an old one's names may have moved since. A DNS failure
    /// says nothing and changes nothing.
    fn confirm_reverse_names(&mut self, dns: &dns::plan::MessageDns, options: &Options) {
        if self.trust.rdns_trusted.is_empty() {
            return;
        }
        // Our side's receipt: the topmost dated hop.
        let received = self.hops.iter().rev().find_map(|h| h.timestamp);
        let fresh = |asked: i64| {
            received
                .is_none_or(|ts| asked.saturating_sub(ts) / 86_400 <= options.checks.dns_fresh_days)
        };
        let unconfirmed: Vec<usize> = self
            .trust
            .rdns_trusted
            .iter()
            .copied()
            .filter(|&i| {
                self.hops
                    .get(i)
                    .and_then(|hop| dns::plan::rdns_confirmed(dns, hop))
                    .is_some_and(|(confirmed, asked)| !confirmed && fresh(asked))
            })
            .collect();
        if unconfirmed.is_empty() {
            return;
        }
        let (details, trust) =
            chain::trust::walk_confirmed(&self.hops, &options.trust, &self.hints, &unconfirmed);
        chain::trust::apply(&mut self.hops, &details);
        self.trust = trust;
    }

    /// DNS as a witness of the links: the receiver host a line names has (or has not) the
    /// address the next receiver recorded. Only what DNS settles changes: a verified link
    /// stays verified unless DNS contradicts it.
    fn apply_dns_witnesses(&mut self, dns: &dns::plan::MessageDns, options: &Options) {
        let received_at = self
            .trust
            .entry_hop
            .and_then(|i| self.hops.get(i))
            .or(self.hops.last())
            .and_then(|h| h.timestamp);
        for l in &mut self.links {
            let (Some(older), Some(newer)) = (self.hops.get(l.from_hop), self.hops.get(l.to_hop))
            else {
                continue;
            };
            if let Some((witness, note)) =
                dns.link_witness(older, newer, received_at, options.checks.dns_fresh_days)
                && (witness == chain::continuity::Witness::Contradicted
                    || l.witness != chain::continuity::Witness::Contradicted)
            {
                l.witness = witness;
                l.witness_source = Some("dns");
                l.witness_note = Some(note);
            }
        }
    }

    /// What this message's DNS checks may ask about.
    pub fn dns_subject(&self) -> dns::plan::Subject<'_> {
        dns::plan::Subject {
            hops: &self.hops,
            entry_hop: self.trust.entry_hop,
            recipients: &self.hints.recipients,
            rdns_trusted: &self.trust.rdns_trusted,
        }
    }

    /// Runs the rules (with the message's DNS answers, when there are any) and builds the
    /// report.
    pub fn finish(mut self, dns: Option<&dns::plan::MessageDns>, options: &Options) -> Report {
        if let Some(d) = dns {
            self.confirm_reverse_names(d, options);
            chain::continuity::refresh_recorded_by(&mut self.links, &self.hops);
            self.apply_dns_witnesses(d, options);
        }
        // The per-hop view is built once here, not by each DNS rule.
        let dns_hops = dns
            .map(|d| d.hops(&self.hops, self.trust.entry_hop))
            .unwrap_or_default();
        let verification = self.verification.take().unwrap_or_else(|| {
            auth::verify::Verification::not_performed(if dns.is_none() {
                "DNS is off (--no-dns): signatures, SPF and DMARC were not verified"
            } else if !options.verify {
                "verification is off (--no-verify)"
            } else {
                "the message was not kept for verification"
            })
        });
        let authentication = auth::section::section(
            &self.headers.authentication_results,
            &self.headers.trace.arc_authentication_results,
            self.trust
                .entry_hop
                .and_then(|i| self.hops.get(i))
                .map(|e| e.header_index),
            &options.trust,
            verification,
        );
        let ctx = rules::Ctx {
            hops: &self.hops,
            trust: &self.trust,
            links: &self.links,
            headers: &self.headers,
            envelope: &self.envelope,
            chain: &self.chain,
            limits: &options.limits,
            settings: &options.checks,
            dns,
            dns_hops: &dns_hops,
            recipients: &self.hints.recipients,
            authentication: &authentication,
        };
        let findings = rules::run(&ctx);
        let path = rules::judgement::judge(&findings, rules::Concern::Path, &options.checks);
        let identity =
            rules::judgement::judge(&findings, rules::Concern::Identity, &options.checks);
        let mut identity_rules: Vec<&'static str> = findings
            .iter()
            .filter(|f| f.concern == rules::Concern::Identity)
            .map(|f| f.rule)
            .collect();
        identity_rules.sort_unstable();
        identity_rules.dedup();
        Report {
            schema: SCHEMA,
            source: Source {
                path: "-".into(),
                index: None,
                offset: None,
            },
            message: self.message,
            envelope: self.envelope,
            headers: self.headers,
            hops: self.hops,
            chain: self.chain,
            trust: self.trust,
            links: self.links,
            findings,
            score: path.score,
            verdict: path.verdict,
            verdict_basis: path.basis,
            identity: report::Identity {
                verdict: identity.verdict,
                score: identity.score,
                basis: identity.basis,
                rules: identity_rules,
            },
            authentication,
            dns: dns.map_or_else(dns::plan::DnsSection::off, |d| d.section()),
            original: self.original,
        }
    }
}
