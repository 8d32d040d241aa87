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
    params: &HParams,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), params.learning_rate));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

// The model_fn takes `params`, and `.with_params(..)` is forgotten: a compile error, not a
// runtime `Error::Config`.
fn run(model: Mlp, batches: Vec<(Tensor<2>, Tensor<1, Int>)>) -> Result<(), Error> {
    let mut estimator = Estimator::new(classifier, model, RunConfig::default())?;
    estimator.train(batches, TrainArgs::steps(10))?;
    Ok(())
}

fn main() {
    let _ = run;
}
