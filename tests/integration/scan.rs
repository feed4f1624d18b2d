//! `hopsleuth scan` and the pipeline formats, run as a user runs them.

use crate::common::{self, hopsleuth};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn lines(out: &Output) -> Vec<Value> {
    out.stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("every line is JSON"))
        .collect()
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(name),
    )
    .expect("sample")
}

/// A fresh directory under the system temp dir.
fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hopsleuth-scan-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let meta = std::fs::metadata(&p).expect("meta");
                v.push((
                    p.clone(),
                    std::fs::read(&p).expect("read"),
                    meta.modified().expect("mtime"),
                ));
            }
        }
    }
    v.sort();
    v
}

#[test]
fn maildir_mh_tree_and_mbox() {
    let root = tempdir("tree");
    // A Maildir: cur/ and new/ are read, tmp/ never.
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join("Maildir").join(sub)).unwrap();
    }
    std::fs::write(
        root.join("Maildir/cur/1700000000.1.host:2,S"),
        sample("gmail-to-postfix.eml"),
    )
    .unwrap();
    std::fs::write(
        root.join("Maildir/new/1700000001.2.host"),
        sample("webmail.eml"),
    )
    .unwrap();
    std::fs::write(
        root.join("Maildir/tmp/1700000002.3.host"),
        sample("qmail-local.eml"),
    )
    .unwrap();
    // An MH folder: numbered files in numeric order.
    std::fs::create_dir_all(root.join("mh")).unwrap();
    std::fs::write(root.join("mh/10"), sample("qmail-local.eml")).unwrap();
    std::fs::write(root.join("mh/9"), sample("office365-internal.eml")).unwrap();
    std::fs::write(root.join("mh/.mh_sequences"), b"unseen: 9-10\n").unwrap();
    // An mbox recognised by content, a hidden file and a non-mail file.
    std::fs::write(root.join("archive.data"), sample("three-messages.mbox")).unwrap();
    std::fs::write(root.join(".hidden.eml"), sample("webmail.eml")).unwrap();
    std::fs::write(root.join("notes.txt"), b"shopping list: milk, eggs\n").unwrap();
    let before = snapshot(&root);

    let out = hopsleuth(&["scan", root.to_str().unwrap()], None);
    let records = lines(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let paths: Vec<String> = records
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(records.len(), 3 + 2 + 2, "{paths:#?}\n{stderr}");
    assert!(
        paths[0].ends_with("Maildir/cur/1700000000.1.host:2,S"),
        "{paths:?}"
    );
    assert!(paths[1].ends_with("Maildir/new/1700000001.2.host"));
    assert!(
        !paths.iter().any(|p| p.contains("/tmp/1700000002")),
        "Maildir tmp/ must not be read"
    );
    assert!(paths[2].ends_with("archive.data"));
    assert_eq!(records[2]["source"]["index"], 0);
    assert_eq!(records[4]["source"]["index"], 2);
    assert!(records[3]["source"]["offset"].as_u64().unwrap() > 0);
    assert!(
        paths[5].ends_with("mh/9") && paths[6].ends_with("mh/10"),
        "MH numeric order: {paths:?}"
    );
    assert!(
        stderr.contains("notes.txt: skipped (not a mail message)"),
        "{stderr}"
    );
    assert!(stderr.contains(".hidden.eml: skipped (hidden)"), "{stderr}");
    assert!(stderr.contains("tmp: skipped"), "{stderr}");
    assert!(stderr.contains("7 messages"), "{stderr}");

    // Deterministic: the same bytes every run, whatever the thread timing.
    let again = hopsleuth(&["scan", "--jobs", "2", root.to_str().unwrap()], None);
    assert_eq!(out.stdout, again.stdout);
    // Nothing was modified.
    assert_eq!(before, snapshot(&root));
}

