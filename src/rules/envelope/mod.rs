//! Envelope versus header rules. The honest explanations they share (lists, forwarders, our
//! own DKIM or DMARC verdict) are in [`explanations`].

pub mod bcc_recipient;
pub mod envelope_from_mismatch;
pub mod explanations;
#[cfg(test)]
mod fixtures;
pub mod forged_provider_from;
pub mod message_id_domain_mismatch;
pub mod reply_to_other_domain;
