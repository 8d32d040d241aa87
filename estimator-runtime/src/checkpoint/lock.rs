//! `TrainerLock`: one writer per model_dir. A trainer holds an advisory lock
//! (`std::fs::File::try_lock`) on `model_dir/trainer.lock`, with its pid written in the file;
//! the OS releases it when the file is closed (drop) or the process dies, so a crash never
//! leaves a stale lock. Readers (evaluate, predict) take no lock.

use crate::error::Error;
use std::fs::{self, File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// The lock file's name in model_dir.
pub const LOCK_FILE: &str = "trainer.lock";

/// The lock on one model_dir, held until dropped.
#[derive(Debug)]
pub(crate) struct TrainerLock {
    _file: File,
}

impl TrainerLock {
    /// Takes the lock of `dir` without waiting; [`Error::ModelDirLocked`] naming the holder
    /// when another trainer has it. A symlink planted at the lock's path is refused.
    pub fn acquire(dir: &Path) -> Result<TrainerLock, Error> {
        let path = dir.join(LOCK_FILE);
        let io = |e| Error::io("locking model_dir", &path, e);
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(io(std::io::Error::other(
                "the lock file is not a regular file",
            )));
        }
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::ModelDirLocked {
                    holder: holder(&mut file),
                    path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        write_holder(&mut file).map_err(io)?;
        Ok(TrainerLock { _file: file })
    }
}

/// Writes this process's pid into the (locked) file.
fn write_holder(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "pid {}", std::process::id())?;
    file.sync_data()
}

/// Who holds the lock, as its file says (at most a line of it).
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.take(256).read_to_string(&mut text);
    match text.lines().next().map(str::trim) {
        Some(line) if !line.is_empty() => line.to_string(),
        _ => "a process that wrote no pid".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder_and_drop_releases_it() {
        let d = tempfile::tempdir().expect("temp dir");
        let first = TrainerLock::acquire(d.path()).expect("first lock");
        let err = TrainerLock::acquire(d.path()).unwrap_err();
        let pid = format!("pid {}", std::process::id());
        assert!(
            matches!(&err, Error::ModelDirLocked { holder, .. } if *holder == pid),
            "{err:?}"
        );
        assert!(err.to_string().contains(&pid), "{err}");
        drop(first);
        assert!(TrainerLock::acquire(d.path()).is_ok(), "released on drop");
    }
}
