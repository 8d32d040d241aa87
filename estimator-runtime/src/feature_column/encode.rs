//! `FeatureEncoder`: a batch of raw columns into tensors (dense numbers, sparse ids), on the host.

use super::batch::{ColumnValues, FeatureBatch};
use super::columns::{CategoricalColumn, FeatureColumn};
use super::error::FeatureError;
use super::hash::{CrossPart, cross_bucket, hash_bucket};
use super::read::{bucket_ids, identity_ids, numeric_values, raw_strings};
use super::set::FeatureColumns;
use burn::tensor::{Device, Int, Tensor, TensorData};
use std::collections::HashMap;

/// One sparse categorical column of a batch: `ids` padded to the longest example, with
/// `weights` 1 for an id and 0 for padding.
#[derive(Clone, Debug)]
pub struct SparseTensor {
    /// `[batch, max ids per example]`.
    pub ids: Tensor<2, Int>,
    /// `[batch, max ids per example]`: 1 where `ids` holds an id, 0 for padding.
    pub weights: Tensor<2>,
}

/// A batch encoded by its feature columns: what the premade models and a user's model_fn read.
#[derive(Clone, Debug)]
pub struct FeatureTensors {
    /// Examples in the batch.
    pub batch_size: usize,
    /// Every dense column (numeric, bucketized, indicator) side by side, in column order;
    /// `None` when there is none.
    pub dense: Option<Tensor<2>>,
    /// Every sparse column (categorical, embedding), in column order.
    pub sparse: Vec<SparseTensor>,
    /// The example weights (the `weight_column`), if the columns name one.
    pub weights: Option<Tensor<1>>,
}

/// The ids of one categorical value per example, before padding.
pub(crate) type Ids = Vec<Vec<usize>>;

/// Encodes batches by a [`FeatureColumns`] set, with vocabularies indexed once.
#[derive(Clone, Debug)]
pub struct FeatureEncoder {
    columns: FeatureColumns,
    lookups: HashMap<String, HashMap<String, usize>>,
}

impl FeatureEncoder {
    /// Checks `columns` and indexes their vocabularies.
    pub fn new(columns: FeatureColumns) -> Result<Self, FeatureError> {
        columns.validate()?;
        let mut lookups = HashMap::new();
        for c in &columns.columns {
            index_vocabularies(c, &mut lookups);
        }
        Ok(FeatureEncoder { columns, lookups })
    }

    /// The column set.
    pub fn columns(&self) -> &FeatureColumns {
        &self.columns
    }

    /// Encodes `batch` on `device`; a batch column that no feature column reads is an error.
    pub fn encode(
        &self,
        batch: &FeatureBatch,
        device: &Device,
    ) -> Result<FeatureTensors, FeatureError> {
        self.columns.check_known(batch, &[])?;
        self.encode_lenient(batch, device)
    }

    /// Encodes `batch`, ignoring the columns no feature column reads (for a model whose parts
    /// read different columns, after checking the union).
    pub fn encode_lenient(
        &self,
        batch: &FeatureBatch,
        device: &Device,
    ) -> Result<FeatureTensors, FeatureError> {
        let n = batch.len();
        let width = self.columns.dense_width();
        let mut dense = vec![0.0f32; n * width];
        let mut offset = 0;
        let mut sparse = Vec::new();
        for column in &self.columns.columns {
            match column {
                FeatureColumn::Numeric(c) => {
                    let values = numeric_values(c, batch)?;
                    scatter(&mut dense, width, offset, c.shape, &values);
                    offset += c.shape;
                }
                FeatureColumn::Bucketized(b) => {
                    let ids = bucket_ids(b, batch)?;
                    offset += multi_hot(&mut dense, width, offset, &ids, column);
                }
                FeatureColumn::Indicator(c) => {
                    let ids = self.categorical_ids(c, batch)?;
                    let weights = super::weighted::id_weights(c, batch, &ids)?;
                    let buckets = super::set::dense_width_of(column);
                    add_weighted(&mut dense, width, offset, buckets, &ids, &weights);
                    offset += buckets;
                }
                FeatureColumn::Categorical(c) => sparse.push(self.sparse_of(c, batch, device)?),
                FeatureColumn::Embedding(e) => {
                    sparse.push(self.sparse_of(&e.categorical, batch, device)?)
                }
            }
        }
        let dense =
            (width > 0).then(|| Tensor::from_data(TensorData::new(dense, [n, width]), device));
        let weights = match &self.columns.weight_column {
            Some(key) => {
                let w = numeric_values(&super::numeric_column(key.clone()), batch)?;
                Some(Tensor::from_data(TensorData::new(w, [n]), device))
            }
            None => None,
        };
        Ok(FeatureTensors {
            batch_size: n,
            dense,
            sparse,
            weights,
        })
    }

