//! Which questions a message raises, and the answers the rules read.
//!
//! For the entry hop and each hop below it (the outside part of the chain), newest first:
//! the PTR of the connecting IP, then the addresses of the claimed HELO name and of the
//! recorded rDNS; once PTRs are known, the addresses of each PTR name (forward-confirmed
//! rDNS). For each recipient domain: its MX, then the MX hosts' addresses. Questions are
//! taken in that order until the message's cap; the rest are listed as skipped.
//!
//! Every query counts against the cap, CNAME steps included: an answer that ends at an
//! alias whose records the server did not send ([`Answer::cname`]) makes the message ask
//! the target (a step, planned like any question), and [`through_cnames`] splices the
//! chain back into one answer under the asked name. A loop, a chain longer than
//! [`MAX_CNAME_STEPS`] or a step the cap did not allow is a failure of the lookup, never
//! "no record".

use super::{Answer, MAX_CNAME_STEPS, Mode, Question, Rcode};
use crate::chain::continuity::Witness;
use crate::chain::hop::Hop;
use crate::received::Kind;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

/// PTR names followed per address (a host with dozens of PTRs is not worth dozens of
/// lookups).
pub const MAX_PTR_NAMES: usize = 3;
/// MX hosts followed per recipient domain.
pub const MAX_MX_HOSTS: usize = 5;
/// Recipient domains checked per message.
pub const MAX_RECIPIENT_DOMAINS: usize = 4;

/// What one message's checks may ask about.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The hops, chronological.
    pub hops: &'a [Hop],
    /// The entry hop (written by our server, sender outside).
    pub entry_hop: Option<usize>,
    /// Recipients known from trustworthy places (above the trace, the command line).
    pub recipients: &'a [String],
    /// Hops the trust walk took as ours for their recorded reverse name: whether the name
    /// resolves back to the address decides whether they stay ours.
    pub rdns_trusted: &'a [usize],
}

/// A hop whose sender DNS is checked, with its connecting address: the entry hop and the
/// hops below it that came over SMTP from a public address, except authenticated
/// submissions. A user submitting from home or a phone (ESMTPA, `Authenticated sender`) is
/// a client, not a mail server: no PTR, a dynamic one, or a HELO like `laptop.local` are
/// normal there and say nothing about forgery.
pub fn checked_hops(hops: &[Hop], entry_hop: Option<usize>) -> Vec<(&Hop, IpAddr)> {
    let Some(entry) = entry_hop else {
        return Vec::new();
    };
    hops.iter()
        .take(entry.saturating_add(1))
        .rev()
        .filter(|h| h.kind == Kind::Smtp && h.auth.is_none())
        .filter_map(|h| {
            let ip: IpAddr = h.from.ip?;
            (!crate::netclass::is_non_public(ip)).then_some((h, ip))
        })
        .collect()
}

/// The recipient domains whose MX routing is checked: distinct, valid, at most
/// [`MAX_RECIPIENT_DOMAINS`].
pub fn recipient_domains(recipients: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in recipients {
        let Some((_, domain)) = r.rsplit_once('@') else {
            continue;
        };
        let domain = crate::domain::normalize(domain);
        if super::fqdn(&domain).is_some() && !out.contains(&domain) {
            out.push(domain);
        }
        if out.len() == MAX_RECIPIENT_DOMAINS {
            break;
        }
    }
    out
}

/// The claimed HELO as a name worth resolving (not an address literal, not a bare word).
pub fn helo_name(hop: &Hop) -> Option<&str> {
    // A HELO can carry text a client typed after the name: only the first word counts.
    let helo = hop.helo_name()?;
    super::fqdn(helo).is_some().then_some(helo)
}

/// The recorded rDNS as a name worth resolving.
pub fn recorded_rdns(hop: &Hop) -> Option<&str> {
    if hop.from.rdns_unknown {
        return None;
    }
    let rdns = hop.from.rdns.as_deref()?;
    super::fqdn(rdns).is_some().then_some(rdns)
}

/// For each hop taken as ours for its recorded reverse name: the name's addresses (of the
/// hop's family), which must hold the hop's address for the name to count.
pub fn rdns_confirmation_questions<'a>(s: &'a Subject<'_>) -> impl Iterator<Item = Question> + 'a {
    s.rdns_trusted.iter().filter_map(|&i| {
        let hop = s.hops.get(i)?;
        let ip = hop.from.ip?;
        Question::address(recorded_rdns(hop)?, ip.is_ipv6())
    })
}

