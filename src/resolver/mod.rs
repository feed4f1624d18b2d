//! DNS I/O: asking the questions [`crate::dns::plan`] plans, and nothing else.
//!
//! The evidence (questions, answers, the plan, what the rules read) is [`crate::dns`]'s;
//! this module is the only one that talks to the network. Layers, from the outside in:
//! - [`resolve_batch`]: answers a batch's plan in its two stages.
//! - [`Dns`]: deduplicates questions, answers from its cache (TTL respected, size capped),
//!   asks a [`Lookup`] backend for the rest, and remembers what it used for `--dns-record`.
//! - [`Lookup`] backends: [`live::Live`] (hickory-resolver, bounded concurrency) and
//!   [`record::Replay`] (answers only from a recorded file, no network).
//! - [`Clock`]: the time live answers are stamped with.
//!
//! Async stays inside [`live`]; everything else is plain blocking code.

pub mod budget;
pub mod cache;
pub mod health;
pub mod live;
pub mod record;
pub mod wire;

use crate::dns::plan::{BatchPlan, MessageDns, Subject};
use crate::dns::{Answer, MAX_CNAME_STEPS, Mode, Question, Rcode};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Where the time of a lookup comes from. Each answer is stamped with it (`asked_at`), and
/// the DNS checks measure a hop's age against that stamp, so the time is an input like any
/// other: tests and reproducible runs fix it (`--now`), a recording keeps its own stamps,
/// and this is the only place the library reads the machine's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The machine's clock at the time of each lookup.
    #[default]
    System,
    /// A fixed time, in Unix seconds.
    Fixed(i64),
}