    /// The ids of `column` for every example of `batch` (what a linear model or an embedding
    /// looks up).
    pub fn categorical_ids(
        &self,
        column: &CategoricalColumn,
        batch: &FeatureBatch,
    ) -> Result<Vec<Vec<usize>>, FeatureError> {
        match column {
            CategoricalColumn::VocabularyList { .. } => self.vocabulary_ids(column, batch),
            CategoricalColumn::HashBucket {
                key,
                hash_bucket_size,
            } => Ok(raw_strings(key, batch)?
                .into_iter()
                .map(|vs| {
                    vs.iter()
                        .map(|v| hash_bucket(v, *hash_bucket_size))
                        .collect()
                })
                .collect()),
            CategoricalColumn::Identity {
                key,
                num_buckets,
                default_value,
            } => identity_ids(key, *num_buckets, *default_value, batch),
            CategoricalColumn::Bucketized(b) => bucket_ids(b, batch),
            CategoricalColumn::Crossed {
                keys,
                hash_bucket_size,
            } => self.crossed_ids(keys, *hash_bucket_size, batch),
            CategoricalColumn::Weighted { categorical, .. } => {
                self.categorical_ids(categorical, batch)
            }
        }
    }

    /// A column's padded ids with their weights (1, or the weight column's values).
    fn sparse_of(
        &self,
        column: &CategoricalColumn,
        batch: &FeatureBatch,
        device: &Device,
    ) -> Result<SparseTensor, FeatureError> {
        let ids = self.categorical_ids(column, batch)?;
        let weights = super::weighted::id_weights(column, batch, &ids)?;
        Ok(weighted_sparse_tensor(&ids, &weights, device))
    }

    fn vocabulary_ids(
        &self,
        column: &CategoricalColumn,
        batch: &FeatureBatch,
    ) -> Result<Ids, FeatureError> {
        let CategoricalColumn::VocabularyList {
            key,
            vocabulary,
            num_oov_buckets,
            default_value,
        } = column
        else {
            return Ok(Vec::new());
        };
        let lookup = self.lookups.get(key);
        let id = |v: &String| -> Result<usize, FeatureError> {
            if let Some(&i) = lookup.and_then(|l| l.get(v)) {
                return Ok(i);
            }
            match (num_oov_buckets, default_value) {
                (0, Some(d)) => Ok(*d),
                (0, None) => Err(FeatureError::OutOfVocabulary {
                    name: key.clone(),
                    value: super::csv::short(v),
                }),
                (oov, _) => Ok(vocabulary.len() + hash_bucket(v, *oov)),
            }
        };
        raw_strings(key, batch)?
            .iter()
            .map(|vs| vs.iter().map(id).collect())
            .collect()
    }

    /// Each example's crosses: the cartesian product of the parts' values, joined by `_X_`
    /// and hashed. A part's value is its raw string (vocabulary and hash columns) or its id.
    /// TF's `crossed_column`: the leaf parts of (nested) crosses, id parts first and raw-string
    /// parts after (TF's `sparse_cross_hashed` takes sparse inputs before dense ones), each
    /// combination of an example's values hashed with TF's `FingerprintCat64`.
    fn crossed_ids(
        &self,
        keys: &[CategoricalColumn],
        buckets: usize,
        batch: &FeatureBatch,
    ) -> Result<Ids, FeatureError> {
        let mut parts = Vec::new();
        cross_leaves(keys, &mut parts);
        parts.sort_by_key(|p| is_raw_string_part(p));
        let values = parts
            .iter()
            .map(|p| self.cross_values(p, batch))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((0..batch.len())
            .map(|row| {
                let mut combos: Vec<Vec<CrossPart<'_>>> = vec![Vec::new()];
                for part in &values {
                    combos = combos
                        .into_iter()
                        .flat_map(|c| {
                            part[row]
                                .iter()
                                .map(move |v| [c.as_slice(), &[v.as_part()]].concat())
                        })
                        .collect();
                }
                combos.iter().map(|c| cross_bucket(c, buckets)).collect()
            })
            .collect())
    }

    /// A part's values per example: raw strings of vocabulary and hash-bucket columns (TF's
    /// string keys), ids of the others.
    fn cross_values(
        &self,
        part: &CategoricalColumn,
        batch: &FeatureBatch,
    ) -> Result<Vec<Vec<CrossValue>>, FeatureError> {
        Ok(match part {
            CategoricalColumn::VocabularyList { key, .. }
            | CategoricalColumn::HashBucket { key, .. } => raw_cross_values(key, batch)?,
            other => self
                .categorical_ids(other, batch)?
                .into_iter()
                .map(|ids| ids.iter().map(|&i| CrossValue::Id(i as i64)).collect())
                .collect(),
        })
    }
}

/// One value of a cross's part.
enum CrossValue {
    Str(String),
    Id(i64),
}

impl CrossValue {
    fn as_part(&self) -> CrossPart<'_> {
        match self {
            CrossValue::Str(s) => CrossPart::Str(s),
            CrossValue::Id(i) => CrossPart::Id(*i),
        }
    }
}

