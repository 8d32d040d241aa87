//! `predict` keeps its inference model between calls and drops it when training changes the
//! weights.

mod common;

use common::*;
use estimator_runtime::prelude::*;

/// The logits `$est` predicts for the batch `$x`.
macro_rules! logits {
    ($est:expr, $x:expr) => {{
        let mut out = Vec::new();
        for p in $est.predict(
            [$x.clone()],
            PredictArgs::default().predict_keys(["logits"]),
        )? {
            out.extend(p?.values_f64("logits").unwrap_or_default());
        }
        out
    }};
}

#[test]
fn predict_sees_the_weights_of_the_latest_train_call() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let (x, _) = batch(&iris()[..8], &device());
    let before = logits!(est, x);
    assert_eq!(logits!(est, x), before, "the same model twice");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(5))?;
    let after = logits!(est, x);
    assert_ne!(after, before, "training changed the weights predict uses");
    let weights_now = weights(est.model().expect("resident"));
    est.train(stream(iris(), 16, device()), TrainArgs::steps(5))?;
    assert_ne!(weights(est.model().expect("resident")), weights_now);
    assert_ne!(logits!(est, x), after, "and again after a second call");
    Ok(())
}

/// Logits and classes, with two serving signatures and no `serving_default` when asked.
#[model_fn(modes(predict))]
fn two_outputs(model: &Net, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    EstimatorSpec::new(mode).predictions(
        Predictions::new()
            .with("class", classes)
            .with("logits", logits),
    )
}

/// Two serving signatures, neither `serving_default` (TF's rule refuses that).
#[model_fn(modes(predict))]
fn no_serving_default(model: &Net, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.forward(features);
    let value = logits.clone().sum_dim(1).flatten::<1>(0, 1);
    EstimatorSpec::new(mode)
        .predictions(Predictions::new().with("logits", logits))
        .export_outputs(two_signatures(value))
}

/// Signatures `a` and `b`, built out of the macro's sight (it refuses the literal at compile
/// time), so the check `predict` runs is the one tested.
fn two_signatures(value: Tensor<1>) -> ExportOutputs {
    ExportOutputs::new()
        .with(
            "a",
            ExportOutput::Regression {
                value: value.clone(),
            },
        )
        .with("b", ExportOutput::Regression { value })
}

/// Outputs whose first dimensions differ: one row too many in `extra`.
#[model_fn(modes(predict))]
fn ragged(model: &Net, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let rows = features.dims()[0];
    let extra = Tensor::<1>::zeros([rows + 1], &features.device());
    let logits = model.forward(features);
    EstimatorSpec::new(mode).predictions(
        Predictions::new()
            .with("logits", logits)
            .with("extra", extra),
    )
}

#[test]
fn each_example_gets_its_own_row_of_every_output_in_order() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let est = Estimator::new(two_outputs, Net::new(&device()), config(dir.path()))?;
    let (x, _) = batch(&iris()[..5], &device());
    let logits = est.model().expect("resident").forward(x.clone());
    let expected: Vec<f64> = logits.to_data().iter::<f64>().collect();
    let classes: Vec<f64> = logits.argmax(1).to_data().iter::<f64>().collect();
    let rows: Vec<Prediction> = est
        .predict([x.clone()], PredictArgs::default())?
        .collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 5);
    for (i, p) in rows.iter().enumerate() {
        assert_eq!(p.keys().collect::<Vec<_>>(), ["class", "logits"]);
        assert_eq!(p.scalar("class"), Some(classes[i]), "example {i}");
        let got = p.values_f64("logits").unwrap_or_default();
        assert_eq!(got.len(), 3, "example {i}");
        for (g, e) in got.iter().zip(&expected[i * 3..i * 3 + 3]) {
            assert!((g - e).abs() < 1e-5, "example {i}: {got:?}");
        }
    }
    let only = est.predict([x], PredictArgs::default().predict_keys(["logits"]))?;
    for p in only {
        assert_eq!(p?.keys().collect::<Vec<_>>(), ["logits"]);
    }
    Ok(())
}

#[test]
fn predict_still_applies_the_serving_default_rule() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let est = Estimator::new(no_serving_default, Net::new(&device()), config(dir.path()))?;
    let (x, _) = batch(&iris()[..2], &device());
    let first = est.predict([x], PredictArgs::default())?.next();
    assert!(
        matches!(first, Some(Err(Error::NoDefaultExportOutput { .. }))),
        "{first:?}"
    );
    Ok(())
}

#[test]
fn outputs_with_different_batch_sizes_are_a_shape_error() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let est = Estimator::new(ragged, Net::new(&device()), config(dir.path()))?;
    let (x, _) = batch(&iris()[..3], &device());
    let first = est.predict([x], PredictArgs::default())?.next();
    let Some(Err(Error::Shape(message))) = first else {
        panic!("expected a shape error, got {first:?}");
    };
    assert_eq!(message, "prediction `extra` has 4 rows, the others Some(3)");
    Ok(())
}
