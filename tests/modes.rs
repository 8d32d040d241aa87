//! A serving-only model_fn (`#[model_fn(modes(predict))]`): it predicts, and the Estimator
//! refuses to train or evaluate it with a typed error, leaving model_dir untouched.

mod common;

use common::*;
use estimator_runtime::prelude::*;

#[model_fn(modes(predict))]
fn serving(model: &Net, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.forward(features);
    let classes = logits.argmax(1).flatten::<1>(0, 1);
    EstimatorSpec::new(mode).predictions(Predictions::new().with("class", classes))
}

#[test]
fn predict_only_model_fn_predicts_and_refuses_train_and_eval() -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let mut est = Estimator::new(serving, Net::new(&device()), config(dir.path()))?;
    let (features, _) = batch(&rows[..4], &device());
    let predictions: Vec<Prediction> = est
        .predict([features.clone()], PredictArgs::default())?
        .collect::<Result<_, _>>()?;
    assert_eq!(predictions.len(), 4);
    assert!(predictions.iter().all(|p| p.scalar("class").is_some()));

    let labelled = stream(rows.clone(), 16, device()).map(|(f, _)| (f, ()));
    let err = est.train(labelled, TrainArgs::steps(3)).unwrap_err();
    match &err {
        Error::UnsupportedMode { model_fn, mode, .. } => {
            assert_eq!(*model_fn, "serving");
            assert_eq!(*mode, ModeKeys::Train);
        }
        other => panic!("expected UnsupportedMode, got {other:?}"),
    }
    assert!(err.to_string().contains("modes(predict)"), "{err}");

    let err = est
        .evaluate(vec![(features, ())], EvalArgs::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnsupportedMode {
                mode: ModeKeys::Eval,
                ..
            }
        ),
        "{err:?}"
    );
    let written: Vec<_> = std::fs::read_dir(dir.path())
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        !written
            .iter()
            .any(|n| n.to_string_lossy().starts_with("model.ckpt")),
        "no checkpoint written: {written:?}"
    );
    Ok(())
}

impl Net {
    /// `iris_classifier` as an associated model_fn that names `Self` (it becomes the associated
    /// const `Net::classifier`; the body is a closure, where `Self` is in scope).
    #[model_fn]
    fn classifier(
        model: &Self,
        features: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        let logits = Self::forward(model, features);
        let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
        let predictions = Predictions::new()
            .with("class", classes.clone())
            .with("logits", logits.clone());
        if mode == ModeKeys::Predict {
            return EstimatorSpec::new(mode).predictions(predictions);
        }
        let Some(labels) = labels else {
            return EstimatorSpec::new(mode).predictions(predictions);
        };
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels.clone());
        let train_op = (mode == ModeKeys::Train)
            .then(|| TrainOp::minimize(loss.clone(), AdamConfig::new(), 0.02));
        EstimatorSpec {
            predictions: Some(predictions),
            loss: Some(loss),
            train_op,
            eval_metric_ops: EvalMetricOps::new()
                .with("accuracy", metrics::accuracy(labels, classes)),
            ..EstimatorSpec::new(mode)
        }
    }
}

fn model_of<F: ModelFn<Model = Net, Params = ()>>(est: &Estimator<F>) -> Result<&Net, Error> {
    est.model()
        .ok_or_else(|| Error::Config("the estimator holds no model".into()))
}

#[test]
fn an_associated_model_fn_naming_self_trains_like_the_free_one() -> Result<(), Error> {
    let rows = iris();
    // One initial model for both runs (a fresh `Net::new` draws other random weights).
    let initial = Net::new(&device());
    let run = |associated: bool| -> Result<(Vec<f32>, EvalResults), Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
        let input = || stream(rows.clone(), 16, device());
        let eval_input = || vec![batch(&rows, &device())];
        if associated {
            let mut est = Estimator::new(Net::classifier, initial.clone(), config(dir.path()))?;
            est.train(input(), TrainArgs::steps(20))?;
            let results = est.evaluate(eval_input(), EvalArgs::default())?;
            Ok((weights(model_of(&est)?), results))
        } else {
            let mut est = Estimator::new(iris_classifier, initial.clone(), config(dir.path()))?;
            est.train(input(), TrainArgs::steps(20))?;
            let results = est.evaluate(eval_input(), EvalArgs::default())?;
            Ok((weights(model_of(&est)?), results))
        }
    };
    let (w_assoc, r_assoc) = run(true)?;
    let (w_free, r_free) = run(false)?;
    assert_eq!(w_assoc, w_free, "same function, same seed: same weights");
    assert_eq!(r_assoc.global_step, 20);
    assert_eq!(r_assoc.loss, r_free.loss);
    // A direct call goes through the same closure, its spec validated.
    let (features, labels) = batch(&rows[..4], &device());
    let spec = Net::classifier(&Net::new(&device()), features, Some(labels), ModeKeys::Eval)?;
    assert!(spec.loss.is_some() && spec.train_op.is_none());
    Ok(())
}
