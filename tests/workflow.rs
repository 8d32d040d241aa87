//! Hooks, early stopping, export + reload, train_and_evaluate and warm start, on iris.

mod common;

use common::*;
use estimator_runtime::hooks::{EarlyStopping, StopAtStepHook, stop_if_no_increase_hook};
use estimator_runtime::prelude::*;
use estimator_runtime::{BestExporter, EvalSpec, ExportedModel, TrainSpec, train_and_evaluate};
use std::cell::RefCell;
use std::rc::Rc;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Records every call it gets, tagged with its name.
struct Recorder {
    name: &'static str,
    log: Rc<RefCell<Vec<String>>>,
}

impl Hook for Recorder {
    fn begin(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.log
            .borrow_mut()
            .push(format!("{}.begin@{}", self.name, ctx.global_step));
        Ok(())
    }
    fn before_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.log
            .borrow_mut()
            .push(format!("{}.before@{}", self.name, ctx.global_step));
        Ok(())
    }
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        assert!(
            ctx.loss.is_some_and(f64::is_finite),
            "after_step sees the step's loss"
        );
        self.log
            .borrow_mut()
            .push(format!("{}.after@{}", self.name, ctx.global_step));
        Ok(())
    }
    fn end(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.log
            .borrow_mut()
            .push(format!("{}.end@{}", self.name, ctx.global_step));
        Ok(())
    }
}

#[test]
fn hooks_are_called_in_order() -> Result<(), Error> {
    let dir = tmp();
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let args = TrainArgs::steps(2)
        .hook(Recorder {
            name: "a",
            log: log.clone(),
        })
        .hook(Recorder {
            name: "b",
            log: log.clone(),
        });
    est.train(stream(iris(), 16, device()), args)?;
    let expected = [
        "a.begin@0",
        "b.begin@0",
        "a.before@0",
        "b.before@0",
        "a.after@1",
        "b.after@1",
        "a.before@1",
        "b.before@1",
        "a.after@2",
        "b.after@2",
        "a.end@2",
        "b.end@2",
    ];
    assert_eq!(*log.borrow(), expected);
    Ok(())
}

#[test]
fn a_hook_can_stop_training() -> Result<(), Error> {
    let dir = tmp();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let s = est.train(
        stream(iris(), 16, device()),
        TrainArgs::steps(100).hook(StopAtStepHook::last_step(7)),
    )?;
    assert_eq!(
        (s.global_step, s.steps, s.stopped_by_hook, s.input_exhausted),
        (7, 7, true, false)
    );
    Ok(())
}

#[model_fn]
fn diverging(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let _ = labels;
    let loss = logits.clone().mean() * f32::NAN;
    EstimatorSpec::new(mode)
        .loss(loss.clone())
        .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
        .predictions(logits)
}

#[test]
fn a_nan_loss_is_a_typed_error_and_nothing_is_saved() -> Result<(), Error> {
    let dir = tmp();
    let mut est = Estimator::new(diverging, Net::new(&device()), config(dir.path()))?;
    let err = est
        .train(stream(iris(), 16, device()), TrainArgs::steps(5))
        .unwrap_err();
    assert!(matches!(err, Error::NanLoss { step: 0 }), "{err:?}");
    assert_eq!(est.latest_checkpoint()?, None);
    Ok(())
}

/// A model with only `Net`'s first layer, so an export of `Net` has an unused tensor for it.
mod smaller {
    use estimator_runtime::prelude::*;

    #[derive(Module, Debug)]
    pub struct Half {
        pub hidden: nn::Linear,
    }

    /// Same name as the model_fn that wrote the export, another model.
    #[model_fn]
    pub fn iris_classifier(model: &Half, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
        let out = model.hidden.forward(features);
        if mode == ModeKeys::Predict {
            return EstimatorSpec::new(mode).predictions(out);
        }
        let loss = out.mean();
        EstimatorSpec::new(mode)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
    }
}

