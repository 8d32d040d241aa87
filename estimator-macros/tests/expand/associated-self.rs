#[model_fn]
fn classifier(model: &Self, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
    let logits = Self::logits(model, features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    }
    let loss = Self::loss(logits, labels.unwrap());
    let train_op = (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}
