use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn]
fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec {
            mode,
            predictions: None,
            loss: None,
            train_op: None,
            eval_metric_ops: EvalMetricOps::new(),
            export_outputs: ExportOutputs::new().with(
                "serving_default",
                ExportOutput::Predict(Predictions::new().with("logits", logits)),
            ),
            training_chief_hooks: Vec::new(),
            training_hooks: Vec::new(),
            evaluation_hooks: Vec::new(),
            prediction_hooks: Vec::new(),
            scaffold: Scaffold::new(),
        };
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn main() {}
