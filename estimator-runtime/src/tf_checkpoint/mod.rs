//! Reading TensorFlow checkpoints (the "V2" tensor-bundle format that TF 1.x/2.x and
//! `tf.estimator` write): `model_dir/checkpoint`, `model.ckpt-N.index` (a LevelDB-format table
//! of `BundleEntryProto`s) and `model.ckpt-N.data-0000i-of-0000n`.
//!
//! [`TfCheckpoint::open`] takes a prefix or a model_dir; [`TfCheckpoint::list_variables`] lists
//! names, dtypes and shapes like `tf.train.list_variables`; [`TfCheckpoint::tensor`] reads one
//! variable whole (partitioned variables stitched from their slices), float32, float64, int32
//! or int64, its masked CRC32C verified. Every offset and size is checked against the files
//! first: a corrupt or truncated checkpoint is a [`TfCheckpointError`] naming the file and the
//! tensor, never a panic.
//!
//! The `inspect_checkpoint` binary prints a checkpoint like TF's tool of that name
//! (`--file_name`, `--tensor_name`, `--all_tensors`, `--json`).

mod error;
pub mod proto;
mod reader;
mod slice_key;
mod slots;
mod state;
mod table;
mod tensor;
pub(crate) mod warm;

pub use error::TfCheckpointError;
pub use reader::TfCheckpoint;
pub use slots::{TfSlotNames, TfSlots};
pub use state::{data_path, index_path, latest_checkpoint, resolve_prefix};
pub use tensor::{TfDtype, TfTensor, TfValues, TfVariable};
pub use warm::{TfBlock, TfSource, TfVarMap, TfWarmStart, warm_start_from_tf};
