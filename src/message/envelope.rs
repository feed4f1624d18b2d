//! The SMTP envelope as far as the message shows it: who sent it (MAIL FROM) and to whom it
//! was delivered (RCPT TO), each value with where it was read.

use super::Field;
use crate::received::Received;
use serde::Serialize;

/// Where an envelope value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeSource {
    /// `--mail-from` / `--rcpt-to` on the command line (these win).
    Cli,
    /// Return-Path, added at final delivery.
    ReturnPath,
    /// X-Envelope-From.
    XEnvelopeFrom,
    /// Delivered-To.
    DeliveredTo,
    /// X-Original-To (Postfix).
    XOriginalTo,
    /// Envelope-To (Exim).
    EnvelopeTo,
    /// A Received `for <...>` clause.
    ReceivedFor,
    /// A Received `envelope-from <...>` clause or comment.
    ReceivedEnvelopeFrom,
    /// The mbox `From ` line.
    MboxFrom,
}

impl EnvelopeSource {
    /// The name written in reports (serde writes it too).
    pub fn as_str(self) -> &'static str {
        match self {
            EnvelopeSource::Cli => "cli",
            EnvelopeSource::ReturnPath => "return-path",
            EnvelopeSource::XEnvelopeFrom => "x-envelope-from",
            EnvelopeSource::DeliveredTo => "delivered-to",
            EnvelopeSource::XOriginalTo => "x-original-to",
            EnvelopeSource::EnvelopeTo => "envelope-to",
            EnvelopeSource::ReceivedFor => "received-for",
            EnvelopeSource::ReceivedEnvelopeFrom => "received-envelope-from",
            EnvelopeSource::MboxFrom => "mbox-from",
        }
    }
}

/// One envelope value and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvelopeValue {
    /// The address (angle brackets removed; empty for the null sender `<>`).
    pub value: String,
    /// Where it was read.
    pub source: EnvelopeSource,
    /// For values read from a Received header: its index (0 = topmost).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_index: Option<usize>,
}

/// The envelope of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// The best-sourced envelope sender.
    pub mail_from: Option<EnvelopeValue>,
    /// Every envelope recipient found, de-duplicated (first source kept), best sources first.
    pub rcpt_to: Vec<EnvelopeValue>,
}

/// Values given on the command line, which override what the message says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvelopeOverride {
    /// `--mail-from`.
    pub mail_from: Option<String>,
    /// `--rcpt-to` (repeatable).
    pub rcpt_to: Vec<String>,
}

