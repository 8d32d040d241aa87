//! The penguins table as TFRecord files of tf.Examples, both ways: `write` turns the CSV's
//! rows into Examples (numbers as float features, strings as bytes features, `NA` as an
//! absent feature, as TF pipelines write them), and `read` parses files matched by globs back
//! into a `FeatureBatch` through `make_parse_example_spec` + `parse_example`.

use estimator_runtime::data::example::{Example, Feature};
use estimator_runtime::data::*;
use estimator_runtime::feature_column::*;
use std::path::{Path, PathBuf};

/// One row's Example: every present value, under the CSV's column name.
fn example(table: &FeatureBatch, row: usize) -> Example {
    let mut features = Vec::new();
    for name in table.names() {
        match table.get(name) {
            Some(ColumnValues::Float(v)) if !v[row].is_nan() => {
                features.push((name, Feature::floats([v[row]])))
            }
            Some(ColumnValues::Str(v)) if !v[row].is_empty() => {
                features.push((name, Feature::bytes([v[row].as_str()])))
            }
            _ => {}
        }
    }
    Example::from_features(features)
}

/// Writes `table`'s rows round-robin into `shards` files `DIR/PREFIX-<i>.tfrecord`, the odd
/// ones GZIP (`.gz`); returns the paths.
pub fn write(
    table: &FeatureBatch,
    dir: &Path,
    prefix: &str,
    shards: usize,
) -> Result<Vec<PathBuf>, DataError> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths = Vec::new();
    for shard in 0..shards {
        let gzip = shard % 2 == 1;
        let suffix = if gzip { ".gz" } else { "" };
        let path = dir.join(format!("{prefix}-{shard}.tfrecord{suffix}"));
        let compression = if gzip {
            Compression::Gzip
        } else {
            Compression::None
        };
        let mut writer = TfRecordWriter::create(&path, compression)?;
        for row in (shard..table.len()).step_by(shards) {
            writer.write(&example(table, row).to_bytes())?;
        }
        writer.finish()?;
        paths.push(path);
    }
    Ok(paths)
}

/// The parse spec of the raw columns: the measurements as `FixedLen([1], float32)` whose
/// default is NaN (so the model's numeric column default, the training mean, applies to an
/// absent value), island and sex as `VarLen(string)`, and the label `species` as a required
/// `FixedLen([], string)`.
pub fn spec(numeric: &[&str], categorical: &[CategoricalColumn]) -> Result<ParseSpec, DataError> {
    let mut columns: Vec<FeatureColumn> = numeric
        .iter()
        .map(|&k| numeric_column(k).with_default_value(f32::NAN).into())
        .collect();
    columns.extend(categorical.iter().cloned().map(FeatureColumn::from));
    let mut spec = make_parse_example_spec(&FeatureColumns::new(columns))?;
    spec.insert("species".into(), FeatureSpec::fixed([], DType::String));
    Ok(spec)
}

/// Every Example in the files matching `patterns` (GZIP by `.gz` suffix unless `compression`
/// says), in file order, as one batch.
pub fn read(
    patterns: &[&str],
    compression: Option<Compression>,
    spec: ParseSpec,
) -> Result<FeatureBatch, DataError> {
    let mut files = TfRecordFiles::glob_all(patterns)?;
    if let Some(c) = compression {
        files = files.compression(c);
    }
    let batches = files
        .records()
        .batch(64, false)
        .map_parallel(move |records| parse_example(&records, &spec), 2)
        .prefetch(2);
    let parts: Vec<FeatureBatch> = batches.iter().collect::<Result<_, _>>()?;
    Ok(FeatureBatch::concat(&parts)?)
}
