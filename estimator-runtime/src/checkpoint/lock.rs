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
    /// model_dir's identity when it was locked.
    dir_identity: Option<DirIdentity>,
}

/// A directory's device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DirIdentity {
    dev: u64,
    ino: u64,
}

impl DirIdentity {
    /// The identity of what `path` names now (following symlinks, as every open under it
    /// does); `None` where the OS does not say.
    fn of(path: &Path) -> std::io::Result<Option<DirIdentity>> {
        let meta = fs::metadata(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Ok(Some(DirIdentity {
                dev: meta.dev(),
                ino: meta.ino(),
            }))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            Ok(None)
        }
    }
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
        let dir_identity = DirIdentity::of(dir).map_err(io)?;
        Ok(TrainerLock {
            _file: file,
            dir_identity,
        })
    }

    /// [`Error::ModelDirReplaced`] when `dir` is no longer the directory this lock was taken
    /// on (moved away, replaced, deleted).
    pub fn check_same_dir(&self, dir: &Path) -> Result<(), Error> {
        let now = DirIdentity::of(dir).ok().flatten();
        match (self.dir_identity, now) {
            (Some(then), Some(now)) if then == now => Ok(()),
            (None, _) => Ok(()),
            _ => Err(Error::ModelDirReplaced {
                path: dir.to_path_buf(),
            }),
        }
    }
}

/// Writes this process's pid into the (locked) file.
fn write_holder(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "pid {}", std::process::id())?;
    file.sync_data()
}

/// Who holds the lock: the process the OS names (Linux: `/proc/locks`), and the pid written
/// in the file (at most a line of it).
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.take(256).read_to_string(&mut text);
    let written = match text.lines().next().map(str::trim) {
        Some(line) if !line.is_empty() => super::super::feature_column::short_value(line),
        _ => "no pid".to_string(),
    };
    match os_holder(file) {
        Some(pid) => format!("pid {pid}, as the OS says; the file says {written}"),
        None => format!("the OS cannot say which process; the file says {written}"),
    }
}

/// The pid holding a `flock` on `file`, from `/proc/locks` (Linux), matched by inode and
/// device.
#[cfg(target_os = "linux")]
fn os_holder(file: &File) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata().ok()?;
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let dev = meta.dev();
    // The kernel prints `MAJOR:MINOR:INODE`, the numbers in hex, hex, decimal.
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let id = format!("{major:02x}:{minor:02x}:{}", meta.ino());
    locks
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.get(1) == Some(&"FLOCK") && f.get(5) == Some(&id.as_str()))
        .and_then(|f| f.get(4)?.parse().ok())
}

#[cfg(not(target_os = "linux"))]
fn os_holder(_file: &File) -> Option<u32> {
    None
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
            matches!(&err, Error::ModelDirLocked { holder, .. } if holder.contains(&pid)),
            "{err:?}"
        );
        #[cfg(target_os = "linux")]
        assert!(err.to_string().contains("as the OS says"), "{err}");
        assert!(err.to_string().contains(&pid), "{err}");
        drop(first);
        assert!(TrainerLock::acquire(d.path()).is_ok(), "released on drop");
    }

    /// The trial's recipe: `mv model_dir away; mkdir model_dir` under a running trainer.
    #[test]
    fn a_swapped_model_dir_is_noticed() {
        let parent = tempfile::tempdir().expect("temp dir");
        let dir = parent.path().join("m");
        fs::create_dir(&dir).expect("mkdir");
        let lock = TrainerLock::acquire(&dir).expect("lock");
        assert!(lock.check_same_dir(&dir).is_ok());
        fs::rename(&dir, parent.path().join("away")).expect("move away");
        fs::create_dir(&dir).expect("a fresh one");
        let second = TrainerLock::acquire(&dir);
        assert!(second.is_ok(), "the fresh directory is free to lock");
        let err = lock.check_same_dir(&dir).unwrap_err();
        assert!(matches!(err, Error::ModelDirReplaced { .. }), "{err:?}");
    }
}