impl Clock {
    /// The time, in Unix seconds.
    pub fn now(self) -> i64 {
        match self {
            Clock::Fixed(ts) => ts,
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// A source of answers: asks every question given and answers each, failures included.
/// Implementations must not panic and must return one answer per question, in order.
pub trait Lookup: Send + Sync {
    /// Answers the questions (already deduplicated).
    fn lookup_all(&self, questions: &[Question]) -> Vec<Answer>;
    /// Answers the questions, those still open at `deadline` as `TIMEOUT`. Backends that
    /// never wait (a replay) need not override it.
    fn lookup_all_until(&self, questions: &[Question], deadline: Instant) -> Vec<Answer> {
        let _ = deadline;
        self.lookup_all(questions)
    }
    /// The mode this backend stands for.
    fn mode(&self) -> Mode;
}

/// Settings of the resolver (command line and `[dns]` in the config file).
#[derive(Debug, Clone)]
pub struct DnsSettings {
    /// Servers to ask (`--dns-server`); empty means the system's configuration.
    pub servers: Vec<SocketAddr>,
    /// How long one lookup may take.
    pub timeout: Duration,
    /// Lookups in flight at once.
    pub concurrency: usize,
    /// Most answers kept in the cache.
    pub cache_entries: usize,
    /// Answer only from this recording, never from the network.
    pub replay: Option<PathBuf>,
    /// Write every answer used to this file at the end.
    pub record: Option<PathBuf>,
    /// The time live answers are stamped with (`--now`); replayed answers keep theirs.
    pub clock: Clock,
    /// How long DNS may take per message (`--dns-message-budget`; see [`budget`]).
    pub message_budget: Duration,
    /// How long a run may wait on lookups that never answer (`--dns-scan-budget`).
    pub scan_budget: Duration,
    /// The name asked when every answer of a batch is NXDOMAIN (`--dns-canary`; see
    /// [`health`]); `None` turns the health check off.
    pub canary: Option<String>,
}

impl Default for DnsSettings {
    fn default() -> Self {
        DnsSettings {
            servers: Vec::new(),
            timeout: Duration::from_secs(3),
            concurrency: 64,
            cache_entries: 100_000,
            replay: None,
            record: None,
            clock: Clock::System,
            message_budget: budget::MESSAGE_BUDGET,
            scan_budget: budget::SCAN_BUDGET,
            canary: Some(health::DEFAULT_CANARY.to_string()),
        }
    }
}

/// Why DNS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    /// The system resolver configuration could not be read.
    #[error("cannot set up the resolver: {0}")]
    Resolver(String),
    /// A recording could not be read.
    #[error("{path}: cannot read DNS recording: {message}")]
    Recording {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A recording could not be written.
    #[error("{path}: cannot write DNS recording: {message}")]
    WriteRecording {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// How long failures (timeouts, SERVFAIL) are remembered, so that one dead server does
/// not cost a timeout per message in a batch, while a later run asks again.
const FAILURE_TTL: Duration = Duration::from_secs(60);

/// The resolver front: deduplication, cache, backend, recording.
///
/// Its methods block (a live backend drives its own single-threaded tokio runtime), so call
/// them from plain threads, not from inside an async runtime.
pub struct Dns {
    backend: Box<dyn Lookup>,
    sent: AtomicU64,
    failed: AtomicU64,
    over_budget: AtomicU64,
    distrusted: AtomicU64,
    cache: Mutex<cache::Cache>,
    record_to: Option<PathBuf>,
    used: Mutex<BTreeMap<Question, Answer>>,
    budget: budget::Budget,
    canary: Option<Question>,
    clock: Clock,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dns")
            .field("mode", &self.mode())
            .field("record_to", &self.record_to)
            .finish()
    }
}

impl Dns {
    /// A resolver as the settings say: replay from a file, or live (the given servers, else
    /// the system configuration).
    pub fn new(settings: &DnsSettings) -> Result<Dns, DnsError> {
        let backend: Box<dyn Lookup> = match &settings.replay {
            Some(path) => Box::new(record::Replay::load(path)?),
            None => Box::new(live::Live::new(settings)?),
        };
        let canary = match settings.canary.as_deref() {
            None => None,
            Some(name) => Some(Question::address(name, false).ok_or_else(|| {
                DnsError::Resolver(format!("the DNS canary {name:?} is not a host name"))
            })?),
        };
        let mut dns = Dns::with_backend(backend, settings.cache_entries, settings.record.clone());
        dns.budget = budget::Budget::new(
            settings.message_budget,
            settings.scan_budget,
            settings.concurrency,
        );
        dns.canary = canary;
        dns.clock = settings.clock;
        Ok(dns)
    }

    /// A resolver over any backend.
    pub fn with_backend(
        backend: Box<dyn Lookup>,
        cache_entries: usize,
        record_to: Option<PathBuf>,
    ) -> Dns {
        Dns {
            backend,
            sent: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            over_budget: AtomicU64::new(0),
            distrusted: AtomicU64::new(0),
            cache: Mutex::new(cache::Cache::new(cache_entries)),
            record_to,
            used: Mutex::new(BTreeMap::new()),
            budget: budget::Budget::new(
                budget::MESSAGE_BUDGET,
                budget::SCAN_BUDGET,
                DnsSettings::default().concurrency,
            ),
            canary: Question::address(health::DEFAULT_CANARY, false),
            clock: Clock::System,
        }
    }

    /// Where answers come from.
    pub fn mode(&self) -> Mode {
        self.backend.mode()
    }

    /// Answers every question: each distinct one is asked at most once, and not at all
    /// while a cached answer is fresh; within one message's time budget.
    pub fn resolve(&self, questions: &[Question]) -> HashMap<Question, Answer> {
        self.resolve_until(questions, self.budget.batch_deadline(Instant::now(), 1))
    }

    /// [`Dns::resolve`], the lookups ending by `deadline` (and within what is left of the
    /// run's budget for unanswered lookups).
    pub fn resolve_until(
        &self,
        questions: &[Question],
        deadline: Instant,
    ) -> HashMap<Question, Answer> {
        let mut out: HashMap<Question, Answer> = HashMap::with_capacity(questions.len());
        let mut missing: Vec<Question> = Vec::new();
        let mut pending: HashSet<&Question> = HashSet::new();
        {
            // While recording, a question already answered keeps that answer for the whole
            // run, so that replaying the recording gives every report exactly as it was.
            let used = self.record_to.as_ref().map(|_| lock(&self.used));
            let cache = lock(&self.cache);
            let now = Instant::now();
            for q in questions {
                if out.contains_key(q) || pending.contains(q) {
                    continue;
                }
                let known = used
                    .as_ref()
                    .and_then(|u| u.get(q).cloned())
                    .or_else(|| cache.get(q, now));
                match known {
                    Some(a) => {
                        out.insert(q.clone(), a);
                    }
                    None => {
                        pending.insert(q);
                        missing.push(q.clone());
                    }
                }
            }
        }
        if !missing.is_empty() {
            let answers = self.ask(&missing, deadline);
            let failed = answers.iter().filter(|a| a.rcode.is_failure()).count();
            self.failed.fetch_add(failed as u64, Ordering::Relaxed);
            let now = Instant::now();
            let mut cache = lock(&self.cache);
            for (q, a) in missing.into_iter().zip(answers) {
                let keep = if a.rcode.is_failure() {
                    FAILURE_TTL
                } else {
                    Duration::from_secs(u64::from(a.ttl.unwrap_or(0)))
                };
                cache.insert(q.clone(), a.clone(), now + keep);
                out.insert(q, a);
            }
        }
        if self.record_to.is_some() {
            let mut used = lock(&self.used);
            for (q, a) in &out {
                used.entry(q.clone()).or_insert_with(|| a.clone());
            }
        }
        out
    }

    /// Asks the backend, within the deadline and the scan budget; once that budget is
    /// spent, nothing is asked and every question is `TIMEOUT` at once.
    fn ask(&self, missing: &[Question], deadline: Instant) -> Vec<Answer> {
        let started = Instant::now();
        let Some(cut) = self.budget.call_deadline(started, deadline) else {
            let spent = Some(budget::SCAN_SPENT.to_string());
            let now = self.clock.now();
            self.over_budget
                .fetch_add(missing.len() as u64, Ordering::Relaxed);
            return missing
                .iter()
                .map(|q| Answer::empty(q, Rcode::Timeout, spent.clone(), now))
                .collect();
        };
        let mut answers = self.backend.lookup_all_until(missing, cut);
        for a in answers.iter_mut() {
            if a.error.as_deref() == Some(budget::MESSAGE_SPENT) {
                self.over_budget.fetch_add(1, Ordering::Relaxed);
                if cut < deadline {
                    // Cut short by the scan budget, not the message's: say so.
                    a.error = Some(budget::SCAN_SPENT.to_string());
                }
            }
        }
        self.sent.fetch_add(answers.len() as u64, Ordering::Relaxed);
        let timed_out = answers.iter().filter(|a| a.rcode == Rcode::Timeout).count();
        self.budget
            .charge(started.elapsed(), timed_out, answers.len());
        answers
    }

    /// The health check of a batch's first answers: the warning when the resolver looks
    /// broken (see [`health`]).
    fn health_warning(
        &self,
        answers: &HashMap<Question, Answer>,
        deadline: Instant,
    ) -> Option<String> {
        let canary = self.canary.as_ref()?;
        if !health::all_denied(answers.values()) {
            return None;
        }
        let asked = self.resolve_until(std::slice::from_ref(canary), deadline);
        health::verdict(canary, answers, asked.get(canary))
    }

    /// What this resolver has done so far.
    pub fn stats(&self) -> DnsStats {
        DnsStats {
            mode: self.mode(),
            lookups: self.sent.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            over_budget: self.over_budget.load(Ordering::Relaxed),
            distrusted_batches: self.distrusted.load(Ordering::Relaxed),
        }
    }

    /// Writes the recording, when one was asked for.
    pub fn finish(&self) -> Result<(), DnsError> {
        let Some(path) = &self.record_to else {
            return Ok(());
        };
        let used = lock(&self.used);
        record::write(path, used.values())
    }
}

/// Lookups made by a resolver (the scan summary's `dns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DnsStats {
    /// Where answers came from.
    pub mode: Mode,
    /// Distinct questions sent to the backend (not answered from the cache).
    pub lookups: u64,
    /// Of those, how many got no answer (timeout, SERVFAIL, REFUSED, not recorded, ...).
    pub failed: u64,
    /// Questions left without an answer by a time budget (`--dns-message-budget`,
    /// `--dns-scan-budget`): still open at the deadline, or not asked at all once the
    /// run's budget was spent. Their checks are unknown.
    pub over_budget: u64,
    /// Batches whose answers were not believed: the resolver answered NXDOMAIN for every
    /// name, the canary included (see [`health`]).
    pub distrusted_batches: u64,
}

/// A poisoned lock only means another thread panicked mid-update; the map is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Resolves a batch of messages' questions together (each distinct question once), in
/// the plan's two stages (each with its CNAME steps), within the batch's time budget, and
/// returns each message's answers in order. When the first stage's answers look like a
/// broken resolver, every message's answers are distrusted (see [`health`]).
pub fn resolve_batch(subjects: &[Subject<'_>], dns: &Dns, cap: usize) -> Vec<MessageDns> {
    let deadline = dns.budget.batch_deadline(Instant::now(), subjects.len());
    let mut plan = BatchPlan::new(subjects, cap);
    let mut answers = dns.resolve_until(&plan.questions(), deadline);
    follow_cnames(&mut plan, &mut answers, dns, deadline);
    if let Some(warning) = dns.health_warning(&answers, deadline) {
        dns.distrusted.fetch_add(1, Ordering::Relaxed);
        return plan
            .answered(dns.mode(), &answers)
            .into_iter()
            .map(|m| m.distrusted(&warning))
            .collect();
    }
    plan.follow_up(&answers);
    answers.extend(dns.resolve_until(&plan.unanswered(&answers), deadline));
    follow_cnames(&mut plan, &mut answers, dns, deadline);
    plan.answered(dns.mode(), &answers)
}

/// Rounds of questions the verification may ask one message at most: SPF's ten DNS
/// mechanisms (RFC 7208 §4.6.4), each include a round, plus the keys and DMARC's walk.
const VERIFY_ROUNDS: usize = 16;

/// Verifies messages' DKIM signatures, ARC chains, SPF and DMARC (see
/// [`crate::auth::verify`]), a batch together: mail-auth runs on each message's answers so
/// far, the questions they all still need are asked at once (each distinct one once;
/// cache, recording and budgets as for every lookup), and it runs again, until no message
/// needs anything new, a message has asked `cap` questions, or the rounds are spent.
/// Questions left open are `unknown` in the result, never a failed check. `None` inputs
/// (messages not verified) give `None`.
pub fn verify_auth(
    dns: &Dns,
    inputs: &[Option<crate::auth::verify::Input<'_>>],
    cap: usize,
) -> Vec<Option<crate::auth::verify::Verification>> {
    use rayon::prelude::*;
    struct State {
        answers: HashMap<Question, Answer>,
        asked: usize,
        capped: bool,
        done: Option<crate::auth::verify::Verification>,
    }
    let deadline = dns.budget.batch_deadline(Instant::now(), inputs.len());
    let mut states: Vec<State> = inputs
        .iter()
        .map(|_| State {
            answers: HashMap::new(),
            asked: 0,
            capped: false,
            done: None,
        })
        .collect();
    for _ in 0..VERIFY_ROUNDS {
        // Each open message's checks on what it has; the questions it still needs.
        let wanted: Vec<(usize, Vec<Question>)> = inputs
            .par_iter()
            .zip(states.par_iter_mut())
            .enumerate()
            .filter_map(|(i, (input, state))| {
                let input = input.as_ref()?;
                if state.done.is_some() {
                    return None;
                }
                let (verification, wanted) = crate::auth::verify::run(input, &state.answers);
                let new: Vec<Question> = wanted
                    .into_iter()
                    .filter(|q| !state.answers.contains_key(q))
                    .collect();
                let room = cap.saturating_sub(state.asked);
                if new.is_empty() || room == 0 {
                    state.capped = !new.is_empty();
                    state.done = Some(verification);
                    return None;
                }
                state.capped = new.len() > room;
                let take: Vec<Question> = new.into_iter().take(room).collect();
                state.asked += take.len();
                Some((i, take))
            })
            .collect();
        if wanted.is_empty() {
            break;
        }
        let mut all: Vec<Question> = wanted.iter().flat_map(|(_, q)| q.iter().cloned()).collect();
        all.sort();
        all.dedup();
        let answered = dns.resolve_until(&all, deadline);
        for (i, questions) in wanted {
            for q in questions {
                if let Some(a) = answered.get(&q) {
                    states[i].answers.insert(q, a.clone());
                }
            }
        }
    }
    inputs
        .par_iter()
        .zip(states.into_par_iter())
        .map(|(input, state)| {
            let input = input.as_ref()?;
            if let Some(done) = state.done.filter(|_| !state.capped) {
                return Some(done);
            }
            // The rounds or the cap ran out: the last answers' result, saying so.
            let (mut verification, _) = crate::auth::verify::run(input, &state.answers);
            let limit = if state.capped {
                format!("the lookup cap ({cap} per message) was reached")
            } else {
                format!("{VERIFY_ROUNDS} rounds of lookups were spent")
            };
            let note = format!("{limit}: the checks still waiting on DNS are unknown");
            verification.note = Some(match verification.note.take() {
                Some(n) => format!("{n}; {note}").into(),
                None => note.into(),
            });
            Some(verification)
        })
        .collect()
}

/// Asks the CNAME steps the answers so far need, round after round (a chain grows by
/// one step a round, so [`MAX_CNAME_STEPS`] rounds end every chain).
fn follow_cnames(
    plan: &mut BatchPlan<'_>,
    answers: &mut HashMap<Question, Answer>,
    dns: &Dns,
    deadline: Instant,
) {
    for _ in 0..MAX_CNAME_STEPS {
        plan.cname_steps(answers);
        let steps = plan.unanswered(answers);
        if steps.is_empty() {
            return;
        }
        answers.extend(dns.resolve_until(&steps, deadline));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backend whose answers change over time: the first ask of each question times out,
    /// later ones answer.
    struct Flaky(Mutex<HashMap<Question, usize>>);

    impl Lookup for Flaky {
        fn lookup_all(&self, questions: &[Question]) -> Vec<Answer> {
            let mut seen = self.0.lock().unwrap();
            questions
                .iter()
                .map(|q| {
                    let n = seen.entry(q.clone()).or_default();
                    *n += 1;
                    let rcode = if *n == 1 {
                        Rcode::Timeout
                    } else {
                        Rcode::NoError
                    };
                    Answer::empty(q, rcode, None, 0)
                })
                .collect()
        }
        fn mode(&self) -> Mode {
            Mode::Live
        }
    }

    #[test]
    fn a_recording_run_keeps_each_answer_it_used() {
        let q = vec![Question::address("mail.example.com", false).unwrap()];
        // Without recording, a failure is forgotten after its TTL; with cache 0, at once.
        let dns = Dns::with_backend(Box::new(Flaky(Mutex::default())), 0, None);
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::NoError);
        // While recording, the run answers every later ask as it first did, as a replay will.
        let path =
            std::env::temp_dir().join(format!("hopsleuth-flaky-{}.json", std::process::id()));
        let dns = Dns::with_backend(Box::new(Flaky(Mutex::default())), 0, Some(path.clone()));
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        assert_eq!(dns.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        dns.finish().unwrap();
        let replay = Dns::new(&DnsSettings {
            replay: Some(path.clone()),
            ..DnsSettings::default()
        })
        .unwrap();
        assert_eq!(replay.resolve(&q)[&q[0]].rcode, Rcode::Timeout);
        std::fs::remove_file(path).ok();
    }
}
