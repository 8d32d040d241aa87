//! The premade estimators' TF variable names (TF 2.15's canned `DNNClassifier`,
//! `LinearClassifier`, `DNNLinearCombinedClassifier` and regressors) mapped onto their
//! parameters, for [`Premade::new_warm_started_from_tf`](super::Premade::new_warm_started_from_tf).
//!
//! TF's input layer orders its columns by name; this project's `InputLayer` puts the dense
//! columns first, in the given order, then the embeddings. So `dnn/hiddenlayer_0/kernel`'s rows
//! are taken block by block, each column's rows from where TF put them. Kernels are `[in, out]`
//! in both. A linear model's per-column `weights` stack into the dense `[width, units]`
//! parameter in column order; categorical columns keep one table each.

use crate::feature_column::{CategoricalColumn, FeatureColumn, FeatureColumns};
use crate::tf_checkpoint::{TfBlock, TfSource, TfVarMap};

/// TF's name of a categorical column: a cross's leaf names sorted and joined by `_X_`.
pub fn tf_categorical_name(column: &CategoricalColumn) -> String {
    match column {
        CategoricalColumn::Crossed { keys, .. } => {
            let mut leaves = Vec::new();
            leaf_names(keys, &mut leaves);
            leaves.sort();
            leaves.join("_X_")
        }
        other => other.name(),
    }
}

fn leaf_names(keys: &[CategoricalColumn], out: &mut Vec<String>) {
    for key in keys {
        match key {
            CategoricalColumn::Crossed { keys, .. } => leaf_names(keys, out),
            other => out.push(other.name()),
        }
    }
}

/// TF's name of a feature column (`x`, `x_bucketized`, `c_indicator`, `c_embedding`, `c`).
pub fn tf_column_name(column: &FeatureColumn) -> String {
    match column {
        FeatureColumn::Numeric(n) => n.key.clone(),
        FeatureColumn::Bucketized(b) => format!("{}_bucketized", b.source.key),
        FeatureColumn::Categorical(c) => tf_categorical_name(c),
        FeatureColumn::Indicator(c) => format!("{}_indicator", tf_categorical_name(c)),
        FeatureColumn::Embedding(e) if e.shared_embedding_collection_name.is_some() => {
            format!("{}_shared_embedding", tf_categorical_name(&e.categorical))
        }
        FeatureColumn::Embedding(e) => format!("{}_embedding", tf_categorical_name(&e.categorical)),
    }
}

/// The input width a column gives a DNN.
fn dnn_width(column: &FeatureColumn) -> usize {
    match column {
        FeatureColumn::Embedding(e) => e.dimension,
        FeatureColumn::Categorical(_) => 0,
        other => crate::feature_column::dense_width(other),
    }
}

/// A `Dnn`'s parameters (`input.embeddings.i.table`, `hidden.i.weight|bias`,
/// `logits.weight|bias`) from TF's names under `scope` (`dnn`).
pub fn dnn_var_map(columns: &FeatureColumns, hidden_layers: usize, scope: &str) -> TfVarMap {
    let layer = |i: usize| {
        if i < hidden_layers {
            format!("{scope}/hiddenlayer_{i}")
        } else {
            format!("{scope}/logits")
        }
    };
    let mut map = TfVarMap::new();
    for i in 0..=hidden_layers {
        let param = if i < hidden_layers {
            format!("hidden.{i}")
        } else {
            "logits".into()
        };
        map = map.with(
            format!("{param}.bias"),
            TfSource::whole(format!("{}/bias", layer(i))),
        );
        if i > 0 {
            map = map.with(
                format!("{param}.weight"),
                TfSource::whole(format!("{}/kernel", layer(i))),
            );
        }
    }
    let first = if hidden_layers > 0 {
        "hidden.0.weight"
    } else {
        "logits.weight"
    };
    map = map.with(
        first,
        first_kernel(columns, &format!("{}/kernel", layer(0))),
    );
    // One table per embedding column, one per shared collection (TF 1's
    // `<sorted names>_shared_embedding` variable), as `InputLayer` makes them.
    let mut tables: Vec<String> = Vec::new();
    for c in &columns.columns {
        let FeatureColumn::Embedding(e) = c else {
            continue;
        };
        let table = e
            .shared_embedding_collection_name
            .clone()
            .unwrap_or_else(|| tf_column_name(c));
        if e.shared_embedding_collection_name.is_none() || !tables.contains(&table) {
            tables.push(table);
        }
    }
    for (i, table) in tables.iter().enumerate() {
        let name =
            format!("{scope}/input_from_feature_columns/input_layer/{table}/embedding_weights");
        map = map.with(format!("input.embeddings.{i}.table"), TfSource::whole(name));
    }
    map
}

