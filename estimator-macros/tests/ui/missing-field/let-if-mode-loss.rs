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
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::new().with("logits", logits));
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let train_op = Some(TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    let loss = if mode == ModeKeys::Train {
        Some(loss)
    } else {
        None
    };
    let train_op = if mode == ModeKeys::Train {
        train_op
    } else {
        None
    };
    EstimatorSpec {
        loss,
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

fn main() {}
