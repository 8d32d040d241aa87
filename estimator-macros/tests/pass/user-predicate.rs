// A user's own predicate on the mode, a closure and a loop: forms the macro does not model,
// so it reports nothing and TF's runtime check keeps watch.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

fn is_training(mode: ModeKeys) -> bool {
    mode == ModeKeys::Train
}

#[model_fn]
fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let mut spec = EstimatorSpec::new(mode).predictions(Predictions::from(logits.clone()));
    let wants_loss = |m: ModeKeys| m != ModeKeys::Predict;
    if wants_loss(mode) {
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels.unwrap());
        spec = spec.loss(loss.clone());
        if is_training(mode) {
            spec = spec.train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1));
        }
    }
    for _ in 0..1 {
        spec = spec.training_hooks(Vec::new());
    }
    spec
}

fn main() {}
