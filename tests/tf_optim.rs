//! The TF-exact optimizers (`estimator_runtime::tf_optim`): Keras 2.15's trajectories on a
//! quadratic, from a stored fixture (Rust only; `scripts/tf_optim_fixtures.py` makes it with
//! TF 2.15.1), and bit-identical resume through the Estimator's checkpoints. In a binary of its
//! own, as `resume.rs`: burn's ndarray backend draws from one process-wide generator.

mod common;

use burn::optim::Optimizer;
use common::*;
use estimator_runtime::OptimizerConfig;
use estimator_runtime::prelude::*;
use estimator_runtime::tf_optim::{
    TfAdagradConfig, TfAdamConfig, TfFtrlConfig, TfRmsPropConfig, TfSgdConfig,
};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/tf_optim/keras_quadratic.json");

fn floats(v: &Value) -> Vec<f32> {
    let items = v.as_array().expect("an array of numbers");
    items
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

/// Runs `optimizer` on f(x) = Σ a·(x - b)² for `steps` steps; x after each step.
fn trajectory<O: Optimizer>(optimizer: O, lr: f64, fixture: &Value) -> Vec<Vec<f32>> {
    let device = device();
    let tensor = |key: &str| Tensor::<1>::from_data(floats(&fixture[key]).as_slice(), &device);
    let (a, b, mut x) = (tensor("a"), tensor("b"), tensor("x0"));
    let mut state = None;
    let steps = fixture["steps"].as_u64().expect("steps");
    let mut out = Vec::new();
    for _ in 0..steps {
        let grad = (x.clone() - b.clone()) * a.clone() * 2.0;
        (x, state) = optimizer.step(lr, x, grad, state);
        out.push(x.to_data().try_to_vec::<f32>().expect("f32 values"));
    }
    out
}

/// Ours against Keras 2.15 at every one of the 100 steps: within 1e-6 relative (an absolute
/// floor of 1e-7 where a coordinate crosses 0).
fn assert_matches_keras(case: &str, ours: Vec<Vec<f32>>, fixture: &Value) {
    let keras = &fixture["cases"][case]["trajectory"];
    let keras: Vec<Vec<f32>> = keras.as_array().expect(case).iter().map(floats).collect();
    assert_eq!(ours.len(), keras.len(), "{case}: steps");
    let mut worst = (0.0f64, 0, 0.0f32, 0.0f32);
    for (step, (o, k)) in ours.iter().zip(&keras).enumerate() {
        for (&o, &k) in o.iter().zip(k) {
            let error = (f64::from(o) - f64::from(k)).abs() / f64::from(k).abs().max(0.1);
            if error > worst.0 {
                worst = (error, step + 1, o, k);
            }
        }
    }
    let (error, step, o, k) = worst;
    match step {
        0 => eprintln!("{case}: bit-identical to TF 2.15 at every step"),
        _ => {
            eprintln!("{case}: worst relative difference from TF 2.15: {error:e} (step {step})")
        }
    }
    assert!(error <= 1e-6, "{case}, step {step}: ours {o}, Keras {k}");
}

/// Runs `optimizer` on the fixture's `case`, at that case's learning rate, and compares.
fn check<O: Optimizer>(case: &str, optimizer: O, fixture: &Value) {
    let lr = fixture["cases"][case]["config"]["learning_rate"].as_f64();
    let ours = trajectory(optimizer, lr.expect("a learning rate"), fixture);
    assert_matches_keras(case, ours, fixture);
}

#[test]
fn each_tf_optimizer_follows_keras_on_a_quadratic() {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    assert_eq!(fixture["tensorflow"], "2.15.1");
    check("adagrad", TfAdagradConfig::new().build(), &fixture);
    let adagrad = TfAdagradConfig::new().with_initial_accumulator_value(1.0);
    check("adagrad_accumulator_1", adagrad.build(), &fixture);
    check("adam", TfAdamConfig::new().build(), &fixture);
    check("sgd", TfSgdConfig::new().build(), &fixture);
    let momentum = TfSgdConfig::new().with_momentum(0.9);
    check("sgd_momentum", momentum.build(), &fixture);
    let nesterov = momentum.with_nesterov(true);
    check("sgd_nesterov", nesterov.build(), &fixture);
    check("ftrl", TfFtrlConfig::new().build(), &fixture);
    let ftrl = TfFtrlConfig::new().with_l1(0.5).with_l2(0.1);
    check("ftrl_l1_l2", ftrl.build(), &fixture);
    check_rmsprop("", false, &fixture);
}

/// The four RMSprop cases (plain, momentum, centered, both), Keras's or the legacy ones.
fn check_rmsprop(prefix: &str, legacy: bool, fixture: &Value) {
    let rmsprop = TfRmsPropConfig::new().with_legacy(legacy);
    check(&format!("{prefix}rmsprop"), rmsprop.build(), fixture);
    let momentum = rmsprop.clone().with_momentum(0.9);
    check(
        &format!("{prefix}rmsprop_momentum"),
        momentum.build(),
        fixture,
    );
    let centered = rmsprop.clone().with_rho(0.8).with_centered(true);
    check(
        &format!("{prefix}rmsprop_centered"),
        centered.build(),
        fixture,
    );
    let both = rmsprop.with_momentum(0.5).with_centered(true);
    check(
        &format!("{prefix}rmsprop_centered_momentum"),
        both.build(),
        fixture,
    );
}

/// TF 2.15's estimators use `tf.keras.optimizers.legacy.*` (TF's fused `ResourceApply*`
/// kernels): `with_legacy(true)` follows Adagrad's, Adam's and RMSprop's; SGD and FTRL are the
/// same there.
#[test]
fn each_tf_optimizer_follows_the_legacy_keras_optimizers_estimators_use() {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    let adagrad = TfAdagradConfig::new().with_legacy(true);
    check("legacy_adagrad", adagrad.build(), &fixture);
    check(
        "legacy_adam",
        TfAdamConfig::new().with_legacy(true).build(),
        &fixture,
    );
    let momentum = TfSgdConfig::new().with_momentum(0.9);
    check("legacy_sgd_momentum", momentum.build(), &fixture);
    let nesterov = momentum.with_nesterov(true);
    check("legacy_sgd_nesterov", nesterov.build(), &fixture);
    let ftrl = TfFtrlConfig::new().with_l1(0.5).with_l2(0.1);
    check("legacy_ftrl_l1_l2", ftrl.build(), &fixture);
    check_rmsprop("legacy_", true, &fixture);
}

/// Custom model_fns use `tf.compat.v1.train` optimizers: Adam with its running beta powers and
/// epsilon 1e-8, Adagrad with no epsilon.
#[test]
fn each_tf_optimizer_follows_the_compat_v1_optimizers_custom_model_fns_use() {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    let adam = TfAdamConfig::new().with_epsilon(1e-8).with_compat_v1(true);
    check("compat_v1_adam", adam.build(), &fixture);
    let adagrad = TfAdagradConfig::new().with_legacy(true).with_epsilon(0.0);
    check("compat_v1_adagrad", adagrad.build(), &fixture);
}

/// The iris classifier of `common`, minimised with `optimizer`.
fn classify(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    optimizer: impl OptimizerConfig,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let predictions = Predictions::new().with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), optimizer, 0.05));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

