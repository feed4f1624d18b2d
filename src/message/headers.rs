//! The key headers a forensic reader looks at, decoded (RFC 2047) with the raw text kept.

use super::Field;
use crate::date::parse_date;
use serde::Serialize;

/// One header as reported: raw text, decoded text, and what was read from it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HeaderValue {
    /// The value exactly as written, folding kept, lossily decoded when not UTF-8.
    pub raw: String,
    /// The value with RFC 2047 encoded words decoded and folding removed.
    pub value: String,
    /// True when the raw bytes were not valid UTF-8 and were decoded lossily.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lossy: bool,
    /// Addresses found in an address header (From, Sender, Reply-To, To, Cc).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// For Date: the instant in RFC 3339 UTC; absent when the date does not parse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utc: Option<String>,
    /// For Date: Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// How many times the header appears, when more than once (a forensic oddity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

/// The key headers of a message; absent ones are `null`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct KeyHeaders {
    /// From.
    pub from: Option<HeaderValue>,
    /// Sender.
    pub sender: Option<HeaderValue>,
    /// Reply-To.
    pub reply_to: Option<HeaderValue>,
    /// To.
    pub to: Option<HeaderValue>,
    /// Cc.
    pub cc: Option<HeaderValue>,
    /// Subject.
    pub subject: Option<HeaderValue>,
    /// Date, with the parsed instant.
    pub date: Option<HeaderValue>,
    /// Message-ID.
    pub message_id: Option<HeaderValue>,
    /// Every Authentication-Results field, topmost first, with its place among the Received
    /// fields. Not part of the report: the envelope rules read the verdicts our own servers
    /// wrote.
    #[serde(skip)]
    pub authentication_results: Vec<AuthResults>,
    /// The other trace fields the path checks read, each with its place among the Received
    /// fields. Not part of the report.
    #[serde(skip)]
    pub trace: TraceFields,
}

/// Fields whose meaning depends on who wrote them, each with the number of Received fields
/// above it (a field below the entry hop's Received line is the sender's text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceFields {
    /// ARC-Authentication-Results fields, topmost first.
    pub arc_authentication_results: Vec<AuthResults>,
    /// ARC-Seal fields, topmost first (their `i=` and `d=` name each instance's sealer).
    pub arc_seals: Vec<AuthResults>,
    /// X-Originating-IP and X-Sender-IP fields, topmost first (the name in `name`).
    pub originating_ips: Vec<PlacedField>,
    /// X-Authentication-Warning fields (Sendmail's `host X claimed to be Y`), topmost first.
    pub authentication_warnings: Vec<AuthResults>,
    /// The time of the message's Resent-Date (RFC 5322 §3.6.6: re-sent by a user, its older
    /// trace kept), when it has one that parses.
    pub resent_at: Option<i64>,
}

/// One field with its name and place among the Received fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlacedField {
    /// The field name as written.
    pub name: String,
    /// The value, unfolded.
    pub value: String,
    /// How many Received fields are above it.
    pub received_above: usize,
}

/// One Authentication-Results field (RFC 8601) and where it sits in the trace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthResults {
    /// The value, unfolded.
    pub value: String,
    /// How many Received fields are above it: a field above the entry hop's Received line
    /// was added after our server took the message, so the sender cannot have written it.
    pub received_above: usize,
    /// Its place among all the header fields (0 = topmost).
    pub field_index: usize,
}

/// One `method=result` of an Authentication-Results field, lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthMethodResult {
    /// `spf`, `dkim`, `dmarc`, ...
    pub method: String,
    /// `pass`, `fail`, `softfail`, ...
    pub result: String,
    /// The properties after it (`smtp.mailfrom`, `header.d`, ...), values without quotes.
    pub properties: Vec<(String, String)>,
}

impl AuthMethodResult {
    /// The value of a property.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A verdict of an Authentication-Results field that vouches for a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthPass {
    /// `dkim` or `dmarc`.
    pub method: &'static str,
    /// The domain it vouches for: DKIM's `header.d` (or the domain of `header.i`), DMARC's
    /// `header.from`; lower case.
    pub domain: String,
}

