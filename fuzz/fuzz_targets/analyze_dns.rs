//! The analysis with DNS answers: the planner and every DNS rule over hostile input never
//! panic, never ask more than the cap, and write valid one-line JSON. Answers come from a
//! deterministic backend that answers each question from a hash of its name (addresses,
//! names, MX records, NXDOMAIN, failures), so every rule path is reachable without a
//! network.
#![no_main]
use hopsleuth::dns::{Answer, Mode, QType, Question, Rcode};
use hopsleuth::resolver::{Dns, Lookup};
use hopsleuth::{Options, analyze_with_dns};
use libfuzzer_sys::fuzz_target;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

struct Hashed;

impl Lookup for Hashed {
    fn lookup_all(&self, questions: &[Question]) -> Vec<Answer> {
        questions
            .iter()
            .map(|q| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                q.hash(&mut h);
                let x = h.finish();
                let rcode = match x % 8 {
                    0 => Rcode::NxDomain,
                    1 => Rcode::ServFail,
                    2 => Rcode::Timeout,
                    _ => Rcode::NoError,
                };
                let mut a = Answer::empty(q, rcode, None, 1_700_000_000);
                a.asked_ts = 1_704_153_600 + (x % 5_000) as i64 * 86_400;
                if rcode == Rcode::NoError && x % 16 != 3 {
                    let n = (x >> 8) % 250 + 1;
                    a.answers = match q.qtype {
                        QType::A => vec![format!("81.169.145.{n}")],
                        QType::Aaaa => vec![format!("2001:db8::{n:x}")],
                        QType::Ptr => {
                            vec![format!("host{n}.example.com"), "mail.example.com".into()]
                        }
                        QType::Mx => vec![format!("10 mx{n}.example.com"), "0 .".into()],
                        // Keys, SPF and DMARC as the verification reads them, some broken.
                        QType::Txt => match n % 4 {
                            0 => vec![format!("v=spf1 include:s{n}.example.com ip4:81.169.145.0/24 -all")],
                            1 => vec!["v=DMARC1; p=reject".into()],
                            2 => vec![format!("v=DKIM1; k=rsa; p=MIIB{n}")],
                            _ => vec![format!("v=spf1 redirect=r{n}.example.com")],
                        },
                    };
                    a.ttl = Some((x % 7200) as u32);
                }
                a
            })
            .collect()
    }

    fn mode(&self) -> Mode {
        Mode::Replay
    }
}

fuzz_target!(|data: &[u8]| {
    static DNS: OnceLock<Dns> = OnceLock::new();
    let dns = DNS.get_or_init(|| Dns::with_backend(Box::new(Hashed), 0, None));
    let mut options = Options::default();
    options.limits.max_dns_lookups = 24;
    options.verify = true;
    if let Ok(report) = analyze_with_dns(data, &options, dns) {
        assert!(report.dns.lookups <= 24);
        let json = report.to_json();
        assert!(!json.contains('\n'));
        let _ = hopsleuth::report::text::render(&report);
    }
});
