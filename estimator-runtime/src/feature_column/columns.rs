//! Column definitions: serialisable descriptions of how a raw column becomes model input, with
//! TF's constructor names (`numeric_column`, `categorical_column_with_vocabulary_list`, ...).

use serde::{Deserialize, Serialize};

/// A fixed transformation of a numeric column's values (TF's `normalizer_fn`, restricted to
/// forms that can be saved with the model).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Normalizer {
    /// `(x - mean) / std`.
    Standardize {
        /// Subtracted.
        mean: f32,
        /// Divided by.
        std: f32,
    },
    /// `(x - min) / (max - min)`.
    MinMax {
        /// Maps to 0.
        min: f32,
        /// Maps to 1.
        max: f32,
    },
    /// `ln(1 + x)`.
    Log1p,
}

impl Normalizer {
    /// Applies the transformation to one value.
    pub fn apply(&self, x: f32) -> f32 {
        match self {
            Normalizer::Standardize { mean, std } => (x - mean) / std,
            Normalizer::MinMax { min, max } => (x - min) / (max - min),
            Normalizer::Log1p => x.ln_1p(),
        }
    }
}

/// A numeric feature (TF `numeric_column`): `shape` floats per example.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericColumn {
    /// The raw column read.
    pub key: String,
    /// Values per example.
    pub shape: usize,
    /// Replaces NaN values (TF's `default_value` for missing ones).
    pub default_value: Option<f32>,
    /// Applied to every value.
    pub normalizer: Option<Normalizer>,
}

impl NumericColumn {
    /// `shape` values per example.
    pub fn with_shape(mut self, shape: usize) -> Self {
        self.shape = shape;
        self
    }

    /// Replaces NaN values by `value`.
    pub fn with_default_value(mut self, value: f32) -> Self {
        self.default_value = Some(value);
        self
    }

    /// Transforms every value.
    pub fn with_normalizer(mut self, normalizer: Normalizer) -> Self {
        self.normalizer = Some(normalizer);
        self
    }
}

/// A numeric feature split into buckets by `boundaries` (TF `bucketized_column`): bucket `i`
/// holds `boundaries[i-1] <= x < boundaries[i]`, so there are `boundaries.len() + 1` buckets
/// (times the source's shape).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketizedColumn {
    /// The numeric column bucketized.
    pub source: NumericColumn,
    /// Sorted boundaries.
    pub boundaries: Vec<f32>,
}

impl BucketizedColumn {
    /// The bucket of one value.
    pub fn bucket(&self, x: f32) -> usize {
        self.boundaries.partition_point(|&b| b <= x)
    }
}

/// A categorical feature: each example holds zero or more ids in `0..num_buckets()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CategoricalColumn {
    /// Strings (or integers) looked up in a vocabulary (TF
    /// `categorical_column_with_vocabulary_list`); out-of-vocabulary values are hashed into
    /// `num_oov_buckets` extra ids, or mapped to `default_value`, or are an error.
    VocabularyList {
        /// The raw column read.
        key: String,
        /// The vocabulary; value `vocabulary[i]` has id `i`.
        vocabulary: Vec<String>,
        /// Extra ids for unknown values, chosen by hash.
        num_oov_buckets: usize,
        /// The id of unknown values when there is no OOV bucket.
        default_value: Option<usize>,
    },
    /// Strings (or integers, as their decimal text) hashed into `hash_bucket_size` ids (TF
    /// `categorical_column_with_hash_bucket`): TF's `Fingerprint64(value) % hash_bucket_size`.
    HashBucket {
        /// The raw column read.
        key: String,
        /// The number of ids.
        hash_bucket_size: usize,
    },
    /// Integers used as ids directly (TF `categorical_column_with_identity`).
    Identity {
        /// The raw column read.
        key: String,
        /// Ids must lie in `0..num_buckets`.
        num_buckets: usize,
        /// The id of values outside the range; without it they are an error.
        default_value: Option<usize>,
    },
    /// A bucketized numeric column, used as categorical ids (one per value of the source).
    Bucketized(BucketizedColumn),
    /// A categorical column whose ids carry weights from another raw column (TF
    /// `weighted_categorical_column`): the weights multiply a linear model's per-id weights,
    /// enter an embedding's combiner, and fill an indicator.
    Weighted {
        /// The ids.
        categorical: Box<CategoricalColumn>,
        /// The raw float column of the weights, one per id of an example.
        weight_feature_key: String,
    },
    /// Hashed crosses of several categorical features (TF `crossed_column`).
    Crossed {
        /// The crossed parts.
        keys: Vec<CategoricalColumn>,
        /// The number of ids the crosses hash into.
        hash_bucket_size: usize,
    },
}

