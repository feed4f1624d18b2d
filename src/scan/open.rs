//! Opening inputs without ever blocking: only regular files are read.
//!
//! Opening a FIFO waits for a writer, and reading a device (`/dev/zero`, a terminal) may
//! never end. A file is opened non-blocking and then checked through its own handle (no
//! race with a path swapped in between), so anything but a regular file is refused before
//! a byte is read.

use std::fs::File;
use std::io;
use std::path::Path;

/// Why a path is not read.
#[derive(Debug)]
pub enum Refused {
    /// It could not be opened or examined.
    Io(io::Error),
    /// It is not a regular file: what it is instead.
    NotRegular(&'static str),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Io(e) => write!(f, "cannot read: {e}"),
            Refused::NotRegular(kind) => write!(
                f,
                "{kind}, not a regular file: not read (to analyse a stream, give it as standard input, `-`)"
            ),
        }
    }
}

/// What a non-regular file is, in words.
pub fn kind(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading if it is a regular file.
pub fn regular_file(path: &Path) -> Result<File, Refused> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        // Never wait for a FIFO's writer; regular files ignore the flag.
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(Refused::Io)?;
    let file_type = file.metadata().map_err(Refused::Io)?.file_type();
    if !file_type.is_file() {
        return Err(Refused::NotRegular(kind(file_type)));
    }
    Ok(file)
}

/// Look-ahead into `file` for the mbox reader: reads at an offset without moving the
/// file's position (through a second handle; `None` when none can be had).
pub fn look_ahead(file: &File) -> Option<crate::mbox::reader::Peek<'static>> {
    use std::os::unix::fs::FileExt;
    let file = file.try_clone().ok()?;
    Some(Box::new(move |offset, buf: &mut [u8]| {
        file.read_at(buf, offset)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused() {
        for (path, what) in [("/dev/zero", "character device"), ("/", "directory")] {
            match regular_file(Path::new(path)) {
                Err(Refused::NotRegular(kind)) => assert!(kind.contains(what), "{path}: {kind}"),
                other => panic!("{path}: {other:?}"),
            }
        }
    }
}
