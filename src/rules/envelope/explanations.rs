//! The honest explanations the envelope rules share.
//!
//! Lists, forwarders and email service providers make the envelope and the headers disagree
//! honestly. Two explanations are shared by the rules here, and each is one a forger cannot
//! borrow for the case the rules look for:
//!
//! * [`relay_address`]: the message was sent to an address of a list or forwarder on its way
//!   (To, Cc, or a `for` clause; not the final recipients or the delivering server's domain), and that domain then
//!   sent it on. A forger who puts his own bounce address under a forged From does not address
//!   the message to his own domain.
//! * [`authenticated_from`]: our own server, after it took the message, wrote an
//!   Authentication-Results field saying DKIM or DMARC passed for the From domain. Then the
//!   From domain vouched for the message, wherever its envelope and Message-ID come from.

use crate::domain;
use crate::message::headers::{HeaderValue, domain_of};
use crate::rules::Ctx;
use std::cell::OnceCell;

/// The registrable domain of the first address of a header.
pub fn header_domain(h: Option<&HeaderValue>) -> Option<(String, String)> {
    let addr = h?.addresses.first()?.clone();
    let d = domain_of(&addr)?;
    Some((addr, crate::domain::registrable_public(&d).unwrap_or(d)))
}

/// The From address and its registrable domain.
pub fn from_domain(ctx: &Ctx<'_>) -> Option<(String, String)> {
    header_domain(ctx.headers.from.as_ref())
}

/// The registrable domain of an address, lower case.
fn registrable_of(addr: &str) -> Option<String> {
    let d = domain_of(addr)?;
    Some(domain::registrable_public(&d).unwrap_or(d))
}

/// Addresses the message was sent to on its way that are not where it was finally
/// delivered: To and Cc, and the `for` clauses of the hops. The final recipients (known
/// from above the trace) and addresses in the domain of the server that delivered it (the
/// topmost hop's `by`) are left out: a forger can write our own addresses into To as easily
/// as a list's, so what remains is a list or an alias elsewhere.
fn relay_addresses<'a>(ctx: &'a Ctx<'_>) -> impl Iterator<Item = &'a str> + 'a {
    let headers = [&ctx.headers.to, &ctx.headers.cc]
        .into_iter()
        .flatten()
        .flat_map(|h| h.addresses.iter().map(String::as_str));
    let fors = ctx.hops.iter().filter_map(|h| h.for_addr.as_deref());
    let ours = ctx
        .top()
        .and_then(|e| e.by.host.as_deref())
        .and_then(domain::registrable);
    // A few recipients are searched as they are; many are hashed (lower case) once, when
    // there is an address to look up: one look-up per address, not a search per address.
    let recipients: OnceCell<crate::small_map::SmallSet<String>> = OnceCell::new();
    let few = ctx.recipients.len() < crate::small_map::HASH_FROM;
    headers.chain(fors).filter(move |a| {
        a.contains('@')
            && !(if few {
                ctx.recipients.iter().any(|r| r.eq_ignore_ascii_case(a))
            } else {
                recipients
                    .get_or_init(|| {
                        ctx.recipients
                            .iter()
                            .map(|r| r.to_ascii_lowercase())
                            .collect()
                    })
                    .contains_key(&a.to_ascii_lowercase())
            })
            && (ours.is_none() || registrable_of(a) != ours)
    })
}

/// The address of a list or forwarder in `registrable` (a registrable domain) that the
/// message was sent to on its way, when there is one.
pub fn relay_address<'a>(ctx: &'a Ctx<'_>, registrable: &str) -> Option<&'a str> {
    relay_addresses(ctx).find(|a| registrable_of(a).is_some_and(|d| d == registrable))
}

/// True when `addr` is one of the list or alias addresses the message was sent to on its
/// way (compared whole, case-insensitively).
pub fn is_relay_address(ctx: &Ctx<'_>, addr: &str) -> bool {
    relay_addresses(ctx).any(|a| a.eq_ignore_ascii_case(addr))
}

/// True when From is the address of a list the message was sent to and that list re-sent it:
/// From is one of the list or alias addresses the message was sent to on its way, and the
/// envelope sender or Sender is another address in From's domain (the list's bounce
/// address). That is how a list that rewrites From to itself for DMARC looks (Mailman's
/// `from_is_list`, Google Groups); a message whose From is simply copied into To (spam sent
/// "from" its victim) has no such bounce address.
pub fn from_is_the_list(ctx: &Ctx<'_>, from_addr: &str, from_domain: &str) -> bool {
    if !is_relay_address(ctx, from_addr) {
        return false;
    }
    let envelope = ctx.envelope.mail_from.as_ref().map(|m| m.value.as_str());
    let sender = ctx
        .headers
        .sender
        .as_ref()
        .and_then(|s| s.addresses.first())
        .map(String::as_str);
    [envelope, sender].into_iter().flatten().any(|a| {
        !a.eq_ignore_ascii_case(from_addr) && registrable_of(a).as_deref() == Some(from_domain)
    })
}

/// A DKIM or DMARC pass for the From domain (`from_domain`, registrable), written by our
/// side: in an Authentication-Results field above the entry hop's Received line. Returns
/// the passing result, e.g. `dmarc=pass header.from=galangal-foods.com`.
pub fn authenticated_from(ctx: &Ctx<'_>, from_domain: &str) -> Option<String> {
    ctx.our_auth_results()
        .flat_map(|a| a.passes())
        .find(|p| {
            domain::registrable(&p.domain)
                .unwrap_or_else(|| p.domain.clone())
                .eq_ignore_ascii_case(from_domain)
        })
        .map(|p| {
            let key = if p.method == "dmarc" {
                "header.from"
            } else {
                "header.d"
            };
            format!("{}=pass {key}={}", p.method, p.domain)
        })
}
