use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

struct HParams {
    learning_rate: f64,
}

#[model_fn]
fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    hparams: &HParams,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::new().with("logits", logits));
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let train_op = (mode == ModeKeys::Eval)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), hparams.learning_rate));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn main() {}
