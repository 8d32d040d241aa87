// TF's most common idiom: the loss and train_op are built only when labels are given, and the
// fall-through returns predictions only. The condition is not about `mode`, so the macro
// decides nothing and leaves the paths to TF's runtime check.
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
    let predictions = Predictions::new().with("logits", logits.clone());
    if let Some(labels) = labels {
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels);
        let train_op = (mode == ModeKeys::Train)
            .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
        return EstimatorSpec {
            mode,
            loss: Some(loss),
            train_op,
            predictions: Some(predictions),
            ..EstimatorSpec::new(mode)
        };
    }
    EstimatorSpec::new(mode).predictions(predictions)
}

fn main() {}
