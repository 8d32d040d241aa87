/// A regressor written with `match mode` and builder chains.
#[model_fn]
pub fn regressor(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let value = features.sum_dim(1).flatten::<1>(0, 1);
    match mode {
        ModeKeys::Predict => EstimatorSpec::new(mode).predictions(Predictions::from(value)),
        ModeKeys::Train | ModeKeys::Eval => {
            let loss = (value - labels.unwrap()).square().mean();
            let train_op = (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
            EstimatorSpec::new(mode).loss(loss).train_op(train_op)
        }
    }
}
