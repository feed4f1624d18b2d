//! The forgery checks: a catalog of rules, each a pure function of the parsed chain.
//!
//! Rules do no I/O. Each has a stable id (never reused: retired ids stay retired), a name,
//! a default score, documentation (`hopsleuth explain ID`) and tests. `registry.rs` lists
//! them all beside their ids. Each rule lives in a file named after it, in the folder of its
//! id's family: CHAIN005 `appended-fake-hops` is `chain/appended_fake_hops.rs`. Helpers that
//! several rules share have files of their own: [`hops`] (how findings name hops, the HELO's
//! first word) and [`dns_evidence`] (DNS answers as evidence, weighted by age) for every
//! family, and helper files inside a family's folder for that family.

pub mod arc;
pub mod auth;
pub mod chain;
pub mod date;
pub mod dns;
pub mod dns_evidence;
pub mod envelope;
pub mod helo;
pub mod hops;
pub mod ip;
pub mod judgement;
pub mod limit;
pub mod our_names;
pub mod providers;
pub mod rdns;
pub mod registry;
pub mod route;

use crate::Limits;
use crate::chain::ChainSummary;
use crate::chain::continuity::Link;
use crate::chain::hop::Hop;
use crate::chain::trust::{HopTrust, TrustReport};
use crate::message::envelope::Envelope;
use crate::message::headers::KeyHeaders;
use std::collections::BTreeMap;

/// One rule of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, e.g. `CHAIN003`.
    pub id: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    /// Default score (a config file's `[scores]` overrides it).
    pub score: f64,
    /// What one finding of the rule can show on its own (a rule may report a finding
    /// stronger or weaker than this when its evidence says so; `[strengths]` overrides it).
    pub strength: Strength,
    /// Whether the rule judges the delivery path or the sender's identity (From, Reply-To,
    /// Message-ID, Date): identity findings never make a path suspicious.
    pub concern: Concern,
    /// The evidence the rule reads. Findings of one group restate one fact (a continuity
    /// break seen by two rules), so the verdict counts each group once.
    pub group: &'static str,
    /// One line: what it detects.
    pub summary: &'static str,
    /// Markdown: What it checks / Why it matters / Example / False positives / References.
    pub docs: &'static str,
    /// The file that defines it (`file!()`), e.g. `src/rules/chain/time_reversal.rs`:
    /// named after the rule, in the folder of its id's family.
    pub source: &'static str,
    /// The check.
    pub check: fn(&Ctx<'_>, &mut Findings<'_>),
}

/// Settings of the checks (command line and `[checks]`, `[scores]`, `[verdict]` in the
/// config file).
#[derive(Debug, Clone)]
pub struct CheckSettings {
    /// Clock-skew tolerance in seconds for the time checks.
    pub clock_skew_s: i64,
    /// The hosts mail must pass (`--relay-path A,B`); empty when not configured.
    pub relay_path: Vec<String>,
    /// Per-rule score overrides by id.
    pub scores: BTreeMap<String, f64>,
    /// Per-rule strength overrides by id (`[strengths]`).
    pub strengths: BTreeMap<String, Strength>,
    /// A path score at which the verdict is at least `suspicious` (`[verdict] suspicious`;
    /// off by default: the verdict comes from the findings' strengths).
    pub suspicious_at: Option<f64>,
    /// A path score at which the verdict is `forged`, when at least one strong finding is
    /// among them (`[verdict] forged`; off by default).
    pub forged_at: Option<f64>,
    /// Hops older than this many days (at the time of the lookup) get weaker DNS findings:
    /// PTR and address records change over the years.
    pub dns_fresh_days: i64,
}

impl CheckSettings {
    /// The clock-skew tolerance the time checks use: `clock_skew_s` kept between 0 and a
    /// year, so that no value a caller sets can overflow the checks' arithmetic (the
    /// configuration refuses values outside that range; a library caller is not refused).
    pub fn clock_skew(&self) -> i64 {
        self.clock_skew_s.clamp(0, crate::config::MAX_CLOCK_SKEW_S)
    }
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            clock_skew_s: 600,
            relay_path: Vec::new(),
            scores: BTreeMap::new(),
            strengths: BTreeMap::new(),
            suspicious_at: None,
            forged_at: None,
            dns_fresh_days: 30,
        }
    }
}

