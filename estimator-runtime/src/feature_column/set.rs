//! `FeatureColumns`: an ordered, saveable set of feature columns plus the weight column.

use super::batch::FeatureBatch;
use super::columns::{CategoricalColumn, Combiner, FeatureColumn};
use super::error::FeatureError;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The file name [`FeatureColumns::save`] uses next to a checkpoint or an export.
pub const FEATURE_COLUMNS_FILE: &str = "feature_columns.json";

/// The feature columns of a model, in order, and the column holding example weights (TF's
/// `weight_column`). Serialisable: save it next to a checkpoint or an export so that a
/// reloaded model encodes its input the same way.
///
/// ```
/// use estimator_runtime::feature_column::*;
/// let columns = FeatureColumns::new([
///     numeric_column("age").into(),
///     indicator_column(categorical_column_with_vocabulary_list("city", ["Oslo", "Rome"])),
/// ]);
/// assert_eq!(columns.dense_width(), 3);
/// let json = serde_json::to_string(&columns).unwrap();
/// assert_eq!(serde_json::from_str::<FeatureColumns>(&json).unwrap(), columns);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureColumns {
    /// The columns, in the order their outputs are laid side by side.
    pub columns: Vec<FeatureColumn>,
    /// The raw column of per-example weights, if any.
    pub weight_column: Option<String>,
}

/// What a model part builds for one sparse column: its ids and, for an embedding, its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SparseSpec {
    /// Distinct ids.
    pub num_buckets: usize,
    /// `Some((dimension, combiner))` for an embedding column, `None` for a bare categorical one.
    pub embedding: Option<(usize, Combiner)>,
}

impl FeatureColumns {
    /// The columns `columns`, without a weight column.
    pub fn new(columns: impl IntoIterator<Item = FeatureColumn>) -> Self {
        FeatureColumns {
            columns: columns.into_iter().collect(),
            weight_column: None,
        }
    }

    /// Reads example weights from the raw column `key`.
    pub fn with_weight_column(mut self, key: impl Into<String>) -> Self {
        self.weight_column = Some(key.into());
        self
    }

    /// The width of the dense part (numeric, bucketized, indicator columns side by side).
    pub fn dense_width(&self) -> usize {
        self.columns.iter().map(dense_width_of).sum()
    }

    /// The sparse columns (categorical, embedding), in order.
    pub fn sparse_specs(&self) -> Vec<SparseSpec> {
        self.columns
            .iter()
            .filter_map(|c| match c {
                FeatureColumn::Categorical(c) => Some(SparseSpec {
                    num_buckets: c.num_buckets(),
                    embedding: None,
                }),
                FeatureColumn::Embedding(e) => Some(SparseSpec {
                    num_buckets: e.categorical.num_buckets(),
                    embedding: Some((e.dimension, e.combiner)),
                }),
                _ => None,
            })
            .collect()
    }

    /// The raw columns read (the weight column included), sorted and deduplicated.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.columns.iter().flat_map(FeatureColumn::keys).collect();
        keys.extend(self.weight_column.clone());
        keys.sort();
        keys.dedup();
        keys
    }

    /// A batch column that neither these columns nor `also` read is
    /// [`FeatureError::UnknownColumn`].
    pub fn check_known(&self, batch: &FeatureBatch, also: &[String]) -> Result<(), FeatureError> {
        let mut known = self.keys();
        known.extend(also.iter().cloned());
        match batch.names().find(|n| !known.iter().any(|k| k == n)) {
            Some(name) => Err(FeatureError::UnknownColumn {
                name: name.to_string(),
                known,
            }),
            None => Ok(()),
        }
    }

    /// Checks the definitions: unique names, at least one bucket, sorted boundaries, shapes.
    pub fn validate(&self) -> Result<(), FeatureError> {
        let mut names: Vec<String> = Vec::new();
        for column in &self.columns {
            let name = column.name();
            if names.contains(&name) {
                return Err(FeatureError::DuplicateColumn { name });
            }
            validate_column(column)?;
            names.push(name);
        }
        Ok(())
    }

    /// Checks that a DNN can consume every column (dense ones and embeddings).
    pub fn check_dense(&self) -> Result<(), FeatureError> {
        match self
            .columns
            .iter()
            .find(|c| matches!(c, FeatureColumn::Categorical(_)))
        {
            Some(c) => Err(FeatureError::UnsupportedColumn {
                name: c.name(),
                model: "dnn",
                reason: "a DNN takes dense columns; wrap a categorical column in `indicator_column` or `embedding_column`",
            }),
            None => Ok(()),
        }
    }

    /// Checks that a linear model can consume every column (no embeddings).
    pub fn check_linear(&self) -> Result<(), FeatureError> {
        match self
            .columns
            .iter()
            .find(|c| matches!(c, FeatureColumn::Embedding(_)))
        {
            Some(c) => Err(FeatureError::UnsupportedColumn {
                name: c.name(),
                model: "linear",
                reason: "a linear model learns one weight per id; pass the categorical column itself",
            }),
            None => Ok(()),
        }
    }

    /// Writes the columns as JSON to `dir/feature_columns.json`.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), FeatureError> {
        let path = dir.as_ref().join(FEATURE_COLUMNS_FILE);
        let io = |reason: String| FeatureError::Io {
            path: path.display().to_string(),
            reason,
        };
        let json = serde_json::to_vec_pretty(self).map_err(|e| io(e.to_string()))?;
        std::fs::create_dir_all(dir.as_ref()).map_err(|e| io(e.to_string()))?;
        std::fs::write(&path, json).map_err(|e| io(e.to_string()))
    }

    /// Reads the columns [`save`](Self::save) wrote in `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, FeatureError> {
        let path = dir.as_ref().join(FEATURE_COLUMNS_FILE);
        let io = |reason: String| FeatureError::Io {
            path: path.display().to_string(),
            reason,
        };
        let json = crate::regular_file::read_capped(
            &path,
            "reading feature columns",
            crate::regular_file::MAX_JSON_BYTES,
        )
        .map_err(|e| io(e.to_string()))?;
        serde_json::from_slice(&json).map_err(|e| io(e.to_string()))
    }
}

