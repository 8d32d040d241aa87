use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

fn classify(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    EstimatorSpec::new(mode).predictions(model.linear.forward(features))
}

#[model_fn]
const CLASSIFIER: fn(&Mlp, Tensor<2>, ModeKeys) -> EstimatorSpec = classify;

fn main() {}