impl CategoricalColumn {
    /// The number of distinct ids.
    pub fn num_buckets(&self) -> usize {
        match self {
            CategoricalColumn::VocabularyList {
                vocabulary,
                num_oov_buckets,
                ..
            } => vocabulary.len() + num_oov_buckets,
            CategoricalColumn::HashBucket {
                hash_bucket_size, ..
            } => *hash_bucket_size,
            CategoricalColumn::Identity { num_buckets, .. } => *num_buckets,
            CategoricalColumn::Bucketized(b) => (b.boundaries.len() + 1) * b.source.shape,
            CategoricalColumn::Crossed {
                hash_bucket_size, ..
            } => *hash_bucket_size,
            CategoricalColumn::Weighted { categorical, .. } => categorical.num_buckets(),
        }
    }

    /// The column's name, as TF forms it (`a_X_b` for a cross, `x_bucketized`).
    pub fn name(&self) -> String {
        match self {
            CategoricalColumn::VocabularyList { key, .. }
            | CategoricalColumn::HashBucket { key, .. }
            | CategoricalColumn::Identity { key, .. } => key.clone(),
            CategoricalColumn::Bucketized(b) => format!("{}_bucketized", b.source.key),
            CategoricalColumn::Weighted {
                categorical,
                weight_feature_key,
            } => format!("{}_weighted_by_{weight_feature_key}", categorical.name()),
            CategoricalColumn::Crossed { keys, .. } => keys
                .iter()
                .map(CategoricalColumn::name)
                .collect::<Vec<_>>()
                .join("_X_"),
        }
    }

    /// Replaces out-of-vocabulary values by `num` hashed buckets (vocabulary columns only).
    pub fn with_num_oov_buckets(mut self, num: usize) -> Self {
        if let CategoricalColumn::VocabularyList {
            num_oov_buckets, ..
        } = &mut self
        {
            *num_oov_buckets = num;
        }
        self
    }

    /// Maps unknown values to `id` (vocabulary and identity columns).
    pub fn with_default_value(mut self, id: usize) -> Self {
        match &mut self {
            CategoricalColumn::VocabularyList { default_value, .. }
            | CategoricalColumn::Identity { default_value, .. } => *default_value = Some(id),
            _ => {}
        }
        self
    }
}

/// How an embedding column reduces several ids of one example (TF's `combiner`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combiner {
    /// The sum of the embeddings.
    Sum,
    /// Their mean (TF's default).
    #[default]
    Mean,
    /// Their sum divided by the square root of their count.
    Sqrtn,
}

/// A dense, trainable embedding of a categorical column (TF `embedding_column`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingColumn {
    /// The ids embedded.
    pub categorical: CategoricalColumn,
    /// The embedding's size.
    pub dimension: usize,
    /// How several ids of an example combine.
    pub combiner: Combiner,
    /// The shared table's name when this column shares its table with others (TF
    /// `shared_embedding_columns`); `None`: a table of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_embedding_collection_name: Option<String>,
}

impl EmbeddingColumn {
    /// Sets the combiner.
    pub fn with_combiner(mut self, combiner: Combiner) -> Self {
        self.combiner = combiner;
        self
    }
}

/// A feature column: one way of turning raw columns into model input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FeatureColumn {
    /// Dense numbers.
    Numeric(NumericColumn),
    /// One-hot buckets of a number (dense for a DNN, per-bucket weights for a linear model).
    Bucketized(BucketizedColumn),
    /// Sparse ids: per-id weights in a linear model (not usable by a DNN; wrap it).
    Categorical(CategoricalColumn),
    /// Multi-hot counts of a categorical column (TF `indicator_column`).
    Indicator(CategoricalColumn),
    /// A trainable embedding of a categorical column.
    Embedding(EmbeddingColumn),
}

impl FeatureColumn {
    /// The column's name, as TF forms it.
    pub fn name(&self) -> String {
        match self {
            FeatureColumn::Numeric(n) => n.key.clone(),
            FeatureColumn::Bucketized(b) => format!("{}_bucketized", b.source.key),
            FeatureColumn::Categorical(c) => c.name(),
            FeatureColumn::Indicator(c) => format!("{}_indicator", c.name()),
            FeatureColumn::Embedding(e) if e.shared_embedding_collection_name.is_some() => {
                format!("{}_shared_embedding", e.categorical.name())
            }
            FeatureColumn::Embedding(e) => format!("{}_embedding", e.categorical.name()),
        }
    }

    /// The raw columns it reads.
    pub fn keys(&self) -> Vec<String> {
        match self {
            FeatureColumn::Numeric(n) => vec![n.key.clone()],
            FeatureColumn::Bucketized(b) => vec![b.source.key.clone()],
            FeatureColumn::Categorical(c) | FeatureColumn::Indicator(c) => categorical_keys(c),
            FeatureColumn::Embedding(e) => categorical_keys(&e.categorical),
        }
    }
}