#[model_fn]
fn with_tf_adagrad(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    classify(model, features, labels, mode, TfAdagradConfig::new())
}

#[model_fn]
fn with_tf_adam(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    classify(model, features, labels, mode, TfAdamConfig::new())
}

#[model_fn]
fn with_tf_nesterov(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let sgd = TfSgdConfig::new().with_momentum(0.9).with_nesterov(true);
    classify(model, features, labels, mode, sgd)
}

#[model_fn]
fn with_tf_centered_rmsprop(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let rmsprop = TfRmsPropConfig::new()
        .with_momentum(0.5)
        .with_centered(true);
    classify(model, features, labels, mode, rmsprop)
}

#[model_fn]
fn with_tf_ftrl(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    classify(
        model,
        features,
        labels,
        mode,
        TfFtrlConfig::new().with_l2(0.01),
    )
}

/// Trains with `$model_fn` to step 30 in `$dir`: in one call, or stopped at `$stop` and continued
/// by a new Estimator from the checkpoint (weights and optimizer state). A finished call's next
/// call reads its input from the start, as TF's calls `input_fn` again, so the continuation
/// skips the batches the first call used. The final weights.
macro_rules! train {
    ($model_fn:expr, $dir:expr, $stop:expr) => {{
        let run = |max_steps: u64, used: u64| {
            // The same initial weights in every run (a resumed run restores its own).
            device().seed(7);
            let mut est =
                Estimator::new($model_fn, Net::new(&device()), config($dir)).expect("an estimator");
            let input = stream(iris(), 16, device()).skip(used as usize);
            est.train(input, TrainArgs::max_steps(max_steps))
                .expect("training");
            weights(est.model().expect("a model"))
        };
        let stop: Option<u64> = $stop;
        if let Some(step) = stop {
            run(step, 0);
        }
        run(30, stop.unwrap_or(0))
    }};
}

macro_rules! assert_resume_is_bit_identical {
    ($model_fn:expr, $what:expr) => {{
        let straight = tempfile::tempdir().expect("a temp dir");
        let resumed = tempfile::tempdir().expect("a temp dir");
        let a = train!($model_fn, straight.path(), None);
        let b = train!($model_fn, resumed.path(), Some(15));
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{}: resumed weights differ", $what);
    }};
}

#[test]
fn tf_optimizers_resume_bit_identically_from_checkpoints() {
    assert_resume_is_bit_identical!(with_tf_adagrad, "tf_adagrad");
    assert_resume_is_bit_identical!(with_tf_adam, "tf_adam");
    assert_resume_is_bit_identical!(with_tf_nesterov, "tf_sgd nesterov");
    assert_resume_is_bit_identical!(with_tf_centered_rmsprop, "tf_rmsprop centered momentum");
    assert_resume_is_bit_identical!(with_tf_ftrl, "ftrl");
}

/// The stored fixture is what TF 2.15 makes now (CI runs this with the TF venv; elsewhere it
/// skips with a message): `scripts/tf_optim_fixtures.py` run fresh gives the same trajectories.
#[test]
fn the_stored_fixture_is_what_keras_makes_fresh() {
    let Some(python) = common::tf::python("Keras optimizer trajectories made fresh") else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("keras_quadratic.json");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/tf_optim_fixtures.py");
    let status = std::process::Command::new(python)
        .arg(script)
        .arg(&out)
        .status()
        .expect("python runs");
    assert!(status.success(), "{script} failed");
    let fresh: Value = serde_json::from_slice(&std::fs::read(&out).expect("the fresh fixture"))
        .expect("the fresh fixture is JSON");
    let stored: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    assert_eq!(
        fresh, stored,
        "TF 2.15 made other trajectories than the stored fixture"
    );
}
