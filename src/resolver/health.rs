//! The resolver health check. A machine without network often sits behind a resolver
//! that answers NXDOMAIN for every name; taken at its word, every message would have "no
//! PTR" and a HELO that "does not exist". So when a batch's answers are all NXDOMAIN (no
//! name exists, the recipient domain's MX included), one more name is asked: the canary
//! (`[dns] canary`, `--dns-canary`, default `a.root-servers.net`, which has existed since
//! the 1990s). When the canary is NXDOMAIN too, the resolver is broken: the batch's
//! answers are not evidence, the DNS checks are unknown (the `--no-dns` verdict), and the
//! report's `dns.warning` says why. A canary that answers proves the resolver can say a
//! name exists; a canary that fails (timeout, SERVFAIL) proves nothing and changes
//! nothing: failures are unknown anyway.

use crate::dns::{Answer, Question, Rcode};
use std::collections::HashMap;

/// The default canary: a name that exists wherever the internet is reachable.
pub const DEFAULT_CANARY: &str = "a.root-servers.net";

/// True when the answers look like a resolver that denies every name: at least one
/// NXDOMAIN and nothing that says a name exists (no NOERROR). Failures are ignored: they
/// say nothing either way.
pub fn all_denied<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> bool {
    let mut denied = false;
    for a in answers {
        match a.rcode {
            Rcode::NoError => return false,
            Rcode::NxDomain => denied = true,
            _ => {}
        }
    }
    denied
}

/// What the report says when the canary is denied too.
pub fn warning(canary: &Question) -> String {
    format!(
        "the resolver answered NXDOMAIN for every name of this batch, even for the canary {} \
         (a name that exists): it looks broken (no network?), so its answers are not evidence \
         and the DNS checks are unknown, as with --no-dns",
        canary.name.trim_end_matches('.')
    )
}

/// The warning for a batch whose answers are `answers` and whose canary answered
/// `canary_answer`, when the resolver looks broken.
pub fn verdict(
    canary: &Question,
    answers: &HashMap<Question, Answer>,
    canary_answer: Option<&Answer>,
) -> Option<String> {
    let denied =
        all_denied(answers.values()) && canary_answer.is_some_and(|a| a.rcode == Rcode::NxDomain);
    denied.then(|| warning(canary))
}
