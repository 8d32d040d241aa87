use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

trait LearningRate {
    const LR: f64;
}

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

// `R` appears in no parameter, so nothing at the use site can infer it: it must be chosen
// with a turbofish, `tuned::<Slow>()`.
#[model_fn]
fn tuned<R: LearningRate>(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), R::LR));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn run(model: Mlp) -> Result<(), Error> {
    let _estimator = Estimator::new(tuned(), model, RunConfig::default())?;
    Ok(())
}

fn main() {
    let _ = run;
}
