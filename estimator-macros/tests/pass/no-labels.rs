// An unsupervised model_fn: no `labels` parameter, and `features` first.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn]
fn autoencoder(features: Tensor<2>, mode: ModeKeys, model: &Mlp) -> EstimatorSpec {
    let reconstruction = model.linear.forward(features.clone());
    let loss = (reconstruction.clone() - features).square().mean();
    match mode {
        ModeKeys::Predict => {
            EstimatorSpec::new(mode).predictions(Predictions::new().with("code", reconstruction))
        }
        ModeKeys::Eval => EstimatorSpec::new(mode).loss(loss),
        ModeKeys::Train => EstimatorSpec::new(mode)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, AdamWConfig::new(), 1e-3)),
    }
}

fn main() {}