impl AuthResults {
    /// The authserv-id (RFC 8601: `authserv-id [version]; results`), or `None` when the
    /// field starts with a result (`spf=pass ...`, as Exchange Online writes it) or is
    /// empty.
    pub fn authserv_id(&self) -> Option<&str> {
        let first = self.value.split(';').next()?.split_whitespace().next()?;
        (!first.contains('=')).then_some(first)
    }

    /// Every `method=result` of the field with its properties (`smtp.mailfrom=...`), lower
    /// case, in order (the authserv-id part is skipped), as [`crate::auth::results`] reads
    /// them.
    pub fn results(&self) -> Vec<AuthMethodResult> {
        crate::auth::results::parse(&self.value)
            .results
            .into_iter()
            .map(|r| AuthMethodResult {
                method: r.method,
                result: r.result,
                properties: r
                    .properties
                    .into_iter()
                    .map(|(k, v)| (k, v.to_ascii_lowercase()))
                    .collect(),
            })
            .collect()
    }

    /// The passing DKIM and DMARC results and the domains they name.
    pub fn passes(&self) -> Vec<AuthPass> {
        // The first part is the authserv-id (unless the writer left it out, as Exchange
        // Online does); the others are `method=result (comment) ptype.property=value ...`.
        self.results()
            .into_iter()
            .filter(|r| r.result == "pass")
            .filter_map(|r| {
                let (method, wanted): (&'static str, &[&str]) = match r.method.as_str() {
                    "dkim" => ("dkim", &["header.d", "header.i"]),
                    "dmarc" => ("dmarc", &["header.from"]),
                    _ => return None,
                };
                // The first of the wanted properties the result carries, as written.
                let value = r
                    .properties
                    .iter()
                    .find(|(k, _)| wanted.contains(&k.as_str()))
                    .map(|(_, v)| v.as_str())?;
                let d = value.rsplit_once('@').map_or(value, |(_, d)| d);
                let domain = d.trim_end_matches('.').to_string();
                (!domain.is_empty()).then_some(AuthPass { method, domain })
            })
            .collect()
    }
}