/// The width a column takes in the dense part (0 for sparse columns).
pub(crate) fn dense_width_of(column: &FeatureColumn) -> usize {
    match column {
        FeatureColumn::Numeric(n) => n.shape,
        FeatureColumn::Bucketized(b) => (b.boundaries.len() + 1) * b.source.shape,
        FeatureColumn::Indicator(c) => c.num_buckets(),
        FeatureColumn::Categorical(_) | FeatureColumn::Embedding(_) => 0,
    }
}

fn invalid(column: String, reason: impl Into<String>) -> FeatureError {
    FeatureError::InvalidColumn {
        name: column,
        reason: reason.into(),
    }
}

fn validate_column(column: &FeatureColumn) -> Result<(), FeatureError> {
    match column {
        FeatureColumn::Numeric(n) if n.shape == 0 => Err(invalid(n.key.clone(), "shape is 0")),
        FeatureColumn::Bucketized(b) => {
            validate_categorical(&CategoricalColumn::Bucketized(b.clone()))
        }
        FeatureColumn::Categorical(c) | FeatureColumn::Indicator(c) => validate_categorical(c),
        FeatureColumn::Embedding(e) if e.dimension == 0 => {
            Err(invalid(column.name(), "dimension is 0"))
        }
        FeatureColumn::Embedding(e) => validate_categorical(&e.categorical),
        FeatureColumn::Numeric(_) => Ok(()),
    }
}

fn validate_categorical(c: &CategoricalColumn) -> Result<(), FeatureError> {
    if c.num_buckets() == 0 {
        return Err(invalid(c.name(), "it has no bucket"));
    }
    match c {
        CategoricalColumn::Bucketized(b)
            if b.boundaries
                .windows(2)
                .any(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less)) =>
        {
            Err(invalid(c.name(), "boundaries must be sorted and distinct"))
        }
        CategoricalColumn::VocabularyList {
            vocabulary,
            default_value: Some(d),
            num_oov_buckets,
            ..
        } if *d >= vocabulary.len() || *num_oov_buckets > 0 => Err(invalid(
            c.name(),
            "default_value must be a vocabulary id, and excludes num_oov_buckets",
        )),
        CategoricalColumn::Identity {
            num_buckets,
            default_value: Some(d),
            ..
        } if d >= num_buckets => Err(invalid(c.name(), "default_value must be below num_buckets")),
        CategoricalColumn::Crossed { keys, .. } if keys.len() < 2 => {
            Err(invalid(c.name(), "a cross needs at least two keys"))
        }
        CategoricalColumn::Crossed { keys, .. }
            if keys
                .iter()
                .any(|k| matches!(k, CategoricalColumn::Weighted { .. })) =>
        {
            Err(invalid(
                c.name(),
                "crossed_column does not support weighted columns (as in TF)",
            ))
        }
        CategoricalColumn::Crossed { keys, .. } => keys.iter().try_for_each(validate_categorical),
        CategoricalColumn::Weighted { categorical, .. } => validate_categorical(categorical),
        _ => Ok(()),
    }
}
