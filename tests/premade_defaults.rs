//! The premade estimators' defaults are TF 2.15's v2 classes': optimizer, learning rate and
//! hyper-parameters (against `fixtures/tf_premade_defaults.json`, what TF 2.15.1 builds, made
//! by `scripts/tf_premade_defaults.py 30`), loss reduction and initialisers. Each expected value
//! cites the TF source it comes from (paths under `tensorflow_estimator/python/estimator/`).

mod common;

use common::device;
use estimator_runtime::feature_column::*;
use estimator_runtime::head::RegressionHead;
use estimator_runtime::prelude::*;
use estimator_runtime::premade::*;
use estimator_runtime::tf_optim::TfAdagradConfig;
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/tf_premade_defaults.json");
/// The fixture's number of (numeric) feature columns.
const N_COLUMNS: usize = 30;

fn columns() -> FeatureColumns {
    FeatureColumns::new((0..N_COLUMNS).map(|i| numeric_column(format!("x{i}")).into()))
}

/// Keras's legacy `Adagrad` at `learning_rate`, accumulators from 0.1, epsilon 1e-7
/// (`keras/src/optimizers/legacy/adagrad.py` 71-73; legacy: `canned/optimizers.py` 35).
fn legacy_adagrad(learning_rate: f64) -> OptimizerSpec {
    let config = TfAdagradConfig {
        initial_accumulator_value: 0.1,
        epsilon: 1e-7,
        legacy: true,
    };
    OptimizerSpec::TfAdagrad {
        learning_rate,
        config,
    }
}

/// Keras's legacy `Ftrl` at `learning_rate` with its other defaults: power -0.5,
/// accumulators from 0.1, no l1/l2, beta 0 (`keras/src/optimizers/legacy/ftrl.py` 111-118).
fn legacy_ftrl(learning_rate: f64) -> OptimizerSpec {
    let config = FtrlConfig {
        learning_rate_power: -0.5,
        initial_accumulator_value: 0.1,
        l1_regularization_strength: 0.0,
        l2_regularization_strength: 0.0,
        beta: 0.0,
    };
    OptimizerSpec::Ftrl {
        learning_rate,
        config,
    }
}

/// Every premade's default optimizers, by the fixture's estimator names.
fn ours() -> Vec<(&'static str, Vec<OptimizerSpec>)> {
    let dnn = |c: DnnClassifierConfig| vec![c.optimizer];
    let combined = |l: OptimizerSpec, d: OptimizerSpec| vec![d, l];
    let c = DnnLinearCombinedClassifierConfig::new(columns(), columns(), [4]);
    let r = DnnLinearCombinedRegressorConfig::new(columns(), columns(), [4]);
    vec![
        (
            "dnn_classifier",
            dnn(DnnClassifierConfig::new(columns(), [4])),
        ),
        (
            "dnn_regressor",
            vec![DnnRegressorConfig::new(columns(), [4]).optimizer],
        ),
        (
            "linear_classifier",
            vec![LinearClassifierConfig::new(columns()).optimizer],
        ),
        (
            "linear_regressor",
            vec![LinearRegressorConfig::new(columns()).optimizer],
        ),
        (
            "combined_classifier",
            combined(c.linear_optimizer, c.dnn_optimizer),
        ),
        (
            "combined_regressor",
            combined(r.linear_optimizer, r.dnn_optimizer),
        ),
        (
            "baseline_classifier",
            vec![BaselineClassifierConfig::new(3).optimizer],
        ),
        (
            "baseline_regressor",
            vec![BaselineRegressorConfig::new().optimizer],
        ),
    ]
}

