//! Compact JSON for reports, written straight into a byte buffer.
//!
//! `scan` writes one report per message, and serde's field-by-field machinery was the
//! largest single cost of a scan (a fifth of its instructions). This writer lays down keys
//! and punctuation as whole literals and copies strings in unescaped runs. Its output is byte
//! for byte what `serde_json::to_vec` writes for the same report, which stays the reference
//! (and writes the pretty form): a test compares the two on every corpus message and
//! fixture, and every struct is destructured whole here, so a field added to the model does
//! not compile until it is written here too.

use super::{Report, Source, Verdict};
use crate::chain::ChainSummary;
use crate::chain::continuity::{Link, LinkVerdict, Witness};
use crate::chain::hop::{Hop, HopAuth, HopBy, HopFrom, HopTls};
use crate::chain::trust::{HopTrust, OriginatingTrust, TrustReport};
use crate::dns::Mode;
use crate::message::LineEndings;
use crate::message::MessageInfo;
use crate::message::envelope::{Envelope, EnvelopeSource, EnvelopeValue};
use crate::message::headers::{HeaderValue, KeyHeaders};
use crate::received::{IpSource, Kind, RdnsSource, Status};
use crate::rules::Finding;

/// A value that can write itself as compact JSON.
pub trait WriteJson {
    /// Appends the value's JSON to `out`.
    fn write_json(&self, out: &mut Vec<u8>);
}

impl Report {
    /// Appends the report as one line of compact JSON (no newline), the same bytes as
    /// `serde_json::to_vec(self)`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        WriteJson::write_json(self, out);
    }
}

/// Writes `{"k1":v1,"k2":v2}`: keys, quotes, colons and commas as one literal each.
macro_rules! object {
    ($out:ident, $first:literal: $value:expr $(, $key:literal: $rest:expr)* $(,)?) => {{
        $out.extend_from_slice(concat!("{\"", $first, "\":").as_bytes());
        $value.write_json($out);
        $(
            $out.extend_from_slice(concat!(",\"", $key, "\":").as_bytes());
            $rest.write_json($out);
        )*
        $out.push(b'}');
    }};
}

/// What a string byte becomes, as serde_json writes it: 0 for itself, `u` for `\u00XX`,
/// otherwise the letter after the backslash.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Writes `s` as a JSON string. Most strings have nothing to escape and header text has
/// a few line breaks at most, so plain bytes are skipped eight at a time and copied in runs.
fn write_escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut copied = 0;
    while let Some(found) = find_special(&bytes[copied..]) {
        let at = copied + found;
        out.extend_from_slice(&bytes[copied..at]);
        let b = bytes[at];
        match ESCAPE[usize::from(b)] {
            b'u' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            escape => {
                out.push(b'\\');
                out.push(escape);
            }
        }
        copied = at + 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// The offset of the first byte JSON escapes, eight bytes at a time.
fn find_special(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        if let Ok(word) = <[u8; 8]>::try_from(chunk) {
            let special = special_bytes(u64::from_le_bytes(word));
            if special != 0 {
                return Some(offset + (special.trailing_zeros() / 8) as usize);
            }
        }
        offset += 8;
    }
    // The last few bytes one by one: padding them into a word costs a copy call.
    chunks
        .remainder()
        .iter()
        .position(|&b| ESCAPE[usize::from(b)] != 0)
        .map(|i| offset + i)
}

/// A mask whose lowest set bit falls in the first byte of `word` (little-endian) that JSON
/// escapes: a control character, `"` or `\\`.
fn special_bytes(word: u64) -> u64 {
    use crate::text::swar::{bytes_below, bytes_equal};
    bytes_below(word, 0x20) | bytes_equal(word, b'"') | bytes_equal(word, b'\\')
}

impl WriteJson for str {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_escaped(out, self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_escaped(out, self);
    }
}

/// An address, as text: addresses are typed from the parser to here and written once.
impl WriteJson for std::net::IpAddr {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'"');
        out.extend_from_slice(crate::text::ip_string(*self).as_bytes());
        out.push(b'"');
    }
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl WriteJson for $t {
            fn write_json(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(itoa::Buffer::new().format(*self).as_bytes());
            }
        }
    )*};
}
integers!(u16, u64, usize, i64);

