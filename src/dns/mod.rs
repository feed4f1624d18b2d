//! DNS evidence: what reverse and forward DNS say today about the hosts a message passed.
//!
//! A Received line can say anything; the receiver's record (IP, rDNS) and today's DNS are
//! independent witnesses. This module is that evidence as data, and the planning of it:
//! - the questions ([`Question`], [`QType`]) and how they ended ([`Answer`], [`Rcode`]),
//!   and where the answers came from ([`Mode`]);
//! - [`plan`]: which questions one message raises, under its lookup cap, and the answers
//!   its checks read ([`plan::MessageDns`]);
//! - [`recording`]: the format that pins the answers a run used.
//!
//! It asks nothing: the lookups happen elsewhere, before the rules run, and the rules only
//! read the answers and stay pure.

pub mod plan;
pub mod recording;

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The record types hopsleuth asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum QType {
    /// IPv4 addresses of a name.
    A,
    /// IPv6 addresses of a name.
    #[serde(rename = "AAAA")]
    Aaaa,
    /// The name of an address (reverse DNS).
    #[serde(rename = "PTR")]
    Ptr,
    /// The mail exchangers of a domain.
    #[serde(rename = "MX")]
    Mx,
    /// Text records: DKIM keys, SPF and DMARC policies (the authentication checks).
    #[serde(rename = "TXT")]
    Txt,
}

impl QType {
    /// The type's name as DNS writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            QType::A => "A",
            QType::Aaaa => "AAAA",
            QType::Ptr => "PTR",
            QType::Mx => "MX",
            QType::Txt => "TXT",
        }
    }
}

/// One question: a fully qualified, lower-case name (with its trailing dot) and a type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Question {
    /// The name asked, e.g. `20.216.184.93.in-addr.arpa.`.
    pub name: String,
    /// The record type.
    pub qtype: QType,
}

impl Question {
    /// The PTR question for an address.
    pub fn ptr(ip: IpAddr) -> Question {
        let name = match ip {
            IpAddr::V4(v4) => {
                let [a, b, c, d] = v4.octets();
                format!("{d}.{c}.{b}.{a}.in-addr.arpa.")
            }
            IpAddr::V6(v6) => {
                let mut name = String::with_capacity(73);
                for byte in v6.octets().iter().rev() {
                    name.push_str(&format!("{:x}.{:x}.", byte & 0x0f, byte >> 4));
                }
                name.push_str("ip6.arpa.");
                name
            }
        };
        Question {
            name,
            qtype: QType::Ptr,
        }
    }

    /// The address question (A for IPv4, AAAA for IPv6) for a host name, or `None` when
    /// `host` is not a syntactically valid internet host name (a forged HELO can be
    /// anything; only real names are ever asked).
    pub fn address(host: &str, v6: bool) -> Option<Question> {
        Some(Question {
            name: fqdn(host)?,
            qtype: if v6 { QType::Aaaa } else { QType::A },
        })
    }

    /// The TXT question for a name, or `None` when it is not a valid domain name.
    pub fn txt(name: &str) -> Option<Question> {
        Some(Question {
            name: fqdn(name)?,
            qtype: QType::Txt,
        })
    }

    /// The MX question for a domain, or `None` when it is not a valid domain name.
    pub fn mx(domain: &str) -> Option<Question> {
        Some(Question {
            name: fqdn(domain)?,
            qtype: QType::Mx,
        })
    }
}

/// `host` as a fully qualified lower-case name with its trailing dot, when it is a valid
/// multi-label host name: labels of letters, digits, `-` and `_`, 1 to 63 bytes each, 253
/// in all, and not an address literal.
pub fn fqdn(host: &str) -> Option<String> {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if h.is_empty() || h.len() > 253 || !h.contains('.') || h.parse::<IpAddr>().is_ok() {
        return None;
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !h.split('.').all(valid_label) {
        return None;
    }
    // An all-numeric last label is a mistyped address, not a top-level domain.
    if h.rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(h + ".")
}

/// How a lookup ended. Only `NOERROR` and `NXDOMAIN` are answers about the name; the rest
/// say nothing about it and are never evidence of forgery by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rcode {
    /// The server answered (possibly with no records of the type: NODATA).
    #[serde(rename = "NOERROR")]
    NoError,
    /// The name does not exist.
    #[serde(rename = "NXDOMAIN")]
    NxDomain,
    /// The server failed.
    #[serde(rename = "SERVFAIL")]
    ServFail,
    /// The server refused to answer.
    #[serde(rename = "REFUSED")]
    Refused,
    /// No answer within the timeout.
    #[serde(rename = "TIMEOUT")]
    Timeout,
    /// Another failure (network, malformed answer, other response code); see `error`.
    #[serde(rename = "ERROR")]
    Error,
    /// Replay mode and the recording holds no answer to this question.
    #[serde(rename = "NOT-RECORDED")]
    NotRecorded,
}