#[test]
fn every_premade_default_optimizer_is_tf_2_15s() {
    // canned/dnn.py 684 and 1104: `optimizer='Adagrad'`; 570: `get_optimizer_instance_v2`
    // without a rate, so canned/optimizers.py 130-131 builds the legacy `Adagrad()` at its
    // default 0.001.
    let dnn = legacy_adagrad(0.001);
    // canned/linear.py 863 (and LinearRegressorV2's): `optimizer='Ftrl'`, a string, so
    // linear.py 672-674 passes `learning_rate=_LEARNING_RATE` (42: 0.2); the
    // `min(0.2, 1/sqrt(n))` of 241-243 is only for `optimizer=None`.
    let linear = legacy_ftrl(0.2);
    // canned/dnn_linear_combined.py 177-179 with 50-64: min(_LINEAR_LEARNING_RATE (38: 0.005),
    // 1/sqrt(30)); 154-155: the DNN part at _DNN_LEARNING_RATE (37: 0.001).
    let combined = [legacy_adagrad(0.001), legacy_ftrl(0.005)];
    // canned/baseline.py 351: `optimizer='Ftrl'`, 272-273: at _LEARNING_RATE (67: 0.3).
    let baseline = legacy_ftrl(0.3);
    let expected: Vec<Vec<OptimizerSpec>> = vec![
        vec![dnn.clone()],
        vec![dnn],
        vec![linear.clone()],
        vec![linear],
        combined.to_vec(),
        combined.to_vec(),
        vec![baseline.clone()],
        vec![baseline],
    ];
    for ((name, ours), expected) in ours().into_iter().zip(expected) {
        assert_eq!(ours, expected, "{name}");
    }
}

/// The fixture's optimizer as ours would be: (legacy Keras class, learning rate, the
/// hyper-parameters both have).
fn tf_view(optimizer: &Value) -> (String, f64, Vec<(String, f64)>) {
    let config = &optimizer["config"];
    let keys: &[&str] = match optimizer["class"].as_str() {
        Some("Adagrad") => &["initial_accumulator_value", "epsilon"],
        _ => &[
            "learning_rate_power",
            "initial_accumulator_value",
            "l1_regularization_strength",
            "l2_regularization_strength",
            "beta",
        ],
    };
    assert_eq!(optimizer["legacy"], Value::Bool(true), "{optimizer}");
    let hyper = keys
        .iter()
        .map(|&k| (k.to_string(), config[k].as_f64().expect(k)))
        .collect();
    let class = optimizer["class"].as_str().expect("a class").to_string();
    (
        class,
        config["learning_rate"].as_f64().expect("a rate"),
        hyper,
    )
}

fn our_view(spec: &OptimizerSpec) -> (String, f64, Vec<(String, f64)>) {
    let pair = |k: &str, v: f64| (k.to_string(), v);
    match spec {
        OptimizerSpec::TfAdagrad {
            learning_rate,
            config,
        } if config.legacy => (
            "Adagrad".into(),
            *learning_rate,
            vec![
                pair(
                    "initial_accumulator_value",
                    config.initial_accumulator_value,
                ),
                pair("epsilon", config.epsilon),
            ],
        ),
        OptimizerSpec::Ftrl {
            learning_rate,
            config,
        } => (
            "Ftrl".into(),
            *learning_rate,
            vec![
                pair("learning_rate_power", config.learning_rate_power),
                pair(
                    "initial_accumulator_value",
                    config.initial_accumulator_value,
                ),
                pair(
                    "l1_regularization_strength",
                    config.l1_regularization_strength,
                ),
                pair(
                    "l2_regularization_strength",
                    config.l2_regularization_strength,
                ),
                pair("beta", config.beta),
            ],
        ),
        other => panic!("not a TF default: {other:?}"),
    }
}

#[test]
fn every_premade_default_optimizer_is_what_tf_2_15_builds() {
    let tf: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    for (name, ours) in ours() {
        let built = tf[name]["optimizers"].as_array().expect(name);
        let theirs: Vec<_> = built.iter().map(tf_view).collect();
        let ours: Vec<_> = ours.iter().map(our_view).collect();
        assert_eq!(ours, theirs, "{name}");
        // The checkpoint's saved rates (f32) are the same rates.
        for (class, rate, _) in &ours {
            let key = format!("training/{class}/learning_rate");
            let saved = tf[name]["checkpoint_learning_rates"][&key].as_f64();
            assert_eq!(saved, Some(f64::from(*rate as f32)), "{name} {key}");
        }
    }
}

/// With the TF venv (CI; otherwise skips with a message): the script run fresh gives the
/// stored fixture.
#[test]
fn the_stored_defaults_are_what_tf_builds_fresh() {
    let Some(python) = common::tf::python("TF 2.15's premade defaults made fresh") else {
        return;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/tf_premade_defaults.py"
    );
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(N_COLUMNS.to_string())
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{script} failed");
    let fresh: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    let stored: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    assert_eq!(
        fresh, stored,
        "TF 2.15 built other defaults than the fixture"
    );
}

