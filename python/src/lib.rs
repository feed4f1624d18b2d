//! hopsleuth for Python: the library's analysis, called from CPython (PyO3, abi3).
//!
//! Nothing is implemented twice: every call goes to the `hopsleuth` crate the command line
//! uses, and `analyze_json` returns the bytes `hopsleuth analyze` writes. The GIL is
//! released while messages are analysed, so threads (and Dask, Spark or Ray workers using
//! them) run in parallel. DNS is off unless a recording is replayed (`dns_replay`), so a
//! worker never reaches the network.

use hopsleuth::config::Settings;
use hopsleuth::resolver::Dns;
use hopsleuth::{Options, Source};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

pyo3::create_exception!(
    _native,
    HopsleuthError,
    PyValueError,
    "A message, configuration or recording hopsleuth cannot use; the text says which and why."
);

/// A reusable analyser: the configuration is read, and the DNS recording loaded, once.
#[pyclass(frozen, module = "hopsleuth._native")]
struct Analyzer {
    options: Options,
    dns: Option<Arc<Dns>>,
}

fn error(message: impl std::fmt::Display) -> PyErr {
    HopsleuthError::new_err(message.to_string())
}

impl Analyzer {
    fn build(config_toml: Option<&str>, dns_replay: Option<PathBuf>) -> PyResult<Analyzer> {
        let mut settings = match config_toml {
            Some(text) => {
                Settings::parse(text).map_err(|e| error(format!("configuration: {e}")))?
            }
            None => Settings::default(),
        };
        // No live DNS from the binding: a recording or nothing.
        settings.dns.enabled = Some(dns_replay.is_some());
        settings.dns.servers = None;
        settings.dns.record = None;
        settings.dns.replay = dns_replay;
        let options = settings
            .options("configuration")
            .map_err(|e| error(format!("{e}")))?;
        let dns = match settings.dns_settings().map_err(error)? {
            Some(d) => Some(Arc::new(Dns::new(&d).map_err(error)?)),
            None => None,
        };
        Ok(Analyzer { options, dns })
    }

    /// One message's report as JSON, the line `hopsleuth analyze` writes (without its
    /// newline).
    fn json_of(&self, data: &[u8], source: &str) -> Result<String, String> {
        let report = match &self.dns {
            Some(dns) => hopsleuth::analyze_with_dns(data, &self.options, dns),
            None => hopsleuth::analyze(data, &self.options),
        };
        let mut report = report.map_err(|e| e.to_string())?;
        report.source = Source {
            path: source.to_string(),
            ..Source::default()
        };
        Ok(report.to_json())
    }

    /// Each message of a file, read exactly as `hopsleuth scan` reads it (an mbox gives
    /// one line per message; a file that cannot be read an error record).
    fn scan_lines(&self, path: &str) -> Result<Vec<String>, String> {
        let scan = hopsleuth::scan::ScanOptions {
            options: self.options.clone(),
            dns: self.dns.clone(),
            ..hopsleuth::scan::ScanOptions::default()
        };
        let mut out: Vec<u8> = Vec::new();
        let mut ignore = |_e: hopsleuth::scan::Event| {};
        hopsleuth::scan::run(&[PathBuf::from(path)], &scan, &mut out, &mut ignore)
            .map_err(|e| format!("{path}: {e}"))?;
        let text = String::from_utf8(out).map_err(|e| e.to_string())?;
        Ok(text.lines().map(str::to_string).collect())
    }
}

impl Analyzer {
    /// The JSON lines of many messages, analysed in parallel with the GIL released.
    fn many(
        &self,
        py: Python<'_>,
        messages: Vec<Vec<u8>>,
        threads: Option<usize>,
    ) -> PyResult<Vec<String>> {
        use rayon::prelude::*;
        let work = || -> Vec<String> {
            messages
                .par_iter()
                .enumerate()
                .map(|(i, m)| self.json_of(m, "-").unwrap_or_else(|e| serde_error(i, &e)))
                .collect()
        };
        Ok(match threads {
            Some(0) => return Err(error("threads must be at least 1")),
            Some(n) => {
                let p = pool(n)?;
                py.detach(|| p.install(work))
            }
            None => py.detach(work),
        })
    }
}

