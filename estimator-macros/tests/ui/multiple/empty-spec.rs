use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn]
fn classifier(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let _logits = model.linear.forward(features);
    EstimatorSpec::new(mode)
}

fn main() {}
