#[model_fn]
fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &HParams,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let predictions = Predictions::new().with("class", classes.clone());
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(predictions);
    }
    let labels = labels.unwrap();
    let loss = CrossEntropyLossConfig::new().init(&logits.device()).forward(logits, labels.clone());
    let train_op = if mode == ModeKeys::Train {
        Some(TrainOp::minimize(loss.clone(), AdamConfig::new(), params.learning_rate))
    } else {
        None
    };
    EstimatorSpec {
        mode,
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        eval_metric_ops: EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)),
        ..EstimatorSpec::new(mode)
    }
}
