// A model_fn may share its name with its own parameter or with bindings in its body, as a
// plain `fn` may: inside the body, the name is an ordinary binding. A model_fn named like a
// parameter (`features`) does not break the other model_fns of the module either.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Net {
    linear: nn::Linear,
}

#[model_fn]
fn model(model: &Net, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let loss = logits.clone().sum();
    EstimatorSpec::new(mode)
        .predictions(Predictions::from(logits))
        .loss(loss.clone())
        .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
}

#[model_fn(modes(predict, eval))]
fn features(features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let features = features.clone();
    let mode = mode;
    EstimatorSpec::new(mode).predictions(Predictions::from(features.clone())).loss(features.sum())
}

fn main() {
    // Both names are still values that `Estimator::new` accepts.
    fn accepts<F: ModelFn>(_: &F) {}
    accepts(&model);
    accepts(&features);
}