#[test]
fn loading_an_export_checks_the_model_fn_and_unused_tensors() -> Result<(), Error> {
    let dir = tmp();
    let rows = iris();
    let est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let (features, _) = batch(&rows[..4], &device());
    let export_dir = est.export(dir.path().join("export"), features)?;

    let other = ExportedModel::load(&export_dir, diverging, Net::new(&device()));
    let err = other.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.contains("model_fn `iris_classifier`, not `diverging`"),
        "{err}"
    );

    let half = smaller::Half {
        hidden: nn::LinearConfig::new(4, 16).init(&device()),
    };
    let partial = ExportedModel::load(&export_dir, smaller::iris_classifier, half);
    let err = partial.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("unused") && err.contains("output"), "{err}");
    Ok(())
}

#[test]
fn export_then_load_predicts_what_the_estimator_predicts() -> Result<(), Error> {
    let dir = tmp();
    let rows = iris();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(50))?;
    let (features, _) = batch(&rows[..20], &device());
    let export_dir = est.export(dir.path().join("export"), features.clone())?;
    let expected: Vec<Prediction> = est
        .predict([features.clone()], PredictArgs::default())?
        .collect::<Result<_, _>>()?;

    let loaded = ExportedModel::load(&export_dir, iris_classifier, Net::new(&device()))?;
    let names: Vec<&str> = loaded
        .manifest()
        .signatures
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["serving_default"]);
    assert_eq!(loaded.manifest().signatures[0].method, "predict");
    let outputs = loaded.predict("serving_default", features)?;
    let logits = outputs
        .iter()
        .find(|(n, _)| n == "logits")
        .map(|(_, d)| d.clone())
        .expect("logits output");
    let got = logits.try_into_vec_as::<f32>().expect("f32 logits");
    let want: Vec<f32> = expected
        .iter()
        .flat_map(|p| {
            let logits = p.get("logits").cloned().expect("a logits output");
            logits.try_into_vec_as::<f32>().expect("f32 logits")
        })
        .collect();
    assert_eq!(got.len(), 60);
    assert_eq!(
        got, want,
        "exported model predicts exactly what the Estimator predicted"
    );
    assert!(
        loaded
            .predict("nope", batch(&rows[..1], &device()).0)
            .is_err()
    );
    Ok(())
}

#[test]
fn train_and_evaluate_with_early_stopping_and_a_best_exporter() -> Result<(), Error> {
    let dir = tmp();
    let rows = iris();
    // The policy must fire for certain: the eval loss can keep falling for all 2,000 steps
    // (it did, with some initial weights), but accuracy on the first 30 rows (all setosa)
    // reaches 1.0 and cannot increase after that.
    let eval_rows = rows[..30].to_vec();
    let serving_rows = rows.clone();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let train = TrainSpec::new(stream(rows, 16, device()), Some(2000));
    let eval = EvalSpec::new(move || vec![batch(&eval_rows, &device())])
        .throttle_steps(50)
        .early_stopping(EarlyStopping::no_increase("accuracy", 100).min_steps(100))
        .exporter(BestExporter::new("best", "accuracy", true, move || {
            batch(&serving_rows[..4], &device()).0
        }));
    let result = train_and_evaluate(&mut est, train, eval)?;
    assert!(result.stopped_early, "stopped at {}", est.global_step());
    let steps: Vec<u64> = result.evals.iter().map(|e| e.global_step).collect();
    let every_50: Vec<u64> = (1..=steps.len() as u64).map(|k| 50 * k).collect();
    assert_eq!(
        steps, every_50,
        "an evaluation every 50 steps, none after the stop"
    );
    assert_eq!(steps.last().copied(), Some(est.global_step()));
    // The policy, replayed on the evaluations, fires at the last one and at none before.
    let mut policy = EarlyStopping::no_increase("accuracy", 100).min_steps(100);
    let fired = result
        .evals
        .iter()
        .map(|e| policy.observe_eval(e))
        .collect::<Result<Vec<bool>, _>>()?;
    assert_eq!(
        fired.iter().position(|&f| f),
        Some(fired.len() - 1),
        "{fired:?}"
    );
    assert!(
        !result.exports.is_empty()
            && result
                .exports
                .iter()
                .all(|d| d.join("model.safetensors").exists())
    );
    let last = result.last_eval.expect("an evaluation ran");
    assert!(last.metric("accuracy").unwrap_or(0.0) > 0.9);
    Ok(())
}

