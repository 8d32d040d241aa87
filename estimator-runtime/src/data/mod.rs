//! Input pipelines (feature `tfrecord`, on by default): TFRecord files, `tf.Example` parsing
//! into feature-column batches, and a streaming [`Dataset`] with tf.data's semantics.
//!
//! The TF pipeline
//! ```text
//! files = tf.data.Dataset.list_files("train-*.tfrecord", shuffle=False).shard(n, i)
//! ds = files.interleave(tf.data.TFRecordDataset, cycle_length=4)
//! ds = ds.shuffle(1000, seed=42).repeat().batch(32, drop_remainder=True)
//! ds = ds.map(lambda r: tf.io.parse_example(r, spec), num_parallel_calls=2).prefetch(2)
//! ```
//! is, here:
//! ```no_run
//! use estimator_runtime::data::*;
//! use estimator_runtime::feature_column::*;
//! # fn main() -> Result<(), DataError> {
//! let columns = FeatureColumns::new([numeric_column("body_mass_g").into()]);
//! let spec = make_parse_example_spec(&columns)?;
//! let batches = TfRecordFiles::glob("train-*.tfrecord")?
//!     .shard(2, 0)
//!     .interleave(4)
//!     .shuffle(1000, 42)
//!     .repeat(None)
//!     .batch(32, true)
//!     .map_parallel(move |records| parse_example(&records, &spec), 2)
//!     .prefetch(2);
//! for batch in &batches {
//!     let batch: FeatureBatch = batch?;
//! #   break;
//! }
//! # Ok(()) }
//! ```
//!
//! Layers: this module is the streaming side, for data read once per epoch in order (files,
//! shuffled through a buffer). burn-dataset's `Dataset` is the random-access side (an indexed
//! table, shuffled by permutation, batched by burn's `DataLoader`); use it when the data fits
//! in memory or has an index. Both feed `Estimator::train`, which takes any iterator of
//! batches.

mod dataset;
mod error;
pub mod example;
mod parse;
mod tfrecord;

pub use dataset::{Dataset, DatasetIter, Item, TfRecordFiles};
pub use error::{CorruptKind, DataError, ParseError};
pub use parse::{DType, FeatureSpec, ParseSpec, make_parse_example_spec, parse_example};
pub use tfrecord::{Compression, TfRecordReader, TfRecordWriter};
