//! Feature columns against values computed by hand.

#![allow(clippy::unwrap_used)]

use super::*;
use burn::tensor::{Device, Tensor, TensorData};

fn device() -> Device {
    Device::default()
}

fn strs(v: &[&str]) -> ColumnValues {
    ColumnValues::Str(v.iter().map(|s| s.to_string()).collect())
}

fn encode(columns: Vec<FeatureColumn>, batch: &FeatureBatch) -> FeatureTensors {
    FeatureEncoder::new(FeatureColumns::new(columns))
        .unwrap()
        .encode(batch, &device())
        .unwrap()
}

fn dense(t: &FeatureTensors) -> Vec<f32> {
    t.dense.clone().unwrap().into_data().try_to_vec().unwrap()
}

fn ids(t: &FeatureTensors, i: usize) -> (Vec<i64>, Vec<f32>) {
    let s = &t.sparse[i];
    (
        s.ids
            .clone()
            .into_data()
            .convert::<i64>()
            .try_to_vec()
            .unwrap(),
        s.weights.clone().into_data().try_to_vec().unwrap(),
    )
}

#[test]
fn fingerprint_is_tfs_fingerprint64() {
    // FarmHash's Fingerprint64 of the empty string is k2; buckets from TF 2.15's
    // tf.strings.to_hash_bucket_fast (10,000 more in tests/tf_hash.rs).
    assert_eq!(fingerprint(""), 0x9ae1_6a3b_2f90_404f);
    assert_eq!(fingerprint("hello world"), 6_381_520_714_923_946_011);
    assert_eq!(hash_bucket("foobar", 3), 2);
}

#[test]
fn numeric_with_shape_default_and_normalizer() {
    let col = numeric_column("x")
        .with_shape(2)
        .with_default_value(4.0)
        .with_normalizer(Normalizer::MinMax { min: 0.0, max: 8.0 });
    let batch = FeatureBatch::new(2).with("x", ColumnValues::Float(vec![2.0, f32::NAN, 8.0, 0.0]));
    assert_eq!(
        dense(&encode(vec![col.into()], &batch)),
        [0.25, 0.5, 1.0, 0.0]
    );
    let ints = FeatureBatch::new(2).with("y", ColumnValues::Int(vec![3, 0]));
    let log = numeric_column("y").with_normalizer(Normalizer::Log1p);
    let out = dense(&encode(vec![log.into()], &ints));
    assert!((out[0] - 4f32.ln()).abs() < 1e-6 && out[1] == 0.0);
}

#[test]
fn bucketized_is_one_hot_and_per_value_ids() {
    let b = bucketized_column(numeric_column("age").with_shape(2), vec![18.0, 65.0]);
    let batch = FeatureBatch::new(2).with("age", ColumnValues::Float(vec![10.0, 18.0, 70.0, 40.0]));
    // value 0 in buckets 0..3, value 1 in buckets 3..6; 18 falls in [18, 65).
    assert_eq!(
        dense(&encode(vec![b.clone().into()], &batch)),
        [1., 0., 0., 0., 1., 0., 0., 0., 1., 0., 1., 0.]
    );
    let sparse = encode(vec![FeatureColumn::Categorical(b.into())], &batch);
    assert_eq!(ids(&sparse, 0), (vec![0, 4, 2, 4], vec![1.0; 4]));
}

#[test]
fn vocabulary_list_with_oov_buckets_default_and_missing() {
    let vocab = categorical_column_with_vocabulary_list("c", ["a", "b"]);
    let batch = FeatureBatch::new(3).with("c", strs(&["b", "foobar", "a"]));
    let oov = encode(vec![vocab.clone().with_num_oov_buckets(3).into()], &batch);
    // "foobar" → 2 + Fingerprint64("foobar") % 3 = 2 + 2 (TF's value).
    assert_eq!(ids(&oov, 0).0, [1, 4, 0]);
    let default = encode(vec![vocab.clone().with_default_value(0).into()], &batch);
    assert_eq!(ids(&default, 0).0, [1, 0, 0]);
    let missing = FeatureBatch::new(2).with("c", strs(&["", "a"]));
    assert_eq!(
        ids(&encode(vec![vocab.into()], &missing), 0),
        (vec![0, 0], vec![0.0, 1.0])
    );
}

#[test]
fn multivalent_ids_are_padded() {
    let vocab = categorical_column_with_vocabulary_list("c", ["a", "b", "c"]);
    let lists = ColumnValues::StrList(vec![vec!["a".into(), "c".into()], vec![], vec!["b".into()]]);
    let batch = FeatureBatch::new(3).with("c", lists);
    let out = encode(vec![vocab.clone().into()], &batch);
    assert_eq!(
        ids(&out, 0),
        (vec![0, 2, 0, 0, 1, 0], vec![1., 1., 0., 0., 1., 0.])
    );
    let multi_hot = dense(&encode(vec![indicator_column(vocab)], &batch));
    assert_eq!(multi_hot, [1., 0., 1., 0., 0., 0., 0., 1., 0.]);
}

