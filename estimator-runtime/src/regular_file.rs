//! Opening the files the library reads from a model_dir or an export: never blocking on a
//! FIFO, never reading a device or a socket, and never reading more than a cap.
//!
//! The file is opened with `O_NONBLOCK` (an `open` of a FIFO with no writer would otherwise
//! wait for ever), then its type is checked on the open descriptor (`fstat`), so nothing can be
//! swapped in between the check and the read. `O_NONBLOCK` changes nothing for a regular file.

use crate::error::Error;
use std::fs::{File, FileType};
use std::io::Read;
use std::path::Path;

/// The most bytes read from a small JSON file of a model_dir or an export
/// (`signatures.json`, `premade.json`, `feature_columns.json`): 16 MiB.
pub(crate) const MAX_JSON_BYTES: u64 = 16 << 20;

/// Opens `path` for reading, refusing anything but a regular file with
/// [`Error::NotRegularFile`] and without blocking.
pub(crate) fn open(path: &Path, action: &'static str) -> Result<File, Error> {
    let file = open_nonblocking(path).map_err(|e| Error::io(action, path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(action, path, e))?;
    if meta.is_file() {
        Ok(file)
    } else {
        Err(Error::NotRegularFile {
            path: path.to_path_buf(),
            found: describe(meta.file_type()),
        })
    }
}

/// Reads the whole of `path` (a regular file, see [`open`]), refusing one over `limit` bytes
/// with [`Error::FileTooLarge`] before more than `limit + 1` bytes are read.
pub(crate) fn read_capped(path: &Path, action: &'static str, limit: u64) -> Result<Vec<u8>, Error> {
    let file = open(path, action)?;
    let too_large = |size| Error::FileTooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(action, path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// What a file type is, in words, for an error message.
fn describe(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        } else if kind.is_socket() {
            return "a socket";
        } else if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let d = tempfile::tempdir().expect("temp dir");
        let fifo = d.path().join("fifo");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::RWXU).expect("mkfifo");
        let err = read_capped(&fifo, "reading", 10).unwrap_err();
        assert!(matches!(err, Error::NotRegularFile { found, .. } if found.contains("FIFO")));
    }

    #[test]
    fn a_device_and_a_directory_are_refused() {
        let err = read_capped(Path::new("/dev/zero"), "reading", 10).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotRegularFile {
                    found: "a device",
                    ..
                }
            ),
            "{err:?}"
        );
        let d = tempfile::tempdir().expect("temp dir");
        let err = read_capped(d.path(), "reading", 10).unwrap_err();
        assert!(matches!(err, Error::NotRegularFile { .. }), "{err:?}");
    }

    #[test]
    fn a_file_over_the_cap_is_refused_and_one_at_it_is_read() {
        let d = tempfile::tempdir().expect("temp dir");
        let path = d.path().join("f");
        std::fs::write(&path, b"0123456789").expect("write");
        assert_eq!(read_capped(&path, "reading", 10).expect("at cap").len(), 10);
        let err = read_capped(&path, "reading", 9).unwrap_err();
        assert!(
            matches!(
                err,
                Error::FileTooLarge {
                    size: 10,
                    limit: 9,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
