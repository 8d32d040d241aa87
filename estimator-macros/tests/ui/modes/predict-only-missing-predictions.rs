use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

// Declared for PREDICT only: TRAIN and EVAL are not checked, PREDICT still is.
#[model_fn(modes(predict))]
fn serving(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    EstimatorSpec::new(mode).loss(logits.sum())
}

fn main() {}
