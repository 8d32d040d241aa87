//! Embedding combiners on multivalent input, plain and through `weighted_categorical_column`
//! (issue 24), against TF 2.15's `DenseFeatures` outputs for the same table
//! (`tests/fixtures/tf/combiners.json`, from `scripts/tf_checkpoint_fixtures.py`).

#![allow(clippy::unwrap_used)] // the helper reads the fixture

use burn::module::Param;
use estimator_runtime::feature_column::*;
use estimator_runtime::prelude::*;

fn fixture() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tf/combiners.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn combiners_and_weights_embed_as_tf() {
    let f = fixture();
    let table: Vec<Vec<f32>> = serde_json::from_value(f["table"].clone()).unwrap();
    let ids: Vec<Vec<i64>> = serde_json::from_value(f["ids"].clone()).unwrap();
    let weights: Vec<Vec<f32>> = serde_json::from_value(f["weights"].clone()).unwrap();
    let padded: Vec<f32> = weights
        .iter()
        .flat_map(|w| (0..3).map(|j| w.get(j).copied().unwrap_or(0.0)))
        .collect();
    let batch = FeatureBatch::new(ids.len())
        .with("w", ColumnValues::IntList(ids))
        .with("wt", ColumnValues::Float(padded));
    let device = Device::default();
    let flat: Vec<f32> = table.iter().flatten().copied().collect();
    let mut checked = 0;
    for (combiner, name) in [
        (Combiner::Sum, "sum"),
        (Combiner::Mean, "mean"),
        (Combiner::Sqrtn, "sqrtn"),
    ] {
        for weighted in [false, true] {
            let mut cat = categorical_column_with_identity("w", 4);
            if weighted {
                cat = weighted_categorical_column(cat, "wt");
            }
            let columns =
                FeatureColumns::new([embedding_column(cat, 2).with_combiner(combiner).into()]);
            let mut layer = InputLayer::new(&columns, &device).unwrap();
            layer.embeddings[0].table = Param::from_tensor(Tensor::from_data(
                TensorData::new(flat.clone(), [4, 2]),
                &device,
            ));
            // lenient: the unweighted columns do not read `wt`
            let encoded = FeatureEncoder::new(columns)
                .unwrap()
                .encode_lenient(&batch, &device)
                .unwrap();
            let got: Vec<f32> = layer.forward(&encoded).into_data().try_to_vec().unwrap();
            let key = format!("{name}{}", if weighted { "_weighted" } else { "" });
            let want: Vec<Vec<f32>> = serde_json::from_value(f["outputs"][&key].clone()).unwrap();
            for (g, w) in got.iter().zip(want.iter().flatten()) {
                assert!((g - w).abs() < 1e-5, "{key}: {got:?} vs TF {want:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
}

#[test]
fn weighted_ids_fill_indicators_and_need_a_weight_each() {
    let device = Device::default();
    let cat = weighted_categorical_column(categorical_column_with_identity("w", 3), "wt");
    let batch = FeatureBatch::new(2)
        .with("w", ColumnValues::IntList(vec![vec![0, 2], vec![1]]))
        .with("wt", ColumnValues::Float(vec![0.5, 2.0, 3.0, 0.0]));
    let columns = FeatureColumns::new([indicator_column(cat.clone())]);
    let dense = FeatureEncoder::new(columns)
        .unwrap()
        .encode(&batch, &device)
        .unwrap()
        .dense
        .unwrap();
    assert_eq!(
        dense.into_data().try_to_vec::<f32>().unwrap(),
        [0.5, 0.0, 2.0, 0.0, 3.0, 0.0]
    );
    let short = batch
        .clone()
        .with("wt", ColumnValues::Float(vec![1.0, 2.0]));
    let columns = FeatureColumns::new([indicator_column(cat.clone())]);
    assert!(
        FeatureEncoder::new(columns)
            .unwrap()
            .encode(&short, &device)
            .is_err()
    );
    let cross = crossed_column([cat, categorical_column_with_identity("w", 3)], 5);
    assert!(FeatureEncoder::new(FeatureColumns::new([cross.into()])).is_err());
}
