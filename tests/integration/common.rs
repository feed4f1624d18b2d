//! Helpers shared by the integration tests: running the binary, finding the corpora.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The time the tests run "at": the day the rule fixtures' DNS answers were recorded,
/// a few days after their messages were sent, so their hops are fresh for the DNS checks.
pub const TEST_NOW: &str = "2026-11-26T07:18:02Z";

/// [`TEST_NOW`] in Unix seconds.
pub fn test_now() -> i64 {
    hopsleuth::date::parse_rfc3339(TEST_NOW).expect("TEST_NOW is RFC 3339")
}

/// Runs the `hopsleuth` binary in the project folder with `args`, feeding `stdin`, with
/// DNS off (`HOPSLEUTH_NO_DNS`): no test may reach the system's resolver.
pub fn hopsleuth(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run(args, stdin, true)
}

/// Runs the binary with DNS as the arguments say (tests that pass `--dns-server` or
/// `--dns-replay`).
pub fn hopsleuth_with_dns(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run(args, stdin, false)
}

fn run(args: &[&str], stdin: Option<&[u8]>, no_dns: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hopsleuth"));
    command.env_remove("HOPSLEUTH_NO_DNS");
    // Every run is as of one fixed time, so that no result depends on the day the suite
    // runs (a test that needs another time passes --now, which wins).
    command.env("HOPSLEUTH_NOW", TEST_NOW);
    if no_dns {
        command.env("HOPSLEUTH_NO_DNS", "1");
    }
    let mut child = command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hopsleuth");
    let mut input = child.stdin.take().expect("stdin");
    // A run that fails before reading its input (a bad flag) may close stdin first.
    if let Err(e) = input.write_all(stdin.unwrap_or_default())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        panic!("write stdin: {e}");
    }
    drop(input);
    child.wait_with_output().expect("wait")
}

/// `../shared/corpora`, or `None` (saying SKIPPED) where it does not exist: a user's clone.
/// Under `HOPSLEUTH_REQUIRE_CORPORA=1` (set by `.ci/run`) a missing corpus is a failure, so
/// CI can never pass having checked nothing.
pub fn corpora() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if dir.join("messages").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("HOPSLEUTH_REQUIRE_CORPORA").is_none_or(|v| v != "1"),
        "{} does not exist, and HOPSLEUTH_REQUIRE_CORPORA=1 says the corpus suites must run",
        dir.display()
    );
    println!(
        "SKIPPED: {} does not exist (this test reads the shared corpora)",
        dir.display()
    );
    None
}

/// A number no other call in this test process got (for temporary folder names).
pub fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