impl Rcode {
    /// True when the lookup gave no answer about the name (the check is unknown).
    pub fn is_failure(self) -> bool {
        !matches!(self, Rcode::NoError | Rcode::NxDomain)
    }

    /// The code as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::ServFail => "SERVFAIL",
            Rcode::Refused => "REFUSED",
            Rcode::Timeout => "TIMEOUT",
            Rcode::Error => "ERROR",
            Rcode::NotRecorded => "NOT-RECORDED",
        }
    }
}

/// CNAME steps followed for one question at most: a longer chain (or a loop) is a failure
/// of the lookup, never "no record". Each step the server did not answer in the same
/// response is one more query, counted against the message's lookup cap.
pub const MAX_CNAME_STEPS: usize = 5;

/// One answer, as used by the checks and written in reports and recordings. Recordings are
/// hostile input too: a key this struct does not know is an error, not ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The name asked (fully qualified).
    pub name: String,
    /// The record type asked.
    #[serde(rename = "type")]
    pub qtype: QType,
    /// How the lookup ended.
    pub rcode: Rcode,
    /// The records of the asked type, in presentation form and sorted: addresses, names
    /// without their trailing dot, `preference exchange` for MX, a TXT record's strings
    /// joined (as DKIM, SPF and DMARC read them; bytes that are not UTF-8 replaced).
    pub answers: Vec<String>,
    /// The records' TTL in seconds (the smallest), or the negative TTL of a denial.
    pub ttl: Option<u32>,
    /// When the question was asked, RFC 3339 UTC.
    pub asked_at: String,
    /// Unix seconds of `asked_at` (hop ages are measured against it).
    pub asked_ts: i64,
    /// Detail of a failure.
    pub error: Option<String>,
    /// The name this one is an alias of, when the answer ended at a CNAME whose target's
    /// records were not in the response: the records are asked for under that name (one
    /// more query). `null` otherwise.
    #[serde(default)]
    pub cname: Option<String>,
}

impl Answer {
    /// The question this answers.
    pub fn question(&self) -> Question {
        Question {
            name: self.name.clone(),
            qtype: self.qtype,
        }
    }

    /// An answer with no records, e.g. a failure, asked at `ts` (Unix seconds).
    pub fn empty(q: &Question, rcode: Rcode, error: Option<String>, ts: i64) -> Answer {
        Answer {
            name: q.name.clone(),
            qtype: q.qtype,
            rcode,
            answers: Vec::new(),
            ttl: None,
            asked_at: crate::date::rfc3339_utc(ts),
            asked_ts: ts,
            error,
            cname: None,
        }
    }

    /// The addresses of an A/AAAA answer.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.answers.iter().filter_map(|a| a.parse().ok()).collect()
    }

    /// The exchange host names of an MX answer, by preference.
    pub fn exchanges(&self) -> Vec<String> {
        let mut mx: Vec<(u16, String)> = self
            .answers
            .iter()
            .filter_map(|a| {
                let (pref, host) = a.split_once(' ')?;
                Some((pref.parse().ok()?, host.to_string()))
            })
            .collect();
        mx.sort();
        mx.into_iter().map(|(_, h)| h).collect()
    }
}

/// Where answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No lookups (`--no-dns`, or the library's default).
    Off,
    /// Looked up now, over the network.
    Live,
    /// Only from a recording (`--dns-replay`).
    Replay,
}

impl Mode {
    /// The mode as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Live => "live",
            Mode::Replay => "replay",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names() {
        assert_eq!(
            Question::ptr("93.184.216.20".parse().unwrap()).name,
            "20.216.184.93.in-addr.arpa."
        );
        let v6 = Question::ptr("2001:db8::1".parse().unwrap()).name;
        assert_eq!(
            v6,
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
        );
    }

    #[test]
    fn only_real_host_names_are_asked() {
        assert_eq!(fqdn("Mail.Example.COM."), Some("mail.example.com.".into()));
        for bad in [
            "localhost",
            "192.0.2.1",
            "[192.0.2.1]",
            "a..b",
            "-a.example",
            "a b.example",
            "1.2.3.999",
            "",
            &"a.".repeat(200),
        ] {
            assert_eq!(fqdn(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn exchanges_by_preference() {
        let mut a = Answer::empty(
            &Question::mx("example.com").unwrap(),
            Rcode::NoError,
            None,
            0,
        );
        a.answers = vec!["20 b.example.com".into(), "10 a.example.com".into()];
        assert_eq!(a.exchanges(), ["a.example.com", "b.example.com"]);
    }
}
