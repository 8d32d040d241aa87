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
    let predictions = (mode == ModeKeys::Eval).then(|| Predictions::new().with("class", classes));
    let loss = labels.map(|labels| {
        CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels)
    });
    let train_op = match (&loss, mode) {
        (Some(loss), ModeKeys::Train) => {
            Some(TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1))
        }
        _ => None,
    };
    EstimatorSpec {
        predictions,
        loss,
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

fn main() {}
