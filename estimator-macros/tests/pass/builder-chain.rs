// A builder chain per mode, with metrics, export outputs and a `matches!` condition.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn]
fn regressor(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let value = model.linear.forward(features).flatten::<1>(0, 1);
    if matches!(mode, ModeKeys::Predict) {
        return EstimatorSpec::new(mode)
            .predictions(Predictions::new().with("value", value.clone()))
            .export_outputs(
                ExportOutputs::new()
                    .with(
                        "serving_default",
                        ExportOutput::Regression {
                            value: value.clone(),
                        },
                    )
                    .with("predict", ExportOutput::Predict(Predictions::from(value))),
            );
    }
    let labels = labels.unwrap();
    let loss = MseLoss::new().forward(value.clone(), labels.clone(), nn::loss::Reduction::Mean);
    let spec = EstimatorSpec::new(mode).loss(loss.clone()).eval_metric_ops(
        EvalMetricOps::new()
            .with(
                "rmse",
                metrics::root_mean_squared_error(labels.clone(), value.clone()),
            )
            .with("mae", metrics::mean_absolute_error(labels, value)),
    );
    spec.train_op(
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss, AdamConfig::new(), 1e-3)),
    )
}

fn main() {}