/// Whether DNS resolves `hop`'s recorded reverse name back to its address, and when it was
/// asked: `false` when the name does not exist or its addresses are others; `None` when DNS
/// did not say (not asked, a failure: unknown, never evidence).
pub fn rdns_confirmed(dns: &MessageDns, hop: &Hop) -> Option<(bool, i64)> {
    let ip = hop.from.ip?;
    let a = dns.address(recorded_rdns(hop)?, ip.is_ipv6())?;
    let confirmed = match a.rcode {
        Rcode::NoError => a.addresses().contains(&ip),
        Rcode::NxDomain => false,
        _ => return None,
    };
    Some((confirmed, a.asked_ts))
}

/// Questions in priority order under a cap.
#[derive(Debug)]
pub struct Planner {
    cap: usize,
    asked: Vec<Question>,
    seen: HashSet<Question>,
    skipped: Vec<Question>,
    /// The asked questions that are CNAME steps of others (their chains are not followed
    /// on their own: the chain they belong to is).
    steps: HashSet<Question>,
}

impl Planner {
    /// A planner allowing `cap` questions.
    pub fn new(cap: usize) -> Planner {
        Planner {
            cap,
            asked: Vec::new(),
            seen: HashSet::new(),
            skipped: Vec::new(),
            steps: HashSet::new(),
        }
    }

    fn want(&mut self, q: Option<Question>) {
        let Some(q) = q else { return };
        if !self.seen.insert(q.clone()) {
            return;
        }
        if self.asked.len() < self.cap {
            self.asked.push(q);
        } else if self.skipped.len() < 64 {
            // Only a sample of what was skipped is kept: a crafted message could want
            // thousands.
            self.skipped.push(q);
        }
    }

    /// How many questions were wanted beyond the cap (counted, not all kept).
    fn over_cap(&self) -> usize {
        self.seen.len().saturating_sub(self.asked.len())
    }
}

/// What a checked hop asks first: the PTR of its address, then the addresses (of the
/// address's family) of its claimed HELO name and of its recorded rDNS.
pub fn hop_questions(hop: &Hop, ip: IpAddr) -> [Option<Question>; 3] {
    [
        Some(Question::ptr(ip)),
        helo_name(hop).and_then(|h| Question::address(h, ip.is_ipv6())),
        recorded_rdns(hop).and_then(|r| Question::address(r, ip.is_ipv6())),
    ]
}

/// What a PTR answer asks next: the addresses of its first names (forward-confirmed rDNS).
pub fn ptr_name_questions(ptr: &Answer, ip: IpAddr) -> impl Iterator<Item = Option<Question>> {
    ptr.answers
        .iter()
        .take(MAX_PTR_NAMES)
        .map(move |name| Question::address(name, ip.is_ipv6()))
}

/// The hosts a recipient domain's MX answer names, and whether they are implicit: the
/// domain itself when it has no MX (RFC 5321 section 5.1). `None` unless the answer is
/// NOERROR.
pub fn mx_hosts(mx: &Answer, domain: &str) -> Option<(Vec<String>, bool)> {
    if mx.rcode != Rcode::NoError {
        return None;
    }
    let hosts = mx.exchanges();
    if hosts.is_empty() {
        return Some((vec![domain.to_string()], true));
    }
    Some((hosts, false))
}

/// The address questions (both families) for the first [`MAX_MX_HOSTS`] MX hosts, one
/// per host and family, `None` for a host that is not a valid name.
pub fn mx_host_questions(hosts: &[String]) -> impl Iterator<Item = Option<Question>> + '_ {
    hosts
        .iter()
        .take(MAX_MX_HOSTS)
        .flat_map(|h| [Question::address(h, false), Question::address(h, true)])
}

/// Stage one: what the message itself names.
pub fn first_questions(s: &Subject<'_>, p: &mut Planner) {
    // These decide where the boundary is: first.
    for q in rdns_confirmation_questions(s) {
        p.want(Some(q));
    }
    let domains = recipient_domains(s.recipients);
    let mut mx_asked = false;
    for (hop, ip) in checked_hops(s.hops, s.entry_hop) {
        hop_questions(hop, ip).into_iter().for_each(|q| p.want(q));
        // The recipient's MX matters as much as the entry hop: ask right after it.
        if !mx_asked {
            mx_asked = true;
            p.want(helo_domain_question(hop));
            domains.iter().for_each(|d| p.want(Question::mx(d)));
        }
    }
    if !mx_asked {
        domains.iter().for_each(|d| p.want(Question::mx(d)));
    }
}

