/// A head over any model that yields logits.
#[model_fn]
pub fn head_fn<'a, M: Logits, const CLASSES: usize>(
    model: &'a M,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec
where
    M: Module + 'static,
{
    let logits = model.logits(features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(logits);
    }
    let loss = CrossEntropyLossConfig::new().init(&logits.device()).forward(logits, labels.unwrap());
    let train_op = (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}