fn categorical_keys(c: &CategoricalColumn) -> Vec<String> {
    match c {
        CategoricalColumn::VocabularyList { key, .. }
        | CategoricalColumn::HashBucket { key, .. }
        | CategoricalColumn::Identity { key, .. } => vec![key.clone()],
        CategoricalColumn::Bucketized(b) => vec![b.source.key.clone()],
        CategoricalColumn::Crossed { keys, .. } => keys.iter().flat_map(categorical_keys).collect(),
        CategoricalColumn::Weighted {
            categorical,
            weight_feature_key,
        } => {
            let mut keys = categorical_keys(categorical);
            keys.push(weight_feature_key.clone());
            keys
        }
    }
}

/// A numeric column of one value per example (TF `numeric_column`).
pub fn numeric_column(key: impl Into<String>) -> NumericColumn {
    NumericColumn {
        key: key.into(),
        shape: 1,
        default_value: None,
        normalizer: None,
    }
}

/// Buckets of `source` split at `boundaries` (TF `bucketized_column`).
pub fn bucketized_column(source: NumericColumn, boundaries: Vec<f32>) -> BucketizedColumn {
    BucketizedColumn { source, boundaries }
}

/// Ids from a vocabulary (TF `categorical_column_with_vocabulary_list`); no OOV bucket.
pub fn categorical_column_with_vocabulary_list<S: Into<String>>(
    key: impl Into<String>,
    vocabulary: impl IntoIterator<Item = S>,
) -> CategoricalColumn {
    CategoricalColumn::VocabularyList {
        key: key.into(),
        vocabulary: vocabulary.into_iter().map(Into::into).collect(),
        num_oov_buckets: 0,
        default_value: None,
    }
}

/// Ids by hashing (TF `categorical_column_with_hash_bucket`).
pub fn categorical_column_with_hash_bucket(
    key: impl Into<String>,
    hash_bucket_size: usize,
) -> CategoricalColumn {
    CategoricalColumn::HashBucket {
        key: key.into(),
        hash_bucket_size,
    }
}

/// Integer ids used as they are (TF `categorical_column_with_identity`).
pub fn categorical_column_with_identity(
    key: impl Into<String>,
    num_buckets: usize,
) -> CategoricalColumn {
    CategoricalColumn::Identity {
        key: key.into(),
        num_buckets,
        default_value: None,
    }
}

/// Hashed crosses of `keys` (TF `crossed_column`), bucketed exactly as TF 2.15 does
/// (`FingerprintCat64` from the hash key `0xDECAFCAFFE`): a vocabulary or hash-bucket part
/// crosses by its raw values, like a string key in TF (`crossed_column(["island", "sex"], n)`);
/// other parts (identity, bucketized) by their ids, like TF's column objects, and before the raw
/// parts, as TF orders them. Nested crosses are flattened.
pub fn crossed_column(
    keys: impl IntoIterator<Item = CategoricalColumn>,
    hash_bucket_size: usize,
) -> CategoricalColumn {
    CategoricalColumn::Crossed {
        keys: keys.into_iter().collect(),
        hash_bucket_size,
    }
}

/// Multi-hot counts of `categorical` (TF `indicator_column`).
pub fn indicator_column(categorical: CategoricalColumn) -> FeatureColumn {
    FeatureColumn::Indicator(categorical)
}

/// A trainable `dimension`-sized embedding of `categorical`, combined by mean (TF
/// `embedding_column`).
pub fn embedding_column(categorical: CategoricalColumn, dimension: usize) -> EmbeddingColumn {
    EmbeddingColumn {
        categorical,
        dimension,
        combiner: Combiner::Mean,
        shared_embedding_collection_name: None,
    }
}

impl From<NumericColumn> for FeatureColumn {
    fn from(c: NumericColumn) -> Self {
        FeatureColumn::Numeric(c)
    }
}

impl From<BucketizedColumn> for FeatureColumn {
    fn from(c: BucketizedColumn) -> Self {
        FeatureColumn::Bucketized(c)
    }
}

impl From<CategoricalColumn> for FeatureColumn {
    fn from(c: CategoricalColumn) -> Self {
        FeatureColumn::Categorical(c)
    }
}

impl From<EmbeddingColumn> for FeatureColumn {
    fn from(c: EmbeddingColumn) -> Self {
        FeatureColumn::Embedding(c)
    }
}

impl From<BucketizedColumn> for CategoricalColumn {
    fn from(c: BucketizedColumn) -> Self {
        CategoricalColumn::Bucketized(c)
    }
}
