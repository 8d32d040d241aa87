use estimator_runtime::prelude::*;

// `let .. else` on a mode pattern is decided: TRAIN falls through to a spec without train_op.
#[model_fn]
fn regressor(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let value = features.sum_dim(1).flatten::<1>(0, 1);
    let (ModeKeys::Train | ModeKeys::Eval) = mode else {
        return EstimatorSpec::new(mode).predictions(Predictions::from(value));
    };
    let loss = (value - labels.unwrap()).square().mean();
    EstimatorSpec::new(mode).loss(loss)
}

fn main() {}
