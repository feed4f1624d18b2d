//! Hostile inputs and file types, one mbox reader for every command, and the mail-filter
//! contract of `--add-header`: nothing blocks, nothing grows without bound, nothing is lost.

use crate::common::{TEST_NOW, hopsleuth};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hopsleuth-inputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// Runs the binary with `stdin` and `stdout` as given, failing the test (and killing the
/// run) when it takes longer than `deadline`: a hang is a failure, not a stuck suite.
fn run_within(deadline: Duration, args: &[&str], stdin: Stdio, stdout: Stdio) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_hopsleuth"))
        .env("HOPSLEUTH_NO_DNS", "1")
        .env("HOPSLEUTH_NOW", TEST_NOW)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hopsleuth");
    // Output is read while waiting (a full pipe would stop the run, not a hang of its own).
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output().expect("output"));
    });
    match finished.recv_timeout(deadline) {
        Ok(out) => out,
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("hopsleuth {args:?} still running after {deadline:?}");
        }
    }
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("every line is JSON"))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const TEN_S: Duration = Duration::from_secs(10);

#[test]
fn fifos_sockets_and_devices_never_block() {
    let dir = tempdir("fifo");
    std::fs::copy(manifest("samples/webmail.eml"), dir.join("a.eml")).unwrap();
    mkfifo(&dir.join("b.fifo"));
    std::fs::copy(manifest("samples/webmail.eml"), dir.join("c.eml")).unwrap();
    // Inside a directory: skipped with a reason, the files around it reported.
    let out = run_within(
        TEN_S,
        &["scan", dir.to_str().unwrap()],
        Stdio::null(),
        Stdio::piped(),
    );
    assert_eq!(lines(&out.stdout).len(), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("b.fifo: skipped (a FIFO (named pipe), not a regular file)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(0));
    // Named on the command line: an error naming it, for `analyze` and `scan`, and the
    // reports of the files before it are written.
    let fifo = dir.join("b.fifo");
    let a = dir.join("a.eml");
    for command in ["analyze", "scan"] {
        let out = run_within(
            TEN_S,
            &[command, a.to_str().unwrap(), fifo.to_str().unwrap()],
            Stdio::null(),
            Stdio::piped(),
        );
        let reports = lines(&out.stdout);
        assert_eq!(reports[0]["schema"], "hopsleuth/report/v1", "{command}");
        assert!(
            stderr(&out).contains("b.fifo: a FIFO (named pipe), not a regular file"),
            "{command}: {}",
            stderr(&out)
        );
        assert_eq!(out.status.code(), Some(2), "{command}");
    }
    // Devices, and the filter mode.
    for args in [
        &["analyze", "/dev/zero"][..],
        &["scan", "/dev/zero"],
        &["analyze", "--add-header", "/dev/zero"],
        &["analyze", "--add-header", fifo.to_str().unwrap()],
    ] {
        let out = run_within(TEN_S, args, Stdio::null(), Stdio::piped());
        assert!(
            stderr(&out).contains("not a regular file"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_ne!(out.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn endless_input_ends_with_an_error() {
    // Standard input that never ends: the header limit, then the message limit, stop it.
    for args in [
        &["scan", "-"][..],
        &["analyze"],
        &["analyze", "--max-message-bytes", "1000000", "-"],
    ] {
        let out = run_within(
            Duration::from_secs(60),
            args,
            Stdio::from(std::fs::File::open("/dev/zero").unwrap()),
            Stdio::piped(),
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?}: an error is said");
    }
    // A valid header and a body that never ends: the message limit.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hopsleuth"))
        .env("HOPSLEUTH_NO_DNS", "1")
        .args(["scan", "--max-message-bytes", "4000000", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(b"From: a@example.com\nSubject: x\n\n");
        let chunk = [b'y'; 65536];
        // Until the reader gives up (a closed pipe), at most 64 MiB.
        for _ in 0..1024 {
            if input.write_all(&chunk).is_err() {
                return true;
            }
        }
        false
    });
    let out = child.wait_with_output().unwrap();
    assert!(writer.join().unwrap(), "the reader stopped reading");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("max_message_bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn symlink_loops_are_walked_once_and_maildir_folders_are_scanned() {
    let dir = tempdir("loops");
    std::fs::copy(manifest("samples/webmail.eml"), dir.join("m.eml")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub").join("up")).unwrap();
    let out = run_within(
        TEN_S,
        &["scan", dir.to_str().unwrap()],
        Stdio::null(),
        Stdio::piped(),
    );
    assert_eq!(lines(&out.stdout).len(), 1, "one message, once");
    let err = stderr(&out);
    assert_eq!(
        err.matches("already walked").count(),
        2,
        "each link back up the tree reported once: {err}"
    );

    // Maildir++: folders `.Name/` beside cur/ and new/.
    let maildir = tempdir("maildirpp");
    for folder in ["", ".Archive", ".Archive.2024"] {
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(folder).join(sub)).unwrap();
        }
        std::fs::copy(
            manifest("samples/webmail.eml"),
            maildir.join(folder).join("cur").join("1:2,S"),
        )
        .unwrap();
    }
    let out = run_within(
        TEN_S,
        &["scan", maildir.to_str().unwrap()],
        Stdio::null(),
        Stdio::piped(),
    );
    let reports = lines(&out.stdout);
    assert_eq!(reports.len(), 3, "{}", stderr(&out));
    assert!(reports.iter().any(|r| {
        r["source"]["path"]
            .as_str()
            .unwrap()
            .contains(".Archive.2024/cur")
    }));
}

/// An mbox whose first message protects a body separator with its Content-Length, whose
/// second has a paragraph starting `From the meeting at 10:00 today:`, and whose third is
/// ordinary.
fn tricky_mbox() -> Vec<u8> {
    let body = b"Hi,\n\nFrom evil@example.net Mon Jan  1 00:00:00 2024\nSubject: injected\n\nnot a message\n";
    let mut mbox = format!(
        "From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: one\nContent-Length: {}\n\n",
        body.len()
    )
    .into_bytes();
    mbox.extend_from_slice(body);
    mbox.extend_from_slice(
        b"\nFrom b@example.com Mon Jan  1 00:00:01 2024\nFrom: b@example.com\nSubject: two\n\nHello,\n\nFrom the meeting at 10:00 today:\nnotes\n\nFrom c@example.com Mon Jan  1 00:00:02 2024\nFrom: c@example.com\nSubject: three\n\nbye\n",
    );
    mbox
}

#[test]
fn every_command_sees_the_same_messages() {
    let dir = tempdir("agree");
    let path = dir.join("tricky.mbox");
    std::fs::write(&path, tricky_mbox()).unwrap();
    let p = path.to_str().unwrap();
    let scan = hopsleuth(&["scan", p], None);
    let analyze = hopsleuth(&["analyze", p], None);
    let (scanned, analysed) = (lines(&scan.stdout), lines(&analyze.stdout));
    assert_eq!(scanned.len(), 3, "{}", stderr(&scan));
    assert_eq!(
        scanned, analysed,
        "scan and analyze report the same messages"
    );
    let subjects: Vec<&str> = scanned
        .iter()
        .map(|r| {
            r["headers"]["subject"]["value"]
                .as_str()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(subjects, ["one", "two", "three"]);
    let filtered = hopsleuth(&["analyze", "--add-header", p], None);
    assert_eq!(filtered.status.code(), Some(0), "{}", stderr(&filtered));
    let text = String::from_utf8(filtered.stdout).unwrap();
    assert_eq!(text.matches("X-Hopsleuth: ").count(), 3, "{text}");
    assert_eq!(
        without_our_header(&text),
        String::from_utf8(tricky_mbox()).unwrap()
    );
    // Through a pipe (no look-ahead) the same file reads the same where no length is
    // needed: the message with the meeting paragraph is one message.
    let mbox = tricky_mbox();
    let second = mbox.windows(8).position(|w| w == b"From b@e").unwrap();
    let piped = hopsleuth(&["analyze", "--add-header"], Some(&mbox[second..]));
    let text = String::from_utf8(piped.stdout).unwrap();
    assert!(
        text.contains("From the meeting at 10:00 today:\nnotes"),
        "{text}"
    );
    assert_eq!(text.matches("X-Hopsleuth: ").count(), 2, "{text}");
}

/// The text without our header lines.
fn without_our_header(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| !l.starts_with("X-Hopsleuth: verdict="))
        .collect()
}

#[test]
fn the_filter_never_loses_mail() {
    let message = std::fs::read(manifest("samples/webmail.eml")).unwrap();
    // A closed output pipe: exit 75 and a line on stderr, so the MTA retries.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hopsleuth"))
        .env("HOPSLEUTH_NO_DNS", "1")
        .args(["analyze", "--add-header"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.stdin.take().unwrap().write_all(&message).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("output pipe was closed"),
        "{}",
        stderr(&out)
    );

    // A full disk: the same.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let path = manifest("samples/webmail.eml");
    let out = run_within(
        TEN_S,
        &["analyze", "--add-header", path.to_str().unwrap()],
        Stdio::null(),
        Stdio::from(full),
    );
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));

    // Not mail: passed back byte for byte, with its own code (2) and a line saying why.
    for not_mail in [
        &b"\x7fELF\x02\x01\x01 binary"[..],
        b"From a@example.com Mon Jan  1 00:00:00 2024\n",
    ] {
        let out = hopsleuth(&["analyze", "--add-header"], Some(not_mail));
        assert_eq!(out.stdout, not_mail);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("passed through unchanged"));
    }

    // A body paragraph starting `From ` after an mbox line: one header, at the top.
    let mut mbox = b"From a@example.com Mon Jan  1 00:00:00 2024\n".to_vec();
    mbox.extend_from_slice(&message);
    mbox.extend_from_slice(b"\nFrom the meeting at 10:00 today:\nwe agreed.\n");
    let out = hopsleuth(&["analyze", "--add-header"], Some(&mbox));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("X-Hopsleuth:").count(), 1, "{text}");
    assert!(text.starts_with("From a@example.com Mon Jan  1 00:00:00 2024\nX-Hopsleuth: "));
    assert_eq!(without_our_header(&text).as_bytes(), mbox);
}

#[test]
fn the_senders_x_hopsleuth_is_renamed() {
    let message = b"X-Hopsleuth: verdict=clean score=0.0 rules=none\nFrom: a@example.com\nx-hopsleuth : verdict=clean\nSubject: s\n\nX-Hopsleuth: verdict=clean in the body stays\n";
    let out = hopsleuth(&["analyze", "--add-header"], Some(message));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let header_block = &text[..text.find("\n\n").unwrap()];
    let ours: Vec<&str> = header_block
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("x-hopsleuth"))
        .collect();
    assert_eq!(
        ours.len(),
        1,
        "only our header is named X-Hopsleuth: {text}"
    );
    assert!(ours[0].starts_with("X-Hopsleuth: verdict="));
    assert!(
        header_block.contains("\nX-Unverified-Hopsleuth: verdict=clean score=0.0 rules=none\n")
    );
    assert!(header_block.contains("\nX-Unverified-Hopsleuth : verdict=clean\n"));
    assert!(text.ends_with("\n\nX-Hopsleuth: verdict=clean in the body stays\n"));
}

#[test]
fn a_large_body_streams_through_the_filter() {
    // 64 MiB of body: copied through unchanged (the filter holds only the header).
    let dir = tempdir("large");
    let path = dir.join("large.eml");
    let mut message = std::fs::read(manifest("samples/webmail.eml")).unwrap();
    message.extend(
        std::iter::repeat_n(
            b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n",
            1 << 20,
        )
        .flatten(),
    );
    std::fs::write(&path, &message).unwrap();
    let out = run_within(
        Duration::from_secs(60),
        &["analyze", "--add-header", path.to_str().unwrap()],
        Stdio::null(),
        Stdio::piped(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        out.stdout.len(),
        message.len() + out.stdout.iter().position(|&b| b == b'\n').unwrap() + 1
    );
    let text_start = out.stdout.iter().position(|&b| b == b'\n').unwrap() + 1;
    assert!(out.stdout.starts_with(b"X-Hopsleuth: verdict="));
    assert_eq!(&out.stdout[text_start..], &message[..]);
    // analyze reports its length, read without holding it.
    let report = &lines(&hopsleuth(&["analyze", path.to_str().unwrap()], None).stdout)[0];
    assert!(report["message"]["body_length"].as_u64().unwrap() > 64 << 20);
}

#[test]
fn scan_exit_codes_add_up() {
    let dir = tempdir("codes");
    std::fs::write(dir.join("bad.eml"), b"\x7fELF\x02\x01\x01").unwrap();
    let bad = dir.join("bad.eml");
    let forged = manifest("tests/fixtures/scenarios/appended.eml");
    let clean = manifest("samples/webmail.eml");
    let code = |paths: &[&Path]| {
        let mut args = vec!["scan"];
        args.extend(paths.iter().map(|p| p.to_str().unwrap()));
        hopsleuth(&args, None).status.code()
    };
    assert_eq!(code(&[&clean]), Some(0));
    assert_eq!(code(&[&forged]), Some(1), "found");
    assert_eq!(code(&[&bad, &clean]), Some(2), "errors");
    assert_eq!(
        code(&[&bad, &forged]),
        Some(3),
        "both: the finding is not hidden"
    );
}

#[test]
fn file_names_are_shown_safely_and_kept_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir("names");
    let message = std::fs::read(manifest("samples/webmail.eml")).unwrap();
    let names: [&[u8]; 3] = [b"x\xff.eml", b"x\xfe.eml", b"esc\x1b[31m\nred.eml"];
    for name in names {
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), &message).unwrap();
    }
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"bad\x1b]0;title\x07")),
        b"\x7fELF",
    )
    .unwrap();
    let out = run_within(
        TEN_S,
        &["scan", dir.to_str().unwrap()],
        Stdio::null(),
        Stdio::piped(),
    );
    let paths: Vec<String> = lines(&out.stdout)
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths.len(), 3);
    let mut distinct = paths.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        3,
        "names differing in invalid bytes stay apart: {paths:?}"
    );
    assert!(
        paths
            .iter()
            .all(|p| !p.contains('\u{1b}') && !p.contains('\n'))
    );
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains(r"bad\x1b]0;title\x07"), "{err}");
}