#[test]
fn an_early_stopping_hook_reads_eval_results() -> Result<(), Error> {
    let dir = tmp();
    let rows = iris();
    let eval_rows = rows.clone();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    // Accuracy on the first 30 rows (all setosa) reaches 1.0 quickly and cannot increase after,
    // so "no increase for 100 steps" must stop training well before 5000 steps.
    let train = TrainSpec::new(stream(rows, 16, device()), Some(5000))
        .hook(stop_if_no_increase_hook("accuracy", 100));
    let eval = EvalSpec::new(move || vec![batch(&eval_rows[..30], &device())]).throttle_steps(25);
    let result = train_and_evaluate(&mut est, train, eval)?;
    assert!(result.stopped_early, "stopped at {}", est.global_step());
    // The hook stops at the step after the first evaluation at which its policy fires; a final
    // evaluation then reads the stopped model.
    let mut policy = EarlyStopping::no_increase("accuracy", 100);
    let mut fired_at = None;
    for e in &result.evals {
        if fired_at.is_none() && policy.observe_eval(e)? {
            fired_at = Some(e.global_step);
        }
    }
    assert_eq!(fired_at.map(|s| s + 1), Some(est.global_step()));
    let steps: Vec<u64> = result.evals.iter().map(|e| e.global_step).collect();
    let mut want: Vec<u64> = (1..=est.global_step() / 25).map(|k| 25 * k).collect();
    want.push(est.global_step());
    assert_eq!(
        steps, want,
        "an evaluation every 25 steps, and one after the stop"
    );
    Ok(())
}

#[test]
fn warm_start_copies_all_or_some_parameters() -> Result<(), Error> {
    let source = tmp();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(source.path()))?;
    est.train(stream(iris(), 16, device()), TrainArgs::steps(20))?;
    let trained = est
        .model()
        .map(|m| (weights(m), m.hidden.weight.val().into_data()))
        .expect("model");

    let all = tmp();
    let cfg = config(all.path()).warm_start_from(Scaffold::new().warm_start_from(source.path()));
    let warm = Estimator::new(iris_classifier, Net::new(&device()), cfg)?;
    assert_eq!(
        warm.global_step(),
        0,
        "warm start does not restore the global step"
    );
    assert_eq!(warm.model().map(weights), Some(trained.0.clone()));

    let some = tmp();
    let cfg = config(some.path()).warm_start_from(
        Scaffold::new()
            .warm_start_from(source.path())
            .vars_to_warm_start(["hidden"]),
    );
    let fresh = Net::new(&device());
    let fresh_output = fresh.output.weight.val().into_data();
    let partial = Estimator::new(iris_classifier, fresh, cfg)?;
    let model = partial.model().expect("model");
    assert_eq!(
        model.hidden.weight.val().into_data(),
        trained.1,
        "hidden layer warm-started"
    );
    assert_eq!(
        model.output.weight.val().into_data(),
        fresh_output,
        "output layer untouched"
    );
    Ok(())
}

#[test]
fn warm_start_patterns_are_checked_regular_expressions() -> Result<(), Error> {
    let source = tmp();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(source.path()))?;
    est.train(stream(iris(), 16, device()), TrainArgs::steps(2))?;
    let warm = |pattern: &str| {
        let dir = tmp();
        let scaffold = Scaffold::new()
            .warm_start_from(source.path())
            .vars_to_warm_start([pattern]);
        let cfg = config(dir.path()).warm_start_from(scaffold);
        Estimator::new(iris_classifier, Net::new(&device()), cfg).map(|e| e.global_step())
    };
    // A regex (TF semantics): the output layer's parameters, not the hidden one's.
    assert_eq!(warm("out.*")?, 0);
    // Invalid, or matching nothing (a non-ASCII name used to panic inside burn-store).
    for bad in ["hidden(", "encoder", "cafés"] {
        let err = warm(bad).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{bad}: {err:?}");
        assert!(
            err.to_string().contains("vars_to_warm_start"),
            "{bad}: {err}"
        );
    }
    Ok(())
}

