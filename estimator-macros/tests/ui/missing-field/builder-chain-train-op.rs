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
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(predictions);
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    EstimatorSpec::new(mode).predictions(predictions).loss(loss)
}

fn main() {}