/// Gathers the envelope. `received` is in header order (topmost first).
pub fn envelope(
    fields: &[Field<'_>],
    received: &[&Received<'_>],
    mbox_from: Option<&[u8]>,
    given: &EnvelopeOverride,
) -> Envelope {
    let value = |v: String, source, header_index| EnvelopeValue {
        value: v,
        source,
        header_index,
    };

    let mail_from = if let Some(m) = &given.mail_from {
        Some(value(strip_angles(m), EnvelopeSource::Cli, None))
    } else {
        first_field(fields, "Return-Path")
            .map(|v| value(v, EnvelopeSource::ReturnPath, None))
            .or_else(|| {
                first_field(fields, "X-Envelope-From")
                    .map(|v| value(v, EnvelopeSource::XEnvelopeFrom, None))
            })
            .or_else(|| {
                received.iter().enumerate().find_map(|(i, r)| {
                    r.envelope_from.map(|e| {
                        value(
                            strip_angles(&crate::text::field(e)),
                            EnvelopeSource::ReceivedEnvelopeFrom,
                            Some(i),
                        )
                    })
                })
            })
            .or_else(|| {
                let line = mbox_from?;
                let sender = line
                    .get(5..)?
                    .split(|&b| b == b' ')
                    .find(|w| !w.is_empty())?;
                Some(value(
                    strip_angles(&crate::text::field(sender)),
                    EnvelopeSource::MboxFrom,
                    None,
                ))
            })
    };

    let mut rcpt: Vec<EnvelopeValue> = Vec::new();
    // A few recipients are searched as they are; past that they are hashed, ASCII
    // lower-cased: a list of 200,000 addresses is checked for duplicates in one pass, not
    // one search of the list per address.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut push = |v: String, source, header_index| {
        let v = strip_angles(&v);
        if v.is_empty() {
            return;
        }
        let duplicate = if rcpt.len() < crate::small_map::HASH_FROM {
            rcpt.iter().any(|e| e.value.eq_ignore_ascii_case(&v))
        } else {
            if seen.is_empty() {
                seen.extend(rcpt.iter().map(|e| e.value.to_ascii_lowercase()));
            }
            !seen.insert(v.to_ascii_lowercase())
        };
        if duplicate {
            return;
        }
        rcpt.push(EnvelopeValue {
            value: v,
            source,
            header_index,
        });
    };
    if !given.rcpt_to.is_empty() {
        for r in &given.rcpt_to {
            push(r.clone(), EnvelopeSource::Cli, None);
        }
    } else {
        for (name, source) in [
            ("Delivered-To", EnvelopeSource::DeliveredTo),
            ("X-Original-To", EnvelopeSource::XOriginalTo),
            ("Envelope-To", EnvelopeSource::EnvelopeTo),
        ] {
            for f in fields.iter().filter(|f| f.is(name)) {
                for part in crate::text::field(f.value).split(',') {
                    push(part.trim().to_string(), source, None);
                }
            }
        }
        for (i, r) in received.iter().enumerate() {
            if let Some(f) = r.for_addr {
                push(crate::text::field(f), EnvelopeSource::ReceivedFor, Some(i));
            }
        }
    }
    Envelope {
        mail_from,
        rcpt_to: rcpt,
    }
}

fn first_field(fields: &[Field<'_>], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|f| f.is(name))
        .map(|f| strip_angles(&crate::text::field(f.value)))
}

/// `<a@b>` -> `a@b`, `<>` -> ``; surrounding white space dropped.
fn strip_angles(s: &str) -> String {
    let t = s.trim();
    let t = t.strip_prefix('<').unwrap_or(t);
    let t = match t.find('>') {
        Some(end) => &t[..end],
        None => t,
    };
    t.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    #[test]
    fn sources_and_priority() {
        let msg = b"Return-Path: <bounce@a.example>\nDelivered-To: bob@b.example\nX-Original-To: Bob@b.example, list@b.example\nReceived: from x ([192.0.2.1]) by mx.b.example with ESMTP id 1 for <carol@b.example>; Mon, 1 Jan 2024 00:00:00 +0000\n\nbody";
        let split = crate::message::split(msg, &Limits::default()).unwrap();
        let recv_owned: Vec<Received<'_>> = split
            .fields
            .iter()
            .filter(|f| f.is("Received"))
            .map(|f| crate::received::parse(f.value, &Limits::default()))
            .collect();
        let recv: Vec<&Received<'_>> = recv_owned.iter().collect();
        let env = envelope(&split.fields, &recv, None, &EnvelopeOverride::default());
        assert_eq!(env.mail_from.as_ref().unwrap().value, "bounce@a.example");
        let rcpts: Vec<(&str, EnvelopeSource)> = env
            .rcpt_to
            .iter()
            .map(|e| (e.value.as_str(), e.source))
            .collect();
        assert_eq!(
            rcpts,
            vec![
                ("bob@b.example", EnvelopeSource::DeliveredTo),
                ("list@b.example", EnvelopeSource::XOriginalTo),
                ("carol@b.example", EnvelopeSource::ReceivedFor),
            ]
        );
        let given = EnvelopeOverride {
            mail_from: Some("<x@y.example>".into()),
            rcpt_to: vec!["z@y.example".into()],
        };
        let env = envelope(&split.fields, &recv, None, &given);
        assert_eq!(env.mail_from.unwrap().source, EnvelopeSource::Cli);
        assert_eq!(env.rcpt_to.len(), 1);
    }

    #[test]
    fn null_sender_and_mbox_line() {
        assert_eq!(strip_angles("<>"), "");
        let env = envelope(
            &[],
            &[],
            Some(b"From alice@example.com Mon Jan  1 00:00:00 2024"),
            &EnvelopeOverride::default(),
        );
        assert_eq!(env.mail_from.unwrap().source, EnvelopeSource::MboxFrom);
    }
}