#[model_fn]
fn two_optimizers(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(logits);
    };
    let ce = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits.clone(), labels);
    // A second, independent forward pass with its own objective (as a GAN's second player).
    let l2 = model.forward(features).square().mean() * 1e-3;
    let train_op = TrainOp::group([
        TrainOp::minimize(ce.clone(), AdamConfig::new(), 1e-2),
        TrainOp::minimize(l2, SgdConfig::new(), 1e-2),
    ]);
    EstimatorSpec::new(mode)
        .loss(ce)
        .train_op(train_op)
        .predictions(logits)
}

#[test]
fn grouped_train_ops_step_each_optimizer_and_resume() -> Result<(), Error> {
    let dir = tmp();
    let mut est = Estimator::new(two_optimizers, Net::new(&device()), config(dir.path()))?;
    let before = est.model().map(weights).expect("model");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(5))?;
    assert_ne!(est.model().map(weights), Some(before));
    drop(est);
    let mut est = Estimator::new(two_optimizers, Net::new(&device()), config(dir.path()))?;
    let s = est.train(stream(iris(), 16, device()), TrainArgs::steps(5))?;
    assert_eq!(s.global_step, 10);
    Ok(())
}

/// Where a spec's Scaffold warm-starts from.
struct WarmFrom(std::path::PathBuf);

#[model_fn]
fn scaffolded(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &WarmFrom,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(logits);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits.clone(), labels);
    EstimatorSpec::new(mode)
        .loss(loss.clone())
        .train_op(TrainOp::minimize(loss, SgdConfig::new(), 1e-9))
        .predictions(logits)
        .scaffold(Scaffold::new().warm_start_from(&params.0))
}

#[test]
fn a_spec_scaffold_warm_starts_a_fresh_run_once() -> Result<(), Error> {
    let source = tmp();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(source.path()))?;
    est.train(stream(iris(), 16, device()), TrainArgs::steps(20))?;
    let trained = est.model().map(weights).expect("model");

    let dir = tmp();
    let mut warm = Estimator::new(scaffolded, Net::new(&device()), config(dir.path()))?
        .with_params(WarmFrom(source.path().to_path_buf()));
    let s = warm.train(stream(iris(), 16, device()), TrainArgs::steps(3))?;
    assert_eq!(s.global_step, 3, "the initialising batch is not a step");
    let after = warm.model().map(weights).expect("model");
    let max_diff = trained
        .iter()
        .zip(&after)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        max_diff < 1e-5,
        "weights start from the source checkpoint (max diff {max_diff})"
    );
    Ok(())
}

/// Counts a hook's calls, shared with the test.
struct CallCounter(std::rc::Rc<std::cell::RefCell<[u64; 3]>>);

impl Hook for CallCounter {
    fn begin(&mut self, _: &HookContext) -> Result<(), Error> {
        self.0.borrow_mut()[0] += 1;
        Ok(())
    }

    fn wants_loss(&self, _: u64) -> bool {
        false
    }

    fn after_step(&mut self, _: &HookContext) -> Result<(), Error> {
        self.0.borrow_mut()[1] += 1;
        Ok(())
    }

    fn end(&mut self, _: &HookContext) -> Result<(), Error> {
        self.0.borrow_mut()[2] += 1;
        Ok(())
    }
}

#[test]
fn train_and_evaluate_hooks_see_one_run() -> Result<(), Error> {
    let dir = tmp();
    let rows = iris();
    let eval_rows = rows.clone();
    let calls = std::rc::Rc::new(std::cell::RefCell::new([0u64; 3]));
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let train =
        TrainSpec::new(stream(rows, 16, device()), Some(100)).hook(CallCounter(calls.clone()));
    let eval = EvalSpec::new(move || vec![batch(&eval_rows, &device())]).throttle_steps(25);
    let result = train_and_evaluate(&mut est, train, eval)?;
    let steps: Vec<u64> = result.evals.iter().map(|e| e.global_step).collect();
    assert_eq!(steps, vec![25, 50, 75, 100], "4 evaluation rounds");
    assert_eq!(
        *calls.borrow(),
        [1, 100, 1],
        "one begin, an after_step per step, one end"
    );
    Ok(())
}
