//! Recording and replay, the file side of [`crate::dns::recording`]: every answer a run
//! used is written to a file (`--dns-record FILE`), and a backend answers only from such a
//! file (`--dns-replay FILE`), never from the network.

use super::{DnsError, Lookup};
use crate::dns::recording::{FORMAT, Recording};
use crate::dns::{Answer, Mode, Question, Rcode};
use std::collections::HashMap;
use std::path::Path;

/// Writes the answers to `path` (sorted, so equal runs give equal files).
pub fn write<'a>(path: &Path, answers: impl Iterator<Item = &'a Answer>) -> Result<(), DnsError> {
    let recording = Recording::new(answers.cloned().collect());
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
