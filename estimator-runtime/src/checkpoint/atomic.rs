//! Temporary files and directories for atomic writes.
//!
//! A temporary name is unique (pid, a process-wide counter and a random part), and it is
//! created with `O_CREAT | O_EXCL` (`create_new`), which fails on any existing entry, a planted
//! symlink included, instead of following it. A directory is made durable with an fsync whose
//! failure is reported.

use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Temporary names handed out by this process so far.
static TEMP_NAMES: AtomicU64 = AtomicU64::new(0);

/// A fresh name in `dir` for a temporary copy of `stem`: `.<stem>.tmp-<pid>-<counter>-<random>`.
pub(crate) fn temp_path(dir: &Path, stem: &str) -> PathBuf {
    let counter = TEMP_NAMES.fetch_add(1, Ordering::Relaxed);
    let random = RandomState::new().build_hasher().finish();
    let pid = std::process::id();
    dir.join(format!(".{stem}.tmp-{pid}-{counter}-{random:016x}"))
}

/// Creates `path` for writing; fails if anything (a symlink included) is already there.
pub(crate) fn create_new_file(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Creates a fresh temporary directory in `dir` for `stem` (`mkdir` never follows a link).
pub(crate) fn create_temp_dir(dir: &Path, stem: &str) -> io::Result<PathBuf> {
    let path = temp_path(dir, stem);
    fs::create_dir(&path)?;
    Ok(path)
}

/// Fsyncs the directory `dir`, so that a rename or a new entry in it survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    let context = |e: io::Error| {
        io::Error::new(
            e.kind(),
            format!("fsync of directory {}: {e}", dir.display()),
        )
    };
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_unique_and_hidden() {
        let dir = Path::new("/x");
        let a = temp_path(dir, "model.ckpt-1");
        let b = temp_path(dir, "model.ckpt-1");
        assert_ne!(a, b);
        let name = a.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let pid = std::process::id();
        assert!(
            name.starts_with(&format!(".model.ckpt-1.tmp-{pid}-")),
            "{name}"
        );
    }

    #[test]
    fn a_failed_directory_fsync_is_reported() {
        let d = tempfile::tempdir().expect("temp dir");
        let err = sync_dir(&d.path().join("gone")).unwrap_err();
        assert!(err.to_string().contains("fsync of directory"), "{err}");
        assert!(sync_dir(d.path()).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let d = tempfile::tempdir().expect("temp dir");
        let victim = d.path().join("victim");
        fs::write(&victim, b"keep").expect("victim");
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        assert!(create_new_file(&link).is_err());
        assert!(fs::create_dir(&link).is_err());
        assert_eq!(fs::read(&victim).ok().as_deref(), Some(&b"keep"[..]));
    }

    /// The name the writer used before names were unique: `.<name>.tmp-<pid>`.
    #[cfg(unix)]
    #[test]
    fn write_atomic_never_writes_through_a_planted_temp_link() {
        let d = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("outside dir");
        let victim = outside.path().join("victim");
        fs::write(&victim, b"keep").expect("victim");
        let planted = d
            .path()
            .join(format!(".model.ckpt-1.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).expect("plant");
        let path = d.path().join("model.ckpt-1");
        super::super::write_atomic(&path, b"checkpoint").expect("write");
        assert_eq!(fs::read(&victim).ok().as_deref(), Some(&b"keep"[..]));
        let meta = fs::symlink_metadata(&path).expect("written");
        assert!(
            meta.is_file(),
            "the checkpoint is a file, not the planted link"
        );
        assert_eq!(fs::read(&path).ok().as_deref(), Some(&b"checkpoint"[..]));
    }
}
