//! End-to-end tests of the Estimator on ndarray, with smartcore's iris data set.

mod common;

use common::*;
use estimator_runtime::prelude::*;

#[test]
fn train_evaluate_predict() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let summary = est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(200))?;
    assert_eq!(summary.global_step, 200);
    assert_eq!(summary.steps, 200);
    let results = est.evaluate(vec![batch(&rows, &device())], EvalArgs::default())?;
    assert_eq!(results.global_step, 200);
    let accuracy = results.metric("accuracy").unwrap_or(0.0);
    assert!(accuracy > 0.9, "iris accuracy {accuracy}");
    assert!(results.loss < 0.5, "loss {}", results.loss);
    let (features, labels) = batch(&rows[..10], &device());
    let predictions: Vec<Prediction> = est
        .predict([features], PredictArgs::default())?
        .collect::<Result<_, _>>()?;
    assert_eq!(predictions.len(), 10);
    assert_eq!(
        predictions[0].get("logits").map(|d| d.shape().to_vec()),
        Some(vec![3])
    );
    let labels = labels
        .into_data()
        .try_into_vec_as::<i64>()
        .unwrap_or_default();
    let correct = predictions
        .iter()
        .zip(&labels)
        .filter(|(p, l)| p.scalar("class") == Some(**l as f64))
        .count();
    assert!(correct >= 8, "{correct}/10 correct");
    Ok(())
}

#[test]
fn predict_keys_select_outputs_and_unknown_keys_fail() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let (features, _) = batch(&iris()[..3], &device());
    let only_class: Vec<Prediction> = est
        .predict(
            [features.clone()],
            PredictArgs::default().predict_keys(["class"]),
        )?
        .collect::<Result<_, _>>()?;
    assert_eq!(only_class[0].keys().collect::<Vec<_>>(), ["class"]);
    let err = est
        .predict([features], PredictArgs::default().predict_keys(["nope"]))?
        .next();
    assert!(matches!(err, Some(Err(Error::Config(_)))), "{err:?}");
    Ok(())
}

#[test]
fn a_new_estimator_resumes_and_max_steps_is_absolute() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(30))?;
    drop(est);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    assert_eq!(est.global_step(), 30);
    let s = est.train(stream(rows.clone(), 16, device()), TrainArgs::max_steps(50))?;
    assert_eq!((s.global_step, s.steps), (50, 20));
    let s = est.train(stream(rows, 16, device()), TrainArgs::max_steps(40))?;
    assert_eq!((s.global_step, s.steps), (50, 0));
    Ok(())
}

#[test]
fn input_exhaustion_ends_training() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let batches: Vec<Batch> = rows.chunks(50).map(|c| batch(c, &device())).collect();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let s = est.train(batches, TrainArgs::steps(100))?;
    assert_eq!(s.global_step, 3);
    Ok(())
}

#[test]
fn a_loss_with_several_elements_is_an_error() -> Result<(), Error> {
    #[model_fn]
    fn per_example_loss(
        model: &Net,
        features: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        let logits = model.forward(features);
        let loss = logits.clone().sum_dim(1).flatten::<1>(0, 1);
        let _ = labels;
        EstimatorSpec::new(mode)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
            .predictions(logits)
    }
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let mut est = Estimator::new(per_example_loss, Net::new(&device()), config(dir.path()))?;
    let err = est
        .train(stream(iris(), 8, device()), TrainArgs::steps(1))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Loss must be scalar, given: [8] (reduce it, e.g. with `.mean()`)"
    );
    Ok(())
}

/// What a `tracing_subscriber` wrote, for the tests that read the log.
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;

    fn make_writer(&'a self) -> CapturedLog {
        self.clone()
    }
}

fn spec_from_helper(mode: ModeKeys, loss: Tensor<1>) -> EstimatorSpec {
    EstimatorSpec::new(mode).loss(loss)
}