/// A raw column as TF's `SparseCrossOp` reads a raw key: one string per example kept as it is
/// (also `""`), integers as ids; several strings per example as the other columns read them.
fn raw_cross_values(key: &str, batch: &FeatureBatch) -> Result<Vec<Vec<CrossValue>>, FeatureError> {
    Ok(match batch.require(key)? {
        ColumnValues::Str(v) => v.iter().map(|s| vec![CrossValue::Str(s.clone())]).collect(),
        ColumnValues::Int(v) => v.iter().map(|&x| vec![CrossValue::Id(x)]).collect(),
        ColumnValues::IntList(v) => v
            .iter()
            .map(|xs| xs.iter().map(|&x| CrossValue::Id(x)).collect())
            .collect(),
        _ => raw_strings(key, batch)?
            .into_iter()
            .map(|vs| vs.into_iter().map(CrossValue::Str).collect())
            .collect(),
    })
}

/// The parts of a cross, nested crosses flattened (TF's `_collect_leaf_level_keys`).
fn cross_leaves<'a>(keys: &'a [CategoricalColumn], out: &mut Vec<&'a CategoricalColumn>) {
    for key in keys {
        match key {
            CategoricalColumn::Crossed { keys, .. } => cross_leaves(keys, out),
            other => out.push(other),
        }
    }
}

fn is_raw_string_part(part: &CategoricalColumn) -> bool {
    matches!(
        part,
        CategoricalColumn::VocabularyList { .. } | CategoricalColumn::HashBucket { .. }
    )
}

fn index_vocabularies(column: &FeatureColumn, out: &mut HashMap<String, HashMap<String, usize>>) {
    fn walk(c: &CategoricalColumn, out: &mut HashMap<String, HashMap<String, usize>>) {
        match c {
            CategoricalColumn::VocabularyList {
                key, vocabulary, ..
            } => {
                let map = vocabulary
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.clone(), i))
                    .collect();
                out.insert(key.clone(), map);
            }
            CategoricalColumn::Crossed { keys, .. } => keys.iter().for_each(|k| walk(k, out)),
            CategoricalColumn::Weighted { categorical, .. } => walk(categorical, out),
            _ => {}
        }
    }
    match column {
        FeatureColumn::Categorical(c) | FeatureColumn::Indicator(c) => walk(c, out),
        FeatureColumn::Embedding(e) => walk(&e.categorical, out),
        _ => {}
    }
}

/// Copies `shape`-wide rows of `values` into columns `offset..offset+shape` of `dense`.
fn scatter(dense: &mut [f32], width: usize, offset: usize, shape: usize, values: &[f32]) {
    for (row, chunk) in dense.chunks_mut(width).zip(values.chunks(shape.max(1))) {
        row[offset..offset + chunk.len()].copy_from_slice(chunk);
    }
}

/// Adds each example's id counts into `dense` at `offset`; returns the column's width.
fn multi_hot(
    dense: &mut [f32],
    width: usize,
    offset: usize,
    ids: &Ids,
    column: &FeatureColumn,
) -> usize {
    let buckets = super::set::dense_width_of(column);
    for (row, ids) in dense.chunks_mut(width).zip(ids) {
        for &id in ids.iter().filter(|&&id| id < buckets) {
            row[offset + id] += 1.0;
        }
    }
    buckets
}

/// Adds each id's weight at `offset + id` of its row (ids past `buckets` ignored).
fn add_weighted(
    dense: &mut [f32],
    width: usize,
    offset: usize,
    buckets: usize,
    ids: &Ids,
    weights: &[Vec<f32>],
) {
    for ((row, ids), ws) in dense.chunks_mut(width).zip(ids).zip(weights) {
        for (&id, &w) in ids.iter().zip(ws).filter(|(id, _)| **id < buckets) {
            row[offset + id] += w;
        }
    }
}

/// As [`sparse_tensor`], with each id's weight.
pub(crate) fn weighted_sparse_tensor(
    ids: &Ids,
    weights: &[Vec<f32>],
    device: &Device,
) -> SparseTensor {
    let n = ids.len();
    let len = ids.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut flat = vec![0i64; n * len];
    let mut padded = vec![0.0f32; n * len];
    for (i, (row, ws)) in ids.iter().zip(weights).enumerate() {
        for (j, (&id, &w)) in row.iter().zip(ws).enumerate() {
            flat[i * len + j] = id as i64;
            padded[i * len + j] = w;
        }
    }
    SparseTensor {
        ids: Tensor::from_data(TensorData::new(flat, [n, len]), device),
        weights: Tensor::from_data(TensorData::new(padded, [n, len]), device),
    }
}

/// Pads each example's ids to the longest (at least 1), with weight 0 for padding.
#[cfg(test)]
pub(crate) fn sparse_tensor(ids: &Ids, device: &Device) -> SparseTensor {
    let ones: Vec<Vec<f32>> = ids.iter().map(|row| vec![1.0; row.len()]).collect();
    weighted_sparse_tensor(ids, &ones, device)
}
