//! The trainable parts of feature columns: embedding tables ([`InputLayer`], TF's
//! `DenseFeatures`) and per-id weights ([`LinearModel`], TF's `LinearModel`).

use super::columns::{Combiner, FeatureColumn};
use super::encode::{FeatureTensors, SparseTensor};
use super::error::FeatureError;
use super::set::FeatureColumns;
use burn::module::{Module, Param};
use burn::nn::Initializer;
use burn::tensor::{Device, Tensor};

/// One embedding table and how it combines several ids of an example.
#[derive(Module, Debug)]
pub struct SparseEmbedding {
    /// `[num_buckets, dimension]`.
    pub table: Param<Tensor<2>>,
    #[module(skip)]
    combiner: Combiner,
}

impl SparseEmbedding {
    /// A table of `buckets × dimension` drawn from `N(0, 1/dimension)` (TF's initializer).
    pub fn new(buckets: usize, dimension: usize, combiner: Combiner, device: &Device) -> Self {
        let std = 1.0 / (dimension.max(1) as f64).sqrt();
        let init = Initializer::Normal { mean: 0.0, std };
        SparseEmbedding {
            table: init.init([buckets, dimension], device),
            combiner,
        }
    }

    /// A table of zeros (a linear model's per-id weights), summed.
    pub fn zeros(buckets: usize, dimension: usize, device: &Device) -> Self {
        SparseEmbedding {
            table: Initializer::Zeros.init([buckets, dimension], device),
            combiner: Combiner::Sum,
        }
    }

    /// Looks up and combines each example's ids: `[batch, dimension]`.
    pub fn forward(&self, sparse: &SparseTensor) -> Tensor<2> {
        let [batch, len] = sparse.ids.dims();
        let [_, dim] = self.table.val().dims();
        let flat = sparse.ids.clone().reshape([batch * len]);
        let rows = self.table.val().select(0, flat).reshape([batch, len, dim]);
        let w = sparse.weights.clone();
        let summed = (rows * w.clone().unsqueeze_dim::<3>(2))
            .sum_dim(1)
            .reshape([batch, dim]);
        match self.combiner {
            Combiner::Sum => summed,
            Combiner::Mean => summed / w.sum_dim(1).clamp_min(1e-12),
            Combiner::Sqrtn => summed / w.square().sum_dim(1).sqrt().clamp_min(1e-12),
        }
    }
}

/// The dense input of a DNN: the dense columns and every embedding, side by side (TF's
/// `input_layer` / `DenseFeatures`).
#[derive(Module, Debug)]
pub struct InputLayer {
    /// One table per embedding column, in column order; columns that share a table (TF
    /// `shared_embedding_columns`) have one, where the first of them is.
    pub embeddings: Vec<SparseEmbedding>,
    #[module(skip)]
    width: usize,
    /// The table of each embedding column.
    #[module(skip)]
    table_of: Vec<usize>,
}

impl InputLayer {
    /// The layer for `columns`, which must all be dense or embeddings (and at least one).
    pub fn new(columns: &FeatureColumns, device: &Device) -> Result<Self, FeatureError> {
        columns.check_dense()?;
        let mut width = columns.dense_width();
        let mut embeddings = Vec::new();
        let mut table_of = Vec::new();
        let mut shared: Vec<(&str, usize)> = Vec::new();
        for e in columns.columns.iter().filter_map(|c| match c {
            FeatureColumn::Embedding(e) => Some(e),
            _ => None,
        }) {
            width += e.dimension;
            let name = e.shared_embedding_collection_name.as_deref();
            if let Some(&(_, t)) = shared.iter().find(|(n, _)| Some(*n) == name) {
                table_of.push(t);
                continue;
            }
            let buckets = e.categorical.num_buckets();
            embeddings.push(SparseEmbedding::new(
                buckets,
                e.dimension,
                e.combiner,
                device,
            ));
            table_of.push(embeddings.len() - 1);
            if let Some(n) = name {
                shared.push((n, embeddings.len() - 1));
            }
        }
        if width == 0 {
            return Err(FeatureError::InvalidColumn {
                name: String::new(),
                reason: "a DNN needs at least one dense or embedding column".into(),
            });
        }
        Ok(InputLayer {
            embeddings,
            width,
            table_of,
        })
    }

    /// The width of its output.
    pub fn width(&self) -> usize {
        self.width
    }

    /// `[batch, width]`: the dense part, then each embedding.
    pub fn forward(&self, features: &FeatureTensors) -> Tensor<2> {
        let mut parts: Vec<Tensor<2>> = features.dense.iter().cloned().collect();
        parts.extend(
            self.table_of
                .iter()
                .zip(&features.sparse)
                .filter_map(|(&t, s)| self.embeddings.get(t).map(|e| e.forward(s))),
        );
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            Tensor::cat(parts, 1)
        }
    }
}

/// A linear model over feature columns: a weight per dense value and per categorical id (summed
/// over an example's ids), plus a bias; every weight starts at zero, as in TF.
#[derive(Module, Debug)]
pub struct LinearModel {
    /// `[dense width, units]`, when there are dense columns.
    pub dense: Option<Param<Tensor<2>>>,
    /// One `[buckets, units]` table per categorical column.
    pub sparse: Vec<SparseEmbedding>,
    /// `[units]`.
    pub bias: Param<Tensor<1>>,
}

impl LinearModel {
    /// The model for `columns` (no embedding columns), with `units` outputs.
    pub fn new(
        columns: &FeatureColumns,
        units: usize,
        device: &Device,
    ) -> Result<Self, FeatureError> {
        columns.check_linear()?;
        let width = columns.dense_width();
        Ok(LinearModel {
            dense: (width > 0).then(|| Initializer::Zeros.init([width, units], device)),
            sparse: columns
                .sparse_specs()
                .into_iter()
                .map(|s| SparseEmbedding::zeros(s.num_buckets, units, device))
                .collect(),
            bias: Initializer::Zeros.init([units], device),
        })
    }

    /// `[batch, units]`.
    pub fn forward(&self, features: &FeatureTensors) -> Tensor<2> {
        let bias = self.bias.val().unsqueeze_dim::<2>(0);
        let [units] = self.bias.val().dims();
        let mut out = match (&self.dense, &features.dense) {
            (Some(w), Some(x)) => x.clone().matmul(w.val()) + bias,
            _ => bias.expand([features.batch_size, units]),
        };
        for (table, ids) in self.sparse.iter().zip(&features.sparse) {
            out = out + table.forward(ids);
        }
        out
    }
}