/// Floats are few (scores) and their shortest form is subtle: serde_json writes them.
impl WriteJson for f64 {
    fn write_json(&self, out: &mut Vec<u8>) {
        Serde(self).write_json(out);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write_json(out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, value) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            value.write_json(out);
        }
        out.push(b']');
    }
}

/// Evidence: free-form, but on most findings, so written here too.
impl WriteJson for serde_json::Value {
    fn write_json(&self, out: &mut Vec<u8>) {
        use serde_json::Value;
        match self {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => u.write_json(out),
                (None, Some(i)) => i.write_json(out),
                (None, None) => Serde(n).write_json(out),
            },
            Value::String(s) => write_escaped(out, s),
            Value::Array(values) => values.write_json(out),
            Value::Object(map) => {
                out.push(b'{');
                for (i, (key, value)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_escaped(out, key);
                    out.push(b':');
                    value.write_json(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// A rarely written value, written by serde_json (DNS answers, floats).
struct Serde<'a, T>(&'a T);

impl<T: serde::Serialize> WriteJson for Serde<'_, T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        let start = out.len();
        if serde_json::to_writer(&mut *out, self.0).is_err() {
            // Cannot happen for the report's types (string keys only); stay valid JSON.
            out.truncate(start);
            out.extend_from_slice(b"null");
        }
    }
}

/// Enums written as their name: one `as_str` gives both serde and this writer the name.
macro_rules! named {
    ($($t:ty),*) => {$(
        impl WriteJson for $t {
            fn write_json(&self, out: &mut Vec<u8>) {
                write_escaped(out, self.as_str());
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    )*};
}
named!(
    Kind,
    Status,
    RdnsSource,
    IpSource,
    EnvelopeSource,
    LinkVerdict,
    Witness,
    HopTrust,
    Verdict,
    Mode
);

impl WriteJson for crate::rules::Strength {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_escaped(out, self.as_str());
    }
}

impl WriteJson for crate::rules::Concern {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_escaped(out, self.as_str());
    }
}

impl WriteJson for Report {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Report {
            schema,
            source,
            message,
            envelope,
            headers,
            hops,
            chain,
            trust,
            links,
            findings,
            score,
            verdict,
            verdict_basis,
            identity,
            authentication,
            dns,
            // Not part of the JSON report: the HTML and Markdown reports show it.
            original: _,
        } = self;
        object!(out,
            "schema": schema,
            "source": source,
            "message": message,
            "envelope": envelope,
            "headers": headers,
            "hops": hops,
            "chain": chain,
            "trust": trust,
            "links": links,
            "findings": findings,
            "score": score,
            "verdict": verdict,
            "verdict_basis": verdict_basis,
            "identity": identity,
            "authentication": authentication,
            "dns": Serde(dns),
        );
    }
}

/// The authentication section: on every report, so written here; our own verification
/// (only with DNS) goes through serde_json.
impl WriteJson for crate::auth::section::Authentication {
    fn write_json(&self, out: &mut Vec<u8>) {
        let crate::auth::section::Authentication {
            results,
            verification,
        } = self;
        object!(out,
            "results": results,
            "verification": verification,
        );
    }
}

/// Our verification: its checks (only with DNS) through serde_json, the rest here.
impl WriteJson for crate::auth::verify::Verification {
    fn write_json(&self, out: &mut Vec<u8>) {
        let crate::auth::verify::Verification {
            performed,
            note,
            as_of,
            dkim,
            arc,
            spf,
            dmarc,
            lookups,
        } = self;
        object!(out,
            "performed": performed,
            "note": note.as_deref(),
            "as_of": as_of,
            "dkim": Listed(dkim),
            "arc": arc.as_ref().map(Serde),
            "spf": Listed(spf),
            "dmarc": dmarc.as_ref().map(Serde),
            "lookups": Listed(lookups),
        );
    }
}

/// A list written by serde_json, `[]` at once when empty.
struct Listed<'a, T>(&'a [T]);

impl<T: serde::Serialize> WriteJson for Listed<'_, T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        if self.0.is_empty() {
            out.extend_from_slice(b"[]");
        } else {
            Serde(&self.0).write_json(out);
        }
    }
}

