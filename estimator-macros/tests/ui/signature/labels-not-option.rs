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
    labels: Tensor<1, Int>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::new().with("logits", logits));
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn main() {}
