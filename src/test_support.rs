//! Helpers for the rules' own tests: build a message, run every rule (with DNS from a
//! replayed recording when a test needs it), look for an id.

use crate::rules::Finding;

/// A message whose one Received line is our Postfix MX receiving `from` (the text after
/// `from`: HELO and TCP-info), as the HELO rules' tests want it.
pub fn entry(from: &str) -> String {
    msg(&[&format!(
        "from {from} by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
    )])
}

/// A message with these Received values (topmost first), received for b-corp.com.
pub fn msg(received_newest_first: &[&str]) -> String {
    let mut m = String::new();
    for r in received_newest_first {
        m.push_str(&format!("Received: {r}\n"));
    }
    m.push_str(
        "Delivered-To: y@b-corp.com\nFrom: x@a-corp.com\nTo: y@b-corp.com\nSubject: test\n\nbody\n",
    );
    m
}

/// Every finding for a message analysed with the default options.
pub fn findings(message: &str) -> Vec<Finding> {
    crate::analyze(message.as_bytes(), &crate::Options::default())
        .expect("test message is mail")
        .findings
}

/// True when the rule `id` fired.
pub fn fired(message: &str, id: &str) -> bool {
    findings(message).iter().any(|f| f.rule == id)
}

/// Every finding for a message analysed with DNS answers replayed from `records`
/// (name, type, response code, records), as if recorded on 2 January 2024.
pub fn findings_with_dns(
    message: &str,
    records: &[(&str, crate::dns::QType, crate::dns::Rcode, &[&str])],
) -> Vec<Finding> {
    use crate::dns::Answer;
    use crate::resolver::{Dns, record::Replay};
    let answers = records
        .iter()
        .map(|(name, qtype, rcode, recs)| Answer {
            name: crate::dns::fqdn(name)
                .unwrap_or_else(|| format!("{}.", name.trim_end_matches('.'))),
            qtype: *qtype,
            rcode: *rcode,
            answers: recs.iter().map(|r| r.to_string()).collect(),
            ttl: Some(300),
            asked_at: "2024-01-02T00:00:00Z".into(),
            asked_ts: 1_704_153_600,
            error: None,
            cname: None,
        })
        .collect();
    let dns = Dns::with_backend(Box::new(Replay::from_answers(answers)), 100, None);
    crate::analyze_with_dns(message.as_bytes(), &crate::Options::default(), &dns)
        .expect("test message is mail")
        .findings
}
