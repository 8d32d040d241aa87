//! TF's `checkpoint` index file: the latest checkpoint and the ones kept.

use super::write_atomic;
use crate::error::Error;
use std::path::Path;

/// The most bytes read from an index file: TF's index names a handful of checkpoints, so
/// anything bigger was not written by a trainer.
const MAX_INDEX_BYTES: u64 = 1 << 20;

/// The index file's name, as TF's.
pub const INDEX_FILE: &str = "checkpoint";

/// The file name of the checkpoint at `step` (TF: `model.ckpt-<step>`).
pub fn checkpoint_file_name(step: u64) -> String {
    format!("model.ckpt-{step}")
}

/// The contents of the index: checkpoint file names, oldest first; the last is the latest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckpointIndex {
    /// The kept checkpoints, oldest first.
    pub all: Vec<String>,
}

impl CheckpointIndex {
    /// The latest checkpoint's file name.
    pub fn latest(&self) -> Option<&str> {
        self.all.last().map(String::as_str)
    }

    /// Reads the index in `dir`, if there is one. Every name in it is checked to be a plain
    /// file name inside `dir` (see [`CheckpointIndex::parse`]).
    pub fn read(dir: &Path) -> Result<Option<CheckpointIndex>, Error> {
        let path = dir.join(INDEX_FILE);
        let action = "reading checkpoint index";
        let bytes = match crate::regular_file::read_capped(&path, action, MAX_INDEX_BYTES) {
            Ok(bytes) => bytes,
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let text = String::from_utf8(bytes).map_err(|_| {
            let reason = "the index is not UTF-8 text; it was not written by a trainer";
            Error::io(
                action,
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, reason),
            )
        })?;
        CheckpointIndex::parse(&text)
            .map(Some)
            .map_err(|(name, reason)| Error::UnsafeCheckpointName {
                index: path,
                name,
                reason,
            })
    }

    /// Parses TF's text format. Every name must be a plain file name (no directory part, not
    /// absolute, not `.` or `..`, no NUL), so that restore and retention never reach outside
    /// model_dir; the first that is not comes back as `(name, reason)`.
    pub fn parse(text: &str) -> Result<CheckpointIndex, (String, &'static str)> {
        let value = |line: &str, key: &str| {
            line.strip_prefix(key)
                .map(|v| v.trim().trim_matches('"').to_string())
        };
        let mut latest = None;
        let mut all = Vec::new();
        for line in text.lines() {
            if let Some(v) = value(line, "model_checkpoint_path:") {
                latest = Some(v);
            } else if let Some(v) = value(line, "all_model_checkpoint_paths:") {
                all.push(v);
            }
        }
        if let Some(latest) = latest {
            all.retain(|n| *n != latest);
            all.push(latest);
        }
        for name in &all {
            check_plain_name(name).map_err(|reason| (name.clone(), reason))?;
        }
        Ok(CheckpointIndex { all })
    }

    /// Renders TF's text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(latest) = self.latest() {
            out.push_str(&format!("model_checkpoint_path: \"{latest}\"\n"));
        }
        for name in &self.all {
            out.push_str(&format!("all_model_checkpoint_paths: \"{name}\"\n"));
        }
        out
    }

    /// Writes the index atomically.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        write_atomic(&dir.join(INDEX_FILE), self.render().as_bytes())
    }
}

/// Why `name` is not a plain file name inside a directory, if it is not.
fn check_plain_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        Err("the name is empty")
    } else if name.contains('\0') {
        Err("the name contains a NUL byte")
    } else if name.contains(['/', '\\']) || Path::new(name).is_absolute() {
        Err("the name has a directory part; only file names inside model_dir are allowed")
    } else if name == "." || name == ".." {
        Err("the name is `.` or `..`")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_format_round_trip() {
        let index = CheckpointIndex {
            all: vec!["model.ckpt-100".into(), "model.ckpt-200".into()],
        };
        let text = index.render();
        assert!(text.starts_with("model_checkpoint_path: \"model.ckpt-200\"\n"));
        assert_eq!(CheckpointIndex::parse(&text), Ok(index));
    }

    const PLANTED: [&str; 6] = [
        "/dev/zero",
        "../outside",
        "sub/model.ckpt-1",
        "a\\b",
        "model\0.ckpt",
        "..",
    ];

    #[test]
    fn a_planted_index_never_names_a_file_outside_model_dir() {
        for name in PLANTED {
            let d = tempfile::tempdir().expect("temp dir");
            let text = format!("model_checkpoint_path: \"{name}\"\n");
            std::fs::write(d.path().join(INDEX_FILE), text).expect("plant index");
            let latest = crate::checkpoint::latest(d.path());
            assert!(
                matches!(latest, Err(Error::UnsafeCheckpointName { .. })),
                "{name:?} gave {latest:?}"
            );
        }
    }

    #[test]
    fn a_planted_older_entry_is_refused_too() {
        let text = "model_checkpoint_path: \"model.ckpt-2\"\n\
                    all_model_checkpoint_paths: \"../../victim\"\n";
        let err = CheckpointIndex::parse(text).unwrap_err();
        assert_eq!(err.0, "../../victim");
    }

    #[test]
    fn a_huge_index_is_refused() {
        let d = tempfile::tempdir().expect("temp dir");
        let line = "all_model_checkpoint_paths: \"model.ckpt-1\"\n";
        let text = line.repeat((MAX_INDEX_BYTES as usize / line.len()) + 1);
        std::fs::write(d.path().join(INDEX_FILE), text).expect("write");
        assert!(CheckpointIndex::read(d.path()).is_err());
    }
}
