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
    mode: &str,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    match mode {
        "train" => EstimatorSpec::new(ModeKeys::Train)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1)),
        _ => EstimatorSpec::new(ModeKeys::Eval).loss(loss),
    }
}

fn main() {}