impl WriteJson for crate::auth::section::ResultField {
    fn write_json(&self, out: &mut Vec<u8>) {
        let crate::auth::section::ResultField {
            field,
            header_index,
            received_above,
            authserv_id,
            instance,
            trust,
            why,
            results,
        } = self;
        object!(out,
            "field": field,
            "header_index": header_index,
            "received_above": received_above,
            "authserv_id": authserv_id,
            "instance": instance.map(u64::from),
            "trust": trust,
            "why": why,
            "results": results,
        );
    }
}

impl WriteJson for crate::auth::section::ResultEntry {
    fn write_json(&self, out: &mut Vec<u8>) {
        let crate::auth::section::ResultEntry {
            method,
            result,
            reason,
            comment,
            properties,
        } = self;
        object!(out,
            "method": method,
            "result": result,
            "reason": reason,
            "comment": comment,
            "properties": Serde(properties),
        );
    }
}

impl WriteJson for super::Identity {
    fn write_json(&self, out: &mut Vec<u8>) {
        let super::Identity {
            verdict,
            score,
            basis,
            rules,
        } = self;
        object!(out,
            "verdict": verdict,
            "score": score,
            "basis": basis,
            "rules": rules,
        );
    }
}

impl WriteJson for Source {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Source {
            path,
            index,
            offset,
        } = self;
        object!(out, "path": path, "index": index, "offset": offset);
    }
}

impl WriteJson for MessageInfo {
    fn write_json(&self, out: &mut Vec<u8>) {
        let MessageInfo {
            header_bytes,
            header_count,
            received_count,
            body_offset,
            body_length,
            line_endings,
            no_separator,
            lossy,
        } = self;
        object!(out,
            "header_bytes": header_bytes,
            "header_count": header_count,
            "received_count": received_count,
            "body_offset": body_offset,
            "body_length": body_length,
            "line_endings": line_endings,
            "no_separator": no_separator,
            "lossy": lossy,
        );
    }
}

impl WriteJson for LineEndings {
    fn write_json(&self, out: &mut Vec<u8>) {
        let LineEndings { lf, crlf, cr } = self;
        object!(out, "lf": lf, "crlf": crlf, "cr": cr);
    }
}

impl WriteJson for Envelope {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Envelope { mail_from, rcpt_to } = self;
        object!(out, "mail_from": mail_from, "rcpt_to": rcpt_to);
    }
}

impl WriteJson for EnvelopeValue {
    fn write_json(&self, out: &mut Vec<u8>) {
        let EnvelopeValue {
            value,
            source,
            header_index,
        } = self;
        out.extend_from_slice(b"{\"value\":");
        value.write_json(out);
        out.extend_from_slice(b",\"source\":");
        source.write_json(out);
        if let Some(index) = header_index {
            out.extend_from_slice(b",\"header_index\":");
            index.write_json(out);
        }
        out.push(b'}');
    }
}

impl WriteJson for KeyHeaders {
    fn write_json(&self, out: &mut Vec<u8>) {
        let KeyHeaders {
            from,
            sender,
            reply_to,
            to,
            cc,
            subject,
            date,
            message_id,
            authentication_results: _,
            trace: _,
        } = self;
        object!(out,
            "from": from,
            "sender": sender,
            "reply_to": reply_to,
            "to": to,
            "cc": cc,
            "subject": subject,
            "date": date,
            "message_id": message_id,
        );
    }
}

impl WriteJson for HeaderValue {
    fn write_json(&self, out: &mut Vec<u8>) {
        let HeaderValue {
            raw,
            value,
            lossy,
            addresses,
            utc,
            timestamp,
            count,
        } = self;
        out.extend_from_slice(b"{\"raw\":");
        raw.write_json(out);
        out.extend_from_slice(b",\"value\":");
        value.write_json(out);
        // The optional parts are left out when empty, as the model's serde attributes say.
        if *lossy {
            out.extend_from_slice(b",\"lossy\":true");
        }
        if !addresses.is_empty() {
            out.extend_from_slice(b",\"addresses\":");
            addresses.write_json(out);
        }
        if let Some(utc) = utc {
            out.extend_from_slice(b",\"utc\":");
            utc.write_json(out);
        }
        if let Some(timestamp) = timestamp {
            out.extend_from_slice(b",\"timestamp\":");
            timestamp.write_json(out);
        }
        if let Some(count) = count {
            out.extend_from_slice(b",\"count\":");
            count.write_json(out);
        }
        out.push(b'}');
    }
}

