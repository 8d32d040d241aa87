//! `weighted_categorical_column`: the weights of a categorical column's ids, read from another
//! raw column.

use super::batch::{ColumnValues, FeatureBatch};
use super::columns::CategoricalColumn;
use super::error::FeatureError;

/// `categorical`'s ids weighted by the raw column `weight_feature_key` (TF
/// `weighted_categorical_column`): a float column with, per example, one value per id (its
/// shape the most ids an example has; the `j`-th present id takes the `j`-th value).
///
/// ```
/// use estimator_runtime::feature_column::*;
/// let c = weighted_categorical_column(categorical_column_with_identity("word", 10), "count");
/// assert_eq!(c.name(), "word_weighted_by_count");
/// ```
pub fn weighted_categorical_column(
    categorical: CategoricalColumn,
    weight_feature_key: impl Into<String>,
) -> CategoricalColumn {
    CategoricalColumn::Weighted {
        categorical: Box::new(categorical),
        weight_feature_key: weight_feature_key.into(),
    }
}

/// Each id's weight: 1, or for a weighted column the weight column's value at its position.
pub(crate) fn id_weights(
    column: &CategoricalColumn,
    batch: &FeatureBatch,
    ids: &[Vec<usize>],
) -> Result<Vec<Vec<f32>>, FeatureError> {
    let CategoricalColumn::Weighted {
        weight_feature_key: key,
        ..
    } = column
    else {
        return Ok(ids.iter().map(|row| vec![1.0; row.len()]).collect());
    };
    let values: Vec<f32> = match batch.require(key)? {
        ColumnValues::Float(v) => v.clone(),
        ColumnValues::Int(v) => v.iter().map(|&x| x as f32).collect(),
        other => {
            return Err(FeatureError::WrongDtype {
                name: key.clone(),
                expected: "float",
                found: other.dtype_name(),
            });
        }
    };
    let n = ids.len().max(1);
    let per_example = values.len() / n;
    if !values.len().is_multiple_of(n) || ids.iter().any(|row| row.len() > per_example) {
        return Err(FeatureError::InvalidColumn {
            name: column.name(),
            reason: format!(
                "weight column `{key}` has {} values for {} examples; it needs one per id",
                values.len(),
                ids.len()
            ),
        });
    }
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, row)| values[i * per_example..i * per_example + row.len()].to_vec())
        .collect())
}