#[test]
fn hash_bucket_and_identity() {
    let batch = FeatureBatch::new(2)
        .with("h", strs(&["x", "y"]))
        .with("i", ColumnValues::Int(vec![3, -1]));
    let out = encode(
        vec![
            categorical_column_with_hash_bucket("h", 5).into(),
            categorical_column_with_identity("i", 4).into(),
        ],
        &batch,
    );
    assert_eq!(ids(&out, 0).0, [0, 0]); // TF's to_hash_bucket_fast(["x", "y"], 5)
    assert_eq!(ids(&out, 1), (vec![3, 0], vec![1.0, 0.0])); // -1 is missing
}

#[test]
fn crossed_buckets_as_tf() {
    let city = categorical_column_with_vocabulary_list("city", ["Oslo", "Rome"]);
    let age = bucketized_column(numeric_column("age"), vec![30.0, 60.0]);
    let cross = crossed_column([city, age.into()], 7);
    let batch = FeatureBatch::new(2)
        .with("city", strs(&["Oslo", "Rome"]))
        .with("age", ColumnValues::Float(vec![45.0, 20.0]));
    // TF 2.15: crossed_column([bucketized_column(age), "city"], 7) gives [1, 2] (the bucket
    // id crosses first, as TF puts sparse inputs before dense ones).
    assert_eq!(ids(&encode(vec![cross.into()], &batch), 0).0, [1, 2]);
}

#[test]
fn embedding_combiners() {
    let table = [[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
    let ids = vec![vec![0, 2], vec![1]];
    let sparse = encode::sparse_tensor(&ids, &device());
    let expect = |combiner: Combiner, want: [f32; 4]| {
        let mut e = SparseEmbedding::new(3, 2, combiner, &device());
        e.table = burn::module::Param::from_tensor(Tensor::from_data(table, &device()));
        let got: Vec<f32> = e.forward(&sparse).into_data().try_to_vec().unwrap();
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "{combiner:?}: {got:?} vs {want:?}");
        }
    };
    expect(Combiner::Sum, [6.0, 8.0, 3.0, 4.0]);
    expect(Combiner::Mean, [3.0, 4.0, 3.0, 4.0]);
    let r = 2f32.sqrt();
    expect(Combiner::Sqrtn, [6.0 / r, 8.0 / r, 3.0, 4.0]);
}

#[test]
fn input_layer_and_linear_model_shapes() {
    let columns = FeatureColumns::new([
        numeric_column("x").into(),
        embedding_column(categorical_column_with_identity("i", 3), 4).into(),
    ]);
    let layer = InputLayer::new(&columns, &device()).unwrap();
    assert_eq!(layer.width(), 5);
    let batch = FeatureBatch::new(2)
        .with("x", ColumnValues::Float(vec![1.0, 2.0]))
        .with("i", ColumnValues::Int(vec![0, 2]));
    let t = FeatureEncoder::new(columns.clone())
        .unwrap()
        .encode(&batch, &device())
        .unwrap();
    assert_eq!(layer.forward(&t).dims(), [2, 5]);
    assert!(matches!(
        LinearModel::new(&columns, 1, &device()),
        Err(FeatureError::UnsupportedColumn {
            model: "linear",
            ..
        })
    ));
    let wide = FeatureColumns::new([
        numeric_column("x").into(),
        categorical_column_with_identity("i", 3).into(),
    ]);
    let mut linear = LinearModel::new(&wide, 1, &device()).unwrap();
    linear.sparse[0].table =
        burn::module::Param::from_tensor(Tensor::from_data([[1.0f32], [2.0], [3.0]], &device()));
    linear.dense = Some(burn::module::Param::from_tensor(Tensor::from_data(
        [[10.0f32]],
        &device(),
    )));
    let t = FeatureEncoder::new(wide)
        .unwrap()
        .encode(&batch, &device())
        .unwrap();
    let out: Vec<f32> = linear.forward(&t).into_data().try_to_vec().unwrap();
    assert_eq!(out, [11.0, 23.0]); // 10·x + w[id]
}

