//! `scan --html DIR`: a page for each message at or above `--fail-on`, written by the
//! worker that finished its report, and an `index.html` listing them once the scan ends.
//!
//! Page names come from the message's source (file name, mailbox index) and a digest of
//! the full source, so they are the same on every run and two sources never share one.

use crate::cli::FailOn;
use hopsleuth::Report;
use hopsleuth::report::html::{self, HtmlOptions, IndexEntry};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The pages of one scan.
pub struct Pages {
    dir: PathBuf,
    fail_on: FailOn,
    options: HtmlOptions,
    entries: Mutex<Vec<IndexEntry>>,
    /// The first page that could not be written: the scan goes on, and fails at the end.
    failed: Mutex<Option<String>>,
}

impl Pages {
    /// Creates `dir` when missing.
    pub fn create(dir: &Path, fail_on: FailOn, clock_skew_s: i64) -> anyhow::Result<Pages> {
        std::fs::create_dir_all(dir).map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot create the HTML directory: {e}",
                hopsleuth::text::display_path(dir)
            )
        })?;
        Ok(Pages {
            dir: dir.to_path_buf(),
            fail_on,
            options: HtmlOptions { clock_skew_s },
            entries: Mutex::new(Vec::new()),
            failed: Mutex::new(None),
        })
    }

    /// Writes the page of `report` when its verdict is at or above the threshold.
    pub fn write(&self, report: &Report) {
        if !self.fail_on.reached(report.verdict) {
            return;
        }
        let page = page_name(&report.source.path, report.source.index);
        let path = self.dir.join(&page);
        if let Err(e) = std::fs::write(&path, html::render(report, self.options)) {
            let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            failed.get_or_insert_with(|| {
                format!(
                    "{}: cannot write: {e}",
                    hopsleuth::text::display_path(&path)
                )
            });
            return;
        }
        let source = hopsleuth::report::view::source_ref(&report.source);
        let value = |h: &Option<hopsleuth::message::headers::HeaderValue>| {
            h.as_ref().map_or_else(String::new, |v| v.value.clone())
        };
        let entry = IndexEntry {
            page,
            source,
            verdict: report.verdict.as_str(),
            score: report.score,
            rules: report.scored_rules(),
            from: value(&report.headers.from),
            subject: value(&report.headers.subject),
        };
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry);
    }

    /// Writes `index.html`: the worst first (forged, then by score), then by source.
    pub fn finish(&self, scanned: u64) -> anyhow::Result<()> {
        if let Some(e) = self.failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
            anyhow::bail!(e);
        }
        let mut entries =
            std::mem::take(&mut *self.entries.lock().unwrap_or_else(|p| p.into_inner()));
        let rank = |v: &str| match v {
            "forged" => 0,
            "suspicious" => 1,
            _ => 2,
        };
        entries.sort_by(|a, b| {
            rank(a.verdict)
                .cmp(&rank(b.verdict))
                .then(b.score.total_cmp(&a.score))
                .then_with(|| a.source.cmp(&b.source))
        });
        let path = self.dir.join("index.html");
        std::fs::write(&path, html::index(&entries, scanned)).map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot write: {e}",
                hopsleuth::text::display_path(&path)
            )
        })
    }
}

/// `name[.index]-digest.html`: the file name's safe characters (at most 40), and 12 hex
/// digits of the SHA-256 of the whole source, so pages of equal names in different
/// directories stay apart.
fn page_name(path: &str, index: Option<usize>) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    let mut stem: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        stem.insert(0, 'm');
    }
    let key = match index {
        Some(i) => format!("{path}\0{i}"),
        None => path.to_string(),
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    let hex: String = digest.as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    match index {
        Some(i) => format!("{stem}.{i}-{hex}.html"),
        None => format!("{stem}-{hex}.html"),
    }
}

#[cfg(test)]
mod tests {
    use super::page_name;

    #[test]
    fn page_names_are_safe_and_distinct() {
        let a = page_name("a/x.eml", None);
        let b = page_name("b/x.eml", None);
        assert_ne!(a, b);
        assert!(a.starts_with("x.eml-") && a.ends_with(".html"), "{a}");
        let hostile = page_name("../../etc/pass wd<script>", Some(3));
        assert!(
            !hostile.contains('/') && !hostile.contains('<'),
            "{hostile}"
        );
        assert!(page_name(".hidden", None).starts_with("m.hidden"));
    }
}
