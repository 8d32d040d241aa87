//! Which checkpoints a restore tries: the index's, or, when the index cannot be read or names
//! no file that exists, the `model.ckpt-<step>` files on disk. An unreadable index while
//! checkpoint files exist is never "no checkpoint", so a trainer never starts over at step 0
//! and overwrites them.

use super::index::{CheckpointIndex, INDEX_FILE};
use crate::error::Error;
use std::path::Path;

/// The checkpoint file name's prefix (TF's `model.ckpt-<step>`).
const NAME_PREFIX: &str = "model.ckpt-";

/// The step a checkpoint file name `model.ckpt-<step>` says, if it is one (digits only, no
/// leading zero, as [`super::checkpoint_file_name`] writes them).
pub fn step_of_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(NAME_PREFIX)?;
    let step: u64 = digits.parse().ok()?;
    (step.to_string() == digits).then_some(step)
}

/// The `model.ckpt-<step>` entries of `dir` other than directories, oldest (lowest step)
/// first: a FIFO or a link among them is refused when it is read, never skipped.
pub fn on_disk(dir: &Path) -> Result<Vec<String>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("listing checkpoints in", dir, e)),
    };
    let mut found: Vec<(u64, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| step_of_name(&name).map(|step| (step, name)))
        .collect();
    found.sort();
    Ok(found.into_iter().map(|(_, name)| name).collect())
}

/// The checkpoint names a restore tries (newest last): the index's when it is readable and
/// names a file that exists, else the checkpoint files on disk, with a warning saying why.
/// A planted index (a name outside `dir`) stays an error.
pub fn candidates(dir: &Path) -> Result<Vec<String>, Error> {
    let (names, problem) = index_or_disk(dir)?;
    if let Some(problem) = problem.filter(|_| !names.is_empty()) {
        tracing::warn!(
            "the checkpoint index {} {problem}; rebuilt it from the {} checkpoint files in the directory ({}): the newest intact one is restored",
            dir.join(INDEX_FILE).display(),
            names.len(),
            names.join(", ")
        );
    }
    Ok(names)
}

/// The index's names when it is readable and names a file that exists; else the checkpoint
/// files on disk and what is wrong with the index.
pub fn index_or_disk(dir: &Path) -> Result<(Vec<String>, Option<String>), Error> {
    let problem = match CheckpointIndex::read(dir) {
        Ok(Some(index)) if index.all.iter().any(|n| exists(&dir.join(n))) => {
            return Ok((index.all, None));
        }
        Ok(Some(index)) if index.all.is_empty() => "names no checkpoint".to_string(),
        Ok(Some(_)) => "names only checkpoints that do not exist".to_string(),
        Ok(None) => "is missing".to_string(),
        Err(e @ Error::FileTooLarge { .. }) => {
            format!("cannot be read ({e})")
        }
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::InvalidData => {
            format!("cannot be read ({source})")
        }
        Err(e) => return Err(e),
    };
    Ok((on_disk(dir)?, Some(problem)))
}

/// Whether anything (a FIFO, a dangling link) is at `path`.
fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_checkpoint_names_have_a_step() {
        assert_eq!(step_of_name("model.ckpt-300"), Some(300));
        assert_eq!(step_of_name("model.ckpt-0"), Some(0));
        for name in [
            "model.ckpt-0300",
            "model.ckpt-",
            "model.ckpt-1.tmp",
            "x-3",
            "model.ckpt--1",
        ] {
            assert_eq!(step_of_name(name), None, "{name}");
        }
    }

    #[test]
    fn the_disk_listing_is_ordered_by_step_not_by_name() {
        let d = tempfile::tempdir().expect("temp dir");
        for name in [
            "model.ckpt-900",
            "model.ckpt-1000",
            "model.ckpt-20",
            ".model.ckpt-5.tmp-1",
        ] {
            std::fs::write(d.path().join(name), b"x").expect("write");
        }
        std::fs::create_dir(d.path().join("model.ckpt-7")).expect("dir");
        let names = on_disk(d.path()).expect("listing");
        assert_eq!(
            names,
            ["model.ckpt-20", "model.ckpt-900", "model.ckpt-1000"]
        );
    }

    #[test]
    fn an_unusable_index_is_rebuilt_from_the_disk() {
        for text in [
            "",
            "\n",
            "garbage \u{1} !!",
            "model_checkpoint_path: \"model.ckpt-77\"\n",
        ] {
            let d = tempfile::tempdir().expect("temp dir");
            std::fs::write(d.path().join(INDEX_FILE), text).expect("index");
            for step in [100, 200] {
                let name = super::super::checkpoint_file_name(step);
                std::fs::write(d.path().join(name), b"x").expect("ckpt");
            }
            let names = candidates(d.path()).expect("candidates");
            assert_eq!(names, ["model.ckpt-100", "model.ckpt-200"], "{text:?}");
        }
    }

    #[test]
    fn invalid_utf8_in_the_index_is_rebuilt_too() {
        let d = tempfile::tempdir().expect("temp dir");
        std::fs::write(d.path().join(INDEX_FILE), [0xff, 0xfe, 0x00]).expect("index");
        std::fs::write(d.path().join("model.ckpt-3"), b"x").expect("ckpt");
        assert_eq!(candidates(d.path()).expect("candidates"), ["model.ckpt-3"]);
    }
}
