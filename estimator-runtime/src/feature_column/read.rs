//! Reading a batch's raw columns: numbers (with default and normalizer), bucket ids, raw
//! strings, identity ids; each checks the column's dtype and length.

use super::batch::{ColumnValues, FeatureBatch};
use super::columns::{BucketizedColumn, NumericColumn};
use super::encode::Ids;
use super::error::FeatureError;

/// A numeric column's `examples × shape` values, with default and normalizer applied.
pub(crate) fn numeric_values(
    c: &NumericColumn,
    batch: &FeatureBatch,
) -> Result<Vec<f32>, FeatureError> {
    let values: Vec<f32> = match batch.require(&c.key)? {
        ColumnValues::Float(v) => v.clone(),
        ColumnValues::Int(v) => v.iter().map(|&x| x as f32).collect(),
        other => {
            return Err(FeatureError::WrongDtype {
                name: c.key.clone(),
                expected: "float",
                found: other.dtype_name(),
            });
        }
    };
    let expected = batch.len() * c.shape;
    if values.len() != expected {
        return Err(FeatureError::WrongLength {
            name: c.key.clone(),
            expected,
            found: values.len(),
        });
    }
    Ok(values
        .into_iter()
        .map(|x| match (x.is_nan(), c.default_value) {
            (true, Some(d)) => d,
            _ => x,
        })
        .map(|x| c.normalizer.as_ref().map_or(x, |n| n.apply(x)))
        .collect())
}

/// Bucket ids: value `j` of an example falls in bucket `b` → id `j * (boundaries + 1) + b`.
pub(crate) fn bucket_ids(b: &BucketizedColumn, batch: &FeatureBatch) -> Result<Ids, FeatureError> {
    let values = numeric_values(&b.source, batch)?;
    let per = b.boundaries.len() + 1;
    Ok(values
        .chunks(b.source.shape.max(1))
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(j, &x)| j * per + b.bucket(x))
                .collect()
        })
        .collect())
}

/// Each example's raw values as strings: strings as they are (empty ones dropped, as TF
/// drops missing values), integers as decimal text (negative ones dropped).
pub(crate) fn raw_strings(
    key: &str,
    batch: &FeatureBatch,
) -> Result<Vec<Vec<String>>, FeatureError> {
    let keep = |s: &String| !s.is_empty();
    let out: Vec<Vec<String>> = match batch.require(key)? {
        ColumnValues::Str(v) => v
            .iter()
            .map(|s| keep(s).then(|| s.clone()).into_iter().collect())
            .collect(),
        ColumnValues::StrList(v) => v
            .iter()
            .map(|ss| ss.iter().filter(|s| keep(s)).cloned().collect())
            .collect(),
        ColumnValues::Int(v) => v
            .iter()
            .map(|&x| (x >= 0).then(|| x.to_string()).into_iter().collect())
            .collect(),
        ColumnValues::IntList(v) => v
            .iter()
            .map(|xs| {
                xs.iter()
                    .filter(|&&x| x >= 0)
                    .map(|x| x.to_string())
                    .collect()
            })
            .collect(),
        ColumnValues::Float(_) => {
            return Err(FeatureError::WrongDtype {
                name: key.to_string(),
                expected: "string or int",
                found: "float",
            });
        }
    };
    check_examples(key, batch, out)
}

fn check_examples<T>(
    key: &str,
    batch: &FeatureBatch,
    rows: Vec<T>,
) -> Result<Vec<T>, FeatureError> {
    if rows.len() != batch.len() {
        return Err(FeatureError::WrongLength {
            name: key.to_string(),
            expected: batch.len(),
            found: rows.len(),
        });
    }
    Ok(rows)
}

pub(crate) fn identity_ids(
    key: &str,
    num_buckets: usize,
    default_value: Option<usize>,
    batch: &FeatureBatch,
) -> Result<Ids, FeatureError> {
    let rows: Vec<Vec<i64>> = match batch.require(key)? {
        ColumnValues::Int(v) => v.iter().map(|&x| vec![x]).collect(),
        ColumnValues::IntList(v) => v.clone(),
        other => {
            return Err(FeatureError::WrongDtype {
                name: key.to_string(),
                expected: "int",
                found: other.dtype_name(),
            });
        }
    };
    let id = |x: i64| -> Result<usize, FeatureError> {
        match (
            usize::try_from(x).ok().filter(|&i| i < num_buckets),
            default_value,
        ) {
            (Some(i), _) => Ok(i),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(FeatureError::OutOfVocabulary {
                name: key.to_string(),
                value: x.to_string(),
            }),
        }
    };
    let ids = rows
        .iter()
        .map(|xs| xs.iter().filter(|&&x| x >= 0).map(|&x| id(x)).collect())
        .collect::<Result<Ids, _>>()?;
    check_examples(key, batch, ids)
}