/// For the entry hop whose HELO names another registrable domain than the recorded rDNS:
/// whether that domain exists at all (its MX: NXDOMAIN means no such domain). A HELO name
/// in a domain that does not exist was invented; one in an existing domain may just be an
/// internal name the public DNS does not know.
pub fn helo_domain_question(hop: &Hop) -> Option<Question> {
    let helo = crate::domain::registrable_public(helo_name(hop)?)?;
    let rdns = crate::domain::registrable_public(recorded_rdns(hop)?)?;
    (helo != rdns).then(|| Question::mx(&helo)).flatten()
}

/// Stage two: what the message's own first answers name (PTR names, MX hosts).
pub fn second_questions(s: &Subject<'_>, answers: &HashMap<Question, Answer>, p: &mut Planner) {
    let domains = recipient_domains(s.recipients);
    let mut mx_done = false;
    let mx_hosts = |p: &mut Planner| {
        for d in &domains {
            let Some(mx) = Question::mx(d).and_then(|q| answers.get(&q)) else {
                continue;
            };
            if let Some((hosts, _)) = mx_hosts(mx, d) {
                mx_host_questions(&hosts).for_each(|q| p.want(q));
            }
        }
    };
    for (_, ip) in checked_hops(s.hops, s.entry_hop) {
        if let Some(ptr) = answers.get(&Question::ptr(ip)) {
            ptr_name_questions(ptr, ip).for_each(|q| p.want(q));
        }
        if !mx_done {
            mx_done = true;
            mx_hosts(p);
        }
    }
    if !mx_done {
        mx_hosts(p);
    }
}

/// What DNS said about one checked hop's sender: the answers to the questions the plan
/// asked for it (each `None` when it was not asked: under the cap, or not a valid name).
#[derive(Debug, Clone)]
pub struct HopDns<'a> {
    /// The hop.
    pub hop: &'a Hop,
    /// The address the receiver recorded.
    pub ip: IpAddr,
    /// The address's PTR.
    pub ptr: Option<&'a Answer>,
    /// The PTR's first names ([`MAX_PTR_NAMES`]), each with its address answer (of the
    /// address's family): forward confirmation.
    pub ptr_names: Vec<(&'a str, Option<&'a Answer>)>,
    /// The claimed HELO name, when worth resolving, with its address answer.
    pub helo: Option<(&'a str, Option<&'a Answer>)>,
    /// The recorded reverse name, when worth resolving, with its address answer.
    pub rdns: Option<(&'a str, Option<&'a Answer>)>,
}

/// The answer to `q` with its CNAME steps followed through `raw` (one answer per query):
/// the final records under `q`'s name, or a failure (`ERROR`, saying why) when the chain
/// loops, runs longer than [`MAX_CNAME_STEPS`], or reaches a step that was not asked.
/// `None` when `q` itself was not answered.
pub fn through_cnames(q: &Question, raw: &HashMap<Question, Answer>) -> Option<Answer> {
    let first = raw.get(q)?;
    let mut at = first;
    let mut chain: Vec<&str> = vec![q.name.as_str()];
    while let Some(target) = at.cname.as_deref() {
        let fail = |why: String| Answer::empty(q, Rcode::Error, Some(why), at.asked_ts);
        let path = || format!("{} -> {target}", chain.join(" -> "));
        if chain.contains(&target) {
            return Some(fail(format!("CNAME loop: {}", path())));
        }
        if chain.len() > MAX_CNAME_STEPS {
            return Some(fail(format!(
                "CNAME chain longer than {MAX_CNAME_STEPS} steps: {}",
                path()
            )));
        }
        let step = Question {
            name: target.to_string(),
            qtype: q.qtype,
        };
        let Some(next) = raw.get(&step) else {
            return Some(fail(format!(
                "CNAME step not asked (the message's lookup cap): {}",
                path()
            )));
        };
        chain.push(target);
        at = next;
    }
    if chain.len() == 1 {
        return Some(first.clone());
    }
    let mut spliced = at.clone();
    spliced.name = q.name.clone();
    spliced.ttl = match (first.ttl, at.ttl) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Some(spliced)
}

