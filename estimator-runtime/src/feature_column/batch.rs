//! `FeatureBatch`: one batch of named raw input columns (numbers or strings), as TF's features
//! dict before the feature columns transform it.

use super::error::FeatureError;
use std::collections::BTreeMap;

/// The values of one named column for a whole batch.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnValues {
    /// Numbers, `examples × shape` of them, row-major.
    Float(Vec<f32>),
    /// Integers, one per example (ids for identity columns, or numbers).
    Int(Vec<i64>),
    /// Strings, one per example. An empty string is a missing value (TF ignores `""`).
    Str(Vec<String>),
    /// Several strings per example (a multivalent categorical feature); may be empty.
    StrList(Vec<Vec<String>>),
    /// Several integers per example.
    IntList(Vec<Vec<i64>>),
}

impl ColumnValues {
    /// The dtype's name, for errors.
    pub fn dtype_name(&self) -> &'static str {
        match self {
            ColumnValues::Float(_) => "float",
            ColumnValues::Int(_) => "int",
            ColumnValues::Str(_) => "string",
            ColumnValues::StrList(_) => "string list",
            ColumnValues::IntList(_) => "int list",
        }
    }

    /// How many values (not examples) it holds.
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Float(v) => v.len(),
            ColumnValues::Int(v) => v.len(),
            ColumnValues::Str(v) => v.len(),
            ColumnValues::StrList(v) => v.len(),
            ColumnValues::IntList(v) => v.len(),
        }
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One batch of raw features: named columns of the same number of examples.
///
/// ```
/// use estimator_runtime::feature_column::{ColumnValues, FeatureBatch};
/// let batch = FeatureBatch::new(2)
///     .with("age", ColumnValues::Float(vec![31.0, 45.0]))
///     .with("city", ColumnValues::Str(vec!["Oslo".into(), "Rome".into()]));
/// assert_eq!(batch.len(), 2);
/// assert!(batch.get("city").is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeatureBatch {
    examples: usize,
    columns: BTreeMap<String, ColumnValues>,
}

impl FeatureBatch {
    /// An empty batch of `examples` examples.
    pub fn new(examples: usize) -> Self {
        FeatureBatch {
            examples,
            columns: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) the column `name`.
    pub fn with(mut self, name: impl Into<String>, values: ColumnValues) -> Self {
        self.columns.insert(name.into(), values);
        self
    }

    /// Adds (or replaces) the column `name` in place.
    pub fn insert(&mut self, name: impl Into<String>, values: ColumnValues) {
        self.columns.insert(name.into(), values);
    }

    /// The number of examples.
    pub fn len(&self) -> usize {
        self.examples
    }

    /// Whether the batch has no example.
    pub fn is_empty(&self) -> bool {
        self.examples == 0
    }

    /// The batch without the column `name` (the label, say).
    pub fn without(&self, name: &str) -> FeatureBatch {
        let mut out = self.clone();
        out.columns.remove(name);
        out
    }

    /// The column `name`.
    pub fn get(&self, name: &str) -> Option<&ColumnValues> {
        self.columns.get(name)
    }

    /// The column names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    /// The column `name`, or [`FeatureError::MissingColumn`].
    pub fn require(&self, name: &str) -> Result<&ColumnValues, FeatureError> {
        self.get(name).ok_or_else(|| FeatureError::MissingColumn {
            name: name.to_string(),
            present: self.names().map(str::to_string).collect(),
        })
    }

    /// The examples `rows` of every column, as a new batch (for splitting a table into batches);
    /// rows past the end are skipped.
    pub fn select(&self, rows: &[usize]) -> FeatureBatch {
        let pick = |values: &ColumnValues| -> ColumnValues {
            let width = values.len().checked_div(self.examples).unwrap_or(0);
            match values {
                ColumnValues::Float(v) => ColumnValues::Float(
                    rows.iter()
                        .flat_map(|&r| v.get(r * width..(r + 1) * width).unwrap_or(&[]))
                        .copied()
                        .collect(),
                ),
                ColumnValues::Int(v) => {
                    ColumnValues::Int(rows.iter().filter_map(|&r| v.get(r).copied()).collect())
                }
                ColumnValues::Str(v) => {
                    ColumnValues::Str(rows.iter().filter_map(|&r| v.get(r).cloned()).collect())
                }
                ColumnValues::StrList(v) => {
                    ColumnValues::StrList(rows.iter().filter_map(|&r| v.get(r).cloned()).collect())
                }
                ColumnValues::IntList(v) => {
                    ColumnValues::IntList(rows.iter().filter_map(|&r| v.get(r).cloned()).collect())
                }
            }
        };
        FeatureBatch {
            examples: rows.iter().filter(|&&r| r < self.examples).count(),
            columns: self
                .columns
                .iter()
                .map(|(k, v)| (k.clone(), pick(v)))
                .collect(),
        }
    }
    /// The batches `parts`, one after another, as one batch (the inverse of
    /// [`select`](Self::select)); every part must have the same columns of the same types.
    ///
    /// ```
    /// use estimator_runtime::feature_column::{ColumnValues, FeatureBatch};
    /// let a = FeatureBatch::new(1).with("x", ColumnValues::Float(vec![1.0]));
    /// let b = FeatureBatch::new(2).with("x", ColumnValues::Float(vec![2.0, 3.0]));
    /// let ab = FeatureBatch::concat(&[a, b]).unwrap();
    /// assert_eq!(ab.get("x"), Some(&ColumnValues::Float(vec![1.0, 2.0, 3.0])));
    /// ```
    pub fn concat(parts: &[FeatureBatch]) -> Result<FeatureBatch, FeatureError> {
        let Some(first) = parts.first() else {
            return Ok(FeatureBatch::default());
        };
        let mut out = first.clone();
        for part in &parts[1..] {
            out.examples += part.examples;
            for (name, values) in &mut out.columns {
                append(name, values, part.require(name)?)?;
            }
        }
        Ok(out)
    }
}

fn append(name: &str, to: &mut ColumnValues, from: &ColumnValues) -> Result<(), FeatureError> {
    match (to, from) {
        (ColumnValues::Float(a), ColumnValues::Float(b)) => a.extend_from_slice(b),
        (ColumnValues::Int(a), ColumnValues::Int(b)) => a.extend_from_slice(b),
        (ColumnValues::Str(a), ColumnValues::Str(b)) => a.extend_from_slice(b),
        (ColumnValues::StrList(a), ColumnValues::StrList(b)) => a.extend_from_slice(b),
        (ColumnValues::IntList(a), ColumnValues::IntList(b)) => a.extend_from_slice(b),
        (a, b) => {
            return Err(FeatureError::WrongDtype {
                name: name.to_string(),
                expected: a.dtype_name(),
                found: b.dtype_name(),
            });
        }
    }
    Ok(())
}
