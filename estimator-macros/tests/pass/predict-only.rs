// A serving-only model_fn (a model trained elsewhere): `modes(predict)` limits the checks to
// PREDICT; the Estimator refuses to train or evaluate it with `Error::UnsupportedMode`.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn(modes(predict))]
fn serving(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    EstimatorSpec::new(mode).predictions(Predictions::new().with("logits", logits))
}

fn main() {
    assert_eq!(serving.modes(), &[ModeKeys::Predict]);
}
