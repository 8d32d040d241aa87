//! `shared_embedding_columns`: several categorical columns looked up in one embedding table.

use super::columns::{CategoricalColumn, EmbeddingColumn, embedding_column};
use super::error::FeatureError;

/// Embedding columns of `categorical_columns` that share one `dimension`-sized table (TF 1's
/// `shared_embedding_columns`, TF 2's `shared_embeddings`), combined by mean. As in TF, the
/// columns must have the same number of buckets; the table is named after their sorted names,
/// `a_b_shared_embedding`, and each column `a_shared_embedding`.
///
/// ```
/// use estimator_runtime::feature_column::*;
/// let shared = shared_embedding_columns(
///     [categorical_column_with_hash_bucket("sex", 3), categorical_column_with_hash_bucket("island", 3)],
///     2,
/// )
/// .unwrap();
/// assert_eq!(shared[0].shared_embedding_collection_name.as_deref(), Some("island_sex_shared_embedding"));
/// let columns = FeatureColumns::new(shared.into_iter().map(FeatureColumn::from));
/// let layer = InputLayer::new(&columns, &estimator_runtime::prelude::Device::default()).unwrap();
/// assert_eq!((layer.embeddings.len(), layer.width()), (1, 4)); // one table, two lookups
/// ```
pub fn shared_embedding_columns(
    categorical_columns: impl IntoIterator<Item = CategoricalColumn>,
    dimension: usize,
) -> Result<Vec<EmbeddingColumn>, FeatureError> {
    let columns: Vec<CategoricalColumn> = categorical_columns.into_iter().collect();
    let Some(first) = columns.first() else {
        return Err(FeatureError::InvalidColumn {
            name: String::new(),
            reason: "shared_embedding_columns needs at least one categorical column".into(),
        });
    };
    if let Some(other) = columns
        .iter()
        .find(|c| c.num_buckets() != first.num_buckets())
    {
        return Err(FeatureError::InvalidColumn {
            name: other.name(),
            reason: format!(
                "shared embedding columns must have the same number of buckets: {} has {}, {} has {}",
                first.name(),
                first.num_buckets(),
                other.name(),
                other.num_buckets()
            ),
        });
    }
    let mut names: Vec<String> = columns.iter().map(CategoricalColumn::name).collect();
    names.sort();
    let shared = format!("{}_shared_embedding", names.join("_"));
    Ok(columns
        .into_iter()
        .map(|c| EmbeddingColumn {
            shared_embedding_collection_name: Some(shared.clone()),
            ..embedding_column(c, dimension)
        })
        .collect())
}
