//! The penguins table of the `penguins` example (and of `tests/premade_penguins.rs`): the
//! shipped CSV, its fixed 80/20 split, the feature columns of each premade estimator, and the
//! batch stream they train on.

#![allow(dead_code)]

use estimator_runtime::feature_column::*;
use estimator_runtime::premade::*;

pub const NUMERIC: [&str; 4] = [
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
];
pub const SPECIES: [&str; 3] = ["Adelie", "Chinstrap", "Gentoo"];

pub fn island() -> CategoricalColumn {
    categorical_column_with_vocabulary_list("island", ["Biscoe", "Dream", "Torgersen"])
}

pub fn sex() -> CategoricalColumn {
    categorical_column_with_vocabulary_list("sex", ["female", "male"])
}

/// Each measurement standardised by the training rows' mean and deviation (missing values
/// become the mean, i.e. 0).
pub fn numeric_columns(train: &FeatureBatch) -> Vec<FeatureColumn> {
    NUMERIC
        .iter()
        .map(|&key| {
            let Some(ColumnValues::Float(v)) = train.get(key) else {
                return numeric_column(key).into();
            };
            let seen: Vec<f32> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let mean = seen.iter().sum::<f32>() / seen.len().max(1) as f32;
            let var =
                seen.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / seen.len().max(1) as f32;
            numeric_column(key)
                .with_default_value(mean)
                .with_normalizer(Normalizer::Standardize {
                    mean,
                    std: var.sqrt().max(1e-6),
                })
                .into()
        })
        .collect()
}

pub fn linear_columns(train: &FeatureBatch) -> FeatureColumns {
    let mut columns = numeric_columns(train);
    columns.push(island().into());
    columns.push(sex().into());
    columns.push(crossed_column([island(), sex()], 12).into());
    FeatureColumns::new(columns)
}

pub fn dnn_columns(train: &FeatureBatch) -> FeatureColumns {
    let mut columns = numeric_columns(train);
    columns.push(indicator_column(island()));
    columns.push(indicator_column(sex()));
    FeatureColumns::new(columns)
}

/// The table without `year`, split 80/20 by a fixed permutation.
pub fn load() -> Result<(FeatureBatch, FeatureBatch), FeatureError> {
    let table = read_csv(include_str!("../data/penguins.csv"), &NUMERIC)?.without("year");
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for i in 0..table.len() {
        if (i * 7919) % 10 < 2 {
            test.push(i)
        } else {
            train.push(i)
        }
    }
    Ok((table.select(&train), table.select(&test)))
}

/// Batches of 32 rows, in a new order each epoch, forever.
pub fn stream<F: Clone, L: Clone>(batches: Vec<(F, L)>) -> impl Iterator<Item = (F, L)> {
    (0usize..).flat_map(move |epoch| {
        let n = batches.len();
        (0..n).map(move |i| (i * 5 + epoch) % n).map({
            let b = batches.clone();
            move |i| b[i].clone()
        })
    })
}

pub fn batches<C: PremadeConfig>(
    est: &Premade<C>,
    table: &FeatureBatch,
) -> Result<Vec<PremadeBatch<C>>, FeatureError> {
    let rows: Vec<usize> = (0..table.len()).collect();
    rows.chunks(32)
        .map(|idx| est.input(&table.select(idx), "species"))
        .collect()
}