#[test]
fn a_missing_field_the_macro_cannot_see_is_caught_at_run_time() -> Result<(), Error> {
    #[model_fn]
    fn helper_built(
        model: &Net,
        features: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        let loss = model.forward(features).mean();
        let _ = labels;
        spec_from_helper(mode, loss)
    }
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let mut est = Estimator::new(helper_built, Net::new(&device()), config(dir.path()))?;
    let log = CapturedLog::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .finish();
    let err = tracing::subscriber::with_default(subscriber, || {
        est.train(stream(iris(), 8, device()), TrainArgs::steps(1))
    })
    .unwrap_err();
    // The contract's one-field form.
    assert!(
        matches!(
            err,
            Error::MissingTrainOp {
                mode: ModeKeys::Train
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("Missing train_op."));
    // The log names the model_fn and the helper call the macro saw the spec come from.
    let line = line!() - 25;
    let expected = format!(
        "the model_fn `helper_built`, with the spec built by the call to `spec_from_helper` at tests/estimator.rs:{line}, returned an invalid spec for ModeKeys::Train: Missing train_op."
    );
    let logged = log.text();
    assert!(logged.contains(&expected), "{logged}");
    assert!(est.model().is_some(), "the model survives a failed call");
    Ok(())
}

#[test]
fn a_truncated_checkpoint_is_a_typed_error_and_the_previous_one_loads() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(10))?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(10))?;
    let latest = est
        .latest_checkpoint()?
        .ok_or_else(|| Error::Config("no checkpoint".into()))?;
    assert!(latest.ends_with("model.ckpt-20"));
    let bytes = std::fs::read(&latest).map_err(|e| Error::Config(e.to_string()))?;
    std::fs::write(&latest, &bytes[..bytes.len() / 2]).map_err(|e| Error::Config(e.to_string()))?;
    // Issue 22: by default the newest intact checkpoint is restored, with a warning; the
    // strict switch makes the corrupt latest an error.
    let strict = config(dir.path()).error_on_corrupt_checkpoint(true);
    let err = Estimator::new(iris_classifier, Net::new(&device()), strict).err();
    assert!(
        matches!(err, Some(Error::CorruptCheckpoint { .. })),
        "{err:?}"
    );
    let fell_back = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    assert_eq!(fell_back.global_step(), 10);
    let previous = dir.path().join("model.ckpt-10");
    let results = est.evaluate(
        vec![batch(&rows, &device())],
        EvalArgs::default().checkpoint_path(&previous),
    )?;
    assert_eq!(results.global_step, 10);
    Ok(())
}

#[test]
fn an_unwritable_model_dir_is_a_typed_error() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").map_err(|e| Error::Config(e.to_string()))?;
    let err = Estimator::new(
        iris_classifier,
        Net::new(&device()),
        config(&file.join("runs")),
    )
    .err();
    assert!(matches!(err, Some(Error::Io { .. })), "{err:?}");
    Ok(())
}

#[cfg(unix)]
#[test]
fn a_read_only_model_dir_serves_predict_and_train_is_a_typed_error() -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).map_err(|e| Error::Config(e.to_string()))?;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555))
        .map_err(|e| Error::Config(e.to_string()))?;
    if std::fs::write(ro.join("probe"), b"").is_ok() {
        eprintln!(
            "skipped: this user (root?) can write to a 0o555 directory; the unwritable-dir test covers the error"
        );
        return Ok(());
    }
    // Issue 22: an existing model_dir that cannot be written is fine for predict-only use.
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(&ro))?;
    let err = est
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .err();
    assert!(matches!(err, Some(Error::Io { .. })), "{err:?}");
    Ok(())
}

#[test]
fn a_checkpoint_of_another_shape_is_refused() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    est.train(stream(iris(), 16, device()), TrainArgs::steps(2))?;
    let wider = Net {
        hidden: nn::LinearConfig::new(4, 32).init(&device()),
        output: nn::LinearConfig::new(32, 3).init(&device()),
    };
    let err = Estimator::new(iris_classifier, wider, config(dir.path())).err();
    match err {
        Some(Error::CorruptCheckpoint { reason, .. }) => {
            assert!(reason.contains("another shape"), "{reason}")
        }
        other => panic!("expected CorruptCheckpoint, got {other:?}"),
    }
    Ok(())
}