impl WriteJson for Hop {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Hop {
            index,
            header_index,
            raw,
            raw_lossy,
            kind,
            parsed,
            trust,
            internal,
            msa,
            reason,
            mta,
            from,
            by,
            with,
            protocol,
            via,
            tls,
            auth,
            id,
            for_addr,
            envelope_from,
            date,
            date_local,
            timestamp,
            delay_s,
            notes,
        } = self;
        object!(out,
            "index": index,
            "header_index": header_index,
            "raw": raw,
            "raw_lossy": raw_lossy,
            "kind": kind,
            "parsed": parsed,
            "trust": trust,
            "internal": internal,
            "msa": msa,
            "reason": reason,
            "mta": mta,
            "from": from,
            "by": by,
            "with": with,
            "protocol": protocol,
            "via": via,
            "tls": tls,
            "auth": auth,
            "id": id,
            "for": for_addr,
            "envelope_from": envelope_from,
            "date": date,
            "date_local": date_local,
            "timestamp": timestamp,
            "delay_s": delay_s,
            "notes": notes,
        );
    }
}

impl WriteJson for HopFrom {
    fn write_json(&self, out: &mut Vec<u8>) {
        let HopFrom {
            name,
            helo,
            helo_explicit,
            rdns,
            rdns_source,
            rdns_unknown,
            // In the hop's notes already; the trust walk's input, not a report field.
            rdns_may_be_forged: _,
            ip,
            ip_source,
            port,
            scope,
            ident,
        } = self;
        object!(out,
            "name": name,
            "helo": helo,
            "helo_explicit": helo_explicit,
            "rdns": rdns,
            "rdns_source": rdns_source,
            "rdns_unknown": rdns_unknown,
            "ip": ip,
            "ip_source": ip_source,
            "port": port,
            "scope": scope,
            "ident": ident,
        );
    }
}

impl WriteJson for HopBy {
    fn write_json(&self, out: &mut Vec<u8>) {
        let HopBy { host, ip, comment } = self;
        object!(out, "host": host, "ip": ip, "comment": comment);
    }
}

impl WriteJson for HopTls {
    fn write_json(&self, out: &mut Vec<u8>) {
        let HopTls {
            version,
            cipher,
            evidence,
        } = self;
        object!(out, "version": version, "cipher": cipher, "evidence": evidence);
    }
}

impl WriteJson for HopAuth {
    fn write_json(&self, out: &mut Vec<u8>) {
        let HopAuth { user, evidence } = self;
        object!(out, "user": user, "evidence": evidence);
    }
}

impl WriteJson for ChainSummary {
    fn write_json(&self, out: &mut Vec<u8>) {
        let ChainSummary {
            hops,
            parsed_hops,
            transit_s,
            skipped_hops,
        } = self;
        object!(out,
            "hops": hops,
            "parsed_hops": parsed_hops,
            "transit_s": transit_s,
            "skipped_hops": skipped_hops,
        );
    }
}

impl WriteJson for TrustReport {
    fn write_json(&self, out: &mut Vec<u8>) {
        let TrustReport {
            method,
            entry_hop,
            boundary_host,
            our_domains,
            basis,
            warnings,
            originating,
            profile,
            // The trust walk's note to `Prepared::finish`, not a report field.
            rdns_trusted: _,
        } = self;
        object!(out,
            "method": method,
            "entry_hop": entry_hop,
            "boundary_host": boundary_host,
            "our_domains": our_domains,
            "basis": basis,
            "warnings": warnings,
            "originating": originating,
            "profile": profile,
        );
    }
}

impl WriteJson for OriginatingTrust {
    fn write_json(&self, out: &mut Vec<u8>) {
        let OriginatingTrust {
            ip,
            trust,
            internal,
        } = self;
        object!(out, "ip": ip, "trust": trust, "internal": internal);
    }
}