#[test]
fn errors_are_records_and_exit_codes_follow_fail_on() {
    let root = tempdir("errors");
    std::fs::write(root.join("good.eml"), sample("webmail.eml")).unwrap();
    std::fs::write(root.join("bad.eml"), b"\x7fELF\x02\x01\x01").unwrap();
    let good = root.join("good.eml");
    let bad = root.join("bad.eml");
    let summary = root.join("summary.json");

    let out = hopsleuth(
        &[
            "scan",
            bad.to_str().unwrap(),
            good.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "errors give exit 2");
    let records = lines(&out);
    assert_eq!(records.len(), 2, "the scan goes on after a bad file");
    assert!(
        records[0]["error"]
            .as_str()
            .unwrap()
            .contains("not a mail message")
    );
    assert!(
        records[0]["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with("bad.eml")
    );
    assert_eq!(records[1]["schema"], "hopsleuth/report/v1");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.eml"));
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["messages"], 1);
    assert_eq!(s["errors"], 1);
    // The rate is the count over the time taken, not a number made up elsewhere.
    let (rate, elapsed) = (
        s["messages_per_s"].as_f64().unwrap(),
        s["elapsed_s"].as_f64().unwrap(),
    );
    assert!(elapsed > 0.0 && elapsed < 60.0, "{elapsed}");
    assert!(
        (rate * elapsed - 1.0).abs() < 1e-6,
        "{rate} messages/s over {elapsed} s"
    );

    assert_eq!(
        hopsleuth(&["scan", good.to_str().unwrap()], None)
            .status
            .code(),
        Some(0)
    );
    let forged = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/scenarios/appended.eml"
    );
    assert_eq!(hopsleuth(&["scan", forged], None).status.code(), Some(1));
    assert_eq!(
        hopsleuth(&["scan", "--fail-on", "never", forged], None)
            .status
            .code(),
        Some(0)
    );
    let suspicious = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rules/HELO005.eml"
    );
    assert_eq!(
        hopsleuth(&["scan", "--fail-on", "forged", suspicious], None)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        hopsleuth(&["scan", suspicious], None).status.code(),
        Some(1)
    );
}

#[test]
fn stdin_message_and_mbox() {
    let out = hopsleuth(&["scan", "-"], Some(&sample("webmail.eml")));
    let r = lines(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["source"]["path"], "-");
    let out = hopsleuth(&["scan", "-"], Some(&sample("three-messages.mbox")));
    assert_eq!(lines(&out).len(), 3);
}