/// Reads the key headers from the fields (first occurrence wins; duplicates are counted).
pub fn key_headers(fields: &[Field<'_>]) -> KeyHeaders {
    let get = |name: &str, addresses: bool| -> Option<HeaderValue> {
        let mut matching = fields.iter().filter(|f| f.is(name));
        let first = matching.next()?;
        let extra = matching.count();
        let mut hv = decode(first, addresses);
        if extra > 0 {
            hv.count = Some(extra + 1);
        }
        Some(hv)
    };
    let mut date = get("Date", false);
    if let Some(d) = date.as_mut()
        && let Some((parsed, _)) = parse_date(d.value.as_bytes())
    {
        d.utc = Some(parsed.utc_rfc3339());
        d.timestamp = Some(parsed.timestamp);
    }
    let (authentication_results, trace) = trace_fields(fields);
    KeyHeaders {
        from: get("From", true),
        sender: get("Sender", true),
        reply_to: get("Reply-To", true),
        to: get("To", true),
        cc: get("Cc", true),
        subject: get("Subject", false),
        date,
        message_id: get("Message-ID", false),
        authentication_results,
        trace,
    }
}

/// The Authentication-Results fields and the other trace fields, each with the number of
/// Received fields above it.
fn trace_fields(fields: &[Field<'_>]) -> (Vec<AuthResults>, TraceFields) {
    let mut received_above = 0;
    let mut results = Vec::new();
    let mut trace = TraceFields::default();
    let placed = |f: &Field<'_>, received_above, field_index| AuthResults {
        value: decode(f, false).value,
        received_above,
        field_index,
    };
    for (i, f) in fields.iter().enumerate() {
        if f.is("Received") {
            received_above += 1;
        } else if f.is("Authentication-Results") {
            results.push(placed(f, received_above, i));
        } else if f.is("ARC-Authentication-Results") {
            trace
                .arc_authentication_results
                .push(placed(f, received_above, i));
        } else if f.is("ARC-Seal") {
            trace.arc_seals.push(placed(f, received_above, i));
        } else if f.is("X-Originating-IP") || f.is("X-Sender-IP") {
            trace.originating_ips.push(PlacedField {
                name: String::from_utf8_lossy(f.name).into_owned(),
                value: decode(f, false).value,
                received_above,
            });
        } else if f.is("X-Authentication-Warning") {
            trace
                .authentication_warnings
                .push(placed(f, received_above, i));
        } else if f.is("Resent-Date") && trace.resent_at.is_none() {
            trace.resent_at =
                parse_date(decode(f, false).value.as_bytes()).map(|(d, _)| d.timestamp);
        }
    }
    (results, trace)
}

/// The most steps mailparse's encoded-word scan may take on an address header (see
/// [`Decoded::mailparse_steps`](super::rfc2047::Decoded::mailparse_steps)): a few
/// milliseconds. A real header stays far below (a 998-byte line of encoded words takes
/// about half a million); one long line of thousands of encoded words goes over.
const MAILPARSE_STEPS: u64 = 1 << 24;

/// Decodes one field: raw text, RFC 2047 value, and addresses when asked.
pub fn decode(field: &Field<'_>, addresses: bool) -> HeaderValue {
    // Most values are one UTF-8 line without encoded words: mailparse would return them as
    // they are, so skip re-parsing the field.
    if let Ok(v) = std::str::from_utf8(field.value)
        && memchr::memmem::find(field.value, b"=?").is_none()
        && memchr::memchr2(b'\r', b'\n', field.value).is_none()
    {
        let v = v.trim();
        let value = crate::text::clean(v);
        let addresses = if addresses {
            match simple_address(&value) {
                Some(addr) => vec![addr.to_string()],
                None => address_list(mailparse::addrparse(&value).ok(), &value),
            }
        } else {
            Vec::new()
        };
        return HeaderValue {
            raw: v.to_string(),
            value,
            lossy: false,
            addresses,
            utc: None,
            timestamp: None,
            count: None,
        };
    }
    let lossy = std::str::from_utf8(field.value).is_err();
    let raw = String::from_utf8_lossy(field.value).into_owned();
    let (value, addrs) = match mailparse::parse_header(field.raw) {
        Ok((header, _)) => {
            // Our linear decoder, not `header.get_value()`: mailparse's scan is quadratic.
            let decoded = super::rfc2047::decode(header.get_value_raw());
            let addrs = if !addresses {
                Vec::new()
            } else if decoded.mailparse_steps <= MAILPARSE_STEPS {
                address_list(mailparse::addrparse_header(&header).ok(), &decoded.value)
            } else {
                // mailparse's address parser would scan the encoded words as slowly: read
                // the list with them left as written. Only display names hold encoded words
                // (RFC 2047 §5), and only the addresses are kept.
                let text = super::rfc2047::utf8_or_latin1(header.get_value_raw());
                address_list(mailparse::addrparse(&text).ok(), &decoded.value)
            };
            (decoded.value, addrs)
        }
        Err(_) => (crate::text::clean(&raw), Vec::new()),
    };
    HeaderValue {
        raw: raw.trim().to_string(),
        value: crate::text::clean(value.trim()),
        lossy,
        addresses: addrs,
        utc: None,
        timestamp: None,
        count: None,
    }
}

/// The address of the two commonest forms, `local@domain` and `Display Name <local@domain>`,
/// written plainly (no quotes, comments, groups or lists): what mailparse would return for
/// them, without its general tokenizer. Anything else is `None`, for mailparse to read.
fn simple_address(value: &str) -> Option<&str> {
    let plain_address = |a: &str| {
        a.bytes().filter(|&b| b == b'@').count() == 1
            && !a.starts_with('@')
            && !a.ends_with('@')
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'.' | b'-' | b'_' | b'+'))
    };
    if plain_address(value) {
        return Some(value);
    }
    let (name, rest) = value.split_once('<')?;
    let addr = rest.strip_suffix('>')?;
    let plain_name = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_'));
    (plain_name && plain_address(addr)).then_some(addr)
}

fn address_list(parsed: Option<mailparse::MailAddrList>, value: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(list) = parsed {
        for addr in list.iter() {
            match addr {
                mailparse::MailAddr::Single(s) => out.push(s.addr.clone()),
                mailparse::MailAddr::Group(g) => out.extend(g.addrs.iter().map(|s| s.addr.clone())),
            }
        }
    }
    if out.is_empty() {
        // Broken syntax: fall back to anything that looks like an address.
        out.extend(
            value
                .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '"'))
                .filter(|w| w.contains('@') && w.len() > 2)
                .map(str::to_string),
        );
    }
    out.retain(|a| !a.is_empty());
    out
}

