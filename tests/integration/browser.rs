//! The HTML report in a real browser: headless Chromium renders every sample's page (and
//! a hostile one) to a PNG and dumps its DOM, with its proxy pointed at a listener of ours
//! that counts connections, so any request the page made would be seen.
//!
//! Chromium is found as `$HOPSLEUTH_CHROMIUM` or `chromium` on the PATH. Without one the
//! test prints SKIPPED, unless `HOPSLEUTH_REQUIRE_BROWSER=1` (`.ci/run` sets it after
//! installing Debian's `chromium`), which makes a missing browser a failure.

use hopsleuth::report::html;
use hopsleuth::rules::Concern;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOPSLEUTH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// A proxy that answers nobody: it counts the connections made to it and what the first
/// bytes of each asked for.
struct Trap {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<std::sync::Mutex<Vec<String>>>,
}

fn trap() -> Trap {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the trap");
    let port = listener.local_addr().expect("address").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, r) = (connections.clone(), requests.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            c.fetch_add(1, Ordering::SeqCst);
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(500)));
            let mut buf = [0u8; 256];
            let n = stream.read(&mut buf).unwrap_or(0);
            if let Ok(mut r) = r.lock() {
                r.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
    });
    Trap {
        port,
        connections,
        requests,
    }
}

/// Chromium with everything that phones home off, the network through the trap.
fn browser(chromium: &Path, trap: &Trap, profile: &Path) -> Command {
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--metrics-recording-only",
        "--no-pings",
        "--proxy-bypass-list=<-loopback>",
    ])
    .arg(format!("--proxy-server=http://127.0.0.1:{}", trap.port))
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

fn dump_dom(chromium: &Path, trap: &Trap, profile: &Path, page: &Path) -> String {
    let out = browser(chromium, trap, profile)
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium --dump-dom {}: {}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the DOM is UTF-8")
}

fn screenshot(chromium: &Path, trap: &Trap, profile: &Path, page: &Path, png: &Path) {
    let out = browser(chromium, trap, profile)
        .arg("--window-size=1280,1400")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(png).expect("the screenshot was written");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        "{}: not a rendered PNG ({} bytes)",
        png.display(),
        bytes.len()
    );
}