#[test]
fn keep_checkpoint_max_deletes_old_checkpoints() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let cfg = config(dir.path())
        .save_checkpoints_steps(1)
        .keep_checkpoint_max(3);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), cfg)?;
    est.train(stream(iris(), 16, device()), TrainArgs::steps(8))?;
    let mut ckpts: Vec<String> = std::fs::read_dir(dir.path())
        .map_err(|e| Error::Config(e.to_string()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("model.ckpt-"))
        .collect();
    ckpts.sort();
    assert_eq!(ckpts, ["model.ckpt-6", "model.ckpt-7", "model.ckpt-8"]);
    Ok(())
}

#[test]
fn changing_the_optimizer_kind_is_an_error() -> Result<(), Error> {
    #[model_fn]
    fn sgd_model(
        model: &Net,
        features: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        let logits = model.forward(features);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(
                logits,
                labels.unwrap_or_else(|| Tensor::zeros([1], &Device::default())),
            );
        EstimatorSpec::new(mode)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
            .predictions(Predictions::new())
    }
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    est.train(stream(iris(), 16, device()), TrainArgs::steps(2))?;
    drop(est);
    let mut est = Estimator::new(sgd_model, Net::new(&device()), config(dir.path()))?;
    let err = est
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .unwrap_err();
    assert!(matches!(err, Error::OptimizerChanged { .. }), "{err:?}");
    Ok(())
}

#[test]
fn predict_and_evaluate_from_a_given_checkpoint() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(1))?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(100))?;
    let (features, _) = batch(&rows[..5], &device());
    let logits = |p: Vec<Prediction>| -> Vec<f64> {
        p.iter()
            .flat_map(|p| p.values_f64("logits").expect("a logits output"))
            .collect()
    };
    let resident = logits(
        est.predict([features.clone()], PredictArgs::default())?
            .collect::<Result<_, _>>()?,
    );
    let first = dir.path().join("model.ckpt-1");
    let early = logits(
        est.predict(
            [features.clone()],
            PredictArgs::default().checkpoint_path(&first),
        )?
        .collect::<Result<_, _>>()?,
    );
    let latest = logits(
        est.predict(
            [features],
            PredictArgs::default().checkpoint_path(dir.path()),
        )?
        .collect::<Result<_, _>>()?,
    );
    assert_eq!(
        resident, latest,
        "the latest checkpoint holds the resident model"
    );
    assert_ne!(resident, early, "step 1's checkpoint predicts differently");
    let eval = est.evaluate(
        vec![batch(&rows, &device())],
        EvalArgs::default().checkpoint_path(&first).name("first"),
    )?;
    assert_eq!((eval.global_step, eval.name.as_deref()), (1, Some("first")));
    assert!(
        dir.path().join("eval_first").is_dir(),
        "named evaluations write their own summaries"
    );
    Ok(())
}

#[test]
fn gradient_accumulation_takes_one_step_per_n_batches() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let batches: Vec<Batch> = rows.chunks(10).map(|c| batch(c, &device())).collect();
    let cfg = config(dir.path()).gradient_accumulation_steps(3);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), cfg)?;
    let s = est.train(batches, TrainArgs::default())?;
    // 15 batches, 3 per optimizer step: 5 steps.
    assert_eq!((s.global_step, s.input_exhausted), (5, true));
    let s = est.train(stream(rows.clone(), 10, device()), TrainArgs::steps(100))?;
    assert_eq!(s.global_step, 105);
    let acc = est
        .evaluate(vec![batch(&rows, &device())], EvalArgs::default())?
        .metric("accuracy")
        .unwrap_or(0.0);
    assert!(acc > 0.85, "accuracy {acc}");
    Ok(())
}
