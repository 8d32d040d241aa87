// TF's first `EstimatorSpec` example: compute everything, hand it all to one constructor.
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
    let predictions = Predictions::new().with("logits", logits.clone());
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let train_op = TrainOp::minimize(loss.clone(), AdamConfig::new(), 1e-3);
    EstimatorSpec {
        mode,
        predictions: Some(predictions),
        loss: Some(loss),
        train_op: Some(train_op),
        ..EstimatorSpec::new(mode)
    }
}

fn main() {}
