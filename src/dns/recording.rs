//! The recording format: every answer a run used (`--dns-record FILE`), the evidence a
//! replay answers from (`--dns-replay FILE`). PTR records change over the years; a forensic
//! report must pin what it saw, and replaying the recording reproduces the report without
//! the network.
//!
//! This is the format only, as data; reading and writing the files is I/O and happens with
//! the lookups.

use super::Answer;
use serde::{Deserialize, Serialize};

/// The recording format's identifier.
pub const FORMAT: &str = "hopsleuth/dns-record/v1";

/// A recording file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// Always [`FORMAT`].
    pub format: String,
    /// The answers, sorted by name then type.
    pub answers: Vec<Answer>,
}

impl Recording {
    /// A recording of these answers, sorted (so equal runs give equal files).
    pub fn new(mut answers: Vec<Answer>) -> Recording {
        answers.sort_by(|a, b| (&a.name, a.qtype).cmp(&(&b.name, b.qtype)));
        Recording {
            format: FORMAT.into(),
            answers,
        }
    }
}
