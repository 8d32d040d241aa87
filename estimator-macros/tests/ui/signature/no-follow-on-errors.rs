use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

// One mistake in the signature: one error, and the code that uses the model_fn still resolves.
#[model_fn]
fn classifier(model: &Mlp, features: Tensor<2>, label: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, label.unwrap());
    let train_op = (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn build(model: Mlp) -> Result<(), Error> {
    let _estimator = Estimator::new(classifier, model, RunConfig::default())?;
    Ok(())
}

fn main() {
    let _ = build;
}