#[test]
fn the_training_loss_is_averaged_over_the_batch_as_tf_2() {
    // canned/dnn.py 689 (and every v2 class): `loss_reduction=SUM_OVER_BATCH_SIZE`:
    // sum(weight · loss) / batch, here (1·1² + 2·3²) / 2 = 9.5.
    let d = device();
    let logits = Tensor::<2>::from_data([[1.0f32], [3.0]], &d);
    let labels = Tensor::<1>::from_data([0.0f32, 0.0], &d);
    let weights = Tensor::<1>::from_data([1.0f32, 2.0], &d);
    let loss = RegressionHead::new().loss(logits, labels, Some(weights));
    assert_eq!(loss.into_scalar::<f32>(), 9.5);
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 values")
}

#[test]
fn the_dnn_starts_from_tf_glorot_uniform_kernels_and_zero_biases() {
    // canned/dnn.py 314 and 339: `kernel_initializer=glorot_uniform_initializer()`; Keras
    // `Dense`'s bias default is zeros.
    let config = DnnClassifierConfig::new(columns(), [64, 32]).n_classes(3);
    let dnn = config.build_model(&device()).expect("a model");
    let fans = [(N_COLUMNS, 64), (64, 32), (32, 3)];
    let layers = dnn.hidden.iter().chain([&dnn.logits]);
    for (layer, (fan_in, fan_out)) in layers.zip(fans) {
        let limit = (6.0 / (fan_in + fan_out) as f32).sqrt();
        let w = values(layer.weight.val());
        assert!(w.iter().all(|x| x.abs() <= limit), "beyond ±{limit}");
        // Uniform over ±limit: the largest of thousands of draws is near the limit.
        let max = w.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(max > 0.9 * limit, "{max} vs {limit}: not Glorot's range");
        let bias = layer.bias.as_ref().expect("a bias").val();
        assert!(values(bias).iter().all(|&b| b == 0.0));
    }
}

#[test]
fn the_linear_and_baseline_models_start_at_zero() {
    // canned/linear.py 1464 and 1472: weights and bias `initializer=zeros()`; canned/baseline.py
    // 224: `bias = tf.Variable(tf.zeros([num_outputs]))`.
    let linear = LinearRegressorConfig::new(columns())
        .build_model(&device())
        .expect("a model");
    let dense = linear.dense.expect("dense weights").val();
    assert!(values(dense).iter().all(|&w| w == 0.0));
    assert!(values(linear.bias.val()).iter().all(|&w| w == 0.0));
    let baseline = BaselineClassifierConfig::new(3)
        .build_model(&device())
        .expect("a model");
    assert_eq!(values(baseline.bias.val()), [0.0; 3]);
}

/// A premade takes any optimizer config (here burn's RMSProp), saves its description, and a
/// model_dir trained with one is refused by `from_model_dir`, which cannot rebuild it.
#[test]
fn a_premade_accepts_any_optimizer_config() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = DnnRegressorConfig::new(FeatureColumns::new([numeric_column("x").into()]), [4])
        .optimizer(OptimizerSpec::custom(RmsPropConfig::new(), 0.01));
    let run = || {
        RunConfig::default()
            .model_dir(dir.path())
            .random_seed(3)
            .device(device())
    };
    let mut est = Premade::new(config.clone(), run()).expect("a premade");
    // Inputs of both signs: every hidden unit with a non-zero weight is active for some of them,
    // so the kernel gets a gradient whatever signs the (process-wide seeded) init drew.
    let table = FeatureBatch::new(4)
        .with("x", ColumnValues::Float(vec![-1.5, -0.5, 0.5, 1.5]))
        .with("y", ColumnValues::Float(vec![0.0, 2.0, 4.0, 6.0]));
    let (features, labels) = est.input(&table, "y").expect("encoded");
    let kernel = |est: &DnnRegressor| values(est.model().expect("a model").hidden[0].weight.val());
    let before = kernel(&est);
    est.train(std::iter::repeat((features, labels)), TrainArgs::steps(5))
        .expect("trains");
    assert_ne!(kernel(&est), before, "RMSProp changed nothing");
    drop(est);
    // The same configuration in code resumes; the JSON alone cannot rebuild RMSProp.
    Premade::new(config, run()).expect("resumes with the optimizer given in code");
    let error = DnnRegressor::from_model_dir(run()).err().expect("refused");
    assert!(error.to_string().contains("rmsprop"), "{error}");
}
