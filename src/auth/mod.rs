//! Authentication evidence: the Authentication-Results fields read with the trust
//! boundary (`results`, `section`), and our own verification of DKIM, ARC, SPF and DMARC
//! (`verify`, with mail-auth; its DNS questions answered by the resolver).
//!
//! A result another server wrote is a witness only when our side wrote it: above the
//! entry hop's Received line (and, when configured, with one of our authserv-ids). Our own
//! verification is judged as of the delivery time, and a DNS failure is `unknown`, never a
//! failed check.

pub mod results;
pub mod section;
pub mod verify;
