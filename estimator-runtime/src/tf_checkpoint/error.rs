//! The reader's error.

use std::path::PathBuf;

/// A TF checkpoint that cannot be read. Each names the file and, where one is concerned, the
/// tensor.
#[derive(Debug, thiserror::Error)]
pub enum TfCheckpointError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source} (check the checkpoint prefix or model_dir)")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// No checkpoint at the path: no `checkpoint` state file naming one, no `PREFIX.index`.
    #[error(
        "no TF checkpoint at {0} (pass a model_dir with a `checkpoint` file, or a prefix such as \
         model_dir/model.ckpt-100 whose .index exists)"
    )]
    NotFound(PathBuf),
    /// The `.index` table is damaged.
    #[error("corrupt TF checkpoint index {path}: {reason} (the file is truncated or damaged)")]
    CorruptIndex {
        /// The `.index` file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A tensor's entry or bytes are damaged.
    #[error(
        "corrupt tensor `{tensor}` in TF checkpoint {path}: {reason} (the file is truncated or \
         damaged)"
    )]
    CorruptTensor {
        /// The file (the `.index` or the data shard).
        path: PathBuf,
        /// The tensor.
        tensor: String,
        /// What is wrong.
        reason: String,
    },
    /// The checkpoint has no such tensor.
    #[error(
        "TF checkpoint {prefix} has no tensor `{tensor}` (list them with `inspect_checkpoint`)"
    )]
    NoSuchTensor {
        /// The checkpoint prefix.
        prefix: PathBuf,
        /// The name asked for.
        tensor: String,
    },
    /// A tensor of a type this reader does not decode.
    #[error(
        "tensor `{tensor}` in TF checkpoint {prefix} has dtype {dtype}; only float32, float64, \
         int32 and int64 are read"
    )]
    UnsupportedDtype {
        /// The checkpoint prefix.
        prefix: PathBuf,
        /// The tensor.
        tensor: String,
        /// Its dtype's name.
        dtype: String,
    },
}
