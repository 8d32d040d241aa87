// The runtime under another name: `crate = "..."` tells the generated code where it is.
extern crate estimator_runtime as rt;

use rt::burn;
use rt::prelude::{EstimatorSpec, ModeKeys, Module, Predictions, SgdConfig, Tensor, TrainOp, nn};

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[rt::model_fn(crate = "rt")]
fn regressor(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let value = model.linear.forward(features).flatten::<1>(0, 1);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::from(value));
    }
    let loss = (value - labels.unwrap()).square().mean();
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.05));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn takes<F: rt::ModelFn<Model = Mlp>>(_: F) {}

fn main() {
    takes(regressor);
}