/// What a rule sees: the chain with its trust boundary and links, the headers and the
/// envelope, and the settings.
pub struct Ctx<'a> {
    /// Hops in chronological order, each with its `trust`.
    pub hops: &'a [Hop],
    /// The trust boundary.
    pub trust: &'a TrustReport,
    /// Links between consecutive hops.
    pub links: &'a [Link],
    /// Key headers.
    pub headers: &'a KeyHeaders,
    /// The envelope.
    pub envelope: &'a Envelope,
    /// Chain-wide figures.
    pub chain: &'a ChainSummary,
    /// Limits in force.
    pub limits: &'a Limits,
    /// Settings.
    pub settings: &'a CheckSettings,
    /// DNS answers, when lookups were made (`None`: DNS off, the DNS rules stay silent).
    pub dns: Option<&'a crate::dns::plan::MessageDns>,
    /// What DNS said about each hop whose sender DNS is checked (the per-hop view of
    /// [`MessageDns::hops`](crate::dns::plan::MessageDns::hops)); empty when DNS is off.
    pub dns_hops: &'a [crate::dns::plan::HopDns<'a>],
    /// Recipients known from trustworthy places (above the trace, the command line).
    pub recipients: &'a [String],
    /// The authentication results with who wrote them, and our own verification.
    pub authentication: &'a crate::auth::section::Authentication,
}

impl<'a> Ctx<'a> {
    /// The entry hop: written by our server, sender outside.
    pub fn entry(&self) -> Option<&'a Hop> {
        self.trust.entry_hop.and_then(|i| self.hops.get(i))
    }

    /// Hops written by the outside (below the entry hop). An entry hop past the last hop
    /// (a library caller's `TrustReport`) leaves every hop outside.
    pub fn below_entry(&self) -> &'a [Hop] {
        match self.trust.entry_hop {
            Some(i) => self.hops.get(..i).unwrap_or(self.hops),
            None => &[],
        }
    }

    /// The entry hop and everything below it (every hop, for an entry past the last).
    pub fn outside(&self) -> &'a [Hop] {
        match self.trust.entry_hop {
            Some(i) => self.hops.get(..=i).unwrap_or(self.hops),
            None => &[],
        }
    }

    /// The entry hop and every hop above it: the hops our servers wrote, whose senders
    /// they recorded (every hop when none is the entry). Checks that ask "did a provider
    /// handle this?" look only here: below the entry, the sender wrote the lines.
    pub fn ours_and_entry(&self) -> &'a [Hop] {
        match self.trust.entry_hop {
            Some(i) => self.hops.get(i..).unwrap_or(&[]),
            None => self.hops,
        }
    }

    /// True when the hop is on our side of the boundary.
    pub fn is_trusted(&self, hop: &Hop) -> bool {
        hop.trust == Some(HopTrust::Trusted)
    }

    /// The topmost hop (written by the recipient's server).
    pub fn top(&self) -> Option<&'a Hop> {
        self.hops.last()
    }

    /// The Authentication-Results our side wrote: those above the entry hop's Received line,
    /// added after our server took the message (none without an entry hop).
    pub fn our_auth_results(
        &self,
    ) -> impl Iterator<Item = &'a crate::message::headers::AuthResults> + 'a {
        let entry = self.entry().map(|e| e.header_index);
        self.headers
            .authentication_results
            .iter()
            .filter(move |a| entry.is_some_and(|e| a.received_above <= e))
    }

    /// What our side checked, as `method=result` with properties: the results of the
    /// Authentication-Results our side wrote ([`Ctx::our_auth_results`]), then our own
    /// verification's SPF (`smtp.mailfrom`, `smtp.helo`), DMARC (`header.from`) and DKIM
    /// (`header.d`) results. `unknown` results are left out: a failed lookup says nothing.
    pub fn our_checks(&self) -> Vec<crate::message::headers::AuthMethodResult> {
        use crate::message::headers::AuthMethodResult;
        let mut out: Vec<AuthMethodResult> =
            self.our_auth_results().flat_map(|a| a.results()).collect();
        let v = &self.authentication.verification;
        let known = |r: &str| r != "unknown";
        for s in v.spf.iter().filter(|s| known(s.result)) {
            let key = if s.identity == "helo" {
                "smtp.helo"
            } else {
                "smtp.mailfrom"
            };
            out.push(AuthMethodResult {
                method: "spf".into(),
                result: s.result.into(),
                properties: vec![(key.into(), s.domain.clone())],
            });
        }
        if let Some(d) = v.dmarc.as_ref().filter(|d| known(d.result)) {
            out.push(AuthMethodResult {
                method: "dmarc".into(),
                result: d.result.into(),
                properties: vec![("header.from".into(), d.domain.clone())],
            });
        }
        for d in v.dkim.iter().filter(|d| known(d.result)) {
            out.push(AuthMethodResult {
                method: "dkim".into(),
                result: d.result.into(),
                properties: vec![("header.d".into(), d.domain.clone())],
            });
        }
        out
    }

    /// The registrable domains the message says it is from: the From address's and the
    /// envelope sender's, sorted and unique.
    pub fn sender_domains(&self) -> Vec<String> {
        let from = self
            .headers
            .from
            .as_ref()
            .and_then(|f| f.addresses.first())
            .map(String::as_str);
        let mail_from = self.envelope.mail_from.as_ref().map(|m| m.value.as_str());
        let mut out: Vec<String> = [from, mail_from]
            .into_iter()
            .flatten()
            .filter_map(crate::message::headers::domain_of)
            .filter_map(|d| crate::domain::registrable(&d))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The time the recipient's side received the message: the entry hop's date, else the
    /// topmost dated hop's.
    pub fn received_at(&self) -> Option<(i64, usize)> {
        if let Some(e) = self.entry()
            && let Some(ts) = e.timestamp
        {
            return Some((ts, e.index));
        }
        self.hops
            .iter()
            .rev()
            .find_map(|h| h.timestamp.map(|t| (t, h.index)))
    }
}

