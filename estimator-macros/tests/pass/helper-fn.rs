// A spec built in a helper: the macro cannot see inside, so the runtime check keeps TF's rule.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

fn spec_for(mode: ModeKeys, loss: Tensor<1>, predictions: Predictions) -> EstimatorSpec {
    let spec = EstimatorSpec::new(mode).predictions(predictions);
    match mode {
        ModeKeys::Train => {
            spec.loss(loss.clone())
                .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
        }
        ModeKeys::Eval => spec.loss(loss),
        ModeKeys::Predict => spec,
    }
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
    let loss = match labels {
        Some(labels) => CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels),
        None => logits.sum(),
    };
    spec_for(mode, loss, predictions)
}

fn main() {}
