//! Turning paths into a lazy, ordered stream of messages to analyse.
//!
//! A path is a single message, an mbox (recognised by content, not name), a Maildir
//! (`cur/` and `new/`, never `tmp/`), an MH folder (numbered files), any other directory
//! (walked recursively in name order; hidden and non-mail files skipped with a reason), or
//! `-` for standard input.

use crate::mbox::RawMessage;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One thing for the scanner to do.
#[derive(Debug)]
pub enum Unit {
    /// A message to analyse.
    Message {
        /// Its file (or `-`).
        path: String,
        /// The message.
        raw: RawMessage,
    },
    /// A file or message that could not be read.
    Error {
        /// Its file.
        path: String,
        /// Index in an mbox, when known.
        index: Option<usize>,
        /// Offset in an mbox, when known.
        offset: Option<u64>,
        /// What went wrong.
        error: String,
    },
    /// A file to open and read (in a worker: one message, or an mbox to stream).
    File {
        /// The file.
        path: PathBuf,
        /// Named on the command line (then non-mail is an error, not a skip).
        explicit: bool,
    },
    /// Standard input (read by the driver: it may be an mbox).
    Stdin,
    /// A file passed over.
    Skipped {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Paths still to look at.
enum Pending {
    /// `is_dir` is known when the path came from a directory listing.
    Path {
        path: PathBuf,
        explicit: bool,
        is_dir: Option<bool>,
    },
}

/// The lazy stream of units.
pub struct Units {
    queue: VecDeque<Pending>,
    /// Units ready to hand out before looking at the queue (skip notices).
    ready: VecDeque<Unit>,
    /// Directories already walked, by (device, inode): a symbolic link back up the tree,
    /// or a second link to a directory, is walked once.
    visited: std::collections::HashSet<(u64, u64)>,
    /// More paths, read lazily once the queue is empty (`scan --files-from`).
    source: Option<PathSource>,
    /// Only the units of this shard are handed out.
    shard: Option<Shard>,
}

/// Paths read one at a time from a list (a file or standard input), and the list's name
/// for errors reading it.
pub struct PathSource {
    /// The list's name (`-` for standard input).
    pub name: String,
    /// The paths, or the error that ended the list.
    pub paths: Box<dyn Iterator<Item = io::Result<PathBuf>> + Send>,
}

/// One of `count` disjoint parts of a scan (`scan --shard K/N`): a unit belongs to the part
/// its path's FNV-1a hash falls in, so every file is in exactly one part, on every run and
/// machine that spells the path the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part, from 0.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

impl Shard {
    /// True when the unit named `path` (as reports write it) is in this part.
    pub fn holds(&self, path: &str) -> bool {
        // FNV-1a, 64 bits: fixed by its definition, so the split never changes.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in path.as_bytes() {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash % self.count.max(1) == self.index
    }
}

impl Units {
    /// Reads more paths from `source` once the given ones are done.
    pub fn with_source(mut self, source: Option<PathSource>) -> Self {
        self.source = source;
        self
    }

    /// Hands out only the units of `shard`.
    pub fn with_shard(mut self, shard: Option<Shard>) -> Self {
        self.shard = shard;
        self
    }

    /// The next path to look at: the queue's, else the list's.
    fn next_pending(&mut self) -> Option<Result<Pending, Unit>> {
        if let Some(p) = self.queue.pop_front() {
            return Some(Ok(p));
        }
        let source = self.source.as_mut()?;
        match source.paths.next()? {
            Ok(path) => Some(Ok(Pending::Path {
                path,
                explicit: true,
                is_dir: None,
            })),
            Err(e) => {
                let name = source.name.clone();
                // A list that cannot be read ends: its error is said once.
                self.source = None;
                Some(Err(Unit::Error {
                    path: name,
                    index: None,
                    offset: None,
                    error: format!("cannot read the list of paths: {e}"),
                }))
            }
        }
    }

    fn in_shard(&self, unit: &Unit) -> bool {
        let Some(shard) = self.shard else {
            return true;
        };
        match unit {
            Unit::File { path, .. } => shard.holds(&display(path)),
            Unit::Message { path, .. } | Unit::Error { path, .. } | Unit::Skipped { path, .. } => {
                shard.holds(path)
            }
            Unit::Stdin => shard.holds("-"),
        }
    }
}

/// Starts a stream over `paths`.
pub fn units(paths: &[PathBuf]) -> Units {
    Units {
        source: None,
        shard: None,
        queue: paths
            .iter()
            .map(|p| Pending::Path {
                path: p.clone(),
                explicit: true,
                is_dir: None,
            })
            .collect(),
        ready: VecDeque::new(),
        visited: std::collections::HashSet::new(),
    }
}

pub(super) fn display(path: &Path) -> String {
    crate::text::display_path(path)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    /// A FIFO, socket, device or dangling link: never opened.
    Other(&'static str),
}

/// Longest path the system opens (Linux `PATH_MAX`, with its terminating NUL).
pub const PATH_MAX: usize = 4096;

/// Entries of a directory in name order, each with what it is. The type comes from the
/// directory listing itself (no `stat` per file); only symbolic links are followed with one.
fn entries(dir: &Path) -> io::Result<Vec<(PathBuf, Kind)>> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        let file_type = match e.file_type() {
            Ok(t) if t.is_symlink() => std::fs::metadata(&path).map(|m| m.file_type()),
            other => other,
        };
        let kind = match file_type {
            Ok(t) if t.is_dir() => Kind::Dir,
            Ok(t) if t.is_file() => Kind::File,
            Ok(t) => Kind::Other(super::open::kind(t)),
            // A dangling link, or gone since the listing: opening says why.
            Err(_) => Kind::File,
        };
        // The name is kept beside the path: sorting by `Path::file_name` re-parses paths.
        v.push((e.file_name(), path, kind));
    }
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(v.into_iter().map(|(_, path, kind)| (path, kind)).collect())
}

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// True when the first bytes look like a message: a header field (`Name:`) or an mbox.
pub(super) fn looks_like_mail(head: &[u8]) -> bool {
    if head.starts_with(b"From ") {
        return true;
    }
    let line_end = head
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(head.len());
    let line = &head[..line_end];
    // A field name is printable ASCII without spaces; white space may only trail it
    // (obsolete `From : x` syntax).
    match line.iter().position(|&b| b == b':') {
        Some(colon) => {
            let name = line[..colon].trim_ascii_end();
            !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b))
        }
        None => false,
    }
}

