use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn]
fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::new().with("class", classes));
    }
    let labels = labels.unwrap();
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.clone());
    let eval_metrics = EvalMetricOps::new()
        .with(
            "accuracy",
            metrics::accuracy(labels.clone(), classes.clone()),
        )
        .with("global_step", metrics::mean(loss.clone()));
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode)
        .loss(loss)
        .train_op(train_op)
        .eval_metric_ops(eval_metrics)
}

fn main() {}
