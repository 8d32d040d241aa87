// TF's second `EstimatorSpec` example: each field is `None` outside the modes that need it,
// and one constructor returns them all, here as a builder chain.
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
        let labels = labels.unwrap();
        Some(
            CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits.clone(), labels),
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
    let predictions = if mode == ModeKeys::Predict {
        Some(Predictions::new().with("logits", logits))
    } else {
        None
    };
    EstimatorSpec::new(mode)
        .predictions(predictions)
        .loss(loss)
        .train_op(train_op)
}

fn main() {}