/// The next CNAME step `q`'s chain needs: the first target in it that `raw` does not
/// answer, unless the chain loops or is already too long (then it is a failure).
fn next_cname_step(q: &Question, raw: &HashMap<Question, Answer>) -> Option<Question> {
    let mut at = raw.get(q)?;
    let mut chain: Vec<&str> = vec![q.name.as_str()];
    while let Some(target) = at.cname.as_deref() {
        if chain.contains(&target) || chain.len() > MAX_CNAME_STEPS {
            return None;
        }
        let step = Question {
            name: target.to_string(),
            qtype: q.qtype,
        };
        match raw.get(&step) {
            Some(next) => at = next,
            None => return Some(step),
        }
        chain.push(target);
    }
    None
}

/// The DNS answers one message's checks read, and what the report's `dns` section says.
#[derive(Debug, Clone)]
pub struct MessageDns {
    /// Where the answers came from.
    pub mode: Mode,
    /// The message's lookup cap.
    pub cap: usize,
    /// Questions asked, in plan order.
    pub asked: Vec<Question>,
    /// Answers by question.
    pub answers: HashMap<Question, Answer>,
    /// Questions wanted beyond the cap (a sample).
    pub skipped: Vec<Question>,
    /// How many questions were wanted beyond the cap.
    pub over_cap: usize,
    /// Why the answers were not used as evidence (a DNS server that denies every name), when so.
    pub warning: Option<String>,
}

impl MessageDns {
    /// These answers, distrusted: every one becomes a failure (`ERROR`, saying `why` and
    /// what it was), so the DNS checks are unknown and the verdict is the one without DNS.
    pub fn distrusted(mut self, why: &str) -> MessageDns {
        for a in self.answers.values_mut() {
            let was = a.rcode.as_str();
            *a = Answer::empty(
                &a.question(),
                Rcode::Error,
                Some(format!("{was} not used: {why}")),
                a.asked_ts,
            );
        }
        self.warning = Some(why.to_string());
        self
    }

    /// The answer to a question, when it was asked.
    pub fn get(&self, q: &Question) -> Option<&Answer> {
        self.answers.get(q)
    }

    /// The PTR answer for an address.
    pub fn ptr(&self, ip: IpAddr) -> Option<&Answer> {
        self.get(&Question::ptr(ip))
    }

    /// The address answer (of `ip`'s family) for a name.
    pub fn address(&self, host: &str, v6: bool) -> Option<&Answer> {
        self.get(&Question::address(host, v6)?)
    }

