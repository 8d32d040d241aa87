//! Checkpoints: an atomic, checksummed file per saved step, TF's `checkpoint` index, and the
//! [`Checkpointer`] that saves, restores, warm-starts and applies retention.
//!
//! A checkpoint file holds the global step, the input position, a fingerprint of the model's
//! parameter shapes, the model record and each optimizer's state. It is written to a temporary
//! file, fsynced and renamed, and only then named in the index, so a crash never leaves a torn
//! "latest" checkpoint.

mod atomic;
mod checkpointer;
mod format;
mod index;
mod leftovers;
mod lock;
mod policy;
mod recovery;

pub(crate) use atomic::{create_temp_dir, sync_dir};
pub(crate) use checkpointer::{Checkpointer, SavedState, TrainingState};
pub use format::max_checkpoint_bytes;
pub use format::{CheckpointData, DEFAULT_MAX_CHECKPOINT_BYTES, read_file};
pub use index::{CheckpointIndex, checkpoint_file_name};
pub(crate) use leftovers::remove_leftovers;
pub(crate) use lock::TrainerLock;
pub use policy::{CheckpointPolicy, Retention};

use crate::error::Error;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename,
/// then an fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, bytes, atomic::create_new_file)
}

/// [`write_atomic`] of what `write` writes, streamed through a buffer to the temporary file.
pub(crate) fn write_atomic_stream(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    write_atomic_streamed(path, write, atomic::create_new_file)
}

/// [`write_atomic`] with the temporary file opened by `open`, so tests can inject failures.
fn write_atomic_with<W: Write + Syncable>(
    path: &Path,
    bytes: &[u8],
    open: impl FnOnce(&Path) -> std::io::Result<W>,
) -> Result<(), Error> {
    write_atomic_streamed(path, |w| w.write_all(bytes), open)
}

/// The atomic write itself. On any error the temporary file is removed and `path` is left as
/// it was.
fn write_atomic_streamed<W: Write + Syncable>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    open: impl FnOnce(&Path) -> std::io::Result<W>,
) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = atomic::temp_path(dir, &name);
    let run = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::with_capacity(1 << 20, open(&tmp)?);
        write(&mut file)?;
        let mut file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync()?;
        drop(file);
        fs::rename(&tmp, path)?;
        atomic::sync_dir(dir)
    };
    run().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("writing", path, e)
    })
}

/// A sink that can be made durable (`fsync`).
trait Syncable {
    fn sync(&mut self) -> std::io::Result<()>;
}

impl Syncable for fs::File {
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_all()
    }
}

/// Creates `dir` (and parents), and checks that it can be written to.
pub fn prepare_dir(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(|e| Error::io("creating model_dir", dir, e))?;
    let probe = atomic::temp_path(dir, "write-probe");
    atomic::create_new_file(&probe).map_err(|e| Error::io("writing to model_dir", dir, e))?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// Reads and decodes the checkpoint at `path`.
pub fn read(path: &Path) -> Result<CheckpointData, Error> {
    read_file(path, DEFAULT_MAX_CHECKPOINT_BYTES)
}

/// The checkpoint to restore from `dir`: the index's latest, or the newest checkpoint file
/// when the index cannot be read or names no file that exists (with a warning).
pub fn latest(dir: &Path) -> Result<Option<PathBuf>, Error> {
    Ok(recovery::candidates(dir)?.last().map(|name| dir.join(name)))
}

/// Resolves a user-given path: a checkpoint file, or a directory whose latest checkpoint is used.
pub fn resolve(path: &Path) -> Result<PathBuf, Error> {
    if path.is_dir() {
        latest(path)?.ok_or_else(|| Error::NoCheckpoint(path.to_path_buf()))
    } else if path.exists() {
        Ok(path.to_path_buf())
    } else {
        Err(Error::NoCheckpoint(path.to_path_buf()))
    }
}

#[cfg(test)]
mod fault_tests {
    use super::*;

    /// A file that fails after `limit` bytes with `kind`, as a full disk or an I/O error would.
    struct FailingFile {
        inner: fs::File,
        written: usize,
        limit: usize,
        error: fn() -> std::io::Error,
    }

    impl Write for FailingFile {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.written >= self.limit {
                return Err((self.error)());
            }
            let n = buf
                .len()
                .min(self.limit - self.written)
                .max(1)
                .min(buf.len());
            self.written += n;
            self.inner.write(&buf[..n])
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }

    impl Syncable for FailingFile {
        fn sync(&mut self) -> std::io::Result<()> {
            self.inner.sync_all()
        }
    }

    fn failing(
        limit: usize,
        error: fn() -> std::io::Error,
    ) -> impl FnOnce(&Path) -> std::io::Result<FailingFile> {
        move |p| {
            Ok(FailingFile {
                inner: fs::File::create(p)?,
                written: 0,
                limit,
                error,
            })
        }
    }

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    fn checkpoint(step: u64) -> Vec<u8> {
        CheckpointData {
            global_step: step,
            input_position: 0,
            sections: vec![("model".into(), vec![7; 4096])],
        }
        .encode()
    }

    #[test]
    fn a_write_failing_midway_leaves_the_previous_file_and_no_temporary() {
        let d = dir();
        let path = d.path().join("model.ckpt");
        write_atomic(&path, &checkpoint(1)).expect("first write");
        let err = write_atomic_with(
            &path,
            &checkpoint(2),
            failing(1000, || std::io::Error::other("injected")),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Io {
                    action: "writing",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            read(&path).map(|c| c.global_step).ok(),
            Some(1),
            "the previous checkpoint still loads"
        );
        let leftovers: Vec<_> = fs::read_dir(d.path())
            .expect("read dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "temporary file removed");
    }

    #[test]
    fn a_full_disk_is_a_typed_error_saying_so() {
        let d = dir();
        let path = d.path().join("model.ckpt");
        write_atomic(&path, &checkpoint(1)).expect("first write");
        let enospc = || std::io::Error::from_raw_os_error(28);
        let err = write_atomic_with(&path, &checkpoint(2), failing(10, enospc)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("No space left on device"), "{msg}");
        assert_eq!(read(&path).map(|c| c.global_step).ok(), Some(1));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dev_full_is_reported_as_a_full_disk() {
        let d = dir();
        let path = d.path().join("model.ckpt");
        let err = write_atomic_with(&path, &checkpoint(1), |_| {
            fs::OpenOptions::new().write(true).open("/dev/full")
        })
        .unwrap_err();
        assert!(err.to_string().contains("No space left on device"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn a_flipped_byte_is_a_typed_error() {
        let d = dir();
        let path = d.path().join("model.ckpt");
        let mut bytes = checkpoint(3);
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        fs::write(&path, &bytes).expect("write");
        let err = read(&path).unwrap_err();
        assert!(matches!(err, Error::CorruptCheckpoint { .. }), "{err:?}");
        assert!(err.to_string().contains("checksum mismatch"), "{err}");
    }
}
