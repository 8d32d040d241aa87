//! TF's `checkpoint` index file: the latest checkpoint and the ones kept.

use super::write_atomic;
use crate::error::Error;
use std::path::Path;

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

    /// Reads the index in `dir`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<CheckpointIndex>, Error> {
        let path = dir.join(INDEX_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(CheckpointIndex::parse(&text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading checkpoint index", path, e)),
        }
    }

    /// Parses TF's text format.
    pub fn parse(text: &str) -> CheckpointIndex {
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
        CheckpointIndex { all }
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
        assert_eq!(CheckpointIndex::parse(&text), index);
    }
}
