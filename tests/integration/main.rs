//! The integration tests: one test binary (as ripgrep's and hickory-dns's), one module per
//! suite, and the helpers they share as modules of it. `cargo test --release` runs them all;
//! `cargo test --release --test integration -- dns::` runs one suite. Fixtures are read from
//! `tests/fixtures/`, insta snapshots from `tests/integration/snapshots/`, proptest's saved
//! failures from `tests/proptest-regressions/`.

// Helpers.
mod common;
mod dns_server;
mod known;

// Suites.
mod auth;
mod browser;
mod checks_corpus;
mod cli;
mod conformance;
mod dns;
mod dns_faults;
mod extremes;
mod helo_injection;
mod hostile;
mod inputs;
mod judgement;
mod linearity;
mod mta_formats;
mod near_misses;
mod profiles;
mod properties;
mod rule_fixtures;
mod samples;
mod scan;
mod trust_boundary;
mod trust_labels;
