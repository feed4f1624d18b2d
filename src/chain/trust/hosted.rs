//! Hosted mailboxes: when a provider's servers wrote the top of the trace, the provider's
//! internal hops are ours and the hop its frontend received from the outside is the entry.
//!
//! Which provider hosts the mailbox is read only from what the recipient's side wrote: the
//! topmost Received header's receiver (the server that delivered to the mailbox), or an
//! authserv-id above the whole trace. Below the top, a hop counts as the provider's only
//! when the provider wrote it (its receiver is the provider's) *and* its sender's recorded
//! address is the provider's internal space, or it recorded none: a client can name itself
//! anything in its HELO (`from AM0PR01MB1234.eurprd01.prod.outlook.com (198.51.100.20)`),
//! but not the address the frontend recorded.

use super::Relay;
use super::hints::TrustHints;
use crate::chain::hop::Hop;
use crate::netclass;
use crate::profiles::{self, Profile, ReceiverMatch};

/// The provider hosting the mailbox, and what showed it.
#[derive(Debug, Clone)]
pub struct Hosting {
    /// The provider's profile.
    pub profile: &'static Profile,
    /// What showed it, as the basis says it.
    pub evidence: String,
}

fn describe_match(m: &ReceiverMatch) -> String {
    match m {
        ReceiverMatch::Name(suffix) => ["a name under ", suffix].concat(),
        ReceiverMatch::Literal(net) => format!("an address literal in {net}"),
        ReceiverMatch::Label(pattern) => ["a single-label name with ", pattern, " in it"].concat(),
    }
}

/// The provider whose servers wrote the topmost Received header, or whose authserv-id is
/// on an Authentication-Results header above every Received header.
pub fn detect(hops: &[Hop], hints: &TrustHints) -> Option<Hosting> {
    let top = hops.last()?;
    if let Some(by) = top.by.host.as_deref()
        && let Some((p, m)) = profiles::receiver_of(by)
    {
        return Some(Hosting {
            profile: p,
            evidence: format!(
                "the topmost Received header (hop {}) was written by {by}, {}: the mailbox is hosted by {} (profile {}, checked {})",
                top.index,
                describe_match(&m),
                p.name,
                p.id,
                p.checked
            ),
        });
    }
    hints
        .header_evidence
        .iter()
        .filter(|e| e.received_above == 0)
        .find_map(|e| {
            let id = e.authserv_id.as_deref()?;
            let p = profiles::of_authserv_id(id)?;
            Some(Hosting {
                profile: p,
                evidence: format!(
                    "the Authentication-Results above the trace has {}'s authserv-id {id}: the mailbox is hosted by {} (profile {}, checked {})",
                    p.name, p.name, p.id, p.checked
                ),
            })
        })
}

/// What the profile says of one relay: `Some(Ok(why))` when the provider wrote the hop and
/// its sender is the provider's own, `Some(Err(why))` when the provider wrote it and the
/// sender is outside (the entry), `None` when the provider did not write it.
///
/// The provider wrote the hop when its receiver is one of the provider's names, or when
/// the hop above came from one of the provider's internal senders (`below_provider`): the
/// chain says who wrote a line, whatever name the line gives its receiver.
pub(super) fn judge(
    hosting: &Hosting,
    r: &Relay,
    below_provider: bool,
) -> Option<Result<String, String>> {
    let p = hosting.profile;
    let h = r.hop?;
    let by = h.by.host.as_deref().unwrap_or("?");
    if !below_provider && p.receiver(by).is_none() {
        return None;
    }
    let name = &p.short;
    // An authenticated submission to the provider is one of its customers sending: the
    // sender's own account, not the recipient's mail system. The walk stops there, and the
    // line below (his client's) is never taken for the provider's.
    if let Some(a) = r.auth {
        return Some(Err(format!(
            "{} submitted to {name}'s server {by} with authentication ({a}): a customer of {name} sending, the entry",
            r.describe()
        )));
    }
    if let Some(ip) = r.ip {
        if let Some(net) = p.internal_network(ip) {
            return Some(Ok(format!(
                "{} is in {name}'s internal network {net} (received by its server {by})",
                r.describe()
            )));
        }
        // The provider's frontends take mail from the outside; its other servers only from
        // its own. So a non-frontend server receiving from the provider's published network
        // (Exchange Online's frontends hand to hubs from 2a01:111:f400::/48) is a hand-off
        // inside, while a frontend receiving from it is another tenant's mail arriving.
        if !p.frontend_suffixes.is_empty()
            && !p.is_frontend(by)
            && let Some((net, _)) = p.sending_network(ip)
        {
            return Some(Ok(format!(
                "{} is in {name}'s published network {net}, received by its internal server {by} (not a frontend)",
                r.describe()
            )));
        }
        if netclass::is_internal_range(ip) {
            return Some(Ok(format!(
                "{} is a {} address inside {name} (received by its server {by})",
                r.describe(),
                netclass::special_class(ip).unwrap_or("private")
            )));
        }
    } else if let Some(why) = r.handoff(!p.frontend_suffixes.is_empty() && !p.is_frontend(by)) {
        // A frontend records the address of every client that connects: one that recorded
        // none may have written it in a way we could not read, and is no hand-off unless
        // its protocol or shape says so. The provider's other servers write their internal
        // hand-offs with a sender name and no address (iCloud's mailbox gateways).
        return Some(Ok([&why, " (", name, ")"].concat()));
    }
    let role = if p.is_frontend(by) {
        "its frontend"
    } else {
        "its server"
    };
    let claim = match h.helo_name() {
        Some(helo) if p.names_host(helo) || p.receiver(helo).is_some() => [
            "; the client named itself ",
            helo,
            " but the address ",
            name,
            "'s frontend recorded is not the provider's",
        ]
        .concat(),
        _ => String::new(),
    };
    Some(Err(format!(
        "{} is not one of {name}'s internal senders: the entry, received by {role} {by}{claim}",
        r.describe()
    )))
}
