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
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    EstimatorSpec::new(mode)
        .loss(loss.clone())
        .eval_metric_ops(EvalMetricOps::new().with("loss", metrics::mean(loss)))
}

fn main() {}
