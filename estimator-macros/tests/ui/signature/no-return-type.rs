use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn]
fn classifier(model: &Mlp, features: Tensor<2>, mode: ModeKeys) {
    let logits = model.linear.forward(features);
    let _spec = EstimatorSpec::new(mode).predictions(logits);
}

fn main() {}
