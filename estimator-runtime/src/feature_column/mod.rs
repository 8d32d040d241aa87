//! Feature columns (TF's `tf.feature_column`): how named raw input columns, numbers or strings,
//! become model input.
//!
//! A [`FeatureBatch`] holds one batch of raw columns. A [`FeatureColumns`] set says how to read
//! them, and a [`FeatureEncoder`] turns a batch into [`FeatureTensors`] on the host, in the input
//! pipeline: numbers, buckets and indicators side by side in one dense tensor, categorical and
//! embedding columns as padded sparse ids that the model looks up ([`InputLayer`],
//! [`LinearModel`]). A bad batch is a [`FeatureError`], never a panic.
//!
//! ```
//! use estimator_runtime::feature_column::*;
//! use estimator_runtime::prelude::*;
//!
//! let columns = FeatureColumns::new([
//!     numeric_column("age").with_normalizer(Normalizer::Standardize { mean: 40.0, std: 10.0 }).into(),
//!     bucketized_column(numeric_column("age"), vec![30.0, 50.0]).into(),
//!     indicator_column(categorical_column_with_vocabulary_list("city", ["Oslo", "Rome"]).with_num_oov_buckets(1)),
//! ]);
//! let encoder = FeatureEncoder::new(columns).unwrap();
//! let batch = FeatureBatch::new(2)
//!     .with("age", ColumnValues::Float(vec![30.0, 60.0]))
//!     .with("city", ColumnValues::Str(vec!["Rome".into(), "Paris".into()]));
//! let encoded = encoder.encode(&batch, &Device::default()).unwrap();
//! let dense = encoded.dense.unwrap().into_data().try_to_vec::<f32>().unwrap();
//! // age (standardised) | 3 age buckets | Oslo, Rome, OOV
//! assert_eq!(dense, [-1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0,
//!                     2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
//! ```
//!
//! A CSV file becomes a batch with [`read_csv`]; a burn `Dataset` of records becomes one by
//! reading its items column by column (select rows with [`FeatureBatch::select`] for batches):
//!
//! ```
//! use burn::data::dataset::{Dataset, InMemDataset};
//! use estimator_runtime::feature_column::{ColumnValues, FeatureBatch};
//!
//! #[derive(Clone)]
//! struct Penguin { island: String, body_mass_g: f32 }
//! let dataset = InMemDataset::new(vec![
//!     Penguin { island: "Biscoe".into(), body_mass_g: 5100.0 },
//!     Penguin { island: "Dream".into(), body_mass_g: 3700.0 },
//! ]);
//! let items: Vec<Penguin> = dataset.iter().filter_map(Result::ok).collect();
//! let batch = FeatureBatch::new(items.len())
//!     .with("island", ColumnValues::Str(items.iter().map(|p| p.island.clone()).collect()))
//!     .with("body_mass_g", ColumnValues::Float(items.iter().map(|p| p.body_mass_g).collect()));
//! assert_eq!(batch.select(&[1]).get("island"), Some(&ColumnValues::Str(vec!["Dream".into()])));
//! ```

mod batch;
mod columns;
mod csv;
mod encode;
mod error;
mod hash;
mod layers;
mod read;
mod set;
mod shared;
#[cfg(test)]
mod tests;
mod vocabulary_file;
mod weighted;

pub use batch::{ColumnValues, FeatureBatch};
pub use columns::{
    BucketizedColumn, CategoricalColumn, Combiner, EmbeddingColumn, FeatureColumn, Normalizer,
    NumericColumn, bucketized_column, categorical_column_with_hash_bucket,
    categorical_column_with_identity, categorical_column_with_vocabulary_list, crossed_column,
    embedding_column, indicator_column, numeric_column,
};
pub(crate) use csv::short as short_value;
pub use csv::{CsvOptions, DEFAULT_MAX_CSV_COLUMNS, read_csv, read_csv_with};
pub use encode::{FeatureEncoder, FeatureTensors, SparseTensor};
pub use error::FeatureError;
pub use hash::{
    CROSS_HASH_KEY, CrossPart, cross_bucket, fingerprint, fingerprint_cat64, hash_bucket,
};
pub use layers::{InputLayer, LinearModel, SparseEmbedding};
pub(crate) use set::dense_width_of as dense_width;
pub use set::{FEATURE_COLUMNS_FILE, FeatureColumns, SparseSpec};
pub use shared::shared_embedding_columns;
pub use vocabulary_file::categorical_column_with_vocabulary_file;
pub use weighted::weighted_categorical_column;
