//! Warm start from TF checkpoints (issue 24): this project's premade `DnnClassifier` and
//! `LinearClassifier`, `DnnLinearCombinedClassifier` (and a `DnnClassifier` with shared embeddings, from TF 1's graph-mode
//! estimator), warm-started from the checkpoints TF 2.15 trained on penguins
//! (`tests/fixtures/tf`, by `scripts/tf_checkpoint_fixtures.py`), predict the test rows as TF
//! did: probabilities within 1e-5, identical classes. The same check runs against a checkpoint
//! that the TF venv makes fresh in this run when it is there (`tests/common/tf.rs`).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns read fixtures

mod common;

use estimator_runtime::feature_column::*;
use estimator_runtime::prelude::*;
use estimator_runtime::premade::*;
use estimator_runtime::tf_checkpoint::{TfVarMap, TfWarmStart};
use std::path::{Path, PathBuf};

const NUMERIC: [&str; 4] = [
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
];
const SPECIES: [&str; 3] = ["Adelie", "Chinstrap", "Gentoo"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tf")
}

fn meta(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap()
}

/// The script's columns: standardised numbers, the island vocabulary, sex hashed into 3
/// buckets, island × sex crossed into 5.
fn columns(meta: &serde_json::Value, dnn: bool) -> FeatureColumns {
    let mut columns: Vec<FeatureColumn> = NUMERIC
        .iter()
        .map(|&k| {
            let s = &meta["standardize"][k];
            let (mean, std) = (
                s["mean"].as_f64().unwrap() as f32,
                s["std"].as_f64().unwrap() as f32,
            );
            numeric_column(k)
                .with_normalizer(Normalizer::Standardize { mean, std })
                .into()
        })
        .collect();
    let island =
        categorical_column_with_vocabulary_list("island", ["Biscoe", "Dream", "Torgersen"]);
    let sex = categorical_column_with_hash_bucket("sex", 3);
    let cross = crossed_column([island.clone(), sex.clone()], 5);
    if dnn {
        columns.extend([
            indicator_column(island),
            indicator_column(sex),
            embedding_column(cross, 2).into(),
        ]);
    } else {
        columns.extend([island.into(), sex.into(), cross.into()]);
    }
    FeatureColumns::new(columns)
}

/// Each test row's probabilities and class, predicted by `premade` warm-started from `tf_dir`.
fn predict<C: PremadeConfig>(config: C, tf_dir: &Path, test_csv: &Path) -> Vec<(Vec<f64>, i64)>
where
    C::Features: Clone,
{
    let model_dir = tempfile::tempdir().unwrap();
    let run = RunConfig::default().model_dir(model_dir.path());
    let est = Premade::new_warm_started_from_tf(config, run, TfWarmStart::new(tf_dir)).unwrap();
    let text = std::fs::read_to_string(test_csv).unwrap();
    let rows = read_csv(&text, &NUMERIC).unwrap().without("year");
    let (features, _) = est.input(&rows, "species").unwrap();
    est.predict([features], PredictArgs::default())
        .unwrap()
        .map(|p| {
            let p = p.unwrap();
            (
                p.values_f64("probabilities").unwrap(),
                p.scalar("class_ids").unwrap() as i64,
            )
        })
        .collect()
}

fn check_against_tf(dir: &Path, name: &str, got: &[(Vec<f64>, i64)]) {
    let file = if name == "dnn_shared" {
        "meta_shared.json"
    } else {
        "meta.json"
    };
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
    let want = &meta["models"][name];
    let probabilities: Vec<Vec<f64>> =
        serde_json::from_value(want["probabilities"].clone()).unwrap();
    let classes: Vec<i64> = serde_json::from_value(want["class_ids"].clone()).unwrap();
    assert_eq!(got.len(), probabilities.len(), "{name}: test rows");
    let mut worst = 0f64;
    for (i, ((p, c), (tp, tc))) in got
        .iter()
        .zip(probabilities.iter().zip(&classes))
        .enumerate()
    {
        assert_eq!(
            c, tc,
            "{name} row {i}: class {c}, TF {tc} ({p:?} vs {tp:?})"
        );
        for (a, b) in p.iter().zip(tp) {
            worst = worst.max((a - b).abs());
        }
    }
    eprintln!(
        "{name}: {} rows, classes identical, largest probability difference {worst:e}",
        got.len()
    );
    assert!(
        worst < 1e-5,
        "{name}: probabilities differ from TF's by {worst}"
    );
}

fn dnn_config(dir: &Path) -> DnnClassifierConfig {
    DnnClassifierConfig::new(columns(&meta(dir), true), [4]).label_vocabulary(SPECIES)
}

fn linear_config(dir: &Path) -> LinearClassifierConfig {
    LinearClassifierConfig::new(columns(&meta(dir), false)).label_vocabulary(SPECIES)
}