impl WriteJson for Link {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Link {
            from_hop,
            to_hop,
            verdict,
            matched_on,
            receiver,
            receiver_ip,
            sender_rdns,
            sender_helo,
            sender_ip,
            witness,
            recorded_by,
            witness_source,
            witness_note,
        } = self;
        object!(out,
            "from_hop": from_hop,
            "to_hop": to_hop,
            "verdict": verdict,
            "matched_on": matched_on,
            "receiver": receiver,
            "receiver_ip": receiver_ip,
            "sender_rdns": sender_rdns,
            "sender_helo": sender_helo,
            "sender_ip": sender_ip,
            "witness": witness,
            "recorded_by": recorded_by,
            "witness_source": witness_source,
            "witness_note": witness_note,
        );
    }
}

impl WriteJson for Finding {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Finding {
            rule,
            name,
            score,
            strength,
            concern,
            hops,
            message,
            evidence,
        } = self;
        object!(out,
            "rule": rule,
            "name": name,
            "score": score,
            "strength": strength,
            "concern": concern,
            "hops": hops,
            "message": message,
            "evidence": evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn json<T: WriteJson + ?Sized>(value: &T) -> String {
        let mut out = Vec::new();
        value.write_json(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_as_serde_json_does() {
        for s in [
            "",
            "plain",
            "quote \" and \\ backslash",
            "folded\n\tline\r\n",
            "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}",
            "é ü 中文 \u{2028} 🙂",
        ] {
            assert_eq!(json(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    /// Our writer writes every variant of the enums it writes as names exactly as serde
    /// does (both go through one `as_str`; this catches a writer that bypasses it).
    #[test]
    fn enum_names_are_the_serde_names() {
        fn same<T: serde::Serialize + WriteJson>(values: &[T]) {
            for v in values {
                assert_eq!(json(v), serde_json::to_string(v).unwrap());
            }
        }
        same(&[Kind::Smtp, Kind::Http, Kind::Local]);
        same(&[
            EnvelopeSource::Cli,
            EnvelopeSource::ReturnPath,
            EnvelopeSource::XEnvelopeFrom,
            EnvelopeSource::DeliveredTo,
            EnvelopeSource::XOriginalTo,
            EnvelopeSource::EnvelopeTo,
            EnvelopeSource::ReceivedFor,
            EnvelopeSource::ReceivedEnvelopeFrom,
            EnvelopeSource::MboxFrom,
        ]);
        same(&[
            LinkVerdict::Match,
            LinkVerdict::SameDomain,
            LinkVerdict::Mismatch,
            LinkVerdict::Unknown,
        ]);
        same(&[IpSource::Comment, IpSource::Bracket, IpSource::FromLiteral]);
        assert_eq!(
            json(&EnvelopeSource::ReceivedEnvelopeFrom),
            "\"received-envelope-from\""
        );
    }

    #[test]
    fn evidence_as_serde_json_writes_it() {
        let evidence = serde_json::json!({
            "z": [1, -2, 2.5, 1e-7, u64::MAX, i64::MIN, null, true],
            "a": {"nested \"key\"": "line\nbreak", "empty": {}, "list": []},
        });
        assert_eq!(json(&evidence), serde_json::to_string(&evidence).unwrap());
    }

    #[test]
    fn numbers_and_options_as_serde_json_writes_them() {
        for score in [0.0, 0.25, 1.5, 2.0, 10.0, -3.75, 1e-7, 123456789.125] {
            assert_eq!(json(&score), serde_json::to_string(&score).unwrap());
        }
        assert_eq!(json(&Some(i64::MIN)), i64::MIN.to_string());
        assert_eq!(json(&None::<u16>), "null");
        assert_eq!(json(&vec![1usize, 2, 3]), "[1,2,3]");
        assert_eq!(json(&Vec::<String>::new()), "[]");
    }

    proptest! {
        #[test]
        fn any_string_escapes_as_serde_json_does(s in any::<String>()) {
            prop_assert_eq!(json(s.as_str()), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn control_heavy_strings_escape_as_serde_json_does(s in "[\\x00-\\x20\"\\\\a-z]{0,40}") {
            prop_assert_eq!(json(s.as_str()), serde_json::to_string(&s).unwrap());
        }
    }
}