    /// What DNS says about the link from `older` to `newer`: whether the host `older`
    /// names as its receiver (`by`) has the address `newer`'s receiver recorded. Only a
    /// fresh answer counts (asked within `fresh_days` of `received_at`, when our side got
    /// the message): records change over the years. A `by` host whose addresses are all
    /// elsewhere contradicts the link unless the sender's reverse name (recorded or in the
    /// PTR answer) is of the `by` host's organisation, or its address in the same block.
    pub fn link_witness(
        &self,
        older: &Hop,
        newer: &Hop,
        received_at: Option<i64>,
        fresh_days: i64,
    ) -> Option<(Witness, String)> {
        let by = older.by.host.as_deref()?;
        if by.parse::<IpAddr>().is_ok() || !by.contains('.') {
            return None;
        }
        let ip = newer
            .from
            .ip
            .filter(|ip| !crate::netclass::is_non_public(*ip))?;
        let answer = self.address(by, ip.is_ipv6())?;
        if answer.rcode.is_failure() || answer.rcode != Rcode::NoError {
            return None;
        }
        let fresh = received_at.is_none_or(|ts| {
            answer.asked_ts.saturating_sub(ts) <= fresh_days.saturating_mul(86_400)
        });
        let addresses = answer.addresses();
        if !fresh || addresses.is_empty() {
            return None;
        }
        let shown = crate::text::ip_string(ip);
        if addresses.contains(&ip) {
            return Some((
                Witness::Verified,
                format!(
                    "DNS says {by}, the host that wrote hop {}, is {shown}, the address hop {}'s receiver recorded",
                    older.index, newer.index
                ),
            ));
        }
        let same_block = addresses
            .iter()
            .any(|a| crate::netclass::same_block(*a, ip));
        let ptr_names: Vec<&str> = self
            .ptr(ip)
            .map(|p| p.answers.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let same_org = newer
            .confirmed_rdns()
            .into_iter()
            .chain(ptr_names.iter().copied())
            .any(|n| crate::domain::same_registrable(n, by));
        if same_block || same_org {
            return None;
        }
        Some((
            Witness::Contradicted,
            format!(
                "DNS says {by}, which hop {} names as its receiver, is {}, not {shown}, the address hop {}'s receiver recorded{}",
                older.index,
                answer.answers.join(", "),
                newer.index,
                match ptr_names.first() {
                    Some(n) => format!(" (its reverse name is {})", n.trim_end_matches('.')),
                    None => String::new(),
                }
            ),
        ))
    }

    /// The per-hop view: for each hop whose sender DNS is checked ([`checked_hops`]),
    /// newest first, what DNS said about it. The DNS rules read this rather than
    /// re-deriving the plan's questions.
    pub fn hops<'a>(&'a self, hops: &'a [Hop], entry_hop: Option<usize>) -> Vec<HopDns<'a>> {
        checked_hops(hops, entry_hop)
            .into_iter()
            .map(|(hop, ip)| {
                let v6 = ip.is_ipv6();
                let ptr = self.ptr(ip);
                let ptr_names = ptr
                    .map(|p| {
                        p.answers
                            .iter()
                            .take(MAX_PTR_NAMES)
                            .map(|n| (n.as_str(), self.address(n, v6)))
                            .collect()
                    })
                    .unwrap_or_default();
                HopDns {
                    hop,
                    ip,
                    ptr,
                    ptr_names,
                    helo: helo_name(hop).map(|h| (h, self.address(h, v6))),
                    rdns: recorded_rdns(hop).map(|r| (r, self.address(r, v6))),
                }
            })
            .collect()
    }

    /// The MX answer for a domain.
    pub fn mx(&self, domain: &str) -> Option<&Answer> {
        self.get(&Question::mx(domain)?)
    }

    /// The report's `dns` section.
    pub fn section(&self) -> DnsSection {
        let mut answers: Vec<Answer> = self
            .asked
            .iter()
            .filter_map(|q| self.answers.get(q).cloned())
            .collect();
        answers.sort_by(|a, b| (&a.name, a.qtype).cmp(&(&b.name, b.qtype)));
        DnsSection {
            mode: self.mode,
            cap: self.cap,
            lookups: self.asked.len(),
            skipped: self.over_cap,
            answers,
            warning: self.warning.clone(),
        }
    }
}

/// The report's `dns` section: the mode and every answer the checks used.
#[derive(Debug, Clone, Serialize)]
pub struct DnsSection {
    /// `live`, `replay` or `off`.
    pub mode: Mode,
    /// The per-message lookup cap.
    pub cap: usize,
    /// Queries made for this message, CNAME steps included (answered from the cache or
    /// the network).
    pub lookups: usize,
    /// Questions not asked because of the cap.
    pub skipped: usize,
    /// The answers, sorted by name then type.
    pub answers: Vec<Answer>,
    /// Why the answers are not evidence, when the DNS server looks broken (it answered
    /// NXDOMAIN for every name, the canary included): the DNS checks are then unknown and
    /// the verdict is the `--no-dns` one. `null` otherwise.
    pub warning: Option<String>,
}

impl DnsSection {
    /// The section of a report made without DNS.
    pub fn off() -> DnsSection {
        DnsSection {
            mode: Mode::Off,
            cap: 0,
            lookups: 0,
            skipped: 0,
            answers: Vec::new(),
            warning: None,
        }
    }
}

/// A batch's plan: one planner per message, in two stages, so that the batch's questions
/// can be asked together (each distinct one once) while each message's plan depends on its
/// own answers only. Planning runs in parallel; the answers come from the caller, which
/// asks [`BatchPlan::questions`], calls [`BatchPlan::follow_up`] with the answers, asks
/// [`BatchPlan::unanswered`], and takes each message's DNS from [`BatchPlan::answered`].
#[derive(Debug)]
pub struct BatchPlan<'a> {
    subjects: &'a [Subject<'a>],
    cap: usize,
    planners: Vec<Planner>,
}

