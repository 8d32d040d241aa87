//! Parse specs (TF's `FixedLenFeature`, `VarLenFeature`) and `make_parse_example_spec`.

use crate::data::error::ParseError;
use crate::feature_column::{CategoricalColumn, ColumnValues, FeatureColumn, FeatureColumns};
use std::collections::BTreeMap;

/// The dtype of a parsed feature: which `tf.Example` list it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    /// `tf.float32`, from a `float_list`.
    Float32,
    /// `tf.int64`, from an `int64_list`.
    Int64,
    /// `tf.string`, from a `bytes_list` (UTF-8 text here).
    String,
}

impl DType {
    /// The `tf.Example` list of this dtype.
    pub fn list_name(self) -> &'static str {
        match self {
            DType::Float32 => "float_list",
            DType::Int64 => "int64_list",
            DType::String => "bytes_list",
        }
    }
}

/// How one feature is parsed (TF's `tf.io.FixedLenFeature` / `tf.io.VarLenFeature`).
///
/// Into a [`FeatureBatch`](crate::feature_column::FeatureBatch) column:
/// | spec | column |
/// |---|---|
/// | `FixedLen` float32, any shape | `Float` (examples × shape values) |
/// | `FixedLen` int64 / string, one value | `Int` / `Str` |
/// | `FixedLen` int64 / string, several values | `IntList` / `StrList` |
/// | `VarLen` int64 / string | `IntList` / `StrList` (TF's `SparseTensor`, row by row) |
///
/// A `VarLen` float32 feature has no `FeatureBatch` column type and is an
/// [`ParseError::InvalidSpec`].
#[derive(Clone, Debug, PartialEq)]
pub enum FeatureSpec {
    /// Exactly `shape.iter().product()` values per example; `default` fills a missing feature
    /// (one value is repeated over the shape), and without one the feature is required.
    FixedLen {
        /// The dense shape of one example's values (`[]` and `[1]` both hold one value).
        shape: Vec<usize>,
        /// The dtype.
        dtype: DType,
        /// The values of an example without the feature.
        default: Option<ColumnValues>,
    },
    /// Any number of values per example (none when absent).
    VarLen {
        /// The dtype.
        dtype: DType,
    },
}

impl FeatureSpec {
    /// A required `FixedLen` feature.
    pub fn fixed(shape: impl Into<Vec<usize>>, dtype: DType) -> FeatureSpec {
        FeatureSpec::FixedLen {
            shape: shape.into(),
            dtype,
            default: None,
        }
    }

    /// A `VarLen` feature.
    pub fn var_len(dtype: DType) -> FeatureSpec {
        FeatureSpec::VarLen { dtype }
    }

    /// The `FixedLen` feature with `default` for missing values (no effect on `VarLen`).
    pub fn with_default(mut self, value: ColumnValues) -> FeatureSpec {
        if let FeatureSpec::FixedLen { default, .. } = &mut self {
            *default = Some(value);
        }
        self
    }

    /// The dtype.
    pub fn dtype(&self) -> DType {
        match self {
            FeatureSpec::FixedLen { dtype, .. } | FeatureSpec::VarLen { dtype } => *dtype,
        }
    }
}

/// Feature name → how to parse it (TF's `features` dict of `parse_example`).
pub type ParseSpec = BTreeMap<String, FeatureSpec>;

/// The parse spec that feature columns read (TF's `tf.feature_column.make_parse_example_spec`):
/// a numeric column (and a bucketized one's source) is `FixedLen([shape], float32)` with the
/// column's default value; vocabulary and hash-bucket columns are `VarLen(string)`; identity
/// columns `VarLen(int64)`; crosses ask for their parts; the weight column is
/// `FixedLen([1], float32)`. Add the label's spec yourself, as in TF.
///
/// ```
/// use estimator_runtime::data::{DType, FeatureSpec, make_parse_example_spec};
/// use estimator_runtime::feature_column::*;
/// let columns = FeatureColumns::new([
///     numeric_column("age").with_default_value(40.0).into(),
///     indicator_column(categorical_column_with_vocabulary_list("city", ["Oslo", "Rome"])),
/// ]);
/// let spec = make_parse_example_spec(&columns).unwrap();
/// assert_eq!(spec["city"], FeatureSpec::var_len(DType::String));
/// assert_eq!(spec["age"], FeatureSpec::fixed([1], DType::Float32).with_default(ColumnValues::Float(vec![40.0])));
/// ```
pub fn make_parse_example_spec(columns: &FeatureColumns) -> Result<ParseSpec, ParseError> {
    let mut spec = ParseSpec::new();
    let mut wanted = Vec::new();
    for column in &columns.columns {
        column_specs(column, &mut wanted);
    }
    if let Some(weight) = &columns.weight_column {
        wanted.push((weight.clone(), FeatureSpec::fixed([1], DType::Float32)));
    }
    for (key, feature) in wanted {
        match spec.get(&key) {
            Some(seen) if *seen != feature => {
                return Err(ParseError::InvalidSpec {
                    reason: format!(
                        "feature columns ask for it as {seen:?} and as {feature:?}; use one raw feature per meaning"
                    ),
                    feature: key,
                });
            }
            _ => spec.insert(key, feature),
        };
    }
    Ok(spec)
}

fn column_specs(column: &FeatureColumn, out: &mut Vec<(String, FeatureSpec)>) {
    match column {
        FeatureColumn::Numeric(n) => out.push(numeric_spec(&n.key, n.shape, n.default_value)),
        FeatureColumn::Bucketized(b) => out.push(numeric_spec(
            &b.source.key,
            b.source.shape,
            b.source.default_value,
        )),
        FeatureColumn::Categorical(c) | FeatureColumn::Indicator(c) => categorical_specs(c, out),
        FeatureColumn::Embedding(e) => categorical_specs(&e.categorical, out),
    }
}

fn numeric_spec(key: &str, shape: usize, default: Option<f32>) -> (String, FeatureSpec) {
    let spec = FeatureSpec::fixed([shape], DType::Float32);
    let spec = match default {
        Some(d) => spec.with_default(ColumnValues::Float(vec![d; shape])),
        None => spec,
    };
    (key.to_string(), spec)
}

fn categorical_specs(c: &CategoricalColumn, out: &mut Vec<(String, FeatureSpec)>) {
    match c {
        CategoricalColumn::VocabularyList { key, .. }
        | CategoricalColumn::HashBucket { key, .. } => {
            out.push((key.clone(), FeatureSpec::var_len(DType::String)))
        }
        CategoricalColumn::Identity { key, .. } => {
            out.push((key.clone(), FeatureSpec::var_len(DType::Int64)))
        }
        CategoricalColumn::Bucketized(b) => out.push(numeric_spec(
            &b.source.key,
            b.source.shape,
            b.source.default_value,
        )),
        CategoricalColumn::Crossed { keys, .. } => {
            keys.iter().for_each(|k| categorical_specs(k, out))
        }
        // TF parses the weights as a VarLen float; a `FeatureBatch` has no list-of-floats
        // column, so here they are one weight per example (univalent ids).
        CategoricalColumn::Weighted {
            categorical,
            weight_feature_key,
        } => {
            categorical_specs(categorical, out);
            out.push(numeric_spec(weight_feature_key, 1, None));
        }
    }
}
