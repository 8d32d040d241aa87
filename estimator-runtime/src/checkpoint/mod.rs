//! Checkpoints: an atomic, checksummed file per saved step, and TF's `checkpoint` index.
//!
//! A checkpoint file holds the global step, the input position, a signature of the model's
//! parameter shapes, the model record and each optimizer's state. It is written to a temporary
//! file, fsynced and renamed, and only then named in the index, so a crash never leaves a torn
//! "latest" checkpoint.

mod format;
mod index;
mod policy;

pub use format::CheckpointData;
pub use index::{CheckpointIndex, checkpoint_file_name};
pub use policy::{CheckpointPolicy, Retention};

use crate::error::Error;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename,
/// then an fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("writing", path, e)
    })
}

/// Creates `dir` (and parents), and checks that it can be written to.
pub fn prepare_dir(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(|e| Error::io("creating model_dir", dir, e))?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    fs::write(&probe, b"").map_err(|e| Error::io("writing to model_dir", dir, e))?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// Reads and decodes the checkpoint at `path`.
pub fn read(path: &Path) -> Result<CheckpointData, Error> {
    let bytes = fs::read(path).map_err(|e| Error::io("reading checkpoint", path, e))?;
    CheckpointData::decode(&bytes).map_err(|reason| Error::CorruptCheckpoint {
        path: path.to_path_buf(),
        reason,
    })
}

/// The checkpoint to restore from `dir`: the index's latest, if any.
pub fn latest(dir: &Path) -> Result<Option<PathBuf>, Error> {
    Ok(CheckpointIndex::read(dir)?.and_then(|i| i.latest().map(|name| dir.join(name))))
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
