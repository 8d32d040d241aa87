//! Finding a checkpoint: the `checkpoint` state file of a model_dir (a text-format
//! `CheckpointState` proto) and the `PREFIX.index` / `PREFIX.data-0000i-of-0000n` file names.

use super::error::TfCheckpointError;
use std::path::{Path, PathBuf};

/// The prefix a path names: a model_dir's latest checkpoint (its `checkpoint` file's
/// `model_checkpoint_path`), or the path itself when `PATH.index` exists.
pub fn resolve_prefix(path: &Path) -> Result<PathBuf, TfCheckpointError> {
    if path.is_dir() {
        return latest_checkpoint(path);
    }
    if index_path(path).is_file() {
        return Ok(path.to_path_buf());
    }
    Err(TfCheckpointError::NotFound(path.to_path_buf()))
}

/// The latest checkpoint of `model_dir` (TF's `tf.train.latest_checkpoint`). A relative path in
/// the state file is relative to the model_dir; an absolute one that no longer exists (a moved
/// model_dir) is looked for in the model_dir by its file name.
pub fn latest_checkpoint(model_dir: &Path) -> Result<PathBuf, TfCheckpointError> {
    let state = model_dir.join("checkpoint");
    let text = std::fs::read_to_string(&state).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => TfCheckpointError::NotFound(model_dir.to_path_buf()),
        _ => TfCheckpointError::Io {
            path: state.clone(),
            source,
        },
    })?;
    let named = model_checkpoint_path(&text)
        .ok_or_else(|| TfCheckpointError::NotFound(model_dir.to_path_buf()))?;
    let named = PathBuf::from(named);
    let candidates = [
        model_dir.join(&named),
        model_dir.join(named.file_name().unwrap_or_default()),
    ];
    candidates
        .into_iter()
        .find(|p| index_path(p).is_file())
        .ok_or_else(|| TfCheckpointError::NotFound(model_dir.join(&named)))
}

/// The unescaped value of `model_checkpoint_path: "..."`.
fn model_checkpoint_path(state: &str) -> Option<String> {
    let line = state
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("model_checkpoint_path:"))?;
    let quoted = line.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next()? } else { c });
    }
    Some(out)
}

/// `PREFIX.index`.
pub fn index_path(prefix: &Path) -> PathBuf {
    with_suffix(prefix, ".index")
}

/// `PREFIX.data-0000i-of-0000n`.
pub fn data_path(prefix: &Path, shard: usize, num_shards: usize) -> PathBuf {
    with_suffix(prefix, &format!(".data-{shard:05}-of-{num_shards:05}"))
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_state_files_path() {
        let text = "model_checkpoint_path: \"model.ckpt-300\"\nall_model_checkpoint_paths: \"x\"\n";
        assert_eq!(
            model_checkpoint_path(text).as_deref(),
            Some("model.ckpt-300")
        );
        assert_eq!(model_checkpoint_path("other: 1").as_deref(), None);
        assert_eq!(
            model_checkpoint_path(r#"model_checkpoint_path: "a\"b""#).as_deref(),
            Some("a\"b")
        );
    }

    #[test]
    fn file_names_follow_tf() {
        let p = Path::new("/m/model.ckpt-7");
        assert_eq!(index_path(p), Path::new("/m/model.ckpt-7.index"));
        assert_eq!(
            data_path(p, 0, 1),
            Path::new("/m/model.ckpt-7.data-00000-of-00001")
        );
    }
}
