//! Issue 25's crown test: continue a TF 2.15 run and land on TF's own weights.
//!
//! TF trained 20 steps on fixed penguin batches and saved, then 10 more and saved again
//! (`scripts/tf_continue_fixtures.py`; stored in `tests/fixtures/tf_continue`). We continue from
//! the first checkpoint with [`Estimator::continue_tf_run`] (weights, optimizer slots, global
//! step), train the same 10 batches, and every weight must equal TF's second checkpoint within
//! 1e-5 relative. Five runs:
//! - `dnn`: TF 2.15's premade `tf.estimator.DNNClassifier([10, 10])` with its default optimizer
//!   (Keras legacy `Adagrad` at 0.001), continued by our `DnnClassifier` with its (TF 2.15)
//!   default optimizer, and by a custom model_fn mirroring DNNClassifier's network and head
//!   (`dnn_classifier_mirror`);
//! - `dnn_bn`: the same premade with `batch_norm=True`, continued by our `DnnClassifier` with
//!   batch norm (gamma, beta and the moving statistics compared too);
//! - `dnn_v1`: TF 1's `tf.compat.v1.estimator.DNNClassifier([10, 10])` (Adagrad at 0.05, the
//!   loss summed over the batch), continued by our `DnnClassifier` with TF 1's defaults;
//! - `linear_v1`: TF 1's `tf.compat.v1.estimator.LinearClassifier` (FTRL at 0.2, the summed
//!   loss), continued by our `LinearClassifier` with TF 1's defaults;
//! - `adam`: a custom model_fn with `tf.compat.v1.train.AdamOptimizer(0.01)` (what TF 2.15
//!   estimator users write in custom model_fns), continued with `TfAdamConfig` at TF1's epsilon.
//!
//! With the TF venv (CI) the script also runs fresh, and the same continuation must land on the
//! fresh run's weights.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns read fixtures

mod common;

use common::device;
use estimator_runtime::OptimizerConfig;
use estimator_runtime::burn::store::ModuleSnapshot;
use estimator_runtime::feature_column::FeatureTensors;
use estimator_runtime::feature_column::{
    ColumnValues, FeatureBatch, FeatureColumns, numeric_column,
};
use estimator_runtime::prelude::*;
use estimator_runtime::premade::{
    DnnClassifierConfig, DnnConfig, FtrlConfig, LinearClassifierConfig, LossReduction,
    OptimizerSpec, Premade, PremadeConfig,
};
use estimator_runtime::tf_checkpoint::{TfCheckpoint, TfSlots, TfSource, TfVarMap, TfWarmStart};
use estimator_runtime::tf_init;
use estimator_runtime::tf_optim::{TfAdagradConfig, TfAdamConfig};
use std::path::{Path, PathBuf};

/// The network of both runs: two relu layers of 10 units and 3 logits, initialised as TF's
/// dense layers are (the warm start then replaces every value).
#[derive(Module, Debug)]
struct TwoHidden {
    hidden_0: nn::Linear,
    hidden_1: nn::Linear,
    logits: nn::Linear,
}