/// One thing a check found.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Finding {
    /// Stable rule id (e.g. `LIMIT001`).
    pub rule: &'static str,
    /// The rule's name.
    pub name: &'static str,
    /// Score contributed.
    pub score: f64,
    /// What the finding shows on its own: `proof`, `strong`, `weak` or `info`.
    pub strength: Strength,
    /// `path` (the delivery path) or `identity` (who the message says it is from).
    pub concern: Concern,
    /// Hop indexes (chronological) the finding concerns.
    pub hops: Vec<usize>,
    /// A sentence a person understands.
    pub message: String,
    /// The exact values compared.
    pub evidence: serde_json::Value,
}

/// What a finding shows on its own, from the strongest down. The verdict is reached from
/// these (see [`judgement`]), not from a sum of scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strength {
    /// Alone shows the path forged: two witnesses contradict each other.
    Proof,
    /// Evidence of forgery of its own; two independent ones show a forged path.
    Strong,
    /// A mark honest mail also shows; several independent ones make a path suspicious.
    Weak,
    /// Reported, never counted.
    Info,
}

impl Strength {
    /// The name written in reports and accepted in `[strengths]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Proof => "proof",
            Strength::Strong => "strong",
            Strength::Weak => "weak",
            Strength::Info => "info",
        }
    }

    /// The strength named `name` (as written in reports).
    pub fn parse(name: &str) -> Option<Strength> {
        [
            Strength::Proof,
            Strength::Strong,
            Strength::Weak,
            Strength::Info,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl serde::Serialize for Strength {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Concern {
    /// The delivery path: the Received chain, its hosts, addresses, names and times.
    Path,
    /// The sender's identity and the message's own claims: From against the envelope,
    /// Reply-To, Message-ID, the Date header, a provider From no provider carried.
    Identity,
}

impl Concern {
    /// The name written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Concern::Path => "path",
            Concern::Identity => "identity",
        }
    }
}

impl serde::Serialize for Concern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The findings collected while the rules run.
pub struct Findings<'s> {
    items: Vec<Finding>,
    scores: &'s BTreeMap<String, f64>,
    strengths: &'s BTreeMap<String, Strength>,
}