/// The script's TF 1 DNN: the numbers and a shared embedding of island and sex (hashed into 3).
fn shared_config(dir: &Path) -> DnnClassifierConfig {
    let mut columns = columns(&meta(dir), true).columns;
    columns.truncate(NUMERIC.len());
    let hashed = |k| categorical_column_with_hash_bucket(k, 3);
    let shared = shared_embedding_columns([hashed("island"), hashed("sex")], 2).unwrap();
    columns.extend(shared.into_iter().map(FeatureColumn::from));
    DnnClassifierConfig::new(FeatureColumns::new(columns), [4]).label_vocabulary(SPECIES)
}

fn check_dir(dir: &Path) {
    let csv = dir.join("penguins_test.csv");
    check_against_tf(
        dir,
        "dnn",
        &predict(dnn_config(dir), &dir.join("dnn"), &csv),
    );
    check_against_tf(
        dir,
        "linear",
        &predict(linear_config(dir), &dir.join("linear"), &csv),
    );
    let m = meta(dir);
    let combined =
        DnnLinearCombinedClassifierConfig::new(columns(&m, false), columns(&m, true), [4])
            .label_vocabulary(SPECIES);
    check_against_tf(
        dir,
        "combined",
        &predict(combined, &dir.join("combined"), &csv),
    );
    let shared = predict(shared_config(dir), &dir.join("dnn_shared"), &csv);
    check_against_tf(dir, "dnn_shared", &shared);
}

#[test]
fn premade_estimators_predict_as_tf_from_its_checkpoints() {
    check_dir(&fixtures());
}

#[test]
fn a_fresh_tf_checkpoint_predicts_the_same() {
    let Some(python) = common::tf::python("warm start from a fresh TF checkpoint") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/tf_checkpoint_fixtures.py");
    // Shared embeddings need TF 1 graph mode, hence a process of their own.
    for what in ["models", "shared"] {
        let status = std::process::Command::new(&python)
            .arg(&script)
            .arg(out.path())
            .args(["--what", what, "--steps", "120"])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "the TF fixture script failed (--what {what})"
        );
    }
    check_dir(out.path());
}

#[test]
fn a_shape_mismatch_names_both_variables() {
    let dir = fixtures();
    let config =
        DnnClassifierConfig::new(columns(&meta(&dir), true), [5]).label_vocabulary(SPECIES);
    let run = RunConfig::default().model_dir(tempfile::tempdir().unwrap().path().join("m"));
    let err = Premade::new_warm_started_from_tf(config, run, TfWarmStart::new(dir.join("dnn")))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("hidden.0") && err.contains("dnn/hiddenlayer_0"),
        "{err}"
    );
}

#[test]
fn renames_and_selection_follow_tf() {
    let dir = fixtures();
    // Only the logits, and one of their TF names renamed to a name the checkpoint lacks: an error
    // naming it.
    let run = RunConfig::default().model_dir(tempfile::tempdir().unwrap().path().join("m"));
    let ws = TfWarmStart::new(dir.join("dnn"))
        .vars_to_warm_start(["dnn/logits"])
        .var_name_to_prev_var_name([("dnn/logits/bias", "dnn/old_logits/bias")]);
    let err = Premade::new_warm_started_from_tf(dnn_config(&dir), run, ws)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("dnn/old_logits/bias"), "{err}");
    // A rename that no warm-started variable uses is an error, as in TF.
    let run = RunConfig::default().model_dir(tempfile::tempdir().unwrap().path().join("m"));
    let ws = TfWarmStart::new(dir.join("dnn")).var_name_to_prev_var_name([("nope", "x")]);
    let err = Premade::new_warm_started_from_tf(dnn_config(&dir), run, ws)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not used"), "{err}");
    // An invalid expression is a configuration error.
    let ws = TfWarmStart::new(dir.join("dnn")).vars_to_warm_start(["dnn("]);
    let err = estimator_runtime::tf_checkpoint::warm_start_from_tf(
        burn::nn::LinearConfig::new(2, 2).init(&Device::default()),
        &ws,
        &TfVarMap::new(),
    );
    assert!(err.is_err());
}

#[test]
fn a_custom_map_transposes_where_layouts_differ() {
    use estimator_runtime::tf_checkpoint::{TfSource, warm_start_from_tf};
    // TF's `dense/kernel` is [2, 3]; a burn Linear from 3 to 2 holds [3, 2]: transposed.
    let layer = burn::nn::LinearConfig::new(3, 2).init(&Device::default());
    let map = TfVarMap::new().with("weight", TfSource::whole("dense/kernel").transposed());
    let ws = TfWarmStart::new(fixtures().join("reader"));
    let (layer, applied) = warm_start_from_tf(layer, &ws, &map).unwrap();
    assert_eq!(applied, ["weight"]); // `bias` is not in the checkpoint: left as it was
    let w: Vec<f32> = layer.weight.val().into_data().try_to_vec().unwrap();
    assert_eq!(w, [0.0, 0.75, 0.25, 1.0, 0.5, 1.25]);
    // Without the transpose the shapes differ: an error naming both.
    let layer = burn::nn::LinearConfig::new(3, 2).init(&Device::default());
    let map = TfVarMap::new().with("weight", TfSource::whole("dense/kernel"));
    let err = warm_start_from_tf(layer, &ws, &map)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("`weight`") && err.contains("dense/kernel"),
        "{err}"
    );
}