#[test]
fn spamassassin_relay_format_matches_spamassassin() {
    let Some(dir) = common::corpora() else {
        return;
    };
    /// The relays of one `X-Spam-Relays-<side>:` line of `text`, each `[ k=v ... ]` as its pairs.
    fn relays<'a>(text: &'a str, side: &str) -> Vec<Vec<(&'a str, &'a str)>> {
        let prefix = format!("X-Spam-Relays-{side}:");
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_default();
        let mut out: Vec<Vec<(&str, &str)>> = Vec::new();
        for word in line.split_whitespace() {
            match word {
                "[" => out.push(Vec::new()),
                "]" => {}
                _ => {
                    if let (Some(relay), Some(pair)) = (out.last_mut(), word.split_once('=')) {
                        relay.push(pair);
                    }
                }
            }
        }
        out
    }
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sa_trust_path.json")).unwrap())
            .unwrap();
    let (mut same, mut total) = (0, 0);
    let mut diffs = Vec::new();
    for case in cases.as_array().unwrap() {
        let mut msg = String::new();
        for r in case["received"].as_array().unwrap() {
            msg.push_str(&format!("Received: {}\n", r.as_str().unwrap()));
        }
        for h in case["other_headers"].as_array().into_iter().flatten() {
            msg.push_str(&format!(
                "{}: {}\n",
                h["name"].as_str().unwrap(),
                h["value"].as_str().unwrap()
            ));
        }
        msg.push_str("Subject: x\n\nbody\n");
        let mut args: Vec<String> =
            vec!["analyze".into(), "--format".into(), "spamassassin".into()];
        for (key, flag) in [
            ("trusted_networks", "--trusted-networks"),
            ("internal_networks", "--internal-networks"),
            ("msa_networks", "--msa-networks"),
        ] {
            if let Some(v) = case["config"].get(key).and_then(Value::as_str) {
                args.push(format!(
                    "{flag}={}",
                    v.split_whitespace().collect::<Vec<_>>().join(",")
                ));
            }
        }
        args.push("-".into());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = hopsleuth(&argv, Some(msg.as_bytes()));
        // Addresses compare by value: SpamAssassin echoes the header's spelling
        // (`DEAD:BEEF:0000:...`), we print the canonical form.
        let canonical = |t: &str| -> String {
            t.split(' ')
                .map(|w| {
                    match w
                        .strip_prefix("ip=")
                        .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
                    {
                        Some(ip) => format!("ip={ip}"),
                        None => w.to_string(),
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let text = canonical(&String::from_utf8_lossy(&out.stdout));
        let expected = format!(
            "X-Spam-Relays-Trusted: {}\nX-Spam-Relays-Untrusted: {}\n",
            case["expected"]["trusted"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" "),
            case["expected"]["untrusted"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let expected = canonical(&expected);
        total += 1;
        if text == expected {
            same += 1;
            continue;
        }
        let id = case["case"].as_u64().expect("case number");
        println!("  case {id}:\n    expected {expected:?}\n    got      {text:?}");
        // Field by field: `trusted[0].rdns`, or `untrusted: relays` when the counts differ.
        for side in ["Trusted", "Untrusted"] {
            let (want, got) = (relays(&expected, side), relays(&text, side));
            let name = side.to_ascii_lowercase();
            if want.len() != got.len() {
                let field = format!("{name}: relays");
                diffs.push((id, field, want.len().to_string(), got.len().to_string()));
            }
            for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                let keys = w.iter().chain(g).map(|(k, _)| *k);
                let mut keys: Vec<&str> = keys.collect();
                keys.sort_unstable();
                keys.dedup();
                for key in keys {
                    let value = |r: &[(&str, &str)]| {
                        r.iter()
                            .find(|(k, _)| *k == key)
                            .map_or("(absent)".to_string(), |(_, v)| v.to_string())
                    };
                    let (wv, gv) = (value(w), value(g));
                    if wv != gv {
                        diffs.push((id, format!("{name}[{i}].{key}"), wv, gv));
                    }
                }
            }
        }
    }
    println!("SpamAssassin relay strings: {same}/{total} cases identical");
    assert_eq!(
        total, 32,
        "sa_trust_path.json: the corpus README says 32 chains"
    );
    // Every field that differs today, with why ours differs: (case, field, SpamAssassin's
    // value, ours, reason). A difference not here fails, and so does one here that is gone.
    const KNOWN: &[(u64, &str, &str, &str, &str)] = &[(
        30,
        "trusted[0].rdns",
        "sender.net",
        "",
        "parser bug: qmail's `from name (IP)` (name = TCPREMOTEHOST, the HELO written only \
         when it differs) is recognised with an IPv4 address only; with `(::1)` the line is \
         not taken as qmail's and the from-name is not recorded as the reverse name",
    )];
    let mut problems = Vec::new();
    for (id, field, want, got) in &diffs {
        let known = KNOWN.iter().find(|k| k.0 == *id && k.1 == field);
        let line = format!("case {id} {field}: SpamAssassin {want:?}, ours {got:?}");
        match known {
            Some(k) if k.2 == want && k.3 == got => println!("    {line}\n      known: {}", k.4),
            Some(k) => problems.push(format!("changed: {line} (listed: {:?}, {:?})", k.2, k.3)),
            None => problems.push(format!("new: {line} (list it in KNOWN with why)")),
        }
    }
    for k in KNOWN {
        if !diffs
            .iter()
            .any(|(id, field, ..)| *id == k.0 && field == k.1)
        {
            problems.push(format!(
                "fixed: case {} {} now agrees (remove it from KNOWN)",
                k.0, k.1
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn completions_and_man_page() {
    let out = hopsleuth(&["completions", "bash"], None);
    assert!(out.status.success());
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(script.contains("hopsleuth") && script.contains("--trusted-networks"));
    let out = hopsleuth(&["man"], None);
    assert!(out.status.success());
    let man = String::from_utf8_lossy(&out.stdout);
    assert!(man.contains(".TH") && man.contains("hopsleuth"));
}

/// Every sample's report, and every line of a scan of `../shared/corpora/messages/`,
/// validates against `schema/report-v1.json` (error records against its `error_record`).
#[test]
fn reports_validate_against_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("schema/report-v1.json")).unwrap())
            .unwrap();
    let url = "https://hopsleuth.invalid/schema/report-v1.json";
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(url, schema).expect("schema resource");
    let report = compiler
        .compile(url, &mut schemas)
        .expect("schema compiles");
    let error = compiler
        .compile(&format!("{url}#/$defs/error_record"), &mut schemas)
        .expect("error schema");

    let mut checked = 0;
    for name in [
        "gmail-to-postfix.eml",
        "office365-internal.eml",
        "qmail-local.eml",
        "webmail.eml",
        "exim-sendmail-mix.eml",
        "three-messages.mbox",
    ] {
        let out = hopsleuth(&["analyze", &format!("samples/{name}")], None);
        for line in lines(&out) {
            if let Err(e) = schemas.validate(&line, report) {
                panic!("samples/{name}: {e:#}");
            }
            checked += 1;
        }
    }
    if let Some(corpora) = common::corpora() {
        let corpus = corpora.join("messages");
        let out = hopsleuth(
            &["scan", "--fail-on", "never", corpus.to_str().unwrap()],
            None,
        );
        let (mut reports, mut errors) = (0, 0);
        for line in lines(&out) {
            let (which, kind) = if line.get("error").is_some() {
                (error, "error record")
            } else {
                (report, "report")
            };
            if let Err(e) = schemas.validate(&line, which) {
                panic!("{kind} {}: {e:#}", line["source"]);
            }
            if which == error {
                errors += 1
            } else {
                reports += 1
            }
        }
        println!(
            "schema: {checked} sample reports and {reports} corpus reports + {errors} error records valid"
        );
        assert!(reports > 6000);
    }
}

/// Scanning each corpus folder gives one line per message: files count one each, an mbox
/// counts its messages (counted here with the in-memory splitter, a different code path).
#[test]
fn one_line_per_corpus_message() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let corpus = corpora.join("messages");
    for folder in std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
    {
        let mut expected = 0;
        let mut stack = vec![folder.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let hidden = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'));
                if p.is_dir() {
                    stack.push(p);
                } else if !hidden {
                    let bytes = std::fs::read(&p).unwrap();
                    let looks = bytes.starts_with(b"From ")
                        || bytes.split(|&b| b == b'\n').next().is_some_and(|l| {
                            l.iter().position(|&b| b == b':').is_some_and(|c| {
                                let name = l[..c].trim_ascii_end();
                                !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b))
                            })
                        });
                    if !looks {
                        continue;
                    }
                    expected += if hopsleuth::mbox::is_mbox(&bytes) {
                        hopsleuth::mbox::messages(&bytes).len()
                    } else {
                        1
                    };
                }
            }
        }
        let out = hopsleuth(
            &["scan", "--fail-on", "never", folder.to_str().unwrap()],
            None,
        );
        let got = lines(&out).len();
        println!(
            "scan {}: {got} lines for {expected} messages",
            folder.file_name().unwrap().to_string_lossy()
        );
        assert_eq!(got, expected, "{}", folder.display());
    }
}

/// Reports are written by our own JSON writer (`Report::write_json`, fast); serde_json on
/// the same model is the reference: both must write the same bytes for every corpus message
/// and every DNS fixture (floats, escapes, key order, left-out empty fields).
#[test]
fn json_writer_writes_what_serde_json_writes() {
    let mut files: Vec<PathBuf> = Vec::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = vec![fixtures];
    if let Some(c) = common::corpora() {
        dirs.push(c.join("messages"));
    }
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                files.push(p);
            }
        }
    }
    let mut compared = 0;
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let Ok(mut report) = hopsleuth::analyze(&bytes, &hopsleuth::Options::default()) else {
            continue;
        };
        report.source.path = f.display().to_string();
        let a = serde_json::to_vec(&report).unwrap();
        let mut b = Vec::new();
        report.write_json(&mut b);
        assert!(a == b, "{}: serialisers differ", f.display());
        compared += 1;
    }
    // Reports with DNS answers and weighted scores (0.25, 0.5, ...), and with our own
    // verification (AUTH002, AUTH003).
    for name in [
        "RDNS003", "RDNS005", "HELO007", "ROUTE001", "DNS001", "DNS002", "AUTH002", "AUTH003",
    ] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
        let dns = hopsleuth::resolver::Dns::new(&hopsleuth::resolver::DnsSettings {
            replay: Some(dir.join(format!("{name}.dns.json"))),
            ..Default::default()
        })
        .unwrap();
        let bytes = std::fs::read(dir.join(format!("{name}.eml"))).unwrap();
        let mut options = hopsleuth::Options::default();
        options.checks.dns_fresh_days = 1;
        options.verify = name.starts_with("AUTH");
        let report = hopsleuth::analyze_with_dns(&bytes, &options, &dns).unwrap();
        if options.verify {
            assert!(report.authentication.verification.performed, "{name}");
        }
        let mut written = Vec::new();
        report.write_json(&mut written);
        assert_eq!(serde_json::to_vec(&report).unwrap(), written, "{name}");
        compared += 1;
    }
    println!("serialisers: {compared} reports byte-identical");
    // The project's own fixtures alone give about a hundred reports; the corpus thousands.
    let floor = if common::corpora().is_some() {
        6000
    } else {
        60
    };
    assert!(
        compared > floor,
        "{compared} reports compared, expected over {floor}"
    );
}

