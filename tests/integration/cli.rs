//! The command line as a user runs it: exit codes, errors naming the file, stdin, formats.

use crate::common::hopsleuth;

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hopsleuth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn analyzes_a_sample_as_json() {
    let out = hopsleuth(&["analyze", "samples/gmail-to-postfix.eml"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["schema"], "hopsleuth/report/v1");
    assert_eq!(v["source"]["path"], "samples/gmail-to-postfix.eml");
    assert_eq!(v["hops"][2]["from"]["ip"], "209.85.221.54");
}

#[test]
fn mbox_gives_one_line_per_message() {
    let out = hopsleuth(&["analyze", "samples/three-messages.mbox"], None);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("NDJSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["source"]["index"], i);
    }
}

#[test]
fn reads_stdin_and_prints_text() {
    let msg =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/webmail.eml")).expect("sample");
    let out = hopsleuth(&["analyze", "--format", "text", "-"], Some(&msg));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("webmail.example.net"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("hop ")), "{text}");
}

#[test]
fn envelope_flags_win() {
    let out = hopsleuth(
        &[
            "analyze",
            "--mail-from",
            "a@x.example",
            "--rcpt-to",
            "b@y.example",
            "samples/qmail-local.eml",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["envelope"]["mail_from"]["source"], "cli");
    assert_eq!(v["envelope"]["rcpt_to"][0]["value"], "b@y.example");
}

#[test]
fn bad_input_names_the_file_and_exits_2() {
    for (name, bytes, says) in [
        ("empty.eml", &b""[..], "empty"),
        (
            "binary.eml",
            &b"\x7fELF\x02\x01\x01\x00\x00\x00"[..],
            "not a mail message",
        ),
        (
            "prose.txt",
            &b"Dear friend, this is not mail.\n"[..],
            "not a mail message",
        ),
    ] {
        let path = temp_file(name, bytes);
        let out = hopsleuth(&["analyze", path.to_str().expect("utf-8 path")], None);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = hopsleuth(&["analyze", "no/such/file.eml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.eml"));
}

#[test]
fn header_over_the_limit_is_an_error() {
    let path = temp_file(
        "big.eml",
        format!("Subject: {}\n\nbody\n", "x".repeat(5000)).as_bytes(),
    );
    let out = hopsleuth(
        &[
            "analyze",
            "--max-header-bytes",
            "1000",
            path.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_header_bytes"));
}

#[test]
fn config_file_sets_limits_and_flags_win() {
    let mut msg = String::new();
    for i in 0..5 {
        msg.push_str(&format!("Received: from h{i} ([192.0.2.1]) by h{} with SMTP; Mon, 1 Jan 2024 00:00:0{i} +0000\n", i + 1));
    }
    msg.push_str("\nbody\n");
    let mail = temp_file("five-hops.eml", msg.as_bytes());
    let config = temp_file("limits.toml", b"[limits]\nmax_hops = 2\n");
    let out = hopsleuth(
        &[
            "analyze",
            "--config",
            config.to_str().unwrap(),
            mail.to_str().unwrap(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["hops"].as_array().map(Vec::len), Some(2));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"LIMIT001"), "{rules:?}");
    let out = hopsleuth(
        &[
            "analyze",
            "--config",
            config.to_str().unwrap(),
            "--max-hops",
            "4",
            mail.to_str().unwrap(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["hops"].as_array().map(Vec::len), Some(4));
    let bad = temp_file("bad.toml", b"[limits]\nmax_hop = 2\n");
    let out = hopsleuth(
        &[
            "analyze",
            "--config",
            bad.to_str().unwrap(),
            mail.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("max_hop"), "{err}");
}

#[test]
fn rules_lists_every_rule_and_explain_prints_each() {
    let out = hopsleuth(&["rules"], None);
    assert!(out.status.success());
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    for rule in hopsleuth::rules::registry::ALL {
        assert!(
            listing.lines().any(|l| l.starts_with(rule.id)),
            "{} missing from `rules`",
            rule.id
        );
        let out = hopsleuth(&["explain", &rule.id.to_lowercase()], None);
        assert!(out.status.success(), "explain {}", rule.id);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.starts_with(rule.id) && text.contains("## False positives"),
            "{text}"
        );
    }
    let out = hopsleuth(&["explain", "NOPE999"], None);
    assert_eq!(out.status.code(), Some(2));
    // The verdict calculus, as the README's checks section gives it.
    let out = hopsleuth(&["explain", "verdict"], None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needed in [
        "proof",
        "strong",
        "weak",
        "info",
        "identity",
        "verdict_basis",
    ] {
        assert!(
            text.contains(needed),
            "`explain verdict` says {needed}: {text}"
        );
    }
}

#[test]
fn add_header_keeps_the_message_byte_for_byte() {
    let original =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/webmail.eml")).expect("sample");
    let out = hopsleuth(&["analyze", "--add-header", "-"], Some(&original));
    assert!(out.status.success());
    let first_line_end = out.stdout.iter().position(|&b| b == b'\n').expect("a line");
    let header = String::from_utf8_lossy(&out.stdout[..first_line_end]).to_string();
    assert!(
        header.starts_with("X-Hopsleuth: verdict=clean score="),
        "{header}"
    );
    assert_eq!(
        &out.stdout[first_line_end + 1..],
        &original[..],
        "the message must pass unchanged"
    );

    // Hostile header values cannot reach the added header: it holds only our own values.
    let hostile = b"Received: from evil (evil [81.169.145.66]) by mx\r\n\tX-Injected: yes; Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: hi\rX-Fake: 1\r\n\r\nbody\r\n";
    let out = hopsleuth(&["analyze", "--add-header", "-"], Some(hostile));
    let end = out
        .stdout
        .windows(2)
        .position(|w| w == b"\r\n")
        .expect("CRLF kept");
    let header = String::from_utf8_lossy(&out.stdout[..end]).to_string();
    assert!(header.starts_with("X-Hopsleuth: verdict="), "{header}");
    assert!(
        !header.contains("Injected") && !header.contains("Fake") && !header.contains('\r'),
        "{header}"
    );
    assert_eq!(&out.stdout[end + 2..], &hostile[..]);

    // Not mail: passed through untouched, exit 2.
    let out = hopsleuth(&["analyze", "--add-header", "-"], Some(b"\x7fELF\x02\x01"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"\x7fELF\x02\x01");
}

#[test]
fn comment_depth_limit_from_the_command_line() {
    let msg = b"Received: from a (b [81.169.145.4] (x (y))) by mx.example.com with SMTP; Mon, 1 Jan 2024 00:00:00 +0000\n\nbody\n";
    let out = hopsleuth(&["analyze", "--max-comment-depth", "1", "-"], Some(msg));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let notes = v["hops"][0]["notes"].to_string();
    assert!(notes.contains("nest deeper than 1"), "{notes}");
    let out = hopsleuth(&["analyze", "-"], Some(msg));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(!v["hops"][0]["notes"].to_string().contains("nest deeper"));
}

#[test]
fn text_fits_80_columns_without_cutting_addresses_and_colours_only_when_asked() {
    let out = hopsleuth(
        &[
            "analyze",
            "--format",
            "text",
            "samples/exim-sendmail-mix.eml",
        ],
        None,
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    // Not a terminal: 80 columns, no colour.
    assert!(!text.contains('\x1b'), "colour in a pipe");
    for line in text.lines() {
        let longest = line
            .split(' ')
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        assert!(line.chars().count() <= 80 || longest > 56, "{line:?}");
    }
    // Every address whole, the HELO shown, one delay format, exact scores.
    assert!(text.contains("ip 93.184.216.140"), "{text}");
    assert!(text.contains("helo [93.184.216.140] (claimed)"), "{text}");
    assert!(text.contains("+2s") && !text.contains("+2 "), "{text}");
    assert!(text.contains("Path score 0.0: clean"), "{text}");
    let colour = hopsleuth(
        &[
            "analyze",
            "--format",
            "text",
            "--color",
            "always",
            "samples/exim-sendmail-mix.eml",
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&colour.stdout).contains("\x1b[32mclean\x1b[0m"));
}

#[test]
fn html_and_markdown_formats() {
    let out = hopsleuth(
        &["analyze", "--format", "html", "samples/webmail.eml"],
        None,
    );
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "a URL in the page"
    );
    assert_eq!(page.matches("<tr class=\"hop ").count(), 3);
    let again = hopsleuth(
        &["analyze", "--format", "html", "samples/webmail.eml"],
        None,
    );
    assert_eq!(again.stdout, page.as_bytes(), "same input, same bytes");
    let md = hopsleuth(
        &["analyze", "--format", "markdown", "samples/webmail.eml"],
        None,
    );
    let md = String::from_utf8(md.stdout).expect("UTF-8");
    assert!(md.contains("| # | trust | HELO (claimed) |"), "{md}");
    assert!(md.contains("```text\nReturn-path:"), "{md}");
}

#[test]
fn scan_writes_text_lines_and_html_pages_with_an_index() {
    let dir = std::env::temp_dir().join(format!(
        "hopsleuth-html-{}-{}",
        std::process::id(),
        crate::common::unique()
    ));
    let out = hopsleuth(
        &[
            "scan",
            "--format",
            "text",
            "--fail-on",
            "suspicious",
            "--html",
            dir.to_str().expect("UTF-8 temp dir"),
            "samples",
            "tests/fixtures/forgery/replayed-chain-forged-2.eml",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    // One line per message (nine in samples/, one fixture), then the summary.
    assert_eq!(lines.len(), 11, "{text}");
    assert!(lines[10].starts_with("hopsleuth: 10 messages"), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("forged ")), "{text}");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .expect("the HTML directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    pages.sort();
    // The two forged messages, and the index.
    assert_eq!(pages.len(), 3, "{pages:?}");
    let index = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    for page in pages.iter().filter(|p| *p != "index.html") {
        assert!(
            index.contains(&format!("href=\"{page}\"")),
            "{page} not in the index"
        );
    }
    assert!(index.contains("replayed-chain-forged-2.eml"), "{index}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn man_pages_cover_every_subcommand_without_dangling_references() {
    let one = hopsleuth(&["man"], None);
    assert!(one.status.success());
    let page = String::from_utf8(one.stdout).expect("UTF-8");
    for sub in [
        "analyze",
        "scan",
        "rules",
        "explain",
        "profiles",
        "completions",
        "man",
    ] {
        assert!(page.contains(&format!(".SS \"hopsleuth {sub}\"")), "{sub}");
    }
    assert!(page.contains("\\-\\-dns\\-replay") && page.contains("\\-\\-html"));
    let dir = std::env::temp_dir().join(format!(
        "hopsleuth-man-{}-{}",
        std::process::id(),
        crate::common::unique()
    ));
    let out = hopsleuth(&["man", "--dir", dir.to_str().expect("UTF-8")], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<String> = std::fs::read_dir(&dir)
        .expect("pages")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert!(files.contains(&"hopsleuth-scan.1".to_string()), "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(dir.join(f)).expect("page");
        // Every page named in another is written (roff writes `hopsleuth\-scan(1)`).
        for (at, _) in text.match_indices("(1)") {
            let before = &text[..at];
            let start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '\\' || c == '-'))
                .map_or(0, |i| i + 1);
            let name = before[start..].replace("\\-", "-");
            let name = name.trim_start_matches("\\fB");
            if name.starts_with("hopsleuth") {
                assert!(
                    files.contains(&format!("{name}.1")),
                    "{f} names {name}(1), not written"
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn text_report_shows_hidden_characters_of_a_mismatch_reason_as_escapes() {
    // The Reply-To's domain carries a right-to-left override: the value and the reason
    // that quotes its domain both reach the terminal escaped.
    let msg = "Received: from a.example (a.example [81.169.145.40]) by mx.b.example with ESMTP id 1; Mon, 15 Sep 2025 10:12:36 +0000\nFrom: a@b.example\nReply-To: c@ev\u{202e}il.test\nSubject: x\n\nbody\n";
    let out = hopsleuth(&["analyze", "--format", "text", "-"], Some(msg.as_bytes()));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(!text.contains('\u{202e}'), "{text}");
    assert!(
        text.contains("[domain ev\\u{202e}il.test is not the"),
        "{text}"
    );
}