/// `json.loads`, for turning our JSON into Python objects.
fn loads<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: OnceLock<Py<PyAny>> = OnceLock::new();
    let loads = match LOADS.get() {
        Some(f) => f,
        None => {
            let f = py.import("json")?.getattr("loads")?.unbind();
            let _ = LOADS.set(f);
            LOADS.get().expect("just set")
        }
    };
    loads.bind(py).call1((json,))
}

/// JSON lines as a list of Python objects.
fn dicts<'py>(py: Python<'py>, lines: &[String]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for line in lines {
        out.append(loads(py, line)?)?;
    }
    Ok(out)
}

/// A rayon pool per thread count asked for, kept for the next call.
fn pool(threads: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let pools = POOLS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut pools = pools.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = pools.get(&threads) {
        return Ok(p.clone());
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| error(format!("cannot start {threads} threads: {e}")))?,
    );
    pools.insert(threads, p.clone());
    Ok(p)
}

#[pymethods]
impl Analyzer {
    /// Analyzer(config_toml=None, dns_replay=None)
    ///
    /// config_toml: the text of a hopsleuth configuration file (trust networks, hosts,
    /// scores, limits). dns_replay: a recording written by `hopsleuth --dns-record`;
    /// answers come only from it. Without one, DNS is off (the DNS checks stay silent).
    #[new]
    #[pyo3(signature = (config_toml=None, dns_replay=None))]
    fn new(config_toml: Option<&str>, dns_replay: Option<PathBuf>) -> PyResult<Self> {
        Analyzer::build(config_toml, dns_replay)
    }

    /// analyze(data, source="-") -> dict: the report of one message (the bytes of a whole
    /// .eml file, headers and body).
    #[pyo3(signature = (data, source="-"))]
    fn analyze<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        source: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let json = self.analyze_json(py, data, source)?;
        loads(py, &json)
    }

    /// analyze_json(data, source="-") -> str: the report as the JSON line `hopsleuth
    /// analyze` writes, byte for byte (without the final newline).
    #[pyo3(signature = (data, source="-"))]
    fn analyze_json(&self, py: Python<'_>, data: &[u8], source: &str) -> PyResult<String> {
        let data = data.to_vec();
        let source = source.to_string();
        py.detach(|| self.json_of(&data, &source)).map_err(error)
    }

    /// analyze_many(messages, threads=None) -> list[dict]: the reports of many messages,
    /// in order, analysed in parallel (threads: how many; default one per core). A message
    /// that cannot be analysed gives `{"source": {...}, "error": "..."}` in its place.
    #[pyo3(signature = (messages, threads=None))]
    fn analyze_many<'py>(
        &self,
        py: Python<'py>,
        messages: Vec<Vec<u8>>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let lines = self.many(py, messages, threads)?;
        dicts(py, &lines)
    }

    /// analyze_many_json(messages, threads=None) -> list[str]: `analyze_many` as JSON
    /// lines, without turning them into dicts (several times faster: the parsing into
    /// Python objects is what holds the GIL).
    #[pyo3(signature = (messages, threads=None))]
    fn analyze_many_json(
        &self,
        py: Python<'_>,
        messages: Vec<Vec<u8>>,
        threads: Option<usize>,
    ) -> PyResult<Vec<String>> {
        self.many(py, messages, threads)
    }

    /// analyze_path(path) -> list[dict]: every message of a file (a single message, or
    /// each message of an mbox), read exactly as `hopsleuth scan` reads it: the same
    /// reports, in the same order. A file that cannot be read gives an error record.
    fn analyze_path<'py>(&self, py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyList>> {
        let lines = self.analyze_path_json(py, path)?;
        dicts(py, &lines)
    }

    /// analyze_path_json(path) -> list[str]: `analyze_path` as the NDJSON lines `hopsleuth
    /// scan` writes (without their newlines).
    fn analyze_path_json(&self, py: Python<'_>, path: &str) -> PyResult<Vec<String>> {
        let path = path.to_string();
        py.detach(|| self.scan_lines(&path)).map_err(error)
    }
}

/// The error record of message `index` of a batch, as `scan` writes one.
fn serde_error(index: usize, message: &str) -> String {
    serde_json::json!({
        "source": {"path": "-", "index": index, "offset": null},
        "error": message,
    })
    .to_string()
}

/// The schema identifier of the reports.
#[pyfunction]
fn schema() -> &'static str {
    hopsleuth::report::SCHEMA
}

/// The version of the hopsleuth library inside.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Analyzer>()?;
    m.add("HopsleuthError", m.py().get_type::<HopsleuthError>())?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