#[test]
fn bad_batches_are_typed_errors() {
    let columns = FeatureColumns::new([
        numeric_column("x").into(),
        categorical_column_with_vocabulary_list("c", ["a"]).into(),
    ]);
    let enc = FeatureEncoder::new(columns).unwrap();
    let ok = FeatureBatch::new(1)
        .with("x", ColumnValues::Float(vec![1.0]))
        .with("c", strs(&["a"]));
    assert!(enc.encode(&ok, &device()).is_ok());
    let unknown = ok.clone().with("typo", ColumnValues::Float(vec![1.0]));
    assert!(
        matches!(enc.encode(&unknown, &device()), Err(FeatureError::UnknownColumn { name, .. }) if name == "typo")
    );
    let missing = FeatureBatch::new(1).with("x", ColumnValues::Float(vec![1.0]));
    assert!(
        matches!(enc.encode(&missing, &device()), Err(FeatureError::MissingColumn { name, .. }) if name == "c")
    );
    let dtype = ok.clone().with("x", strs(&["1"]));
    assert!(matches!(
        enc.encode(&dtype, &device()),
        Err(FeatureError::WrongDtype {
            expected: "float",
            found: "string",
            ..
        })
    ));
    let oov = ok.clone().with("c", strs(&["b"]));
    assert!(
        matches!(enc.encode(&oov, &device()), Err(FeatureError::OutOfVocabulary { value, .. }) if value == "b")
    );
    let short = ok.with("x", ColumnValues::Float(vec![]));
    assert!(matches!(
        enc.encode(&short, &device()),
        Err(FeatureError::WrongLength { .. })
    ));
    let identity = FeatureEncoder::new(FeatureColumns::new([categorical_column_with_identity(
        "i", 2,
    )
    .into()]))
    .unwrap();
    let out_of_range = FeatureBatch::new(1).with("i", ColumnValues::Int(vec![5]));
    assert!(matches!(
        identity.encode(&out_of_range, &device()),
        Err(FeatureError::OutOfVocabulary { .. })
    ));
}

#[test]
fn invalid_definitions_are_refused() {
    let dup = FeatureColumns::new([numeric_column("x").into(), numeric_column("x").into()]);
    assert!(matches!(
        FeatureEncoder::new(dup),
        Err(FeatureError::DuplicateColumn { .. })
    ));
    let unsorted =
        FeatureColumns::new([bucketized_column(numeric_column("x"), vec![2.0, 1.0]).into()]);
    assert!(matches!(
        FeatureEncoder::new(unsorted),
        Err(FeatureError::InvalidColumn { .. })
    ));
    let identity = categorical_column_with_identity("i", 3).with_default_value(3);
    assert!(matches!(
        FeatureEncoder::new(FeatureColumns::new([identity.into()])),
        Err(FeatureError::InvalidColumn { .. })
    ));
    assert!(matches!(
        InputLayer::new(&FeatureColumns::default(), &device()),
        Err(FeatureError::InvalidColumn { .. })
    ));
    let dnn = FeatureColumns::new([categorical_column_with_hash_bucket("h", 3).into()]);
    assert!(matches!(
        InputLayer::new(&dnn, &device()),
        Err(FeatureError::UnsupportedColumn { model: "dnn", .. })
    ));
}

#[test]
fn columns_round_trip_through_json_and_files() {
    let columns = FeatureColumns::new([
        numeric_column("x")
            .with_normalizer(Normalizer::Standardize {
                mean: 1.0,
                std: 2.0,
            })
            .into(),
        embedding_column(
            crossed_column(
                [
                    categorical_column_with_vocabulary_list("a", ["p", "q"])
                        .with_num_oov_buckets(2),
                    categorical_column_with_hash_bucket("b", 10),
                ],
                50,
            ),
            3,
        )
        .with_combiner(Combiner::Sqrtn)
        .into(),
    ])
    .with_weight_column("w");
    let dir = tempfile::tempdir().unwrap();
    columns.save(dir.path()).unwrap();
    assert_eq!(FeatureColumns::load(dir.path()).unwrap(), columns);
    assert!(matches!(
        FeatureColumns::load(dir.path().join("nope")),
        Err(FeatureError::Io { .. })
    ));
}

#[test]
fn weight_column_is_read() {
    let columns = FeatureColumns::new([numeric_column("x").into()]).with_weight_column("w");
    let batch = FeatureBatch::new(2)
        .with("x", ColumnValues::Float(vec![1.0, 2.0]))
        .with("w", ColumnValues::Float(vec![0.5, 2.0]));
    let t = FeatureEncoder::new(columns)
        .unwrap()
        .encode(&batch, &device())
        .unwrap();
    let w: Vec<f32> = t.weights.unwrap().into_data().try_to_vec().unwrap();
    assert_eq!(w, [0.5, 2.0]);
    let _ = TensorData::new(vec![0f32], [1]);
}
