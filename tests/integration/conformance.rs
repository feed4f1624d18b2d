//! Conformance over corpora written by others (`../shared/corpora`, read in place).
//!
//! Each suite prints its agreement figure and every difference, and holds the differences
//! it has today in an exact list, `tests/fixtures/conformance/<suite>.json`, each with the
//! reason ours differs. A difference not in the list fails, and so does a listed one that
//! no longer occurs (fixed: remove it from the list) or whose values changed. The suites are
//! skipped, saying so, only where `../shared` does not exist (a user's clone); CI has it.

use crate::common::corpora;
use crate::known::{Case, Tally, assert_known, same_ip};
use hopsleuth::Limits;
use hopsleuth::received::{self, Received};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn load(path: &PathBuf) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The corpus file's cases, checked against the count its README gives: a truncated or
/// replaced corpus must not pass as a smaller one.
fn cases(dir: &Path, file: &str, count: usize) -> Vec<Value> {
    let all = load(&dir.join(file));
    let cases = all.as_array().cloned().unwrap_or_default();
    assert_eq!(
        cases.len(),
        count,
        "{file}: the corpus README says {count} cases"
    );
    cases
}

fn text(b: Option<&[u8]>) -> Option<String> {
    b.map(hopsleuth::text::field)
}

#[test]
fn stalwart_received_agreement() {
    let Some(dir) = corpora() else { return };
    let limits = Limits::default();
    let mut tally = Tally::default();
    for (index, case) in cases(&dir, "stalwart_received/received.json", 181)
        .iter()
        .enumerate()
    {
        let header = case["header"].as_str().expect("header");
        let e = &case["expected"];
        let r = received::parse(header.as_bytes(), &limits);
        let host = |v: &Value| {
            v.get("Name")
                .or_else(|| v.get("IpAddr"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let name = Case::new(index, header);
        // "from/helo": the corpus's `from` is the word after `from` (our from.name) and its
        // `helo` the HELO written explicitly (our helo when helo_explicit).
        let bare = |s: String| s.trim_matches(['[', ']']).to_string();
        let from_name = r.from_name.map(|n| match received::parse_written_ip(n) {
            Some(ip) => ip.addr.to_string(),
            None => bare(hopsleuth::text::field(n)),
        });
        tally.compare(
            &name,
            "from",
            e.get("from").and_then(host),
            from_name,
            false,
        );
        let got_helo = if r.helo_explicit {
            text(r.helo).map(bare)
        } else {
            None
        };
        tally.compare(&name, "helo", e.get("helo").and_then(host), got_helo, false);
        // The corpus's from_ip is the address inside the TCP-info comment (or bracketed
        // after the name); an address written as the from value is its `from`, compared
        // above, even where we read it as the peer.
        let got_ip = if r.ip_source == Some(received::IpSource::FromLiteral) {
            None
        } else {
            ip_of(&r)
        };
        tally.compare(
            &name,
            "ip",
            e.get("from_ip").and_then(Value::as_str).map(str::to_string),
            got_ip,
            true,
        );
        // The corpus's from_iprev is the name inside the TCP-info comment; `name.` and
        // `name` are one name (we drop the root's dot).
        let got_rdns = if r.rdns_source == Some(received::RdnsSource::Comment) {
            text(r.rdns)
        } else {
            None
        };
        tally.compare(
            &name,
            "rdns",
            e.get("from_iprev")
                .and_then(Value::as_str)
                .map(|s| s.trim_end_matches('.').to_string()),
            got_rdns,
            false,
        );
        let got_by = text(r.by_host).map(|b| b.trim_matches(['[', ']']).to_string());
        tally.compare(&name, "by", e.get("by").and_then(host), got_by, false);
        tally.compare(
            &name,
            "id",
            e.get("id").and_then(Value::as_str).map(str::to_string),
            text(r.id),
            false,
        );
        tally.compare(
            &name,
            "for",
            e.get("for_").and_then(Value::as_str).map(str::to_string),
            text(r.for_addr),
            false,
        );
        tally.compare(
            &name,
            "with",
            e.get("with").and_then(Value::as_str).map(str::to_string),
            r.with.and_then(received::protocol_of).map(str::to_string),
            false,
        );
    }
    tally.report("stalwart received.json", "fields");
    assert_known("stalwart_received", &tally.diffs);
}

fn ip_of(r: &Received<'_>) -> Option<String> {
    r.ip.map(|i| i.addr.to_string())
}

/// Stalwart's `date.json` against our date parser ([`hopsleuth::date::parse_date`]): each
/// string's date, written as `YYYY-MM-DD HH:MM:SS +HHMM`, or none where the corpus reads
/// none.
#[test]
fn stalwart_date_agreement() {
    let Some(dir) = corpora() else { return };
    let render = |year: i64, fields: [u64; 5], minus: bool, off: u64| {
        let [month, day, hour, minute, second] = fields;
        let sign = if minus { '-' } else { '+' };
        format!(
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02} {sign}{:02}{:02}",
            off / 60,
            off % 60
        )
    };
    let mut tally = Tally::default();
    for (index, case) in cases(&dir, "stalwart_received/date.json", 40)
        .iter()
        .enumerate()
    {
        let input = case["header"].as_str().expect("header");
        let e = &case["expected"];
        let want = e.is_object().then(|| {
            let n = |k: &str| e[k].as_u64().unwrap_or_else(|| panic!("#{index}: {k}"));
            let minus = e["tz_before_gmt"].as_bool().expect("tz_before_gmt");
            let year = i64::try_from(n("year")).expect("year");
            let fields = [n("month"), n("day"), n("hour"), n("minute"), n("second")];
            render(year, fields, minus, n("tz_hour") * 60 + n("tz_minute"))
        });
        let got = hopsleuth::date::parse_date(input.as_bytes()).map(|(d, _)| {
            let fields = [d.month, d.day, d.hour, d.minute, d.second].map(u64::from);
            let off = u64::from(d.offset_minutes.unsigned_abs());
            render(d.year, fields, d.offset_minutes < 0, off)
        });
        // Every case counts: an agreed "no date" is agreement too.
        tally.check(&Case::new(index, input), "date", want, got, false);
    }
    tally.report("stalwart date.json", "dates");
    assert_known("stalwart_date", &tally.diffs);
}

#[test]
fn rspamd_received_agreement() {
    let Some(dir) = corpora() else { return };
    let limits = Limits::default();
    let mut exact = Tally::default();
    let mut subset = Tally::default();
    for (index, case) in cases(&dir, "rspamd_received.json", 26).iter().enumerate() {
        let header = case["received"].as_str().expect("received");
        let e = &case["expected"];
        let is_exact = case["match"] == "exact";
        // The historical harness replaced newlines with spaces; our lexer treats them alike.
        let r = received::parse(header.as_bytes(), &limits);
        let name = Case::new(index, header);
        let got_for = text(r.for_addr);
        // rspamd's from_hostname is the word after `from` (its Exim cases show it: helo=x
        // is not it), and real_hostname the name inside the receiver's comment.
        let comment_rdns = if r.rdns_source == Some(received::RdnsSource::Comment) {
            text(r.rdns)
        } else {
            None
        };
        let got: [(&'static str, Option<String>, bool); 6] = [
            (
                "from_hostname",
                text(r.from_name).map(|h| h.trim_matches(['[', ']']).to_string()),
                false,
            ),
            ("real_hostname", comment_rdns, false),
            ("real_ip", ip_of(&r), true),
            ("from_ip", ip_of(&r), true),
            ("by_hostname", text(r.by_host), false),
            ("for_mbox", got_for, false),
        ];
        let tally = if is_exact { &mut exact } else { &mut subset };
        for (field, value, is_ip) in got {
            let want = e.get(field).or_else(|| {
                if field == "for_mbox" {
                    e.get("for")
                } else {
                    None
                }
            });
            let want = want
                .and_then(Value::as_str)
                .map(|s| s.trim_matches(['<', '>']).to_string());
            let listed = want.is_some();
            if !is_exact && !listed {
                continue; // subset: only listed fields are checked
            }
            if is_exact && field == "from_ip" {
                continue; // exact cases list real_ip only
            }
            let want = want.filter(|s| !s.is_empty());
            if is_exact {
                // `exact`: a field the case does not list must be empty, so it is a check too.
                tally.check(&name, field, want, value, is_ip);
            } else {
                tally.compare(&name, field, want, value, is_ip);
            }
        }
    }
    exact.report("rspamd received (exact cases)", "fields");
    subset.report("rspamd received (subset cases)", "fields");
    let mut diffs = exact.diffs;
    diffs.append(&mut subset.diffs);
    diffs.sort_by_key(|d| d.case);
    assert_known("rspamd_received", &diffs);
}

/// The corpus's `value` as one string (`exact` checks give an object; see below).
fn check_value(v: &Value) -> String {
    v.as_str()
        .unwrap_or_default()
        .trim_matches(['<', '>'])
        .to_string()
}

/// The ops of SpamScope's checks, as the tally names them.
const MAILPARSER_OPS: [&str; 6] = [
    "equals",
    "equals_stripped",
    "contains",
    "has_field",
    "exact",
    "raises",
];

#[test]
fn mailparser_received_checks() {
    let Some(dir) = corpora() else { return };
    let limits = Limits::default();
    let mut tally = Tally::default();
    for (index, case) in cases(&dir, "mailparser_received.json", 31)
        .iter()
        .enumerate()
    {
        let header = case["received"].as_str().expect("received");
        let r = received::parse(header.as_bytes(), &limits);
        let fields = fields_for_mailparser(&r);
        let ours = |field: &str| -> Option<String> {
            let field = if field == "envelope_sender" {
                "envelope_from"
            } else {
                field
            };
            fields
                .iter()
                .find(|(k, _)| *k == field)
                .and_then(|(_, v)| v.clone())
        };
        let name = Case::new(index, header);
        for check in case["checks"].as_array().into_iter().flatten() {
            let field = check["field"].as_str().unwrap_or_default();
            let op = check["op"].as_str().unwrap_or_default();
            let op = *MAILPARSER_OPS
                .iter()
                .find(|o| **o == op)
                .unwrap_or_else(|| panic!("#{index}: unknown op {op:?}"));
            let want = check_value(&check["value"]);
            let got = ours(field);
            let ok = match op {
                "equals" => got
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(&want) || same_ip(g, &want)),
                "equals_stripped" => got
                    .as_deref()
                    .is_some_and(|g| g.trim().eq_ignore_ascii_case(want.trim())),
                "contains" => got
                    .as_deref()
                    .is_some_and(|g| g.to_ascii_lowercase().contains(&want.to_ascii_lowercase())),
                "has_field" => {
                    let label = format!("{field} has_field");
                    let ok = got.is_some();
                    tally.record(&name, op, ok, (label, Some("(any)".into()), got));
                    continue;
                }
                "raises" => {
                    let status = r.status.map(|s| format!("{s:?}"));
                    let ok = r.status == Some(received::Status::Unparsed);
                    let label = "raises".to_string();
                    tally.record(&name, op, ok, (label, Some("Unparsed".into()), status));
                    continue;
                }
                _ => {
                    // `exact`: the whole parse, as an object; each field of ours it leaves
                    // out must be empty.
                    let object = check["value"].as_object().expect("exact gives an object");
                    for key in object.keys() {
                        assert!(
                            fields.iter().any(|(k, _)| k == key),
                            "#{index}: exact names {key:?}, a field we do not map"
                        );
                    }
                    for (key, _) in &fields {
                        let want = object.get(*key).map(check_value);
                        let got = ours(key);
                        let ok = match (&want, &got) {
                            (Some(w), Some(g)) => g.eq_ignore_ascii_case(w) || same_ip(g, w),
                            (None, None) => true,
                            _ => false,
                        };
                        let label = format!("exact {key}");
                        tally.record(&name, op, ok, (label, want, got));
                    }
                    continue;
                }
            };
            let label = format!("{field} {op} {want:?}");
            tally.record(&name, op, ok, (label, Some(want), got));
        }
    }
    tally.report("mailparser received", "checks");
    assert_known("mailparser_received", &tally.diffs);
}

/// rspamd's functional tests name the first external relay it picks for five messages
/// (`messages/rspamd_functional/EXPECTATIONS.json`); ours is the entry hop of the trust
/// boundary. rspamd reports that relay's `hostname` and `helo` both from the word after
/// `from` (its `external_relay.lua` copies `from_hostname` into both, "fake value for HELO"),
/// so they compare with our `from.name` and with the HELO the line recorded (`from.helo`):
/// the file states no reverse name. Of rspamd's strategies only `ip_map` has a setting of
/// ours to match (`trusted_networks`); the others run with the boundary inferred, as a user
/// without configuration would.
#[test]
fn rspamd_external_relay_agreement() {
    let Some(dir) = corpora() else { return };
    let base = dir.join("messages/rspamd_functional");
    let file = load(&base.join("EXPECTATIONS.json"));
    let relay_cases = file["external_relay_cases"].as_array().expect("cases");
    assert_eq!(relay_cases.len(), 5, "EXPECTATIONS.json states 5 relays");
    let mut tally = Tally::default();
    for (index, case) in relay_cases.iter().enumerate() {
        let message = case["message"].as_str().expect("message");
        let strategy = case["strategy"].as_str().expect("strategy");
        let path = base.join(message);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut options = hopsleuth::Options::default();
        if strategy == "ip_map" {
            let nets: Vec<&str> = case["config"]["ip_map"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let set = hopsleuth::chain::netset::NetSet::parse(&nets.join(" ")).expect("netset");
            options.trust.trusted_networks = Some(set);
        }
        let report = hopsleuth::analyze(&bytes, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let entry = report.trust.entry_hop.and_then(|i| report.hops.get(i));
        println!(
            "  {message} ({strategy}): entry hop {:?}; {}",
            report.trust.entry_hop,
            report.trust.basis.join("; ")
        );
        let want = |k: &str| {
            case["external_relay"]
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let name = Case {
            index,
            header: format!("{message} ({strategy})"),
        };
        let ip = entry.and_then(|h| h.from.ip).map(|ip| ip.to_string());
        tally.check(&name, "ip", want("ip"), ip, true);
        let from_name = entry.and_then(|h| h.from.name.clone());
        tally.check(&name, "hostname", want("hostname"), from_name, false);
        let helo = entry.and_then(|h| h.from.helo.clone());
        tally.check(&name, "helo", want("helo"), helo, false);
    }
    tally.report("rspamd external relay (entry hop)", "fields");
    assert_known("rspamd_external_relay", &tally.diffs);
}

/// Field names of SpamScope's mail-parser mapped to ours.
fn fields_for_mailparser(r: &Received<'_>) -> Vec<(&'static str, Option<String>)> {
    vec![
        (
            "from",
            // mail-parser's `from` is the clause as written, its HELO statement included.
            text(r.from_name).map(|f| {
                let mut s = f;
                if r.helo_explicit
                    && let Some(helo) = text(r.helo)
                {
                    s.push_str(&format!(" (HELO {helo})"));
                }
                if let Some(rdns) = text(r.rdns) {
                    s.push(' ');
                    s.push_str(&rdns);
                }
                if let Some(ip) = ip_of(r) {
                    s.push_str(&format!(" [{ip}]"));
                }
                s
            }),
        ),
        // Its `by` is the host with the comment after it (`smtp.domain.id (Proxmox)`).
        (
            "by",
            text(r.by_host).map(|h| match text(r.by_comment) {
                Some(c) => format!("{h} ({c})"),
                None => h,
            }),
        ),
        ("with", text(r.with)),
        ("id", text(r.id)),
        ("for", text(r.for_addr)),
        ("via", text(r.via)),
        ("date", text(r.date_text)),
        ("envelope_from", text(r.envelope_from)),
    ]
}

#[test]
fn every_corpus_message_goes_through() {
    let Some(dir) = corpora() else { return };
    let options = hopsleuth::Options::default();
    let mut files = Vec::new();
    collect(&dir.join("messages"), &mut files);
    files.sort();
    let messages_dir = dir.join("messages");
    let (mut messages, mut hops) = (0, 0);
    let mut rejected: Vec<String> = Vec::new();
    let mut unparsed = 0;
    let mut status = std::collections::BTreeMap::<String, usize>::new();
    let mut figures = ParserFigures::default();
    for path in &files {
        let bytes = std::fs::read(path).expect("read");
        let parts: Vec<&[u8]> = if hopsleuth::mbox::is_mbox(&bytes) {
            hopsleuth::mbox::messages(&bytes)
                .iter()
                .map(|m| m.bytes)
                .collect()
        } else {
            vec![&bytes[..]]
        };
        for msg in parts {
            messages += 1;
            match hopsleuth::analyze(msg, &options) {
                Ok(report) => {
                    for h in &report.hops {
                        hops += 1;
                        let local = h.kind == hopsleuth::received::Kind::Local;
                        let marked = h.parsed != received::Status::Full && h.reason.is_some();
                        assert!(
                            h.by.host.is_some() || local || marked,
                            "{}: hop {} has no by host and no local/unparsed mark: {}",
                            path.display(),
                            h.index,
                            h.raw
                        );
                        if h.parsed == received::Status::Unparsed {
                            unparsed += 1;
                        }
                        figures.count(h);
                        *status.entry(format!("{:?}", h.parsed)).or_default() += 1;
                    }
                }
                Err(e) => {
                    let name = path.strip_prefix(&messages_dir).unwrap_or(path);
                    let name = name.to_string_lossy().into_owned();
                    let why = NOT_MAIL.iter().find(|(f, _)| *f == name);
                    println!(
                        "  not analysed: {name}: {e}\n      {}",
                        why.map_or("NEW", |(_, why)| why)
                    );
                    rejected.push(name);
                }
            }
        }
    }
    println!(
        "corpus messages: {messages} messages, {hops} hops ({status:?}), {unparsed} unparsed, {} rejected as not mail",
        rejected.len()
    );
    figures.print();
    assert!(messages > 6000, "expected the whole corpus, saw {messages}");
    let new: Vec<&String> = rejected
        .iter()
        .filter(|r| !NOT_MAIL.iter().any(|(f, _)| f == r))
        .collect();
    let fixed: Vec<&str> = NOT_MAIL
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| !rejected.iter().any(|r| r == f))
        .collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "rejected as not mail but not in NOT_MAIL (a message we fail to read?): {new:?}; \
         in NOT_MAIL but analysed now (remove them): {fixed:?}"
    );
}

/// What the parser reads over every Received header of the corpus: network hops with a
/// `by` host, with the peer's address where a from part was written, the families seen,
/// and the formats it reads only partly (network hops with a from part but no address,
/// no `by` host or no date), grouped by family and what is missing.
#[derive(Default)]
struct ParserFigures {
    network: usize,
    with_by: usize,
    /// Network hops with a from part, of a recognised family / not: (hops, with an address).
    from_part_known: (usize, usize),
    from_part_unknown: (usize, usize),
    families: std::collections::BTreeMap<&'static str, usize>,
    /// (family, what is missing) -> (hops, an example line).
    partly: std::collections::BTreeMap<(String, &'static str), (usize, String)>,
}

impl ParserFigures {
    fn count(&mut self, h: &hopsleuth::chain::hop::Hop) {
        *self
            .families
            .entry(h.mta.unwrap_or("(unrecognised)"))
            .or_default() += 1;
        if h.kind != hopsleuth::received::Kind::Smtp {
            return;
        }
        self.network += 1;
        self.with_by += usize::from(h.by.host.is_some());
        let has_from_part = h.from.name.is_some() || h.from.ip.is_some();
        if has_from_part {
            let side = if h.mta.is_some() {
                &mut self.from_part_known
            } else {
                &mut self.from_part_unknown
            };
            side.0 += 1;
            side.1 += usize::from(h.from.ip.is_some());
        }
        let missing = if has_from_part && h.from.ip.is_none() {
            Some("no peer address")
        } else if h.by.host.is_none() {
            Some("no by host")
        } else if h.date.is_none() {
            Some("no date")
        } else {
            None
        };
        if let Some(missing) = missing {
            let family = h.mta.unwrap_or("(unrecognised)").to_string();
            let entry = self.partly.entry((family, missing)).or_default();
            entry.0 += 1;
            if entry.1.is_empty() {
                entry.1 = h.raw.split_whitespace().collect::<Vec<_>>().join(" ");
                entry.1.truncate(entry.1.floor_char_boundary(110));
            }
        }
    }

    fn print(&self) {
        let pct = |part: usize, all: usize| 100.0 * part as f64 / all.max(1) as f64;
        println!(
            "parser figures: {} network hops, {:.1}% with a by host",
            self.network,
            pct(self.with_by, self.network)
        );
        let (known, known_ip) = self.from_part_known;
        let (unknown, unknown_ip) = self.from_part_unknown;
        println!(
            "  with a from part, family recognised: {known} hops, {:.1}% with the peer's address; family not recognised: {unknown} hops, {:.1}%",
            pct(known_ip, known),
            pct(unknown_ip, unknown)
        );
        let mut families: Vec<_> = self.families.iter().collect();
        families.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let listed: Vec<String> = families.iter().map(|(f, n)| format!("{f} {n}")).collect();
        println!("  families ({}): {}", families.len() - 1, listed.join(", "));
        let mut partly: Vec<_> = self.partly.iter().collect();
        partly.sort_by_key(|entry| std::cmp::Reverse(entry.1.0));
        println!(
            "  formats read only partly (network hops; family, what is missing, hops, an example):"
        );
        for ((family, missing), (n, example)) in partly.iter().take(15) {
            println!("    {family}, {missing}: {n}: {example}");
        }
    }
}

/// The files under `messages/` that are not mail, each with what it is: every other file
/// must be analysed.
const NOT_MAIL: [(&str, &str); 6] = [
    (
        "modern_ham/SOURCES.md",
        "the folder's notes on its sources, not a message",
    ),
    (
        "modern_ham/manifest.tsv",
        "the folder's table of files and hashes, not a message",
    ),
    (
        "phishing_pot_dev/SAMPLE_LIST.txt",
        "the list of sampled files, not a message",
    ),
    (
        "spamassassin_t_data/spam/bsmtp",
        "a batch SMTP session (`HELO example.com`, MAIL, RCPT, DATA) around a message, which SpamAssassin reads with its own option",
    ),
    (
        "spamassassin_t_data/spam/bsmtpnull",
        "a one-byte file (SpamAssassin's null batch SMTP input): no header block",
    ),
    (
        "spamscope_mail_parser/mail_outlook_1",
        "an Outlook .msg (an OLE compound file), not RFC 5322 mail",
    ),
];

fn collect(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_none_or(|e| e != "json") {
            out.push(path);
        }
    }
}

/// Stalwart's mail-parser corpus includes deliberately malformed mail: every message must
/// be analysed (no error hiding the parseable part) and every Received line of its header
/// block must reach the chain.
#[test]
fn stalwart_malformed_mail_keeps_its_headers() {
    let Some(dir) = corpora() else { return };
    let mut files = Vec::new();
    collect(&dir.join("messages/stalwart_mail_parser"), &mut files);
    files.sort();
    assert!(!files.is_empty());
    for path in &files {
        let bytes = std::fs::read(path).expect("read");
        let report = hopsleuth::analyze(&bytes, &hopsleuth::Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(report.message.header_count > 0, "{}", path.display());
        // Count `Received:` lines up to the first empty line, independently of our splitter.
        let header_block = bytes
            .split(|&b| b == b'\n')
            .take_while(|l| !l.is_empty() && *l != b"\r");
        let received_lines = header_block
            .filter(|l| l.len() >= 9 && l[..9].eq_ignore_ascii_case(b"received:"))
            .count();
        assert_eq!(
            report.message.received_count,
            received_lines,
            "{}",
            path.display()
        );
    }
    println!(
        "stalwart mail-parser messages: {} analysed, none rejected",
        files.len()
    );
}
