use estimator_runtime::prelude::*;

// A guard on a binding of `mode` is decided: PREDICT takes the first arm.
#[model_fn]
fn regressor(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let value = features.sum_dim(1).flatten::<1>(0, 1);
    match mode {
        m if m == ModeKeys::Predict => EstimatorSpec::new(m),
        other => {
            let loss = (value - labels.unwrap()).square().mean();
            let train_op = (other == ModeKeys::Train)
                .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
            EstimatorSpec::new(other).loss(loss).train_op(train_op)
        }
    }
}

fn main() {}
