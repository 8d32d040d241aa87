//! TF's `model_fn_test.py` cases that have a meaning in Rust.

use super::*;
use crate::export_output::ExportOutput;
use crate::metrics;
use burn::optim::SgdConfig;
use burn::tensor::{Device, Int};

fn device() -> Device {
    Device::default()
}

fn loss() -> Tensor<1> {
    Tensor::from_data([1.0f32], &device())
}

fn train_op() -> TrainOp {
    TrainOp::minimize(loss(), SgdConfig::new(), 0.1)
}

fn classes() -> Tensor<1, Int> {
    Tensor::from_data([1, 0], &device())
}

#[test]
fn train_all_specified() {
    let spec = EstimatorSpec::new(ModeKeys::Train)
        .predictions(classes())
        .loss(loss())
        .train_op(train_op())
        .eval_metric_ops(EvalMetricOps::new().with("acc", metrics::accuracy(classes(), classes())));
    assert!(spec.validate().is_ok());
}

#[test]
fn train_minimal() {
    assert!(
        EstimatorSpec::new(ModeKeys::Train)
            .loss(loss())
            .train_op(train_op())
            .validate()
            .is_ok()
    );
}

#[test]
fn train_missing_train_op() {
    let err = EstimatorSpec::new(ModeKeys::Train)
        .loss(loss())
        .validate()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::MissingTrainOp {
            mode: ModeKeys::Train,
            ..
        }
    ));
    assert!(err.to_string().starts_with("Missing train_op."));
}

#[test]
fn train_missing_loss() {
    let err = EstimatorSpec::new(ModeKeys::Train)
        .train_op(train_op())
        .validate()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::MissingLoss {
            mode: ModeKeys::Train,
            ..
        }
    ));
}

#[test]
fn eval_minimal_and_missing_loss() {
    assert!(
        EstimatorSpec::new(ModeKeys::Eval)
            .loss(loss())
            .validate()
            .is_ok()
    );
    let err = EstimatorSpec::new(ModeKeys::Eval)
        .predictions(classes())
        .validate()
        .unwrap_err();
    assert!(err.to_string().starts_with("Missing loss."), "{err}");
}

#[test]
fn predict_missing_predictions() {
    let err = EstimatorSpec::new(ModeKeys::Predict)
        .loss(loss())
        .validate()
        .unwrap_err();
    assert!(err.to_string().starts_with("Missing predictions."), "{err}");
}

#[test]
fn predict_tensor_predictions() {
    let spec = EstimatorSpec::new(ModeKeys::Predict)
        .predictions(classes())
        .validate()
        .unwrap();
    assert!(
        spec.predictions
            .as_ref()
            .is_some_and(Predictions::is_single)
    );
}

#[test]
fn loss_shapes() {
    let ok = [
        Tensor::<1>::from_data([1.0f32], &device()),
        Tensor::<2>::from_data([[1.0f32]], &device()).flatten(0, 1),
    ];
    for l in ok {
        assert!(
            EstimatorSpec::new(ModeKeys::Eval)
                .loss(l)
                .validate()
                .is_ok()
        );
    }
    let err = EstimatorSpec::new(ModeKeys::Eval)
        .loss(Tensor::<1>::from_data([1.0f32, 2.0], &device()))
        .validate()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Loss must be scalar, given: [2] (reduce it, e.g. with `.mean()`)"
    );
}

#[test]
fn reserved_metric_names() {
    for name in ["loss", "global_step"] {
        let err = EstimatorSpec::new(ModeKeys::Eval)
            .loss(loss())
            .eval_metric_ops(EvalMetricOps::new().with(name, metrics::mean(loss())))
            .validate()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "Metric with name \"{name}\" is not allowed, because Estimator already defines a default metric with the same name."
            )
        );
    }
}

fn regression() -> ExportOutput {
    ExportOutput::Regression {
        value: Tensor::from_data([1.0f32, 2.0], &device()),
    }
}

#[test]
fn several_export_outputs_need_a_default() {
    let outputs = ExportOutputs::new()
        .with("a", regression())
        .with("b", regression());
    let err = EstimatorSpec::new(ModeKeys::Predict)
        .predictions(classes())
        .export_outputs(outputs)
        .validate()
        .unwrap_err();
    assert!(err.to_string().starts_with(
        "Multiple export_outputs were provided, but none of them is specified as the default."
    ));
    let outputs = ExportOutputs::new()
        .with("a", regression())
        .with("serving_default", regression());
    assert!(
        EstimatorSpec::new(ModeKeys::Predict)
            .predictions(classes())
            .export_outputs(outputs)
            .validate()
            .is_ok()
    );
}

#[test]
fn one_export_output_is_also_the_default() {
    let spec = EstimatorSpec::new(ModeKeys::Predict)
        .predictions(classes())
        .export_outputs(ExportOutputs::new().with("r", regression()));
    let spec = PredictModeSpec::try_from(spec).unwrap();
    assert_eq!(spec.export_outputs.len(), 2);
    assert_eq!(
        spec.export_outputs
            .get("serving_default")
            .map(ExportOutput::kind),
        Some("regress")
    );
}

#[test]
fn no_export_outputs_default_to_predictions() {
    let spec =
        PredictModeSpec::try_from(EstimatorSpec::new(ModeKeys::Predict).predictions(classes()))
            .unwrap();
    assert_eq!(
        spec.export_outputs
            .get("serving_default")
            .map(ExportOutput::kind),
        Some("predict")
    );
}

#[test]
fn per_mode_specs_carry_required_fields() {
    let spec = TrainModeSpec::try_from(
        EstimatorSpec::new(ModeKeys::Train)
            .loss(loss())
            .train_op(train_op()),
    )
    .unwrap();
    assert_eq!(spec.train_op.optimizer_kinds(), ["sgd"]);
    assert!(TrainModeSpec::try_from(EstimatorSpec::new(ModeKeys::Train).loss(loss())).is_err());
    assert!(EvalModeSpec::try_from(EstimatorSpec::new(ModeKeys::Eval)).is_err());
}

#[test]
fn builder_accepts_options() {
    let none: Option<TrainOp> = None;
    let spec = EstimatorSpec::new(ModeKeys::Eval)
        .loss(Some(loss()))
        .train_op(none);
    assert!(spec.train_op.is_none() && spec.loss.is_some());
}

#[test]
fn builder_accepts_optional_predictions() {
    let none: Option<Predictions> = None;
    assert!(
        EstimatorSpec::new(ModeKeys::Predict)
            .predictions(none)
            .predictions
            .is_none()
    );
    let some = Some(Predictions::from(classes()));
    assert!(
        EstimatorSpec::new(ModeKeys::Predict)
            .predictions(some)
            .predictions
            .is_some()
    );
}