impl TwoHidden {
    fn new(device: &Device) -> Self {
        TwoHidden {
            hidden_0: tf_init::dense(4, 10, device),
            hidden_1: tf_init::dense(10, 10, device),
            logits: tf_init::dense(10, 3, device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        use burn::tensor::activation::relu;
        let x = relu(self.hidden_0.forward(x));
        self.logits.forward(relu(self.hidden_1.forward(x)))
    }

    /// The TF variable names of `hidden_0`, `hidden_1` and `logits`.
    fn tf_var_map(names: [&str; 3]) -> TfVarMap {
        let layers = ["hidden_0", "hidden_1", "logits"];
        layers
            .iter()
            .zip(names)
            .fold(TfVarMap::new(), |map, (layer, tf)| {
                map.with(
                    format!("{layer}.weight"),
                    TfSource::whole(format!("{tf}/kernel")),
                )
                .with(
                    format!("{layer}.bias"),
                    TfSource::whole(format!("{tf}/bias")),
                )
            })
    }
}

/// The spec of both runs (`common::logits_spec`): mean sparse softmax cross-entropy
/// (DNNClassifier's head with TF 2.15's `SUM_OVER_BATCH_SIZE`;
/// `tf.compat.v1.losses.sparse_softmax_cross_entropy`'s default), minimised by `optimizer`.
fn classifier_spec(
    model: &TwoHidden,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    optimizer: impl OptimizerConfig,
    learning_rate: f64,
) -> EstimatorSpec {
    common::logits_spec(
        mode,
        model.forward(features),
        labels,
        optimizer,
        learning_rate,
    )
}

/// TF 2.15's `DNNClassifier` default optimizer: `'Adagrad'` is
/// `tf.keras.optimizers.legacy.Adagrad()` at Keras's rate (`canned/optimizers.py`).
fn dnn_default_optimizer() -> TfAdagradConfig {
    TfAdagradConfig::new().with_legacy(true)
}

/// `tf.compat.v1.train.AdamOptimizer`: TF's `ApplyAdam` kernel, its running beta powers,
/// epsilon 1e-8.
fn compat_v1_adam() -> TfAdamConfig {
    TfAdamConfig::new().with_epsilon(1e-8).with_compat_v1(true)
}

/// A model_fn mirroring TF 2.15's `DNNClassifier(hidden_units=[10, 10], n_classes=3)`:
/// relu layers, logits, the multi-class head's mean loss, the default optimizer.
#[model_fn]
fn dnn_classifier_mirror(
    model: &TwoHidden,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let lr = TfAdagradConfig::KERAS_LEARNING_RATE;
    classifier_spec(model, features, labels, mode, dnn_default_optimizer(), lr)
}

/// The fixture's custom model_fn, ported: `tf.compat.v1.train.AdamOptimizer(0.01)`.
#[model_fn]
fn custom_adam(
    model: &TwoHidden,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    classifier_spec(model, features, labels, mode, compat_v1_adam(), 0.01)
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tf_continue")
}

/// One batch: its features row-major, its labels.
type BatchRows = (Vec<f32>, Vec<i64>);

/// The 10 continuation batches TF trained on (features row-major, labels), and the step TF
/// started them at.
fn batch_rows(run: &Path) -> (Vec<BatchRows>, u64) {
    let text = std::fs::read_to_string(run.join("batches.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let batch = json["batch_size"].as_u64().unwrap() as usize;
    let number = |v: &serde_json::Value| v.as_f64().unwrap();
    let rows = json["features"].as_array().unwrap();
    let x: Vec<f32> = rows
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|v| number(v) as f32))
        .collect();
    let y: Vec<i64> = json["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let batches = x
        .chunks(batch * 4)
        .zip(y.chunks(batch))
        .map(|(x, y)| (x.to_vec(), y.to_vec()))
        .collect();
    (batches, json["start_step"].as_u64().unwrap())
}

/// The same batches as tensors.
fn batches(run: &Path) -> (Vec<(Tensor<2>, Tensor<1, Int>)>, u64) {
    let (rows, start_step) = batch_rows(run);
    let device = device();
    let batches = rows
        .into_iter()
        .map(|(x, y)| {
            (
                Tensor::from_data(TensorData::new(x, [y.len(), 4]), &device),
                Tensor::from_data(TensorData::new(y.clone(), [y.len()]), &device),
            )
        })
        .collect();
    (batches, start_step)
}

/// The largest relative difference between each mapped parameter of `model` and its variable
/// in the TF checkpoint at `end` (relative to the TF value, with a floor of 1e-3 for values
/// near 0).
fn differences(model: &impl Module, map: &TfVarMap, end: &Path) -> Vec<(String, f64)> {
    let tf = TfCheckpoint::open(end).unwrap();
    let ours = model.collect(None, None, false);
    let mut out = Vec::new();
    for param in map.params() {
        let name = &map.get(param).unwrap().blocks[0].name;
        let theirs = tf.tensor(name).unwrap().values.to_f32();
        let tensor = ours.iter().find(|t| &t.name == param).unwrap();
        let data = estimator_runtime::burn::store::bridge::to_data(tensor).unwrap();
        let ours = data.try_into_vec_as::<f32>().unwrap();
        if param.contains("running") {
            eprintln!("DEBUG {param} ours {:?} tf {:?}", &ours[..4], &theirs[..4]);
        }
        assert_eq!(ours.len(), theirs.len(), "{param}");
        let worst = ours
            .iter()
            .zip(&theirs)
            .map(|(&o, &t)| f64::from(o - t).abs() / f64::from(t.abs()).max(1e-3))
            .fold(0.0, f64::max);
        out.push((format!("{param} ({name})"), worst));
    }
    assert_eq!(out.len(), ours.len(), "every parameter is compared");
    out
}

/// Continues the TF run in `run` with `model_fn`; the per-parameter differences from TF's end.
macro_rules! continue_run {
    ($model_fn:expr, $run:expr, $names:expr, $slots:expr) => {{
        let run: &Path = $run;
        let map = TwoHidden::tf_var_map($names);
        let dir = tempfile::tempdir().unwrap();
        let model = TwoHidden::new(&device());
        let start = TfWarmStart::new(run.join("start"));
        let mut est = Estimator::new($model_fn, model, common::config(dir.path())).unwrap();
        est.continue_tf_run(&start, &map, &$slots).unwrap();
        let (batches, start_step) = batches(run);
        assert_eq!(est.global_step(), start_step, "the global step is TF's");
        est.train(batches, TrainArgs::steps(10)).unwrap();
        assert_eq!(est.global_step(), start_step + 10);
        differences(est.model().unwrap(), &map, &run.join("end"))
    }};
}

fn assert_within(what: &str, differences: Vec<(String, f64)>) {
    for (param, error) in &differences {
        eprintln!("{what}: {param}: max relative difference from TF {error:e}");
    }
    for (param, error) in differences {
        assert!(
            error <= 1e-5,
            "{what}: {param} differs from TF by {error:e} relative"
        );
    }
}

/// Our premade `DnnClassifier` (TF 2.15's defaults: legacy Adagrad at 0.001) on TF's columns
/// (`numeric_column("x", shape=[4])`), continued from TF's premade run; with `batch_norm`, its
/// batch norms' parameters and moving statistics too.
fn check_premade_dnn(run: &Path, batch_norm: bool) {
    let mut dnn = DnnConfig::new([10, 10]);
    dnn.batch_norm = batch_norm;
    let config = DnnClassifierConfig::new(x_column(), [10, 10])
        .n_classes(3)
        .dnn(dnn);
    let slots = TfSlots::canned_estimator(&dnn_default_optimizer());
    let what = if batch_norm {
        "premade DnnClassifier with batch norm"
    } else {
        "premade DnnClassifier"
    };
    continue_premade(what, config, &slots, run);
}

/// TF's columns: `numeric_column("x", shape=[4])`.
fn x_column() -> FeatureColumns {
    FeatureColumns::new([numeric_column("x").with_shape(4).into()])
}

/// Our premade `DnnClassifier` with TF 1's defaults (`tf.compat.v1.train.AdagradOptimizer(0.05)`
/// and the loss summed over the batch), continued from TF 1's premade run: its slots are
/// `<variable>/t_0/Adagrad`.
fn check_premade_dnn_v1(run: &Path) {
    let config = DnnClassifierConfig::new(x_column(), [10, 10])
        .n_classes(3)
        .optimizer(OptimizerSpec::tf1_dnn_default())
        .loss_reduction(LossReduction::Sum);
    let optimizer = TfAdagradConfig::new().with_epsilon(0.0).with_legacy(true);
    let slots = TfSlots::compat_v1(&optimizer).unwrap().within("t_0");
    continue_premade(
        "premade DnnClassifier with TF 1's defaults",
        config,
        &slots,
        run,
    );
}

/// Our premade `LinearClassifier` with TF 1's defaults (`tf.compat.v1.train.FtrlOptimizer` at
/// 0.2 and the summed loss), continued from TF 1's premade run: its slots are
/// `<variable>/part_0/Ftrl` and `Ftrl_1` (TF 1 partitions a linear model's variables).
fn check_premade_linear_v1(run: &Path) {
    let config = LinearClassifierConfig::new(x_column())
        .n_classes(3)
        .optimizer(OptimizerSpec::linear_estimator_default())
        .loss_reduction(LossReduction::Sum);
    let slots = TfSlots::compat_v1(&FtrlConfig::default())
        .unwrap()
        .within("part_0");
    continue_premade(
        "premade LinearClassifier with TF 1's defaults",
        config,
        &slots,
        run,
    );
}

/// Continues the TF run in `run` with our premade estimator of `config` (a classifier), whose
/// optimizer state comes from `slots`; its parameters must land on TF's end checkpoint.
fn continue_premade<C>(what: &str, config: C, slots: &TfSlots, run: &Path)
where
    C: PremadeConfig<Features = FeatureTensors, Labels = Tensor<1, Int>>,
{
    let map = config.tf_var_map();
    let dir = tempfile::tempdir().unwrap();
    let mut est = Premade::new(config, common::config(dir.path())).unwrap();
    est.continue_tf_run(&TfWarmStart::new(run.join("start")), &map, slots)
        .unwrap();
    let (rows, start_step) = batch_rows(run);
    let input: Vec<_> = rows
        .into_iter()
        .map(|(x, y)| {
            let table = FeatureBatch::new(y.len())
                .with("x", ColumnValues::Float(x))
                .with("label", ColumnValues::Int(y));
            est.input(&table, "label").unwrap()
        })
        .collect();
    assert_eq!(est.global_step(), start_step);
    est.train(input, TrainArgs::steps(10)).unwrap();
    let diffs = differences(est.model().unwrap(), &map, &run.join("end"));
    assert_within(what, diffs);
}

fn check_dnn(run: &Path) {
    let names = ["dnn/hiddenlayer_0", "dnn/hiddenlayer_1", "dnn/logits"];
    let slots = TfSlots::canned_estimator(&dnn_default_optimizer());
    let diffs = continue_run!(dnn_classifier_mirror, run, names, slots);
    assert_within("DNNClassifier mirrored in a model_fn", diffs);
}

fn check_adam(run: &Path) {
    let slots = TfSlots::compat_v1(&compat_v1_adam()).unwrap();
    let diffs = continue_run!(custom_adam, run, ["dense", "dense_1", "dense_2"], slots);
    assert_within("custom model_fn + AdamOptimizer", diffs);
}

#[test]
fn a_premade_dnn_classifier_run_continues_on_tfs_trajectory() {
    check_premade_dnn(&fixtures().join("dnn"), false);
}

/// TF 1's `tf.compat.v1.estimator.DNNClassifier`: Adagrad at 0.05 on the summed loss.
#[test]
fn a_tf1_premade_dnn_classifier_run_continues_on_tfs_trajectory() {
    check_premade_dnn_v1(&fixtures().join("dnn_v1"));
}

/// TF 1's `tf.compat.v1.estimator.LinearClassifier`: FTRL at 0.2 on the summed loss.
#[test]
fn a_tf1_premade_linear_classifier_run_continues_on_tfs_trajectory() {
    check_premade_linear_v1(&fixtures().join("linear_v1"));
}

/// TF's `batch_norm=True`: Keras's `BatchNormalization` (momentum 0.999, epsilon 1e-3) after each
/// hidden layer. Ten steps update gamma and beta through the batch statistics' gradients, and
/// the moving statistics by 0.001 of each batch's.
#[test]
fn a_premade_dnn_classifier_with_batch_norm_continues_on_tfs_trajectory() {
    check_premade_dnn(&fixtures().join("dnn_bn"), true);
}

#[test]
fn a_dnn_classifier_mirrored_in_a_custom_model_fn_continues_on_tfs_trajectory() {
    check_dnn(&fixtures().join("dnn"));
}

#[test]
fn a_custom_adam_run_continues_on_tfs_trajectory() {
    check_adam(&fixtures().join("adam"));
}

/// Without the slots (fresh accumulators) the same continuation misses TF's weights: the test
/// can fail.
#[test]
fn without_the_optimizer_slots_the_run_leaves_tfs_trajectory() {
    let run = fixtures().join("dnn");
    let map = TwoHidden::tf_var_map(["dnn/hiddenlayer_0", "dnn/hiddenlayer_1", "dnn/logits"]);
    let dir = tempfile::tempdir().unwrap();
    let settings = TfWarmStart::new(run.join("start"));
    let model = TwoHidden::new(&device());
    let (model, _) =
        estimator_runtime::tf_checkpoint::warm_start_from_tf(model, &settings, &map).unwrap();
    let mut est = Estimator::new(dnn_classifier_mirror, model, common::config(dir.path())).unwrap();
    est.train(batches(&run).0, TrainArgs::steps(10)).unwrap();
    let worst = differences(est.model().unwrap(), &map, &run.join("end"))
        .into_iter()
        .map(|(_, e)| e)
        .fold(0.0, f64::max);
    assert!(
        worst > 1e-4,
        "fresh slots still gave TF's weights ({worst:e})"
    );
}

/// A checkpoint in model_dir wins over the TF run, as over TF's warm start.
#[test]
fn a_checkpoint_in_model_dir_wins_over_the_tf_run() {
    let run = fixtures().join("dnn");
    let map = TwoHidden::tf_var_map(["dnn/hiddenlayer_0", "dnn/hiddenlayer_1", "dnn/logits"]);
    let slots = TfSlots::canned_estimator(&dnn_default_optimizer());
    let dir = tempfile::tempdir().unwrap();
    let new = || {
        Estimator::new(
            dnn_classifier_mirror,
            TwoHidden::new(&device()),
            common::config(dir.path()),
        )
        .unwrap()
    };
    let mut est = new();
    est.train(batches(&run).0, TrainArgs::steps(3)).unwrap();
    let trained = est.model().unwrap().logits.weight.val().into_data();
    drop(est);
    let mut est = new();
    est.continue_tf_run(&TfWarmStart::new(run.join("start")), &map, &slots)
        .unwrap();
    assert_eq!(est.global_step(), 3, "the checkpoint's step, not TF's 20");
    let kept = est.model().unwrap().logits.weight.val().into_data();
    assert_eq!(kept, trained, "the checkpoint's weights");
}

/// Slots looked for under the wrong names, or a train step with another optimizer than the
/// slots', are errors that say so.
#[test]
fn slots_of_another_optimizer_are_errors() {
    let run = fixtures().join("adam");
    let map = TwoHidden::tf_var_map(["dense", "dense_1", "dense_2"]);
    let start = TfWarmStart::new(run.join("start"));
    let fresh = |dir: &Path| {
        Estimator::new(custom_adam, TwoHidden::new(&device()), common::config(dir)).unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let canned = TfSlots::canned_estimator(&compat_v1_adam());
    let err = fresh(dir.path())
        .continue_tf_run(&start, &map, &canned)
        .unwrap_err();
    assert!(
        err.to_string().contains("training/Adam/dense/kernel/m"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let adagrad = TfSlots::compat_v1(&dnn_default_optimizer()).unwrap();
    let err = fresh(dir.path())
        .continue_tf_run(&start, &map, &adagrad)
        .unwrap_err();
    assert!(err.to_string().contains("dense/kernel/Adagrad"), "{err}");

    // Adam's slots, but the model_fn minimises with Adagrad.
    let dir = tempfile::tempdir().unwrap();
    let model = TwoHidden::new(&device());
    let adam = TfSlots::compat_v1(&compat_v1_adam()).unwrap();
    let mut est = Estimator::new(dnn_classifier_mirror, model, common::config(dir.path())).unwrap();
    est.continue_tf_run(&start, &map, &adam).unwrap();
    let err = est
        .train(batches(&run).0, TrainArgs::steps(1))
        .err()
        .unwrap();
    assert!(err.to_string().contains("tf_adam"), "{err}");
}

/// The same continuation against a run the TF venv makes now (CI; skips elsewhere).
#[test]
fn a_fresh_tf_run_is_continued_on_its_trajectory() {
    let Some(python) = common::tf::python("continuing a fresh TF run") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/tf_continue_fixtures.py"
    );
    let status = std::process::Command::new(python)
        .arg(script)
        .arg(out.path())
        .status()
        .expect("python runs");
    assert!(status.success(), "{script} failed");
    check_premade_dnn(&out.path().join("dnn"), false);
    check_premade_dnn(&out.path().join("dnn_bn"), true);
    check_premade_dnn_v1(&out.path().join("dnn_v1"));
    check_premade_linear_v1(&out.path().join("linear_v1"));
    check_dnn(&out.path().join("dnn"));
    check_adam(&out.path().join("adam"));
    for run in [
        "dnn/start",
        "dnn/end",
        "dnn_bn/start",
        "dnn_bn/end",
        "dnn_v1/start",
        "dnn_v1/end",
        "linear_v1/start",
        "linear_v1/end",
        "adam/start",
        "adam/end",
    ] {
        assert_same_checkpoint(&fixtures().join(run), &out.path().join(run));
    }
}

/// The stored fixture is what TF makes now: every variable within 1e-5 relative (the script
/// seeds every initialiser; on one machine TF makes it again byte for byte).
fn assert_same_checkpoint(stored: &Path, fresh: &Path) {
    let (stored, fresh) = (
        TfCheckpoint::open(stored).unwrap(),
        TfCheckpoint::open(fresh).unwrap(),
    );
    let names: Vec<&str> = stored
        .list_variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    let fresh_names: Vec<&str> = fresh
        .list_variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names, fresh_names, "{}", stored.prefix().display());
    for name in names {
        let a = stored.tensor(name).unwrap().values.to_f32();
        let b = fresh.tensor(name).unwrap().values.to_f32();
        let worst = a
            .iter()
            .zip(&b)
            .map(|(&a, &b)| f64::from(a - b).abs() / f64::from(b.abs()).max(1e-3))
            .fold(0.0, f64::max);
        assert!(
            worst <= 1e-5,
            "{name}: the stored fixture differs from TF's fresh run by {worst:e}"
        );
    }
}