impl<'s> Findings<'s> {
    /// An empty collection applying the given score and strength overrides.
    pub fn new(
        scores: &'s BTreeMap<String, f64>,
        strengths: &'s BTreeMap<String, Strength>,
    ) -> Self {
        Findings {
            items: Vec::new(),
            scores,
            strengths,
        }
    }

    /// Adds a finding with the rule's score (or its override).
    pub fn add(
        &mut self,
        rule: &Rule,
        hops: Vec<usize>,
        message: String,
        evidence: serde_json::Value,
    ) {
        self.add_scored(rule, rule.score, hops, message, evidence);
    }

    /// Adds a finding with a computed score (banded rules); an override still wins.
    pub fn add_scored(
        &mut self,
        rule: &Rule,
        score: f64,
        hops: Vec<usize>,
        message: String,
        evidence: serde_json::Value,
    ) {
        self.add_judged(rule, rule.strength, score, hops, message, evidence);
    }

    /// Adds a finding whose strength its evidence decides (a rule whose findings range from
    /// a mark to a proof); `[strengths]` and `[scores]` overrides still win.
    pub fn add_judged(
        &mut self,
        rule: &Rule,
        strength: Strength,
        score: f64,
        hops: Vec<usize>,
        message: String,
        evidence: serde_json::Value,
    ) {
        let score = self.scores.get(rule.id).copied().unwrap_or(score);
        let strength = self.strengths.get(rule.id).copied().unwrap_or(strength);
        self.items.push(Finding {
            rule: rule.id,
            name: rule.name,
            score,
            strength,
            concern: rule.concern,
            hops,
            message,
            evidence,
        });
    }

    /// The findings in report order: message-wide ones first, then by hop, then rule id.
    pub fn into_sorted(mut self) -> Vec<Finding> {
        self.items
            .sort_by(|a, b| (a.hops.first(), a.rule).cmp(&(b.hops.first(), b.rule)));
        self.items
    }
}

/// Runs every rule of the registry.
pub fn run(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut findings = Findings::new(&ctx.settings.scores, &ctx.settings.strengths);
    for rule in registry::ALL {
        (rule.check)(ctx, &mut findings);
    }
    findings.into_sorted()
}

#[cfg(test)]
mod review_regressions {
    use crate::test_support::findings;

    /// A Delivered-To written by the sender (below the trace) must not make his relays ours.
    #[test]
    fn a_forged_delivered_to_does_not_move_the_boundary() {
        let m = "Received: from mx.evil.example (mx.evil.example [81.169.145.99]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)\n\
                 Received: from pc by mx.evil.example (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:05 +0000 (UTC)\n\
                 Delivered-To: y@evil.example\nFrom: a@evil.example\n\nx\n";
        let r = crate::analyze(m.as_bytes(), &crate::Options::default()).unwrap();
        assert_eq!(r.trust.entry_hop, Some(1), "{:?}", r.trust.basis);
    }

    /// A content filter on the same machine hands mail back over loopback: not a break.
    #[test]
    fn loopback_hand_off_is_not_a_continuity_break() {
        let m = crate::test_support::msg(&[
            "from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:12 +0000 (UTC)",
            "from localhost (localhost [127.0.0.1]) by mail.a-corp.com (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:11 +0000 (UTC)",
            "from pc1.a-corp.com (pc1.a-corp.com [10.1.1.5]) by filter.a-corp.com (Postfix) with ESMTP id 3; Mon, 1 Jan 2024 10:00:10 +0000 (UTC)",
        ]);
        let f = findings(&m);
        assert!(
            !f.iter()
                .any(|f| f.rule == "CHAIN001" || f.rule == "CHAIN005"),
            "{f:?}"
        );
    }
}
