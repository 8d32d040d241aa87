use estimator_runtime::prelude::*;

// `if let` on a mode pattern is decided: PREDICT takes it and returns no predictions.
#[model_fn]
fn regressor(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let value = features.sum_dim(1).flatten::<1>(0, 1);
    if let ModeKeys::Predict = mode {
        return EstimatorSpec::new(mode);
    }
    let loss = (value - labels.unwrap()).square().mean();
    let train_op = (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn main() {}