impl Units {
    fn expand_dir(&mut self, dir: &Path) -> Option<Unit> {
        let cannot = |error: String| {
            Some(Unit::Error {
                path: display(dir),
                index: None,
                offset: None,
                error,
            })
        };
        match std::fs::metadata(dir) {
            Ok(m) => {
                use std::os::unix::fs::MetadataExt;
                if !self.visited.insert((m.dev(), m.ino())) {
                    return Some(Unit::Skipped {
                        path: display(dir),
                        reason: "a directory already walked (a symbolic link loop, or a second link to it)".into(),
                    });
                }
            }
            Err(e) => return cannot(format!("cannot read directory: {e}")),
        }
        if dir.as_os_str().len() + 2 > PATH_MAX {
            return cannot(format!(
                "path longer than PATH_MAX ({PATH_MAX} bytes): this directory and everything below it not read"
            ));
        }
        let list = match entries(dir) {
            Ok(l) => l,
            Err(e) => return cannot(format!("cannot read directory: {e}")),
        };
        let mut next: Vec<Pending> = Vec::new();
        let mut skipped: Vec<Unit> = Vec::new();
        let mut too_long = 0usize;
        let mut keep =
            |path: PathBuf, kind: Kind, next: &mut Vec<Pending>, skipped: &mut Vec<Unit>| {
                if path.as_os_str().len() + 1 > PATH_MAX {
                    too_long += 1;
                    return;
                }
                match kind {
                    Kind::Other(what) => skipped.push(Unit::Skipped {
                        path: display(&path),
                        reason: format!("{what}, not a regular file"),
                    }),
                    Kind::Dir | Kind::File => next.push(Pending::Path {
                        path,
                        explicit: false,
                        is_dir: Some(kind == Kind::Dir),
                    }),
                }
            };
        if is_maildir(dir) {
            for sub in ["cur", "new"] {
                match entries(&dir.join(sub)) {
                    Ok(files) => {
                        for (path, kind) in files.into_iter().filter(|(f, _)| !is_hidden(f)) {
                            keep(path, kind, &mut next, &mut skipped);
                        }
                    }
                    Err(e) => skipped.push(Unit::Error {
                        path: display(&dir.join(sub)),
                        index: None,
                        offset: None,
                        error: format!("cannot read directory: {e}"),
                    }),
                }
            }
            if dir.join("tmp").is_dir() {
                skipped.push(Unit::Skipped {
                    path: display(&dir.join("tmp")),
                    reason: "Maildir tmp/ holds messages still being delivered".into(),
                });
            }
            // Maildir++ folders: `.Name/` beside cur/ and new/, each a Maildir of its own.
            for (path, kind) in list {
                if kind == Kind::Dir && is_hidden(&path) && is_maildir(&path) {
                    keep(path, kind, &mut next, &mut skipped);
                }
            }
        } else {
            // MH folders number their messages: order them numerically.
            let mut numbered: Vec<(u64, PathBuf)> = Vec::new();
            let mut rest: Vec<(PathBuf, Kind)> = Vec::new();
            for (path, kind) in list {
                let number = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.parse::<u64>().ok());
                if is_hidden(&path) {
                    skipped.push(Unit::Skipped {
                        path: display(&path),
                        reason: "hidden".into(),
                    });
                } else if let (Some(n), Kind::File) = (number, kind) {
                    numbered.push((n, path));
                } else {
                    rest.push((path, kind));
                }
            }
            numbered.sort();
            for (_, path) in numbered {
                keep(path, Kind::File, &mut next, &mut skipped);
            }
            for (path, kind) in rest {
                keep(path, kind, &mut next, &mut skipped);
            }
        }
        if too_long > 0 {
            skipped.push(Unit::Error {
                path: display(dir),
                index: None,
                offset: None,
                error: format!(
                    "{too_long} entries not read: their paths are longer than PATH_MAX ({PATH_MAX} bytes)"
                ),
            });
        }
        for p in next.into_iter().rev() {
            self.queue.push_front(p);
        }
        self.ready.extend(skipped);
        None
    }
}

pub(super) fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl Iterator for Units {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        loop {
            if let Some(u) = self.ready.pop_front() {
                if self.in_shard(&u) {
                    return Some(u);
                }
                continue;
            }
            let pending = match self.next_pending()? {
                Ok(p) => p,
                Err(unit) => return Some(unit),
            };
            let unit = match pending {
                Pending::Path {
                    path,
                    explicit,
                    is_dir,
                } => {
                    if path == Path::new("-") {
                        Some(Unit::Stdin)
                    } else if is_dir.unwrap_or_else(|| path.is_dir()) {
                        self.expand_dir(&path)
                    } else if !explicit && is_hidden(&path) {
                        Some(Unit::Skipped {
                            path: display(&path),
                            reason: "hidden".into(),
                        })
                    } else {
                        Some(Unit::File { path, explicit })
                    }
                }
            };
            if let Some(u) = unit.filter(|u| self.in_shard(u)) {
                return Some(u);
            }
        }
    }
}