/// A mailbox over the in-memory limit is streamed: read a batch ahead on a thread of its
/// own, analysed in batches, written in order with every message's index and offset.
#[test]
fn large_mbox_streams_in_order_across_batches() {
    let dir = tempdir("large-mbox");
    let message = sample("webmail.eml");
    let mut mbox = Vec::new();
    let mut offsets = Vec::new();
    let count = (5 * 1024 * 1024 / (message.len() + 60)) + 1;
    assert!(count > 1024, "more than two batches of 512");
    for i in 0..count {
        offsets.push(mbox.len() as u64);
        mbox.extend_from_slice(
            format!(
                "From sender@example.net Mon Jan  1 00:00:{:02} 2024\n",
                i % 60
            )
            .as_bytes(),
        );
        mbox.extend_from_slice(&message);
        mbox.extend_from_slice(b"\n");
    }
    assert!(mbox.len() > 4 * 1024 * 1024, "over the in-memory limit");
    let path = dir.join("big.mbox");
    std::fs::write(&path, &mbox).unwrap();
    let out = hopsleuth(
        &["scan", "--fail-on", "never", path.to_str().unwrap()],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = lines(&out);
    assert_eq!(reports.len(), count);
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["source"]["index"], i, "message {i} in order");
        assert_eq!(r["source"]["offset"], offsets[i], "message {i} offset");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--jobs` beyond four per core is capped, saying so, and the scan goes on.
#[test]
fn jobs_are_capped() {
    let out = hopsleuth(
        &[
            "scan",
            "--jobs",
            "100000",
            "--fail-on",
            "never",
            "samples/webmail.eml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out).len(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--jobs 100000: using"), "{err}");
}

/// The lines of a scan, sorted: shards and lists are compared as sets of lines.
fn sorted_lines(out: &Output) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn shards_add_up_to_the_whole_scan() {
    let inputs = ["samples", "tests/fixtures/forgery", "tests/fixtures/rules"];
    let mut args = vec!["scan", "--fail-on", "never"];
    args.extend(inputs);
    let whole = hopsleuth(&args, None);
    assert!(whole.status.success());
    let whole = sorted_lines(&whole);
    assert!(whole.len() > 50, "{}", whole.len());
    let mut union = Vec::new();
    let mut sizes = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let mut args = vec!["scan", "--fail-on", "never", "--shard", shard.as_str()];
        args.extend(inputs);
        let part = hopsleuth(&args, None);
        assert!(part.status.success());
        let part = sorted_lines(&part);
        sizes.push(part.len());
        union.extend(part);
    }
    union.sort();
    assert_eq!(
        union, whole,
        "the three shards are the whole scan, each line once"
    );
    // A stable hash spreads the files: no shard is empty, and the split is the same
    // on every run.
    assert!(sizes.iter().all(|&n| n > 0), "{sizes:?}");
    let again = hopsleuth(
        &["scan", "--fail-on", "never", "--shard", "2/3", "samples"],
        None,
    );
    let once = hopsleuth(
        &["scan", "--fail-on", "never", "--shard", "2/3", "samples"],
        None,
    );
    assert_eq!(again.stdout, once.stdout);
    for bad in ["0/3", "4/3", "1/0", "x"] {
        let out = hopsleuth(&["scan", "--shard", bad, "samples"], None);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

#[test]
fn files_from_lists_paths_by_line_or_nul() {
    let dir = tempdir("files-from");
    let names = ["samples/webmail.eml", "samples/three-messages.mbox"];
    let by_line = dir.join("list.txt");
    std::fs::write(&by_line, format!("{}\n\n{}\n", names[0], names[1])).expect("list");
    let by_nul = dir.join("list.nul");
    std::fs::write(&by_nul, format!("{}\0{}\0", names[0], names[1])).expect("list");
    let direct = hopsleuth(&["scan", "--fail-on", "never", names[0], names[1]], None);
    let listed = hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "--files-from",
            by_line.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert_eq!(listed.stdout, direct.stdout);
    assert_eq!(lines(&listed).len(), 4);
    let nul = hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "-0",
            "--files-from",
            by_nul.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(nul.stdout, direct.stdout);
    // From standard input, after the paths on the command line.
    let piped = hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "--files-from",
            "-",
            "samples/qmail-local.eml",
        ],
        Some(format!("{}\n", names[0]).as_bytes()),
    );
    let v = lines(&piped);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["source"]["path"], "samples/qmail-local.eml");
    assert_eq!(v[1]["source"]["path"], names[0]);
    // A listed path that does not exist is an error record naming it; the rest goes on.
    std::fs::write(&by_line, format!("nowhere.eml\n{}\n", names[0])).expect("list");
    let out = hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "--files-from",
            by_line.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let v = lines(&out);
    assert_eq!(v[0]["source"]["path"], "nowhere.eml");
    assert!(v[0]["error"].is_string());
    assert_eq!(v[1]["source"]["path"], names[0]);
    // Something that is no list ends with an error instead of filling memory.
    let huge = dir.join("huge");
    std::fs::write(&huge, vec![b'x'; 10_000]).expect("file");
    let out = hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "--files-from",
            huge.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("longer than PATH_MAX"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emitted_findings_and_hops_are_flat_rows() {
    let out = hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "--emit",
            "findings",
            "samples/forged-replayed-chain.eml",
        ],
        None,
    );
    let rows = lines(&out);
    let report = lines(&hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "samples/forged-replayed-chain.eml",
        ],
        None,
    ))
    .remove(0);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(rows.len(), findings.len());
    for (row, f) in rows.iter().zip(findings) {
        assert_eq!(row["source"], "samples/forged-replayed-chain.eml");
        assert_eq!(row["verdict"], "forged");
        assert_eq!(row["rule"], f["rule"]);
        assert_eq!(row["score"], f["score"]);
        assert_eq!(row["hops"], f["hops"]);
        assert_eq!(row["message"], f["message"]);
        assert!(
            row.as_object().unwrap().values().all(|v| !v.is_object()),
            "{row}"
        );
    }
    let out = hopsleuth(
        &[
            "scan",
            "--fail-on",
            "never",
            "--emit",
            "hops",
            "samples/three-messages.mbox",
        ],
        None,
    );
    let rows = lines(&out);
    assert_eq!(rows.len(), 4 + 2 + 4);
    assert_eq!(rows[0]["message_index"], 0);
    assert_eq!(rows[0]["hop"], 0);
    assert!(rows.iter().any(|r| r["trust"] == "entry"));
}

#[test]
fn dns_recordings_merge() {
    let dir = tempdir("dns-merge");
    // Two recordings that answer every question of their messages, as a shard's
    // --dns-record does.
    let a = "tests/fixtures/rules/AUTH002.dns.json";
    let b = "tests/fixtures/rules/AUTH003.dns.json";
    let out = hopsleuth(&["dns", "merge", a, b], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: Value = serde_json::from_slice(&out.stdout).expect("a recording");
    let count = |p: &str| -> usize {
        let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v["answers"].as_array().unwrap().len()
    };
    let answers = merged["answers"].as_array().expect("answers");
    assert!(answers.len() <= count(a) + count(b) && answers.len() >= count(a).max(count(b)));
    // The merged recording replays both messages as their own recordings do.
    let all = dir.join("all.json");
    std::fs::write(&all, &out.stdout).expect("write");
    for (msg, rec) in [
        ("tests/fixtures/rules/AUTH002.eml", a),
        ("tests/fixtures/rules/AUTH003.eml", b),
    ] {
        let own = common::hopsleuth_with_dns(&["analyze", "--dns-replay", rec, msg], None);
        let joined = common::hopsleuth_with_dns(
            &["analyze", "--dns-replay", all.to_str().unwrap(), msg],
            None,
        );
        let (own, joined): (Value, Value) = (
            serde_json::from_slice(&own.stdout).unwrap(),
            serde_json::from_slice(&joined.stdout).unwrap(),
        );
        assert_eq!(own["dns"]["mode"], "replay", "{msg}");
        assert_eq!(
            own, joined,
            "{msg}: the merged recording replays it as its own does"
        );
    }
    // Merging a recording with itself changes nothing; a bad file is named.
    let same = hopsleuth(&["dns", "merge", a, a], None);
    let alone: Value = serde_json::from_slice(&std::fs::read(a).unwrap()).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&same.stdout).unwrap(),
        alone
    );
    let bad = hopsleuth(&["dns", "merge", a, "samples/webmail.eml"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("samples/webmail.eml"));
    let _ = std::fs::remove_dir_all(&dir);
}