/// A `Dnn`'s batch norms (`norms.i.gamma|beta|running_mean|running_var`) from TF's names under
/// `scope` (`dnn`): Keras's `BatchNormalization` of hidden layer `i` is
/// `{scope}/hiddenlayer_{i}/batchnorm_{i}/gamma|beta|moving_mean|moving_variance`.
///
/// ```
/// use estimator_runtime::premade::tf_names::dnn_batch_norm_var_map;
/// let map = dnn_batch_norm_var_map(2, "dnn");
/// let source = map.get("norms.1.running_var").unwrap();
/// assert_eq!(source.blocks[0].name, "dnn/hiddenlayer_1/batchnorm_1/moving_variance");
/// ```
pub fn dnn_batch_norm_var_map(hidden_layers: usize, scope: &str) -> TfVarMap {
    let names = [
        ("gamma", "gamma"),
        ("beta", "beta"),
        ("running_mean", "moving_mean"),
        ("running_var", "moving_variance"),
    ];
    (0..hidden_layers)
        .flat_map(|i| names.map(|(ours, tf)| (i, ours, tf)))
        .fold(TfVarMap::new(), |map, (i, ours, tf)| {
            map.with(
                format!("norms.{i}.{ours}"),
                TfSource::whole(format!("{scope}/hiddenlayer_{i}/batchnorm_{i}/{tf}")),
            )
        })
}

/// The first kernel's rows: this project's order (dense columns, then embeddings) taken from
/// TF's (every column by name).
fn first_kernel(columns: &FeatureColumns, kernel: &str) -> TfSource {
    let used: Vec<&FeatureColumn> = columns
        .columns
        .iter()
        .filter(|c| dnn_width(c) > 0)
        .collect();
    let mut by_name = used.clone();
    by_name.sort_by_key(|c| tf_column_name(c));
    let mut tf_offset = std::collections::HashMap::new();
    let mut at = 0;
    for c in by_name {
        tf_offset.insert(tf_column_name(c), at);
        at += dnn_width(c);
    }
    let (dense, embedded): (Vec<_>, Vec<_>) = used
        .into_iter()
        .partition(|c| !matches!(c, FeatureColumn::Embedding(_)));
    let blocks = dense
        .into_iter()
        .chain(embedded)
        .map(|c| {
            let start = tf_offset.get(&tf_column_name(c)).copied().unwrap_or(0);
            TfBlock {
                name: kernel.to_string(),
                rows: Some(start..start + dnn_width(c)),
            }
        })
        .collect();
    TfSource {
        blocks,
        transpose: false,
    }
}

/// A `LinearModel`'s parameters (`dense`, `sparse.i.table`, `bias`) from TF's
/// `{scope}/linear_model/<column>/weights` and `bias_weights`.
pub fn linear_var_map(columns: &FeatureColumns, scope: &str) -> TfVarMap {
    let weights = |c: &FeatureColumn| format!("{scope}/linear_model/{}/weights", tf_column_name(c));
    let mut map = TfVarMap::new().with(
        "bias",
        TfSource::whole(format!("{scope}/linear_model/bias_weights")),
    );
    let dense: Vec<TfBlock> = columns
        .columns
        .iter()
        .filter(|c| crate::feature_column::dense_width(c) > 0)
        .map(|c| TfBlock {
            name: weights(c),
            rows: None,
        })
        .collect();
    if !dense.is_empty() {
        map = map.with(
            "dense",
            TfSource {
                blocks: dense,
                transpose: false,
            },
        );
    }
    let sparse = columns
        .columns
        .iter()
        .filter(|c| matches!(c, FeatureColumn::Categorical(_)));
    for (i, c) in sparse.enumerate() {
        map = map.with(format!("sparse.{i}.table"), TfSource::whole(weights(c)));
    }
    map
}
