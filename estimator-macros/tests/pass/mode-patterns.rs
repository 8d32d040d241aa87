// `if let`, `let .. else` and `while let` on `mode` patterns, a guard on a binding of `mode`,
// and `mode` bound to another name: all decided per mode.
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
    if let ModeKeys::Predict = mode {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    }
    let (ModeKeys::Train | ModeKeys::Eval) = mode else {
        unreachable!("handled above")
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let current = mode;
    match current {
        m if m == ModeKeys::Eval => EstimatorSpec::new(m).loss(loss),
        other => EstimatorSpec::new(other)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1)),
    }
}

#[model_fn]
fn looping(features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    #[allow(clippy::never_loop, irrefutable_let_patterns)]
    while let ModeKeys::Predict = mode {
        return EstimatorSpec::new(mode).predictions(Predictions::from(features));
    }
    let loss = features.sum();
    EstimatorSpec::new(mode)
        .loss(loss.clone())
        .train_op((mode == ModeKeys::Train).then(|| TrainOp::minimize(loss, SgdConfig::new(), 0.1)))
}

fn main() {}
