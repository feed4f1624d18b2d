//! Recordings: every answer a run used, written as JSON (`--dns-record FILE`), and a
//! backend that answers only from such a file (`--dns-replay FILE`). PTR records change
//! over the years; a forensic report must pin what it saw, and replaying the recording
//! reproduces the report without the network.

use super::{Answer, DnsError, Lookup, Mode, Question, Rcode};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

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

/// Writes the answers to `path` (sorted, so equal runs give equal files).
pub fn write<'a>(path: &Path, answers: impl Iterator<Item = &'a Answer>) -> Result<(), DnsError> {
    let mut answers: Vec<Answer> = answers.cloned().collect();
    answers.sort_by(|a, b| (&a.name, a.qtype).cmp(&(&b.name, b.qtype)));
    let recording = Recording {
        format: FORMAT.into(),
        answers,
    };
    let fail = |message: String| DnsError::WriteRecording {
        path: path.to_path_buf(),
        message,
    };
    let text = serde_json::to_string_pretty(&recording).map_err(|e| fail(e.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|e| fail(e.to_string()))
}

/// Answers only from a recording.
#[derive(Debug)]
pub struct Replay {
    answers: HashMap<Question, Answer>,
}

impl Replay {
    /// Reads a recording; a missing, unreadable or malformed file is an error naming it.
    pub fn load(path: &Path) -> Result<Replay, DnsError> {
        let fail = |message: String| DnsError::Recording {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let recording: Recording = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
        if recording.format != FORMAT {
            return Err(fail(format!(
                "format is {:?}, expected {FORMAT:?}",
                recording.format
            )));
        }
        Ok(Replay::from_answers(recording.answers))
    }

    /// A replay of answers already in memory (a recording read elsewhere).
    pub fn from_answers(answers: Vec<Answer>) -> Replay {
        Replay {
            answers: answers.into_iter().map(|a| (a.question(), a)).collect(),
        }
    }
}

impl Lookup for Replay {
    fn lookup_all(&self, questions: &[Question]) -> Vec<Answer> {
        questions
            .iter()
            .map(|q| {
                self.answers.get(q).cloned().unwrap_or_else(|| {
                    // A question the recording lacks gets a fixed time, so replays stay
                    // byte-for-byte identical.
                    Answer::empty(
                        q,
                        Rcode::NotRecorded,
                        Some("not in the recording".into()),
                        0,
                    )
                })
            })
            .collect()
    }

    fn mode(&self) -> Mode {
        Mode::Replay
    }
}
