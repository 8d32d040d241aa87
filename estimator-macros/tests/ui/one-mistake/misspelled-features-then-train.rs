use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

// `feature` for `features`: one error, and the calls to `train`, `evaluate` and `predict`
// below still type-check against the declared `Tensor<2>`.
#[model_fn]
fn classifier(
    model: &Mlp,
    feature: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(feature);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn run(model: Mlp, batches: Vec<(Tensor<2>, Tensor<1, Int>)>) -> Result<(), Error> {
    let mut estimator = Estimator::new(classifier, model, RunConfig::default())?;
    estimator.train(batches.clone(), TrainArgs::steps(10))?;
    let results = estimator.evaluate(batches.clone(), EvalArgs::default())?;
    println!("{:?}", results.metric("accuracy"));
    let features = batches.into_iter().map(|(x, _)| x);
    for prediction in estimator.predict(features, PredictArgs::default())? {
        println!("{:?}", prediction?.values_f64(estimator_runtime::SINGLE_OUTPUT));
    }
    Ok(())
}

fn main() {
    let _ = run;
}
