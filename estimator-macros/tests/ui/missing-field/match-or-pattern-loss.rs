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
    match mode {
        ModeKeys::Train => {
            let loss = CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, labels.unwrap());
            EstimatorSpec::new(mode)
                .loss(loss.clone())
                .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
        }
        ModeKeys::Eval | ModeKeys::Predict => EstimatorSpec::new(mode).predictions(predictions),
    }
}

fn main() {}
