//! One DNS query and its response, as bytes: the part of a live lookup that needs no
//! socket. A response is read strictly: the id and the question must match, an rcode
//! other than NOERROR, NXDOMAIN, SERVFAIL and REFUSED is a failure (never "no record"),
//! a truncated response asks for TCP, and the answer section's CNAME chain is followed
//! within the response (a loop or more than [`MAX_CNAME_STEPS`] aliases is a failure).
//! A chain that ends at an alias whose records are not in the response is handed back
//! as [`Answer::cname`]: the plan asks the target next, counted against the cap.

use crate::dns::{Answer, MAX_CNAME_STEPS, QType, Question, Rcode};
use hickory_resolver::proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, RecordType};

/// What a datagram or TCP message said about a question.
#[derive(Debug)]
pub enum Reply {
    /// The lookup ended: an answer or a failure.
    Done(Answer),
    /// The response was truncated: ask again over TCP.
    Truncated,
    /// Not the response to this query (another id or question): keep waiting.
    Stray,
}

/// The record type asked for a question type.
pub fn record_type(t: QType) -> RecordType {
    match t {
        QType::A => RecordType::A,
        QType::Aaaa => RecordType::AAAA,
        QType::Ptr => RecordType::PTR,
        QType::Mx => RecordType::MX,
        QType::Txt => RecordType::TXT,
    }
}

/// The query for `q` with this id, recursion desired.
pub fn query(q: &Question, id: u16) -> Result<Vec<u8>, String> {
    let name = Name::from_ascii(&q.name).map_err(|e| e.to_string())?;
    let mut m = Message::new(id, MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(name, record_type(q.qtype)));
    m.to_vec().map_err(|e| e.to_string())
}

/// A name as questions write it: lower case, with its trailing dot.
fn fq(name: &Name) -> String {
    let mut s = name.to_ascii().to_ascii_lowercase();
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// Reads a response to the query `id` for `q`, asked at `asked_ts`.
pub fn read(q: &Question, id: u16, bytes: &[u8], asked_ts: i64) -> Reply {
    let fail =
        |rcode: Rcode, why: String| Reply::Done(Answer::empty(q, rcode, Some(why), asked_ts));
    let Ok(msg) = Message::from_vec(bytes) else {
        // A datagram that does not parse may be anyone's; a TCP reply that does not parse
        // is reported by the caller when nothing better arrives.
        return Reply::Stray;
    };
    if msg.metadata.id != id || msg.metadata.message_type != MessageType::Response {
        return Reply::Stray;
    }
    let same_question = msg.queries.first().is_some_and(|asked| {
        fq(asked.name()) == q.name && asked.query_type() == record_type(q.qtype)
    });
    if !same_question {
        return Reply::Stray;
    }
    if msg.metadata.truncation {
        return Reply::Truncated;
    }
    let rcode = match msg.metadata.response_code {
        ResponseCode::NoError => Rcode::NoError,
        ResponseCode::NXDomain => Rcode::NxDomain,
        ResponseCode::ServFail => Rcode::ServFail,
        ResponseCode::Refused => Rcode::Refused,
        other => {
            let code = u16::from(other);
            return fail(Rcode::Error, format!("response code {code} ({other})"));
        }
    };
    if rcode.is_failure() {
        // The rcode says it all.
        return Reply::Done(Answer::empty(q, rcode, None, asked_ts));
    }
    answer_section(q, &msg, rcode, asked_ts)
}

/// The records answering `q` in a NOERROR or NXDOMAIN response, its CNAME chain followed.
fn answer_section(q: &Question, msg: &Message, rcode: Rcode, asked_ts: i64) -> Reply {
    let wanted = record_type(q.qtype);
    let mut answer = Answer::empty(q, rcode, None, asked_ts);
    let mut ttl: Option<u32> = None;
    let mut keep_ttl = |t: u32| ttl = Some(ttl.map_or(t, |old: u32| old.min(t)));
    let mut chain: Vec<String> = vec![q.name.clone()];
    loop {
        let owner = chain.last().cloned().unwrap_or_default();
        let mut alias: Option<String> = None;
        for r in msg.answers.iter().filter(|r| fq(&r.name) == owner) {
            let text = match (&r.data, r.record_type() == wanted) {
                (RData::A(a), true) => a.0.to_string(),
                (RData::AAAA(a), true) => a.0.to_string(),
                (RData::PTR(p), true) => host(&p.0),
                (RData::MX(mx), true) => format!("{} {}", mx.preference, host(&mx.exchange)),
                (RData::TXT(txt), true) => {
                    let joined: Vec<u8> = txt.txt_data.iter().flatten().copied().collect();
                    String::from_utf8_lossy(&joined).into_owned()
                }
                (RData::CNAME(c), _) => {
                    alias.get_or_insert_with(|| fq(&c.0));
                    keep_ttl(r.ttl);
                    continue;
                }
                _ => continue,
            };
            keep_ttl(r.ttl);
            answer.answers.push(text);
        }
        if !answer.answers.is_empty() {
            break;
        }
        let Some(target) = alias else { break };
        let path = format!("{} -> {target}", chain.join(" -> "));
        if chain.contains(&target) {
            answer.rcode = Rcode::Error;
            answer.error = Some(format!("CNAME loop: {path}"));
            return Reply::Done(answer);
        }
        if chain.len() > MAX_CNAME_STEPS {
            answer.rcode = Rcode::Error;
            answer.error = Some(format!(
                "CNAME chain longer than {MAX_CNAME_STEPS} steps: {path}"
            ));
            return Reply::Done(answer);
        }
        chain.push(target);
    }
    answer.answers.sort();
    answer.answers.dedup();
    let followed = chain.len() > 1;
    if !answer.answers.is_empty() {
        if rcode == Rcode::NxDomain {
            answer.rcode = Rcode::Error;
            answer.error = Some("NXDOMAIN with answer records".into());
            answer.answers.clear();
        }
    } else if followed && rcode == Rcode::NoError {
        // The alias's records were not sent: the target is asked next (one more query).
        answer.cname = chain.last().cloned();
    } else {
        // A denial (or no data): its TTL is the SOA's negative TTL (RFC 2308 section 5).
        for r in &msg.authorities {
            if let RData::SOA(soa) = &r.data {
                keep_ttl(r.ttl.min(soa.minimum));
            }
        }
    }
    answer.ttl = ttl;
    Reply::Done(answer)
}

fn host(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}
