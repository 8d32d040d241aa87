// `params` of the user's own type and `config`, both borrowed, in any order; a leading `_`
// keeps an unused parameter's role.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

struct HParams {
    learning_rate: f64,
    momentum: bool,
}

#[model_fn]
fn classifier(
    mode: ModeKeys,
    _config: &RunConfig,
    params: &HParams,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    model: &Mlp,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let predictions = Predictions::new().with("logits", logits.clone());
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(predictions);
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let train_op = (mode == ModeKeys::Train).then(|| {
        if params.momentum {
            TrainOp::minimize(loss.clone(), AdamConfig::new(), params.learning_rate)
        } else {
            TrainOp::minimize(loss.clone(), SgdConfig::new(), params.learning_rate)
        }
    });
    EstimatorSpec {
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

fn main() {}