/// The domain of an address, lower-cased, without a trailing dot or angle bracket.
pub fn domain_of(addr: &str) -> Option<String> {
    let (_, d) = addr.rsplit_once('@')?;
    let d = d.trim().trim_end_matches(['>', '.']).to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_results_passes() {
        let ar = AuthResults {
            value: "mx.b-corp.com; dkim=pass (2048-bit key; unprotected; comment; with semicolons) header.d=A-Corp.com header.s=s1; dkim=fail header.d=evil.example; spf=pass smtp.mailfrom=x@esp.example; dmarc=pass (p=reject dis=none) header.from=a-corp.com; dkim=pass header.i=@news.a-corp.com".into(),
            received_above: 0,
            ..AuthResults::default()
        };
        let got: Vec<(&str, String)> = ar
            .passes()
            .into_iter()
            .map(|p| (p.method, p.domain))
            .collect();
        assert_eq!(
            got,
            vec![
                ("dkim", "a-corp.com".to_string()),
                ("dmarc", "a-corp.com".to_string()),
                ("dkim", "news.a-corp.com".to_string()),
            ]
        );
        assert_eq!(ar.authserv_id(), Some("mx.b-corp.com"));
        let versioned = AuthResults {
            value: "mail.example.org 1; spf=pass".into(),
            received_above: 0,
            ..AuthResults::default()
        };
        assert_eq!(versioned.authserv_id(), Some("mail.example.org"));
        assert_eq!(AuthResults::default().authserv_id(), None);
        // Exchange Online leaves the authserv-id out.
        let exo = AuthResults {
            value: "spf=pass (sender IP is 40.107.20.70) smtp.mailfrom=a-corp.com; dkim=pass (signature was verified) header.d=a-corp.com;dmarc=pass action=none header.from=a-corp.com;compauth=pass reason=100".into(),
            received_above: 1,
            ..AuthResults::default()
        };
        assert_eq!(exo.passes().len(), 2);
        assert_eq!(exo.authserv_id(), None);
        let fields = crate::message::split(
            b"Authentication-Results: a; dmarc=pass header.from=x.example\nReceived: by a; Mon, 1 Jan 2024 00:00:00 +0000\nAuthentication-Results: b; none\n\nbody",
            &crate::limits::Limits::default(),
        )
        .unwrap()
        .fields;
        let all = key_headers(&fields).authentication_results;
        assert_eq!(
            all.iter().map(|a| a.received_above).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }
    use proptest::prelude::*;

    fn mailparse_first(value: &str) -> Option<String> {
        address_list(mailparse::addrparse(value).ok(), value)
            .into_iter()
            .next()
    }

    #[test]
    fn simple_forms_read_as_mailparse_reads_them() {
        for value in [
            "kre@munnari.OZ.AU",
            "Robert Elz <kre@munnari.OZ.AU>",
            "<a.b+tag@example.co.uk>",
            "Chris Garrigues <cwg-dated-1030377287.06fa6d@DeepEddy.Com>",
        ] {
            let fast = simple_address(value).map(str::to_string);
            assert!(fast.is_some(), "{value}");
            assert_eq!(fast, mailparse_first(value), "{value}");
        }
        for value in [
            "\"Elz, Robert\" <kre@munnari.OZ.AU>",
            "kre@munnari.OZ.AU (Robert Elz)",
            "a@b, c@d",
            "group: a@b;",
            "a@b@c",
            "Name <a@b> trailing",
        ] {
            assert_eq!(simple_address(value), None, "{value}");
        }
    }

    proptest! {
        #[test]
        fn fast_path_agrees_with_mailparse(
            name in "[A-Za-z0-9 _-]{0,12}",
            local in "[A-Za-z0-9._+-]{1,10}",
            domain in "[A-Za-z0-9.-]{1,12}",
            bracketed in any::<bool>(),
        ) {
            let value = if bracketed {
                format!("{name}<{local}@{domain}>")
            } else {
                format!("{local}@{domain}")
            };
            if let Some(fast) = simple_address(&value) {
                prop_assert_eq!(Some(fast.to_string()), mailparse_first(&value), "{}", value);
            }
        }
    }
}
