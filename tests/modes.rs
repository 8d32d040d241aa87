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
