//! RDNS002: the sender's name looks like a dynamic address pool.

use crate::rules::hops::hop_label;
use crate::rules::{Ctx, Findings, Rule};
use serde_json::json;

/// RDNS002.
pub const RULE: Rule = Rule {
    id: "RDNS002",
    name: "dynamic-rdns",
    score: 1.0,
    strength: crate::rules::Strength::Weak,
    concern: crate::rules::Concern::Path,
    group: "rdns",
    summary: "the entry hop's sender has a reverse name (or HELO) that looks like a dynamic pool",
    docs: "## What it checks
Whether the reverse name our server recorded for the entry hop's sender, or its HELO, looks
like an ISP's dynamic address pool: the address's digits written into the name
(`81-169-145-4`, `host81169145004`) or pool words (`dyn`, `dynamic`, `dhcp`, `dsl`,
`adsl`, `cable`, `pool`, `ppp`, `pppoe`, `dialup`, `client`, `customer`, `broadband`).

An address written into a name whose host part also names a mail server (`mail`, `smtp`,
`mx`, `mta`, `out`, `outbound`, `relay`) is a provider numbering its outbound farm, not a
pool: `out162-62-57-252.mail.qq.com` is Tencent's. Pool words still count there.

## Why it matters
Mail servers live on static addresses with proper names. Residential and dial-up pools are
where botnets send from, and many ISPs block port 25 there for that reason.

## Example
`Received: from pc (adsl-81-169-145-4.dyn.isp.example [81.169.145.4]) by mx.ours.example`.

## False positives
Small businesses running a server on a business DSL line that kept the generic name
(`static-71-117-165-76.prvdri.fios.verizon.net`); hosting providers and clouds whose static
names embed the address (`ec2-54-158-76-221.compute-1.amazonaws.com`). Mail farms named
after their addresses (QQ's outbound servers) fired too until the mail-server words were
recognised.

## References
SpamAssassin RDNS_DYNAMIC, HELO_DYNAMIC_*; the Spamhaus PBL rationale.",
    source: file!(),
    check,
};

const POOL_WORDS: &[&str] = &[
    "dyn",
    "dynamic",
    "dhcp",
    "dsl",
    "adsl",
    "xdsl",
    "cable",
    "pool",
    "ppp",
    "pppoe",
    "dialup",
    "dial",
    "client",
    "customer",
    "cust",
    "broadband",
    "dip",
    "ip-dynamic",
    "resnet",
    "home",
];

/// Words of a host part that name a mail server (a numbered farm, not a pool).
const MAIL_WORDS: &[&str] = &[
    "mail", "smtp", "mx", "mta", "out", "outbound", "relay", "mailout", "smtpout",
];

/// Why `name` looks dynamic, given the connecting address.
pub fn dynamic_reason(name: &str, ip: Option<&str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    // Only the host part, not the registrable domain (`dsl-corp.co.uk` as a company is
    // fine): the public suffix list says where the registrable domain starts.
    let host_part = match crate::domain::registrable(&lower) {
        Some(reg) => lower
            .strip_suffix(reg.as_str())
            .unwrap_or(&lower)
            .trim_end_matches('.')
            .to_string(),
        None => lower.clone(),
    };
    let host_labels: Vec<&str> = host_part.split('.').filter(|l| !l.is_empty()).collect();
    for label in &host_labels {
        for word in label.split(|c: char| c == '-' || c == '_' || c.is_ascii_digit()) {
            if POOL_WORDS.contains(&word) {
                return Some(format!("pool word {word:?} in {name}"));
            }
        }
    }
    // Every written form of an address has at least four digits: most names have none.
    // A mail farm numbers its servers by address too (`out162-62-57-252.mail.qq.com`): a
    // host part naming a mail server is not a pool.
    let digits = lower.bytes().filter(u8::is_ascii_digit).count();
    let mail_server = host_labels.iter().any(|label| {
        label
            .split(|c: char| c == '-' || c == '_' || c.is_ascii_digit())
            .any(|w| MAIL_WORDS.contains(&w))
    });
    if digits >= 4
        && !mail_server
        && let Some(ip) = ip.and_then(|s| s.parse::<std::net::Ipv4Addr>().ok())
    {
        let o = ip.octets();
        let dashed = format!("{}-{}-{}-{}", o[0], o[1], o[2], o[3]);
        let reversed = format!("{}-{}-{}-{}", o[3], o[2], o[1], o[0]);
        let dotted_rev = format!("{}.{}.{}.{}", o[3], o[2], o[1], o[0]);
        let packed = format!("{:03}{:03}{:03}{:03}", o[0], o[1], o[2], o[3]);
        let packed_short = format!("{}{:03}{:03}{:03}", o[0], o[1], o[2], o[3]);
        for form in [&dashed, &reversed, &dotted_rev, &packed, &packed_short] {
            if lower.contains(form.as_str()) {
                return Some(format!("the address {ip} is written into {name}"));
            }
        }
    }
    None
}

fn check(ctx: &Ctx<'_>, out: &mut Findings<'_>) {
    let Some(e) = ctx.entry() else { return };
    let ip_text = e.from.ip.map(crate::text::ip_string);
    let ip = ip_text.as_deref();
    let helo = e.helo_name();
    let found = e
        .from
        .rdns
        .as_deref()
        .and_then(|r| dynamic_reason(r, ip).map(|why| ("rdns", r, why)))
        .or_else(|| helo.and_then(|h| dynamic_reason(h, ip).map(|why| ("helo", h, why))));
    let Some((which, name, why)) = found else {
        return;
    };
    out.add(
        &RULE,
        vec![e.index],
        format!(
            "At {}, the sender looks like a dynamic address pool: {why}.",
            hop_label(e)
        ),
        json!({"hop": e.index, "field": which, "name": name, "ip": ip, "reason": why}),
    );
}

#[cfg(test)]
mod tests {
    use super::dynamic_reason;

    #[test]
    fn pool_names() {
        assert!(
            dynamic_reason(
                "adsl-81-169-145-4.dyn.isp-example.net",
                Some("81.169.145.4")
            )
            .is_some()
        );
        assert!(dynamic_reason("host4.145.169.81.isp-example.net", Some("81.169.145.4")).is_some());
        assert!(dynamic_reason("mail.a-corp.com", Some("81.169.145.4")).is_none());
        assert!(dynamic_reason("mx.dsl-corp.com", None).is_none());
        assert!(dynamic_reason("mail.dsl-corp.co.uk", None).is_none());
        assert!(dynamic_reason("host81169145004.isp-example.net", Some("81.169.145.4")).is_some());
        assert!(
            dynamic_reason("out162-62-57-252.mail.qq.com", Some("162.62.57.252")).is_none(),
            "a numbered mail farm"
        );
        assert!(dynamic_reason("mail.dyn.isp-example.net", None).is_some());
    }
}
