// TF's second `EstimatorSpec` example, with `predictions=predictions` left out.
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
    let loss = if mode == ModeKeys::Train || mode == ModeKeys::Eval {
        Some(
            CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, labels.unwrap()),
        )
    } else {
        None
    };
    let train_op = if mode == ModeKeys::Train {
        Some(TrainOp::minimize(
            loss.clone().unwrap(),
            SgdConfig::new(),
            0.1,
        ))
    } else {
        None
    };
    EstimatorSpec {
        mode,
        loss,
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

fn main() {}