impl<'a> BatchPlan<'a> {
    /// Stage one for every message (what the message itself names), `cap` questions each.
    pub fn new(subjects: &'a [Subject<'a>], cap: usize) -> BatchPlan<'a> {
        let mut planners: Vec<Planner> = subjects.iter().map(|_| Planner::new(cap)).collect();
        subjects
            .par_iter()
            .zip(planners.par_iter_mut())
            .for_each(|(s, p)| first_questions(s, p));
        BatchPlan {
            subjects,
            cap,
            planners,
        }
    }

    /// Every message's questions so far, message by message in plan order (a question
    /// several messages ask is listed for each).
    pub fn questions(&self) -> Vec<Question> {
        self.planners.iter().flat_map(|p| p.asked.clone()).collect()
    }

    /// Stage two for every message (what its first answers name: PTR names, MX hosts).
    pub fn follow_up(&mut self, answers: &HashMap<Question, Answer>) {
        self.subjects
            .par_iter()
            .zip(self.planners.par_iter_mut())
            .for_each(|(s, p)| {
                // Only this message's own answers: a report must not depend on its batch.
                let own: HashMap<Question, Answer> = p
                    .asked
                    .iter()
                    .filter_map(|q| through_cnames(q, answers).map(|a| (q.clone(), a)))
                    .collect();
                second_questions(s, &own, p);
            });
    }

    /// Plans the next CNAME step of every chain that needs one (each step a query counted
    /// against its message's cap); ask [`BatchPlan::unanswered`] next, until it is empty.
    pub fn cname_steps(&mut self, answers: &HashMap<Question, Answer>) {
        self.planners.par_iter_mut().for_each(|p| {
            let steps: Vec<Question> = p
                .asked
                .iter()
                .filter(|q| !p.steps.contains(*q))
                .filter_map(|q| next_cname_step(q, answers))
                .collect();
            for q in steps {
                if !p.seen.contains(&q) {
                    p.steps.insert(q.clone());
                }
                p.want(Some(q));
            }
        });
    }

    /// The questions so far that `answers` does not answer, in the order of
    /// [`BatchPlan::questions`].
    pub fn unanswered(&self, answers: &HashMap<Question, Answer>) -> Vec<Question> {
        self.planners
            .iter()
            .flat_map(|p| p.asked.iter().filter(|q| !answers.contains_key(q)).cloned())
            .collect()
    }

    /// Each message's DNS, in order: the answers to its own questions.
    pub fn answered(self, mode: Mode, answers: &HashMap<Question, Answer>) -> Vec<MessageDns> {
        let cap = self.cap;
        self.planners
            .into_par_iter()
            .map(|p| {
                let mine = p
                    .asked
                    .iter()
                    .filter_map(|q| {
                        // A step is shown as it was answered; the chain it belongs to is
                        // spliced under its first name.
                        let a = if p.steps.contains(q) {
                            answers.get(q).cloned()
                        } else {
                            through_cnames(q, answers)
                        };
                        a.map(|a| (q.clone(), a))
                    })
                    .collect();
                MessageDns {
                    mode,
                    cap,
                    over_cap: p.over_cap(),
                    asked: p.asked,
                    answers: mine,
                    skipped: p.skipped,
                    warning: None,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(name: &str, target: Option<&str>, records: &[&str]) -> (Question, Answer) {
        let q = Question::address(name, false).unwrap();
        let mut a = Answer::empty(&q, Rcode::NoError, None, 7);
        a.cname = target.map(|t| format!("{t}."));
        a.answers = records.iter().map(|r| r.to_string()).collect();
        a.ttl = Some(300);
        (q, a)
    }

    #[test]
    fn cname_chains_are_spliced_or_fail() {
        let raw: HashMap<Question, Answer> = [
            alias("a.example", Some("b.example"), &[]),
            alias("b.example", None, &["192.0.2.1"]),
            alias("loop1.example", Some("loop2.example"), &[]),
            alias("loop2.example", Some("loop1.example"), &[]),
            alias("open.example", Some("unasked.example"), &[]),
        ]
        .into_iter()
        .collect();
        let q = |n: &str| Question::address(n, false).unwrap();
        let a = through_cnames(&q("a.example"), &raw).unwrap();
        assert_eq!((a.name.as_str(), a.rcode), ("a.example.", Rcode::NoError));
        assert_eq!(a.answers, ["192.0.2.1"]);
        assert_eq!(next_cname_step(&q("a.example"), &raw), None);
        let l = through_cnames(&q("loop1.example"), &raw).unwrap();
        assert_eq!(l.rcode, Rcode::Error);
        assert!(l.error.unwrap().contains("CNAME loop"));
        assert_eq!(next_cname_step(&q("loop1.example"), &raw), None);
        let o = through_cnames(&q("open.example"), &raw).unwrap();
        assert!(o.error.unwrap().contains("not asked"));
        assert_eq!(
            next_cname_step(&q("open.example"), &raw),
            Some(q("unasked.example"))
        );
    }
}