#[test]
fn trees_deeper_than_path_max_are_reported_once() {
    let root = tempdir("deep");
    std::fs::copy(manifest("samples/webmail.eml"), root.join("top.eml")).unwrap();
    // 30 levels of 200-byte names (6 KB of path), made from inside, one level at a time,
    // with a message at every level.
    let name = "d".repeat(200);
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "cd '{}' && for i in $(seq 30); do mkdir {name} && cd {name} && cp '{}' m.eml || exit 1; done",
            root.display(),
            manifest("samples/webmail.eml").display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let out = run_within(
        Duration::from_secs(30),
        &["scan", root.to_str().unwrap()],
        Stdio::null(),
        Stdio::piped(),
    );
    let err = stderr(&out);
    let reported = lines(&out.stdout);
    let messages = reported.iter().filter(|r| r["schema"].is_string()).count();
    let too_long = err.matches("PATH_MAX").count();
    assert!(messages >= 15, "the levels that fit are read: {messages}");
    assert_eq!(too_long, 1, "one report for the subtree: {err}");
    assert_eq!(out.status.code(), Some(2));
    let _ = Command::new("rm").arg("-rf").arg(&root).status();
}

#[test]
fn max_message_bytes_is_read_from_the_config_file() {
    let dir = tempdir("config");
    let config = dir.join("hopsleuth.toml");
    std::fs::write(&config, "[limits]\nmax_message_bytes = 1000\n").unwrap();
    let mut message = std::fs::read(manifest("samples/webmail.eml")).unwrap();
    message.extend(std::iter::repeat_n(b'x', 5000));
    let out = hopsleuth(
        &["analyze", "--config", config.to_str().unwrap(), "-"],
        Some(&message),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("over 1000 bytes (max_message_bytes)"),
        "{}",
        stderr(&out)
    );
    let filtered = hopsleuth(
        &[
            "analyze",
            "--add-header",
            "--config",
            config.to_str().unwrap(),
            "-",
        ],
        Some(&message),
    );
    assert_eq!(filtered.status.code(), Some(75), "{}", stderr(&filtered));
}
