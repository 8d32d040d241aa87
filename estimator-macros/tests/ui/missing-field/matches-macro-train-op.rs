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
    if matches!(mode, ModeKeys::Train | ModeKeys::Eval) {
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels.unwrap());
        return EstimatorSpec::new(mode).loss(loss);
    }
    EstimatorSpec::new(mode).predictions(logits)
}

fn main() {}
