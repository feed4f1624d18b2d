//! Recording and replay, the file side of [`crate::dns::recording`]: every answer a run
//! used is written to a file (`--dns-record FILE`), and a backend answers only from such a
//! file (`--dns-replay FILE`), never from the network.

use super::{DnsError, Lookup};
use crate::dns::recording::{FORMAT, Recording};
use crate::dns::{Answer, Mode, Question, Rcode};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The largest recording read: far more than any run asks (a million answers of about
/// 250 bytes), and a bound on what a hostile or endless file (`/dev/zero`) can cost.
pub const MAX_RECORDING_BYTES: u64 = 256 * 1024 * 1024;

/// Writes the answers to `path` (sorted, so equal runs give equal files).
pub fn write<'a>(path: &Path, answers: impl Iterator<Item = &'a Answer>) -> Result<(), DnsError> {
    let recording = Recording::new(answers.cloned().collect());
    let fail = |message: String| DnsError::WriteRecording {
        path: path.to_path_buf(),
        message,
    };
    std::fs::write(path, to_text(&recording)).map_err(|e| fail(e.to_string()))
}

/// Answers only from a recording.
#[derive(Debug)]
pub struct Replay {
    answers: HashMap<Question, Answer>,
}

impl Replay {
    /// Reads a recording; a missing, unreadable or malformed file is an error naming it.
    pub fn load(path: &Path) -> Result<Replay, DnsError> {
        Ok(Replay::from_answers(read(path)?.answers))
    }

    /// A replay of answers already in memory (a recording read elsewhere).
    pub fn from_answers(answers: Vec<Answer>) -> Replay {
        Replay {
            answers: answers.into_iter().map(|a| (a.question(), a)).collect(),
        }
    }
}

/// Recordings joined (`hopsleuth dns merge`), and how many questions they answered
/// differently.
#[derive(Debug)]
pub struct Merged {
    /// Every question of every recording, answered by the first recording naming it.
    pub recording: Recording,
    /// Questions a later recording answered otherwise (its answer dropped).
    pub differing: usize,
}

/// Joins recordings: a replay of the result answers every question any of them answers,
/// the way the first file naming it does (shards of one scan asked at about the same
/// time; the first is kept so the merge is deterministic).
pub fn merge(paths: &[std::path::PathBuf]) -> Result<Merged, DnsError> {
    let mut by_question: HashMap<Question, Answer> = HashMap::new();
    let mut differing = 0;
    for path in paths {
        for a in read(path)?.answers {
            match by_question.entry(a.question()) {
                std::collections::hash_map::Entry::Occupied(kept) => {
                    if kept.get() != &a {
                        differing += 1;
                    }
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(a);
                }
            }
        }
    }
    Ok(Merged {
        recording: Recording::new(by_question.into_values().collect()),
        differing,
    })
}

/// The recording as written (pretty JSON, a final newline).
pub fn to_text(recording: &Recording) -> String {
    serde_json::to_string_pretty(recording).unwrap_or_default() + "\n"
}

/// Reads and checks one recording file.
fn read(path: &Path) -> Result<Recording, DnsError> {
    let fail = |message: String| DnsError::Recording {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_RECORDING_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_RECORDING_BYTES {
        return Err(fail(format!(
            "larger than {} MiB",
            MAX_RECORDING_BYTES / (1024 * 1024)
        )));
    }
    let recording: Recording = serde_json::from_slice(&bytes).map_err(|e| fail(e.to_string()))?;
    if recording.format != FORMAT {
        return Err(fail(format!(
            "format is {:?}, expected {FORMAT:?}",
            recording.format
        )));
    }
    for (i, a) in recording.answers.iter().enumerate() {
        check_answer(a).map_err(|why| fail(format!("answer {i} ({}): {why}", a.name)))?;
    }
    Ok(recording)
}

/// What a recorded answer must be to be replayed: a question name as we ask them, a time
/// that is RFC 3339 and the same instant as `asked_ts`, and an alias that is a name.
fn check_answer(a: &Answer) -> Result<(), String> {
    let name_ok = |n: &str| {
        n.ends_with('.')
            && (crate::dns::fqdn(n).as_deref() == Some(n)
                || n.ends_with(".in-addr.arpa.")
                || n.ends_with(".ip6.arpa."))
            && n.len() <= 254
    };
    if !name_ok(&a.name) {
        return Err("the name is not a fully qualified lower-case DNS name".into());
    }
    match crate::date::parse_rfc3339(&a.asked_at) {
        None => {
            return Err(format!("asked_at {:?} is not an RFC 3339 time", a.asked_at));
        }
        Some(ts) if ts != a.asked_ts => {
            return Err(format!(
                "asked_at {:?} is not asked_ts {} ({})",
                a.asked_at,
                a.asked_ts,
                crate::date::rfc3339_utc(a.asked_ts)
            ));
        }
        Some(_) => {}
    }
    if let Some(target) = &a.cname
        && !name_ok(target)
    {
        return Err(format!(
            "cname {target:?} is not a fully qualified DNS name"
        ));
    }
    Ok(())
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
