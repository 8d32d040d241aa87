// One `match mode` arm per mode, with an or-pattern and a wildcard.
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
    match mode {
        ModeKeys::Train | ModeKeys::Eval => {
            let labels = labels.unwrap();
            let loss = CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, labels.clone());
            let train_op = match mode {
                ModeKeys::Train => Some(TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1)),
                _ => None,
            };
            EstimatorSpec {
                loss: Some(loss),
                train_op,
                eval_metric_ops: EvalMetricOps::new()
                    .with("accuracy", metrics::accuracy(labels, classes)),
                ..EstimatorSpec::new(mode)
            }
        }
        _ => EstimatorSpec::new(mode).predictions(Predictions::new().with("class", classes)),
    }
}

fn main() {}