/// The badges a page shows: each finding on each of its hops, and once in the header
/// band when it is about the identity or names no hop.
fn expected_badges(r: &hopsleuth::Report) -> usize {
    r.findings
        .iter()
        .map(|f| f.hops.len() + usize::from(f.concern == Concern::Identity || f.hops.is_empty()))
        .sum()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn pages_render_in_chromium_and_fetch_nothing() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("HOPSLEUTH_REQUIRE_BROWSER").is_none_or(|v| v != "1"),
            "HOPSLEUTH_REQUIRE_BROWSER=1 but no chromium found (set HOPSLEUTH_CHROMIUM)"
        );
        eprintln!("SKIPPED browser test: no chromium (install Debian's chromium)");
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "browser-{}-{}",
        std::process::id(),
        crate::common::unique()
    ));
    let profile = dir.join("profile");
    std::fs::create_dir_all(&profile).expect("temp dir");
    let trap = trap();
    let mut samples: Vec<PathBuf> = std::fs::read_dir("samples")
        .expect("samples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml" || x == "mbox"))
        .collect();
    samples.sort();
    samples.push(PathBuf::from("tests/fixtures/reports/hostile.eml"));
    let mut pages = 0;
    for sample in &samples {
        for (n, report) in crate::samples::sample_reports(sample).iter().enumerate() {
            let name = sample.file_name().and_then(|n| n.to_str()).unwrap_or("x");
            let page = dir.join(format!("{name}.{n}.html"));
            std::fs::write(&page, html::render(report, html::HtmlOptions::default()))
                .expect("write the page");
            let dom = dump_dom(&chromium, &trap, &profile, &page);
            let what = page.display();
            assert_eq!(
                count(&dom, "<tr class=\"hop "),
                report.hops.len(),
                "{what}: one row per hop"
            );
            assert_eq!(
                count(&dom, "<tr class=\"boundary\""),
                1,
                "{what}: the boundary line"
            );
            assert_eq!(
                count(&dom, "<details class=\"finding "),
                expected_badges(report),
                "{what}: a badge per finding and hop"
            );
            // Only our inert JSON block is a script, and it still parses to the report.
            assert_eq!(count(&dom, "<script"), 1, "{what}");
            let json_start = dom
                .find("id=\"hopsleuth-report\">")
                .expect("the JSON block")
                + "id=\"hopsleuth-report\">".len();
            let json_end = json_start + dom[json_start..].find("</script>").expect("its end");
            let embedded: serde_json::Value =
                serde_json::from_str(&dom[json_start..json_end]).expect("the embedded report");
            let direct: serde_json::Value =
                serde_json::from_str(&report.to_json()).expect("the report");
            assert_eq!(embedded, direct, "{what}: the embedded JSON is the report");
            let tags = dom
                .split('<')
                .skip(1)
                .map(|t| t.split('>').next().unwrap_or(""));
            for tag in tags {
                assert!(!tag.contains("data-pwned"), "{what}: a script ran: <{tag}>");
            }
            if n == 0 && sample.starts_with("samples") && pages < 2 {
                screenshot(
                    &chromium,
                    &trap,
                    &profile,
                    &page,
                    &dir.join(format!("{name}.png")),
                );
            }
            pages += 1;
            if sample.ends_with("hostile.eml") {
                hostile_checks(&dom);
            }
        }
    }
    // Give a late request a moment to arrive before counting.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let requests = trap.requests.lock().map(|r| r.clone()).unwrap_or_default();
    // Chromium itself asks Google for the time, updates and accounts whatever page it
    // shows (the flags above silence most of it, not all); those go to its own service
    // hosts. A request for anything else came from a page.
    let from_pages: Vec<&String> = requests
        .iter()
        .filter(|r| !r.is_empty())
        .filter(|r| !request_host(r).is_some_and(chromium_service_host))
        .collect();
    assert!(
        from_pages.is_empty(),
        "the pages made network requests: {from_pages:?}"
    );
    println!(
        "browser: {pages} pages rendered in {}; no page made a request ({} of {} connections were chromium's own to its service hosts, refused by the trap)",
        chromium.display(),
        requests.len(),
        trap.connections.load(Ordering::SeqCst),
    );
}

/// The host a proxy request names (`GET http://host/...` or `CONNECT host:443`).
fn request_host(request: &str) -> Option<&str> {
    let target = request.split(' ').nth(1)?;
    let target = target.strip_prefix("http://").unwrap_or(target);
    let host = target.split(['/', ':']).next()?;
    (!host.is_empty()).then_some(host)
}

fn chromium_service_host(host: &str) -> bool {
    ["google.com", "googleapis.com", "gstatic.com", "gvt1.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// The hostile message's markup arrives as text, its hidden characters as code points.
fn hostile_checks(dom: &str) {
    for text in [
        "&lt;script&gt;document.body.setAttribute(",
        "x&lt;/style&gt;&lt;img src=\"http://evil.test/beacon.png\"",
        "&lt;/title&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt;",
        "&lt;a href=\"http://evil.test/\"&gt;click&lt;/a&gt;",
    ] {
        assert!(dom.contains(text), "missing as text: {text}");
    }
    assert!(!dom.contains("<img"), "an img element was made");
    assert!(
        !dom.contains("<a href=\"http://evil.test"),
        "a link was made"
    );
    assert!(!dom.contains("<b>Team"), "markup from the From was made");
    let in_tags = dom
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""));
    for tag in in_tags {
        assert!(
            !tag.contains("onerror"),
            "an event handler attribute was made: <{tag}>"
        );
    }
    for hidden in ["U+202E", "U+202C", "U+200B", "U+2066"] {
        assert!(
            dom.contains(&format!("<span class=\"cc\">{hidden}</span>")),
            "{hidden} not shown"
        );
    }
    for c in ['\u{202e}', '\u{202c}', '\u{200b}', '\u{2066}'] {
        assert!(
            !dom.contains(c),
            "U+{:04X} reached the page as itself",
            u32::from(c)
        );
    }
    assert!(
        dom.contains("<title>hopsleuth: "),
        "the title was rewritten"
    );
}
